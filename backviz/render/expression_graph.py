"""An expression exercise drawn as a computational graph, as micrograd draws one.

One record per value (name = value, and its gradient ∂output/∂name = …) and one operation
node per assignment (its expression); each edge from an input of an assignment carries the
local derivative ∂node/∂input. With `blank`, only the inputs' values are written and every
computed number is an empty box (a problem sheet's drawing). A `graphviz.Digraph`;
`drawing.py` writes it.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from ..core.notation import format_given, format_number
from ..core.quantities import Kind, Ref
from .fonts import diagram_font
from .network_diagram import BOX

if TYPE_CHECKING:
    import graphviz

    from ..core.expression import ExpressionTrace

__all__ = ["element_ids", "expression_graph"]

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


def expression_graph(
    trace: ExpressionTrace,
    *,
    highlight: str | None = None,
    decimals: int = 4,
    lang: str = "en",
    blank: bool = False,
) -> graphviz.Digraph:
    """Values, gradients and local derivatives of every node, each written `name = value` (with
    `blank`, an empty box for all but the inputs' values)."""
    import graphviz

    def number(value: float) -> str:
        return format_given(value) if value == int(value) else format_number(value, decimals)

    lit: set[str] = set()
    if highlight:
        ref = trace.ref(highlight)
        lit.add(ref.label[0])
        if ref.kind is Kind.LOCAL_GRAD:
            lit.add(ref.label[1])
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
        if blank:
            given = number(value) if name in trace.exercise.inputs else None
            label = _blank_record([(f"{name} =", given), (f"∂{output}/∂{name} =", None)])
        else:
            label = (
                f"{{ {escape(name)} = {escape(number(value))} | "
                f"∂{escape(output)}/∂{escape(name)} = {escape(number(grad))} }}"
            )
        graph.node(
            _id("v_", name),
            label=label,
            shape="box" if blank else "record",
            id=_id("v_", name),
            color=HIGHLIGHT if name in lit else "#555555",
            penwidth="2.2" if name in lit else "1",
        )
    for node in trace.nodes:
        op = _id("op_", node.name)
        graph.node(
            op,
            label=escape(node.source),
            shape="ellipse",
            style="filled",
            fillcolor="#eef3fb",
            id=op,
        )
        graph.edge(op, _id("v_", node.name), id=_id("e_", node.name))
        for source in node.reads:
            local = trace.value(Ref(Kind.LOCAL_GRAD, label=(node.name, source)))
            lit_edge = {node.name, source} <= lit
            symbol = f"∂{node.name}/∂{source}"
            graph.edge(
                _id("v_", source),
                op,
                label=_blank_record([(f"{symbol} =", None)])
                if blank
                else f"{symbol} = {number(local)}",
                id=_id("e_", f"{source}_{node.name}"),
                color=HIGHLIGHT if lit_edge else "#555555",
                fontcolor=HIGHLIGHT if lit_edge else "#1d2330",
            )
    return graph


def element_ids(trace: ExpressionTrace, ref: Ref) -> list[str]:
    """The SVG element ids a quantity lives on: its value's record, or for a local derivative
    the edge it labels with the two records and the operation between them."""
    node = re.sub(r"[^A-Za-z0-9]+", "_", ref.label[0])
    if ref.kind is Kind.LOCAL_GRAD:
        source = re.sub(r"[^A-Za-z0-9]+", "_", ref.label[1])
        return [f"v_{source}", f"e_{source}_{node}", f"op_{node}", f"v_{node}"]
    return [f"v_{node}"]
