"""The network drawn with its numbers: a `graphviz.Digraph` built from a trace.

forward: each node's z and a, each edge's weight, biases and targets in the nodes;
backward: each node's ∂E/∂a and δ, each edge's ∂E/∂w; update: each edge's old → new weight
and the loss before → after; all: the three together. `blank` leaves every computed number
as an empty box to fill in (a problem sheet's drawing: only the given numbers are written).
`highlight` (a `highlight.Highlight`) colours what the quantity's worked equation reads, every
path of a sum over paths, and writes each term's label where it lives. A network with more
than `MAX_LABELLED_EDGES` edges between two layers is drawn with bare edges and its edges'
numbers as matrices under it (`weight_matrices.py`). Node and edge ids come from quantity
names, so the SVG is stable and the walkthrough can highlight elements by id. Numbers are
written as `diagram_numbers.py` says; writing SVG/PNG/PDF is `drawing.py`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from ..core.quantities import Kind, Ref
from ..errors import BackvizError
from .diagram_numbers import DEFAULT_DECIMALS, diagram_given, diagram_number
from .fonts import diagram_font
from .weight_matrices import matrices_label
from .words import word

if TYPE_CHECKING:
    import graphviz

    from ..core.trace import Trace
    from .highlight import Highlight

__all__ = [
    "BOX",
    "HIGHLIGHT",
    "MAX_LABELLED_EDGES",
    "MAX_NODES",
    "STAGES",
    "VIEWS",
    "edge_id",
    "element_ids",
    "network_diagram",
    "node_id",
    "shown_nodes",
    "uses_matrices",
]

STAGES = ("forward", "backward", "update", "all")
MAX_NODES = 8  # per layer; more are summarised as "… N more"
# Edges between two layers up to which each edge carries its numbers. dot puts an edge's label
# in the gap between the layers, beside the label of the edge next to it: with 4×4 = 16 edges
# between two layers the stacked labels already make the drawing twice as tall as the same
# network without them (stage all: 1026 pt against 503 pt), and a third of them sit nearer
# another edge than their own; at 4-8-8-3 (64 edges into a layer) the drawing is four times
# its bare height (3850 pt) and half the labels are nearer another edge. Beyond 16 the edges
# go bare and their numbers are written as matrices, where each stays legible and findable.
MAX_LABELLED_EDGES = 16
VIEWS = ("auto", "labels", "matrix")
HIGHLIGHT = "#d62728"
MUTED = "#7a8594"
COLOURS = {"input": "#eef3fb", "hidden": "#f4f1fb", "output": "#eaf6ee", "loss": "#fff4e0"}
DROPPED = "#dcdcdc"  # a node dropout drops (m = 0) in this step and sample, and its edges out
DROPPED_INK = "#9a9a9a"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def node_id(trace: Trace, layer: int, j: int) -> str:
    """The id of node j of a layer: from its activation's name (x1, h1, a(2)_1 …)."""
    kind = Kind.INPUT if layer == 1 else Kind.A
    return "n_" + _safe(trace.namer.name(Ref(kind, layer, (j,))))


def edge_id(trace: Trace, layer: int, j: int, k: int) -> str:
    """The id of the edge into node j of `layer` from node k: from the weight's name."""
    return "e_" + _safe(trace.namer.name(Ref(Kind.WEIGHT, layer, (j, k))))


LOSS_ID = "n_loss"
MATRICES_ID = "matrices"


def loss_edge_id(j: int) -> str:
    return f"e_loss_{j}"


def shown_nodes(size: int) -> list[int]:
    """The node numbers drawn for a layer of `size` nodes (1-based)."""
    if size <= MAX_NODES:
        return list(range(1, size + 1))
    return [1, 2, 3, size - 1, size]


Row = tuple[str | None, ...]
"""One line of a label, in pieces: ("z1 =", "0.08"), ("W1:", "0.3", "→", "0.29"); a None piece
is a number left blank, drawn as an empty box."""


