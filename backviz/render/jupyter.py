"""Inline display in Jupyter: what exercises, traces and solutions show in a notebook.

Each offers HTML, SVG, PNG and plain text, so a notebook shows the diagram even where it is
untrusted (JupyterLab does not show SVG there, but shows PNG) and a terminal shows text.
Without Graphviz's `dot`, the image keys are left out and the rest still shows. The core's
classes know nothing of this module: `register()` (called by `backviz/__init__.py`) composes
it into them through `core/display.py`.
"""

from __future__ import annotations

import base64
import math
import re
from html import escape
from typing import TYPE_CHECKING, Any

from ..core.display import Bundle, register_display
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
    "MIN_TEXT_PX",
    "document_bundle",
    "exercise_bundle",
    "language",
    "readable_svg",
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


# The smallest text a notebook shows a diagram with, in CSS pixels: a diagram wider than the
# cell shrinks to fit it only down to this, and scrolls sideways beyond (a 4-8-8-3 network's
# exercise, 1670 px wide, squeezed into a 600 px cell wrote its 12 px labels 4 px high).
MIN_TEXT_PX = 11.0
PX_PER_PT = 4 / 3  # CSS: 96 px per inch, 72 pt per inch


def _min_scale(svg: str) -> float:
    """How far the SVG may shrink: its smallest text (Graphviz's font-size, in pt, times the
    scale of its outer group) stays MIN_TEXT_PX high; 1 where that is already its own size."""
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    found = re.search(r'transform="scale\(([\d.]+)', svg)
    drawn = min(sizes, default=14.0) * (float(found.group(1)) if found else 1.0) * PX_PER_PT
    return min(1.0, MIN_TEXT_PX / drawn)


def readable_svg(svg: str) -> str:
    """The SVG for HTML: as wide as the cell allows, never narrower than its readable minimum
    (`min-width` wins over the notebook's `max-width: 100%`), in a box that scrolls sideways."""
    svg = svg[svg.index("<svg") :]
    found = re.match(r'<svg width="([\d.]+)pt"', svg)
    if found is None:
        return f'<div style="overflow-x: auto">{svg}</div>'
    minimum = float(found.group(1)) * _min_scale(svg)
    style = f"max-width: 100%; min-width: {math.ceil(minimum)}pt; height: auto"
    svg = svg.replace("<svg ", f'<svg style="{style}" ', 1)
    return f'<div style="overflow-x: auto">{svg}</div>'


def _images(graph: Any) -> tuple[Bundle, Bundle]:
    """SVG and PNG of the graph, and their metadata: the PNG `unconfined` (JupyterLab then shows
    it at its own size, scrolling, not shrunk to the cell). Nothing without `dot`."""
    from .drawing import render_graph

    try:
        svg = render_graph(graph, "svg").decode("utf-8")
        png = render_graph(graph, "png")
    except DependencyError:
        return {}, {}
    data = {"image/svg+xml": svg[svg.index("<svg") :], "image/png": base64.b64encode(png).decode()}
    return data, {"image/png": {"unconfined": True}}


def trace_bundle(trace: QuantityTrace, *, lang: str = "en") -> tuple[Bundle, Bundle]:
    """The worked solution as HTML with the diagram (stage all) above it, and the diagram."""
    from .diagrams import diagram
    from .html import html_fragment
    from .solution import worked_solution

    graph = diagram(trace, stage="all", lang=lang)
    bundle: Bundle = {"text/plain": trace.summary() if lang == "en" else _summary(trace, lang)}
    images, metadata = _images(graph)
    bundle.update(images)
    figure = readable_svg(images["image/svg+xml"]) if images else ""
    bundle["text/html"] = figure + html_fragment(worked_solution(trace, lang=lang))
    return bundle, metadata


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


def exercise_bundle(exercise: Exercise, *, lang: str = "en") -> tuple[Bundle, Bundle]:
    """What the exercise asks: its title and description, and its network's forward stage (or
    its expression graph) with the given numbers only, every computed number an empty box
    (`draw --blank`): showing an exercise does not give its answers away."""
    from ..core.api import trace_of
    from .diagrams import diagram

    trace = trace_of(exercise)
    title = exercise.title_in(lang)
    description = exercise.description_in(lang)
    bundle: Bundle = {"text/plain": "\n\n".join([f"{exercise.id}: {title}", *description])}
    images, metadata = _images(diagram(trace, stage="forward", lang=lang, blank=True))
    bundle.update(images)
    paragraphs = "".join(f"<p>{escape(part)}</p>" for part in description)
    figure = readable_svg(images["image/svg+xml"]) if images else ""
    bundle["text/html"] = f"<h3>{escape(title)}</h3>{paragraphs}{figure}"
    return bundle, metadata


def document_bundle(document: Document) -> Bundle:
    """A worked solution: HTML (MathML), Markdown and text."""
    from .html import html_fragment
    from .markdown import markdown_document
    from .text import text_document

    return {
        "text/plain": text_document(document),
        "text/markdown": markdown_document(document),
        "text/html": html_fragment(document),
    }
