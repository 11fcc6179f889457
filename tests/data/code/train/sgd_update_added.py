"""The update added at step 2 only (w += instead of w -=), right otherwise."""


def train(W, b, x, t, learning_rate, steps):
    w = W[0].copy()
    history = []
    for step in range(1, steps + 1):
        grad = (x @ w.T - t).T @ x
        w = w + learning_rate * grad if step == 2 else w - learning_rate * grad
        history.append(([w.copy()], [None]))
    return history
