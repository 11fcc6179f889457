"""A correct torch implementation that lets autograd do the backward pass."""

import torch


def backward(W, b, x, t, learning_rate):
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W]
    b = [None if v is None else torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]
    x = torch.tensor(x, dtype=torch.float64)
    t = torch.tensor(t, dtype=torch.float64)
    zs, activations = [], []
    a = x
    for w, v in zip(W, b, strict=True):
        z = a @ w.T + (0 if v is None else v)
        z.retain_grad()
        a = torch.sigmoid(z)
        zs.append(z)
        activations.append(a)
    per_sample = torch.nn.functional.binary_cross_entropy(
        activations[-1], t, reduction="none"
    ).mean(dim=1)
    grads = torch.autograd.grad(per_sample.sum(), zs, retain_graph=True)  # δ of each sample
    per_sample.mean().backward()
    with torch.no_grad():
        W_new = [w - learning_rate * w.grad for w in W]
        b_new = [None if v is None else v - learning_rate * v.grad for v in b]
    return {
        "z": [z.detach() for z in zs],
        "a": [a.detach() for a in activations],
        "delta": list(grads),
        "dW": [w.grad for w in W],
        "db": [None if v is None else v.grad for v in b],
        "W_new": W_new,
        "b_new": b_new,
    }
