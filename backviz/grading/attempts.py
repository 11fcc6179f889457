"""One attempt per student: a Moodle quiz of several attempts graded as its grading method does.

Moodle's Responses report has a row per attempt, a student's in the order they were made
(`Attempt.line`): the attempts report sorts by the columns the teacher chose (the name by
default) and then by attempt id, "so attempts by the same student appear in order when just
sorting by name" (mod/quiz attempts_report_table `get_sort_columns`). The quiz's *Grading
method* decides which counts (mod/quiz: `grade_calculator`, formerly
`quiz_calculate_best_grade`, over the student's *finished* attempts only): the highest grade
(Moodle's default; of equal grades the earlier), the first attempt, the last, or the average of
all. `--attempts` chooses the same here, over backviz's own totals. Attempts not
finished — "In progress", "Overdue", "Never submitted" — count only for a student with no
finished attempt (Moodle would give that student no grade; backviz grades what they wrote and
says so), so an abandoned second try never turns a finished first one into a zero.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .report_text import WORDS, marks_text
from .sheets.submission import Attempt
from .table import VerdictTable

__all__ = ["DEFAULT_METHOD", "METHODS", "Choice", "one_attempt_each"]

METHODS = ("highest", "first", "last", "average")
DEFAULT_METHOD = "highest"
"""Moodle's default grading method: a teacher who left the quiz's setting as it came gets the
attempt Moodle counted."""

_COUNTED = ("finished", "")  # "" where the report has no state column: each attempt counts


@dataclass(frozen=True)
class Choice:
    """What `one_attempt_each` did: the table of one row per student, and how many students
    had several attempts."""

    table: VerdictTable
    rows: list[int]  # the rows of the table given that it keeps, in order
    students: int  # with several attempts
    method: str


def one_attempt_each(table: VerdictTable, method: str = DEFAULT_METHOD, lang: str = "en") -> Choice:
    """The table with each student's attempts (rows of a quiz report, `table.attempts`) made
    one row: the attempt `method` chooses, its problems saying (in `lang`) which it is and
    what the others were. Sheets and students of one attempt are kept as they are, in the
    table's order."""
    if method not in METHODS:
        raise ValueError(f"--attempts: one of {', '.join(METHODS)}, not {method!r}")
    found = {i: a for i, a in enumerate(table.attempts) if a is not None}
    groups: dict[str, list[int]] = {}
    for i in found:
        groups.setdefault(table.students[i], []).append(i)
    several = {student: rows for student, rows in groups.items() if len(rows) > 1}
    if not several:
        return Choice(table, list(range(len(table))), 0, method)
    totals = table.totals
    kept: list[int] = []
    notes: dict[int, str] = {}
    averages: dict[int, float] = {}
    for i in range(len(table)):
        rows = several.get(table.students[i]) if i in found else None
        if rows is None:
            kept.append(i)
        elif i == rows[0]:  # the student's row is decided at their first attempt
            ordered = sorted(rows, key=lambda k: found[k].line)
            counted = [k for k in ordered if found[k].state in _COUNTED]
            tried = [k for k in ordered if found[k].state != "none"]
            pool = counted or tried or ordered
            chosen = _chosen(pool, totals, method)
            if method == "average":
                averages[chosen] = statistics.fmean(totals[k] for k in pool)
            notes[chosen] = _note(table, found, ordered, pool, chosen, method, averages, lang)
            kept.append(chosen)
    for row, note in notes.items():
        table.problems[row] = [*table.problems[row], note]
    one_each = table.take(kept)
    one_each.averaged.update({k: averages[i] for k, i in enumerate(kept) if i in averages})
    return Choice(one_each, kept, len(several), method)


def _chosen(pool: list[int], totals: list[float], method: str) -> int:
    """The row `method` grades: the highest total (the earlier of equal ones, as Moodle's
    strict comparison), the first, or the last (whose verdicts an average shows)."""
    if method == "highest":
        return max(pool, key=lambda k: (totals[k], -pool.index(k)))
    return pool[0] if method == "first" else pool[-1]


def _note(
    table: VerdictTable,
    found: dict[int, Attempt],
    ordered: list[int],
    pool: list[int],
    chosen: int,
    method: str,
    averages: dict[int, float],
    lang: str,
) -> str:
    """The line a chosen attempt's report says (in `lang`): which of the student's attempts
    it is, why, and each other attempt's total or why it did not count."""
    words = WORDS[lang]
    number = {k: n for n, k in enumerate(ordered, start=1)}

    def label(k: int) -> str:
        return words["attempt"].format(n=number[k], row=found[k].line)

    def total(k: int) -> str:
        return words["attempt_total"].format(attempt=label(k), total=marks_text(table.totals[k]))

    skipped = [
        words["attempt_not_counted"].format(
            attempt=label(k), status=found[k].status or words["no_attempt"]
        )
        for k in ordered
        if k not in pool
    ]
    line = words["attempts"].format(
        source=table.sources[chosen].rsplit(":row ", 1)[0],
        n=len(ordered),
        attempt=label(chosen),
        why=words[f"attempts_{method}"],
        method=method,
    )
    if method == "average":
        line += words["attempts_mean"].format(
            total=marks_text(averages[chosen]),
            max=marks_text(table.max_total),
            attempts=", ".join(total(k) for k in pool),
        )
        line += "".join(f"; {s}" for s in skipped)
    else:
        others = [total(k) for k in pool if k != chosen] + skipped
        line += words["attempts_others"].format(others=", ".join(others)) if others else ""
    if any(found[k].state not in _COUNTED for k in pool):
        line += words["attempts_none_finished"]
    return line
