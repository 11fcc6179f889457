"""The network drawn with its numbers: a `graphviz.Digraph` built from a trace.

forward: each node's z and a, each edge's weight, biases and targets in the nodes;
backward: each node's ∂E/∂a and δ, each edge's ∂E/∂w; update: each edge's old → new weight
and the loss before → after; all: the three together. `blank` leaves every computed number
as an empty box to fill in (a problem sheet's drawing: only the given numbers are written).
`highlight` colours the paths a quantity's gradient flows along (a hidden weight's through
every output node) and labels the factors of the chain rule on them. Node and edge ids come
from quantity names, so the SVG is stable and the walkthrough can highlight elements by id.
Writing SVG/PNG/PDF is `drawing.py`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from ..core.notation import format_given, format_number
from ..core.quantities import Kind, Ref
from .fonts import diagram_font
from .words import word

if TYPE_CHECKING:
    import graphviz

    from ..core.trace import Trace

__all__ = [
    "BOX",
    "MAX_NODES",
    "STAGES",
    "edge_id",
    "element_ids",
    "network_diagram",
    "node_id",
    "shown_nodes",
]

STAGES = ("forward", "backward", "update", "all")
MAX_NODES = 8  # per layer; more are summarised as "… N more"
HIGHLIGHT = "#d62728"
MUTED = "#7a8594"
COLOURS = {"input": "#eef3fb", "hidden": "#f4f1fb", "output": "#eaf6ee", "loss": "#fff4e0"}


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

    def value(self, ref: Ref) -> str | None:
        """The number shown for a quantity; None when it is computed and left blank."""
        given = self.trace.formula(ref) is None
        if self.blank and not given:
            return None
        v = self.trace.value(ref)
        return format_given(v) if given else format_number(v, self.decimals)

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
}


def _rows(view: _View, layer: int, j: int) -> list[Row]:
    """The lines inside node j of a layer for the stage."""
    trace, stage = view.trace, view.stage
    L = trace.n_layers
    if layer == 1:
        return [view.text(Ref(Kind.INPUT, 1, (j,), view.sample))]
    rows: list[Row] = []
    has_bias = trace.exercise.bias[layer - 2]
    trains = trace.steps[view.step - 1].backward is not None
    if stage in ("forward", "all"):
        rows.append(view.text(view.ref(Kind.Z, layer, (j,))))
        rows.append(view.text(view.ref(Kind.A, layer, (j,))))
        if has_bias:
            rows.append(view.text(Ref(Kind.BIAS, layer, (j,), step=view.step)))
        if layer == L and trace.exercise.targets is not None:
            rows.append(view.text(Ref(Kind.TARGET, L, (j,), view.sample)))
    if stage in ("backward", "all") and trains:
        rows.append(view.text(view.ref(Kind.DE_DA, layer, (j,))))
        rows.append(view.text(view.ref(Kind.DELTA, layer, (j,))))
        if has_bias:
            rows.append(view.text(Ref(Kind.GRAD_B, layer, (j,), step=view.step)))
    if stage == "update" and trains and has_bias:
        old = Ref(Kind.BIAS, layer, (j,), step=view.step)
        new = Ref(Kind.UPDATE_B, layer, (j,), step=view.step)
        rows.append(_change(view, old, new))
    return rows


def _change(view: _View, old: Ref, new: Ref) -> Row:
    """A parameter's old → new value: ("W1:", "0.3", "→", "0.29")."""
    name = view.trace.symbol(old, step=view.step).text
    return (f"{name}:", view.value(old), "→", view.value(new))


def _edge_label(view: _View, layer: int, j: int, k: int) -> list[Row]:
    trace, stage = view.trace, view.stage
    if view.blank and max(trace.exercise.sizes) > MAX_NODES:
        return []  # a summarised network's sheet lists its weights; boxes on edges would crowd
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


def _blank_rows(rows: list[Row], colour: str = "#1d2330") -> list[str]:
    """Table rows of two columns, the name right-aligned and its number or empty box beside it;
    a row of more pieces (old → new) spans both in a table of its own."""

    def cell(piece: str | None) -> str:
        if piece is None:
            return BOX.format(colour=MUTED)
        return f'<td align="left"><font color="{colour}">{escape(piece)}</font></td>'

    out = []
    for row in rows:
        if len(row) == 2 and row[0] is not None:
            out.append(f'<tr><td align="right"><font color="{colour}">{escape(row[0])}</font></td>')
            out[-1] += cell(row[1]) + "</tr>"
        else:
            inner = "".join(cell(piece) for piece in row)
            out.append(
                '<tr><td colspan="2"><table border="0" cellborder="0" cellspacing="2" '
                f'cellpadding="0"><tr>{inner}</tr></table></td></tr>'
            )
    return out


