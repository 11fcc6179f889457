"""Student ids Excel changed: leading zeros dropped (0012345 → 12345), long ids in powers of
ten (123456789012 → 1.23457E+11, six significant digits as Excel's General format shows them).

Where a match fails only that way the teacher is told what the id most likely was; a row is
matched automatically only when that cannot be another student (the gradebook's ids padded
to one width, one candidate, claimed by no other row) and the terminal names it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.grading.excel_ids import excel_form, fixed_width
from tests.test_export_grades import EXAMPLES, export, grades_file


@pytest.mark.parametrize(
    ("shown", "id_", "how"),
    [
        ("12345", "0012345", "zeros"),
        ("1.23457E+11", "123456789012", "powers"),  # Excel's 6 digits, rounded half up
        ("1,23457E+11", "123456789012", "powers"),  # a decimal-comma Excel
        ("1.23456E+11", "123456789012", None),  # not how Excel rounds it
        ("12", "012", "zeros"),
        ("012", "0012", None),  # a zero kept: not Excel's doing
        ("12345", "12345", None),  # the same id: no change
        ("s01", "0s01", None),  # not digits
    ],
)
def test_excel_forms(shown: str, id_: str, how: str | None) -> None:
    assert excel_form(shown, id_) == how


def test_a_padded_column_is_one_width_with_a_zero() -> None:
    assert fixed_width(["0012345", "0012346", "1012347"]) == 7
    assert fixed_width(["012", "12"]) is None  # two widths: 12 may be a student of its own
    assert fixed_width(["12345", "12346"]) is None  # nothing padded


def canvas_book(tmp: Path, sis: dict[str, str]) -> Path:
    """The example Canvas export with its SIS User IDs replaced (s01 → 0012345 …)."""
    text = (EXAMPLES / "canvas-export.csv").read_text(encoding="utf-8")
    for old, new in sis.items():
        text = text.replace(f",{old},", f",{new},")
    path = tmp / "canvas-export.csv"
    path.write_text(text, encoding="utf-8")
    return path


PADDED = {"s01": "0012345", "s02": "0012346", "s03": "0012347", "s04": "0012348"}


def to_canvas(tmp: Path, grades: Path, book: Path):
    out, listed = tmp / "out.csv", tmp / "unmatched.csv"
    result = export(grades, "--to", "canvas", "--gradebook", book, "--assignment", "Backprop 1",
                    "-o", out, "--unmatched", listed)  # fmt: skip
    why = {}
    if listed.exists():
        with listed.open(encoding="utf-8") as file:
            why = {row["student"]: row["why"] for row in csv.DictReader(file)}
    return result, out, why


def test_ids_that_lost_their_zeros_are_matched_to_a_padded_column_and_named(tmp_path):
    """grades.csv opened in Excel: 12345 is 0012345 of a column padded to 7 digits; matched,
    written with the gradebook's own id, and named on the terminal."""
    book = canvas_book(tmp_path, PADDED)
    grades = grades_file(tmp_path, ["12345,39,39,1", "12346,20,39,1"])
    result, out, _ = to_canvas(tmp_path, grades, book)
    assert result.returncode == 0, result.stderr
    assert "2 of them matched with leading zeros restored" in result.stderr
    assert "12345 → 0012345, 12346 → 0012346" in result.stderr
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [(r[2], r[-1]) for r in rows[2:]] == [("0012345", "10"), ("0012346", "5.13")]


def test_two_students_012_and_12_are_never_matched_by_restoring_zeros(tmp_path):
    """A column holding 012 and 12 is no padded column: a row '12' is student 12 (exact), a
    row '345' is not restored into 0345 (it may be a student of its own) but told what it might
    be, and '0012', which no Excel wrote, is neither student."""
    book = canvas_book(tmp_path, {"s01": "012", "s02": "12", "s03": "0345", "s04": "777"})
    grades = grades_file(tmp_path, ["12,39,39,1", "345,20,39,1", "0012,5,39,1"])
    result, out, why = to_canvas(tmp_path, grades, book)
    assert result.returncode == 0, result.stderr
    assert why["0012"] == "no student of canvas-export.csv has SIS User ID '0012'"
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [r[2] for r in rows[2:]] == ["12"]  # the exact match only
    assert why["345"] == (
        "no student of canvas-export.csv has SIS User ID '345'; 345 matches 0345 with leading "
        "zeros restored: grades.csv was probably opened in Excel, which drops them (or the "
        "sheet was written without them); not matched: the ids of canvas-export.csv are not "
        "all one width, so 345 may be another student's id"
    )


def test_a_gradebook_that_lost_its_zeros_is_told_not_matched(tmp_path):
    """The gradebook export opened in Excel: the import file would carry its changed ids, so
    nothing is matched by restoring; each row says what happened."""
    book = canvas_book(tmp_path, {"s01": "12345", "s02": "12346"})
    grades = grades_file(tmp_path, ["0012345,39,39,1"])
    result, _, why = to_canvas(tmp_path, grades, book)
    assert result.returncode == 2
    assert why["0012345"] == (
        "no student of canvas-export.csv has SIS User ID '0012345'; 12345 matches 0012345 with "
        "leading zeros restored: canvas-export.csv was probably opened in Excel, which drops "
        "them; not matched (export the gradebook again and open it in no spreadsheet: an import "
        "file of its changed ids would not find them)"
    )


def test_an_id_in_powers_of_ten_is_pointed_out_never_matched(tmp_path):
    book = canvas_book(tmp_path, {"s01": "123456789012"})
    grades = grades_file(tmp_path, ["1.23457E+11,39,39,1"])
    _, _, why = to_canvas(tmp_path, grades, book)
    assert (
        "1.23457E+11 is 123456789012 in powers of ten as Excel writes a long number"
        in (why["1.23457E+11"])
    )
    assert "not matched" in why["1.23457E+11"]


def test_a_roster_that_lost_its_zeros_is_said_when_grading(tmp_path):
    """grade --roster: the sheet's 0012345 is roster.csv's 12345 with zeros restored; the
    student is not silently absent: both the terminal and the feedback say why."""
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    (sheets / "a.csv").write_text("student,0012345\nquantity,value\nz1,0.08\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("student\n12345\n", encoding="utf-8")
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main,
        ["grade", str(EXAMPLES.parent.parent / "exercises" / "seed-222.toml"), str(sheets),
         "--roster", str(roster), "--out", str(out), "--no-diagrams"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0012345 ~ 12345" in result.output
    feedback = (out / "feedback" / "0012345.md").read_text(encoding="utf-8")
    assert "0012345 matches 12345 of the roster with leading zeros restored: roster.csv" in (
        feedback
    )


def test_moodle_import_is_written_with_the_gradebooks_own_id_numbers(tmp_path):
    """To Moodle the same: grades.csv's 12345 is written as the ID number Moodle finds the
    student by, 0012345, never as the changed id (Moodle's import stops at a user it does not
    find)."""
    text = (EXAMPLES / "moodle-export.csv").read_text(encoding="utf-8")
    for old, new in PADDED.items():
        text = text.replace(f",{old},", f",{new},")
    book = tmp_path / "moodle-export.csv"
    book.write_text(text, encoding="utf-8")
    grades = grades_file(tmp_path, ["12345,39,39,1", "12347,0,39,1"])
    out = tmp_path / "import.csv"
    result = export(grades, "--to", "moodle", "--gradebook", book, "--assignment", "Backprop 1",
                    "-o", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "12345 → 0012345, 12347 → 0012347" in result.stderr
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [(r[0], r[-1]) for r in rows[1:]] == [("0012345", "39"), ("0012347", "0")]
