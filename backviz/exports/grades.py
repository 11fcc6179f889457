"""`backviz export grades`: a class's grades.csv as the file a gradebook imports — Canvas's
gradebook CSV or Moodle's grade import CSV — matched to the gradebook's own students.

With the teacher's export of the gradebook, each row of grades.csv is matched to one of its
students (`matching.py`) and written with the ids the gradebook knows them by; a row matched to
no one, to two, or twice is not written and is said why (on the terminal and, if asked, in a
CSV): nothing is dropped in silence and nothing guessed. Without it, each row is written with
its own id in the column the teacher names, and the gradebook's import review is the check.
A total is written on the assignment's own points (`scores.py`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BackvizError
from ..grading.escape import csv_line
from . import canvas, moodle_gradebook
from .class_grades import StudentTotal, read_class_grades
from .matching import Match, Person, match_students
from .scores import points_text, score_text

__all__ = ["TARGETS", "GradesExport", "export_grades"]

TARGETS = {"canvas": canvas.IDENTITY, "moodle": moodle_gradebook.IDENTITY}
"""Each gradebook and the columns its students may be matched on."""

SHOWN = 10
"""Students named on the terminal per kind of problem; the --unmatched file lists all."""


@dataclass
class GradesExport:
    """The file to upload, what the terminal says about it, and the rows not written."""

    text: str
    written: int
    """Students with a score in the file: none makes a file that changes nothing, refused."""
    lines: list[str] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    """(student of grades.csv, why it is not in the file)."""

    def unmatched_csv(self) -> str:
        """The rows not written, as a CSV: student,why."""
        return csv_line(["student", "why"]) + "".join(csv_line(row) for row in self.unmatched)


def export_grades(
    grades: Path,
    *,
    to: str,
    assignment: str,
    gradebook: Path | None = None,
    by: str | None = None,
    points: float | None = None,
) -> GradesExport:
    """grades.csv as `to`'s import file for `assignment`. BackvizError (one line) for a file
    that cannot be read, an assignment name the gradebook would misread, or conflicting
    points."""
    if by is not None and by not in TARGETS[to]:
        raise BackvizError(f"--match: {to} matches on {', '.join(TARGETS[to])}, not {by!r}")
    if not assignment.strip():
        raise BackvizError("--assignment: expected the assignment's name, found nothing")
    assignment = assignment.strip()
    if points is not None and not points > 0:
        raise BackvizError(f"--points: expected a number above 0, found {points:g}")
    class_grades = read_class_grades(grades)
    totals = list(class_grades.rows)
    unmatched = list(class_grades.unreadable)
    export = _canvas if to == "canvas" else _moodle
    result = export(totals, gradebook, assignment, by, points)
    result.unmatched = unmatched + result.unmatched
    if result.unmatched:
        result.lines.append(f"{len(result.unmatched)} row(s) of {grades.name} not exported:")
        result.lines += [f"  {student}: {why}" for student, why in result.unmatched[:SHOWN]]
        if len(result.unmatched) > SHOWN:
            result.lines.append(
                f"  … and {len(result.unmatched) - SHOWN} more (--unmatched FILE lists all)"
            )
    return result


def _points(totals: list[StudentTotal], points: float | None, what: str) -> float:
    """The points the assignment is out of: given, or grades.csv's maximum (one for all)."""
    if points is not None:
        return points
    maxima = Counter(total.max for total in totals)
    if len(maxima) > 1:
        listed = ", ".join(points_text(m) for m in sorted(maxima))
        raise BackvizError(
            f"grades.csv: column 'max' expected one maximum for the class, found {listed}: "
            f"give {what} with --points"
        )
    out_of = next(iter(maxima), 0.0) or 0.0
    if totals and not out_of > 0:
        raise BackvizError(
            f"grades.csv: column 'max': expected the marks possible, above 0, found "
            f"{points_text(out_of)}: every score would be 0; give {what} with --points"
        )
    return out_of


def _canvas(
    totals: list[StudentTotal],
    gradebook: Path | None,
    assignment: str,
    by: str | None,
    points: float | None,
) -> GradesExport:
    if gradebook is None:
        return _canvas_unchecked(totals, assignment, by or "sis-user-id", points)
    book = canvas.read_canvas_export(gradebook)
    header, out_of, where = _canvas_assignment(book, assignment, totals, points)
    outcome = match_students(
        totals,
        book.people,
        columns=canvas.IDENTITY,
        by=by,
        names=frozenset({"name"}),
        source=gradebook.name,
    )
    rows = [
        (person.cells, score_text(total.total, total.max, out_of))
        for total, person in outcome.matched
    ]
    text = canvas.canvas_import(book.identity, header, points_text(out_of), rows)
    lines = [
        f"{len(rows)} of {len(totals)} student(s) matched to {gradebook.name} by "
        f"{canvas.IDENTITY[outcome.by]}; scores out of {points_text(out_of)} for {where}",
        *_restored(outcome),
        *_none_matched(outcome.matched, totals, canvas.IDENTITY),
        *_ungraded(outcome.ungraded, gradebook.name, "left as they are in Canvas"),
    ]
    return GradesExport(text, len(rows), lines, outcome.unmatched)


