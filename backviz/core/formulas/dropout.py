"""Dropout's formulas: the dropped-out activation ã = a·m/(1 − p) and its derivative
∂ã/∂a = m/(1 − p), the link a path back through ã takes (∂E_o1/∂h1 = δ_o1·W5·∂h̃1/∂h1).

The rate p is a setting of the exercise, as η is: the formula shows its symbol (p, or p⁽ˡ⁾ of
the layer, named by `Namer.rate`) and the numbers line its value, ã = a·m/(1 − p) =
0.52 × 1/(1 − 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..dropout import keep_scale
from ..mathexpr import Expr, Frac, Neg, Num, Sym, add, mul
from .base import Rule

__all__ = ["Dropped", "DroppedDerivative"]


@dataclass(frozen=True)
class _Rate(Rule):
    """A rule over dropout's rate p of one layer, shown as `rate` (its symbol) or its value."""

    p: float
    rate: Sym

    def _keep(self, numbers: bool) -> Expr:
        """1 − p, the denominator of the inverted scaling."""
        p = Num(self.p, given=True) if numbers else self.rate
        return add(Num(1, given=True), Neg(p))


@dataclass(frozen=True)
class Dropped(_Rate):
    """ã_j = a_j·m_j/(1 − p). Inputs: a_j, m_j."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1] * keep_scale(self.p)

    def symbolic(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1] / (1 - self.p)

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return Frac(mul(args[0], args[1]), self._keep(numbers))


@dataclass(frozen=True)
class DroppedDerivative(_Rate):
    """∂ã_j/∂a_j = m_j/(1 − p): 1/(1 − p) for a kept node, 0 for a dropped one. Input: m_j."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] * keep_scale(self.p)

    def symbolic(self, args: Sequence[Any]) -> Any:
        return args[0] / (1 - self.p)

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return Frac(args[0], self._keep(numbers))
