"""The notes' autograd loop with the gradient never zeroed (`w.grad.zero_()` left out): each
`loss.backward()` adds into w.grad, so step t updates with the sum of steps 1..t's gradients."""

import torch


def train(W, b, x, t, learning_rate, steps):
    x, y = torch.from_numpy(x), torch.from_numpy(t)
    w = torch.from_numpy(W[0].T.copy()).requires_grad_()
    history = []
    for _ in range(steps):
        loss = 0.5 * (x.mm(w) - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            w -= learning_rate * w.grad
        history.append(([w.detach().numpy().T.copy()], [None]))
    return history
