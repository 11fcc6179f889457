"""The `backviz` command: parses arguments, calls the API, maps errors to messages and exit codes.

Exit status: 0 success; 1 `check` found a mismatch; 2 bad input (exercise file, arguments);
3 a missing dependency; 4 `check` is incomplete (a source could not run).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from .core.exercise import NetworkExercise
from .errors import BackvizError

__all__ = ["main"]

FORMATS = ("text", "md", "latex", "html", "json", "csv")
SOLVE_SUFFIXES = {".txt": "text", ".md": "md", ".tex": "latex", ".html": "html", ".json": "json",
                  ".csv": "csv"}  # fmt: skip
DRAW_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}
PLOT_SUFFIXES = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
"""Each command's output formats by the file name's suffix: the format follows the name."""


def _fail(error: BackvizError) -> None:
    click.echo(f"backviz: {error}", err=True)
    sys.exit(error.exit_status)


def _unwritable(out: Path, error: OSError) -> BackvizError:
    """A file or folder that could not be written, as one line."""
    return BackvizError(f"{out}: could not be written ({error.strerror or error})")


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    """The block's errors as one line and an exit status: backviz's own, and `out` (a file or
    a folder) that could not be written."""
    try:
        yield
    except BackvizError as error:
        _fail(error)
    except OSError as error:
        _fail(_unwritable(out, error))


def _format_of(out: Path | None, fmt: str | None, suffixes: dict[str, str], default: str) -> str:
    """The format to write: the one the file name's suffix says, else --format, else `default`.
    A suffix that names no format of `suffixes`, or another format than --format, is refused:
    a file's name never says one format while it holds another."""
    if out is None or not out.suffix:
        return fmt or default
    named = suffixes.get(out.suffix.lower())
    if named is None:
        listed = [s if s[1:] == f else f"{s} ({f})" for s, f in suffixes.items()]
        command = click.get_current_context().info_name
        raise BackvizError(
            f"{out}: {command} writes {', '.join(listed[:-1])} or {listed[-1]} files (the "
            f"format follows the file name), not {out.suffix}"
        )
    if fmt is not None and fmt != named:
        wanted = next(s for s, f in suffixes.items() if f == fmt)
        raise BackvizError(
            f"{out}: --format {fmt} does not match the file name ({out.suffix} is {named}); "
            f"name it {wanted}, or leave --format out"
        )
    return named


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    from .files import write_atomic

    try:
        write_atomic(out, text)
    except OSError as error:
        raise _unwritable(out, error) from None
    click.echo(f"wrote {out}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backviz")
def main() -> None:
    """backviz: backpropagation one number at a time."""


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="text, md, latex, html: the worked solution; json, csv: the answer key for scripts. "
    "Default: from the file name of -o (.txt .md .tex .html .json .csv), else text.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option(
    "--decimals",
    type=click.IntRange(0, 17),
    default=8,
    show_default=True,
    help="Decimals shown in text output (csv and json always carry full precision).",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Write to this file instead.")
@click.option("--only", metavar="NAME", help="Only this quantity's worked equation (e.g. dE/dW5).")
def solve(
    exercise: Path, fmt: str | None, lang: str, decimals: int, out: Path | None, only: str | None
) -> None:
    """The worked solution of EXERCISE (a .toml exercise file), or its answer key."""
    from .core.api import solve as compute

    try:
        fmt = _format_of(out, fmt, SOLVE_SUFFIXES, "text")
        trace = compute(exercise)
    except BackvizError as error:
        _fail(error)
        return
    if fmt == "json":
        from .core.export import to_json

        _emit(to_json(trace), out)
    elif fmt == "csv":
        from .core.export import to_csv

        _emit(to_csv(trace), out)
    else:
        from .render import render_solution

        try:
            _emit(render_solution(trace, fmt, lang=lang, decimals=decimals, only=only), out)
        except BackvizError as error:
            _fail(error)


