"""What a quantity's formula gives as its inputs vary between two values, for a class at once.

A student who rounds an earlier answer and uses it onward computes the next quantity from a
number between their written one and the right one (they may have kept more digits in the
calculator). The formula's range over those intervals is what their honest answer can be.
Each input is an interval per student (numpy arrays lo ≤ hi); the range is found at the
corners of the box when few inputs vary (exact for the monotone formulas of a network over
small intervals), else from the corners' two ends and the first-order bound around the middle.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np

__all__ = ["MAX_CORNERS_INPUTS", "Interval", "formula_range"]

MAX_CORNERS_INPUTS = 8  # up to 2⁸ corner evaluations per quantity; more inputs: linear bound

Interval = tuple[np.ndarray, np.ndarray]  # (lo, hi) per student


def _evaluate(rule: Any, inputs: list[np.ndarray], n: int) -> np.ndarray:
    with np.errstate(all="ignore"):
        value = np.asarray(rule.evaluate(inputs), dtype=float)
    return np.full(n, float(value)) if value.ndim == 0 else value


def formula_range(
    rule: Any, intervals: list[Interval], n: int, own: list[np.ndarray] | None = None
) -> Interval:
    """The least and greatest value of `rule` over each student's box of input intervals
    (nan where the formula is not finite anywhere in the box). `own`, the student's own inputs
    (a corner of the box), is always included exactly."""
    varying = [i for i, (lo, hi) in enumerate(intervals) if np.any(lo != hi)]
    low = np.full(n, np.inf)
    high = np.full(n, -np.inf)

    def include(values: np.ndarray) -> None:
        np.fmin(low, values, out=low)
        np.fmax(high, values, out=high)

    if len(varying) <= MAX_CORNERS_INPUTS:
        for corner in product((0, 1), repeat=len(varying)):
            inputs = [lo for lo, _ in intervals]
            for i, end in zip(varying, corner, strict=True):
                inputs[i] = intervals[i][end]
            include(_evaluate(rule, inputs, n))
    else:
        lows = [lo for lo, _ in intervals]
        highs = [hi for _, hi in intervals]
        middle = [(lo + hi) / 2 for lo, hi in intervals]
        centre = _evaluate(rule, middle, n)
        spread = np.zeros(n)
        for i in varying:
            up, down = list(middle), list(middle)
            up[i], down[i] = highs[i], lows[i]
            spread += np.abs(_evaluate(rule, up, n) - _evaluate(rule, down, n)) / 2
        include(_evaluate(rule, lows, n))
        include(_evaluate(rule, highs, n))
        if own is not None:
            include(_evaluate(rule, own, n))
        include(centre - spread)
        include(centre + spread)
    nowhere = ~np.isfinite(low) | ~np.isfinite(high)
    low[nowhere] = np.nan
    high[nowhere] = np.nan
    return low, high
