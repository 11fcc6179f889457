"""Refusing a network exercise whose numbers overflow float64, with the first one that does.

Why: numpy turns an overflow into inf and inf − inf into nan without a word, so an exercise
with λ₂ = 1e308 or a learning rate of 1e300 used to print a worked solution full of `inf` and
`nan`, and `check` a wall of mismatches. Nothing can be taught from such numbers; the teacher
is told which quantity first leaves float64's range, in the order a person computes them
(expression exercises are refused the same way by their loader, per node).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import ExerciseError
from .trace import Trace

__all__ = ["refuse_non_finite"]


def refuse_non_finite(trace: Trace) -> None:
    """Raise ExerciseError naming the first quantity of `trace` that is not finite; else None.

    Every array the engine computed is looked at once with numpy (cheap on any network); only
    when one holds an inf or a nan are the named quantities walked to say which it is.
    """
    if all(_finite(record) for record in trace.steps):
        return
    for ref in trace.refs():
        value = trace.value(ref)
        if not np.isfinite(value):
            step = f" (step {ref.step})" if ref.step is not None and trace.n_steps > 1 else ""
            raise ExerciseError(
                trace.exercise.source or "exercise",
                "",
                "numbers that stay within float64's range",
                f"{trace.name(ref)} = {value}{step}",
                hint="the weights, inputs, λ or learning rate are too large: make them smaller",
            )


def _finite(value: Any) -> bool:
    """Whether every number in an engine record (arrays, tuples, dicts, dataclasses) is finite."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, np.ndarray | float | np.floating):
        return bool(np.all(np.isfinite(value)))
    if isinstance(value, tuple | list):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if dataclasses.is_dataclass(value):
        return all(_finite(getattr(value, f.name)) for f in dataclasses.fields(value))
    return True