@main.command()
@click.argument("exercises", type=click.Path(path_type=Path, file_okay=False), default="exercises")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default="solutions",
    show_default=True,
    help="Folder for the generated Markdown solutions.",
)
def solutions(exercises: Path, out: Path) -> None:
    """Write every exercise's worked solution (Markdown, English and Korean) into a folder."""
    from .publish import write_solutions

    with _writing(out):
        written = write_solutions(exercises, out)
    click.echo(f"wrote {len(written)} files to {out}/", err=True)


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default="backviz-demo",
    show_default=True,
    help="Folder for the demo's files.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
def demo(out: Path, lang: str) -> None:
    """The whole job on the notes' 2-2-2 example: the worked solution here, files in a folder."""
    from .core.api import solve as compute
    from .publish import write_demo
    from .render import render_solution

    exercise = Path(__file__).resolve().parent / "data" / "seed-222.toml"
    click.echo(render_solution(compute(exercise), "text", lang=lang), nl=False)
    with _writing(out):
        paths = write_demo(exercise, out)
    click.echo("")
    click.echo(f"Files written to {out}/:")
    for path in paths:
        click.echo(f"  {path}")


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "--stage",
    type=click.Choice(("forward", "backward", "update", "all")),
    default=None,
    help="What is written (default: forward for a network, all for an expression).",
)
@click.option(
    "--highlight",
    metavar="NAME",
    help="Show this quantity with what its worked equation reads, every path of a sum.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("svg", "png", "pdf", "dot")),
    default=None,
    help="Default: from the file name of -o (.svg .png .pdf .dot), else svg.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option("--step", type=click.IntRange(1), default=1, show_default=True)
@click.option("--sample", type=click.IntRange(1), default=1, show_default=True)
@click.option("--decimals", type=click.IntRange(0, 17), default=4, show_default=True)
@click.option(
    "--blank", is_flag=True, help="Only the given numbers; an empty box for each computed one."
)
@click.option(
    "--view",
    type=click.Choice(("auto", "labels", "matrix")),
    default="auto",
    show_default=True,
    help="A network's edge numbers: on the edges, or as matrices beside the drawing (auto: "
    "matrices above 16 edges between two layers).",
)
@click.option(
    "--font-size",
    "font_size",
    type=click.FloatRange(4, 40),
    default=10,
    show_default=True,
    help="The nodes' text size in points (edges 0.9×, the title 1.4×).",
)
@click.option(
    "--dpi",
    type=click.IntRange(36, 600),
    default=96,
    show_default=True,
    help="Pixels per inch of a PNG (SVG and PDF are vectors).",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True)
def draw(
    exercise: Path,
    stage: str | None,
    highlight: str | None,
    fmt: str | None,
    lang: str,
    step: int,
    sample: int,
    decimals: int,
    blank: bool,
    view: str,
    font_size: float,
    dpi: int,
    out: Path,
) -> None:
    """Draw EXERCISE's network (or expression graph) with its numbers, using Graphviz's dot."""
    from .core.api import solve as compute
    from .render.diagrams import diagram
    from .render.drawing import write_graph

    with _writing(out):
        fmt = _format_of(out, fmt, DRAW_SUFFIXES, "svg")
        graph = diagram(
            compute(exercise),
            stage=stage,
            highlight=highlight,
            lang=lang,
            step=step,
            sample=sample,
            decimals=decimals,
            blank=blank,
            view=view,
            fontsize=font_size,
        )
        write_graph(graph, fmt, out, dpi=dpi)
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), required=True, help="The HTML page to write."
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option("--decimals", type=click.IntRange(0, 17), default=8, show_default=True)
@click.option(
    "--practice",
    is_flag=True,
    help="Practice mode: type each asked value before it is shown; the grader's verdicts.",
)
def walkthrough(exercise: Path, out: Path, lang: str, decimals: int, practice: bool) -> None:
    """Write a self-contained HTML page that steps through EXERCISE's worked solution."""
    from .core.api import solve as compute
    from .files import write_atomic
    from .render.walkthrough import walkthrough_page

    try:
        trace = compute(exercise)
        if practice:
            from .grading.practice import practice_page

            if not isinstance(trace.exercise, NetworkExercise) or not trace.exercise.trains:
                raise BackvizError(
                    f"{exercise}: practice mode needs a network exercise with [training] "
                    "(its answer sheet)"
                )
            page = practice_page(trace, lang=lang, decimals=decimals)  # type: ignore[arg-type]
        else:
            page = walkthrough_page(trace, lang=lang, decimals=decimals)
        write_atomic(out, page)
    except BackvizError as error:
        _fail(error)
        return
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.argument("exercise_or_variants", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the sheets.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("pdf", "html", "md")),
    default=None,
    help="Default: pdf where pdflatex is installed, else html.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
