"""Quantity references: the typed key of every number in a trace (kind, layer, index, sample, step).

Names such as `dE/dW5` or `z(2)_1[3]@2` are made from and parsed into these in `notation.py`
only; everything else in backviz passes `Ref`s around.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["Kind", "Ref"]


class Kind(Enum):
    """What a quantity is. Values are the labels used in reports and the `check` table."""

    INPUT = "x"
    TARGET = "t"
    WEIGHT = "W"
    BIAS = "b"
    Z = "z"
    A = "a"
    LOSS_TERM = "E term"  # one output node's share of one sample's loss, e.g. E_o1
    SAMPLE_LOSS = "E[n]"  # one sample's loss (only when there are several samples)
    LOSS = "E"  # the loss after the reduction over samples
    DE_DA = "dE/da"
    DE_DA_TERM = "dE/da path"  # one path's share of a hidden ∂E/∂a: δ⁽ˡ⁺¹⁾_i · w_ij⁽ˡ⁺¹⁾
    DA_DZ = "da/dz"
    DELTA = "delta"
    GRAD_W = "dE/dW"
    GRAD_B = "dE/db"
    STATE = "optimizer state"  # momentum buffer / Adam moments, per parameter
    UPDATE_W = "W+"
    UPDATE_B = "b+"
    NODE = "node"  # expression exercises: a node's value
    LOCAL_GRAD = "local grad"  # ∂node/∂input of one edge
    GRAD = "grad"  # ∂output/∂node


@dataclass(frozen=True)
class Ref:
    """One quantity of an exercise.

    layer: 1-based layer (input layer 1), None where it does not apply (loss, expressions).
    index: node j, or (j, k) for a weight w_jk, or (j, i) for the path of a_j via z_i⁽ˡ⁺¹⁾.
    sample / step: 1-based; None for quantities that do not depend on them.
    after: a forward-pass quantity recomputed with the updated weights (z1+, E_total+).
    label: optimiser slot ("m", "v") with "W"/"b" for STATE; node names for expressions.
    """

    kind: Kind
    layer: int | None = None
    index: tuple[int, ...] = ()
    sample: int | None = None
    step: int | None = None
    after: bool = False
    label: tuple[str, ...] = ()
