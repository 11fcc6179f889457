"""A broken implementation: no sigma prime."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backward(
    W, b, x, t, learning_rate, *, skip_sigma_prime=True, updated_first=False, transposed=False
):
    W = [np.array(w, dtype=float) for w in W]
    b = [None if v is None else np.array(v, dtype=float) for v in b]
    x, t = np.array(x, dtype=float), np.array(t, dtype=float)
    n = len(x)
    zs, activations = [], []
    a = x
    for w, v in zip(W, b, strict=True):
        z = a @ (w if transposed else w.T) + (0 if v is None else v)
        a = sigmoid(z)
        zs.append(z)
        activations.append(a)
    o = activations[-1]
    J = o.shape[1]
    dE_da = (o - t) / (o * (1 - o)) / J  # BCE, mean over output nodes per sample
    deltas = [None] * len(W)
    dW = [None] * len(W)
    db = [None] * len(W)
    W_new = [None] * len(W)
    for i in range(len(W) - 1, -1, -1):
        a_i = activations[i]
        delta = dE_da if skip_sigma_prime else dE_da * a_i * (1 - a_i)
        deltas[i] = delta
        prev = x if i == 0 else activations[i - 1]
        dW[i] = delta.T @ prev / n
        db[i] = None if b[i] is None else delta.sum(axis=0) / n
        W_new[i] = W[i] - learning_rate * dW[i]
        if i > 0:
            dE_da = delta @ (W_new[i] if updated_first else W[i])
    b_new = [None if v is None else v - learning_rate * g for v, g in zip(b, db, strict=True)]
    return {
        "z": zs,
        "a": activations,
        "delta": deltas,
        "dW": dW,
        "db": db,
        "W_new": W_new,
        "b_new": b_new,
    }
