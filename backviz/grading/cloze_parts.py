"""Moodle Cloze responses named: part k of a row is the exercise's k-th asked quantity.

`backviz export moodle` writes one NUMERICAL field per asked quantity, in the order the answer
sheet asks them (`verdicts.asked`); Moodle numbers a Cloze question's parts in the order of its
text. So part k is the k-th asked quantity of the exercise — or of the variant the student
drew, which the question's text names (`MARKER`, in the Responses report's "Question N"
column) or, without that column, its right answers ("Right answer N") tell.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..core.trace import Trace
from ..errors import BackvizError
from .sheets.moodle_responses import cloze_parts
from .sheets.numbers import parse_number
from .sheets.submission import Submission
from .variants import question_id
from .verdicts import asked

__all__ = ["MARKER", "drawn_exercise", "matches", "name_parts", "right_answers"]

MARKER = "[backviz {id}]"
"""Written in each exported question's text, naming its exercise, or its variant by an opaque
id (`variants.question_id`: no roster id reaches students)."""
_MARKER = re.compile(r"\[backviz ([^\]\s]+)\]")


def _file(submission: Submission) -> str:
    return Path(submission.source.rsplit(":row ", 1)[0]).name


def drawn_exercise(submission: Submission) -> str | None:
    """The exercise (or variant) id the question's text names, None when the export has no
    "Question N" column."""
    match = _MARKER.search(submission.cloze or "")
    return match.group(1) if match else None


def right_answers(submission: Submission) -> list[float] | None:
    """The numbers of the "Right answer N" column (`part 1: 0.08; part 2: …`, in the site's
    language: `partie 1 : 0,08; …`), None when the export gives none."""
    parts = cloze_parts((submission.cloze or "").strip())
    if parts is None:
        return None
    values = [parse_number(text, decimal_comma=True).value for _, text in parts]
    return None if any(value is None for value in values) else values  # type: ignore[return-value]


def matches(submission: Submission, trace: Trace) -> bool:
    """Whether the question the student drew is this exercise's: by the id its text names,
    else by its right answers; a question text naming no backviz exercise is another quiz's.
    True when the export gives neither column."""
    named = drawn_exercise(submission)
    if named is not None:
        return named == question_id(trace.exercise)
    values = right_answers(submission)
    if values is None:
        return not (submission.cloze or "").strip()
    key = [trace.value(ref) for ref, _ in asked(trace, trace.exercise.ask)]
    return len(key) == len(values) and all(
        abs(a - b) <= 1e-12 * max(1.0, abs(b)) for a, b in zip(values, key, strict=True)
    )


def name_parts(submissions: list[Submission], trace: Trace) -> list[Submission]:
    """Each Cloze response's parts named after `trace`'s asked quantities (other submissions as
    they are). A response of another quiz — another exercise named, or another number of
    parts — raises BackvizError: file, column, expected, found."""
    names = [trace.name(ref) for ref, _ in asked(trace, trace.exercise.ask)]
    exercise = question_id(trace.exercise)
    named = []
    for submission in submissions:
        if submission.cloze is None:
            named.append(submission)
            continue
        if not matches(submission, trace):
            found = drawn_exercise(submission) or "other right answers"
            raise BackvizError(
                f"{_file(submission)}: column 'Question N': expected the question of backviz "
                f"exercise {exercise}, found {found}: a Responses export of another quiz?"
            )
        parts = submission.answers
        if parts and len(parts) != len(names):
            raise BackvizError(
                f"{_file(submission)}: column 'Response N': expected {len(names)} parts (the "
                f"quantities exercise {exercise} asks), found {len(parts)}: a Responses export "
                "of another quiz?"
            )
        answers = {names[int(key.split()[-1]) - 1]: answer for key, answer in parts.items()}
        named.append(replace(submission, answers=answers))
    return named