@dataclass(frozen=True)
class _View:
    trace: Trace
    stage: str
    step: int
    sample: int
    decimals: int
    lang: str
    blank: bool = False
    matrices: bool = False  # the edges' numbers are in matrices, not on the edges

    def value(self, ref: Ref) -> str | None:
        """The number shown for a quantity; None when it is computed and left blank."""
        given = self.trace.formula(ref) is None
        if self.blank and not given:
            return None
        v = self.trace.value(ref)
        return diagram_given(v) if given else diagram_number(v, self.decimals)

    def text(self, ref: Ref) -> Row:
        return (f"{self.trace.symbol(ref, step=self.step).text} =", self.value(ref))

    def ref(self, kind: Kind, layer: int | None, index: tuple[int, ...], **kw: object) -> Ref:
        sample = self.sample if kind in _PER_SAMPLE else None
        return Ref(kind, layer, index, sample, self.step, **kw)  # type: ignore[arg-type]


_PER_SAMPLE = {
    Kind.Z,
    Kind.A,
    Kind.DE_DA,
    Kind.DA_DZ,
    Kind.DELTA,
    Kind.LOSS_TERM,
    Kind.INPUT,
    Kind.TARGET,
    Kind.SAMPLE_LOSS,
    Kind.DE_DA_TERM,
    Kind.MASK,
    Kind.DROPPED,
}


def _dropped(view: _View, layer: int, j: int) -> bool:
    """Whether dropout drops node j of the layer in the drawn step's training pass."""
    mask = view.trace.exercise.dropout_mask(layer)
    trains = view.trace.steps[view.step - 1].backward is not None
    return mask is not None and trains and mask[view.sample - 1, j - 1] == 0


def _rows(view: _View, layer: int, j: int) -> list[Row]:
    """The lines inside node j of a layer for the stage."""
    trace, stage = view.trace, view.stage
    L = trace.n_layers
    if layer == 1:
        return [view.text(Ref(Kind.INPUT, 1, (j,), view.sample))]
    rows: list[Row] = []
    ex = trace.exercise
    has_bias = ex.bias[layer - 2]
    b_j = (ex.bias_index(layer, j),)  # a shared bias shows in each node it enters
    trains = trace.steps[view.step - 1].backward is not None
    trains_bias = has_bias and trains and ex.trains_bias_of(layer)
    if stage in ("forward", "all"):
        rows.append(view.text(view.ref(Kind.Z, layer, (j,))))
        rows.append(view.text(view.ref(Kind.A, layer, (j,))))
        if trains and trace.exercise.dropout_mask(layer) is not None:  # m and ã = a·m/(1 − p)
            rows.append(view.text(Ref(Kind.MASK, layer, (j,), view.sample)))
            rows.append(view.text(view.ref(Kind.DROPPED, layer, (j,))))
        if has_bias:
            rows.append(view.text(Ref(Kind.BIAS, layer, b_j, step=view.step)))
        if layer == L and trace.exercise.targets is not None:
            rows.append(view.text(Ref(Kind.TARGET, L, (j,), view.sample)))
    if stage in ("backward", "all") and trains:
        rows.append(view.text(view.ref(Kind.DE_DA, layer, (j,))))
        rows.append(view.text(view.ref(Kind.DELTA, layer, (j,))))
        if trains_bias:
            rows.append(view.text(Ref(Kind.GRAD_B, layer, b_j, step=view.step)))
    if stage == "update" and trains_bias:
        old = Ref(Kind.BIAS, layer, b_j, step=view.step)
        new = Ref(Kind.UPDATE_B, layer, b_j, step=view.step)
        rows.append(_change(view, old, new))
    return rows


def _change(view: _View, old: Ref, new: Ref) -> Row:
    """A parameter's old → new value: ("W1:", "0.3", "→", "0.29")."""
    name = view.trace.symbol(old, step=view.step).text
    return (f"{name}:", view.value(old), "→", view.value(new))