def _canvas_unchecked(
    totals: list[StudentTotal], assignment: str, column: str, points: float | None
) -> GradesExport:
    """Without the teacher's export: each row with its id in `column`, the rest blank."""
    if column == "login":
        raise BackvizError("--match login needs --gradebook (the SIS Login IDs to cut at @)")
    _check_new_canvas_name(assignment, None)
    out_of = _points(totals, points, "the assignment's points")
    identity = canvas.student_cells(column, "")[0]
    rows = [
        (canvas.student_cells(column, t.student)[1], score_text(t.total, t.max, out_of))
        for t in totals
    ]
    text = canvas.canvas_import(identity, assignment, points_text(out_of), rows)
    return GradesExport(
        text,
        len(rows),
        [
            f"{len(rows)} student(s) written with their id as {canvas.IDENTITY[column]}, "
            f"assignment '{assignment}' out of {points_text(out_of)}; nothing checked without "
            "--gradebook: Canvas's import review lists the students it does not know",
        ],
    )


def _canvas_assignment(
    book: canvas.CanvasGradebook, assignment: str, totals: list[StudentTotal], points: float | None
) -> tuple[str, float, str]:
    """The assignment's column header, the points it is out of, and how the terminal names
    it: one of the export's (its points the export's), or a new one."""
    name = book.path.name
    found = book.column(assignment)
    if found is None:
        _check_new_canvas_name(assignment, book)
        listed = book.assignments()
        shown = f"; its assignments: {', '.join(listed[:5])}{' …' if len(listed) > 5 else ''}"
        where = f"a new assignment '{assignment}' (none of {name}'s is named so"
        where += f"{shown})" if listed else ")"
        return assignment, _points(totals, points, "the new assignment's points"), where
    header = book.columns[found]
    if canvas.NON_ASSIGNMENT.search(header) or canvas.title_and_id(header)[1] is None:
        raise BackvizError(
            f"{book.path}: line 1: column {header!r} is not an assignment Canvas imports "
            "grades into (expected 'Title (id)')"
        )
    possible = book.points[found].strip()
    if "read only" in possible.casefold():
        raise BackvizError(f"{book.path}: line 2: assignment {header!r} is read only in Canvas")
    exported = _canvas_number(possible)
    if exported is None:
        return header, _points(totals, points, "the assignment's points"), f"'{header}'"
    if exported == 0:  # Canvas keeps the points a score is: out of 0, every score 0
        if points is None:
            raise BackvizError(
                f"{book.path}: line 2: assignment {header!r} is worth 0 points in {name}: "
                "every score would be 0; set its points in Canvas (and export again), or give "
                "the points to score out of with --points"
            )
        return (
            header,
            points,
            f"'{header}' (worth 0 points in {name}: set it to {points_text(points)} in Canvas)",
        )
    if points is not None and points != exported:
        raise BackvizError(
            f"--points {points_text(points)}: {header!r} is out of {points_text(exported)} "
            f"in {name}; leave --points out (scores are scaled to its points)"
        )
    return header, exported, f"'{header}'"


def _canvas_number(cell: str) -> float | None:
    """A points cell of a Canvas export (10, 10.00, 9,5), as its importer reads it."""
    text = cell.strip()
    if not text or not all(c.isdigit() or c in ".," for c in text.lstrip("-")):
        return None
    parts = text.replace(",", ".").split(".")
    try:
        return float("".join(parts[:-1]) + "." + parts[-1]) if len(parts) > 1 else float(text)
    except ValueError:
        return None


def _check_new_canvas_name(name: str, book: canvas.CanvasGradebook | None) -> None:
    """A new assignment's name as Canvas's importer would read it: refused where it would
    take it for an existing assignment's id, for a total, or for another column."""
    _, number = canvas.title_and_id(name)
    if number is not None:
        raise BackvizError(
            f"--assignment {name!r}: Canvas reads a name ending in ' ({number})' as assignment "
            f"id {number}{'' if book is None else ', which ' + book.path.name + ' does not have'}; "
            "name an assignment of the export, or a new one without it"
        )
    clash = canvas.NON_ASSIGNMENT.search(name)
    if clash:
        raise BackvizError(
            f"--assignment {name!r}: Canvas's importer leaves out every column whose name holds "
            f"{clash.group()!r}; choose another name"
        )
    if book is not None and (name in book.columns or name in book.identity):
        raise BackvizError(
            f"--assignment {name!r}: a column of {book.path.name} that is no assignment; "
            "choose another name"
        )


