"""A correct submission: the forward pass of the notes' 2-2-2 network (sigmoid, no biases)."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(x, W1, W2):
    x, W1, W2 = np.asarray(x, dtype=float), np.asarray(W1, dtype=float), np.asarray(W2, dtype=float)
    h = sigmoid(x @ W1.T)
    o = sigmoid(h @ W2.T)
    print("forward done")
    return {"h": h, "o": o}
