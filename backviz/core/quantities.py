"""Quantity references: the typed key of every number in a trace (kind, layer, index, sample, step),
and the table of kinds (`KINDS`): each kind described once.

Names such as `dE/dW5` or `z(2)_1[3]@2` are made from and parsed into these in `notation.py`
only; everything else in backviz passes `Ref`s around.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["AFTER", "ASK_KINDS", "KINDS", "KIND_OF_ARRAY", "Kind", "KindSpec", "Ref", "ask_group"]


class Kind(Enum):
    """What a quantity is. Values are the labels used in reports and the `check` table."""

    INPUT = "x"
    TARGET = "t"
    WEIGHT = "W"
    BIAS = "b"
    Z = "z"
    A = "a"
    MASK = "m"  # dropout: a hidden node kept (1) or dropped (0), per sample
    DROPPED = "a~"  # dropout: the output the next layer reads, ã = a·m/(1 − p)
    DROPPED_DA = "da~/da"  # dropout: ∂ã/∂a = m/(1 − p), the link of a path through ã
    LOSS_TERM = "E term"  # one output node's share of one sample's loss, e.g. E_o1
    SAMPLE_LOSS = "E[n]"  # one sample's loss (only when there are several samples)
    LOSS = "E"  # the loss after the reduction over samples (with the penalty terms, if any)
    DATA_LOSS = "E_data"  # with regularisation: the loss of the data alone, before the penalty
    PENALTY = "penalty"  # a penalty term of E: λ₁Σ|w| (label "L1") or λ₂Σw² ("L2")
    DE_DA = "dE/da"
    DE_DA_TERM = "dE/da path"  # one path's share of a hidden ∂E/∂a: δ⁽ˡ⁺¹⁾_i · w_ij⁽ˡ⁺¹⁾
    DA_DZ = "da/dz"
    DELTA = "delta"
    GRAD_W = "dE/dW"
    GRAD_B = "dE/db"
    DATA_GRAD_W = "dE_data/dW"  # with regularisation: the data term of ∂E/∂w
    DATA_GRAD_B = "dE_data/db"
    PENALTY_GRAD = "dpenalty/dw"  # a penalty term's ∂/∂w: λ₁·sign(w) or 2λ₂·w; label (norm, W|b)
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
    label: optimiser slot ("m", "v") with "W"/"b" for STATE; the penalty ("L1", "L2") for
    PENALTY, with "W"/"b" for PENALTY_GRAD; node names for expressions.
    """

    kind: Kind
    layer: int | None = None
    index: tuple[int, ...] = ()
    sample: int | None = None
    step: int | None = None
    after: bool = False
    label: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    """What one kind of quantity is, as naming, wiring, asking, exporting and grading read it.

    ask: the group `[ask] kinds` names it by (None: a given number, never asked);
    array: its key, per layer, in `solve --format json` and in a coding exercise's returned
    dict (None: not one array per layer);
    per_sample: its value depends on the sample n (z, a, δ …), not only on the step.
    """

    ask: str | None
    array: str | None = None
    per_sample: bool = False


# Every kind, once. The order of the `ask` groups is the order `[ask] kinds` lists them in.
KINDS: dict[Kind, KindSpec] = {
    Kind.INPUT: KindSpec(None, per_sample=True),
    Kind.TARGET: KindSpec(None, per_sample=True),
    Kind.WEIGHT: KindSpec(None, "W"),
    Kind.BIAS: KindSpec(None, "b"),
    Kind.Z: KindSpec("z", "z", per_sample=True),
    Kind.A: KindSpec("a", "a", per_sample=True),
    Kind.MASK: KindSpec(None, per_sample=True),
    Kind.DROPPED: KindSpec("dropout", per_sample=True),
    Kind.DROPPED_DA: KindSpec("dropout", per_sample=True),
    Kind.LOSS_TERM: KindSpec("loss", per_sample=True),
    Kind.SAMPLE_LOSS: KindSpec("loss", per_sample=True),
    Kind.LOSS: KindSpec("loss"),
    Kind.DATA_LOSS: KindSpec("loss"),
    Kind.PENALTY: KindSpec("penalty"),
    Kind.DE_DA: KindSpec("dE/da", per_sample=True),
    Kind.DE_DA_TERM: KindSpec("paths", per_sample=True),
    Kind.DA_DZ: KindSpec("da/dz", per_sample=True),
    Kind.DELTA: KindSpec("delta", "delta", per_sample=True),
    Kind.GRAD_W: KindSpec("grad", "dW"),
    Kind.GRAD_B: KindSpec("grad", "db"),
    Kind.DATA_GRAD_W: KindSpec("grad"),
    Kind.DATA_GRAD_B: KindSpec("grad"),
    Kind.PENALTY_GRAD: KindSpec("penalty"),
    Kind.UPDATE_W: KindSpec("update", "W_new"),
    Kind.UPDATE_B: KindSpec("update", "b_new"),
    Kind.STATE: KindSpec("state"),
    Kind.NODE: KindSpec(None),  # expression exercises are not graded
    Kind.LOCAL_GRAD: KindSpec(None),
    Kind.GRAD: KindSpec(None),
}

AFTER = "after"  # the `[ask]` group of forward quantities recomputed with the new weights
ASK_KINDS = (*dict.fromkeys(spec.ask for spec in KINDS.values() if spec.ask), AFTER)
KIND_OF_ARRAY = {spec.array: kind for kind, spec in KINDS.items() if spec.array}


def ask_group(ref: Ref) -> str:
    """The `[ask] kinds` group a quantity is asked by (z1+ is "after", not "z")."""
    group = KINDS[ref.kind].ask
    if group is None:
        raise ValueError(f"{ref.kind} is a given number, never asked")
    return AFTER if ref.after else group
