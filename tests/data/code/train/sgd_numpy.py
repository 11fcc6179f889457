import numpy as np


def train(W, b, x, t, learning_rate, steps):
    w = W[0].T.copy()  # (Din, Dout), as the notes' numpy code
    history = []
    for _ in range(steps):
        y_pred = np.matmul(x, w)
        grad_y_pred = y_pred - t
        grad_w = np.matmul(np.transpose(x), grad_y_pred)
        w -= learning_rate * grad_w
        history.append(([w.T.copy()], [None]))
    return history
