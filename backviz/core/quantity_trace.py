"""The trace protocol: what every kind of exercise's trace offers its readers.

A trace is every number of an exercise, each a named quantity (`Ref`) with its value and its
formula. Solutions, diagrams, checks, exports and grading read traces through this base only;
what differs between a network and an expression (how quantities are numbered, named and
computed) is in the subclasses, `Trace` and `ExpressionTrace`. Consumers that must treat a
kind of exercise in its own way (its drawing, its sections) look the kind up in a table keyed
by `exercise.kind`, never by testing the trace's type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..errors import NameError_
from .display import Displayable
from .mathexpr import Name, Partial, Sym
from .notation import normalize_name, symbol_of, without_suffixes
from .quantities import Ref

if TYPE_CHECKING:
    from .formulas import Formula

__all__ = ["QuantityTrace"]


class QuantityTrace(Displayable, ABC):
    """Every quantity of one exercise: names, values and formulas, in computing order."""

    exercise: Any  # the exercise computed (a NetworkExercise or an ExpressionExercise)

    # -- what each kind of trace defines ---------------------------------------------------------
    @property
    @abstractmethod
    def n_steps(self) -> int:
        """Training steps traced (1 for an exercise without training steps)."""

    @abstractmethod
    def refs(self) -> Iterator[Ref]:
        """Every quantity, in the order a person computes them."""

    @abstractmethod
    def value(self, ref: Ref) -> float:
        """The quantity's value (float64)."""

    @abstractmethod
    def formula(self, ref: Ref) -> Formula | None:
        """How the quantity is computed from others; None for a given value."""

    @abstractmethod
    def name(self, ref: Ref) -> str:
        """The quantity's name, as answer sheets, reports and the CSV/JSON keys write it."""

    @abstractmethod
    def symbol(self, ref: Ref, *, step: int | None = None) -> Sym:
        """The quantity as a display symbol; within the section of `step`, without its @step."""

    @abstractmethod
    def summary(self) -> str:
        """One line saying what was computed (for a notebook's plain-text display)."""

    def _aliases(self) -> Iterator[tuple[str, Ref]]:
        """Other accepted spellings of quantities' names (none unless a kind has them)."""
        return iter(())

    def _not_computed(self, name: str) -> str:
        """Why no quantity is called `name` when it names one this exercise leaves out on
        purpose (the rest of the message after a colon), else ''."""
        return ""

    # -- the same for every kind -----------------------------------------------------------------
    def inputs(self, ref: Ref) -> tuple[Ref, ...]:
        """The quantities the formula of `ref` reads (empty for given values)."""
        formula = self.formula(ref)
        return formula.inputs if formula is not None else ()

    def derivative_symbol(self, top: Ref, bottom: Ref) -> Sym:
        """∂top/∂bottom as a display symbol, e.g. ∂z3/∂W5 (names without sample or step)."""
        a, b = (without_suffixes(self.symbol(r).parts) for r in (top, bottom))  # type: ignore[arg-type]
        assert isinstance(a, Name) and isinstance(b, Name), "∂ of a derivative"
        return symbol_of(Partial(a, b))

    @cached_property
    def _by_name(self) -> dict[str, Ref]:
        index: dict[str, Ref] = {}
        for ref in self.refs():
            index[normalize_name(self.name(ref))] = ref
        for alias, ref in self._aliases():
            index.setdefault(normalize_name(alias), ref)
        return index

    def ref(self, name: str) -> Ref:
        """The quantity called `name` (any accepted spelling; spaces and case ignored)."""
        try:
            return self._by_name[normalize_name(name)]
        except KeyError:
            why = self._not_computed(name)
            message = f"no quantity named '{name}' in exercise {self.exercise.id}"
            message += f": {why}" if why else self.at_steps(name)
            raise NameError_(message) from None

    def knows(self, name: str) -> bool:
        """Whether `name` (any accepted spelling) is one of the trace's quantities."""
        return normalize_name(name) in self._by_name

    def at_steps(self, name: str) -> str:
        """Where a name is written without its step in an exercise of several steps: the names
        it has at each step (E_L1+@1, E_L1+@2), as a hint; "" otherwise."""
        wanted = normalize_name(name)
        named = [self.name(ref) for ref in self.refs()]
        steps = [n for n in named if "@" in n and normalize_name(n.rsplit("@", 1)[0]) == wanted]
        if not steps:
            return ""
        shown = ", ".join(steps[:6]) + (f" and {len(steps) - 6} more" if len(steps) > 6 else "")
        return f" (it has {self.n_steps} steps: name the step, {shown})"

    def items(self) -> Iterator[tuple[str, float]]:
        """(name, value) of every quantity in computing order: the answer key."""
        for ref in self.refs():
            yield self.name(ref), self.value(ref)
