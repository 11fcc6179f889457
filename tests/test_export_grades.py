"""`backviz export grades`: the files Canvas's and Moodle's gradebooks import, read back by
models of their importers written from the importers' own code, not from backviz's.

`canvas_reads` follows Canvas's app/models/gradebook_importer.rb (csv_stream's delimiter
choice, skipped lines and decimal-comma converter; `header?`, `row_has_student_headers?`,
`update_column_count`, `strip_non_assignment_columns`, `parse_assignments` with
`Assignment.title_and_id`; `check_for_non_student_row`'s points and muted rows;
`process_student`'s lookup by ID, SIS User ID, SIS Login ID, then name). `moodle_reads`
follows grade/import/csv/classes/load_data.php (`trim_headers`, lines of one cell skipped,
`check_user_exists` aborting the import at an unknown user, "" and "-" as no grade,
`unformat_float`, `insert_grade_record`'s limit of 100). Expected scores are total / max ×
points by hand.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "gradebooks"

# ── Canvas's importer, modelled ──────────────────────────────────────────────────────

NON_ASSIGNMENT = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
    "Override Score|Override Grade|Override Status"
)


class InvalidHeaderRow(Exception):
    """Canvas's importer fails the whole upload: "Invalid header row"."""


def _canvas_delimiter(lines: list[str]) -> str:
    counts = {}
    for sep in ";,":
        sizes = [len(next(csv.reader([line], delimiter=sep), [])) for line in lines[:3]]
        counts[sep] = sizes[0] if len(set(sizes)) == 1 else 0
    return ";" if counts[";"] > counts[","] else ","


def _decimal_comma(field: str) -> str:
    if re.fullmatch(r"-?[0-9.,]+%?", field):
        parts = re.split(r"[,.]", field)
        last = parts.pop()
        return last if not parts else "".join(parts) + "." + last
    return field


def canvas_reads(text: str, course: list[dict]) -> dict:
    """What Canvas's importer makes of `text` in a course of `course`'s students (dicts of
    id, name, sortable_name, sis_user_id, login) and assignments (the export's)."""
    lines = [
        line for line in text.splitlines(keepends=True) if not re.fullmatch(r"[;, ]+\n?", line)
    ]
    sep = _canvas_delimiter(text.splitlines(keepends=True)[:3])
    rows = [[_decimal_comma(c) for c in row] for row in csv.reader(lines, delimiter=sep)]
    header = rows[0]
    if not (
        (len(header) > 3 and "Student" in header[0] and "ID" in header[1])
        or (
            len(header) > 4
            and "LastName" in header[0]
            and "FirstName" in header[1]
            and "ID" in header[2]
        )
    ):
        raise InvalidHeaderRow
    names = 4 if header[0] == "LastName" and header[1] == "FirstName" else 3
    columns, sis_user, sis_login = names, None, None
    if re.search(r"SIS\s+Login\s+ID", header[names - 1]):
        sis_login, columns = names - 1, columns + 1
    elif re.search(r"SIS\s+User\s+ID", header[names - 1]) and re.search(
        r"SIS\s+Login\s+ID", header[names]
    ):
        i = (
            1
            if len(header) > names + 1 and re.search(r"Integration\s+ID", header[names + 1])
            else 0
        )
        sis_user, sis_login, columns = names - 1, names, columns + 2 + i
        if len(header) > names + 1 + i and re.search(r"Root\s+Account", header[names + 1 + i]):
            columns += 1
    if "Section" not in header[columns - 1]:
        raise InvalidHeaderRow
    assignments = {}  # column → (canvas id or None, title)
    for index, name in enumerate(header):
        if index < columns or NON_ASSIGNMENT.search(name):
            continue
        found = re.fullmatch(r"(.*)\s\((\d+)\)", name, flags=re.S)
        assignments[index] = (int(found[2]), found[1]) if found else (None, name)
    points, grades = {}, {}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            points = {i: row[i] for i in assignments if i < len(row) and row[i]}
            continue
        if all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, flags=re.I) for c in row):
            continue
        student = None
        student_id = row[2] if names == 4 else row[1]
        if student_id.strip():
            student = next((s for s in course if str(s["id"]) == str(int(float(student_id)))), None)
        if student is None and sis_user is not None and row[sis_user]:
            student = next((s for s in course if s["sis_user_id"] == row[sis_user]), None)
        if student is None and sis_login is not None and row[sis_login]:
            student = next((s for s in course if s["login"] == row[sis_login]), None)
        name = f"{row[1]} {row[0]}".strip() if names == 4 else row[0]
        if student is None:
            student = next((s for s in course if name in (s["name"], s["sortable_name"])), None)
        key = student["id"] if student else ("new", row[0])
        grades[key] = {
            assignments[i]: (row[i] if i < len(row) else "").strip() for i in assignments
        }
    return {"assignments": assignments, "points": points, "grades": grades}


