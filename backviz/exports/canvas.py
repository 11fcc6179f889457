"""Canvas's gradebook: the export a teacher downloads (Grades → Export → Export Entire
Gradebook) read, and the CSV Canvas's importer (Grades → Import) reads written.

The rules are those of Canvas's `GradebookImporter` (app/models/gradebook_importer.rb): the
first row is the header, whose first cell holds "Student" and second "ID" (or "LastName",
"FirstName", "ID"), then "SIS User ID" and "SIS Login ID" (an "Integration ID" and a "Root
Account" may follow), and the student columns end with "Section"; every later column is an
assignment, named "Title (id)" when it is one Canvas has (the id after the last " (") or by its
bare title for a new one. A row whose first cell holds "Points Possible" gives the points; a
row of nothing but "Muted" or "Manual Posting" is skipped. A student is found by ID, then SIS
User ID, then SIS Login ID, then name. Its delimiter is ";" when the first three lines split
into more, equal fields by it than by ","; a cell such as "9,5" is read as 9.5.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackvizError
from ..grading.escape import csv_line
from ..grading.sheets.files import decode_text, read_bytes
from .matching import Person

__all__ = [
    "IDENTITY",
    "NON_ASSIGNMENT",
    "POINTS_POSSIBLE",
    "TEST_STUDENT",
    "CanvasGradebook",
    "canvas_import",
    "read_canvas_export",
    "title_and_id",
]

IDENTITY = {
    "sis-user-id": "SIS User ID",
    "sis-login-id": "SIS Login ID",
    "login": "SIS Login ID (before the @)",
    "id": "ID",
    "name": "Student",
}
"""The columns a student of grades.csv may be matched on, in the order tried."""

NON_ASSIGNMENT = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
    "Override Score|Override Grade|Override Status"
)
"""Headers Canvas's importer leaves out as no assignment (anywhere in the header: "Unposted
Final Score" too)."""

TEST_STUDENT = "Student, Test"
"""The student of Canvas's Student View, in every export: no one's grade goes to it."""

POINTS_POSSIBLE = "    Points Possible"
"""The first cell of the points row, as Canvas's own export writes it."""

_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
"""The student columns of a file made without the teacher's export."""

_TITLE_AND_ID = re.compile(r"(.*)\s\((\d+)\)", re.S)
_MUTED = re.compile(r"\s*(Muted|Manual Posting.*)?\s*", re.I)


def title_and_id(header: str) -> tuple[str, str | None]:
    """An assignment column's title and Canvas id, as Canvas's `Assignment.title_and_id`
    splits "Backprop 1 (1234)"; (header, None) without one."""
    found = _TITLE_AND_ID.fullmatch(header)
    return (found[1], found[2]) if found else (header, None)


@dataclass(frozen=True)
class CanvasGradebook:
    """What a Canvas export holds that an import needs."""

    path: Path
    identity: tuple[str, ...]
    """The header's student columns, Student … Section, as the export names them."""
    columns: tuple[str, ...]
    """The headers after them: assignments, custom columns, totals."""
    points: tuple[str, ...]
    """The Points Possible row's cell of each of `columns` ("" without one)."""
    people: tuple[Person, ...]

    def column(self, assignment: str) -> int | None:
        """The column of an assignment named by its whole header, its title or its id."""
        for test in (
            lambda h: h == assignment,
            lambda h: title_and_id(h)[1] is not None and title_and_id(h)[1] == assignment,
            lambda h: title_and_id(h)[1] is not None and title_and_id(h)[0] == assignment,
        ):
            found = [i for i, header in enumerate(self.columns) if test(header)]
            if len(found) == 1:
                return found[0]
        return None

    def assignments(self) -> list[str]:
        """The columns that are Canvas assignments ("Title (id)")."""
        return [h for h in self.columns if title_and_id(h)[1] and not NON_ASSIGNMENT.search(h)]


def delimiter(lines: list[str]) -> str:
    """ ";" or ",", chosen from the first three lines as Canvas's importer chooses it."""
    counts = {}
    for separator in ";,":
        sizes = {len(next(csv.reader([line], delimiter=separator), [])) for line in lines[:3]}
        counts[separator] = sizes.pop() if len(sizes) == 1 else 0
    return ";" if counts[";"] > counts[","] else ","


