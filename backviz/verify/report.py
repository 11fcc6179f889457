"""What a check found: per independent source and kind of quantity, the largest disagreement,
and what each source could not judge, with the reason.

`check_table` is the table `backviz check` prints from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SOURCES",
    "TOLERANCES",
    "CheckReport",
    "Comparison",
    "Unjudged",
    "check_table",
    "default_floor",
    "one_line",
    "relative_errors",
]

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

NAMES_PER_NOTE = 8  # a note lists this many quantities, then how many more


def relative_errors(
    ours: np.ndarray,
    theirs: np.ndarray,
    floor: float | None = None,
    *,
    allowance: np.ndarray | None = None,
    tolerance: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """|ours − theirs| and |ours − theirs| / max(|ours|, |theirs|, floor), elementwise.

    Values that cancel to ~1e-17 on one side and 0 on the other do not count as 100% wrong: the
    default floor is 1e-12 of the largest value compared (at least 1e-12). `allowance`, the
    difference float64's rounding explains in each value (`rounding.py`), raises the floor so
    that a difference within it is within `tolerance`. The same infinity on both sides, or NaN
    on both, agrees; NaN on one side only is infinitely wrong.
    """
    ours = np.asarray(ours, dtype=float).ravel()
    theirs = np.asarray(theirs, dtype=float).ravel()
    same = (np.isnan(ours) & np.isnan(theirs)) | (np.isinf(ours) & (ours == theirs))
    with np.errstate(invalid="ignore"):
        abs_err = np.where(same, 0.0, np.abs(ours - theirs))
    abs_err = np.where(np.isnan(abs_err), np.inf, abs_err)
    floors = np.full(ours.shape, default_floor(theirs) if floor is None else floor)
    if allowance is not None:
        explained = np.abs(np.ravel(allowance).astype(float)) / tolerance
        floors = np.maximum(floors, np.nan_to_num(explained, nan=0.0, posinf=0.0))
    with np.errstate(invalid="ignore"):
        rel = abs_err / np.maximum(np.maximum(np.abs(ours), np.abs(theirs)), floors)
    return abs_err, np.where(np.isnan(rel), np.inf, rel)


def default_floor(theirs: np.ndarray) -> float:
    """1e-12 of the largest finite value compared, at least 1e-12."""
    theirs = np.asarray(theirs, dtype=float)
    scale = float(np.max(np.abs(np.where(np.isfinite(theirs), theirs, 0.0)), initial=0.0))
    return max(scale, 1.0) * 1e-12


@dataclass(frozen=True)
class Unjudged:
    """A quantity a source could not judge: never counted as agreeing, always said."""

    name: str
    reason: str  # why, as a clause shared by every quantity left out for the same reason
    detail: str = ""  # this quantity's own part of it, e.g. "z(2)_1 = 0"


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
    not_judged: list[Unjudged] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failures == 0

    def merge(self, other: Comparison) -> None:
        """Take in what `other` found for the same source and kind."""
        if other.count and other.max_rel >= self.max_rel:
            self.max_rel, self.worst = other.max_rel, other.worst
        self.count += other.count
        self.max_abs = max(self.max_abs, other.max_abs)
        self.failures += other.failures
        self.not_judged.extend(other.not_judged)

    def add(
        self,
        ours: np.ndarray,
        theirs: np.ndarray,
        names: Callable[[int], str],
        floor: float | None = None,
        *,
        rounding: Callable[[int], float] | None = None,
    ) -> None:
        """Compare arrays elementwise (`relative_errors`); `names(i)` names the flat element i.

        `rounding(i)`, asked only of an element beyond the tolerance, is the difference float64's
        rounding explains in it (`rounding.py`): within that, it agrees.
        """
        floor = default_floor(theirs) if floor is None else floor
        abs_err, rel = relative_errors(ours, theirs, floor)
        if abs_err.size == 0:
            return
        beyond = np.flatnonzero(rel > self.tolerance)
        if rounding is not None and beyond.size:
            _, rel[beyond] = relative_errors(
                np.ravel(ours)[beyond],
                np.ravel(theirs)[beyond],
                floor,
                allowance=np.array([rounding(int(i)) for i in beyond]),
                tolerance=self.tolerance,
            )
        self.count += abs_err.size
        worst = int(np.argmax(rel))
        if rel[worst] >= self.max_rel:
            self.max_rel = float(rel[worst])
            self.worst = names(worst)
        self.max_abs = max(self.max_abs, float(np.max(abs_err)))
        self.failures += int(np.sum(rel > self.tolerance))


@dataclass
class CheckReport:
    """All comparisons for one exercise, and what could not be judged or run."""

    exercise: str
    comparisons: list[Comparison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # sources that could not run at all

    @property
    def ok(self) -> bool:
        """No disagreement beyond a tolerance (what was not judged is said, not failed)."""
        return all(c.ok for c in self.comparisons)

    @property
    def complete(self) -> bool:
        """Every source that was to run ran (one left out with --skip was not to run): a
        source that failed judged nothing, so the check cannot say the numbers agree."""
        return not self.failed

    def fail(self, source: str, error: Exception) -> None:
        """`source` could not run: one note with the error's first line, and no verdict."""
        self.failed.append(source)
        self.notes.append(f"{source} could not run ({one_line(error)}); nothing of it is judged")

    @property
    def not_judged(self) -> int:
        return sum(len(c.not_judged) for c in self.comparisons)

    def get(self, source: str, kind: str) -> Comparison:
        for c in self.comparisons:
            if c.source == source and c.kind == kind:
                return c
        comparison = Comparison(source, kind, TOLERANCES[source])
        self.comparisons.append(comparison)
        return comparison

    def merge(self, other: CheckReport) -> None:
        """Take in another report's comparisons (same source and kind: one row) and notes."""
        for c in other.comparisons:
            self.get(c.source, c.kind).merge(c)
        self.notes.extend(other.notes)
        self.failed.extend(other.failed)

    def skip(self, source: str, kind: str, name: str, reason: str, detail: str = "") -> None:
        """`source` cannot judge the quantity `name` (of kind `kind`), for `reason`."""
        self.get(source, kind).not_judged.append(Unjudged(name, reason, detail))

    def unjudged_notes(self) -> list[str]:
        """One note per source and reason, naming the quantities it left out."""
        groups: dict[tuple[str, str], list[Unjudged]] = {}
        for c in self.comparisons:
            for item in c.not_judged:
                groups.setdefault((c.source, item.reason), []).append(item)
        notes = []
        for (source, reason), items in groups.items():
            listed = _listed(items[:NAMES_PER_NOTE])
            more = len(items) - NAMES_PER_NOTE
            notes.append(
                f"{source} did not judge {listed}{f' and {more} more' * (more > 0)}: {reason}"
            )
        return notes


