"""An expression exercise drawn as a computational graph, as micrograd draws one.

One record per value (name = value, and its gradient ∂output/∂name = …) and one operation
node per assignment (its expression); each edge from an input of an assignment carries the
local derivative ∂node/∂input. A `graphviz.Digraph`; `drawing.py` writes it.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from ..core.notation import format_given, format_number
from ..core.quantities import Kind, Ref

if TYPE_CHECKING:
    import graphviz

    from ..core.expression import ExpressionTrace

__all__ = ["element_ids", "expression_graph"]

HIGHLIGHT = "#d62728"


def _id(prefix: str, name: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]+", "_", name)


def expression_graph(
    trace: ExpressionTrace, *, highlight: str | None = None, decimals: int = 4, lang: str = "en"
) -> graphviz.Digraph:
    """Values, gradients and local derivatives of every node, each written `name = value`."""
    import graphviz

    def number(value: float) -> str:
        return format_given(value) if value == int(value) else format_number(value, decimals)

    lit: set[str] = set()
    if highlight:
        ref = trace.ref(highlight)
        lit.add(ref.label[0])
        if ref.kind is Kind.LOCAL_GRAD:
            lit.add(ref.label[1])
    font = "NanumGothic" if lang == "ko" else "Helvetica"
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
        label = (
            f"{{ {escape(name)} = {escape(number(value))} | "
            f"∂{escape(output)}/∂{escape(name)} = {escape(number(grad))} }}"
        )
        graph.node(
            _id("v_", name),
            label=label,
            shape="record",
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
            graph.edge(
                _id("v_", source),
                op,
                label=f"∂{node.name}/∂{source} = {number(local)}",
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