COURSE = [
    {
        "id": 1101,
        "name": "Minjun Kim",
        "sortable_name": "Kim, Minjun",
        "sis_user_id": "s01",
        "login": "minjun.kim@example.ac.kr",
    },
    {
        "id": 1102,
        "name": "Seoyeon Lee",
        "sortable_name": "Lee, Seoyeon",
        "sis_user_id": "s02",
        "login": "seoyeon.lee@example.ac.kr",
    },
    {
        "id": 1103,
        "name": "Jiho Park",
        "sortable_name": "Park, Jiho",
        "sis_user_id": "s03",
        "login": "jiho.park@example.ac.kr",
    },
    {
        "id": 1104,
        "name": "Yuna Choi",
        "sortable_name": "Choi, Yuna",
        "sis_user_id": "s04",
        "login": "yuna.choi@example.ac.kr",
    },
]
"""The course of examples/gradebooks/canvas-export.csv, as Canvas holds it."""


# The model checked on cases of Canvas's own spec (spec/models/gradebook_importer_spec.rb).


def test_the_canvas_model_reads_canvas_specs_semicolon_file_as_canvas_does():
    """ "strips leading and trailing spaces from grades": a ';' file, totals left out."""
    rows = [
        "Student;ID;Section;Aufgabe 1;Aufgabe 2;Final Score",
        "Points Possible;;;10000,54;100,00;",
        "'Merkel, Angela';1;Mein Kurs; 123,4;57,4%;",
        "'Einstein, Albert';2;Mein Kurs;1234,5 ;4.200,3%;",
    ]
    course = [
        {"id": 1, "name": "", "sortable_name": "", "sis_user_id": "", "login": ""},
        {"id": 2, "name": "", "sortable_name": "", "sis_user_id": "", "login": ""},
    ]
    read = canvas_reads("\n".join(rows) + "\n", course)
    assert [title for _, title in read["assignments"].values()] == ["Aufgabe 1", "Aufgabe 2"]
    assert [g[(None, "Aufgabe 1")] for g in read["grades"].values()] == ["123,4", "1234,5"]


def test_the_canvas_model_looks_students_up_as_canvas_specs_say():
    """ "Lookups with either Student Name, ID, SIS User ID, or SIS Login ID"; a file without
    a header row fails ("Invalid header row")."""
    rows = [
        "Student,ID,SIS User ID,SIS Login ID,Section,Assignment 1",
        "    Points Possible,,,,,",
        "Minjun Kim,,,,,99",
        ",,s02,,,99",
        ",,,jiho.park@example.ac.kr,,99",
        ",,bogusSISid,,,99",
    ]
    read = canvas_reads("\n".join(rows) + "\n", COURSE)
    assert list(read["grades"]) == [1101, 1102, 1103, ("new", "")]
    with pytest.raises(InvalidHeaderRow):
        canvas_reads(",,0123456,,,99\n,,,0231163,,99\n", COURSE)


# ── Moodle's importer, modelled ──────────────────────────────────────────────────────

