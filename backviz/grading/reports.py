"""The grader's reports: grades.csv, verdicts.csv, feedback/<student>.md, results/<student>.json
(Gradescope's results.json), summary.md — each written atomically, so an interrupted run leaves
the previous reports whole."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BackvizError
from ..files import write_atomic
from ..notation import format_number as _format_number
from ..trace import Trace
from .verdicts import CARRIED, CORRECT, Graded

__all__ = ["feedback_markdown", "gradescope_results", "write_reports"]


@lru_cache(maxsize=4096)
def format_number(value: float) -> str:
    """The shared formatter, cached: every student's report shows the same expected values.
    A code exercise's verdicts have no single expected number (nan): shown as —."""
    return "—" if value != value else _format_number(value)


WORDS = {
    "en": {
        "feedback": "Feedback for {student}: {exercise}",
        "total": "Total: {total:g} / {max:g}",
        "problems": "Problems with the sheet",
        "quantity": "quantity",
        "verdict": "verdict",
        "yours": "yours",
        "expected": "expected",
        "marks": "marks",
        "worked": "Worked steps for what was missed",
        "summary": "Class summary: {exercise}",
        "students": "{n} submissions; mean {mean:.2f} / {max:g}, median {median:.2f}, "
        "lowest {low:g}, highest {high:g}",
        "distribution": "Distribution of totals",
        "per_quantity": "Per quantity (share of the class)",
        "common": "Most common mistakes",
    },
    "ko": {
        "feedback": "{student} 피드백: {exercise}",
        "total": "총점: {total:g} / {max:g}",
        "problems": "답안지의 문제",
        "quantity": "값",
        "verdict": "판정",
        "yours": "답",
        "expected": "정답",
        "marks": "점수",
        "worked": "틀린 값의 풀이",
        "summary": "학급 요약: {exercise}",
        "students": "제출 {n}건; 평균 {mean:.2f} / {max:g}, 중앙값 {median:.2f}, "
        "최저 {low:g}, 최고 {high:g}",
        "distribution": "총점 분포",
        "per_quantity": "값별 비율",
        "common": "자주 나온 실수",
    },
}


def safe_name(student: str) -> str:
    """A file name for a student id (letters, digits, Hangul, '-', '_', '.')."""
    name = re.sub(r"[^\w.\-]+", "_", student, flags=re.UNICODE).strip("._") or "student"
    return name[:80]


def _worked_step(trace: Trace, name: str, cache: dict[str, str]) -> str:
    """The worked equation of a quantity as text (the same for every student: cached)."""
    if name not in cache:
        from ..render.solution import equation
        from ..render.text import equation_text

        eq = equation(trace, trace.ref(name))
        cache[name] = (
            equation_text(eq, 8) if eq is not None else f"{name} = {trace.value(trace.ref(name))!r}"
        )
    return cache[name]


def feedback_markdown(
    graded: Graded, trace: Trace, *, lang: str = "en", steps: dict[str, str] | None = None
) -> str:
    """Per quantity: the verdict, what was expected; for each miss the worked step.

    `steps` caches the worked equations across students (they do not depend on the student).
    """
    w = WORDS[lang]
    title = trace.exercise.title.get(lang) or trace.exercise.title.get("en", trace.exercise.id)
    lines = [
        f"# {w['feedback'].format(student=graded.student, exercise=title)}",
        "",
        w["total"].format(total=graded.total, max=graded.max_total),
        "",
    ]
    if graded.problems:
        lines += [f"## {w['problems']}", "", *[f"- {p}" for p in graded.problems], ""]
    lines += [
        f"| {w['quantity']} | {w['verdict']} | {w['yours']} | {w['expected']} | {w['marks']} |",
        "|---|---|---|---|---|",
    ]
    for v in graded.verdicts:
        verdict = v.verdict + (
            f" ({v.detail})" if v.verdict in (CARRIED, "wrong") and v.detail else ""
        )
        lines.append(
            f"| `{v.name}` | {verdict} | {v.given or '—'} | "
            f"{format_number(v.expected)} | {v.marks:g} / {v.max_marks:g} |"
        )
    missed = [v for v in graded.verdicts if v.verdict not in (CORRECT, CARRIED)]
    if missed:
        lines += ["", f"## {w['worked']}", ""]
        cache = steps if steps is not None else {}
        for v in missed:
            try:
                step = _worked_step(trace, v.name, cache)
            except BackvizError:  # not a quantity of the trace (a code exercise's z(2))
                step = v.detail or v.verdict
            lines.append(f"- `{v.name}` ({v.verdict}): {step}")
            if (
                (v.verdict.startswith("mistake:") or v.verdict == "wrong")
                and v.detail
                and v.detail != step
            ):
                lines.append(f"  - {v.detail}")
    return "\n".join(lines) + "\n"


