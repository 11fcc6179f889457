"""Moodle's gradebook: its grade export read (Grades → Export → Plain text file) and the CSV
its grade import takes (Grades → Import → CSV file) written.

The rules are those of Moodle's `gradeimport_csv_load_data` (grade/import/csv): the first row
names the columns (each trimmed); the teacher maps one column to the user's id number, e-mail
address, username or id, and each grade column to a grade item (or a new one, named by its
header). A line of one cell or none is skipped; a grade of "" or "-" is no grade; a number may
use a decimal comma. A row whose user Moodle does not find stops the WHOLE import, and so does
a grade above the site's highest (100 unless raised): so only students matched to the
teacher's export are written, when there is one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackvizError
from ..grading.escape import csv_line
from ..grading.sheets.files import decode_text, read_bytes
from .matching import Person

__all__ = [
    "GRADE_POINT_MAX",
    "IDENTITY",
    "MoodleGradebook",
    "moodle_import",
    "read_moodle_export",
]

IDENTITY = {
    "idnumber": "ID number",
    "email": "Email address",
    "username": "Username",
    "login": "Email address (before the @)",
    "name": "Surname, First name",
}
"""The columns a student of grades.csv may be matched on, in the order tried; the first
three are the user fields Moodle's import maps to (useridnumber, useremail, username)."""

GRADE_POINT_MAX = 100.0
"""The highest grade Moodle imports unless the site allows more (`gradepointmax`)."""

_NAMES = ("First name", "Surname")
_EXPORT_ONLY = ("Last downloaded from this course",)
"""Moodle's export adds this column; its import checks its date: never copied."""


@dataclass(frozen=True)
class MoodleGradebook:
    """What a Moodle grade export holds that an import needs."""

    path: Path
    keys: tuple[str, ...]
    """The keys of IDENTITY its students can be matched on, in IDENTITY's order."""
    columns: tuple[str, ...]
    """Its grade columns ("Assignment: Backprop 1 (Real)", "Course total (Real)" …)."""
    people: tuple[Person, ...]

    def column(self, item: str) -> str | None:
        """The grade column of an item named by its whole header, or by its name without
        the activity ("Assignment: ") and the display type (" (Real)")."""
        for header in self.columns:
            if header == item or _bare(header) == item:
                return header
        return None


def _bare(header: str) -> str:
    """A Moodle export header without its activity prefix and display-type suffix."""
    name = header.split(": ", 1)[1] if ": " in header else header
    for suffix in (" (Real)", " (Percentage)", " (Letter)"):
        name = name.removesuffix(suffix)
    return name


def read_moodle_export(path: Path) -> MoodleGradebook:
    """The teacher's Moodle grade export (CSV). BackvizError in one line when it cannot be
    read or has none of the columns a student is known by."""
    raw, why = read_bytes(path)
    if raw is None:
        raise BackvizError(f"{path}: {why}")
    text, why = decode_text(raw)
    if text is None:
        raise BackvizError(f"{path}: {why}")
    rows = list(csv.reader(text.splitlines(keepends=True)))
    header = [cell.strip() for cell in rows[0]] if rows else []
    where = {cell.casefold(): i for i, cell in enumerate(header)}
    keys = {
        key: where[IDENTITY[key].casefold()]
        for key in ("idnumber", "email", "username")
        if IDENTITY[key].casefold() in where
    }
    if not keys:
        found = ", ".join(repr(cell) for cell in header[:6]) or "nothing"
        raise BackvizError(
            f"{path}: line 1: expected a Moodle grade export (columns 'ID number', 'Email "
            f"address' or 'Username'), found {found}"
        )
    names = [where.get(name.casefold()) for name in _NAMES]
    known = {*keys.values(), *(i for i in names if i is not None)}
    columns = tuple(
        cell
        for i, cell in enumerate(header)
        if i not in known and cell not in _EXPORT_ONLY and cell not in ("Institution", "Department")
    )
    people = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) <= 1:
            continue
        padded = [*row, *[""] * len(header)]
        cell = [value.strip() for value in padded].__getitem__
        ids = {key: cell(i) for key, i in keys.items()}
        if "email" in ids:
            ids["login"] = ids["email"].split("@")[0]
        first, last = (cell(i) if i is not None else "" for i in names)
        ids["name"] = f"{last}, {first}" if last and first else last or first
        people.append(Person(ids, (first, last), line))
    available = [*keys, *(["login"] if "email" in keys else []), "name"]
    ordered = tuple(key for key in IDENTITY if key in available)
    return MoodleGradebook(path, ordered, columns, tuple(people))


def moodle_import(id_header: str, item: str, rows: list[tuple[str, tuple[str, ...], str]]) -> str:
    """The CSV Moodle's grade import takes: the id column `id_header`, "First name",
    "Surname" (for the teacher's eyes; left unmapped), and the grade column `item`; each
    (id, (first name, surname), score)."""
    lines = [csv_line([id_header, *_NAMES, item])]
    lines += [csv_line([student, *names, score]) for student, names, score in rows]
    return "".join(lines)
