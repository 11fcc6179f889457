"""½Σ(y − t)² differentiated as Σ(y − t)²: the gradient twice what it is."""


def train(W, b, x, t, learning_rate, steps):
    w = W[0].copy()
    history = []
    for _ in range(steps):
        grad = 2 * (x @ w.T - t).T @ x
        w = w - learning_rate * grad
        history.append(([w.copy()], [None]))
    return history
