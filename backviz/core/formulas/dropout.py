"""Dropout's formulas: the dropped-out activation ã = a·m/(1 − p) and a path back through it.

p is shown as its number (the rate is a given of the exercise, as the mask is): ã = a·m/(1 − 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..dropout import keep_scale
from ..mathexpr import Expr, Frac, Neg, Num, add, mul
from .base import Rule

__all__ = ["Dropped", "DroppedPath"]


def _keep(p: float) -> Expr:
    """1 − p, the denominator of the inverted scaling."""
    return add(Num(1, given=True), Neg(Num(p, given=True)))


@dataclass(frozen=True)
class Dropped(Rule):
    """ã_j = a_j·m_j/(1 − p). Inputs: a_j, m_j."""

    p: float

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1] * keep_scale(self.p)

    def symbolic(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1] / (1 - self.p)

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return Frac(mul(args[0], args[1]), _keep(self.p))


@dataclass(frozen=True)
class DroppedPath(Rule):
    """The path of a_j through z_i when a_j passes through dropout: δ_i·w_ij·m_j/(1 − p).
    Inputs: δ_i, w_ij, m_j."""

    p: float

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1] * args[2] * keep_scale(self.p)

    def symbolic(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1] * args[2] / (1 - self.p)

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return Frac(mul(args[0], args[1], args[2]), _keep(self.p))