def read_canvas_export(path: Path) -> CanvasGradebook:
    """The teacher's Canvas gradebook export. BackvizError in one line when it cannot be read
    or its header is not one Canvas's importer accepts."""
    raw, why = read_bytes(path)
    if raw is None:
        raise BackvizError(f"{path}: {why}")
    text, why = decode_text(raw)
    if text is None:
        raise BackvizError(f"{path}: {why}")
    lines = text.splitlines(keepends=True)
    rows = list(csv.reader(lines, delimiter=delimiter(lines)))
    if not rows:
        raise BackvizError(f"{path}: expected a Canvas gradebook export, found an empty file")
    header = [cell.strip() for cell in rows[0]]
    width, keys = _student_columns(path, header)
    names = keys["id"] + 2  # as the importer counts: 3, or 4 with LastName, FirstName
    identity, columns = tuple(header[:width]), tuple(header[width:])
    points = ("",) * len(columns)
    people = []
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if (
            "Points Possible" in row[0]
            and not people
            and not (row + [""] * width)[keys["id"]].strip()
        ):
            # Canvas's own points row, before every student (a student's name may hold it too)
            points = tuple((row[width:] + [""] * len(columns))[: len(columns)])
            continue
        if all(_MUTED.fullmatch(cell) for cell in row):
            continue
        cells = tuple((row + [""] * width)[:width])
        found = {key: cells[i].strip() for key, i in keys.items()}
        if names == 4:  # LastName, FirstName: the name as Canvas's sortable name
            found["name"] = f"{cells[0].strip()}, {cells[1].strip()}".strip(", ")
        if "sis-login-id" in found:
            found["login"] = found["sis-login-id"].split("@")[0]
        if found["name"] == TEST_STUDENT and not found.get("sis-user-id"):
            continue
        ids = {key: found[key] for key in IDENTITY if key in found}
        people.append(Person(ids, cells, line))
    return CanvasGradebook(path, identity, columns, points, tuple(people))


def _student_columns(path: Path, header: list[str]) -> tuple[int, dict[str, int]]:
    """How many columns hold the student (through "Section"), and where each id is: the
    importer's `row_has_student_headers?` and `update_column_count`."""
    expected = (
        "a Canvas gradebook export (its header Student, ID, SIS User ID, SIS Login ID, …, Section)"
    )
    plain = len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    split = (
        len(header) > 4
        and "LastName" in header[0]
        and "FirstName" in header[1]
        and "ID" in header[2]
    )
    if not (plain or split):
        found = ", ".join(repr(cell) for cell in header[:4]) or "nothing"
        raise BackvizError(f"{path}: line 1: expected {expected}, found {found}")
    names = 4 if header[0] == "LastName" and header[1] == "FirstName" else 3
    keys = {"id": names - 2, "name": 0}  # ID is row[1] (row[2] after LastName, FirstName)
    width = names
    if re.search(r"SIS\s+Login\s+ID", header[names - 1]):
        keys["sis-login-id"] = names - 1
        width += 1
    elif (
        re.search(r"SIS\s+User\s+ID", header[names - 1])
        and len(header) > names
        and re.search(r"SIS\s+Login\s+ID", header[names])
    ):
        keys["sis-user-id"], keys["sis-login-id"] = names - 1, names
        extra = (
            1
            if len(header) > names + 1 and re.search(r"Integration\s+ID", header[names + 1])
            else 0
        )
        width += 2 + extra
        if len(header) > names + 1 + extra and re.search(
            r"Root\s+Account", header[names + 1 + extra]
        ):
            width += 1
    if len(header) < width or "Section" not in header[width - 1]:
        found = repr(header[width - 1]) if len(header) >= width else "the end of the header"
        raise BackvizError(
            f"{path}: line 1: column {width} expected 'Section' ({expected}), found {found}"
        )
    return width, keys


def canvas_import(
    identity: tuple[str, ...], header: str, points: str, rows: list[tuple[tuple[str, ...], str]]
) -> str:
    """The CSV Canvas imports: the student columns and one assignment column `header`, the
    Points Possible row, then each student's cells and score. Every cell is written by
    `csv_cell`, so a name a spreadsheet would run as a formula is shown as text."""
    lines = [csv_line([*identity, header])]
    lines.append(csv_line([POINTS_POSSIBLE, *[""] * (len(identity) - 1), points]))
    for cells, score in rows:
        if "Points Possible" in cells[0]:  # Canvas would take this student's row for the points
            cells = ("", *cells[1:])
        lines.append(csv_line([*cells, score]))
    return "".join(lines)


def student_cells(column: str, student: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Without the teacher's export: the student columns, and one student's cells with their
    id in `column` (a key of IDENTITY other than "login")."""
    cells = ["", "", "", "", ""]
    cells[_HEADER.index(IDENTITY[column])] = student
    return _HEADER, tuple(cells)
