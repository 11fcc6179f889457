"""The walkthrough: one self-contained HTML page that steps through the worked solution.

Each slide is one equation of the worked solution (formula → numbers → value, as MathML) with
the diagram beside it and the quantity's own nodes and edges highlighted. Next/Previous
buttons, the arrow keys and a list of all steps move between slides. Everything — the SVG
diagrams, the CSS and the script — is inside the file: it works offline, from a USB stick.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

from ..core.notation import format_number
from .document import Equation, Heading
from .drawing import render_graph
from .html import page_head
from .math_mathml import mathml_inner
from .solution import DETAILED_STEPS, worked_solution
from .words import word

if TYPE_CHECKING:
    from ..core.quantity_trace import QuantityTrace

__all__ = ["walkthrough_page"]

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "Noto Sans KR", "NanumGothic", sans-serif;
       color: #1d2330; background: #f7f9fc; }
header { padding: .6rem 1rem; background: #3b6ea5; color: white; }
header h1 { margin: 0; font-size: 1.2rem; }
main { display: grid; grid-template-columns: 16rem 1fr; height: calc(100vh - 3rem); }
nav { overflow-y: auto; border-right: 1px solid #d6e2f0; background: white; font-size: .85rem; }
nav ul { margin: 0; padding: .4rem; list-style: none; }
nav .n { display: inline-block; min-width: 2.2rem; text-align: right; margin-right: .4rem;
         color: #7a8594; }
nav li.current .n { color: white; }
nav li { cursor: pointer; padding: .1rem .2rem; border-radius: 3px; }
nav li.current { background: #3b6ea5; color: white; }
nav .section { margin: .5rem 0 .1rem; font-weight: 600; color: #4a5668; cursor: default; }
section#slide { display: flex; flex-direction: column; min-width: 0; }
#controls { display: flex; gap: .5rem; align-items: center; padding: .5rem 1rem;
            border-bottom: 1px solid #d6e2f0; background: white; }
#controls button { font-size: 1rem; padding: .3rem .9rem; }
#counter { margin-left: auto; color: #4a5668; }
#context { padding: .4rem 1rem 0; color: #4a5668; font-weight: 600; }
#formula { padding: .2rem 1rem .6rem; font-size: 1.15rem; overflow-x: auto; }
#diagram { flex: 1; overflow: auto; padding: .5rem; background: white; }
#diagram svg { max-width: 100%; height: auto; }
.diagram { display: none; }
.diagram.shown { display: block; }
.lit polygon, .lit path, .lit ellipse { stroke: #d62728 !important; stroke-width: 3px !important; }
.lit text { fill: #d62728 !important; font-weight: 700; }
"""

SCRIPT = """
const slides = JSON.parse(document.getElementById('slides').textContent);
let current = 0;
function show(i) {
  current = Math.max(0, Math.min(slides.length - 1, i));
  const s = slides[current];
  document.getElementById('context').textContent = s.context;
  document.getElementById('formula').innerHTML = s.formula;
  document.querySelectorAll('.diagram').forEach(
    d => d.classList.toggle('shown', d.id === s.diagram));
  document.querySelectorAll('.lit').forEach(e => e.classList.remove('lit'));
  const diagram = document.getElementById(s.diagram);
  for (const id of s.highlight) {
    const el = diagram ? diagram.querySelector('[id="' + id + '"]') : null;
    if (el) el.classList.add('lit');
  }
  document.querySelectorAll('nav li[data-i]').forEach(li =>
    li.classList.toggle('current', Number(li.dataset.i) === current));
  const item = document.querySelector('nav li[data-i="' + current + '"]');
  if (item) item.scrollIntoView({block: 'nearest'});
  document.getElementById('counter').textContent = (current + 1) + ' / ' + slides.length;
  document.getElementById('prev').disabled = current === 0;
  document.getElementById('next').disabled = current === slides.length - 1;
}
document.getElementById('prev').addEventListener('click', () => show(current - 1));
document.getElementById('next').addEventListener('click', () => show(current + 1));
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowRight' || e.key === 'PageDown') { show(current + 1); e.preventDefault(); }
  if (e.key === 'ArrowLeft' || e.key === 'PageUp') { show(current - 1); e.preventDefault(); }
  if (e.key === 'Home') show(0);
  if (e.key === 'End') show(slides.length - 1);
});
document.querySelectorAll('nav li[data-i]').forEach(li =>
  li.addEventListener('click', () => show(Number(li.dataset.i))));
show(0);
"""


def _svg(graph: object) -> str:
    """The SVG element alone (no XML prolog), for inlining."""
    text = render_graph(graph, "svg").decode("utf-8")  # type: ignore[arg-type]
    return text[text.index("<svg") :]


def _equation_mathml(eq: Equation, decimals: int) -> str:
    eq_sign = "<mo>=</mo>"
    forms = "".join(eq_sign + f"<mrow>{mathml_inner(f, decimals)}</mrow>" for f in eq.forms)
    value = format_number(eq.value, decimals).replace("-", "−")
    return (
        f'<math display="block"><mrow><mi>{escape(eq.lhs.text)}</mi>{forms}{eq_sign}'
        f"<mn>{escape(value)}</mn></mrow></math>"
    )


def walkthrough_page(trace: QuantityTrace, *, lang: str = "en", decimals: int = 8) -> str:
    """The whole page as HTML text."""
    from .diagrams import diagram, element_ids

    document = worked_solution(trace, lang=lang, decimals=decimals)
    diagrams: dict[str, str] = {}
    for step in range(1, min(trace.n_steps, DETAILED_STEPS) + 1):
        graph = diagram(trace, stage="all", step=step, lang=lang, decimals=decimals)
        diagrams[f"diagram-{step}"] = _svg(graph)
    slides: list[dict[str, object]] = []
    nav: list[str] = []
    context = ""
    for block in document.blocks:
        if isinstance(block, Heading):
            if block.level > 1:
                context = block.text
                nav.append(f'<li class="section">{escape(block.text)}</li>')
            continue
        if not isinstance(block, Equation):
            continue
        ref = trace.ref(block.name)
        step = ref.step or 1
        slides.append(
            {
                "context": context,
                "formula": _equation_mathml(block, decimals),
                "diagram": f"diagram-{step}" if f"diagram-{step}" in diagrams else "diagram-1",
                "highlight": element_ids(trace, trace.ref(block.name)),
            }
        )
        i = len(slides) - 1
        nav.append(f'<li data-i="{i}"><span class="n">{i + 1}.</span>{escape(block.lhs.text)}</li>')
    data = json.dumps(slides, ensure_ascii=False).replace("</", "<\\/")
    body = "\n".join(
        f'<div class="diagram" id="{key}">{svg}</div>' for key, svg in diagrams.items()
    )
    return (
        "\n".join(
            [
                *page_head(document.title, lang, STYLE),
                f"<header><h1>{escape(document.title)}</h1></header>",
                "<main>",
                f"<nav><ol>{''.join(nav)}</ol></nav>",
                '<section id="slide">',
                '<div id="controls">'
                f'<button id="prev" type="button">← {escape(word("previous", lang))}</button>'
                f'<button id="next" type="button">{escape(word("next", lang))} →</button>'
                '<span id="counter"></span></div>',
                '<div id="context"></div>',
                '<div id="formula"></div>',
                f'<div id="diagram">{body}</div>',
                "</section>",
                "</main>",
                f'<script type="application/json" id="slides">{data}</script>',
                f"<script>{SCRIPT}</script>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )
