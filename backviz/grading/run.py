"""The grading jobs behind the commands: a class's sheets into reports, one student's check."""

from __future__ import annotations

import gc
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..core.api import trace_of
from ..core.exercise import NetworkExercise
from ..core.loading import load
from ..core.trace import Trace
from ..errors import BackvizError
from ..files import folder_lock
from ..parallel import default_jobs, map_forked, shares
from .table import VerdictTable
from .verdicts import ClassGrader

__all__ = ["PARALLEL_FROM", "check_sheet", "grade_paths"]

PARALLEL_FROM = 1000
"""Classes of at least this many sheets are graded by several processes (`jobs`)."""


def _network_trace(exercise_path: Path) -> Trace:
    exercise = load(exercise_path)
    if not isinstance(exercise, NetworkExercise) or not exercise.trains:
        raise BackvizError(f"{exercise_path}: grading needs a network exercise with [training]")
    return trace_of(exercise)  # type: ignore[return-value]


def grade_paths(
    exercise_path: Path,
    paths: list[Path],
    out: Path,
    *,
    lang: str = "en",
    diagrams: bool = True,
    progress: Callable[[int, int], None] | None = None,
    require: str | None = None,
    jobs: int | None = None,
    secret: str | None = None,
) -> str:
    """Grade every sheet found in `paths`; write the reports; return a one-paragraph summary.

    `secret` draws a coding exercise's random cases as the run that recorded it did.

    The cyclic garbage collector is paused meanwhile: a class makes hundreds of thousands of
    small acyclic objects (answers, verdicts), and its passes over them would cost a third
    of the time without freeing anything.
    """
    _check_out(out)
    gc.disable()
    try:
        with folder_lock(out):  # one run at a time writes into `out`
            return _grade_paths(
                exercise_path,
                paths,
                out,
                lang=lang,
                diagrams=diagrams,
                progress=progress,
                require=require,
                jobs=default_jobs() if jobs is None else max(1, jobs),
                secret=secret,
            )
    except OSError as error:  # the reports could not be written (disk full, no permission …)
        where = error.filename or out
        raise BackvizError(
            f"{where}: the reports could not be written ({error.strerror or error}); "
            "none is half written: each is as this run or the one before left it"
        ) from None
    finally:
        gc.enable()


def _check_out(out: Path) -> None:
    """Before any work: the reports' folder and its report folders must be folders."""
    from .reports import FOLDERS

    for path in (out, *(out / name for name in FOLDERS)):
        if path.exists() and not path.is_dir():
            raise BackvizError(
                f"{path}: a file where the reports need a folder; move it or choose another --out"
            )


