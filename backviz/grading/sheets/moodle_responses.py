"""Moodle's quiz Responses report, downloaded as CSV: one submission per attempt (a row).

The report (moodle/moodle, mod/quiz/report/responses: report.php, last_responses_table.php, and
mod/quiz/classes/local/reports/attempts_report.php for the columns) downloads as: the user
columns ("Last name" — "Surname" before Moodle 3.11 —, "First name", the site's identity fields
such as "ID number" and "Email address"), the attempt's "Status" ("State" before 4.0), "Started",
"Completed", "Duration", "Grade/<max>", then for each question slot N, as the report's options
include them, "Question N" (the question's text as plain text), "Response N" and "Right answer
N", in that order. A row whose student has no attempt holds "-" in them.

A site in another language writes its language pack's words ("Nachname", "Antwort 1",
"回答1", "1 erantzuna": `moodle_words.py`). The columns are recognised by what they hold
wherever the cells tell: the response is the slot's first column of Cloze summaries (the right
answer, when shown, the second), e-mail addresses make the e-mail column, the attempt's state
is a column of Moodle's state words, the grade the column headed `<word>/<max>`; the words of
Moodle's language packs name the rest (ID number, names) and settle which column is which when
a header is known. A file that cannot be read stops with one line naming the file, the column
looked for, and the headers found.

A Cloze question's response is `qtype_multianswer_question::summarise_response`: each part as
the language string 'subqresponse' ("part {$a->i}: {$a->response}" in English, "partie 1 : …"
in French, "子问题 1：…" in Chinese, "1. zatia: …" in Basque) joined by "; "; a NUMERICAL
part's response is what the student typed, or nothing (question/type/numerical/question.php,
`summarise_response`). So "part 1: 0.08; part 2: ; part 3: 0,11".

The report downloads in the format the teacher picks ("Comma separated values", "Tab separated
values", …; lib/classes/dataformat and dataformat/tsv), and a CSV re-saved by Excel in a
decimal-comma locale has `;` between its cells: the header line tells which.

Each row becomes a Submission whose answers are keyed `part N`, with `cloze` holding the
question's summary (or its right answer) for finding the exercise or variant drawn, and
`attempt` what the row says of the attempt (its state, its grade, where it is in the file) for
choosing one attempt per student (`grading/attempts.py`); the grader names the parts after the
exercise's asked quantities (`grading/cloze_parts.py`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ...errors import BackvizError
from .moodle_words import known, slot_template
from .numbers import Answer
from .submission import Attempt, Sheet, Submission

__all__ = ["NO_ATTEMPT", "cloze_parts", "read_responses", "responses_delimiter"]

NO_ATTEMPT = "-"  # what the report writes where there is no attempt, or no response
_DELIMITERS = ("\t", ";", ",")
_GRADE = re.compile(r"\S[^/]*/\s*[0-9]+(?:[.,][0-9]+)?")  # "Grade/39.00", "Bewertung/39,00"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LOOKED_AT = 200  # rows whose cells tell what a column holds
_QUESTION_MARK = "[backviz "  # how an exported question's text names its exercise (cloze_parts)
_STATES = ("statefinished", "stateinprogress", "stateoverdue", "stateabandoned")
_STATE_NAMES = {
    "statefinished": "finished",
    "stateinprogress": "inprogress",
    "stateoverdue": "overdue",
    "stateabandoned": "abandoned",
}


def cloze_parts(summary: str) -> list[tuple[int, str]] | None:
    """The parts of a Cloze response summary, in order: (number, text as typed); None when it
    is not one. The label is read off part 1 — a word before the number or after it, the colon
    with or without a space before it, or full-width — and each later part is found by its own
    number in turn, so a `;` a student typed stays in their answer."""
    first = re.match(r"\s*([^\d;:：]{0,40}?)1([^\d;:：]{0,40}?)\s?[:：] ?", summary)
    if first is None or not (first.group(1).strip() or first.group(2).strip()):
        return None
    before, after = re.escape(first.group(1)), re.escape(first.group(2))
    starts = [(1, first.start(), first.end())]
    k = 2
    while (
        m := re.compile(rf"; {before}{k}{after}\s?[:：] ?").search(summary, starts[-1][2])
    ) is not None:
        starts.append((k, m.start(), m.end()))
        k += 1
    parts = []
    for i, (number, _, end) in enumerate(starts):
        stop = starts[i + 1][1] if i + 1 < len(starts) else len(summary)
        parts.append((number, summary[end:stop].strip()))
    return parts


def _filled(rows: list[list[str]], column: int) -> list[str]:
    """A column's cells that hold something (not blank, not Moodle's '-'), in the rows looked
    at."""
    cells = (row[column].strip() for row in rows[:_LOOKED_AT] if column < len(row))
    return [cell for cell in cells if cell and cell != NO_ATTEMPT]


def _all(rows: list[list[str]], column: int, test: Callable[[str], object]) -> bool:
    """Whether the column holds something and every cell it holds passes `test`."""
    cells = _filled(rows, column)
    return bool(cells) and all(map(test, cells))


def _is_state(cell: str) -> bool:
    return any(known(cell, key) for key in _STATES)


@dataclass(frozen=True)
class _Columns:
    """Which column of a Responses report holds what (indexes into a row)."""

    ids: list[int]  # ID number, e-mail, username: the student's id, the first filled
    names: list[int]  # last and first name: the student when no id is filled
    state: int | None
    grade: int | None
    responses: list[int]  # one, for a quiz of one backviz question
    drawn: dict[str, list[int]]  # per slot, its "Question N" and "Right answer N"


def _columns(header: list[str], rows: list[list[str]]) -> _Columns:
    """What each column holds, by its cells where they tell and by Moodle's words otherwise."""
    grade = next((i for i, cell in enumerate(header) if _GRADE.fullmatch(cell)), None)
    state = next((i for i, cell in enumerate(header) if known(cell, "attemptstate")), None)
    if state is None:
        state = next((i for i in range(len(header)) if _all(rows, i, _is_state)), None)
    responses: list[int] = []
    drawn: dict[str, list[int]] = {}
    summaries: dict[str, int] = {}  # per slot, its columns of Cloze summaries so far
    for i, cell in enumerate(header):
        slot = slot_template(cell)
        if i == grade or (slot is None and not known(cell, "rightanswerx")):
            continue
        number = slot[1] if slot else ""
        summary = _all(rows, i, lambda text: cloze_parts(text) is not None)
        if known(cell, "responsex"):
            kind = "response"
        elif known(cell, "rightanswerx"):
            kind = "right"
        elif known(cell, "questionx"):
            kind = "question"
        elif summary:  # a word of no language listed: its cells tell
            kind = "response" if summaries.get(number, 0) == 0 else "right"
        elif _all(rows, i, lambda text: _QUESTION_MARK in text):
            kind = "question"  # the question's text, naming its backviz exercise
        else:
            continue
        summaries[number] = summaries.get(number, 0) + summary
        if kind == "response":
            responses.append(i)
        else:
            drawn.setdefault(number, []).append(i)
    ids = [i for key in ("idnumber",) for i, cell in enumerate(header) if known(cell, key)]
    ids += [
        i
        for i, cell in enumerate(header)
        if i not in ids and (known(cell, "email") or _all(rows, i, _EMAIL.fullmatch))
    ]
    ids += [i for i, cell in enumerate(header) if i not in ids and known(cell, "username")]
    names = [i for key in ("lastname", "firstname") for i, c in enumerate(header) if known(c, key)]
    return _Columns(ids, names, state, grade, responses, drawn)


