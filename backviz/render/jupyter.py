"""Inline display in Jupyter: `_repr_mimebundle_` of exercises, traces and solutions.

Each offers HTML, SVG, PNG and plain text, so a notebook shows the diagram even where it is
untrusted (JupyterLab does not show SVG there, but shows PNG) and a terminal shows text.
Without Graphviz's `dot`, the image keys are left out and the rest still shows.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from ..errors import DependencyError

if TYPE_CHECKING:
    from ..core.exercise import Exercise
    from ..core.expression import ExpressionTrace
    from ..core.trace import Trace
    from .document import Document

__all__ = ["document_bundle", "exercise_bundle", "trace_bundle"]


def _images(graph: Any) -> dict[str, Any]:
    from .drawing import render_graph

    try:
        svg = render_graph(graph, "svg").decode("utf-8")
        png = render_graph(graph, "png")
    except DependencyError:
        return {}
    return {"image/svg+xml": svg[svg.index("<svg") :], "image/png": base64.b64encode(png).decode()}


def _summary(trace: Trace | ExpressionTrace) -> str:
    from ..core.trace import Trace

    ex = trace.exercise
    if not isinstance(trace, Trace):
        return f"{ex.id}: {ex.output} = {trace.values[ex.output]!r} ({len(trace.nodes)} nodes)"
    first, last = trace.steps[0], trace.steps[-1]
    sizes = "-".join(map(str, ex.sizes))
    text = f"{ex.id}: {sizes} network, {len(trace.steps)} step(s)"
    if first.forward.loss is not None:
        text += f", E = {first.forward.loss:.8f}"
    if last.after is not None and last.after.loss is not None:
        text += f" → {last.after.loss:.8f}"
    return text


def trace_bundle(trace: Trace | ExpressionTrace, *, lang: str = "en") -> dict[str, Any]:
    """The worked solution as HTML with the diagram (stage all) above it, and the diagram."""
    from .diagrams import diagram
    from .html import html_fragment
    from .solution import worked_solution

    graph = diagram(trace, stage="all", lang=lang)
    bundle = {"text/plain": _summary(trace)}
    bundle.update(_images(graph))
    figure = bundle.get("image/svg+xml", "")
    bundle["text/html"] = f"<div>{figure}</div>" + html_fragment(worked_solution(trace, lang=lang))
    return bundle


def exercise_bundle(exercise: Exercise, *, lang: str = "en") -> dict[str, Any]:
    """The exercise's network (forward stage) or expression graph, and its description."""
    from ..core.api import trace_of
    from .diagrams import diagram

    trace = trace_of(exercise)
    title = exercise.title.get(lang) or exercise.title.get("en", exercise.id)
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
