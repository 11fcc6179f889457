"""Inline display in Jupyter: what exercises, traces and solutions show in a notebook.

Each offers HTML, SVG, PNG and plain text, so a notebook shows the diagram even where it is
untrusted (JupyterLab does not show SVG there, but shows PNG) and a terminal shows text.
Without Graphviz's `dot`, the image keys are left out and the rest still shows. The core's
classes know nothing of this module: `register()` (called by `backviz/__init__.py`) composes
it into them through `core/display.py`.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from ..core.display import register_display
from ..core.exercise import ExpressionExercise, NetworkExercise
from ..core.notation import format_number
from ..core.quantity_trace import QuantityTrace
from ..errors import DependencyError
from .document import Document
from .words import word

if TYPE_CHECKING:
    from ..core.exercise import Exercise

__all__ = [
    "LANGUAGES",
    "document_bundle",
    "exercise_bundle",
    "language",
    "register",
    "set_language",
    "trace_bundle",
]

LANGUAGES = ("en", "ko")
_language = ["en"]  # the notebook's language: set_language("ko")


def set_language(lang: str) -> None:
    """Show exercises and traces in a notebook in `lang` ("en" or "ko") from now on: the
    diagrams' titles and legends, the worked solution's words (`backviz.set_language`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"set_language: expected one of {', '.join(LANGUAGES)}, found {lang!r}")
    _language[0] = lang


def language() -> str:
    """The language notebooks show exercises and traces in."""
    return _language[0]


def register() -> None:
    """Make exercises, traces and worked solutions show themselves in a notebook, in the
    language `set_language` chose (a worked solution keeps the language it was made in)."""
    for exercise_class in (NetworkExercise, ExpressionExercise):
        register_display(exercise_class, lambda shown: exercise_bundle(shown, lang=language()))
    register_display(QuantityTrace, lambda shown: trace_bundle(shown, lang=language()))
    register_display(Document, document_bundle)


def _images(graph: Any) -> dict[str, Any]:
    from .drawing import render_graph

    try:
        svg = render_graph(graph, "svg").decode("utf-8")
        png = render_graph(graph, "png")
    except DependencyError:
        return {}
    return {"image/svg+xml": svg[svg.index("<svg") :], "image/png": base64.b64encode(png).decode()}


def trace_bundle(trace: QuantityTrace, *, lang: str = "en") -> dict[str, Any]:
    """The worked solution as HTML with the diagram (stage all) above it, and the diagram."""
    from .diagrams import diagram
    from .html import html_fragment
    from .solution import worked_solution

    graph = diagram(trace, stage="all", lang=lang)
    bundle = {"text/plain": trace.summary() if lang == "en" else _summary(trace, lang)}
    bundle.update(_images(graph))
    figure = bundle.get("image/svg+xml", "")
    bundle["text/html"] = f"<div>{figure}</div>" + html_fragment(worked_solution(trace, lang=lang))
    return bundle


def _summary(trace: QuantityTrace, lang: str) -> str:
    """A trace's one line of plain text in `lang`: its exercise and title (and, trained, the
    loss before and after)."""
    exercise = trace.exercise
    line = f"{exercise.id}: {exercise.title_in(lang)}"
    steps = getattr(trace, "steps", None)
    if steps and steps[0].forward.loss is not None and steps[-1].after is not None:
        before, after = steps[0].forward.loss, steps[-1].after.loss
        line += f", {word('plot_loss', lang)} {format_number(before)} → {format_number(after)}"
    return line


def exercise_bundle(exercise: Exercise, *, lang: str = "en") -> dict[str, Any]:
    """The exercise's network (forward stage) or expression graph, and its description."""
    from ..core.api import trace_of
    from .diagrams import diagram

    trace = trace_of(exercise)
    title = exercise.title_in(lang)
    bundle = {"text/plain": f"{exercise.id}: {title}"}
    bundle.update(_images(diagram(trace, stage="forward", lang=lang)))
    bundle["text/html"] = f"<h3>{title}</h3>" + bundle.get("image/svg+xml", "")
    return bundle


def document_bundle(document: Document) -> dict[str, Any]:
    """A worked solution: HTML (MathML), Markdown and text."""
    from .html import html_fragment
    from .markdown import markdown_document
    from .text import text_document

    return {
        "text/plain": text_document(document),
        "text/markdown": markdown_document(document),
        "text/html": html_fragment(document),
    }