def gradescope_results(graded: Graded, *, lang: str = "en") -> dict:
    """Gradescope's results.json: one test per quantity, with score, max_score and output."""
    tests = []
    for number, v in enumerate(graded.verdicts, start=1):
        output = (
            f"{v.verdict}: yours {v.given or '(missing)'}, expected {format_number(v.expected)}"
        )
        if v.detail:
            output += f" — {v.detail}"
        tests.append(
            {
                "name": v.name,
                "number": str(number),
                "score": round(v.marks, 6),
                "max_score": v.max_marks,
                "output": output,
                "visibility": "visible",
                "status": "passed" if v.verdict in (CORRECT, CARRIED) else "failed",
            }
        )
    result = {
        "score": round(graded.total, 6),
        "output": WORDS[lang]["total"].format(total=graded.total, max=graded.max_total)
        + "".join(f"\n{p}" for p in graded.problems),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return result


def _expected(value: float) -> str:
    """Full precision for the CSV; empty where a verdict has no single expected number."""
    return "" if value != value else repr(value)


def _csv(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def summary_markdown(results: list[Graded], trace: Trace, *, lang: str = "en") -> str:
    """Class statistics and, per quantity, the share of each verdict: what to re-teach."""
    w = WORDS[lang]
    title = trace.exercise.title.get(lang) or trace.exercise.title.get("en", trace.exercise.id)
    lines = [f"# {w['summary'].format(exercise=title)}", ""]
    if not results:
        return "\n".join(lines) + "\n"
    totals = [g.total for g in results]
    top = results[0].max_total
    lines += [
        w["students"].format(
            n=len(results),
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
    mistakes = Counter(
        v.verdict for g in results for v in g.verdicts if v.verdict.startswith("mistake:")
    )
    lines += [f"- {name}: {count}" for name, count in mistakes.most_common(10)] or ["- —"]
    lines += [
        "",
        f"## {w['per_quantity']}",
        "",
        "| quantity | correct | carried | mistakes | wrong | missing | unreadable |",
        "|---|---|---|---|---|---|---|",
    ]
    names = [v.name for v in results[0].verdicts]
    n = len(results)
    for i, name in enumerate(names):
        verdicts = Counter(g.verdicts[i].verdict for g in results)
        shown = (
            ", ".join(
                f"{k[8:]} {c / n:.0%}"
                for k, c in verdicts.most_common()
                if k.startswith("mistake:")
            )
            or "—"
        )
        lines.append(
            f"| `{name}` | {verdicts[CORRECT] / n:.0%} | {verdicts[CARRIED] / n:.0%} | "
            f"{shown} | {verdicts['wrong'] / n:.0%} | {verdicts['missing'] / n:.0%} | "
            f"{verdicts['unreadable'] / n:.0%} |"
        )
    return "\n".join(lines) + "\n"


def unique_names(results: list[Graded]) -> list[str]:
    """A file name per submission: the student id, made unique (every submission once)."""
    seen: Counter[str] = Counter()
    names = []
    for g in results:
        base = safe_name(g.student)
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def write_reports(
    results: list[Graded],
    trace: Trace,
    out: Path,
    *,
    lang: str = "en",
    diagrams: bool = True,
    traces: list[Trace] | None = None,
) -> list[Path]:
    """Every report into `out` (each file atomically). With `traces`, each student's own
    exercise (their variant), aligned with `results`.
    """
    names = unique_names(results)
    own = traces if traces is not None else [trace] * len(results)
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

    def per_student(indices: range) -> None:
        steps: dict[int, dict[str, str]] = {}
        for i in indices:
            g, name, exercise = results[i], names[i], own[i]
            cache = steps.setdefault(id(exercise), {})
            write_atomic(
                out / "feedback" / f"{name}.md",
                feedback_markdown(g, exercise, lang=lang, steps=cache),
            )
            write_atomic(
                out / "results" / f"{name}.json",
                json.dumps(gradescope_results(g, lang=lang), ensure_ascii=False),
            )
            if diagrams:
                write_atomic(out / "diagrams" / f"{name}.svg", layouts[id(exercise)].svg(g))

    per_student(range(len(results)))
    quantities = [v.name for v in results[0].verdicts] if results else []
    grades = [["student", "total", "max", *quantities]]
    verdict_rows = [["student", "quantity", "verdict", "given", "expected", "marks"]]
    for name, g in zip(names, results, strict=True):
        grades.append(
            [name, f"{g.total:g}", f"{g.max_total:g}", *[f"{v.marks:g}" for v in g.verdicts]]
        )
        verdict_rows.extend(
            [name, v.name, v.verdict, v.given, _expected(v.expected), f"{v.marks:g}"]
            for v in g.verdicts
        )
    written = []
    for name in names:
        written += [out / "feedback" / f"{name}.md", out / "results" / f"{name}.json"]
        if diagrams:
            written.append(out / "diagrams" / f"{name}.svg")
    for file, content in (
        ("grades.csv", _csv(grades)),
        ("verdicts.csv", _csv(verdict_rows)),
        ("summary.md", summary_markdown(results, trace, lang=lang)),
    ):
        write_atomic(out / file, content)
        written.append(out / file)
    return written
