"""Shared fixtures: paths to the project's exercises."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"


@pytest.fixture(scope="session")
def exercises_dir() -> Path:
    return EXERCISES


def torch_seed_222() -> dict[str, float]:
    """The notes' 2-2-2 step computed by torch.autograd in float64, independently of backviz."""
    x = torch.tensor([[0.1, 0.2]], dtype=torch.float64)
    t = torch.tensor([[0.4, 0.6]], dtype=torch.float64)
    W1 = torch.tensor([[0.30, 0.25], [0.40, 0.35]], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor([[0.45, 0.40], [0.70, 0.60]], dtype=torch.float64, requires_grad=True)
    h = torch.sigmoid(x @ W1.T)
    o = torch.sigmoid(h @ W2.T)
    E = 0.5 * ((t - o) ** 2).sum()
    E.backward()
    W1_new, W2_new = W1 - 0.5 * W1.grad, W2 - 0.5 * W2.grad
    after = 0.5 * ((t - torch.sigmoid(torch.sigmoid(x @ W1_new.T) @ W2_new.T)) ** 2).sum()
    values = {"h1": h[0, 0], "o2": o[0, 1], "E_total": E, "E_total+": after}
    for i, (grad, new) in enumerate(((W1.grad, W1_new), (W2.grad, W2_new))):
        for flat in range(4):
            n = 4 * i + flat + 1
            values[f"dE/dW{n}"] = grad.reshape(-1)[flat]
            values[f"W{n}+"] = new.reshape(-1)[flat]
    return {k: float(v.detach()) for k, v in values.items()}