def _edge_label(view: _View, layer: int, j: int, k: int) -> list[Row]:
    trace, stage = view.trace, view.stage
    if view.matrices or (view.blank and max(trace.exercise.sizes) > MAX_NODES):
        return []  # the numbers are in the matrices (or the sheet's list of weights)
    w = Ref(Kind.WEIGHT, layer, (j, k), step=view.step)
    trains = trace.steps[view.step - 1].backward is not None
    lines: list[Row] = []
    if stage in ("forward", "all") or not trains:
        lines.append(view.text(w))
    if stage in ("backward", "all") and trains:
        lines.append(view.text(Ref(Kind.GRAD_W, layer, (j, k), step=view.step)))
    if stage in ("update", "all") and trains:
        new = Ref(Kind.UPDATE_W, layer, (j, k), step=view.step)
        lines.append(view.text(new) if stage == "all" else _change(view, w, new))
    return lines


def _joined(row: Row) -> str:
    return " ".join(piece or "" for piece in row)


def _has_blank(rows: list[Row]) -> bool:
    return any(piece is None for row in rows for piece in row)


BOX = '<td border="1" color="{colour}" bgcolor="white" width="62" height="15"> </td>'


INK = "#1d2330"


def _ink(row: Row, red: set[str]) -> str:
    """A row's colour: red when it is one of the highlight's labels."""
    return HIGHLIGHT if row and row[0] in red else INK


def _blank_rows(rows: list[Row], red: set[str]) -> list[str]:
    """Table rows of two columns, the name right-aligned and its number or empty box beside it;
    a row of more pieces (old → new) spans both in a table of its own."""

    def cell(piece: str | None, colour: str) -> str:
        if piece is None:
            return BOX.format(colour=MUTED)
        return f'<td align="left"><font color="{colour}">{escape(piece)}</font></td>'

    out = []
    for row in rows:
        colour = _ink(row, red)
        if len(row) == 2 and row[0] is not None:
            out.append(f'<tr><td align="right"><font color="{colour}">{escape(row[0])}</font></td>')
            out[-1] += cell(row[1], colour) + "</tr>"
        else:
            inner = "".join(cell(piece, colour) for piece in row)
            out.append(
                '<tr><td colspan="2"><table border="0" cellborder="0" cellspacing="2" '
                f'cellpadding="0"><tr>{inner}</tr></table></td></tr>'
            )
    return out


def _line(row: Row, red: set[str]) -> str:
    text = escape(_joined(row))
    return f'<font color="{HIGHLIGHT}">{text}</font>' if row[0] in red else text


def _html_label(title: str, rows: list[Row], red: set[str]) -> str:
    """A node's label: its title and rows, the highlight's labels in red."""
    if _has_blank(rows):
        cells = [f'<tr><td colspan="2"><b>{escape(title)}</b></td></tr>']
        cells += _blank_rows(rows, red)
        spacing = "2"
    else:
        cells = [f"<tr><td><b>{escape(title)}</b></td></tr>"]
        cells += [f"<tr><td>{_line(row, red)}</td></tr>" for row in rows]
        spacing = "0"
    return (
        f'<<table border="0" cellborder="0" cellspacing="{spacing}" cellpadding="1">'
        + "".join(cells)
        + "</table>>"
    )


def _edge_html(rows: list[Row], red: set[str]) -> str:
    """An edge's label: lines of text, or with blanks a table of names and empty boxes."""
    if not rows:
        return ""
    if _has_blank(rows):
        return (
            '<<table border="0" cellborder="0" cellspacing="2" cellpadding="0">'
            + "".join(_blank_rows(rows, red))
            + "</table>>"
        )
    return "<" + "<br/>".join(_line(row, red) for row in rows) + ">"


