"""The edges' numbers of a big network as matrices: W, ∂E/∂W and W⁺ of each layer, heat-mapped.

A network with too many edges to label each (`network_diagram.MAX_LABELLED_EDGES`) is drawn
with bare edges, and these tables under it give every edge's numbers: one row of tables per
layer, row j the edges into node j, column k those from node k of the layer before (W's shape,
(n_out, n_in), as the notes write z = Wa + b). Each cell is coloured by its number's sign and
size within its matrix (red positive, blue negative, white 0), so a pattern is seen at a glance
and the number is still read exactly; a cell the highlight reads is outlined in red. The tables
are one Graphviz HTML-like label, so they are text in the SVG (each cell's group has the id
`a_m_` + the quantity's name, a_m_W5, a_m_dE_dW5, a_m_W5_new, and its name as a tooltip).
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Protocol

from ..core.quantities import Kind, Ref
from .words import word

if TYPE_CHECKING:
    from ..core.trace import Trace
    from .highlight import Highlight

__all__ = ["MATRICES", "cell_id", "heat", "matrices_label"]

POSITIVE = (0xEF, 0x8A, 0x62)  # ColorBrewer RdBu, light enough for dark text on it
NEGATIVE = (0x67, 0xA9, 0xCF)
HIGHLIGHT = "#d62728"
GRID = "#b8c0cc"

# (kind, which stages show it)
MATRICES = (
    (Kind.WEIGHT, ("forward", "all")),
    (Kind.GRAD_W, ("backward", "all")),
    (Kind.UPDATE_W, ("update", "all")),
)


class Numbers(Protocol):
    """What the tables read of the drawing: its trace, stage, step, language and numbers."""

    trace: Trace
    stage: str
    step: int
    lang: str

    def value(self, ref: Ref) -> str | None: ...


def cell_id(name: str) -> str:
    """The id of a quantity's cell: m_W5, m_dE_dW5, m_W5_new (for W5+)."""
    return "m_" + re.sub(r"[^A-Za-z0-9]+", "_", name.replace("+", "_new")).strip("_")


def heat(value: float, largest: float) -> str:
    """The cell's colour: white at 0, the full colour of its sign at the matrix's largest |v|."""
    if not largest or value != value:
        return "#ffffff"
    share = min(abs(value) / largest, 1.0) * 0.85
    tint = POSITIVE if value > 0 else NEGATIVE
    rgb = (round(255 + (c - 255) * share) for c in tint)
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _shown(view: Numbers) -> list[Kind]:
    trains = view.trace.steps[view.step - 1].backward is not None
    kinds = [kind for kind, stages in MATRICES if view.stage in stages]
    return [k for k in kinds if trains or k is Kind.WEIGHT] or [Kind.WEIGHT]


def _node(trace: Trace, layer: int, j: int) -> str:
    return trace.symbol(Ref(Kind.INPUT if layer == 1 else Kind.A, layer, (j,))).text


def _matrix(view: Numbers, kind: Kind, layer: int, marked: set[Ref]) -> str:
    """One matrix of a layer as a table: its name, the nodes' names, a cell per edge."""
    trace = view.trace
    n_out, n_in = trace.exercise.sizes[layer - 1], trace.exercise.sizes[layer - 2]
    refs = [
        [Ref(kind, layer, (j, k), step=view.step) for k in range(1, n_in + 1)]
        for j in range(1, n_out + 1)
    ]
    largest = max(abs(trace.value(r)) for row in refs for r in row)
    name = {Kind.WEIGHT: "W", Kind.GRAD_W: "∂E/∂W", Kind.UPDATE_W: "W⁺"}[kind]
    head = f'<td bgcolor="#f2f4f7"><b>{escape(name)}</b></td>' + "".join(
        f'<td bgcolor="#f2f4f7">{escape(_node(trace, layer - 1, k))}</td>'
        for k in range(1, n_in + 1)
    )
    rows = [f"<tr>{head}</tr>"]
    for j, row in enumerate(refs, start=1):
        cells = [f'<td bgcolor="#f2f4f7" align="right">{escape(_node(trace, layer, j))}</td>']
        for ref in row:
            shown = view.value(ref)
            ident = cell_id(trace.name(ref))
            if shown is None:  # left blank on a problem sheet
                cells.append(f'<td id="{ident}" width="48"> </td>')
                continue
            colour = heat(trace.value(ref), largest)
            border = f' border="2" color="{HIGHLIGHT}"' if ref in marked else ""
            # a link to itself makes Graphviz write the cell as a group with the id (the SVG's
            # `a_` + id) and the quantity's name as its tooltip
            name = escape(f"{trace.symbol(ref, step=view.step).text} = {shown}")
            cells.append(
                f'<td id="{ident}" href="#{ident}" title="{name}" bgcolor="{colour}" '
                f'align="right"{border}>{escape(shown)}</td>'
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table border="0" cellborder="1" cellspacing="0" cellpadding="3" color="{GRID}">'
        + "".join(rows)
        + "</table>"
    )


def _layer_name(layer: int, L: int, lang: str) -> str:
    if layer == 1:
        return word("input_layer", lang)
    if layer == L:
        return word("output_layer", lang, l=layer)
    return word("hidden_layer", lang, l=layer)


def matrices_label(trace: Trace, view: Numbers, highlight: Highlight | None) -> str:
    """Every layer's matrices for the stage, as one HTML-like label (`<…>`)."""
    L = trace.n_layers
    marked = {label.ref for label in highlight.labels} if highlight else set()
    kinds = _shown(view)
    note = escape(word("matrices_note", view.lang))
    rows = [f'<tr><td align="left"><font color="#4a5668">{note}</font></td></tr>']
    for layer in range(2, L + 1):
        caption = word(
            "matrices_caption",
            view.lang,
            into=_layer_name(layer, L, view.lang),
            source=_layer_name(layer - 1, L, view.lang),
        )
        rows.append(f'<tr><td align="left"><b>{escape(caption)}</b></td></tr>')
        rows += [f"<tr><td>{_matrix(view, k, layer, marked)}</td></tr>" for k in kinds]
    return '<<table border="0" cellspacing="6" cellpadding="0">' + "".join(rows) + "</table>>"