def _html_label(title: str, rows: list[Row], extra: list[Row]) -> str:
    if _has_blank(rows + extra):
        cells = [f'<tr><td colspan="2"><b>{escape(title)}</b></td></tr>']
        cells += _blank_rows(rows) + _blank_rows(extra, HIGHLIGHT)
        spacing = "2"
    else:
        cells = [f"<tr><td><b>{escape(title)}</b></td></tr>"]
        cells += [f"<tr><td>{escape(_joined(row))}</td></tr>" for row in rows]
        cells += [
            f'<tr><td><font color="{HIGHLIGHT}">{escape(_joined(row))}</font></td></tr>'
            for row in extra
        ]
        spacing = "0"
    return (
        f'<<table border="0" cellborder="0" cellspacing="{spacing}" cellpadding="1">'
        + "".join(cells)
        + "</table>>"
    )


def _edge_html(rows: list[Row], colour: str = "#1d2330") -> str:
    """An edge's label: lines of text, or with blanks a table of names and empty boxes."""
    if not rows:
        return ""
    if _has_blank(rows):
        return (
            '<<table border="0" cellborder="0" cellspacing="2" cellpadding="0">'
            + "".join(_blank_rows(rows, colour))
            + "</table>>"
        )
    return escape("\n".join(_joined(row) for row in rows)).replace("\n", "<br/>").join(["<", ">"])


def _anchor(trace: Trace, ref: Ref) -> tuple[int, int, int | None]:
    """(layer, node j, source node k or None) where the highlighted quantity sits."""
    layer = ref.layer or trace.n_layers
    if ref.kind in (Kind.WEIGHT, Kind.GRAD_W, Kind.UPDATE_W, Kind.STATE) and len(ref.index) == 2:
        return layer, ref.index[0], ref.index[1]
    if ref.kind is Kind.DE_DA_TERM:
        return layer, ref.index[0], None
    if ref.kind in (Kind.LOSS, Kind.SAMPLE_LOSS):
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


def _highlight(trace: Trace, ref: Ref | None) -> tuple[set[str], set[str]]:
    """Nodes and edges on the paths from the quantity to the loss (the chain rule's paths)."""
    if ref is None:
        return set(), set()
    layer, j, k = _anchor(trace, ref)
    sizes = trace.exercise.sizes
    L = trace.n_layers
    nodes: set[str] = {LOSS_ID}
    edges: set[str] = set()
    if layer > L:
        return nodes, edges
    nodes.add(node_id(trace, layer, j))
    if k is not None:
        edges.add(edge_id(trace, layer, j, k))
        nodes.add(node_id(trace, layer - 1, k))
    # every path from node j of `layer` to the loss: all later nodes in a fully connected net
    frontier = [j]
    for next_layer in range(layer + 1, L + 1):
        for i in range(1, sizes[next_layer - 1] + 1):
            for source in frontier:
                edges.add(edge_id(trace, next_layer, i, source))
            nodes.add(node_id(trace, next_layer, i))
        frontier = list(range(1, sizes[next_layer - 1] + 1))
    for i in frontier if layer < L else [j]:
        edges.add(loss_edge_id(i))
    return nodes, edges


