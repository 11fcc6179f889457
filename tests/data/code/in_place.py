"""Right numbers, but the weights are updated in place (W[i] -= …): the caller's W changes."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backward(W, b, x, t, learning_rate):
    n = len(x)
    activations, zs = [], []
    a = x
    for w, v in zip(W, b, strict=True):
        z = a @ w.T + v
        a = sigmoid(z)
        zs.append(z)
        activations.append(a)
    o = activations[-1]
    dE_da = (o - t) / (o * (1 - o)) / o.shape[1]
    deltas, dW, db = [None] * len(W), [None] * len(W), [None] * len(W)
    for i in range(len(W) - 1, -1, -1):
        deltas[i] = dE_da * activations[i] * (1 - activations[i])
        prev = x if i == 0 else activations[i - 1]
        dW[i] = deltas[i].T @ prev / n
        db[i] = deltas[i].sum(axis=0) / n
        if i > 0:
            dE_da = deltas[i] @ W[i]
    for i in range(len(W)):
        W[i] -= learning_rate * dW[i]  # in place: the caller's arrays change
        b[i] -= learning_rate * db[i]
    return {"z": zs, "a": activations, "delta": deltas, "dW": dW, "db": db, "W_new": W, "b_new": b}