USERS = [
    {"id": 7, "idnumber": "s01", "email": "minjun.kim@example.ac.kr", "username": "minjun"},
    {"id": 8, "idnumber": "s02", "email": "seoyeon.lee@example.ac.kr", "username": "seoyeon"},
    {"id": 9, "idnumber": "s03", "email": "jiho.park@example.ac.kr", "username": "jiho"},
    {"id": 10, "idnumber": "s04", "email": "yuna.choi@example.ac.kr", "username": "yuna"},
]
USERS += [
    {"id": 21, "idnumber": "", "email": "student7@mail.com", "username": "anne"},
    {"id": 22, "idnumber": "", "email": "student5@mail.com", "username": "bobby"},
]  # the users of Moodle's own test (grade/import/csv/tests/load_data_test.php)
FIELDS = {"ID number": "idnumber", "Email address": "email", "Username": "username"}


class MoodleAbort(Exception):
    """Moodle's import stops and imports nothing."""


def _unformat_float(value: str) -> float | None:
    value = value.strip().replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None


def moodle_reads(text: str, map_from: str, map_to: str, item: str) -> dict[int, float | None]:
    """What Moodle's CSV grade import makes of `text` when the teacher maps column `map_from`
    to the user field `map_to` and column `item` to a grade item: user id → grade."""
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(text.splitlines(keepends=True)))
    header = [h.strip() for h in rows[0]]
    if any(len(row) != len(header) for row in rows):  # csv_import_reader: "csvweirdcolumns"
        raise MoodleAbort("rows of another number of columns than the header")
    user_at, item_at = header.index(map_from), header.index(item)
    grades = {}
    for line in rows[1:]:
        if len(line) <= 1:
            continue
        value = line[user_at].strip()
        user = next((u for u in USERS if value and u[map_to] == value), None)
        if user is None:
            raise MoodleAbort(f"user mapping error: {value!r}")
        grade = line[item_at].strip()
        if grade in ("", "-"):
            grades[user["id"]] = None
            continue
        number = _unformat_float(grade)
        if number is None:
            raise MoodleAbort(f"bad grade {grade!r}")
        if number > 100:
            raise MoodleAbort("grade value too big")
        grades[user["id"]] = number
    return grades


# ── running the command ──────────────────────────────────────────────────────────────


