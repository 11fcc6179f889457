"""Random initial weights and biases (`[parameters] init = "uniform"`), alike on every machine."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["uniform_init"]


def uniform_init(
    sizes: tuple[int, ...], bias: tuple[bool, ...], seed: int
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...]]:
    """U(−1/√fan_in, 1/√fan_in) for every weight and bias, as torch.nn.Linear's default range.

    Drawn from numpy's default_rng(seed), layer by layer, W then b, so the same seed gives the
    same numbers on every machine.
    """
    rng = np.random.default_rng(seed)
    W, b = [], []
    for i in range(len(sizes) - 1):
        bound = 1.0 / math.sqrt(sizes[i])
        W.append(rng.uniform(-bound, bound, size=(sizes[i + 1], sizes[i])))
        b.append(rng.uniform(-bound, bound, size=sizes[i + 1]) if bias[i] else None)
    return tuple(W), tuple(b)