def handout(exercise_or_variants: Path, out: Path, fmt: str | None, lang: str) -> None:
    """Problem sheets: one for EXERCISE_OR_VARIANTS (an exercise file), or one per student of a
    variants folder. The network with the given numbers only, the questions with blank cells,
    the precision asked and how to hand in."""
    from .grading.handout import default_format, write_handouts

    fmt = fmt or default_format()
    try:
        written = write_handouts(exercise_or_variants, out, fmt=fmt, lang=lang)
    except BackvizError as error:
        _fail(error)
        return
    for path in written:
        click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "--what",
    type=click.Choice(("loss", "deltas")),
    default="loss",
    show_default=True,
    help="loss: E over the steps; deltas: mean |δ| per layer over the steps.",
)
@click.option(
    "--steps",
    type=click.IntRange(1),
    default=None,
    help="Train this many steps instead of the exercise's own number.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The image to write (.png, .svg or .pdf).",
)
def plot(exercise: Path, what: str, steps: int | None, lang: str, out: Path) -> None:
    """Plot the loss over the steps, or the size of δ per layer (vanishing gradients)."""
    import dataclasses

    from .core.api import trace_of
    from .core.exercise import NetworkExercise
    from .core.loading import load
    from .files import write_atomic
    from .render.plots import plot as make_plot

    try:
        loaded = load(exercise)
        if not isinstance(loaded, NetworkExercise) or not loaded.trains:
            raise BackvizError(f"{exercise}: plot needs a network exercise with a [training] table")
        if steps is not None:
            training = dataclasses.replace(loaded.training, steps=steps)
            loaded = dataclasses.replace(loaded, training=training)
        fmt = _format_of(out, None, PLOT_SUFFIXES, "png")
        write_atomic(out, make_plot(trace_of(loaded), what, fmt=fmt, lang=lang))  # type: ignore[arg-type]
    except BackvizError as error:
        _fail(error)
        return
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option("--student", help="Fill in the student id.")
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "py", "ipynb")),
    default=None,
    help="csv: an answer sheet; py or ipynb (a Jupyter notebook): a coding exercise's starter. "
    "Default: from the file name of -o (.py, .ipynb), else csv or py.",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Write to this file instead.")
def template(
    exercise: Path, student: str | None, lang: str, fmt: str | None, out: Path | None
) -> None:
    """The blank answer sheet of EXERCISE (CSV quantity,value; what its [ask] table asks),
    or, for a coding exercise, the starter file (or notebook) of the function students write."""
    from .core.api import solve as compute
    from .grading.template import answer_sheet

    try:
        trace = compute(exercise)
        if not isinstance(trace.exercise, NetworkExercise):
            raise BackvizError(f"{exercise}: answer sheets are for network exercises")
        if trace.exercise.code is not None:
            fmt = _starter_format(out, fmt, exercise)
            if fmt == "ipynb":
                from .grading.notebook_starter import starter_notebook

                _emit(starter_notebook(trace.exercise, lang=lang), out)
                return
            from .grading.code import starter_file

            _emit(starter_file(trace.exercise, lang=lang), out)
            return
        if fmt not in (None, "csv"):
            raise BackvizError(
                f"{exercise}: --format {fmt} is for coding exercises ([code]); an answer sheet "
                "is CSV"
            )
        _emit(answer_sheet(trace, student=student, lang=lang), out)  # type: ignore[arg-type]
    except BackvizError as error:
        _fail(error)