def export(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backviz", "export", "grades", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def grades_file(tmp_path: Path, rows: list[str], *, bom: bool = False) -> Path:
    path = tmp_path / "grades.csv"
    text = "student,total,max,z1\n" + "".join(f"{row}\n" for row in rows)
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


# ── Canvas ───────────────────────────────────────────────────────────────────────────


def test_canvas_file_puts_each_score_on_its_student_in_the_existing_assignment(tmp_path):
    out = tmp_path / "import.csv"
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "Backprop 1",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    assert list(read["assignments"].values()) == [(4521, "Backprop 1")]  # Canvas's own, by id
    (column,) = read["assignments"]
    assert float(read["points"][column]) == 10.0  # the export's points, kept
    # grades.csv: s01 39/39, s02 38/39, s03 0/39 (on the roster, handed nothing in)
    scores = {student: grades[(4521, "Backprop 1")] for student, grades in read["grades"].items()}
    assert scores == {1101: "10", 1102: f"{38 / 39 * 10:.2f}", 1103: "0"}
    assert "s09: no student of canvas-export.csv has SIS User ID 's09'" in result.stderr
    assert "Choi, Yuna (s04)" in result.stderr  # in Canvas, no row in grades.csv: told
    assert "by SIS User ID" in result.stderr


def test_canvas_new_assignment_is_created_with_grades_max_as_its_points(tmp_path):
    out = tmp_path / "import.csv"
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "Backprop 2",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    ((column, assignment),) = read["assignments"].items()
    assert assignment == (None, "Backprop 2")  # a new one: no id
    assert float(read["points"][column]) == 39.0
    assert read["grades"][1102][assignment] == "38"
    assert "a new assignment 'Backprop 2'" in result.stderr


@pytest.mark.parametrize(
    ("ids", "column"),
    [
        (["minjun.kim", "seoyeon.lee"], "SIS Login ID (before the @)"),
        # grade names an id kim@uni as a file name: minjun.kim_example.ac.kr
        (["minjun.kim_example.ac.kr", "seoyeon.lee_example.ac.kr"], "SIS Login ID"),
        (["Minjun Kim", "Lee Seoyeon"], "Student"),
        (["1101", "1102"], "ID"),
    ],
)
def test_canvas_students_are_matched_on_the_column_their_ids_are(tmp_path, ids, column):
    grades = grades_file(tmp_path, [f"{ids[0]},39,39,1", f"{ids[1]},19.5,39,1"])
    out = tmp_path / "import.csv"
    result = export(
        grades,
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "4521",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    assert f"2 of 2 student(s) matched to canvas-export.csv by {column};" in result.stderr
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    assert {s: g[(4521, "Backprop 1")] for s, g in read["grades"].items()} == {
        1101: "10",
        1102: "5",
    }


def test_canvas_without_the_export_writes_ids_where_canvas_looks_them_up(tmp_path):
    out = tmp_path / "import.csv"
    result = export(EXAMPLES / "grades.csv", "--to", "canvas", "--assignment", "HW 3", "-o", out)
    assert result.returncode == 0, result.stderr
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    assignment = (None, "HW 3")
    assert read["grades"][1101][assignment] == "39"  # found by SIS User ID s01
    assert read["grades"][("new", "")][assignment] == "39"  # s09: Canvas's review lists it
    assert "nothing checked without --gradebook" in result.stderr


@pytest.mark.parametrize(
    ("rows", "withheld"),
    [
        (["s01,39,39,1", "s01-2,12,39,1", "s02,38,39,1"], {"s01", "s01-2"}),  # grade's 2nd sheet
        (["s01,39,39,1", "S01,12,39,1", "s02,38,39,1"], {"s01", "S01"}),  # a hand-edited copy
    ],
)
def test_canvas_two_rows_for_one_student_export_neither(tmp_path, rows, withheld):
    out, listed = tmp_path / "import.csv", tmp_path / "unmatched.csv"
    result = export(
        grades_file(tmp_path, rows),
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "Backprop 1",
        "-o",
        out,
        "--unmatched",
        listed,
    )
    assert result.returncode == 0, result.stderr
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    assert set(read["grades"]) == {1102}
    with listed.open(newline="", encoding="utf-8") as stream:
        assert {row["student"] for row in csv.DictReader(stream)} == withheld


def test_canvas_hostile_cells_are_text_and_still_match(tmp_path):
    export_csv = (EXAMPLES / "canvas-export.csv").read_text(encoding="utf-8")
    export_csv = export_csv.replace('"Kim, Minjun"', '"=HYPERLINK(""http://x"",""Kim"")"')
    export_csv = export_csv.replace('"Lee, Seoyeon"', '"Points Possible, Lee"')
    book = tmp_path / "export.csv"
    book.write_text("\ufeff" + export_csv, encoding="utf-8")  # Canvas's BOM
    grades = grades_file(tmp_path, ["s01,39,39,1", "s02,38,39,1", "=1+2,1,39,1"], bom=True)
    out = tmp_path / "import.csv"
    result = export(
        grades, "--to", "canvas", "--gradebook", book, "--assignment", "Backprop 1", "-o", out
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "\n\"'=HYPERLINK" in text  # a formula shown as text
    read = canvas_reads(text, COURSE)
    assert set(read["grades"]) == {1101, 1102}  # by ID; the second not taken for the points
    assert float(next(iter(read["points"].values()))) == 10.0
    assert "=1+2" in result.stderr


def test_canvas_semicolon_export_with_decimal_commas_is_read(tmp_path):
    text = (EXAMPLES / "canvas-export.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    book = tmp_path / "export.csv"
    with book.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=";")
        for row in rows:
            writer.writerow(
                [c.replace(".", ",") if re.fullmatch(r"[0-9.]+", c) else c for c in row]
            )
    out = tmp_path / "import.csv"
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "canvas",
        "--gradebook",
        book,
        "--assignment",
        "Backprop 1",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    written = out.read_text(encoding="utf-8")
    assert _canvas_delimiter(written.splitlines(keepends=True)) == ","
    assert canvas_reads(written, COURSE)["grades"][1102][(4521, "Backprop 1")] == "9.74"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Backprop (12)", "id 12"),
        ("Backprop Final Score", "'Final Score'"),
        ("Section", "no assignment"),
        ("Current Points", "is not an assignment Canvas imports grades into"),
        ("Backprop 1 --points 20", "'Backprop 1 (4521)' is out of 10 in canvas-export.csv"),
    ],
)
def test_canvas_names_its_importer_would_misread_are_refused(tmp_path, name, said):
    out = tmp_path / "import.csv"
    name, *more = name.split(" --")
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        name,
        "-o",
        out,
        *[arg for option in more for arg in f"--{option}".split()],
    )
    assert result.returncode == 2
    assert said in result.stderr and len(result.stderr.splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("grades", "book", "said"),
    [
        ("student,score\ns01,3\n", None, "grades.csv: line 1: column 'total' expected"),
        (
            None,
            "Name,Id,Section\nKim,1,A\n",
            "export.csv: line 1: expected a Canvas gradebook export",
        ),
        (None, "Student,ID,SIS User ID,SIS Login ID,Group,HW (1)\n", "column 5 expected 'Section'"),
    ],
)
def test_missing_columns_are_one_line(tmp_path, grades, book, said):
    grades_path = EXAMPLES / "grades.csv"
    if grades is not None:
        grades_path = tmp_path / "grades.csv"
        grades_path.write_text(grades, encoding="utf-8")
    book_path = EXAMPLES / "canvas-export.csv"
    if book is not None:
        book_path = tmp_path / "export.csv"
        book_path.write_text(book, encoding="utf-8")
    result = export(
        grades_path,
        "--to",
        "canvas",
        "--gradebook",
        book_path,
        "--assignment",
        "X",
        "-o",
        tmp_path / "out.csv",
    )
    assert result.returncode == 2
    assert said in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_a_row_with_an_unreadable_total_is_reported_not_dropped(tmp_path):
    grades = grades_file(tmp_path, ["s01,39,39,1", "s02,abc,39,1"])
    result = export(
        grades,
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "Backprop 1",
        "-o",
        tmp_path / "out.csv",
    )
    assert result.returncode == 0
    assert "field 'total' expected a number (0 or more), found 'abc'" in result.stderr