def _anchor(trace: Trace, ref: Ref) -> tuple[int, int, int | None]:
    """(layer, node j, source node k or None) where the highlighted quantity sits."""
    layer = ref.layer or trace.n_layers
    on_edge = (
        Kind.WEIGHT,
        Kind.GRAD_W,
        Kind.UPDATE_W,
        Kind.STATE,
        Kind.DATA_GRAD_W,
        Kind.PENALTY_GRAD,
    )
    if ref.kind in on_edge and len(ref.index) == 2:
        return layer, ref.index[0], ref.index[1]
    if ref.kind is Kind.DE_DA_TERM:
        return layer, ref.index[0], None
    if ref.kind in (Kind.LOSS, Kind.SAMPLE_LOSS, Kind.DATA_LOSS, Kind.PENALTY):
        return trace.n_layers + 1, 0, None
    return layer, ref.index[0] if ref.index else 1, None


def element_ids(trace: Trace, ref: Ref) -> list[str]:
    """The SVG element ids a quantity lives on: its node, or its edge and the node it feeds;
    a path of ∂E/∂a_j, δ_i·w_ij, also the edge and the node i it passes through."""
    layer, j, k = _anchor(trace, ref)
    if layer > trace.n_layers:
        return [LOSS_ID]
    if ref.kind is Kind.LOSS_TERM:
        return [loss_edge_id(j), LOSS_ID]
    ids = [node_id(trace, layer, j)]
    if k is not None:
        ids.insert(0, edge_id(trace, layer, j, k))
    if ref.kind is Kind.DE_DA_TERM:
        ids.append(edge_id(trace, layer + 1, ref.index[1], j))
        ids.append(node_id(trace, layer + 1, ref.index[1]))
    return ids


def uses_matrices(trace: Trace, view: str = "auto") -> bool:
    """Whether the edges' numbers are drawn as matrices: asked for, or (auto) more than
    `MAX_LABELLED_EDGES` edges between two layers."""
    if view not in VIEWS:
        raise BackvizError(f"--view {view}: expected one of {', '.join(VIEWS)}")
    sizes = trace.exercise.sizes
    most = max(a * b for a, b in itertools.pairwise(sizes))
    return view == "matrix" or (view == "auto" and most > MAX_LABELLED_EDGES)


def network_diagram(
    trace: Trace,
    *,
    stage: str = "forward",
    step: int = 1,
    sample: int = 1,
    highlight: Highlight | None = None,
    lang: str = "en",
    decimals: int = DEFAULT_DECIMALS,
    blank: bool = False,
    view: str = "auto",
    fontsize: float = 10,
) -> graphviz.Digraph:
    """The network of the trace at one step and sample, for one stage; with `blank`, only the
    given numbers written and an empty box for each computed one. `view`: "labels" writes each
    edge's numbers on it, "matrix" under the drawing as a matrix per layer, "auto" chooses
    matrices above `MAX_LABELLED_EDGES`. `fontsize` is the nodes' text size in points."""
    import graphviz

    matrices = uses_matrices(trace, view)
    draw = _View(trace, stage, step, sample, decimals, lang, blank, matrices)
    lit = highlight.ids if highlight else frozenset()
    own = set(highlight.own) if highlight else set()
    font = diagram_font(lang)
    size = {k: f"{fontsize * r:g}" for k, r in (("node", 1), ("edge", 0.9), ("title", 1.4))}
    graph = graphviz.Digraph(
        name=_safe(trace.exercise.id) or "network",
        graph_attr={
            "rankdir": "LR",
            "newrank": "true",
            "nodesep": "0.2" if matrices else "0.35",
            "ranksep": "0.8" if blank else "1.2" if matrices else "1.6",
            "fontname": font,
            "labelloc": "t",
            "label": _title(trace, draw, lang),
            "fontsize": size["title"],
        },
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fontname": font,
            "fontsize": size["node"],
            "color": MUTED,
        },
        edge_attr={
            "fontname": font,
            "fontsize": size["edge"],
            "color": MUTED,
            "arrowsize": "0.6",
        },
    )
    _draw(graph, draw, highlight, lit, own, fontsize)
    if matrices:
        # bare edges as straight lines from a node's right side to the next one's left side:
        # nothing between two columns for them to avoid, so none loops round a column
        graph.attr(splines="line")
        graph.edge_attr.update(tailport="e", headport="w")
    if matrices and not blank:  # a problem sheet lists its weights: no matrices on its drawing
        # beside the network, right of the loss: a column of its own (one more rank)
        graph.node(
            MATRICES_ID,
            label=matrices_label(trace, draw, highlight),
            shape="plaintext",
            style="",
            id=MATRICES_ID,
        )
        last = LOSS_ID if trace.exercise.targets is not None else node_id(trace, trace.n_layers, 1)
        graph.edge(last, MATRICES_ID, style="invis")
    return graph