def _starter_format(out: Path | None, fmt: str | None, exercise: Path) -> str:
    """A coding exercise's starter: a .py file or a notebook, as -o's name or --format says
    (a name saying one and --format the other is refused)."""
    if fmt == "csv":
        raise BackvizError(f"{exercise}: a coding exercise's starter is py or ipynb, not csv")
    named = {".py": "py", ".ipynb": "ipynb"}.get(out.suffix.lower()) if out is not None else None
    if named is not None and fmt is not None and fmt != named:
        raise BackvizError(
            f"{out}: --format {fmt} does not match the file name ({out.suffix} is {named}); "
            f"name it .{fmt}, or leave --format out"
        )
    return fmt or named or "py"


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.argument("submissions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the reports.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option("--no-diagrams", is_flag=True, help="Skip diagrams/<student>.svg.")
@click.option(
    "--require-sandbox",
    metavar="LEVEL",
    help="Code exercises: refuse to run below this isolation (e.g. bwrap+seccomp).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes sharing a big class (1000+ sheets). Default: the cores here, up to 8.",
)
@click.option(
    "--secret",
    metavar="HEX",
    help="Code exercises: draw the random cases of an earlier run again (its record.json).",
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path),
    help="CSV with a student column (or one id per row): who hands in. Students on it with "
    "nothing handed in get 0; submissions of students not on it stay out of summary.md.",
)
@click.option(
    "--attempts",
    type=click.Choice(("highest", "first", "last", "average")),
    default="highest",
    show_default=True,
    help="A Moodle quiz of several attempts: which counts per student, as the quiz's grading "
    "method (Moodle's default is highest); unfinished attempts count only without a finished one.",
)
def grade(
    exercise: Path,
    submissions: tuple[Path, ...],
    out: Path,
    lang: str,
    no_diagrams: bool,
    require_sandbox: str | None,
    jobs: int | None,
    secret: str | None,
    roster: Path | None,
    attempts: str,
) -> None:
    """Grade EXERCISE's answer sheets (files, folders, one wide CSV) or, for a coding exercise,
    students' .py files run in the sandbox; reports go to --out."""
    from .grading.run import grade_paths

    try:
        summary = grade_paths(
            exercise,
            list(submissions),
            out,
            lang=lang,
            diagrams=not no_diagrams,
            progress=_progress(),
            require=require_sandbox,
            jobs=jobs,
            secret=secret,
            roster=roster,
            attempts=attempts,
        )
    except BackvizError as error:
        _fail(error)
        return
    click.echo(summary, err=True)


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "--roster",
    type=click.Path(path_type=Path),
    required=True,
    help="CSV with a student column (or one id per row).",
)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
def variants(exercise: Path, roster: Path, out: Path) -> None:
    """One variant of EXERCISE per student (reproducible from exercise and student id)."""
    from .grading.variants import write_variants

    try:
        written = write_variants(exercise, roster, out)
    except BackvizError as error:
        _fail(error)
        return
    click.echo(
        f"wrote {len(written)} variants to {out}/ (answer keys in {out}/keys/); "
        f"grade them with: backviz grade {out} SHEETS... --out REPORTS",
        err=True,
    )


@main.group()
def export() -> None:
    """Files a teacher uploads to the system they grade in (Gradescope, Moodle, PrairieLearn,
    Canvas), made from an exercise, its variants or a class's grades."""


# -- export moodle ---------------------------------------------------------------------------


@export.command("moodle")
@click.argument("exercise_or_variants", type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), required=True, help="The Moodle XML file."
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
def export_moodle(exercise_or_variants: Path, out: Path, lang: str) -> None:
    """A Moodle XML question bank: one Cloze question for EXERCISE_OR_VARIANTS (an exercise
    file), or one per variant of a variants folder, in a category per exercise. Moodle's marks
    are provisional: regrade its quiz's Responses export with `backviz grade`."""
    from .exports.moodle import write_moodle

    with _writing(out):
        lines = write_moodle(exercise_or_variants, out, lang=lang)
    for line in lines:
        click.echo(line, err=True)


