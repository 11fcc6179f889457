"""The few calls users make: load an exercise, compute its trace, check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .exercise import Exercise, ExpressionExercise
from .loading import load
from .trace import Trace

if TYPE_CHECKING:  # the expression module (and its ast import) loads only when needed
    from .expression import ExpressionTrace

__all__ = ["solve", "trace_of"]


def trace_of(exercise: Exercise) -> Trace | ExpressionTrace:
    """Every number of the exercise: a network's `Trace` or an expression's `ExpressionTrace`."""
    if isinstance(exercise, ExpressionExercise):
        from .expression import run as run_expression

        return run_expression(exercise)
    from .asking import refuse_empty_ask
    from .engine import run
    from .finite import refuse_non_finite

    trace = run(exercise)
    refuse_non_finite(trace)
    refuse_empty_ask(trace)
    return trace


def solve(path: str | Path) -> Trace | ExpressionTrace:
    """Load the exercise file at `path` and compute its trace."""
    return trace_of(load(path))
