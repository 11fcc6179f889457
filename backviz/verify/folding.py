"""A value of every quantity folded from its formula's inputs, as far back as the given numbers.

How far float64's rounding may move a quantity (`rounding.py`), and whether a quantity depends
on one torch computed on the other side of a kink (`torch_reference.py`), are both such folds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ..core.formulas import Formula
from ..core.quantities import Ref
from ..core.quantity_trace import QuantityTrace

__all__ = ["Fold"]

T = TypeVar("T")


class Fold(Generic[T]):
    """`given(ref)` for a given number; `computed(ref, formula, inputs' folds)` for the rest.

    Each quantity is folded once, when first asked for, depth first without recursion (a late
    step's weights go back through every earlier step).
    """

    def __init__(
        self,
        trace: QuantityTrace,
        given: Callable[[Ref], T],
        computed: Callable[[Ref, Formula, Sequence[T]], T],
    ) -> None:
        self.trace = trace
        self._given = given
        self._computed = computed
        self._known: dict[Ref, T] = {}

    def of(self, ref: Ref) -> T:
        pending = [ref]
        while pending:
            top = pending[-1]
            if top in self._known:
                pending.pop()
                continue
            formula = self.trace.formula(top)
            if formula is None:
                self._known[top] = self._given(top)
                pending.pop()
                continue
            missing = [r for r in formula.inputs if r not in self._known]
            if missing:
                pending.extend(missing)
                continue
            inputs = [self._known[r] for r in formula.inputs]
            self._known[top] = self._computed(top, formula, inputs)
            pending.pop()
        return self._known[ref]