# -- export prairielearn -------------------------------------------------------------------------


@export.command("prairielearn")
@click.argument("source", metavar="EXERCISE_OR_VARIANTS", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The question folder to write, e.g. COURSE/questions/backprop/seed-222.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option(
    "--secret",
    default=None,
    help="A coding exercise: draw its random cases from this secret (default: a new one).",
)
def export_prairielearn(source: Path, out: Path, lang: str, secret: str | None) -> None:
    """A PrairieLearn question folder for EXERCISE (or a `backviz variants` folder: a bank of
    variants PrairieLearn picks from by its variant seed), graded by backviz's rules: partial
    credit per field, carried and catalogued mistakes included, with feedback. A coding
    exercise ([code]) is a question with an external grader for PrairieLearn's Python image."""
    from .exports.prairielearn import write_prairielearn

    try:
        written = write_prairielearn(source, out, lang=lang, secret=secret)
    except BackvizError as error:
        _fail(error)
        return
    if any(path.parent.name == "tests" for path in written):
        click.echo(
            f"wrote the PrairieLearn question {out}/ (info.json, question.html, server.py, "
            "tests/: the external grader and its cases); put it under your course's "
            "questions/ and sync",
            err=True,
        )
        return
    diagrams = sum(1 for path in written if path.parent.name == "clientFilesQuestion")
    click.echo(
        f"wrote the PrairieLearn question {out}/ (info.json, question.html, server.py, "
        f"bank.json of {diagrams} variant(s), backviz_marking.py, clientFilesQuestion/); "
        "put it under your course's questions/ and sync",
        err=True,
    )


# -- end export prairielearn ---------------------------------------------------------------------


# ── export grades: Canvas's and Moodle's gradebook import CSV ────────────────────────


@export.command("grades")
@click.argument("grades_csv", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "to",
    type=click.Choice(("canvas", "moodle")),
    required=True,
    help="The gradebook whose import file to write.",
)
@click.option(
    "--assignment",
    required=True,
    metavar="NAME",
    help="The assignment (Canvas) or grade item (Moodle): a column of --gradebook by its "
    "header, title or id, or a new one's name.",
)
@click.option(
    "--gradebook",
    type=click.Path(path_type=Path),
    help="The gradebook's own export (Canvas: Grades → Export; Moodle: Grades → Export → "
    "Plain text file): students matched to it, the unmatched reported.",
)
@click.option(
    "--match",
    "by",
    type=click.Choice(
        ("sis-user-id", "sis-login-id", "login", "id", "name", "idnumber", "email", "username")
    ),
    help="The gradebook column a student id of grades.csv is (default: with --gradebook, "
    "the one matching most students; else sis-user-id for Canvas, idnumber for Moodle).",
)
@click.option(
    "--points",
    type=float,
    help="Scale totals to this many points (default: the assignment's points in --gradebook, "
    "else grades.csv's max).",
)
@click.option(
    "--unmatched",
    type=click.Path(path_type=Path),
    help="Also list the rows not exported, and why, in this CSV.",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True)
def export_grades(
    grades_csv: Path,
    to: str,
    assignment: str,
    gradebook: Path | None,
    by: str | None,
    points: float | None,
    unmatched: Path | None,
    out: Path,
) -> None:
    """GRADES_CSV (the grades.csv of `backviz grade`) as the CSV Canvas's or Moodle's
    gradebook imports."""
    from .exports.grades import export_grades as make
    from .files import write_atomic
    from .grading.escape import terminal_text

    with _writing(out):
        inputs = [p for p in (grades_csv, gradebook) if p is not None and p.exists()]
        for target in (out, unmatched):
            if target is not None and any(target.resolve() == p.resolve() for p in inputs):
                raise BackvizError(f"{target}: is an input of this export; write to another file")
        if unmatched is not None and unmatched.resolve() == out.resolve():
            raise BackvizError(
                f"--unmatched {unmatched}: is the import file (-o) too; give another file"
            )
        result = make(
            grades_csv, to=to, assignment=assignment, gradebook=gradebook, by=by, points=points
        )
    if unmatched is not None:
        with _writing(unmatched):
            write_atomic(unmatched, result.unmatched_csv())
    for line in result.lines:
        click.echo(terminal_text(line), err=True)
    with _writing(out):
        if result.written == 0:  # an import that changes nothing: the ids are of another class?
            why = f" (why: {unmatched})" if unmatched is not None else ""
            raise BackvizError(
                f"{out}: not written: no row of {grades_csv.name} matched a student of "
                f"{gradebook.name}{why}"
                if gradebook is not None
                else f"{out}: not written: {grades_csv.name} has no student's total to export"
            )
        write_atomic(out, result.text)
    click.echo(f"wrote {out}" + (f" and {unmatched}" if unmatched else ""), err=True)


@export.command("gradescope")
@click.argument("exercise_or_variants", type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), required=True, help="The zip to write."
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path),
    help="CSV with a student column (and optionally email, name): maps Gradescope's "
    "submitters to student ids (and to their variants).",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option(
    "--visibility",
    type=click.Choice(("after_due_date", "after_published", "visible", "hidden")),
    default="after_due_date",
    show_default=True,
    help="When students see their marks and each quantity's test (which shows the expected "
    "number): visible lets a student read the answers and submit again.",
)
def export_gradescope(
    exercise_or_variants: Path, out: Path, roster: Path | None, lang: str, visibility: str
) -> None:
    """A Gradescope autograder (zip) for EXERCISE_OR_VARIANTS: an answer-sheet or coding
    exercise, or a folder made by `backviz variants`."""
    from .exports.gradescope import write_autograder

    with _writing(out):
        written = write_autograder(
            exercise_or_variants, out, roster=roster, lang=lang, visibility=visibility
        )
    click.echo(written, err=True)


