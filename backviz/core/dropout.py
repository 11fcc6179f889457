"""Dropout on the hidden layers: the rate p of each, the mask m of each sample, inverted scaling.

Inverted dropout, as torch's `nn.Dropout` computes it in training mode: a hidden node's output
a_j is kept (m_j = 1) or dropped (m_j = 0), and the kept ones are scaled by 1/(1 − p) so that
the next layer receives on average what it receives without dropout:

    ã_j = a_j · m_j / (1 − p)            the dropped-out activation the next layer reads
    ∂E/∂a_j = Σ_i δ_i · w_ij · m_j / (1 − p)   (0 for a dropped node)

The mask is part of the exercise (given, or drawn from a seed and then printed with what is
given), and is the same at every training step. The check after the update is a forward pass
in evaluation mode, as a trained model is evaluated: no node dropped, nothing scaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dropout", "draw_masks", "keep_scale"]


def keep_scale(p: float) -> float:
    """1/(1 − p): what a kept node's output is multiplied by (p < 1)."""
    return 1.0 / (1.0 - p)


@dataclass(frozen=True)
class Dropout:
    """The dropout of a network's hidden layers (layers 2 … L − 1).

    rates: p of each hidden layer, in order (0: no dropout there);
    masks: m of each hidden layer, (N, n_l) of 0 and 1 (1 = kept), None where p = 0;
    seed: the seed the masks were drawn from (`draw_masks`), None when they were given.
    """

    rates: tuple[float, ...]
    masks: tuple[np.ndarray | None, ...]
    seed: int | None = None

    def rate(self, layer: int) -> float:
        """p of `layer` (1-based, as the notes count): 0 for the input and output layers."""
        i = layer - 2
        return self.rates[i] if 0 <= i < len(self.rates) else 0.0

    def mask(self, layer: int) -> np.ndarray | None:
        """m of `layer`, (N, n_l); None where nothing is dropped."""
        i = layer - 2
        return self.masks[i] if 0 <= i < len(self.masks) else None

    def applies(self, layer: int) -> bool:
        """Whether the layer's outputs pass through dropout (p > 0) in training."""
        return self.mask(layer) is not None


def draw_masks(
    rates: tuple[float, ...], sizes: tuple[int, ...], n_samples: int, seed: int
) -> tuple[np.ndarray | None, ...]:
    """Masks drawn as torch draws them, each node kept with probability 1 − p:
    `numpy.random.default_rng(seed).random((N, n_l)) >= p`, hidden layer after hidden layer
    (layers with p = 0 draw nothing)."""
    rng = np.random.default_rng(seed)
    masks: list[np.ndarray | None] = []
    for i, p in enumerate(rates):
        if p == 0:
            masks.append(None)
            continue
        masks.append((rng.random((n_samples, sizes[i + 1])) >= p).astype(float))
    return tuple(masks)
