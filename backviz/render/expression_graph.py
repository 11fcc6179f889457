"""An expression exercise drawn as a computational graph, as micrograd draws one.

One record per value (name = value, and its gradient ∂output/∂name = …) and one operation
node per assignment (its expression); each edge from an input of an assignment carries the
local derivative ∂node/∂input. The stage chooses what is written: forward the values,
backward the gradients and local derivatives, all (the default) both. With `blank`, only
the inputs' values are written and every computed number is an empty box (a problem sheet's
drawing). A `graphviz.Digraph`; `drawing.py` writes it.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from ..core.quantities import Kind, Ref
from ..errors import BackvizError
from .diagram_numbers import DEFAULT_DECIMALS, diagram_given, diagram_number
from .fonts import diagram_font
from .network_diagram import BOX

if TYPE_CHECKING:
    import graphviz

    from ..core.expression import ExpressionTrace
    from .highlight import Highlight

__all__ = ["STAGES", "element_ids", "expression_graph", "path_ids"]

HIGHLIGHT = "#d62728"


def _id(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]+", "_", name)


def _blank_record(rows: list[tuple[str, str | None]]) -> str:
    """Rows of `label number`, an empty box where the number is left blank (an HTML table)."""
    cells = []
    for label, value in rows:
        shown = (
            BOX.format(colour="#555555")
            if value is None
            else f'<td align="left">{escape(value)}</td>'
        )
        cells.append(f'<tr><td align="right">{escape(label)}</td>{shown}</tr>')
    return (
        '<<table border="0" cellborder="0" cellspacing="2" cellpadding="1">'
        + "".join(cells)
        + "</table>>"
    )


STAGES = ("forward", "backward", "all")  # an expression trains nothing: no update stage
SHOWN = {"forward": ("value",), "backward": ("grad", "local"), "all": ("value", "grad", "local")}


def expression_graph(
    trace: ExpressionTrace,
    *,
    stage: str = "all",
    highlight: Highlight | None = None,
    decimals: int = DEFAULT_DECIMALS,
    lang: str = "en",
    blank: bool = False,
) -> graphviz.Digraph:
    """Values (forward), gradients and local derivatives (backward) or all of them, each
    written `name = value` (with `blank`, an empty box for all but the inputs' values);
    `highlight` outlines what the quantity's equation reads and every path it stands for."""
    import graphviz

    if stage not in STAGES:
        raise BackvizError(
            f"--stage {stage}: an expression exercise is drawn forward, backward or all "
            "(it has no update)"
        )
    shown = SHOWN[stage]

    def number(value: float) -> str:  # a whole number as it is (∂f/∂g = 1), as the notes
        return diagram_given(value) if value == int(value) else diagram_number(value, decimals)

    def given(name: str) -> str:
        return diagram_given(trace.values[name])

    lit = highlight.ids if highlight else frozenset()
    own = set(highlight.own) if highlight else set()
    extra: dict[str, list[str]] = {}  # labels the highlight reads that the stage does not show
    if highlight:
        for label in highlight.labels:
            if _kind_shown(label.ref.kind) not in shown:
                text = f"{label.text} = {number(trace.value(label.ref))}"
                extra.setdefault(label.at, []).append(text)
    font = diagram_font(lang)
    graph = graphviz.Digraph(
        name=re.sub(r"[^A-Za-z0-9]+", "_", trace.exercise.id),
        graph_attr={
            "rankdir": "LR",
            "fontname": font,
            "label": trace.exercise.title_in(lang, fallback=""),
            "labelloc": "t",
        },
        node_attr={"fontname": font, "fontsize": "11"},
        edge_attr={"fontname": font, "fontsize": "10"},
    )
    output = trace.output
    for name, value in trace.values.items():
        grad = trace.grads[name]
        vid = _id("v_", name)
        if blank:
            known = given(name) if name in trace.exercise.inputs else None
            rows = [(f"{name} =", known)] if "value" in shown else []
            rows += [(f"∂{output}/∂{name} =", None)] if "grad" in shown else []
            label = _blank_record(rows)
        else:
            written = given(name) if name in trace.exercise.inputs else number(value)
            fields = [f"{name} = {written}"] if "value" in shown else []
            fields += [f"∂{output}/∂{name} = {number(grad)}"] if "grad" in shown else []
            fields += extra.get(vid, [])
            label = "{ " + " | ".join(escape(field) for field in fields) + " }"
        graph.node(
            vid,
            label=label,
            shape="box" if blank else "record",
            id=vid,
            color=HIGHLIGHT if vid in lit else "#555555",
            penwidth=("3" if vid in own else "2.2") if vid in lit else "1",
        )
    for node in trace.nodes:
        op = _id("op_", node.name)
        out_edge = _id("e_", node.name)
        graph.node(
            op,
            label=escape(node.source),
            shape="ellipse",
            style="filled",
            fillcolor="#eef3fb",
            id=op,
            color=HIGHLIGHT if op in lit else "black",
            penwidth="2.2" if op in lit else "1",
        )
        graph.edge(
            op,
            _id("v_", node.name),
            id=out_edge,
            color=HIGHLIGHT if out_edge in lit else "black",
            penwidth="2.2" if out_edge in lit else "1",
        )
        for source in node.reads:
            local = trace.value(Ref(Kind.LOCAL_GRAD, label=(node.name, source)))
            eid = _id("e_", f"{source}_{node.name}")
            symbol = f"∂{node.name}/∂{source}"
            if blank:
                text = _blank_record([(f"{symbol} =", None)]) if "local" in shown else ""
            else:
                lines = [f"{symbol} = {number(local)}"] if "local" in shown else []
                lines += extra.get(eid, [])
                text = "\n".join(lines)
            graph.edge(
                _id("v_", source),
                op,
                label=text,
                id=eid,
                color=HIGHLIGHT if eid in lit else "#555555",
                fontcolor=HIGHLIGHT if eid in lit else "#1d2330",
                penwidth="2.2" if eid in lit else "1",
            )
    return graph


def _kind_shown(kind: Kind) -> str:
    """Which part of a stage shows a quantity of this kind."""
    return {Kind.NODE: "value", Kind.GRAD: "grad", Kind.LOCAL_GRAD: "local"}[kind]


def path_ids(trace: ExpressionTrace, name: str) -> list[str]:
    """The ids of every path from the value `name` to the output: each reader's edge, its
    operation and its value, and on from there (∂f/∂name is the sum over these paths)."""
    ids: list[str] = []
    for reader in trace.readers(name):
        ids += element_ids(trace, Ref(Kind.LOCAL_GRAD, label=(reader.name, name)))
        ids += path_ids(trace, reader.name)
    return list(dict.fromkeys(ids))


def element_ids(trace: ExpressionTrace, ref: Ref) -> list[str]:
    """The SVG element ids a quantity lives on: its value's record, or for a local derivative
    the edge it labels with the two records, the operation between them and its edge."""
    node = re.sub(r"[^A-Za-z0-9]+", "_", ref.label[0])
    if ref.kind is Kind.LOCAL_GRAD:
        source = re.sub(r"[^A-Za-z0-9]+", "_", ref.label[1])
        return [f"v_{source}", f"e_{source}_{node}", f"op_{node}", f"e_{node}", f"v_{node}"]
    return [f"v_{node}"]