def _listed(items: list[Unjudged]) -> str:
    """Names, each run of names with the same detail followed by it once: "a, b (z = 0), c"."""
    parts = []
    for n, item in enumerate(items):
        last_of_run = n + 1 == len(items) or items[n + 1].detail != item.detail
        parts.append(f"{item.name} ({item.detail})" if item.detail and last_of_run else item.name)
    return ", ".join(parts)


def _verdict(c: Comparison) -> str:
    if not c.ok:
        return f"MISMATCH ×{c.failures}"
    return "ok" if c.count else "not judged"


def one_line(error: Exception) -> str:
    """An error as one line of a report: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def check_table(report: CheckReport) -> str:
    """One row per (source, kind): counts, max absolute and relative error, tolerance, verdict;
    then the notes (what was skipped, not judged or could not run, and why) and the outcome:
    a mismatch, a source that could not run (incomplete), or agreement."""
    header = (
        "source",
        "quantity",
        "count",
        "not judged",
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
                str(len(c.not_judged)),
                f"{c.max_abs:.2e}",
                f"{c.max_rel:.2e}",
                f"{c.tolerance:.0e}",
                _verdict(c),
                c.worst,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [f"check {report.exercise}"]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.extend(f"note: {note}" for note in [*report.notes, *report.unjudged_notes()])
    if not report.ok:
        lines.append("MISMATCH: see the rows marked above")
    elif not report.complete:
        lines.append(
            f"INCOMPLETE: {' and '.join(report.failed)} could not run (see the note), so this "
            "check does not say the numbers agree; what the other sources judged agrees"
        )
    elif not {c.source for c in report.comparisons} - {"formulas"}:  # every other one skipped
        lines.append(
            "the worked formulas agree with the engine's numbers; no independent source ran, "
            "so nothing was checked against torch, finite differences or sympy"
        )
    elif report.not_judged:
        lines.append(f"all judged quantities agree; {report.not_judged} not judged (see the notes)")
    else:
        lines.append("all quantities agree")
    return "\n".join(lines) + "\n"
