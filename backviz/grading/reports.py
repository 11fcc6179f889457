"""The grader's reports: grades.csv, verdicts.csv, summary.md for the class; feedback/,
results/ (Gradescope) and diagrams/ per student. The per-student folders are staged and put
in place whole, the class files each written atomically: an interrupted run leaves the
previous reports whole. Only files backviz wrote are ever replaced (`files.Written`)."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..core.trace import Trace
from ..files import StagedFolders, Written, write_atomic
from ..parallel import map_forked, shares
from .escape import csv_line, markdown_text
from .ids import same_student_problems, unique_names
from .mistakes import mistake_name
from .report_text import WORDS, marks_text, title, verdict_text
from .student_reports import StudentReports
from .table import CARRIED, CORRECT, IMPRECISE, MISSING, UNREADABLE, WRONG, VerdictTable

__all__ = [
    "FOLDERS",
    "grades_csv",
    "record_json",
    "summary_markdown",
    "write_reports",
]

_KINDS = (CORRECT, CARRIED, IMPRECISE, WRONG, MISSING, UNREADABLE)
"""The verdicts of the summary's columns, in order (the mistakes between imprecise and wrong)."""

FOLDERS = {"feedback": ".md", "results": ".json", "diagrams": ".svg"}
"""The per-student report folders and the suffix of the files in them."""