def network_diagram(
    trace: Trace,
    *,
    stage: str = "forward",
    step: int = 1,
    sample: int = 1,
    highlight: Ref | None = None,
    lang: str = "en",
    decimals: int = 8,
    blank: bool = False,
) -> graphviz.Digraph:
    """The network of the trace at one step and sample, for one stage; with `blank`, only the
    given numbers written and an empty box for each computed one."""
    import graphviz

    view = _View(trace, stage, step, sample, decimals, lang, blank)
    target = highlight
    lit_nodes, lit_edges = _highlight(trace, target)
    sizes, L = trace.exercise.sizes, trace.n_layers
    font = diagram_font(lang)
    graph = graphviz.Digraph(
        name=_safe(trace.exercise.id) or "network",
        graph_attr={
            "rankdir": "LR",
            "newrank": "true",
            "nodesep": "0.35",
            "ranksep": "0.8" if blank else "1.6",
            "fontname": font,
            "labelloc": "t",
            "label": _title(trace, view, lang),
            "fontsize": "14",
        },
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fontname": font,
            "fontsize": "10",
            "color": MUTED,
        },
        edge_attr={"fontname": font, "fontsize": "9", "color": MUTED, "arrowsize": "0.6"},
    )
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
                fontsize="12",
                fontcolor="#4a5668",
                id=title_id,
            )
            order: list[str] = [title_id]
            for j in shown_nodes(sizes[layer - 1]):
                nid = node_id(trace, layer, j)
                title = trace.symbol(Ref(Kind.INPUT if layer == 1 else Kind.A, layer, (j,))).text
                extra = _highlight_rows(view, target, layer, j) if nid in lit_nodes else []
                column.node(
                    nid,
                    label=_html_label(title, _rows(view, layer, j), extra),
                    id=nid,
                    fillcolor=COLOURS[kind],
                    color=HIGHLIGHT if nid in lit_nodes else MUTED,
                    penwidth="2.2" if nid in lit_nodes else "1",
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
                lit = eid in lit_edges
                lines = _edge_label(view, layer, j, k)
                if lit and target is not None:
                    lines += _factor(view, target, layer, j, k)
                graph.edge(
                    node_id(trace, layer - 1, k),
                    node_id(trace, layer, j),
                    label=_edge_html(lines, HIGHLIGHT if lit else "#1d2330"),
                    id=eid,
                    color=HIGHLIGHT if lit else MUTED,
                    fontcolor=HIGHLIGHT if lit else "#1d2330",
                    penwidth="2.2" if lit else "0.8",
                )
    if trace.exercise.targets is not None:
        _loss_node(graph, view, lit_nodes, lit_edges)
    return graph


def _title(trace: Trace, view: _View, lang: str) -> str:
    title = trace.exercise.title_in(lang)
    if view.blank:  # a problem sheet's drawing: what is given besides the numbers in it
        rate = trace.exercise.training.learning_rate
        parts = [title, word("describe_learning_rate", lang, lr=format_given(rate))]
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


def _highlight_rows(view: _View, target: Ref | None, layer: int, j: int) -> list[Row]:
    """The chain-rule factor at a highlighted node: ∂a/∂z there (trained exercises only)."""
    if target is None or layer == 1 or view.trace.steps[view.step - 1].backward is None:
        return []
    f = view.trace.exercise.activations[layer - 2]
    if f.vector:
        return []
    return [view.text(view.ref(Kind.DA_DZ, layer, (j,)))]


def _factor(view: _View, target: Ref, layer: int, j: int, k: int) -> list[Row]:
    """The chain-rule factor on a highlighted edge: ∂z_j/∂a_k = w_jk, or ∂z_j/∂w_jk = a_k."""
    trace = view.trace
    anchor_layer, anchor_j, anchor_k = _anchor(trace, target)
    z = Ref(Kind.Z, layer, (j,))
    if (layer, j, k) == (anchor_layer, anchor_j, anchor_k):
        w = Ref(Kind.WEIGHT, layer, (j, k))
        a = (
            Ref(Kind.INPUT, 1, (k,), view.sample)
            if layer == 2
            else view.ref(Kind.A, layer - 1, (k,))
        )
        return [(f"{trace.derivative_symbol(z, w).text} =", view.value(a))]
    a = Ref(Kind.INPUT if layer == 2 else Kind.A, layer - 1, (k,))
    w = Ref(Kind.WEIGHT, layer, (j, k), step=view.step)
    return [(f"{trace.derivative_symbol(z, a).text} =", view.value(w))]


def _loss_node(
    graph: graphviz.Digraph, view: _View, lit_nodes: set[str], lit_edges: set[str]
) -> None:
    trace = view.trace
    record = trace.steps[view.step - 1]
    loss = Ref(Kind.LOSS, None, (), None, view.step)
    rows = [view.text(loss)]
    if record.after is not None and view.stage in ("update", "all") and not view.blank:
        rows.append(view.text(Ref(Kind.LOSS, None, (), None, view.step, after=True)))
    graph.node(
        LOSS_ID,
        label=_html_label(f"{word('loss', view.lang)} ({trace.exercise.loss_name})", rows, []),
        id=LOSS_ID,
        fillcolor=COLOURS["loss"],
        color=HIGHLIGHT if LOSS_ID in lit_nodes and len(lit_nodes) > 1 else MUTED,
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
        lit = eid in lit_edges
        graph.edge(
            node_id(trace, L, j),
            LOSS_ID,
            label=_edge_html(lines),
            id=eid,
            style="dashed",
            color=HIGHLIGHT if lit else MUTED,
            penwidth="2.2" if lit else "0.8",
        )