@main.command("check-answers")
@click.argument("exercise", type=click.Path(path_type=Path))
@click.argument("sheet", type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
def check_answers(exercise: Path, sheet: Path, lang: str) -> None:
    """Check your own answer sheet: every quantity's verdict, and the worked steps missed."""
    from .grading.run import check_sheet

    try:
        click.echo(check_sheet(exercise, sheet, lang=lang), nl=False)
    except BackvizError as error:
        _fail(error)


def _progress():
    """A progress callback: a bar on a terminal, a few plain lines when piped."""
    interactive = sys.stderr.isatty()
    shown = [-1]  # the last quarter reported when piped

    def report(done: int, total: int) -> None:
        if interactive:
            width = 30
            filled = int(width * done / max(total, 1))
            click.echo(
                f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
                err=True,
                nl=done == total,
            )
            return
        quarter = 4 * done // max(total, 1)
        if quarter > shown[0]:
            shown[0] = quarter
            click.echo(f"graded {done}/{total}", err=True)

    return report


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "--skip",
    type=click.Choice(["torch", "fd", "sympy"]),
    multiple=True,
    help="Leave out a source: torch.autograd, finite differences or sympy (repeatable).",
)
def check(exercise: Path, skip: tuple[str, ...]) -> None:
    """Compare every quantity of EXERCISE with torch.autograd, finite differences and sympy.

    Prints the largest absolute and relative error per source and kind of quantity, and notes
    what a source could not judge and why; exits with status 1 when any disagreement exceeds
    its tolerance (1e-9 relative against torch), never for what was not judged; with status 4
    when a source could not run at all (the check then does not say the numbers agree).
    """
    from .core.api import solve as compute
    from .verify import check as run_check
    from .verify import check_table

    try:
        report = run_check(compute(exercise), skip=skip)
    except BackvizError as error:
        _fail(error)
        return
    click.echo(check_table(report), nl=False)
    sys.exit(1 if not report.ok else 4 if not report.complete else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
