"""The walkthrough page assembled: the step list, the slide's equation, the diagrams and the
data the script reads (`page.js`, styled by `page.css`, both inlined: the file is offline).

The data (`<script type="application/json" id="backviz-data">`):

- `slides`: per equation `q` (its quantity's name), `section`, `where` (step and sample, when
  there are several), `diagram` (the key of the diagram shown), `math` (the equation, linked),
  `reads` (the quantities it writes), `lit` (ids of the nodes and edges of what its formula
  reads, every path of a sum, its own left out: `quantity_highlight`, as `draw --highlight`
  lights them) and `values` (names of the value texts to mark as read: those written, and the
  factors of a path the diagram does not write, δ_o1 and W5 for ∂E_o1/∂h1);
- `quantities`: per name `value`, `shown` (the slide from which its value appears; −1 given)
  and `at` (the ids of the elements it lives on, its own one first);
- `diagrams`: per key its `step` and `sample`, drawn in `<template id="diagram-KEY">`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from ...core.formulas import Product
from ..diagrams import diagram, element_ids, quantity_highlight, value_labels
from ..document import Document, Paragraph
from ..drawing import render_graph
from ..html import page_head
from ..program import PROGRAM_RUNNER
from ..solution import worked_solution
from ..words import word
from .editing import editing_data
from .linked_math import linked_equation
from .slides import NavEntry, Slide, revealed_at, slides_of
from .svg_values import mark_values

if TYPE_CHECKING:
    from ...core.exercise import Exercise
    from ...core.quantity_trace import QuantityTrace

__all__ = ["PageData", "PageExtension", "page_data", "walkthrough_page"]


@dataclass(frozen=True)
class PageExtension:
    """More the page does, given by a floor above (practice mode): its data (as
    `<script type="application/json" id="backviz-NAME">`), its script (run after the page's
    own, with `window.backvizPage` and the `backviz:slide` event to build on) and its style."""

    name: str
    data: dict[str, Any]
    script: str
    style: str = ""


# The words of the page's controls (render/words.py has them in English and Korean).
CONTROL_WORDS = (
    "previous",
    "next",
    "show_all",
    "zoom_in",
    "zoom_out",
    "zoom_fit",
    "legend_now",
    "legend_reads",
    "diagram_help",
    "steps_list",
)


def _asset(name: str) -> str:
    return (files(__package__) / name).read_text(encoding="utf-8")


def _key(step: int, sample: int) -> str:
    return f"s{step}n{sample}"


def _drawings(
    trace: QuantityTrace, wanted: list[tuple[int, int]], lang: str, decimals: int
) -> dict[tuple[int, int], tuple[str, list[str]]]:
    """(step, sample) → the annotated SVG of its diagram and the quantities it writes."""
    drawn = {}
    for step, sample in dict.fromkeys(wanted):
        # every edge keeps its labels: the page marks and reveals each value text on its own
        graph = diagram(
            trace,
            stage="all",
            step=step,
            sample=sample,
            lang=lang,
            decimals=decimals,
            view="labels",
        )
        svg = render_graph(graph, "svg").decode("utf-8")
        drawn[(step, sample)] = mark_values(svg, value_labels(trace, step=step, sample=sample))
    return drawn


def _marked_values(
    trace: QuantityTrace, slide: Slide, reads: list[str], drawn: set[str]
) -> list[str]:
    """The value texts to mark as read: each quantity written that the diagram shows, and
    for a product the diagram does not show (a path δ_o1·W5), its factors."""
    marked: list[str] = []
    for name in reads:
        if name in drawn:
            marked.append(name)
            continue
        ref = trace.ref(name)
        formula = trace.formula(ref)
        if formula is not None and isinstance(formula.rule, Product):
            marked += [n for n in map(trace.name, formula.inputs) if n in drawn]
    return list(dict.fromkeys(m for m in marked if m != slide.equation.name))


def _where(trace: QuantityTrace, slide: Slide, lang: str) -> str:
    parts = []
    if trace.n_steps > 1:
        parts.append(word("step", lang, s=slide.step))
    if getattr(trace.exercise, "n_samples", 1) > 1:
        if slide.sample is None:
            parts.append(word("all_samples", lang, n=slide.diagram[1]))
        else:
            parts.append(word("sample", lang, n=slide.sample))
    return " · ".join(parts)


@dataclass(frozen=True)
class PageData:
    """What the page is made of: the JSON its script reads, its step list, its diagrams."""

    title: str
    data: dict[str, Any]  # slides, quantities, diagrams, note (see the module's docstring)
    nav: list[NavEntry]
    svgs: dict[str, str]  # diagram key → its SVG, value texts named


def _slide(
    trace: QuantityTrace, slide: Slide, drawn: list[str], lang: str, decimals: int
) -> dict[str, Any]:
    """One slide's entry in the data."""
    math, reads = linked_equation(trace, slide.ref, slide.equation, decimals)
    lit = quantity_highlight(trace, slide.ref).lit  # what `draw --highlight` colours, the same
    return {
        "q": slide.equation.name,
        "section": slide.section,
        "where": _where(trace, slide, lang),
        "diagram": _key(*slide.diagram),
        "math": math,
        "reads": reads,
        "lit": list(lit),
        "values": _marked_values(trace, slide, reads, set(drawn)),
    }


