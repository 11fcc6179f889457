"""Problem sheets for students: one per exercise, or one per student of a variants folder.

An answer-sheet exercise asks the answer template's quantities (`template.py`: its `[ask]`, in
computing order) and is handed in as that CSV; a coding exercise asks for its function, handed
in as a .py file; an expression exercise asks every computed quantity of its graph, on paper.
Each sheet is written as PDF (through pdflatex), a self-contained HTML page, or Markdown with
the drawing as an SVG file beside it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.api import trace_of
from ..core.exercise import NetworkExercise
from ..core.loading import load
from ..core.quantities import Ref
from ..core.quantity_trace import QuantityTrace
from ..errors import BackvizError, DependencyError
from ..files import write_atomic
from ..render.diagrams import diagram
from ..render.drawing import INSTALL_DOT, render_graph
from ..render.handout import HandIn, Sheet, problem_sheet
from .escape import file_name
from .verdicts import asked

__all__ = ["FORMATS", "Handout", "default_format", "handout_files", "handouts", "write_handouts"]

FORMATS = ("pdf", "html", "md")


def default_format() -> str:
    """pdf where pdflatex is installed, else html (which needs nothing but a browser)."""
    return "pdf" if shutil.which("pdflatex") else "html"


@dataclass(frozen=True)
class Handout:
    """One sheet to write: its file name (without suffix), the sheet and the trace drawn."""

    stem: str
    sheet: Sheet
    trace: QuantityTrace


def _network_sheet(trace: Any, path: Path, lang: str) -> Sheet:
    exercise = trace.exercise
    student = exercise.student
    stem = "ID" if student is None else file_name(student)
    if exercise.code is not None:
        code = exercise.code
        hand_in = HandIn("code", path.name, student, stem, function=code.function, cases=code.cases)
        questions: list[Ref] = []
    else:
        hand_in = HandIn("sheet", path.name, student, stem, checked=exercise.trains)
        questions = [ref for ref, _ in asked(trace, exercise.ask)]
    return problem_sheet(
        trace,
        questions,
        hand_in,
        lang=lang,
        significant=exercise.ask.significant,
        carried=exercise.ask.carried_credit > 0,
    )


def _expression_sheet(trace: Any, path: Path, lang: str) -> Sheet:
    """Every value, local derivative and gradient, on paper (expressions have no template)."""
    questions = [ref for ref in trace.refs() if trace.formula(ref) is not None]
    return problem_sheet(trace, questions, HandIn("paper", path.name), lang=lang, carried=False)


SHEETS = {"network": _network_sheet, "expression": _expression_sheet}


def handouts(source: Path, *, lang: str = "en") -> list[Handout]:
    """The sheet of an exercise file, or of each student's variant in a `variants` folder
    (named by student id)."""
    if not source.is_dir():
        trace = trace_of(load(source))
        sheet = SHEETS[trace.exercise.kind](trace, source, lang)
        return [Handout(file_name(trace.exercise.id), sheet, trace)]
    found = []
    for path in sorted(source.glob("*.toml")):
        exercise = load(path)
        if isinstance(exercise, NetworkExercise) and exercise.student is not None:
            trace = trace_of(exercise)
            sheet = _network_sheet(trace, path, lang)
            found.append(Handout(file_name(exercise.student), sheet, trace))
    if not found:
        raise BackvizError(f"{source}: no variants found (files written by `backviz variants`)")
    return found


def handout_files(handout: Handout, fmt: str) -> dict[str, str | bytes]:
    """File name → content of one sheet in `fmt`: NAME.pdf, NAME.html, or NAME.md + NAME.svg."""
    from ..render.handout_formats import handout_html, handout_latex, handout_markdown

    if shutil.which("dot") is None:
        raise DependencyError(INSTALL_DOT)
    graph = diagram(handout.trace, stage="all", lang=handout.sheet.lang, blank=True)
    stem = handout.stem
    if fmt == "pdf":
        from ..render.pdf import latex_pdf, page_size

        drawing = render_graph(graph, "pdf")
        source = handout_latex(handout.sheet, "diagram.pdf", page_size(drawing))
        return {f"{stem}.pdf": latex_pdf(source, {"diagram.pdf": drawing})}
    svg = render_graph(graph, "svg").decode("utf-8")
    if fmt == "html":
        return {f"{stem}.html": handout_html(handout.sheet, svg)}
    return {f"{stem}.md": handout_markdown(handout.sheet, f"{stem}.svg"), f"{stem}.svg": svg}


def write_handouts(
    source: Path, out: Path, *, fmt: str | None = None, lang: str = "en"
) -> list[Path]:
    """Every sheet of `source` (an exercise, or a variants folder) into the folder `out`, each
    file written atomically; `fmt` None is `default_format()`."""
    fmt = fmt or default_format()
    if fmt not in FORMATS:
        raise BackvizError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    if fmt == "pdf" and shutil.which("pdflatex") is None:
        from ..render.pdf import INSTALL_LATEX

        raise DependencyError(INSTALL_LATEX)
    written = []
    for handout in handouts(source, lang=lang):
        for name, content in handout_files(handout, fmt).items():
            try:
                write_atomic(out / name, content)
            except OSError as error:  # no permission, a full disk …
                raise BackvizError(
                    f"{out / name}: cannot be written ({error.strerror or error}); "
                    f"{len(written)} file(s) written before it"
                ) from None
            written.append(out / name)
    return written