def _draw(
    graph: graphviz.Digraph,
    view: _View,
    highlight: Highlight | None,
    lit: frozenset[str],
    own: set[str],
    fontsize: float,
) -> None:
    """The layers' nodes, the edges between them and the loss, into `graph`."""
    trace, lang = view.trace, view.lang
    sizes, L = trace.exercise.sizes, trace.n_layers

    def pen(element: str, width: str) -> str:
        return ("3" if element in own else "2.2") if element in lit else width

    for layer in range(1, L + 1):
        kind = "input" if layer == 1 else "output" if layer == L else "hidden"
        # one column per layer, its title on top, nodes 1, 2, 3 … below: a rank=same subgraph
        # with invisible edges keeps that order (a cluster would let Graphviz reorder them)
        with graph.subgraph(name=f"layer_{layer}") as column:
            column.attr(rank="same")
            title_id = f"layer_title_{layer}"
            column.node(
                title_id,
                label=_layer_label(layer, L, lang),
                shape="plaintext",
                style="",
                fontsize=f"{fontsize * 1.2:g}",
                fontcolor="#4a5668",
                id=title_id,
            )
            order: list[str] = [title_id]
            for j in shown_nodes(sizes[layer - 1]):
                nid = node_id(trace, layer, j)
                title = trace.symbol(Ref(Kind.INPUT if layer == 1 else Kind.A, layer, (j,))).text
                rows = _rows(view, layer, j)
                red = _marked(view, highlight, nid, rows)
                dropped = _dropped(view, layer, j)
                column.node(
                    nid,
                    label=_html_label(title, rows, red),
                    id=nid,
                    fillcolor=DROPPED if dropped else COLOURS[kind],
                    color=HIGHLIGHT if nid in lit else DROPPED_INK if dropped else MUTED,
                    penwidth=pen(nid, "1"),
                    **({"style": "rounded,filled,dashed"} if dropped else {}),
                )
                order.append(nid)
            hidden = sizes[layer - 1] - (len(order) - 1)  # the title is not a node
            if hidden:
                more = f"more_{layer}"
                column.node(
                    more, label=word("more", lang, n=hidden), shape="plaintext", style="", id=more
                )
                order.insert(4, more)  # after the title and nodes 1, 2, 3
            for upper, lower in itertools.pairwise(order):  # keep nodes in order, 1 on top
                column.edge(upper, lower, style="invis")
    for layer in range(2, L + 1):
        for j in shown_nodes(sizes[layer - 1]):
            for k in shown_nodes(sizes[layer - 2]):
                eid = edge_id(trace, layer, j, k)
                lines = _edge_label(view, layer, j, k)
                red = _marked(view, highlight, eid, lines)
                dropped = _dropped(view, layer - 1, k)  # carries ã_k = 0
                graph.edge(
                    node_id(trace, layer - 1, k),
                    node_id(trace, layer, j),
                    label=_edge_html(lines, red),
                    id=eid,
                    color=HIGHLIGHT if eid in lit else DROPPED_INK if dropped else MUTED,
                    penwidth=pen(eid, "0.8"),
                    **({"style": "dashed"} if dropped else {}),
                )
    if trace.exercise.targets is not None:
        _loss_node(graph, view, highlight, lit)


