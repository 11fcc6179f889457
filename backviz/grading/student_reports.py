"""Each student's own reports — feedback/<student>.md, results/<student>.json (Gradescope's
results.json) and their rows of verdicts.csv — made a quantity at a time for many students.

A class's reports are mostly the same text: the quantity names, the expected numbers, the
marks. Each line is therefore made for a whole column of students at once, from parts
prepared once per quantity, and a student's file is their lines joined. The text is exactly
what formatting one student at a time would give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from itertools import repeat
from json.encoder import encode_basestring as json_string  # type: ignore[attr-defined]

import numpy as np

from ..core.trace import Trace
from ..errors import BackvizError
from .escape import GRADESCOPE_FORMAT, csv_cell, gradescope_text, markdown_text
from .report_text import WORDS, format_number, json_number, marks_text, title, verdict_text
from .table import CARRIED, CORRECT, IMPRECISE, WRONG, VerdictTable

__all__ = ["StudentReports", "feedback_markdown"]

Cell = tuple[str, str, str, float, float, bool]
"""One submission's cell of a column: verdict, text written, detail, expected number, marks,
and whether the expected number is negative (-0.0 is, yet equals 0.0)."""


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
        self._distinct_cells: dict[tuple[int, int], list[tuple[list[Cell], list[int]]]] = {}

    def files(self, share: range) -> Iterator[tuple[int, str, str]]:
        """(submission, feedback Markdown, Gradescope JSON) for each submission in `share`."""
        table, lang = self.table, self.lang
        lines = self._rows(share, partial(_feedback_line, lang))
        tests = self._rows(share, partial(_gradescope_test, lang))
        missed = self._missed(share)
        w = WORDS[lang]
        head = (
            f"| {w['quantity']} | {w['verdict']} | {w['yours']} | {w['expected']} | "
            f"{w['marks']} |\n|---|---|---|---|---|"
        )
        for k, i in enumerate(share):
            total = w["total"].format(total=table.totals[i], max=table.max_total)
            problems = table.problems[i]
            top = w["feedback"].format(student=table.students[i], exercise=self._title(i))
            top = f"# {markdown_text(top)}"  # one piece: no emphasis from id to title
            sheet = "".join(f"- {markdown_text(p)}\n" for p in problems)
            feedback = (
                f"{top}\n\n{total}\n\n"
                + (f"## {w['problems']}\n\n{sheet}\n" if problems else "")
                + head
                + ("\n" + "\n".join(lines[k]) if lines[k] else "")
                + self._worked(i, missed[k])
                + "\n"
            )
            output = total + "".join(f"\n{gradescope_text(p)}" for p in problems)
            results = (
                f'{{"score": {json_number(table.totals[i])}, "output": {json_string(output)}, '
                f'"output_format": "{GRADESCOPE_FORMAT}", '
                f'"visibility": "visible", "stdout_visibility": "hidden", '
                f'"tests": [{", ".join(tests[k])}]}}'
            )
            yield i, feedback, results

    def verdict_rows(self, share: range) -> str:
        """verdicts.csv's rows for the submissions in `share` (no header)."""
        out = []
        for i, row in zip(share, self._rows(share, _csv_cells), strict=True):
            if row:
                student = csv_cell(self.names[i])
                out.append(f"{student}," + f"\n{student},".join(row) + "\n")
        return "".join(out)

    # ── columns ────────────────────────────────────────────────────────────────────

    def _rows(
        self, share: range, make: Callable[[int, str, float, Cell], str]
    ) -> list[tuple[str, ...]]:
        """Per submission in `share`, a text per quantity: `make(quantity index, name, maximum
        marks, cell)` for its cell, made once per distinct cell of a column (a class writes
        the same few answers: the right one rounded a few ways, the common mistakes)."""
        columns = []
        for j, (cells, which) in enumerate(self._distinct(share)):
            name, max_marks = self.table.names[j], self.table.max_marks[j]
            texts = [make(j, name, max_marks, cell) for cell in cells]
            columns.append(list(map(texts.__getitem__, which)))
        return list(zip(*columns, strict=True)) if columns else [()] * len(share)

    def _distinct(self, share: range) -> list[tuple[list[Cell], list[int]]]:
        """Per quantity: its distinct cells in `share` (verdict, text written, detail,
        expected number, marks) and, per submission, the index of its cell."""
        key = (share.start, share.stop)
        if key not in self._distinct_cells:
            table, a, b = self.table, share.start, share.stop
            columns = []
            for j in range(len(table.names)):
                expected = table.expected[a:b, j]
                signs = np.signbit(expected)  # -0.0 == 0.0, but it is written differently
                shared = len(expected) and (expected == expected[0]).all() and not signs.any()
                cells = list(
                    zip(
                        table.verdicts[j][a:b],
                        table.given[j][a:b],
                        table.details[j][a:b],
                        repeat(float(expected[0])) if shared else expected.tolist(),
                        table.marks[a:b, j].tolist(),
                        repeat(False) if shared else signs.tolist(),
                        strict=False,  # the shared expected number repeats without end
                    )
                )
                index = dict.fromkeys(cells, 0)
                for k, cell in enumerate(index):
                    index[cell] = k
                columns.append((list(index), list(map(index.__getitem__, cells))))
            self._distinct_cells = {key: columns}
        return self._distinct_cells[key]

    # ── per student ────────────────────────────────────────────────────────────────

    def _title(self, i: int) -> str:
        return title(self.traces[i], self.lang)

    def _missed(self, share: range) -> list[list[int]]:
        """Per submission in `share`, the quantities it missed (neither correct nor carried),
        found a column at a time from the column's distinct cells."""
        missed: list[list[int]] = [[] for _ in share]
        for j, (cells, which) in enumerate(self._distinct(share)):
            bad = [k for k, cell in enumerate(cells) if cell[0] not in (CORRECT, CARRIED)]
            if bad:
                for k in np.flatnonzero(np.isin(np.array(which), bad)).tolist():
                    missed[k].append(j)
        return missed

    def _worked(self, i: int, missed: list[int]) -> str:
        """The worked step of each quantity submission `i` missed (empty when none)."""
        table = self.table
        if not missed:
            return ""
        trace = self.traces[i]
        cache = self._steps.setdefault(id(trace), {})
        lines = ["", "", f"## {WORDS[self.lang]['worked']}", ""]
        for j in missed:
            name, verdict, detail = table.names[j], table.verdicts[j][i], table.details[j][i]
            try:
                step = worked_step(trace, name, cache)
            except BackvizError:  # not a quantity of the trace (a code exercise's z(2))
                step = detail or verdict
            shown = markdown_text(verdict_text(verdict, self.lang))
            lines.append(f"- `{name}` ({shown}): {markdown_text(step)}")
            if (
                detail
                and detail != step
                and (verdict in (WRONG, IMPRECISE) or verdict.startswith("mistake:"))
            ):
                lines.append(f"  - {markdown_text(detail)}")
        return "\n".join(lines)


