"""The table `backviz check` prints: the largest error per source and kind of quantity."""

from __future__ import annotations

from ..verify import CheckReport

__all__ = ["check_table"]

SOURCES = ("torch.autograd", "finite differences", "formulas", "sympy")


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
