"""Moodle's quiz Responses report, downloaded as CSV: one submission per attempt (a row).

The report (moodle/moodle, mod/quiz/report/responses: report.php, last_responses_table.php, and
mod/quiz/classes/local/reports/attempts_report.php for the columns) downloads as: the user
columns ("Last name" — "Surname" before Moodle 3.11 —, "First name", the site's identity fields
such as "ID number" and "Email address"), the attempt's "State"/"Status", "Started on",
"Completed", "Time taken"/"Duration", "Grade/<max>", then for each question slot N, as the
report's options include them, "Question N" (the question's text as plain text), "Response N"
and "Right answer N". A row whose student has no attempt holds "-" in them.

A Cloze question's response is `qtype_multianswer_question::summarise_response`: each part as
the language string 'subqresponse' ("part {$a->i}: {$a->response}", lang/en/
qtype_multianswer.php) joined by "; "; a NUMERICAL part's response is what the student typed,
or nothing (question/type/numerical/question.php, `summarise_response`). So
"part 1: 0.08; part 2: ; part 3: 0,11".

The report downloads in the format the teacher picks ("Comma separated values", "Tab separated
values", …; lib/classes/dataformat and dataformat/tsv), and a CSV re-saved by Excel in a
decimal-comma locale has `;` between its cells: the header line tells which. A Korean site
writes the columns in Korean (lang/ko: "성", "이름", "이메일 주소", "상태", "문제 N"/"질문 N",
"응답 N", "정답 N"); the columns are recognised in either language.

Each row becomes a Submission whose answers are keyed `part N`, with `cloze` holding the
question's summary (or its right answer) for finding the exercise or variant drawn; the grader
names the parts after the exercise's asked quantities (`grading/cloze_parts.py`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

from ...errors import BackvizError
from .numbers import Answer
from .submission import Sheet, Submission, field_key

__all__ = ["read_responses", "responses_delimiter"]

_RESPONSE = re.compile(r"(?:response|응답)\s*(\S+)", re.IGNORECASE)
_QUESTION = re.compile(r"(?:question|문제|질문)\s*(\S+)", re.IGNORECASE)
_RIGHT = re.compile(r"(?:right answer|정답)\s*(\S+)", re.IGNORECASE)
_GRADE = re.compile(r"(?:grade|성적|점수)\s*/\s*[0-9.,]+", re.IGNORECASE)
_USER_KEYS = ("first_name", "last_name", "surname", "성", "이름")
_ID_KEYS = (
    "id_number",
    "idnumber",
    "student_id",
    "학번",
    "id_번호",
    "email_address",
    "email",
    "이메일_주소",
    "이메일",
)
_STATE_KEYS = ("state", "status", "상태")
_FINISHED = ("finished", "완료", "완료됨", "종료", "종료됨", "제출됨")
_DELIMITERS = ("\t", ";", ",")
NO_ATTEMPT = "-"  # what the report writes where there is no attempt, or no response


def _header(line: str, delimiter: str) -> list[str]:
    """The cells of a header line, stripped (a UTF-8 BOM too)."""
    return [
        cell.strip().lstrip("\ufeff") for cell in next(csv.reader([line], delimiter=delimiter), [])
    ]


def _looks_like_responses(header: list[str]) -> bool:
    """Whether a header has the marks of a quiz report (a "Response N", or a user column with
    the attempt's state or its "Grade/<max>"), readable or not."""
    keys = {field_key(cell) for cell in header}
    if any(_RESPONSE.fullmatch(cell) for cell in header):
        return True
    report = bool(keys & set(_STATE_KEYS)) or any(_GRADE.fullmatch(cell) for cell in header)
    return report and bool(keys & set(_USER_KEYS + _ID_KEYS))


def responses_delimiter(first_line: str) -> str | None:
    """The delimiter of a Responses report whose header line this is (tab, `;` or `,`); None
    when the line is no quiz report's header in any of them."""
    for delimiter in _DELIMITERS:
        if _looks_like_responses(_header(first_line, delimiter)):
            return delimiter
    return None


def _parts(summary: str) -> list[tuple[int, str]] | None:
    """The parts of a Cloze response summary, in order: (number, text as typed); None when it
    is not one. Each part is found by its own number in turn, so a `;` a student typed stays in
    their answer."""
    first = re.match(r"\s*(\S+) 1 ?: ?", summary)  # "part 1: " (a translated word too)
    if first is None:
        return None
    label = re.escape(first.group(1))
    starts = [(1, first.start(), first.end())]
    k = 2
    while (m := re.compile(rf"; {label} {k} ?: ?").search(summary, starts[-1][2])) is not None:
        starts.append((k, m.start(), m.end()))
        k += 1
    parts = []
    for i, (number, _, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(summary)
        parts.append((number, summary[end:stop].strip()))
    return parts


def read_responses(text: str, file: str, source: str, delimiter: str = ",") -> list[Submission]:
    """Every attempt of a Responses report (cells split by `delimiter`) as a Submission
    (`part N` answers, `cloze` set).

    A file that is not one this reader can grade — no student column, no "Response N" column,
    or several (a quiz of several questions) — raises BackvizError naming the file, the column,
    what was expected and what was found.
    """
    rows = [
        row
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
        if any(cell.strip() for cell in row)
    ]
    header = [cell.strip() for cell in rows[0]]
    keys = [field_key(cell) for cell in header]
    if not set(keys) & set(_USER_KEYS + _ID_KEYS):
        raise BackvizError(
            f"{file}: the student's column: expected 'Last name', 'First name', 'Email address' "
            f"or 'ID number' (성, 이름, 이메일 주소), found {', '.join(map(repr, header[:6]))}"
        )
    responses = [i for i, cell in enumerate(header) if _RESPONSE.fullmatch(cell)]
    if len(responses) != 1:
        found = ", ".join(repr(header[i]) for i in responses) or "none"
        raise BackvizError(
            f"{file}: column 'Response N': expected one (a quiz of one backviz Cloze question), "
            f"found {found}"
        )
    slot = _RESPONSE.fullmatch(header[responses[0]]).group(1)  # type: ignore[union-attr]
    response = responses[0]
    drawn = [
        i
        for pattern in (_QUESTION, _RIGHT)
        for i, cell in enumerate(header)
        if (m := pattern.fullmatch(cell)) is not None and m.group(1) == slot
    ]
    ids = [keys.index(key) for key in _ID_KEYS if key in keys]
    names = [keys.index(key) for key in _USER_KEYS if key in keys]
    state = next((keys.index(k) for k in _STATE_KEYS if k in keys), None)
    submissions = []
    for line, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        sheet = Sheet(file, f"{source}:row {line}", f"{file}-row{line}")
        student = next((cells[i].strip() for i in ids if cells[i].strip()), "")
        student = student or " ".join(cells[i].strip() for i in names if cells[i].strip())
        if student:
            sheet.set_student(student, line)
        else:
            sheet.problem("no student id, e-mail or name in this row", line)
        summary = cells[response].strip()
        status = cells[state].strip() if state is not None else ""
        if summary in ("", NO_ATTEMPT):
            sheet.problem("no attempt at the quiz (Moodle's response is '-')", line)
        else:
            parts = _parts(summary)
            if parts is None:
                sheet.problem(
                    f"column {header[response]!r}: expected a Cloze response ('part 1: …; "
                    f"part 2: …'), found {summary[:60]!r}; not read",
                    line,
                )
            else:
                for number, answer in parts:  # a blank part is kept: it counts the parts
                    written = answer if answer else Answer("", None, None, "nothing written")
                    sheet.add(f"part {number}", written, line)
            if status and status.casefold() not in (*_FINISHED, NO_ATTEMPT):
                sheet.problem(f"the attempt's state is {status!r}, not Finished", line)
        # the question's text when the export has it (it names the exercise), else its right
        # answer (its numbers tell the variant), else nothing
        cloze = next((cells[i].strip() for i in drawn if cells[i].strip() != NO_ATTEMPT), "")
        submissions.append(replace(sheet.submission(), cloze=cloze))
    if not submissions:
        raise BackvizError(f"{file}: a Responses report with a header but no attempts under it")
    return submissions
