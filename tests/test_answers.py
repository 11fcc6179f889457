"""Reading answer sheets: number forms, encodings, CSV (long and wide), TOML, JSON, text."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backviz.grading.handed_in import LINK
from backviz.grading.sheets.files import MAX_BYTES
from backviz.grading.sheets.numbers import Answer, parse_number, read_numbers
from backviz.grading.sheets.reading import read_sheet, read_submissions
from backviz.grading.sheets.submission import Submission

TEMPLATE = (
    "# backviz answer sheet: exercise seed-222\n"
    "# 값을 소수로 적으세요 (write decimals)\n"
    "quantity,value\n"
    "student,{student}\n"
    "dE/dW5,0.08216704\n"
    "W5+,0.35891648\n"
    "E_total,\n"
)


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def only(submissions: list[Submission]) -> Submission:
    assert len(submissions) == 1
    return submissions[0]


def values(submission: Submission) -> dict[str, float | None]:
    return {name: answer.value for name, answer in submission.answers.items()}


# ── numbers ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "decimal_comma", "value", "decimals"),
    [
        ("0.5", False, 0.5, 1),
        (".5", False, 0.5, 1),
        ("-.5", False, -0.5, 1),
        ("+0.5", False, 0.5, 1),
        ("5.", False, 5.0, 0),
        ("3", False, 3.0, 0),
        ("0.2592", False, 0.2592, 4),
        ("0.50", False, 0.5, 2),  # trailing zeros are digits the student wrote
        ("5e-1", False, 0.5, 1),
        ("1.5e-3", False, 0.0015, 4),
        ("1.5E-3", False, 0.0015, 4),
        ("2.5e+1", False, 25.0, 0),
        ("1.5e3", False, 1500.0, 0),  # coarser than units: 0, never negative
        ("1/2", False, 0.5, None),
        ("1 / 3", False, 1 / 3, None),
        ("-1/4", False, -0.25, None),
        ("50%", False, 0.5, 2),
        ("12.5%", False, 0.125, 3),
        ("50 %", False, 0.5, 2),
        ("0,5", True, 0.5, 1),
        ("-0,0259", True, -0.0259, 4),
        ("12,5%", True, 0.125, 3),
        ("０．５", False, 0.5, 1),  # full-width digits and point
        ("０.２５９２", False, 0.2592, 4),
        ("－０．５", False, -0.5, 1),  # full-width minus
        ("  0.5\t", False, 0.5, 1),
        ("\u00a00.5\u3000", False, 0.5, 1),  # no-break and ideographic spaces
        ("≈0.5", False, 0.5, 1),
        ("≈ 0.43703857", False, 0.43703857, 8),
        ("~0.5", False, 0.5, 1),
        ("≒0.5", False, 0.5, 1),
        ("−0.5", False, -0.5, 1),  # U+2212 minus sign
        ("– 0.5", False, -0.5, 1),  # en dash, as word processors turn '-' into
        ("≈ −0.00039571", False, -0.00039571, 8),
        ("0.333...", False, 0.333, 3),
        ("0.333…", False, 0.333, 3),
    ],
)
def test_number_forms(text: str, decimal_comma: bool, value: float, decimals: int | None) -> None:
    answer = parse_number(text, decimal_comma=decimal_comma)
    assert answer == Answer(text.strip(), value, decimals)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nan", "not a finite number"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("∞", "not a finite number"),
        ("1e400", "not a finite number"),
        ("1e-999", "exponent"),
        ("1/0", "division by zero"),
        ("0,5", "comma"),  # no decimal comma unless the context says so
        ("1,234.5", "comma"),
        ("abc", "not a number"),
        (".", "not a number"),
        ("5e", "not a number"),
        ("1.5/2", "not a number"),
        ("0.5 (rounded)", "not a number"),
        ("--0.5", "not a number"),
        ("1" * 200, "too long"),
        ("", "nothing written"),
        ("≈", "nothing written"),
    ],
)
def test_unreadable_numbers(text: str, problem: str) -> None:
    answer = parse_number(text)
    assert answer.value is None and answer.decimals is None
    assert problem in answer.problem
    assert answer.text == text.strip()


@pytest.mark.parametrize("text", ["1,234.5", "1,2,3"])
def test_decimal_comma_needs_a_single_mark(text: str) -> None:
    assert parse_number(text, decimal_comma=True).value is None


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_as_python_prints_it(value: float) -> None:
    assert parse_number(repr(value)).value == value


@given(st.floats(min_value=-1e6, max_value=1e6), st.integers(min_value=0, max_value=12))
def test_fixed_decimals_are_counted(value: float, places: int) -> None:
    text = f"{value:.{places}f}"
    assert parse_number(text) == Answer(text, float(text), places)
    assert parse_number(text.replace(".", ","), decimal_comma=True).value == float(text)


# ── CSV quantity,value ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_csv_encodings_with_korean_text(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "s01.csv", TEMPLATE.format(student="김민수"), encoding)
    submission = only(read_sheet(path))
    assert submission.student == "김민수"
    assert submission.source == str(path)
    assert values(submission) == {"dE/dW5": 0.08216704, "W5+": 0.35891648}  # blank: missing
    assert submission.problems == ()


def test_csv_without_header_or_student_row_is_named_by_file(tmp_path: Path) -> None:
    path = write(tmp_path, "kim.csv", "dE/dW5,0.0822\r\nW5+, 0.3589 \r\n")
    submission = only(read_sheet(path))
    assert submission.student == "kim"
    assert values(submission) == {"dE/dW5": 0.0822, "W5+": 0.3589}
    assert submission.answers["W5+"].text == "0.3589"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_semicolon_or_tab_reads_decimal_commas(tmp_path: Path, delimiter: str) -> None:
    rows = ["quantity;value", "student;s07", "dE/dW5;0,08216704", "W5+;0,5", "E_total;12,5%"]
    path = write(tmp_path, "s07.csv", "\n".join(rows).replace(";", delimiter) + "\n")
    submission = only(read_sheet(path))
    assert submission.student == "s07"
    assert values(submission) == {"dE/dW5": 0.08216704, "W5+": 0.5, "E_total": 0.125}
    assert submission.answers["dE/dW5"].decimals == 8


def test_csv_quoted_decimal_comma_and_quoted_name(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", 'dE/dW5,"0,0822"\n"W(2)_10,3",0.25\n')
    assert values(only(read_sheet(path))) == {"dE/dW5": 0.0822, "W(2)_10,3": 0.25}


def test_csv_unquoted_comma_is_reported_not_guessed(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "W5+,0.35\ndE/dW5,0,0822\n")
    submission = only(read_sheet(path))
    assert values(submission) == {"W5+": 0.35, "dE/dW5": None}  # written: unreadable
    assert submission.answers["dE/dW5"].text == "0,0822"
    (problem,) = submission.problems
    assert problem.startswith("s.csv:2:") and "3 cells" in problem


def test_csv_unreadable_value_is_kept_with_what_was_read(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "dE/dW5,about a half\nW5+,nan\n")
    answers = only(read_sheet(path)).answers
    assert answers["dE/dW5"] == Answer("about a half", None, None, "not a number")
    assert answers["W5+"].problem == "not a finite number"


def test_csv_header_with_extra_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "value,quantity,note\n0.5,W5+,rounded\n0.25,dE/dW5,\n")
    assert values(only(read_sheet(path))) == {"W5+": 0.5, "dE/dW5": 0.25}


def test_csv_only_comments_has_no_answers(tmp_path: Path) -> None:
    submission = only(read_sheet(write(tmp_path, "s.csv", "# nothing, yet\n\n")))
    assert submission.answers == {}
    assert submission.problems == ("s.csv: no answers found",)


def test_unfilled_template_is_all_missing_without_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "# sheet\nquantity,value\ndE/dW5,\nW5+,\n")
    assert only(read_sheet(path)) == Submission("s", str(path), {}, ())


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("dup.csv", "W5+,0.1\ndE/dW5,0.2\nW5+,0.3\nW5+ ,0.4\n"),
        ("dup.txt", "W5+ = 0.1\ndE/dW5 = 0.2\nW5+ = 0.3\nW5+: 0.4\n"),
        ("dup.toml", '"W5+" = 0.1\n"dE/dW5" = 0.2\n"W5+" = 0.3\n"W5+" = 0.4\n'),
    ],
)
def test_duplicate_quantities_keep_the_first(tmp_path: Path, name: str, content: str) -> None:
    submission = only(read_sheet(write(tmp_path, name, content)))
    assert values(submission) == {"W5+": 0.1, "dE/dW5": 0.2}
    assert submission.problems == (
        f"{name}:3: 'W5+' is given again (first on line 1); the first is kept",
        f"{name}:4: 'W5+' is given again (first on line 1); the first is kept",
    )


def test_duplicate_quantities_in_json(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.json", '{"answers": {"W5+": 0.1, "W5+": 0.3, " W5+": "0.4"}}')
    submission = only(read_sheet(path))
    assert values(submission) == {"W5+": 0.1}
    assert len(submission.problems) == 2
    assert all("'W5+' is given again" in problem for problem in submission.problems)


def test_second_student_id_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "student,s01\nW5+,0.1\nstudent,s02\n")
    submission = only(read_sheet(path))
    assert submission.student == "s01"
    assert submission.problems == (
        "s.csv:3: a second student id 's02' (the first, 's01' on line 1, is kept)",
    )


# ── wide CSV ───────────────────────────────────────────────────────────────────────────

WIDE = (
    "타임스탬프,학번,이름,dE/dW5,W5+,E_total\n"
    "2024-03-01 10:00,20240001,김민수,0.0822,0.3589,0.2984\n"
    '2024-03-01 10:05,20240002,이영희,"0,0822",,0.2984\n'
    "2024-03-01 10:09,20240003,박철수,0.0822,모름,0.30\n"
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949"])
def test_wide_csv_one_submission_per_row(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "class.csv", WIDE, encoding)
    first, blank, garbage = read_sheet(path)
    assert [s.student for s in (first, blank, garbage)] == ["20240001", "20240002", "20240003"]
    assert [s.source for s in (first, blank, garbage)] == [
        f"{path}:row 2",
        f"{path}:row 3",
        f"{path}:row 4",
    ]
    assert values(first) == {"dE/dW5": 0.0822, "W5+": 0.3589, "E_total": 0.2984}
    assert values(blank) == {"dE/dW5": 0.0822, "E_total": 0.2984}  # W5+ missing
    assert garbage.answers["W5+"] == Answer("모름", None, None, "not a number")
    assert garbage.answers["E_total"].decimals == 2
    assert all(s.problems == () for s in (first, blank, garbage))


def test_wide_csv_semicolons_student_column_and_row_problems(tmp_path: Path) -> None:
    content = "Student;Email;dE/dW5;W5+;W5+\ns01;a@b.c;0,08;0,35;0,9\n\n;x@y.z;0,1;;\n"
    path = write(tmp_path, "form.csv", content)
    s01, unnamed = read_sheet(path)
    assert (s01.student, values(s01)) == ("s01", {"dE/dW5": 0.08, "W5+": 0.35})
    assert s01.problems == (
        "form.csv:1: column 5: 'W5+' is given again (first in column 4); the first is kept",
    )
    assert unnamed.student == "form-row4"
    assert unnamed.source == f"{path}:row 4"
    assert "form.csv:4: no student id; named 'form-row4'" in unnamed.problems


def test_wide_csv_as_a_form_exports_it(tmp_path: Path) -> None:
    content = (
        "Timestamp,Email Address,Student ID,Full Name,dE/dW5,W5+\n"
        "2024/03/01 10:00:00 AM,a@b.c,s01,Kim,0.0822,≈0.359\n"
        ",,,,,\n"  # an empty row, as spreadsheets leave at the end
    )
    submission = only(read_sheet(write(tmp_path, "Form Responses 1.csv", content)))
    assert (submission.student, values(submission)) == ("s01", {"dE/dW5": 0.0822, "W5+": 0.359})
    assert submission.problems == ()


def test_wide_csv_without_rows(tmp_path: Path) -> None:
    submission = only(read_sheet(write(tmp_path, "w.csv", "student,dE/dW5,W5+\n")))
    assert submission.answers == {}
    assert "no rows" in submission.problems[0]


# ── TOML, JSON, text ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "content",
    [
        'student = "s01"\n[answers]\n"dE/dW5" = 0.0822\n"W5+" = "0,3589"\nE_total = 1\n',
        'student = "s01"\n"dE/dW5" = 0.0822\n"W5+" = "0,3589"\nE_total = 1\n',
        'student = "s01"\nexercise = "seed-222"\n"dE/dW5" = 8.2_2e-2\n"W5+" = "0,3589"\n'
        'E_total = 1\n"E_total+" = ""\n',
    ],
)
def test_toml(tmp_path: Path, content: str) -> None:
    submission = only(read_sheet(write(tmp_path, "sheet.toml", content)))
    assert submission.student == "s01"
    assert values(submission) == {"dE/dW5": 0.0822, "W5+": 0.3589, "E_total": 1.0}
    assert [a.decimals for a in submission.answers.values()] == [4, 4, 0]
    assert submission.problems == ()


def test_toml_values_that_are_not_numbers(tmp_path: Path) -> None:
    content = "student = 20240001\nW1.1 = 0.3\na = nan\nb = true\nc = [1, 2]\nd = 1979-05-27\n"
    submission = only(read_sheet(write(tmp_path, "s.toml", content)))
    assert submission.student == "20240001"
    assert submission.answers["W1.1"].value == 0.3  # an unquoted dotted key, joined back
    assert submission.answers["a"].problem == "not a finite number"
    assert submission.answers["b"].problem == "true/false, not a number"
    assert submission.answers["c"].problem == "a list, not a number"
    assert submission.answers["d"].problem == "a date, not a number"


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s03.toml", 'student = "s03"\n"dE/dW5" = 0.08\nW5+ = 0.35\n')
    submission = only(read_sheet(path))
    assert (submission.student, submission.answers) == ("s03", {})
    (problem,) = submission.problems
    assert problem.startswith("s03.toml:3: not valid TOML")


@pytest.mark.parametrize(
    "content",
    [
        '{"student": "s01", "answers": {"dE/dW5": 0.0822, "W5+": "0,3589", "E_total": 1}}',
        '{"student": "s01", "dE/dW5": 0.0822, "W5+": "0,3589", "E_total": 1, "E": null}',
        '\ufeff{"student": "s01", "name": "Kim", "dE/dW5": "≈0.0822", "W5+": 3.589E-1,'
        ' "E_total": "1"}',
    ],
)
def test_json(tmp_path: Path, content: str) -> None:
    submission = only(read_sheet(write(tmp_path, "sheet.json", content)))
    assert submission.student == "s01"
    assert values(submission) == {"dE/dW5": 0.0822, "W5+": 0.3589, "E_total": 1.0}
    assert [a.decimals for a in submission.answers.values()] == [4, 4, 0]
    assert submission.problems == ()


def test_json_numbers_keep_their_written_digits(tmp_path: Path) -> None:
    content = '{"a": 0.50, "b": 1.5e-3, "c": NaN, "d": true, "e": [1], "f": {"g": 2}}'
    answers = only(read_sheet(write(tmp_path, "s.json", content))).answers
    assert answers["a"] == Answer("0.50", 0.5, 2)
    assert answers["b"] == Answer("1.5e-3", 0.0015, 4)
    assert answers["c"].problem == "not a finite number"
    assert answers["d"].problem == "true/false, not a number"
    assert answers["e"].problem == "a list, not a number"
    assert answers["f.g"].value == 2.0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"student": "s01",\n "W5+": 0.35\n "dE/dW5": 0.08}', "bad.json:3: not valid JSON"),
        ("[0.1, 0.2]", "bad.json: expected an object"),
        ('{"answers": [0.1]}', "bad.json: 'answers' should be a object"),
    ],
)
def test_bad_json(tmp_path: Path, content: str, problem: str) -> None:
    submission = only(read_sheet(write(tmp_path, "bad.json", content)))
    assert submission.answers == {}
    assert submission.problems[0].startswith(problem)


def test_txt(tmp_path: Path) -> None:
    content = (
        "# my answers\n"
        "student: s09\n"
        "dE/dW5 = 0.0822\n"
        "W5+: 0,3589   # rounded\n"
        "E_total,0.2984\n"
        '"E_total+" = "0.29"\n'
        "delta_o1\t−0.1385\n"
        "I am not sure about the rest\n"
    )
    submission = only(read_sheet(write(tmp_path, "s.txt", content)))
    assert submission.student == "s09"
    assert values(submission) == {
        "dE/dW5": 0.0822,
        "W5+": 0.3589,
        "E_total": 0.2984,
        "E_total+": 0.29,
        "delta_o1": -0.1385,
    }
    assert submission.problems == (
        "s.txt:8: expected 'name = value', found 'I am not sure about the rest', not read",
    )


# ── files that are not sheets ──────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.csv", b"", "empty.csv: empty file"),
        ("blank.toml", b"\xef\xbb\xbf \n\n", "blank.toml: empty file"),
        ("blank.json", b"  \r\n", "blank.json: empty file"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary.csv: a binary file"),
        ("latin.csv", b"W5+,0.5\n\xff\xfe\xfd", "latin.csv: line 2: byte 0xff"),
        ("book.xlsx", b"PK\x03\x04\x00", "book.xlsx: a spreadsheet workbook"),
        ("notes.pdf", b"%PDF-1.4", "notes.pdf: not an answer sheet (.pdf)"),
    ],
)
def test_files_that_are_not_sheets(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    path = write(tmp_path, name, content)
    submission = only(read_sheet(path))
    assert (submission.student, submission.source) == (path.stem, str(path))
    assert submission.answers == {}
    assert submission.problems[0].startswith(problem)


def test_huge_file_is_not_read(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.csv", b"W5+,0.5\n" * (6_000_000 // 8))
    assert path.stat().st_size > MAX_BYTES
    submission = only(read_sheet(path))
    assert submission.answers == {}
    assert submission.problems == (
        "huge.csv: too large (6.0 MB; answer sheets are read up to 5 MB), not read",
    )


def test_missing_file(tmp_path: Path) -> None:
    submission = only(read_submissions([tmp_path / "nobody.csv"]))
    assert submission == Submission(
        "nobody", str(tmp_path / "nobody.csv"), {}, ("nobody.csv: no such file",)
    )


def test_utf16_from_excel_unicode_text(tmp_path: Path) -> None:
    content = codecs.BOM_UTF16_LE + "학번\tdE/dW5\tW5+\ns01\t0,08\t0,35\n".encode("utf-16-le")
    submission = only(read_sheet(write(tmp_path, "excel.csv", content)))
    assert (submission.student, values(submission)) == ("s01", {"dE/dW5": 0.08, "W5+": 0.35})


# ── many sheets ────────────────────────────────────────────────────────────────────────


def make_class(folder: Path) -> list[Path]:
    """A class folder mixing formats, an LMS-style subfolder, and files to be skipped."""
    return [
        write(folder, "b_s02.toml", 'student = "s02"\n[answers]\n"W5+" = 0.3589\n'),
        write(folder, "a_s01.csv", TEMPLATE.format(student="s01"), "cp949"),
        write(folder, "c_s03.json", '{"student": "s03", "answers": {"W5+": "0,3589"}}'),
        write(folder, "d_s04.txt", "W5+ = 0.36\n"),
        write(folder, "e_broken.json", '{"W5+": '),
        write(folder, "f_wide.csv", "id,W5+,W6+\ns05,0.3589,\ns06,0.4,0.5\ns07,\n"),
        write(folder, "s08/answers.csv", "W5+,0.3589\n"),
        write(folder, "group/x.txt", "W5+ = 0.1\n"),
        write(folder, "group/y.txt", "W5+ = 0.2\n"),
        write(folder, "deep/er/z.csv", "W5+,0.3\n"),  # two levels down: not read
        write(folder, ".hidden.csv", "W5+,0.3\n"),
        write(folder, "~$a_s01.csv", "W5+,0.3\n"),  # Excel's lock file
        write(folder, "readme.md", "# not a sheet\n"),
    ]


def test_folder_mixing_formats(tmp_path: Path) -> None:
    make_class(tmp_path / "class")
    submissions = read_submissions([tmp_path / "class", tmp_path / "s.csv"])
    assert [(s.student, Path(s.source).name) for s in submissions] == [
        ("s01", "a_s01.csv"),
        ("s02", "b_s02.toml"),
        ("s03", "c_s03.json"),
        ("d_s04", "d_s04.txt"),
        ("deep", "deep"),  # its sheet is two levels down: not read, and said so
        ("e_broken", "e_broken.json"),
        ("s05", "f_wide.csv:row 2"),
        ("s06", "f_wide.csv:row 3"),
        ("s07", "f_wide.csv:row 4"),
        ("x", "x.txt"),
        ("y", "y.txt"),
        ("s08", "answers.csv"),  # alone in its folder: the folder names the student
        ("s", "s.csv"),
    ]
    by_student = {s.student: s for s in submissions}
    assert (
        by_student["s02"].answers["W5+"].value == by_student["s03"].answers["W5+"].value == 0.3589
    )
    assert by_student["s07"].answers == {}
    assert by_student["e_broken"].problems[0].startswith("e_broken.json:1: not valid JSON")
    assert by_student["deep"].problems == (
        "deep: no answer sheets (*.csv, *.tsv, *.toml, *.json, *.txt) in this folder",
    )
    assert by_student["s"].problems == ("s.csv: no such file",)
    assert all(s.problems == () for s in submissions if s.student.startswith("s0"))


def test_same_input_same_output(tmp_path: Path) -> None:
    paths = make_class(tmp_path / "one")
    for path in reversed(paths):  # the same files created in the other order
        write(tmp_path / "two", str(path.relative_to(tmp_path / "one")), path.read_bytes())
    one = read_submissions([tmp_path / "one"])
    assert one == read_submissions([tmp_path / "one"])
    two = read_submissions([tmp_path / "two"])
    assert [s.source.replace("two", "one") for s in two] == [s.source for s in one]
    assert [(s.student, s.answers, len(s.problems)) for s in two] == [
        (s.student, s.answers, len(s.problems)) for s in one
    ]
    assert [list(s.answers) for s in one if s.student == "s01"] == [["dE/dW5", "W5+"]]


def test_read_submissions_never_raises(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "a.csv", b"\x00\x01"),
        write(tmp_path, "b.json", "{" * 100_000),  # nested too deep for the parser
        write(tmp_path, "c.toml", "a = " + "[" * 100_000),
        write(tmp_path, "d.csv", "W5+," + "9" * 200_000 + "\n"),  # over csv's field limit
        tmp_path / "missing.txt",
    ]
    submissions = read_submissions(paths)
    assert [Path(s.source) for s in submissions] == paths
    assert all(s.problems and not s.answers for s in submissions)


# ── the fast paths give what the full readers give ─────────────────────────────────────

ODD_NUMBERS = [
    *[
        "0.5",
        ".5",
        "5.",
        "-.5",
        "-",
        ".",
        "abc",
        "1/2",
        "50%",
        "1e-3",
        "1E+2",
        "nan",
        "-inf",
        "1_0",
        "0.5e",
        "--1",
    ],
    *("１２", "٣"),
    *("- 0.5", "≈0.5", "0.333...", "+0.5", "1.2.3", "00.10", "−0.5", "0,5", " 0.5 ", "½"),
    "12345678901234567890.123456789012345678901",
    "0." + "3" * 40,
    *("-0.0", "0", "999999999999999", "9999999999999999", "0.1234567890123456"),
    *("0.0000000000000000000000001", "1" * 23, "0." + "0" * 30 + "1", "-" + "7" * 15),
    *("1" * 101, "9" * 400, "0.08" + "0" * 100),  # over 100 characters: not a number
]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(ODD_NUMBERS),
            st.floats(-1e6, 1e6).map(repr),
            st.tuples(st.floats(-9, 9), st.integers(0, 20)).map(lambda p: f"{p[0]:.{p[1]}f}"),
            st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=6),
        ),
        max_size=25,
    )
)
@settings(max_examples=300)
def test_read_numbers_is_parse_number_for_a_column(texts: list[str]) -> None:
    """The grader reads a class's column at once; each cell must read as parse_number
    reads it alone (value, decimals written, readable)."""
    values, decimals, readable = read_numbers(texts)
    for i, text in enumerate(texts):
        answer = parse_number(text, decimal_comma=True)
        assert readable[i] == (answer.value is not None), text
        if answer.value is not None:
            assert values[i] == answer.value, text
            assert np.signbit(values[i]) == np.signbit(answer.value), text
            assert decimals[i] == (-1 if answer.decimals is None else answer.decimals), text


SHEET_LINES = [
    "# a comment, with a comma",
    "",
    "student,s7",
    "student, s8 ",
    "student,",
    "quantity,value",
    "quantity , value",
    "z1,0.1",
    "h1 , 0.52 ",
    "z1,0.2",
    "dE/dW5,",
    "W5+,0.5",
    ",0.3",
    "name,Kim",
    "Student ID,7",
    "E_total,0,5",
    "E_total;0.5",
    'W5+,"0.4"',
    "o1,abc",
    "o2,1/2",
    "z2",
    "  # indented comment",
    "  # note, here",
    "\u3000#c,1",
    "Quantity,Value",
    "ＱＵＡＮＴＩＴＹ,value",
]


@given(
    st.lists(st.sampled_from(SHEET_LINES), max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
@settings(max_examples=400)
def test_template_fast_path_reads_as_the_full_reader(
    lines: list[str], newline: str, header_first: bool
) -> None:
    """Whatever `_template_csv` accepts, the full CSV reader reads the same way."""
    from backviz.grading.sheets.csv_sheets import read_csv as _read_csv
    from backviz.grading.sheets.csv_sheets import read_template_csv as _template_csv
    from backviz.grading.sheets.submission import Sheet as _Sheet

    if header_first:
        lines = ["quantity,value", *lines]
    text = newline.join(lines) + newline
    fast = _template_csv(text, "s.csv", "s")
    if fast is None:
        return
    full = _read_csv(text, _Sheet("s.csv", "s.csv", "s"))
    assert len(fast) == len(full) == 1
    assert fast[0].student == full[0].student
    assert fast[0].problems == full[0].problems == ()
    assert dict(fast[0].answers) == dict(full[0].answers)
    assert list(fast[0].answers) == list(full[0].answers)


def test_a_long_column_of_whole_numbers_is_read_at_once() -> None:
    """The regular expression finding plain numbers has one way to match each: a column of
    whole numbers with one odd answer after them must not take exponential time."""
    import threading

    texts = ["100"] * 300 + ["1/2"]
    done: list[tuple] = []
    worker = threading.Thread(target=lambda: done.append(read_numbers(texts)), daemon=True)
    worker.start()
    worker.join(60)  # milliseconds when right; the age of the universe when not
    assert done, "read_numbers did not finish"
    values, decimals, readable = done[0]
    assert values[0] == 100 and values[-1] == 0.5 and readable.all()
    assert decimals[0] == 0 and decimals[-1] == -1


def test_a_symbolic_link_in_a_loop_does_not_hide_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    write(folder, "a.csv", TEMPLATE.format(student="a"))
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    (folder / "dir-loop").symlink_to(folder / "dir-loop")
    submission, loop = read_submissions([folder])
    assert submission.student == "a" and not submission.problems
    assert loop.student == "loop" and "a symbolic link, not followed" in loop.problems[0]


# ── what a folder holds: nothing handed in vanishes, no link is followed ───────────────


def workbook(path: Path) -> Path:
    """A real .xlsx (the smallest a spreadsheet opens), answers in it as Excel keeps them."""
    import zipfile

    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats'
        '.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "</Types>",
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><sheets><sheet name="answers" sheetId="1"/></sheets>'
        "</workbook>",
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="'
        'inlineStr"><is><t>z1</t></is></c><c r="B1"><v>0.08</v></c></row></sheetData>'
        "</worksheet>",
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, xml in parts.items():
            book.writestr(name, xml)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".XLSX", ".xlsm", ".xls", ".ods", ".numbers"])
def test_a_workbook_in_a_folder_is_its_students_problem_not_skipped(
    tmp_path: Path, suffix: str
) -> None:
    """A student who saved the sheet as a workbook handed it in: they appear, with the same
    message as when the file is named alone (save it as CSV)."""
    folder = tmp_path / "sheets"
    write(folder, "a.csv", TEMPLATE.format(student="a"))
    book = workbook(folder / f"kim{suffix}")
    a, kim = read_submissions([folder])
    assert (a.student, kim.student, kim.source, kim.answers) == ("a", "kim", str(book), {})
    assert kim.problems == only(read_sheet(book)).problems
    assert kim.problems[0].startswith(f"kim{suffix}: a spreadsheet workbook, not read: save it")


def test_a_tsv_in_a_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "sheets"
    write(folder, "kim.tsv", "quantity\tvalue\nstudent\ts07\ndE/dW5\t0,0822\nW5+\t0.3589\n")
    assert [(s.student, values(s), s.problems) for s in read_submissions([folder])] == [
        ("s07", {"dE/dW5": 0.0822, "W5+": 0.3589}, ())
    ]


T = TypeVar("T")


def finishes(work: Callable[[], T], seconds: float = 60) -> T:
    """`work()`'s value, failing (not hanging) when it does not return in time."""
    import threading

    done: list[T] = []
    worker = threading.Thread(target=lambda: done.append(work()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, "did not finish: something was opened that blocks"
    return done[0]


def test_a_fifo_is_its_students_problem_and_never_opened(tmp_path: Path) -> None:
    """A FIFO nobody writes to would block whoever opens it: it is told apart before any
    open, in a folder, behind a link, or named on the command line."""
    folder = tmp_path / "sheets"
    write(folder, "a.csv", TEMPLATE.format(student="a"))
    os.mkfifo(folder / "kim.csv")
    os.mkfifo(folder / "pipe")  # no suffix: still not skipped in silence
    os.mkfifo(tmp_path / "elsewhere.csv")
    (folder / "lee").symlink_to(tmp_path / "elsewhere.csv")  # a link to one
    a, *refused = finishes(lambda: read_submissions([folder]))
    assert (a.student, a.problems) == ("a", ())
    assert [(s.student, s.answers, s.problems) for s in refused] == [
        ("kim", {}, ("kim.csv: a FIFO (named pipe), not a file: not read",)),
        ("lee", {}, (f"lee: {LINK}",)),
        ("pipe", {}, ("pipe: a FIFO (named pipe), not a file: not read",)),
    ]
    named = only(finishes(lambda: read_sheet(tmp_path / "elsewhere.csv")))
    assert named.problems == ("elsewhere.csv: a FIFO (named pipe), not a file: not read",)
    device = only(finishes(lambda: read_sheet(Path("/dev/null"))))
    assert device.problems == ("null: a device, not a file: not read",)


def test_links_inside_a_folder_are_refused_never_followed(tmp_path: Path) -> None:
    """Only what the teacher names is followed. A link in the class folder (to another
    student's sheet, to a file outside, to a folder) is the student's problem, and what it
    leads to is never read; named on the command line, a link is followed."""
    outside = tmp_path / "outside"
    write(outside, "secret.csv", TEMPLATE.format(student="secret"))
    folder = tmp_path / "sheets"
    write(folder, "a.csv", TEMPLATE.format(student="a"))
    (folder / "copy.csv").symlink_to(folder / "a.csv")
    (folder / "kim.csv").symlink_to(outside / "secret.csv")
    (folder / "lee").symlink_to(outside, target_is_directory=True)  # a student folder
    write(folder, "park/answers.csv", TEMPLATE.format(student="park"))
    (folder / "park" / "more.csv").symlink_to(outside / "secret.csv")
    (folder / "notes.md").symlink_to(outside / "secret.csv")  # not a sheet's name: skipped
    found = read_submissions([folder])
    assert [s.student for s in found] == ["a", "copy", "kim", "lee", "park", "more"]
    refused = {s.student: s.problems for s in found if s.student != "a" and s.student != "park"}
    assert refused == {
        "copy": (f"copy.csv: {LINK}",),
        "kim": (f"kim.csv: {LINK}",),
        "lee": (f"lee: {LINK}",),
        "more": (f"more.csv: {LINK}",),
    }
    assert all(s.answers == {} for s in found if s.student in refused)
    assert not any("secret" in s.student for s in found)
    # named by the teacher: the link is followed, the linked folder listed (by the same rule)
    (tmp_path / "named.csv").symlink_to(outside / "secret.csv")
    (tmp_path / "class").symlink_to(folder, target_is_directory=True)
    assert only(read_submissions([tmp_path / "named.csv"])).student == "secret"
    assert [s.student for s in read_submissions([tmp_path / "class"])] == [s.student for s in found]


def test_a_sheet_swapped_for_a_link_after_it_was_listed_is_refused(tmp_path: Path) -> None:
    """The file is opened without following links (O_NOFOLLOW): a sheet replaced by a link
    between the listing and the reading is not followed either."""
    from backviz.grading.sheets.folders import sheet_entries
    from backviz.grading.sheets.reading import read_entries

    outside = write(tmp_path, "secret.csv", TEMPLATE.format(student="secret"))
    folder = tmp_path / "sheets"
    sheet = write(folder, "kim.csv", TEMPLATE.format(student="kim"))
    entries = sheet_entries([folder])
    sheet.unlink()
    sheet.symlink_to(outside)
    (kim,) = read_entries(entries)
    assert (kim.student, kim.answers, kim.problems) == ("kim", {}, (f"kim.csv: {LINK}",))


# ── a value split by a comma is reported, never guessed ────────────────────────────────


def test_a_decimal_comma_in_a_comma_csv_is_reported_not_read_as_a_number(tmp_path: Path) -> None:
    """`h1,0,52` under a `quantity,value` header is not h1 = 0 (nor 52): it is unreadable,
    showing what was written, and told with what was probably meant; a value in a column of
    its own is not silently missing."""
    content = TEMPLATE.format(student="s01") + "h1,0,52\nz2,,0.11\nz3,-1,5\n"
    submission = only(read_sheet(write(tmp_path, "s.csv", content)))
    assert values(submission) == {
        **{"dE/dW5": 0.08216704, "W5+": 0.35891648},
        **{"h1": None, "z2": None, "z3": None},
    }
    assert [submission.answers[q].text for q in ("h1", "z2", "z3")] == ["0,52", ",0.11", "-1,5"]
    assert submission.problems == (
        "s.csv:8: the row of 'h1' has 3 cells ('h1', '0', '52') where 2 were expected: a "
        'decimal comma? write 0.52 or quote it ("0,52"); not read',
        "s.csv:9: the row of 'z2' has 3 cells ('z2', '', '0.11') where 2 were expected: the "
        "value belongs in column 2, alone; not read",
        "s.csv:10: the row of 'z3' has 3 cells ('z3', '-1', '5') where 2 were expected: a "
        'decimal comma? write -1.5 or quote it ("-1,5"); not read',
    )


def test_a_split_value_in_a_wide_csv_leaves_the_row_unread(tmp_path: Path) -> None:
    """In a wide CSV a decimal comma shifts every column after it: no answer of that row is
    graded as if written (z2 would be 52), the row's student still appears."""
    content = "student,z1,h1,z2\ns01,0.08,0,52,0.11\ns02,0.08,0.52,0.11\n"
    s01, s02 = read_sheet(write(tmp_path, "class.csv", content))
    assert (s01.student, s01.answers) == ("s01", {})
    assert s01.problems == (
        "class.csv:2: 5 cells but the header has 4: a decimal comma? write 0.52 or quote it "
        '("0,52"); the columns after it are shifted, so no answer of this row is read',
    )
    assert (s02.student, values(s02), s02.problems) == (
        "s02",
        {"z1": 0.08, "h1": 0.52, "z2": 0.11},
        (),
    )