def page_data(trace: QuantityTrace, *, lang: str = "en", decimals: int = 8) -> PageData:
    """The page's data, its step list and its diagrams, from the trace."""
    document = worked_solution(trace, lang=lang, decimals=decimals)
    slides, nav = slides_of(trace, document)
    drawings = _drawings(trace, [slide.diagram for slide in slides] or [(1, 1)], lang, decimals)
    entries = [_slide(trace, s, drawings[s.diagram][1], lang, decimals) for s in slides]
    names = dict.fromkeys(n for e in entries for n in [e["q"], *e["reads"]])
    names.update(dict.fromkeys(n for _, drawn in drawings.values() for n in drawn))
    shown = revealed_at(trace, slides, names)
    quantities = {
        name: {
            "value": trace.value(trace.ref(name)),
            "shown": shown[name],
            "at": element_ids(trace, trace.ref(name)),
        }
        for name in names
    }
    data = {
        "slides": entries,
        "quantities": quantities,
        "diagrams": {_key(*k): {"step": k[0], "sample": k[1]} for k in drawings},
        "note": "" if slides else _note(document, trace.exercise),
        "exercise": trace.exercise.id,
        "decimals": decimals,
        "words": {key: word(key, lang) for key in ("edit", "reset", "download")},
        "edit": editing_data(trace) if _editable(trace) else None,
    }
    svgs = {_key(*k): svg for k, (svg, _) in drawings.items()}
    return PageData(document.title, data, nav, svgs)


MAX_EDITABLE = 5_000  # computed quantities a page recomputes on an edit; more: no editing


def _editable(trace: QuantityTrace) -> bool:
    """Whether the page offers editing: a network small enough to recompute whole."""
    if trace.exercise.kind != "network":
        return False
    counted = zip(trace.refs(), range(MAX_EDITABLE + 1), strict=False)
    return sum(1 for _ in counted) <= MAX_EDITABLE


def _note(document: Document, exercise: Exercise) -> str:
    """What a page without slides says: the exercise, and that it is too big to write out."""
    paragraphs = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    paragraphs = paragraphs[len(exercise.description_in(document.lang)) :]  # on the header
    summary = word("summary", document.lang)
    return " ".join(paragraphs[:1] + [summary] * (summary in paragraphs))


def _nav(nav: list[NavEntry]) -> str:
    items = []
    for entry in nav:
        if entry.slide is None:
            items.append(f'<li class="section">{escape(entry.text)}</li>')
        else:
            i = entry.slide
            items.append(
                f'<li data-i="{i}"><span class="n">{i + 1}.</span>'
                f'<span class="q">{escape(entry.text)}</span></li>'
            )
    return "".join(items)


def _samples(diagrams: dict[str, dict[str, int]], lang: str) -> str:
    """Buttons to look at another sample's diagram (a batch only)."""
    samples = sorted({d["sample"] for d in diagrams.values()})
    if len(samples) < 2:
        return ""
    buttons = "".join(
        f'<button type="button" data-sample="{s}">{escape(word("sample", lang, n=s))}</button>'
        for s in samples
    )
    return f'<div id="samples" role="group">{buttons}</div>'


def walkthrough_page(
    trace: QuantityTrace,
    *,
    lang: str = "en",
    decimals: int = 8,
    extensions: tuple[PageExtension, ...] = (),
) -> str:
    """The whole page as HTML text (with `extensions`, e.g. practice mode)."""
    made = page_data(trace, lang=lang, decimals=decimals)
    w = {key: escape(word(key, lang)) for key in CONTROL_WORDS}
    description = "".join(
        f'<p class="description">{escape(part)}</p>' for part in trace.exercise.description_in(lang)
    )
    templates = "\n".join(
        f'<template id="diagram-{key}">{svg}</template>' for key, svg in made.svgs.items()
    )
    payload = json.dumps(made.data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    body = [
        f"<header><h1>{escape(made.title)}</h1>{description}</header>",
        "<main>",
        f'<nav aria-label="{w["steps_list"]}"><ol>{_nav(made.nav)}</ol></nav>',
        '<section id="slide">',
        '<div id="controls">'
        f'<button id="prev" type="button">← {w["previous"]}</button>'
        f'<button id="next" type="button">{w["next"]} →</button>'
        '<span id="counter"></span>'
        f'<label id="reveal"><input type="checkbox" id="show-all"> {w["show_all"]}</label>'
        "</div>",
        '<div id="where"><span id="position"></span><span id="section"></span></div>',
        '<div id="formula" aria-live="polite"></div>',
        '<div id="diagram-box">',
        '<div id="diagram"></div>',
        '<div id="zoom">'
        f'<button type="button" id="zoom-in" title="{w["zoom_in"]}" '
        f'aria-label="{w["zoom_in"]}">+</button>'
        f'<button type="button" id="zoom-out" title="{w["zoom_out"]}" '
        f'aria-label="{w["zoom_out"]}">−</button>'
        f'<button type="button" id="zoom-fit" title="{w["zoom_fit"]}">{w["zoom_fit"]}</button>'
        "</div>",
        _samples(made.data["diagrams"], lang),
        '<div id="legend">'
        f'<span class="key now"></span>{w["legend_now"]}'
        f'<span class="key reads"></span>{w["legend_reads"]}'
        f'<span class="help">{w["diagram_help"]}</span>'
        "</div>",
        "</div>",
        "</section>",
        "</main>",
        templates,
        f'<script type="application/json" id="backviz-data">{payload}</script>',
        f"<script>{_asset('page.js')}</script>",
        f"<script>{PROGRAM_RUNNER}\n{_asset('edit.js')}</script>" if made.data["edit"] else "",
        *(_extension(e) for e in extensions),
        "</body>",
        "</html>",
    ]
    style = "\n".join([_asset("page.css"), *(e.style for e in extensions)])
    return "\n".join([*page_head(made.title, lang, style), *body]) + "\n"


def _extension(extension: PageExtension) -> str:
    payload = json.dumps(extension.data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")
    script = extension.script.replace("</script", "<\\/script")
    return (
        f'<script type="application/json" id="backviz-{extension.name}">{payload}</script>\n'
        f"<script>{script}</script>"
    )