def _moodle(
    totals: list[StudentTotal],
    gradebook: Path | None,
    assignment: str,
    by: str | None,
    points: float | None,
) -> GradesExport:
    out_of = _points(totals, points, "the grade item's maximum")
    warn = []
    if out_of > moodle_gradebook.GRADE_POINT_MAX:
        warn.append(
            f"scores out of {points_text(out_of)}: Moodle refuses a grade above "
            f"{points_text(moodle_gradebook.GRADE_POINT_MAX)} unless the site allows more "
            "(gradepointmax); give --points 100 to scale them"
        )
    if gradebook is None:
        column = by or "idnumber"
        if column not in ("idnumber", "email", "username"):
            raise BackvizError(
                f"--match {column} needs --gradebook (Moodle's import finds users by id "
                "number, email or username)"
            )
        header = moodle_gradebook.IDENTITY[column]
        rows = [
            (total.student, ("", ""), score_text(total.total, total.max, out_of))
            for total in totals
        ]
        return GradesExport(
            moodle_gradebook.moodle_import(header, assignment, rows),
            len(rows),
            [
                f"{len(rows)} student(s) written with their id as {header}, grade item "
                f"'{assignment}' out of {points_text(out_of)}; nothing checked without "
                "--gradebook: Moodle stops the whole import at an id it does not know",
                *warn,
            ],
        )
    book = moodle_gradebook.read_moodle_export(gradebook)
    item = book.column(assignment) or assignment
    if by is not None and by not in book.keys:
        raise BackvizError(
            f"--match {by}: {gradebook.name} has no {moodle_gradebook.IDENTITY[by]} column"
        )
    columns = {key: moodle_gradebook.IDENTITY[key] for key in book.keys}
    outcome = match_students(
        totals,
        book.people,
        columns=columns,
        by=by,
        names=frozenset({"name"}),
        source=gradebook.name,
    )
    key = outcome.by if outcome.by in ("idnumber", "email", "username") else _mapped(book)
    header = moodle_gradebook.IDENTITY[key]
    rows = []
    for total, person in outcome.matched:
        if person.ids[key]:
            rows.append((person.ids[key], person.cells, score_text(total.total, total.max, out_of)))
        else:
            outcome.unmatched.append(
                (
                    total.student,
                    (
                        f"{person.shown()} has no {header} in {gradebook.name}, which Moodle would "
                        "need to find them: not exported"
                    ),
                )
            )
    lines = [
        f"{len(rows)} of {len(totals)} student(s) matched to {gradebook.name} by "
        f"{moodle_gradebook.IDENTITY[outcome.by]}, written with their {header}; grade item "
        f"'{item}' out of {points_text(out_of)}",
        *_restored(outcome),
        *_none_matched(outcome.matched, totals, columns),
        *_ungraded(outcome.ungraded, gradebook.name, "left as they are in Moodle"),
        *warn,
    ]
    return GradesExport(
        moodle_gradebook.moodle_import(header, item, rows), len(rows), lines, outcome.unmatched
    )


def _mapped(book: moodle_gradebook.MoodleGradebook) -> str:
    """The user field Moodle maps a row by, when the match was on a name or a login: the
    first of id number, e-mail address, username that every student has (else the first)."""
    fields = [key for key in ("idnumber", "email", "username") if key in book.keys]
    full = [key for key in fields if all(person.ids.get(key) for person in book.people)]
    return (full or fields)[0]


def _restored(outcome: Match) -> list[str]:
    """The rows matched with their leading zeros restored, each named: the teacher checks."""
    if not outcome.restored:
        return []
    shown = ", ".join(
        f"{total.student} → {person.ids[outcome.by]}" for total, person in outcome.restored[:SHOWN]
    )
    more = len(outcome.restored) - SHOWN
    return [
        f"{len(outcome.restored)} of them matched with leading zeros restored (grades.csv was "
        f"probably opened in Excel, which drops them, or a sheet was written without them; "
        f"check): {shown}" + (f" and {more} more" if more > 0 else "")
    ]


def _none_matched(
    matched: list[tuple[StudentTotal, Person]], totals: list[StudentTotal], columns: dict[str, str]
) -> list[str]:
    """A hint when no row matched at all: the ids are in no column tried, or of another class."""
    if matched or not totals:
        return []
    return [
        f"no row of grades.csv matched on any column ({', '.join(columns.values())}): are "
        "grades.csv and the export of the same class? --match names the column the ids are in"
    ]


def _ungraded(people: list[Person], source: str, kept: str) -> list[str]:
    """A line naming the gradebook's students no row of grades.csv matched."""
    if not people:
        return []
    shown = ", ".join(person.shown() for person in people[:SHOWN])
    more = f" and {len(people) - SHOWN} more" if len(people) > SHOWN else ""
    return [
        f"{len(people)} student(s) of {source} have no row in grades.csv ({kept}): {shown}{more}"
    ]