def _table(text: str, delimiter: str, most: int | None = None) -> list[list[str]]:
    """The report's rows (the header first), blank rows left out, a BOM taken off; the first
    `most` only when given."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    rows = []
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append(row)
            if most is not None and len(rows) >= most:
                break
    return rows


def responses_delimiter(text: str) -> str | None:
    """The delimiter of a Responses report whose text (or its start) this is: tab, `;` or `,`;
    None when it is no quiz report in any of them. A report is known by a response column (by
    its word or its Cloze summaries), or by a student column beside the attempt's state or its
    "Grade/<max>" — readable or not, so a report without what the regrade needs is told so
    rather than graded as a sheet of numbers."""
    head = text[:200_000]
    for delimiter in _DELIMITERS:
        try:
            rows = _table(head, delimiter, most=_LOOKED_AT)
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        header = [cell.strip() for cell in rows[0]]
        columns = _columns(header, rows[1:])
        report = columns.state is not None or columns.grade is not None
        if columns.responses or (report and (columns.ids or columns.names)):
            return delimiter
    return None


def _shown(header: list[str]) -> str:
    """The headers found, as a message names them (the first 12)."""
    shown = ", ".join(map(repr, header[:12]))
    return shown + (f" and {len(header) - 12} more" if len(header) > 12 else "")


def read_responses(
    text: str, file: str, source: str, delimiter: str = ",", lang: str = "en"
) -> list[Submission]:
    """Every attempt of a Responses report (cells split by `delimiter`) as a Submission
    (`part N` answers, `cloze` and `attempt` set; its problems in `lang`).

    A file that is not one this reader can grade — no student column, no response column, or
    several (a quiz of several questions) — raises BackvizError naming the file, the column
    looked for, and the headers found.
    """
    rows = _table(text, delimiter)
    header = [cell.strip() for cell in rows[0]]
    columns = _columns(header, rows[1:])
    if not columns.ids and not columns.names:
        raise BackvizError(
            f"{file}: the student's column: expected 'Last name', 'First name', 'Email address', "
            "'ID number' or 'Username' (in any of Moodle's languages: Nachname, Vorname, 성, "
            f"이름, …) or a column of e-mail addresses, found {_shown(header)}"
        )
    if not columns.responses:
        raise BackvizError(
            f"{file}: column 'Response N': expected one (Response 1, Antwort 1, 응답 1, … in the "
            "site's language, or a column of 'part 1: …; part 2: …'), found none among "
            f"{_shown(header)}: tick 'Responses' in the report's options before downloading"
        )
    if len(columns.responses) > 1:
        found = ", ".join(repr(header[i]) for i in columns.responses)
        raise BackvizError(
            f"{file}: column 'Response N': expected one (a quiz of one backviz Cloze question), "
            f"found {found}"
        )
    response = columns.responses[0]
    slot = slot_template(header[response])
    drawn = columns.drawn.get(slot[1] if slot else "", []) + columns.drawn.get("", [])
    submissions = []
    for line, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
        where = f"{source}:row {line}"
        submission = _attempt(
            cells, columns, response, header, Sheet(file, where, "", lang=lang), line
        )
        # the question's text when the export has it (it names the exercise), else its right
        # answer (its numbers tell the variant), else nothing
        cloze = next((cells[i] for i in drawn if cells[i] not in ("", NO_ATTEMPT)), "")
        submissions.append(replace(submission, cloze=cloze))
    if not submissions:
        raise BackvizError(f"{file}: a Responses report with a header but no attempts under it")
    return submissions


def _attempt(
    cells: list[str], columns: _Columns, response: int, header: list[str], sheet: Sheet, line: int
) -> Submission:
    """One row, into `sheet`: the student, their response's parts, and what the row says of
    the attempt."""
    identities = [(header[i], cells[i]) for i in columns.ids if cells[i] not in ("", NO_ATTEMPT)]
    name = " ".join(cells[i] for i in columns.names if cells[i])
    if name:
        identities.append((" ".join(header[i] for i in columns.names), name))
    student = identities[0][1] if identities else ""
    if student:
        sheet.set_student(student, line)
    else:
        sheet.say("quiz_no_student", line)
    summary = cells[response]
    status = cells[columns.state] if columns.state is not None else ""
    state = next((_STATE_NAMES[key] for key in _STATES if known(status, key)), "")
    if summary in ("", NO_ATTEMPT):
        sheet.say("quiz_no_attempt", line)
    else:
        parts = cloze_parts(summary)
        if parts is None:
            sheet.say("quiz_not_cloze", line, column=header[response], found=summary[:60])
        else:
            for number, answer in parts:  # a blank part is kept: it counts the parts
                written = answer if answer else Answer("", None, None, "nothing written")
                sheet.add(f"part {number}", written, line)
        if status not in ("", NO_ATTEMPT) and state != "finished":
            sheet.say("quiz_not_finished", line, status=status)
    if not state and status in ("", NO_ATTEMPT) and summary in ("", NO_ATTEMPT):
        state = "none"  # the student's row without an attempt
    grade = cells[columns.grade] if columns.grade is not None else ""
    attempt = Attempt(line, state, status, grade, tuple(identities))
    return replace(sheet.submission(), attempt=attempt)