def _feedback_line(lang: str, j: int, name: str, max_marks: float, cell: Cell) -> str:
    """A line of the feedback table: | `name` | verdict | yours | expected | marks |."""
    verdict, text, detail, expected, mark, _ = cell
    return (
        f"| `{name}` | {_shown(verdict, detail, lang)} | {markdown_text(text) or '—'} | "
        f"{format_number(expected)} | "
        f"{marks_text(mark)} / {marks_text(max_marks)} |"
    )


def _gradescope_test(lang: str, j: int, name: str, max_marks: float, cell: Cell) -> str:
    """One test of Gradescope's results.json, as json.dumps writes it: the verdict also in
    `tags` (its kind, and a mistake's full name: "mistake", "mistake:sign-flipped") and in
    `extra_data` (verdict, what was written, the expected number, the detail), where scripts
    reading Gradescope's export find it without parsing the output."""
    verdict, text, detail, expected, mark, _ = cell
    w = WORDS[lang]
    yours = gradescope_text(text) or w["no_answer"]
    shown = verdict_text(verdict, lang)
    output = w["test_output"].format(
        verdict=shown, yours=yours, expected=format_number(expected)
    ) + (f" — {gradescope_text(detail)}" if detail else "")
    status = "passed" if verdict in (CORRECT, CARRIED) else "failed"
    kind = verdict.split(":")[0]
    tags = f"[{json_string(kind)}" + (f", {json_string(verdict)}]" if kind != verdict else "]")
    shown = "null" if expected != expected else repr(expected)  # JSON has no NaN
    extra = (
        f'{{"verdict": {json_string(verdict)}, "given": {json_string(gradescope_text(text))}, '
        f'"expected": {shown}, "detail": {json_string(gradescope_text(detail))}}}'
    )
    return (
        f'{{"name": {json_string(name)}, "number": "{j + 1}", "score": {json_number(mark)}, '
        f'"max_score": {max_marks!r}, "output": {json_string(output)}, '
        f'"output_format": "{GRADESCOPE_FORMAT}", "visibility": "visible", "status": "{status}", '
        f'"tags": {tags}, "extra_data": {extra}}}'
    )


def _csv_cells(j: int, name: str, max_marks: float, cell: Cell) -> str:
    """A row of verdicts.csv after its student: quantity, verdict, given, expected, marks."""
    verdict, text, _, expected, mark, _ = cell
    return ",".join(map(csv_cell, (name, verdict, text, _expected_csv(expected), marks_text(mark))))


def _shown(verdict: str, detail: str, lang: str) -> str:
    """A verdict as the feedback table shows it, in `lang`: carried, imprecise and wrong ones
    with their detail (from which answers; the decimals needed; why, or a lookalike's name),
    a correct one with its detail when it has one (float32's value)."""
    text = markdown_text(verdict_text(verdict, lang))
    shown = detail and verdict in (CORRECT, CARRIED, IMPRECISE, WRONG)
    return f"{text} ({markdown_text(detail)})" if shown else text


def worked_step(trace: Trace, name: str, cache: dict[str, str]) -> str:
    """The worked equation of a quantity as text (the same for every student: cached)."""
    if name not in cache:
        from ..render.equations import equation
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