def _title(trace: Trace, view: _View, lang: str) -> str:
    title = trace.exercise.title_in(lang)
    if view.blank:  # a problem sheet's drawing: what is given besides the numbers in it
        rate = trace.exercise.training.learning_rate
        parts = [title, word("describe_learning_rate", lang, lr=diagram_given(rate, 12))]
        parts = parts if trace.exercise.trains else parts[:1]
    else:
        parts = [title, word(f"stage_{view.stage}", lang)]
    if len(trace.steps) > 1:
        parts.append(word("step", lang, s=view.step))
    if trace.exercise.n_samples > 1:
        parts.append(word("sample", lang, n=view.sample))
    return " · ".join(parts)


def _layer_label(layer: int, L: int, lang: str) -> str:
    if layer == 1:
        return word("input_layer", lang)
    if layer == L:
        return word("output_layer", lang, l=layer)
    return word("hidden_layer", lang, l=layer)


def _marked(view: _View, highlight: Highlight | None, at: str, rows: list[Row]) -> set[str]:
    """The heads of the rows at element `at` that the highlight colours; a label the stage
    does not write there (∂z3/∂h1 on W5's edge, δ_o1 in the forward stage) is appended."""
    if highlight is None:
        return set()
    red: set[str] = set()
    heads = {row[0] for row in rows}
    for label in highlight.labels:
        if label.at != at:
            continue
        head = f"{label.text} ="
        if head not in heads and f"{label.text}:" in heads:
            head = f"{label.text}:"  # an update row, W5: 0.45 → 0.437
        if head not in heads:
            rows.append((head, view.value(label.ref)))
            heads.add(head)
        red.add(head)
    return red


def _loss_title(trace: Trace) -> str:
    """The loss as the exercise names it, with the penalty terms of the cost: half_sse + L1 + L2."""
    return " + ".join((trace.exercise.loss_name, *trace.exercise.regularization.norms))


def _loss_node(
    graph: graphviz.Digraph, view: _View, highlight: Highlight | None, lit: frozenset[str]
) -> None:
    trace = view.trace
    record = trace.steps[view.step - 1]
    loss = Ref(Kind.LOSS, None, (), None, view.step)
    reg = trace.exercise.regularization
    rows = []
    if reg.active and trace.exercise.targets is not None:  # E = E_data + E_L1 + E_L2
        rows.append(view.text(Ref(Kind.DATA_LOSS, None, (), None, view.step)))
        for norm in reg.norms:
            rows.append(view.text(Ref(Kind.PENALTY, None, (), None, view.step, label=(norm,))))
    rows.append(view.text(loss))
    if record.after is not None and view.stage in ("update", "all") and not view.blank:
        rows.append(view.text(Ref(Kind.LOSS, None, (), None, view.step, after=True)))
    red = _marked(view, highlight, LOSS_ID, rows)
    graph.node(
        LOSS_ID,
        label=_html_label(f"{word('loss', view.lang)} ({_loss_title(trace)})", rows, red),
        id=LOSS_ID,
        fillcolor=COLOURS["loss"],
        color=HIGHLIGHT if LOSS_ID in lit else MUTED,
        penwidth="2.2" if LOSS_ID in lit else "1",
        shape="box",
    )
    L = trace.n_layers
    for j in shown_nodes(trace.exercise.sizes[-1]):
        lines: list[Row] = []
        if trace.loss.has_terms and view.stage in ("forward", "all"):
            lines.append(view.text(view.ref(Kind.LOSS_TERM, L, (j,))))
        if record.backward is not None and view.stage in ("backward", "all"):
            lines.append(view.text(view.ref(Kind.DE_DA, L, (j,))))
        eid = loss_edge_id(j)
        red = _marked(view, highlight, eid, lines)
        graph.edge(
            node_id(trace, L, j),
            LOSS_ID,
            label=_edge_html(lines, red),
            id=eid,
            style="dashed",
            color=HIGHLIGHT if eid in lit else MUTED,
            penwidth="2.2" if eid in lit else "0.8",
        )
