"""Reading the grades.csv that `backviz grade` writes: one total per student, for a gradebook.

The file is the teacher's to open and save again, so it is read as people leave it: UTF-8 with
or without Excel's BOM, or CP949; its cells neutralised against spreadsheet formulas
(`grading/escape.py`) read back as they were. A file without the columns `student`, `total`
and `max` is refused in one line; a row whose total or maximum is not a number is left out
and said why, never dropped in silence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackvizError
from ..grading.escape import read_csv
from ..grading.sheets.files import decode_text, read_bytes

__all__ = ["REQUIRED", "ClassGrades", "StudentTotal", "read_class_grades"]

REQUIRED = ("student", "total", "max")
"""The columns of grades.csv a gradebook needs (the per-quantity columns are left aside)."""


@dataclass(frozen=True)
class StudentTotal:
    """One row of grades.csv: whose it is, their total and the most they could have had."""

    student: str
    total: float
    max: float
    line: int
    """The row's line in grades.csv, for messages."""


@dataclass(frozen=True)
class ClassGrades:
    """A class's totals in grades.csv's order, and the rows that could not be read."""

    path: Path
    rows: tuple[StudentTotal, ...]
    unreadable: tuple[tuple[str, str], ...]
    """(student, why) of each row left out: its total or maximum is not a number."""


def read_class_grades(path: Path) -> ClassGrades:
    """grades.csv's totals. BackvizError, in one line naming the file, for a file that cannot
    be read or has no `student`, `total` and `max` columns."""
    raw, why = read_bytes(path)
    if raw is None:
        raise BackvizError(f"{path}: {why}")
    text, why = decode_text(raw)
    if text is None:
        raise BackvizError(f"{path}: {why}")
    rows = list(read_csv(text.splitlines(keepends=True)))
    if not rows:
        raise BackvizError(
            f"{path}: expected backviz grade's grades.csv (student,total,max,…), "
            "found an empty file"
        )
    header = [cell.strip().casefold() for cell in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        found = ", ".join(repr(cell) for cell in rows[0][:6]) or "nothing"
        raise BackvizError(
            f"{path}: line 1: column {missing[0]!r} expected (backviz grade's grades.csv has "
            f"student,total,max,…), found {found}"
        )
    at = {name: header.index(name) for name in REQUIRED}
    totals: list[StudentTotal] = []
    unreadable: list[tuple[str, str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: row[i].strip() if i < len(row) else "" for name, i in at.items()}
        student = cells["student"]
        if not student:
            unreadable.append((f"(line {line})", f"{path}:{line}: no student id"))
            continue
        numbers = {name: _number(cells[name]) for name in ("total", "max")}
        bad = next((name for name, value in numbers.items() if value is None), None)
        if bad is not None:
            why = f"field {bad!r} expected a number (0 or more), found {cells[bad]!r}"
            unreadable.append((student, f"{path}:{line}: {why}"))
            continue
        totals.append(StudentTotal(student, numbers["total"], numbers["max"], line))  # type: ignore[arg-type]
    return ClassGrades(path, tuple(totals), tuple(unreadable))


def _number(text: str) -> float | None:
    """A total as grades.csv writes it (38.5), or None; never NaN or infinity."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
