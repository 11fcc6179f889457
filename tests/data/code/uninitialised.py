"""The notes' classic (seeds/002): weights from uninitialised memory instead of the W given."""

import numpy as np


def backward(W, b, x, t, learning_rate):
    W = [np.full((len(w), len(w[0])), np.nan) for w in W]  # as torch.Tensor(2, 2) may hold
    x = np.array(x, dtype=float)
    z = x @ W[0].T
    a = 1 / (1 + np.exp(-z))
    return {
        "z": [z, a @ W[1].T],
        "a": [a, a],
        "delta": [z, z],
        "dW": W,
        "db": [None, None],
        "W_new": W,
        "b_new": [None, None],
    }
