"""Each student's own reports — feedback/<student>.md, results/<student>.json (Gradescope's
results.json) and their rows of verdicts.csv — made a quantity at a time for many students.

A class's reports are mostly the same text: the quantity names, the expected numbers, the
marks. Each line is therefore made for a whole column of students at once, from parts
prepared once per quantity, and a student's file is their lines joined. The text is exactly
what formatting one student at a time would give.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring as json_string  # type: ignore[attr-defined]

from ..errors import BackvizError
from ..trace import Trace
from .report_text import WORDS, format_number, json_number, marks_text, title
from .table import CARRIED, CORRECT, WRONG, VerdictTable

__all__ = ["StudentReports", "feedback_markdown"]

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_cell(text: str) -> str:
    """A CSV cell as Python's csv module writes it (quoted only when it must be)."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _expected_csv(value: float) -> str:
    """Full precision for the CSV; empty where a verdict has no single expected number."""
    return "" if value != value else repr(value)


class StudentReports:
    """The per-student reports of a graded class, for any share of its submissions.

    `traces`: each submission's own exercise (their variant), for the worked steps; `names`:
    each submission's unique file name, which verdicts.csv shows as the student.
    """

    def __init__(
        self, table: VerdictTable, traces: list[Trace], names: list[str], *, lang: str = "en"
    ) -> None:
        self.table, self.traces, self.names, self.lang = table, traces, names, lang
        self._steps: dict[int, dict[str, str]] = {}  # per exercise: quantity → worked step

    def files(self, share: range) -> Iterator[tuple[int, str, str]]:
        """(submission, feedback Markdown, Gradescope JSON) for each submission in `share`."""
        table, lang = self.table, self.lang
        lines = list(zip(*self._feedback_lines(share), strict=True)) or [()] * len(share)
        tests = list(zip(*self._gradescope_tests(share), strict=True)) or [()] * len(share)
        w = WORDS[lang]
        head = (
            f"| {w['quantity']} | {w['verdict']} | {w['yours']} | {w['expected']} | "
            f"{w['marks']} |\n|---|---|---|---|---|\n"
        )
        for k, i in enumerate(share):
            total = w["total"].format(total=table.totals[i], max=table.max_total)
            problems = table.problems[i]
            top = f"# {w['feedback'].format(student=table.students[i], exercise=self._title(i))}"
            sheet = "".join(f"- {p}\n" for p in problems)
            feedback = (
                f"{top}\n\n{total}\n\n"
                + (f"## {w['problems']}\n\n{sheet}\n" if problems else "")
                + head
                + "\n".join(lines[k])
                + self._worked(i)
                + "\n"
            )
            output = total + "".join(f"\n{p}" for p in problems)
            results = (
                f'{{"score": {json_number(table.totals[i])}, "output": {json_string(output)}, '
                f'"visibility": "visible", "stdout_visibility": "hidden", '
                f'"tests": [{", ".join(tests[k])}]}}'
            )
            yield i, feedback, results

    def verdict_rows(self, share: range) -> str:
        """verdicts.csv's rows for the submissions in `share` (no header)."""
        table = self.table
        columns = []
        for j, quantity in enumerate(table.names):
            verdicts, given = (
                self._column(table.verdicts[j], share),
                self._column(table.given[j], share),
            )
            if _NEEDS_QUOTES.search("".join(given)):
                given = [csv_cell(text) for text in given]
            expected = self._per_student(j, share, _expected_csv)
            marks = [marks_text(m) for m in table.marks[share.start : share.stop, j].tolist()]
            prefix = f"{csv_cell(quantity)},"
            columns.append(
                [
                    f"{prefix}{verdict},{text},{value},{mark}"
                    for verdict, text, value, mark in zip(
                        verdicts, given, expected, marks, strict=True
                    )
                ]
            )
        rows = zip(*columns, strict=True) if columns else [()] * len(share)
        out = []
        for i, row in zip(share, rows, strict=True):
            if row:
                student = csv_cell(self.names[i])
                out.append(f"{student}," + f"\n{student},".join(row) + "\n")
        return "".join(out)

    # ── columns ────────────────────────────────────────────────────────────────────

    @staticmethod
    def _column(cells: list[str], share: range) -> list[str]:
        return cells[share.start : share.stop]

    def _per_student(self, j: int, share: range, show: Callable[[float], str]) -> list[str]:
        """Column j's expected number as `show` writes it, per submission (one text when the
        whole share has the same exercise)."""
        values = self.table.expected[share.start : share.stop, j]
        if len(values) and (values == values[0]).all():
            return [show(float(values[0]))] * len(values)
        return [show(value) for value in values.tolist()]

    def _cells(self, j: int, share: range) -> Iterator[tuple[str, str, str, str, float]]:
        """Column j for the submissions in `share`: verdict, text written, detail, expected
        number as shown, marks."""
        table = self.table
        return zip(
            self._column(table.verdicts[j], share),
            self._column(table.given[j], share),
            self._column(table.details[j], share),
            self._per_student(j, share, format_number),
            table.marks[share.start : share.stop, j].tolist(),
            strict=True,
        )

    def _marks(self, j: int, share: range, show: Callable[[float], str]) -> dict[float, str]:
        """Column j's marks in `share`, each as `show` writes it (a column has few values)."""
        return {m: show(m) for m in set(self.table.marks[share.start : share.stop, j].tolist())}

    def _feedback_lines(self, share: range) -> list[list[str]]:
        """Per quantity, the feedback table's line for each submission in `share`."""
        table, columns = self.table, []
        for j, name in enumerate(table.names):
            prefix = f"| `{name}` | "
            max_marks = marks_text(table.max_marks[j])
            marks = self._marks(j, share, lambda m: f"{marks_text(m)} / {max_marks} |")  # noqa: B023
            columns.append(
                [
                    f"{prefix}{_shown(verdict, detail)} | {text or '—'} | {shown} | {marks[mark]}"
                    for verdict, text, detail, shown, mark in self._cells(j, share)
                ]
            )
        return columns

    def _gradescope_tests(self, share: range) -> list[list[str]]:
        """Per quantity, the Gradescope test of each submission in `share`."""
        table, columns = self.table, []
        for j, name in enumerate(table.names):
            head = f'{{"name": {json_string(name)}, "number": "{j + 1}", "score": '
            max_score = repr(table.max_marks[j])
            scores = self._marks(
                j,
                share,
                lambda m: f'{json_number(m)}, "max_score": {max_score}, "output": ',  # noqa: B023
            )
            columns.append(
                [
                    head
                    + scores[mark]
                    + json_string(
                        f"{verdict}: yours {text or '(missing)'}, expected {expected}"
                        + (f" — {detail}" if detail else "")
                    )
                    + ', "visibility": "visible", "status": '
                    + ('"passed"}' if verdict in (CORRECT, CARRIED) else '"failed"}')
                    for verdict, text, detail, expected, mark in self._cells(j, share)
                ]
            )
        return columns

    # ── per student ────────────────────────────────────────────────────────────────

    def _title(self, i: int) -> str:
        return title(self.traces[i], self.lang)

    def _worked(self, i: int) -> str:
        """The worked step of each quantity submission `i` missed (empty when none)."""
        table = self.table
        missed = [
            (j, verdict)
            for j, verdict in enumerate(column[i] for column in table.verdicts)
            if verdict != CORRECT and verdict != CARRIED
        ]
        if not missed:
            return ""
        trace = self.traces[i]
        cache = self._steps.setdefault(id(trace), {})
        lines = ["", "", f"## {WORDS[self.lang]['worked']}", ""]
        for j, verdict in missed:
            name, detail = table.names[j], table.details[j][i]
            try:
                step = worked_step(trace, name, cache)
            except BackvizError:  # not a quantity of the trace (a code exercise's z(2))
                step = detail or verdict
            lines.append(f"- `{name}` ({verdict}): {step}")
            if detail and detail != step and (verdict == WRONG or verdict.startswith("mistake:")):
                lines.append(f"  - {detail}")
        return "\n".join(lines)


def _shown(verdict: str, detail: str) -> str:
    """A verdict as the feedback table shows it: carried and wrong ones with their detail
    (from which answers; a lookalike's name)."""
    return f"{verdict} ({detail})" if detail and verdict in (CARRIED, WRONG) else verdict


def worked_step(trace: Trace, name: str, cache: dict[str, str]) -> str:
    """The worked equation of a quantity as text (the same for every student: cached)."""
    if name not in cache:
        from ..render.solution import equation
        from ..render.text import equation_text

        eq = equation(trace, trace.ref(name))
        cache[name] = (
            equation_text(eq, 8) if eq is not None else f"{name} = {trace.value(trace.ref(name))!r}"
        )
    return cache[name]


def feedback_markdown(table: VerdictTable, i: int, trace: Trace, *, lang: str = "en") -> str:
    """Submission `i`'s feedback: per quantity the verdict, what it wrote and what was
    expected; for each miss the worked step."""
    reports = StudentReports(table, [trace] * len(table), [""] * len(table), lang=lang)
    ((_, feedback, _),) = reports.files(range(i, i + 1))
    return feedback