def summary_markdown(
    table: VerdictTable,
    trace: Trace,
    *,
    lang: str = "en",
    left_out: Mapping[int, str] | None = None,
) -> str:
    """Class statistics and, per quantity, the share of each verdict: what to re-teach.

    `left_out`: rows not counted, each with why — "absent" (a student on the roster who
    handed nothing in) or "off_roster" (a submission of a student not on it); said in a line.
    """
    w = WORDS[lang]
    lines = [f"# {markdown_text(w['summary'].format(exercise=title(trace, lang)))}", ""]
    if left_out:
        table = table.take([i for i in range(len(table)) if i not in left_out])
        why = Counter(left_out.values())
        lines += [
            w[reason].format(n=why[reason]) for reason in ("absent", "off_roster") if why[reason]
        ]
        lines += [""]
    n = len(table)
    if not n:
        return "\n".join(lines) + "\n"
    totals = table.totals
    top = table.max_total
    lines += [
        w["students"].format(
            n=n,
            mean=statistics.mean(totals),
            max=top,
            median=statistics.median(totals),
            low=min(totals),
            high=max(totals),
        ),
        "",
    ]
    lines += [f"## {w['distribution']}", "", "```"]
    bins = 10
    counts = Counter(min(int(t / top * bins), bins - 1) if top else 0 for t in totals)
    for b in range(bins):
        low, high = top * b / bins, top * (b + 1) / bins
        lines.append(f"{low:6.1f}–{high:6.1f} | {'#' * counts.get(b, 0)} {counts.get(b, 0)}")
    lines += ["```", "", f"## {w['common']}", ""]
    per_quantity = [Counter(column) for column in table.verdicts]
    made_by: dict[str, set[int]] = {}  # mistake → the students who made it, once each
    for column, verdicts in zip(table.verdicts, per_quantity, strict=True):
        for mistake, count in verdicts.items():
            if mistake.startswith("mistake:"):
                made_by.setdefault(mistake, set()).update(_rows_of(column, mistake, count))
    common = sorted(made_by.items(), key=lambda item: (-len(item[1]), item[0]))[:10]  # ties by name
    lines += [
        f"- {markdown_text(verdict_text(name, lang))}: "
        f"{w['made_by_one' if len(by) == 1 else 'made_by'].format(n=len(by))}"
        for name, by in common
    ] or ["- —"]
    columns = [w["quantity"], *(verdict_text(v, lang) for v in _KINDS[:3]), w["mistakes"]]
    columns += [verdict_text(v, lang) for v in _KINDS[3:]]
    lines += [
        "",
        f"## {w['per_quantity']}",
        "",
        f"| {' | '.join(columns)} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, verdicts in zip(table.names, per_quantity, strict=True):
        shown = (
            ", ".join(
                f"{markdown_text(mistake_name(k[8:], lang))} {c / n:.0%}"
                for k, c in verdicts.most_common()
                if k.startswith("mistake:")
            )
            or "—"
        )
        lines.append(
            f"| `{name}` | {verdicts[CORRECT] / n:.0%} | {verdicts[CARRIED] / n:.0%} | "
            f"{verdicts[IMPRECISE] / n:.0%} | {shown} | {verdicts[WRONG] / n:.0%} | "
            f"{verdicts[MISSING] / n:.0%} | {verdicts[UNREADABLE] / n:.0%} |"
        )
    return "\n".join(lines) + "\n"


def _rows_of(column: list[str], verdict: str, count: int) -> Iterator[int]:
    """The rows of the `count` cells of `column` holding `verdict` (found a list search at a
    time: a mistake is a few cells of a long column)."""
    row = -1
    for _ in range(count):
        row = column.index(verdict, row + 1)
        yield row


def grades_csv(table: VerdictTable, names: list[str]) -> str:
    """grades.csv: a row per submission, its total, the maximum and the marks per quantity."""
    lines = [csv_line(["student", "total", "max", *table.names])]
    top = marks_text(table.max_total)
    for name, total, marks in zip(names, table.totals, table.marks.tolist(), strict=True):
        lines.append(csv_line([name, marks_text(total), top, *map(marks_text, marks)]))
    return "".join(lines)


def write_reports(
    table: VerdictTable,
    trace: Trace,
    out: Path,
    *,
    lang: str = "en",
    diagrams: bool = True,
    traces: list[Trace] | None = None,
    jobs: int = 1,
    left_out: Mapping[int, str] | None = None,
    record: str | None = None,
) -> list[str]:
    """Every report into `out`: the per-student folders staged and put in place whole, then
    grades.csv, verdicts.csv and summary.md (and `record`, record.json's content, for a
    code-grading run) each written atomically. With `traces`, each student's own exercise
    (their variant), aligned with the table's rows. `jobs` processes share the per-student
    files (a forked worker each, beyond this one). A student id on several sheets (or one
    differing only in case or form) is told on each one's feedback; summary.md leaves out the
    submissions `left_out` names (`summary_markdown`). Returns each submission's file name
    (feedback/<name>.md …), in the table's order. A report that would replace a file backviz
    did not write stops the run first (BackvizError), every report left as it was.
    """
    names = unique_names(table.students)
    same = same_student_problems(table.students, table.sources, names, lang)
    if any(same):  # a new table: the caller's is left as it was
        table = replace(
            table, problems=[[*p, *q] for p, q in zip(table.problems, same, strict=True)]
        )
    own = traces if traces is not None else [trace] * len(table)
    layouts: dict[int, Any] = {}  # one diagram layout per exercise (per variant), made here
    if diagrams:
        from ..errors import DependencyError
        from .diagram import StudentDiagrams

        try:
            for t in own:
                if id(t) not in layouts:
                    layouts[id(t)] = StudentDiagrams(t, lang=lang)
        except DependencyError:  # no dot: the other reports are still written
            diagrams = False
    folders = [name for name in FOLDERS if diagrams or name != "diagrams"]
    students = StudentReports(table, own, names, lang=lang)
    if jobs > 1:  # what the workers import, imported before they are forked (no import lock)
        import backviz.render.equations
        import backviz.render.text  # noqa: F401

    class_files = ["grades.csv", "verdicts.csv", "summary.md"] + (["record.json"] if record else [])
    Written.read(out).claim(class_files)  # before anything is written: refused, nothing changes
    with StagedFolders(out, folders) as staged:

        def write_share(share: range) -> str:
            """The files of the submissions in `share`; their rows of verdicts.csv."""
            for i, feedback, results in students.files(share):
                staged.write("feedback", f"{names[i]}.md", feedback)
                staged.write("results", f"{names[i]}.json", results)
            if diagrams:
                for i, svg in _diagrams(table, share, own, layouts):
                    staged.write("diagrams", f"{names[i]}.svg", svg)
            return students.verdict_rows(share)

        verdict_rows = map_forked(write_share, shares(len(table), jobs), jobs)
    for file, content in (
        ("grades.csv", grades_csv(table, names)),
        (
            "verdicts.csv",
            csv_line(["student", "quantity", "verdict", "given", "expected", "marks"])
            + "".join(verdict_rows),
        ),
        ("summary.md", summary_markdown(table, trace, lang=lang, left_out=left_out)),
        *([("record.json", record)] if record else []),
    ):
        write_atomic(out / file, content)
    return names


def record_json(exercise: str, *, secret: str, cases: int, level: str) -> str:
    """record.json, for the teacher: what a code-grading run needs to be reproduced — the
    secret its random cases were drawn from (`grade --secret`), when and how it ran. Never in
    a student's feedback or results."""
    record = {
        "exercise": exercise,
        "secret": secret,
        "random_cases": cases,
        "sandbox": level,
        "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backviz": version("backviz"),
        "reproduce": f"backviz grade EXERCISE SUBMISSIONS --out DIR --secret {secret}",
    }
    return json.dumps(record, indent=2) + "\n"


def _diagrams(
    table: VerdictTable, share: range, own: list[Trace], layouts: dict[int, Any]
) -> list[tuple[int, str]]:
    """(submission, SVG) for each submission in `share`, made a run of students with the
    same exercise at a time (the whole share, unless they have variants)."""
    out: list[tuple[int, str]] = []
    start = share.start
    while start < share.stop:
        stop = start + 1
        while stop < share.stop and own[stop] is own[start]:
            stop += 1
        svgs = layouts[id(own[start])].svgs(table, range(start, stop))
        out += zip(range(start, stop), svgs, strict=True)
        start = stop
    return out