def test_the_output_never_replaces_an_input(tmp_path):
    book = tmp_path / "export.csv"
    shutil.copy(EXAMPLES / "canvas-export.csv", book)
    before = book.read_bytes()
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "canvas",
        "--gradebook",
        book,
        "--assignment",
        "Backprop 1",
        "-o",
        book,
    )
    assert result.returncode == 2 and book.read_bytes() == before


# ── Moodle ───────────────────────────────────────────────────────────────────────────


def test_moodle_file_imports_each_matched_student_and_no_unknown_one(tmp_path):
    out = tmp_path / "import.csv"
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "moodle",
        "--gradebook",
        EXAMPLES / "moodle-export.csv",
        "--assignment",
        "Backprop 1",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    header = next(csv.reader([text.splitlines()[0]]))
    grades = moodle_reads(text, header[0], FIELDS[header[0]], header[-1])  # no MoodleAbort
    assert grades == {7: 39.0, 8: 38.0, 9: 0.0}
    assert "s09" in result.stderr


def test_moodle_matched_by_login_is_written_with_the_id_moodle_maps(tmp_path):
    grades = grades_file(tmp_path, ["minjun.kim,39,39,1", "jiho.park,13,39,1"])
    out = tmp_path / "import.csv"
    result = export(
        grades,
        "--to",
        "moodle",
        "--gradebook",
        EXAMPLES / "moodle-export.csv",
        "--assignment",
        "Backprop 1",
        "--points",
        "100",
        "-o",
        out,
    )
    assert result.returncode == 0, result.stderr
    assert "by Email address (before the @), written with their ID number" in result.stderr
    grades_read = moodle_reads(
        out.read_text(encoding="utf-8"), "ID number", "idnumber", "Assignment: Backprop 1 (Real)"
    )
    assert grades_read == {7: 100.0, 9: round(13 / 39 * 100, 2)}


