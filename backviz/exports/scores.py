"""A student's total as a gradebook takes it: on the assignment's own points, to 2 decimals."""

from __future__ import annotations

__all__ = ["points_text", "score_text"]


def score_text(total: float, most: float, points: float) -> str:
    """`total` out of `most`, as a score out of `points`, to 2 decimals (Canvas's precision:
    its importer compares scores at 2 decimals), without trailing zeros: 38.5, 9.87, 10."""
    return points_text(total / most * points if most else 0.0)


def points_text(value: float) -> str:
    """A number of points in plain decimals (never 1e+06), at most 2 of them."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