def _grade_paths(
    exercise_path: Path,
    paths: list[Path],
    out: Path,
    *,
    lang: str,
    diagrams: bool,
    progress: Callable[[int, int], None] | None,
    require: str | None,
    jobs: int,
    secret: str | None,
) -> str:
    from .reports import write_reports
    from .sheets.folders import sheet_entries
    from .sheets.reading import read_entries

    if not exercise_path.is_dir():
        exercise = load(exercise_path)
        if isinstance(exercise, NetworkExercise) and exercise.code is not None:
            return _grade_code_paths(
                exercise, paths, out, lang=lang, require=require, progress=progress, secret=secret
            )
    if secret is not None:
        raise BackvizError("--secret is for coding exercises (their random cases)")
    entries = sheet_entries(paths)
    if not entries:
        raise BackvizError("no answer sheets found in " + ", ".join(map(str, paths)))
    jobs = jobs if len(entries) >= PARALLEL_FROM else 1
    if exercise_path.is_dir():  # a folder of per-student variants
        table, traces = _grade_variants(exercise_path, read_entries(entries), lang, progress)
        trace = traces[0]
    else:
        trace = _network_trace(exercise_path)
        traces = None
        grader = ClassGrader(trace, lang=lang)

        n, here = len(entries), os.getpid()

        def grade_share(share: range) -> VerdictTable:
            """The share's table; this process's own share reports the progress of all
            (the shares are equal), in chunks of 2,000 sheets."""
            if progress is None or os.getpid() != here:
                return grader.table(read_entries(entries[share.start : share.stop]))
            tables = []
            for chunk in shares(len(share), -(-len(share) // 2000)):
                start, stop = share.start + chunk.start, share.start + chunk.stop
                tables.append(grader.table(read_entries(entries[start:stop])))
                done = stop if jobs == 1 else (stop - share.start) * len(parts)
                progress(min(done, n - 1) if jobs > 1 else done, n)
            return VerdictTable.concat(tables)

        parts = shares(n, jobs)
        table = VerdictTable.concat(map_forked(grade_share, parts, jobs))
        if progress is not None and jobs > 1:
            progress(n, n)
    write_reports(table, trace, out, lang=lang, diagrams=diagrams, traces=traces, jobs=jobs)
    verdicts = Counter()
    for column in table.verdicts:
        verdicts.update(Counter(column))
    kinds = Counter()
    for verdict, count in verdicts.items():
        kinds[verdict.split(":")[0]] += count
    problems = sum(1 for p in table.problems if p)
    mean = sum(table.totals) / len(table)
    return (
        f"graded {len(table)} submission(s) of {trace.exercise.id}: mean {mean:.2f} / "
        f"{table.max_total:g}; "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        + (f"; {problems} sheet(s) with problems (see feedback/)" if problems else "")
        + f"\nreports in {out}/: grades.csv, verdicts.csv, summary.md, feedback/, results/"
        + (", diagrams/" if diagrams else "")
    )


def code_sources(paths: list[Path]) -> list[tuple[str, Path]]:
    """(student, .py file) for each code submission: a file (its stem names the student) or a
    folder holding one .py file (the folder names the student), sorted within folders."""
    sources: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.glob("*.py") if not p.name.startswith("."))
            folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
            if files and not folders:
                sources += [(p.stem, p) for p in files]
            for folder in folders:
                inner = sorted(folder.glob("*.py"))
                if inner:
                    sources.append((folder.name, inner[0]))
        else:
            sources.append((path.stem, path))
    return sources


def _grade_code_paths(
    exercise: NetworkExercise,
    paths: list[Path],
    out: Path,
    *,
    lang: str,
    require: str | None,
    progress: Callable[[int, int], None] | None,
    secret: str | None,
) -> str:
    """A coding exercise: every submission run in the sandbox and judged quantity by quantity;
    the run's record (the secret its random cases came from) kept for the teacher."""
    from .code import grade_code, new_secret
    from .reports import record_json, write_reports

    sources = code_sources(paths)
    if not sources:
        raise BackvizError("no .py submissions found in " + ", ".join(map(str, paths)))
    if secret is not None and not re.fullmatch(r"[0-9a-f]{8,64}", secret):
        raise BackvizError(
            f"--secret: a run's secret (hex digits, from record.json), not {secret!r}"
        )
    secret = secret or new_secret()
    results = grade_code(exercise, sources, secret=secret, require=require, progress=progress)
    trace = trace_of(exercise)
    level = next((p for g in results for p in g.problems if p.startswith("sandbox:")), "")
    record = record_json(exercise.id, secret=secret, cases=exercise.code.cases, level=level[9:])  # type: ignore[union-attr]
    write_reports(VerdictTable.of(results), trace, out, lang=lang, diagrams=False, record=record)  # type: ignore[arg-type]
    full = sum(1 for g in results if g.total == g.max_total)
    return (
        f"graded {len(results)} code submission(s) of {exercise.id} ({level}); "
        f"{full} fully right\nreports in {out}/: grades.csv, verdicts.csv, summary.md, "
        "feedback/, results/; record.json (for the teacher: the random cases' secret, "
        "which grade --secret draws again)"
    )


def _grade_variants(
    folder: Path, submissions: list, lang: str, progress: Callable[[int, int], None] | None
) -> tuple[VerdictTable, list[Trace]]:
    """Each submission graded against its student's own variant (found by student id)."""
    from .report_text import safe_name

    variants: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        exercise = load(path)
        if isinstance(exercise, NetworkExercise) and exercise.student is not None:
            variants[exercise.student] = path
            variants.setdefault(safe_name(exercise.student), path)
    if not variants:
        raise BackvizError(f"{folder}: no variants found (files written by `backviz variants`)")
    graders: dict[Path, ClassGrader] = {}
    tables, traces = [], []
    for done, submission in enumerate(submissions, start=1):
        path = variants.get(submission.student) or variants.get(safe_name(submission.student))
        if path is None:
            path = next(iter(variants.values()))
            submission = replace(
                submission,
                answers={},
                problems=(
                    *submission.problems,
                    f"no variant for student '{submission.student}' in {folder}",
                ),
            )
        if path not in graders:
            graders[path] = ClassGrader(_network_trace(path), lang=lang)
        grader = graders[path]
        tables.append(grader.table([submission]))
        traces.append(grader.trace)
        if progress is not None and (done % 100 == 0 or done == len(submissions)):
            progress(done, len(submissions))
    return VerdictTable.concat(tables), traces


def check_sheet(exercise_path: Path, sheet: Path, *, lang: str = "en") -> str:
    """One student's own sheet checked: the feedback as text for the terminal."""
    from .sheets.reading import read_sheet
    from .student_reports import feedback_markdown

    trace = _network_trace(exercise_path)
    submissions = read_sheet(sheet)
    if not submissions:
        raise BackvizError(f"{sheet}: no answers found")
    table = ClassGrader(trace, lang=lang).table(submissions[:1])
    return feedback_markdown(table, 0, trace, lang=lang)
