"""A Moodle quiz of several attempts: one attempt per student, as the quiz's grading method.

Moodle's rule (mod/quiz grade_calculator, formerly `quiz_calculate_best_grade`, over the
student's finished attempts only): highest (the default; `>` keeps the earlier of equal
grades), first, last, or the average. The totals expected here follow from backviz's marking
rules, not from its output: a sheet of torch's answer key rounded to 4 decimals earns every
mark (39 / 39), and one with h1 slipped and everything after it computed from the slip loses
h1's mark only (38: the rest is carried).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from tests.test_export_moodle import ASKED_222, HEADER_4, rounded, torch_222
from tests.test_grading import SEED, by_hand_222

RIGHT = rounded(torch_222())  # 39 / 39
SLIPPED = rounded(by_hand_222({"h1": 0.5225}))  # 38 / 39
BLANK = [""] * len(ASKED_222)
TIMES = ["3 November 2026, 10:02 AM", "3 November 2026, 10:48 AM", "46 mins"]


def attempt(student: str, state: str, answers: list[str] | None) -> list[str]:
    response = (
        "; ".join(f"part {k}: {a}" for k, a in enumerate(answers, start=1)) if answers else "-"
    )
    return ["Kim", "Minjun", student, state, *TIMES, "-", response]


def report(tmp: Path, rows: list[list[str]]) -> Path:
    path = tmp / "responses.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*HEADER_4, "Response 1"])
        writer.writerows(rows)
    return path


def run(tmp: Path, path: Path, *options: str) -> tuple[dict[str, float], Path]:
    out = tmp / "reports"
    args = ["grade", str(SEED), str(path), "--out", str(out), "--no-diagrams", *options]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with (out / "grades.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    totals = {row["student"]: float(row["total"]) for row in rows}
    assert len(totals) == len(rows)  # a row per student: no kim-2
    return totals, out


CLASS = [
    attempt("kim@example.edu", "Finished", SLIPPED),  # 38
    attempt("kim@example.edu", "Finished", RIGHT),  # 39
    attempt("kim@example.edu", "In progress", BLANK),  # not finished: never counted
    attempt("lee@example.edu", "Finished", RIGHT),  # 39
    attempt("lee@example.edu", "Finished", SLIPPED),  # 38
    attempt("lee@example.edu", "Never submitted", None),
    attempt("park@example.edu", "Finished", SLIPPED),  # one attempt
]


@pytest.mark.parametrize(
    ("method", "kim", "lee"),
    [("highest", 39, 39), ("first", 38, 39), ("last", 39, 38), ("average", 38.5, 38.5)],
)
def test_each_student_gets_one_grade_by_the_quizs_grading_method(
    tmp_path: Path, method: str, kim: float, lee: float
) -> None:
    """The finished attempts only, chosen or averaged as Moodle's grading method does; an
    attempt in progress or never submitted is never a zero over a finished one."""
    totals, _ = run(tmp_path, report(tmp_path, CLASS), "--attempts", method)
    assert totals == {"kim_example.edu": kim, "lee_example.edu": lee, "park_example.edu": 38}


def test_highest_is_the_default_and_the_report_says_which_attempt(tmp_path: Path) -> None:
    totals, out = run(tmp_path, report(tmp_path, CLASS))
    assert totals["kim_example.edu"] == 39
    feedback = (out / "feedback" / "kim_example.edu.md").read_text(encoding="utf-8")
    assert (
        "responses.csv: 3 attempts; graded attempt 2 (row 3), the highest total "
        "(--attempts highest); the others: attempt 1 (row 2) 38, attempt 3 (row 4) "
        "In progress: not counted"
    ) in feedback
    assert "not Finished" not in feedback  # the unfinished attempt is not the one graded


def test_equal_grades_keep_the_earlier_attempt(tmp_path: Path) -> None:
    rows = [attempt("kim@example.edu", "Finished", RIGHT[:1] + SLIPPED[1:]),  # h1 slipped
            attempt("kim@example.edu", "Finished", SLIPPED)]  # fmt: skip
    _, out = run(tmp_path, report(tmp_path, rows))
    feedback = (out / "feedback" / "kim_example.edu.md").read_text(encoding="utf-8")
    assert "graded attempt 1 (row 2)" in feedback


def test_a_student_with_no_finished_attempt_is_graded_on_what_they_wrote(tmp_path: Path) -> None:
    """Moodle gives such a student no grade; backviz grades their work and says so."""
    rows = [attempt("kim@example.edu", "Never submitted", None),
            attempt("kim@example.edu", "In progress", RIGHT)]  # fmt: skip
    totals, out = run(tmp_path, report(tmp_path, rows))
    assert totals["kim_example.edu"] == 39
    feedback = (out / "feedback" / "kim_example.edu.md").read_text(encoding="utf-8")
    assert "no attempt is Finished: Moodle gives this student no grade" in feedback


def test_the_note_speaks_korean_with_lang_ko(tmp_path: Path) -> None:
    totals, out = run(tmp_path, report(tmp_path, CLASS), "--lang", "ko")
    assert totals["kim_example.edu"] == 39
    feedback = (out / "feedback" / "kim_example.edu.md").read_text(encoding="utf-8")
    assert (
        "responses.csv: 시도 3번; 2번째 시도 (3행)을(를) 채점했다, 총점이 가장 높은 시도 "
        "(--attempts highest); 다른 시도: 1번째 시도 (2행) 38점, 3번째 시도 (4행) In progress: "
        "세지 않음"
    ) in feedback