def test_moodle_without_the_export_warns_of_what_moodle_refuses(tmp_path):
    grades = grades_file(tmp_path, ["s01,150,200,1"])
    out = tmp_path / "import.csv"
    result = export(grades, "--to", "moodle", "--assignment", "Backprop 1", "-o", out)
    assert result.returncode == 0
    assert "Moodle stops the whole import at an id it does not know" in result.stderr
    assert "Moodle refuses a grade above 100" in result.stderr
    with pytest.raises(MoodleAbort, match="too big"):
        moodle_reads(out.read_text(encoding="utf-8"), "ID number", "idnumber", "Backprop 1")
    export(grades, "--to", "moodle", "--assignment", "Backprop 1", "--points", "100", "-o", out)
    assert moodle_reads(out.read_text(encoding="utf-8"), "ID number", "idnumber", "Backprop 1") == {
        7: 75.0
    }


@pytest.mark.parametrize(
    ("header", "cells"),
    [
        (  # an export of a course with integration ids, across root accounts
            "Student,ID,SIS User ID,SIS Login ID,Integration ID,Root Account,Section",
            '"Lee, Seoyeon",1102,s02,seoyeon.lee@example.ac.kr,int-2,uni.instructure.com,Sec 1',
        ),
        (  # names split, as Canvas writes them where that option is on
            "LastName,FirstName,ID,SIS User ID,SIS Login ID,Section",
            "Lee,Seoyeon,1102,s02,seoyeon.lee@example.ac.kr,Sec 1",
        ),
    ],
)
def test_canvas_student_columns_are_copied_as_the_export_has_them(tmp_path, header, cells):
    book = tmp_path / "export.csv"
    points = "    Points Possible" + "," * len(header.split(",")) + "10.00"
    book.write_text(f"{header},Backprop 1 (4521)\n{points}\n{cells},\n")
    grades = grades_file(tmp_path, ["Seoyeon Lee,38,39,1"])
    out = tmp_path / "import.csv"
    result = export(
        grades,
        "--to",
        "canvas",
        "--gradebook",
        book,
        "--assignment",
        "Backprop 1",
        "-o",
        out,
        "--match",
        "name",
    )
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"{header},Backprop 1 (4521)"
    assert lines[2].startswith(cells.rstrip(","))
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    assert read["grades"] == {1102: {(4521, "Backprop 1"): "9.74"}}


def test_ids_matching_no_column_are_all_reported_with_a_hint(tmp_path):
    grades = grades_file(tmp_path, ["zz1,39,39,1", "zz2,20,39,1"])
    listed = tmp_path / "unmatched.csv"
    result = export(
        grades,
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "Backprop 1",
        "-o",
        tmp_path / "out.csv",
        "--unmatched",
        listed,
    )
    assert result.returncode == 2  # an import file of nobody changes nothing: not written
    assert "no row of grades.csv matched on any column" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"backviz: {tmp_path / 'out.csv'}: not written: no row of grades.csv matched a student "
        f"of canvas-export.csv (why: {listed})"
    )
    assert not (tmp_path / "out.csv").exists()
    assert listed.read_text(encoding="utf-8").splitlines()[1:] == [
        "zz1,no student of canvas-export.csv has SIS User ID 'zz1'",
        "zz2,no student of canvas-export.csv has SIS User ID 'zz2'",
    ]


def test_moodle_export_from_korean_excel_matches_korean_names(tmp_path):
    """A Moodle export saved again by Excel on Korean Windows (CP949), names as 김민준."""
    book = tmp_path / "moodle.csv"
    book.write_bytes(
        "First name,Surname,ID number,Email address,Backprop 1\n"
        "민준,김,s01,minjun.kim@example.ac.kr,-\n"
        "서연,이,s02,seoyeon.lee@example.ac.kr,-\n".encode("cp949")
    )
    grades = grades_file(tmp_path, ["김민준,39,39,1", "이서연,26,39,1"])
    out = tmp_path / "import.csv"
    result = export(
        grades, "--to", "moodle", "--gradebook", book, "--assignment", "Backprop 1", "-o", out
    )
    assert result.returncode == 0, result.stderr
    assert "matched to moodle.csv by Surname, First name, written with their ID number" in (
        result.stderr
    )
    text = out.read_text(encoding="utf-8")
    assert moodle_reads(text, "ID number", "idnumber", "Backprop 1") == {7: 39.0, 8: 26.0}
    assert "김" in text  # the names, for the teacher's eyes, in UTF-8


