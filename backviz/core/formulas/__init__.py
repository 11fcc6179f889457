"""The formula of each kind of quantity, usable numerically and symbolically.

A trace entry's formula is a `Rule` applied to the values of its input quantities, in the
order the trace lists them. `evaluate` works on floats or numpy arrays (so the grader can
recompute a formula from many students' own earlier answers at once); `symbolic` works on
sympy expressions. Both read the one definition of each activation, loss and optimiser in
`functions.py` / `optimizers.py`; the symbolic derivatives are sympy's own differentiation of
the symbolic value, an independent check of the hand-derived numeric derivatives.

The rules are grouped by the phase of the computation they belong to: `base` (what a rule
and a formula are), `forward`, `dropout`, `loss`, `penalty` (regularisation), `backward` and
`update`.
"""

from __future__ import annotations

from .backward import (
    GradB,
    GradW,
    LocalDerivative,
    OutputGrad,
    PathTerm,
    Product,
    SoftmaxCrossEntropyDelta,
    SoftmaxDelta,
    Sum,
)
from .base import Formula, Rule
from .dropout import Dropped, DroppedDerivative
from .forward import Activate, SoftmaxOf, WeightedSum
from .loss import LossTerm, SampleLoss, TotalLoss
from .penalty import Penalty, PenaltyGrad
from .update import ParamUpdate, Same, StateUpdate

__all__ = [
    "Activate",
    "Dropped",
    "DroppedDerivative",
    "Formula",
    "GradB",
    "GradW",
    "LocalDerivative",
    "LossTerm",
    "OutputGrad",
    "ParamUpdate",
    "PathTerm",
    "Penalty",
    "PenaltyGrad",
    "Product",
    "Rule",
    "Same",
    "SampleLoss",
    "SoftmaxCrossEntropyDelta",
    "SoftmaxDelta",
    "SoftmaxOf",
    "StateUpdate",
    "Sum",
    "TotalLoss",
    "WeightedSum",
]
