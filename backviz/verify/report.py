"""What a check found: per independent source and kind of quantity, the largest disagreement.

`check_table` is the table `backviz check` prints from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SOURCES", "TOLERANCES", "CheckReport", "Comparison", "check_table"]

# The relative tolerance of each source: torch computes the same float64 arithmetic in another
# order; a difference quotient cannot do better than about ε·|E|/h; a formula recomputed from
# its inputs' values is the same arithmetic again; sympy evaluates with 30 digits.
TOLERANCES = {
    "torch.autograd": 1e-9,
    "finite differences": 1e-6,
    "formulas": 1e-12,
    "sympy": 1e-9,
}
SOURCES = tuple(TOLERANCES)


@dataclass
class Comparison:
    """The largest disagreement between backviz and one independent source for one kind."""

    source: str
    kind: str
    tolerance: float
    count: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0
    worst: str = ""
    failures: int = 0

    @property
    def ok(self) -> bool:
        return self.failures == 0

    def add(
        self,
        ours: np.ndarray,
        theirs: np.ndarray,
        names: Callable[[int], str],
        floor: float | None = None,
    ) -> None:
        """Compare arrays elementwise; `names(i)` names the flat element i for the report.

        The relative error is |ours − theirs| / max(|ours|, |theirs|, floor), so values that
        cancel to ~1e-17 on one side and 0 on the other do not count as 100% wrong. The default
        floor is 1e-12 of the largest value compared (at least 1e-12).
        """
        ours = np.asarray(ours, dtype=float).ravel()
        theirs = np.asarray(theirs, dtype=float).ravel()
        if ours.size == 0:
            return
        both_nan = np.isnan(ours) & np.isnan(theirs)
        both_inf = np.isinf(ours) & (ours == theirs)
        same = both_nan | both_inf
        abs_err = np.where(same, 0.0, np.abs(ours - theirs))
        abs_err = np.where(np.isnan(abs_err), np.inf, abs_err)
        if floor is None:
            scale = float(np.max(np.abs(np.where(np.isfinite(theirs), theirs, 0.0)), initial=0.0))
            floor = max(scale, 1.0) * 1e-12
        rel = abs_err / np.maximum(np.maximum(np.abs(ours), np.abs(theirs)), floor)
        rel = np.where(np.isnan(rel), np.inf, rel)
        self.count += ours.size
        worst = int(np.argmax(rel))
        if rel[worst] >= self.max_rel:
            self.max_rel = float(rel[worst])
            self.worst = names(worst)
        self.max_abs = max(self.max_abs, float(np.max(abs_err)))
        self.failures += int(np.sum(rel > self.tolerance))


@dataclass
class CheckReport:
    """All comparisons for one exercise."""

    exercise: str
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.comparisons)

    def get(self, source: str, kind: str) -> Comparison:
        for c in self.comparisons:
            if c.source == source and c.kind == kind:
                return c
        comparison = Comparison(source, kind, TOLERANCES[source])
        self.comparisons.append(comparison)
        return comparison


def check_table(report: CheckReport) -> str:
    """One row per (source, kind): count, max absolute and relative error, tolerance, verdict."""
    header = (
        "source",
        "quantity",
        "count",
        "max abs err",
        "max rel err",
        "tolerance",
        "verdict",
        "worst",
    )
    rows = [header]
    order = {s: i for i, s in enumerate(SOURCES)}
    for c in sorted(report.comparisons, key=lambda c: order.get(c.source, 99)):
        rows.append(
            (
                c.source,
                c.kind,
                str(c.count),
                f"{c.max_abs:.2e}",
                f"{c.max_rel:.2e}",
                f"{c.tolerance:.0e}",
                "ok" if c.ok else f"MISMATCH ×{c.failures}",
                c.worst,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"check {report.exercise}"]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append("all quantities agree" if report.ok else "MISMATCH: see the rows marked above")
    return "\n".join(lines) + "\n"