MOODLE_OKTEXT = (
    '"First name",Surname,"ID number",Institution,Department,"Email address",'
    '"Assignment: Assignment for grape group","Course total"\n'
    'Anne,Able,,"Moodle HQ","Rock on!",student7@mail.com,56.00,56.00\n'
    'Bobby,Bunce,,"Moodle HQ","Rock on!",student5@mail.com,75.00,75.00\n'
)
"""An export as Moodle's own importer test has it: no ID numbers, users known by e-mail."""


def test_moodle_students_without_id_numbers_are_written_with_their_email(tmp_path):
    book = tmp_path / "moodle.csv"
    book.write_text(MOODLE_OKTEXT, encoding="utf-8")
    grades = grades_file(tmp_path, ["student7,50,100,1", "Bunce Bobby,80,100,1"])
    out = tmp_path / "import.csv"
    result = export(
        grades,
        "--to",
        "moodle",
        "--gradebook",
        book,
        "--assignment",
        "Assignment for grape group",
        "-o",
        out,
        "--match",
        "login",
    )
    assert result.returncode == 0, result.stderr
    assert "written with their Email address" in result.stderr
    assert "Bunce Bobby: no student of moodle.csv has Email address (before the @)" in (
        result.stderr
    )
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "Email address,First name,Surname,Assignment: Assignment for grape group"
    )
    item = "Assignment: Assignment for grape group"
    assert moodle_reads(text, "Email address", "email", item) == {21: 50.0}
    result = export(
        grades,
        "--to",
        "moodle",
        "--gradebook",
        book,
        "--assignment",
        "Assignment for grape group",
        "-o",
        out,
    )
    text = out.read_text(encoding="utf-8")
    assert "matched to moodle.csv by Email address (before the @)" in result.stderr
    assert moodle_reads(text, "Email address", "email", item) == {21: 50.0}


def test_canvas_assignment_worth_0_points_is_refused_without_points(tmp_path):
    """Canvas keeps the points a score is; out of 0 points every total would be written 0."""
    book = tmp_path / "canvas-export.csv"
    text = (EXAMPLES / "canvas-export.csv").read_text(encoding="utf-8")
    book.write_text(text.replace(",10.00,5.00,", ",0.00,5.00,", 1), encoding="utf-8")
    out = tmp_path / "import.csv"
    args = [EXAMPLES / "grades.csv", "--to", "canvas", "--gradebook", book]
    result = export(*args, "--assignment", "Backprop 1", "-o", out)
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.strip().splitlines() == [
        f"backviz: {book}: line 2: assignment 'Backprop 1 (4521)' is worth 0 points in "
        "canvas-export.csv: every score would be 0; set its points in Canvas (and export "
        "again), or give the points to score out of with --points"
    ]
    result = export(*args, "--assignment", "Backprop 1", "--points", "10", "-o", out)
    assert result.returncode == 0, result.stderr
    read = canvas_reads(out.read_text(encoding="utf-8"), COURSE)
    scores = {student: grades[(4521, "Backprop 1")] for student, grades in read["grades"].items()}
    assert scores == {1101: "10", 1102: f"{38 / 39 * 10:.2f}", 1103: "0"}  # 39/39, 38/39, 0/39


def test_the_unmatched_list_never_replaces_the_import_file(tmp_path):
    out = tmp_path / "import.csv"
    result = export(
        EXAMPLES / "grades.csv",
        "--to",
        "canvas",
        "--gradebook",
        EXAMPLES / "canvas-export.csv",
        "--assignment",
        "Backprop 1",
        "-o",
        out,
        "--unmatched",
        tmp_path / "." / "import.csv",
    )
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.strip().splitlines() == [
        f"backviz: --unmatched {tmp_path / 'import.csv'}: is the import file (-o) too; give "
        "another file"
    ]
