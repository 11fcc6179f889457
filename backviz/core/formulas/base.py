"""What every formula is: a `Rule` over its inputs' values, and a quantity's `Formula`.

Also the small pieces of display math the phases share (a count shown as given, a sum in
parentheses) and sympy, imported only when a formula is asked for symbolically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..mathexpr import Add, Expr, Num, Paren
from ..quantities import Ref

__all__ = ["Formula", "Rule", "SampleSum", "count", "grouped", "sympy_module"]


def sympy_module() -> Any:
    """sympy, imported on first use: numbers alone (JSON, CSV) never load it."""
    import sympy

    return sympy


class Rule:
    """A formula over a fixed number of input values."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        raise NotImplementedError

    def symbolic(self, args: Sequence[Any]) -> Any:
        """The same formula over sympy expressions (default: the arithmetic of `evaluate`)."""
        return self.evaluate(args)

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        """The formula as display math over `args` (symbols or numbers of the inputs).

        `values` are the inputs' values (some forms depend on them: cross-entropy shows only
        the true class's term); `numbers` shows settings such as η as numbers, not symbols.
        """
        raise NotImplementedError


@dataclass(frozen=True)
class Formula:
    """A quantity's formula: a rule applied to the values of the `inputs` quantities, in order."""

    rule: Rule
    inputs: tuple[Ref, ...]

    def evaluate(self, values: Sequence[Any]) -> Any:
        return self.rule.evaluate(values)


@dataclass(frozen=True)
class SampleSum(Rule):
    """r·Σ_n x[n] over the N samples, r = 1/N for the mean reduction, else 1. Inputs: x[1..N].

    The total loss and a bias's gradient are both this sum (over E[n], over δ_j[n]); each
    shows it in its own way.
    """

    reduction: str
    n_samples: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        total = sum(args[1:], args[0])
        return total / self.n_samples if self.reduction == "mean" else total


def count(n: int) -> Expr:
    """A count (N samples, J outputs, step t) as display math: a number given, not computed."""
    return Num(n, given=True)


def grouped(expr: Expr) -> Expr:
    """Parentheses around a sum that is multiplied."""
    return Paren(expr) if isinstance(expr, Add) else expr
