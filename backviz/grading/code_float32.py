"""What float32's rounding changes in one training step: measured, never assumed.

A training loop computed in float32 (torch's default dtype, the notes' `torch.FloatTensor`,
numpy float32 arrays) cannot follow float64's step exactly: its gradient loses bits where it
cancels (1 − tanh² near saturation), and Adam or RMSprop divide that error up to a full step.
How much it loses depends on the exercise's numbers at that step, so the grader takes the same
step itself in float32 — the engine on float32 arrays keeps float32, as torch does — from the
student's weights before it and the float32 optimiser state their own steps built up, and
measures what float32 changed against the float64 step. A float32 answer is allowed a modest
multiple of that (float32's rounding in another order of operations: torch's, the student's),
so float32 rounding passes and a slip far above it (η × 1.0005, ε inside the square root, the
gradient × 8, computed in float64 and cast to float32 on return) does not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..core.engine import train_step
from ..core.exercise import NetworkExercise

__all__ = ["FLOAT32_MARGIN", "FLOAT32_ULPS", "Float32Twin"]

FLOAT32_MARGIN = 16.0
"""The multiple of the measured float32 difference a float32 answer is allowed."""
FLOAT32_ULPS = 2
"""Units of float32's precision (of the weight itself) also allowed: the answer's own rounding
to float32 and the last one of the student's update."""


def _float32(arrays: tuple) -> tuple:
    return tuple(None if a is None else np.asarray(a, dtype=np.float32) for a in arrays)


def _state32(state: tuple | None) -> tuple | None:
    if state is None:
        return None
    return tuple({slot: np.asarray(v, dtype=np.float32) for slot, v in s.items()} for s in state)


class Float32Twin:
    """The judged run taken again in float32, step by step from the student's own weights:
    what float32 changes. Float32's rounding error at one element is a draw, which one way of
    computing can make all but vanish where another's is large — above all the activations'
    own rounding (torch's tanh and numpy's may round 1 − tanh² a unit apart, and near
    saturation that unit is the whole derivative's last digits). So the step is taken four
    ways: as given; the samples in reverse order (every sum over samples in another order);
    and every activation's value one float32 unit up, and one down (another library's
    rounding of f) — each with an optimiser state of its own (float32, as torch keeps it).
    The largest difference of the four is what float32 changes."""

    def __init__(self, exercise: NetworkExercise) -> None:
        assert exercise.targets is not None
        inputs, targets = exercise.inputs.astype(np.float32), exercise.targets.astype(np.float32)
        given = replace(exercise, inputs=inputs, targets=targets)
        self.twins = [given, _rounded(given, np.inf), _rounded(given, -np.inf)]
        if exercise.dropout is None:  # a dropout mask is per sample: kept in the given order
            reverse = replace(given, inputs=inputs[::-1].copy(), targets=targets[::-1].copy())
            self.twins.append(reverse)
        self.states: list[tuple[tuple | None, tuple | None]] = [(None, None)] * len(self.twins)

    def difference(self, step: int, before: tuple, W_own: tuple, b_own: tuple) -> tuple:
        """|float32's step − float64's step| of every W and b (None where a layer has no
        bias) at step `step` from `before` (W, b, …), the weights rounded to float32 first;
        `W_own`, `b_own` are float64's step from the same weights. Advances the twins'
        states."""
        W32, b32 = _float32(before[0]), _float32(before[1])
        found: list[tuple] = []
        with np.errstate(all="ignore"):
            for k, twin in enumerate(self.twins):
                _, _, W_new, b_new, *state = train_step(twin, step, W32, b32, *self.states[k])
                self.states[k] = (state[0], state[1])
                found.append(_difference((W_new, b_new), (W_own, b_own)))
            return tuple(
                tuple(_largest(parts) for parts in zip(*(f[which] for f in found), strict=True))
                for which in (0, 1)
            )


def _rounded(exercise: NetworkExercise, towards: float) -> NetworkExercise:
    """The exercise with every activation's value one float32 unit towards `towards`."""

    def nudged(f: Any) -> Any:
        value = f.value
        return replace(f, value=lambda z: np.nextafter(value(z), np.float32(towards)))

    return replace(exercise, activations=tuple(nudged(f) for f in exercise.activations))


def _difference(mine: tuple, right: tuple) -> tuple:
    """|mine − right| of every W and b (None where a layer has no bias)."""
    return tuple(
        tuple(
            None if m is None or r is None else np.abs(m.astype(float) - r)
            for m, r in zip(mine_part, right_part, strict=True)
        )
        for mine_part, right_part in zip(mine, right, strict=True)
    )


def _largest(parts: tuple) -> np.ndarray | None:
    """The element-wise largest of the twins' differences (NaN where one overflowed: 0)."""
    if parts[0] is None:
        return None
    return np.nan_to_num(np.maximum.reduce(parts), nan=0.0)
