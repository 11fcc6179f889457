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
from .attempts import DEFAULT_METHOD, one_attempt_each
from .cloze_parts import drawn_exercise, matches, name_parts, right_answers
from .handed_in import Handed, handed_in
from .report_text import WORDS
from .roster import Roster
from .sheets.submission import Submission
from .table import VerdictTable
from .variants import question_id
from .verdicts import ClassGrader

__all__ = ["PARALLEL_FROM", "check_sheet", "grade_paths"]

CODE_SUFFIXES = (".py", ".ipynb")
"""What a coding exercise's submissions are: Python files, and Jupyter notebooks."""

_ATTEMPT_WORDS = {
    "highest": "highest attempt",
    "first": "first attempt",
    "last": "last attempt",
    "average": "attempts' average",
}

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
    roster: Path | None = None,
    attempts: str = DEFAULT_METHOD,
) -> str:
    """Grade every sheet found in `paths`; write the reports; return a one-paragraph summary.

    `attempts` chooses each student's attempt of a Moodle quiz of several (`attempts.py`).

    `secret` draws a coding exercise's random cases as the run that recorded it did. With
    `roster` (`Roster`), its students with nothing handed in are graded as empty ("no sheet
    handed in") and submissions of students not on it are told so and left out of summary.md.

    The cyclic garbage collector is paused meanwhile: a class makes hundreds of thousands of
    small acyclic objects (answers, verdicts), and its passes over them would cost a third
    of the time without freeing anything.
    """
    _check_out(out)
    class_roster = Roster.read(roster) if roster is not None else None
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
                roster=class_roster,
                attempts=attempts,
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
    roster: Roster | None,
    attempts: str,
) -> str:
    from .reports import write_reports
    from .sheets.folders import sheet_entries
    from .sheets.reading import read_entries

    if not exercise_path.is_dir():
        exercise = load(exercise_path)
        if isinstance(exercise, NetworkExercise) and exercise.code is not None:
            return _grade_code_paths(
                exercise,
                paths,
                out,
                lang=lang,
                require=require,
                progress=progress,
                secret=secret,
                roster=roster,
            )
    if secret is not None:
        raise BackvizError("--secret is for coding exercises (their random cases)")
    entries = sheet_entries(paths, lang)
    if not entries:
        raise BackvizError("no answer sheets found in " + ", ".join(map(str, paths)))
    jobs = jobs if len(entries) >= PARALLEL_FROM else 1
    if exercise_path.is_dir():  # a folder of per-student variants
        submissions = read_entries(entries, lang)
        named_by = None
        if roster is not None:
            students, named_by = roster.quiz_names(
                [s.student for s in submissions], [s.attempt for s in submissions]
            )
            submissions = [
                replace(s, student=n) for s, n in zip(submissions, students, strict=True)
            ]
        absent = roster.absent(s.student for s in submissions) if roster is not None else []
        no_sheet = WORDS[lang]["no_sheet"]
        submissions += [Submission(student, "", {}, (no_sheet,)) for student in absent]
        table, traces = _grade_variants(exercise_path, submissions, lang, progress)
        trace = traces[0]
        choice = one_attempt_each(table, attempts, lang)
        table, traces = choice.table, [traces[i] for i in choice.rows]
    else:
        trace = _network_trace(exercise_path)
        traces = None
        grader = ClassGrader(trace, lang=lang)

        n, here = len(entries), os.getpid()

        def grade_share(share: range) -> VerdictTable:
            """The share's table; this process's own share reports the progress of all
            (the shares are equal), in chunks of 2,000 sheets."""
            if progress is None or os.getpid() != here:
                own = read_entries(entries[share.start : share.stop], lang)
                return grader.table(name_parts(own, trace))
            tables = []
            for chunk in shares(len(share), -(-len(share) // 2000)):
                start, stop = share.start + chunk.start, share.start + chunk.stop
                own = read_entries(entries[start:stop], lang)
                tables.append(grader.table(name_parts(own, trace)))
                done = stop if jobs == 1 else (stop - share.start) * len(parts)
                progress(min(done, n - 1) if jobs > 1 else done, n)
            return VerdictTable.concat(tables)

        parts = shares(n, jobs)
        table = VerdictTable.concat(map_forked(grade_share, parts, jobs))
        if progress is not None and jobs > 1:
            progress(n, n)
        named_by = None
        if roster is not None:
            table.students, named_by = roster.quiz_names(table.students, table.attempts)
        choice = one_attempt_each(table, attempts, lang)
        table = choice.table
        absent = roster.absent(table.students) if roster is not None else []
        if absent:  # graded as empty sheets, after those handed in
            no_sheet = (WORDS[lang]["no_sheet"],)
            empty = grader.table([Submission(student, "", {}, no_sheet) for student in absent])
            table = VerdictTable.concat([table, empty])
    graded = _graded_line(table, len(table) - len(absent), trace.exercise.id)
    if named_by is not None and roster is not None:
        graded += (
            f"\nthe quiz's rows are named by their '{named_by}', as {roster.path.name} lists them"
        )
    if choice.students:
        graded += (
            f"\n{choice.students} student(s) with several attempts: each graded by its "
            f"{_ATTEMPT_WORDS[choice.method]} (--attempts {choice.method}; see their feedback)"
        )
    left_out, roster_lines = _roster_rows(table, roster, absent, lang)
    write_reports(
        table, trace, out, lang=lang, diagrams=diagrams, traces=traces, jobs=jobs, left_out=left_out
    )
    return (
        graded
        + roster_lines
        + f"\nreports in {out}/: grades.csv, verdicts.csv, summary.md, feedback/, results/"
        + (", diagrams/" if diagrams else "")
    )


def _graded_line(table: VerdictTable, handed: int, exercise: str) -> str:
    """What the CLI says of the first `handed` submissions (those handed in): how many, their
    mean, their verdicts, how many sheets had problems."""
    verdicts: Counter[str] = Counter()
    for column in table.verdicts:
        verdicts.update(Counter(column[:handed]))
    kinds: Counter[str] = Counter()
    for verdict, count in verdicts.items():
        kinds[verdict.split(":")[0]] += count
    problems = sum(1 for p in table.problems[:handed] if p)
    mean = sum(table.totals[:handed]) / max(handed, 1)
    return (
        f"graded {handed} submission(s) of {exercise}: mean {mean:.2f} / "
        f"{table.max_total:g}; "
        + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        + (f"; {problems} sheet(s) with problems (see feedback/)" if problems else "")
    )


def _roster_rows(
    table: VerdictTable, roster: Roster | None, absent: list[str], lang: str
) -> tuple[dict[int, str], str]:
    """The rows summary.md leaves out, with why: the `absent` students' (the table's last
    rows) and those of students not on the roster, each of which is told so in its problems;
    and the CLI's lines about them."""
    if roster is None:
        return {}, ""
    handed = len(table) - len(absent)
    off = [i for i in range(handed) if not roster.has(table.students[i])]
    for i in off:
        line = roster.not_on(table.students[i], lang, absent)
        table.problems[i] = [*table.problems[i], line]
    lines = ""
    if absent:
        lines += f"\n{len(absent)} student(s) on {roster.path.name} handed nothing in, graded 0: "
        lines += _listed(absent)
    if off:
        lines += f"\n{len(off)} submission(s) from students not on {roster.path.name}, "
        lines += "left out of summary.md (see their feedback): "
        lines += _listed([table.students[i] for i in off])
        twins = [
            f"{table.students[i]} ~ {twin[0]}"
            for i in off
            if (twin := roster.zeros_twin(table.students[i], absent)) is not None
        ]
        if twins:
            lines += f"\n{len(twins)} of them are a roster id with its leading zeros dropped or "
            lines += "restored (Excel drops them; correct the file and grade again): "
            lines += _listed(twins)
    left_out = dict.fromkeys(off, "off_roster") | dict.fromkeys(range(handed, len(table)), "absent")
    return left_out, lines


def _listed(students: list[str], most: int = 10) -> str:
    """The first `most` student ids, as the terminal may show them (`terminal_text`)."""
    from .escape import terminal_text

    shown = ", ".join(terminal_text(s).replace("\n", " ") for s in students[:most])
    return shown + (f" and {len(students) - most} more" if len(students) > most else "")


def code_sources(paths: list[Path], lang: str = "en") -> list[Handed]:
    """Each code submission, by `handed_in`'s rule: a named .py or .ipynb file (its stem names
    the student), a folder's .py and .ipynb files, and each of its subfolders' first one (the
    subfolder names the student); links and FIFOs found in a folder refused, never followed or
    opened (why, in `lang`)."""
    return handed_in(paths, suffixes=CODE_SUFFIXES, what="code", one_each=True, lang=lang)


def _grade_code_paths(
    exercise: NetworkExercise,
    paths: list[Path],
    out: Path,
    *,
    lang: str,
    require: str | None,
    progress: Callable[[int, int], None] | None,
    secret: str | None,
    roster: Roster | None,
) -> str:
    """A coding exercise: every submission run in the sandbox and judged quantity by quantity;
    the run's record (the secret its random cases came from) kept for the teacher."""
    from .code import grade_code, new_secret
    from .reports import record_json, write_reports

    sources = code_sources(paths, lang)
    if not sources:
        raise BackvizError("no .py or .ipynb submissions found in " + ", ".join(map(str, paths)))
    absent = roster.absent(source.student for source in sources) if roster is not None else []
    sources += [Handed(student, Path(), WORDS[lang]["no_code"]) for student in absent]
    if secret is not None and not re.fullmatch(r"[0-9a-f]{8,64}", secret):
        raise BackvizError(
            f"--secret: a run's secret (hex digits, from record.json), not {secret!r}"
        )
    secret = secret or new_secret()
    results = grade_code(
        exercise, sources, secret=secret, require=require, progress=progress, lang=lang
    )
    trace = trace_of(exercise)
    table = VerdictTable.of(results)
    left_out, roster_lines = _roster_rows(table, roster, absent, lang)
    level = next((p for g in results for p in g.problems if p.startswith("sandbox:")), "")
    record = record_json(exercise.id, secret=secret, cases=exercise.code.cases, level=level[9:])  # type: ignore[union-attr]
    write_reports(  # type: ignore[arg-type]
        table, trace, out, lang=lang, diagrams=False, left_out=left_out, record=record
    )
    full = sum(1 for g in results if g.total == g.max_total)
    return (
        f"graded {len(results) - len(absent)} code submission(s) of {exercise.id} ({level}); "
        f"{full} fully right{roster_lines}\nreports in {out}/: grades.csv, verdicts.csv, "
        "summary.md, feedback/, results/; record.json (for the teacher: the random cases' secret, "
        "which grade --secret draws again)" + _blind_line(exercise, trace)
    )


def _blind_line(exercise: NetworkExercise, trace: Trace) -> str:
    """For the teacher (never in a student's feedback): the catalogued mistakes a training
    exercise cannot catch on its own numbers, and why."""
    from .code_training import blind_mistakes

    if exercise.code is None or exercise.code.contract != "train":
        return ""
    blind = blind_mistakes(exercise, trace)
    if not blind:
        return ""
    names = ", ".join(m.id for m in blind)
    optimizer = exercise.training.optimizer.name
    why = (
        f" ({optimizer} divides the gradient's scale away, up to its eps)"
        if optimizer in ("adam", "adamw", "rmsprop", "adagrad")
        else ""
    )
    return (
        f"\nnote: on this exercise's own numbers, a loop making {names} at every step gets "
        f"weights within the tolerance of the right ones{why}: this exercise cannot be relied "
        "on to catch it"
    )


def _grade_variants(
    folder: Path, submissions: list, lang: str, progress: Callable[[int, int], None] | None
) -> tuple[VerdictTable, list[Trace]]:
    """Each submission graded against its student's own variant (found by student id)."""
    from .escape import file_name

    variants: dict[str, Path] = {}
    by_id: dict[str, Path] = {}  # each variant by its exercise id, as a Moodle question names it
    for path in sorted(folder.glob("*.toml")):
        exercise = load(path)
        if isinstance(exercise, NetworkExercise) and exercise.student is not None:
            variants[exercise.student] = path
            by_id[question_id(exercise)] = path
            variants.setdefault(file_name(exercise.student), path)
    if not variants:
        raise BackvizError(f"{folder}: no variants found (files written by `backviz variants`)")
    graders: dict[Path, ClassGrader] = {}

    def grader_of(path: Path) -> ClassGrader:
        if path not in graders:
            graders[path] = ClassGrader(_network_trace(path), lang=lang)
        return graders[path]

    tables, traces = [], []
    for done, submission in enumerate(submissions, start=1):
        if submission.cloze is not None:  # a Moodle quiz: the variant the student drew
            path = _drawn_variant(submission, by_id, grader_of, folder)
            submission = name_parts([submission], grader_of(path).trace)[0]
        else:
            path = variants.get(submission.student) or variants.get(file_name(submission.student))
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
        grader = grader_of(path)
        tables.append(grader.table([submission]))
        traces.append(grader.trace)
        if progress is not None and (done % 100 == 0 or done == len(submissions)):
            progress(done, len(submissions))
    return VerdictTable.concat(tables), traces


def _drawn_variant(
    submission: Submission,
    by_id: dict[str, Path],
    grader_of: Callable[[Path], ClassGrader],
    folder: Path,
) -> Path:
    """The variant a Moodle quiz drew for this attempt: the one its question's text names, else
    the one whose answer key its right answers are. Neither column in the export, or a
    question of no variant here, is a one-line error (the whole export is another quiz's)."""
    file = Path(submission.source.rsplit(":row ", 1)[0]).name
    named = drawn_exercise(submission)
    if named is not None:
        if named in by_id:
            return by_id[named]
        raise BackvizError(
            f"{file}: column 'Question N': expected a question of the variants in {folder}, "
            f"found backviz exercise {named}: a Responses export of another quiz?"
        )
    if right_answers(submission) is not None:
        for path in by_id.values():
            if matches(submission, grader_of(path).trace):
                return path
        raise BackvizError(
            f"{file}: column 'Right answer N': expected the answers of a variant in {folder}, "
            "found those of none: a Responses export of another quiz?"
        )
    if not submission.answers:  # no attempt: every answer missing, against any variant
        return next(iter(by_id.values()))
    raise BackvizError(
        f"{file}: column 'Question N': expected it (or 'Right answer N'), to tell which variant "
        "each student drew, found neither: tick 'Question text' in the Responses report's "
        "options before downloading"
    )


def check_sheet(exercise_path: Path, sheet: Path, *, lang: str = "en") -> str:
    """One student's own sheet checked: the feedback as text for the terminal."""
    from .escape import terminal_text
    from .sheets.reading import read_sheet
    from .student_reports import feedback_markdown

    trace = _network_trace(exercise_path)
    # a Moodle export: its first attempt
    submissions = name_parts(read_sheet(sheet, lang=lang), trace)
    if not submissions:
        raise BackvizError(f"{sheet}: no answers found")
    table = ClassGrader(trace, lang=lang).table(submissions[:1])
    return terminal_text(feedback_markdown(table, 0, trace, lang=lang))
