"""The notes' bug (seeds/002): torch.Tensor(2, 2) is uninitialised memory, not the given W."""

import torch


def backward(W, b, x, t, learning_rate):
    w1 = torch.Tensor(2, 2).double().fill_(float("nan"))  # what uninitialised memory may hold
    w2 = torch.Tensor(1, 2).double().fill_(float("nan"))
    x = torch.tensor(x, dtype=torch.float64)
    z1 = x @ w1.T
    a1 = torch.sigmoid(z1)
    z2 = a1 @ w2.T
    a2 = torch.sigmoid(z2)
    return {
        "z": [z1, z2],
        "a": [a1, a2],
        "delta": [z1, z2],
        "dW": [w1, w2],
        "db": [w1[0], w2[0]],
        "W_new": [w1, w2],
        "b_new": [w1[0], w2[0]],
    }
