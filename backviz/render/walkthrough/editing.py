"""What the walkthrough needs to let a reader edit the given numbers: the trace as a program
(`render/program.py`) to recompute every number, and the exercise as TOML with a marker for each
editable number, so the page can save the edited exercise as a file backviz loads."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ...core.exercise import NetworkExercise
from ...core.quantities import Kind
from ...core.quantity_trace import QuantityTrace
from ...core.writing import exercise_toml
from ..program import trace_program

__all__ = ["editing_data"]

SENTINEL = 987654321.0  # + i: a number no exercise writes, marking the i-th editable one


def _toml_with_markers(trace: QuantityTrace) -> tuple[str, dict[str, str]] | None:
    """The exercise's TOML with each given number and the learning rate replaced by a marker;
    marker text → the quantity's name (or "η")."""
    exercise = trace.exercise
    if not isinstance(exercise, NetworkExercise) or exercise.loss_name == "ce":
        return None  # expressions have no TOML writer; ce targets are class indices
    W = [w.astype(float).copy() for w in exercise.W]
    b = [None if v is None else v.astype(float).copy() for v in exercise.b]
    inputs = exercise.inputs.astype(float).copy()
    targets = None if exercise.targets is None else exercise.targets.astype(float).copy()
    markers: dict[str, str] = {}

    def mark(name: str) -> float:
        value = SENTINEL + len(markers)
        markers[repr(value)] = name
        return value

    for ref in trace.refs():
        if trace.formula(ref) is not None or (ref.step or 1) != 1:
            continue
        n = (ref.sample or 1) - 1
        at = tuple(i - 1 for i in ref.index)
        name = trace.name(ref)
        if ref.kind is Kind.INPUT:
            inputs[(n, *at)] = mark(name)
        elif ref.kind is Kind.TARGET and targets is not None:
            targets[(n, *at)] = mark(name)
        elif ref.kind is Kind.WEIGHT:
            W[ref.layer - 2][at] = mark(name)  # type: ignore[operator]
        elif ref.kind is Kind.BIAS:
            b[ref.layer - 2][at] = mark(name)  # type: ignore[index,operator]
    training = exercise.training
    if exercise.trains:
        optimizer = replace(training.optimizer, learning_rate=mark("η"))
        training = replace(training, optimizer=optimizer)
    marked = replace(
        exercise,
        W=tuple(W),
        b=tuple(b),
        inputs=inputs,
        targets=targets,
        training=training,
    )
    text = exercise_toml(marked)
    if not all(marker in text for marker in markers):
        return None
    return text, markers


def editing_data(trace: QuantityTrace) -> dict[str, Any]:
    """{"program", "editable": [names], "toml": text with markers or null, "markers"}."""
    program = trace_program(trace)
    editable = [name for name in program["given"] if not np.isnan(program["given"][name])]
    found = _toml_with_markers(trace)
    return {
        "program": program,
        "editable": editable + list(program["settings"]),
        "toml": None if found is None else found[0],
        "markers": {} if found is None else found[1],
    }
