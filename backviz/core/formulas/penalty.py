"""The regularisation penalty's formulas: a penalty term of E (λ₁Σ|w|, λ₂Σw²) and its
derivative with respect to one weight (λ₁·sign(w), 2λ₂·w).

The numbers come from `Regularization` (core/regularization.py), the one definition the
engine uses too; sympy's `sign` is 0 at 0, as numpy's and as torch's gradient of `abs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..mathexpr import Call, Expr, Num, Paren, Pow, Sym, add, mul
from ..regularization import Regularization
from .base import Rule, sympy_module

__all__ = ["Penalty", "PenaltyGrad"]

# λ₁ and λ₂ as the solution writes them
_LAMBDA = {"L1": ("λ₁", r"\lambda_1"), "L2": ("λ₂", r"\lambda_2")}


def _strength(reg: Regularization, norm: str, numbers: bool) -> Expr:
    symbol, latex = _LAMBDA[norm]
    return Num(reg.strength(norm), given=True) if numbers else Sym(symbol, latex)


@dataclass(frozen=True)
class Penalty(Rule):
    """E_L1 = λ₁·Σ|w| or E_L2 = λ₂·Σw² over the penalised parameters. Inputs: those w."""

    regularization: Regularization
    norm: str

    def evaluate(self, args: Sequence[Any]) -> Any:
        if self.norm == "L1":
            total = np.abs(args[0])
            for w in args[1:]:
                total = total + np.abs(w)
        else:
            total = args[0] * args[0]
            for w in args[1:]:
                total = total + w * w
        return self.regularization.strength(self.norm) * total

    def symbolic(self, args: Sequence[Any]) -> Any:
        sp = sympy_module()
        each = [sp.Abs(w) if self.norm == "L1" else w**2 for w in args]
        return self.regularization.strength(self.norm) * sum(each[1:], each[0])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        two = Num(2, given=True)
        each = [Call("|", (w,)) if self.norm == "L1" else Pow(w, two) for w in args]
        lam = _strength(self.regularization, self.norm, numbers)
        return mul(lam, Paren(add(*each))) if len(each) > 1 else mul(lam, each[0])


@dataclass(frozen=True)
class PenaltyGrad(Rule):
    """∂E_L1/∂w = λ₁·sign(w) (sign(0) = 0, as torch's abs) or ∂E_L2/∂w = 2λ₂·w. Input: w."""

    regularization: Regularization
    norm: str

    def evaluate(self, args: Sequence[Any]) -> Any:
        return self.regularization.gradient(self.norm, args[0])

    def symbolic(self, args: Sequence[Any]) -> Any:
        sp = sympy_module()
        w = sp.Symbol("w_", real=True)
        penalty = Penalty(self.regularization, self.norm).symbolic([w])
        derivative = sp.diff(penalty, w)  # λ₁·sign(w) or 2λ₂·w: sympy's own differentiation
        return derivative.subs(w, args[0])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        lam = _strength(self.regularization, self.norm, numbers)
        if self.norm == "L1":
            return mul(lam, Call("sign", (args[0],)))
        return mul(Num(2, given=True), lam, args[0])
