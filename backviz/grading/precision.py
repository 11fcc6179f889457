"""What the digits a student wrote say: one unit of the last written place, and whether an answer
carries the least precision an exercise asks (`[ask] significant`), for a column of answers.

u, one unit of the last written place, is how far a value written with d decimals may be from
what the student computed: rounding moves it by up to u/2, truncating toward zero by up to u.
Both are honest, so both are judged alike. A number whose decimals are unknown (1/2, 50 % of a
fraction) is taken as meant exactly and judged to a small part of the quantity's own step.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "EXACT_TOLERANCE",
    "decimals_needed",
    "float32_meets_floor",
    "float32_value",
    "meets_floor",
    "slack",
    "unit_of_last_place",
]

EXACT_TOLERANCE = 1e-4  # relative, on the quantity's own step, for numbers of unknown decimals


def slack(target: float | np.ndarray) -> float | np.ndarray:
    """What float64 arithmetic may add at a unit's boundary (0.1 + 0.2 is not 0.3)."""
    return 1e-12 * np.maximum(1.0, np.abs(target))


def unit_of_last_place(
    decimals: np.ndarray, step: float, exact: float = EXACT_TOLERANCE
) -> np.ndarray:
    """u for each answer: 10^−d for d written decimals; for unknown decimals (d < 0) the part
    `exact` of the quantity's own step (W⁺ − W for an update, else the value itself)."""
    known = decimals >= 0
    u = np.power(10.0, -np.where(known, decimals, 0).astype(float))
    return np.where(known, u, exact * abs(step) + 1e-12)


def _unit_of_digit(value: float, significant: int) -> float:
    """The unit of `value`'s `significant`-th significant digit (0.00080888, 1 → 0.0001)."""
    return float(10.0 ** (np.floor(np.log10(abs(value))) - significant + 1))


def meets_floor(
    values: np.ndarray,
    decimals: np.ndarray,
    reference: float,
    step: float,
    significant: int,
) -> np.ndarray:
    """Whether each answer is precise enough: its last written place at most the unit of the
    right step's `significant`-th significant digit, or exactly right as written (0.08 for
    0.08), or of unknown decimals (meant exactly), or the step is 0."""
    if step == 0 or not np.isfinite(step):
        return np.ones(len(values), dtype=bool)
    needed = _unit_of_digit(step, significant)
    u = np.power(10.0, -np.where(decimals >= 0, decimals, 0).astype(float))
    exact = np.abs(values - reference) <= slack(reference)
    return (decimals < 0) | exact | (u <= needed * (1 + 1e-9))


def decimals_needed(step: float, significant: int) -> int:
    """How many decimals an answer needs to meet the floor (for the feedback)."""
    return max(0, -int(np.floor(np.log10(abs(step)))) + significant - 1)


def float32_value(reference: float) -> float:
    """The right value as float32 holds it (round to nearest even; ±inf beyond its range): what
    a computation in torch's default dtype writes, the notes' printed numbers among them."""
    with np.errstate(over="ignore"):
        return float(np.float32(reference))


def float32_meets_floor(reference: float, step: float, significant: int) -> bool:
    """Whether float32's rounding of the right value is within the least precision asked (the
    unit of the step's `significant`-th significant digit): a float32 value is then right."""
    if step == 0 or not np.isfinite(step):
        return True
    error = abs(float32_value(reference) - reference)
    return bool(error <= _unit_of_digit(step, significant) * (1 + 1e-9))
