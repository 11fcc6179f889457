"""A student's network: their own numbers on the nodes and edges, each coloured by its verdict."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..quantities import Kind, Ref
from .verdicts import CARRIED, CORRECT, MISSING, Graded

if TYPE_CHECKING:
    import graphviz

    from ..trace import Trace

__all__ = ["COLOURS", "student_diagram"]

COLOURS = {
    CORRECT: "#1a7f37",
    CARRIED: "#2f6fb0",
    "mistake": "#b7791f",
    "wrong": "#c62828",
    MISSING: "#8a94a3",
    "unreadable": "#6a1b9a",
}


def _colour(verdict: str) -> str:
    return COLOURS.get(verdict.split(":")[0], COLOURS["wrong"])


def _worst(verdicts: list[str]) -> str:
    order = ["wrong", "unreadable", "mistake", MISSING, CARRIED, CORRECT]
    kinds = [v.split(":")[0] for v in verdicts]
    return next((k for k in order if k in kinds), CORRECT)


def student_diagram(trace: Trace, graded: Graded, *, lang: str = "en") -> graphviz.Digraph:
    """Nodes show the student's z, a, ∂E/∂a, δ; edges their ∂E/∂w and w⁺; colours the verdicts."""
    import graphviz

    from ..render.network_diagram import _shown, edge_id, node_id

    by_ref = {trace.ref(v.name): v for v in graded.verdicts}
    sizes, L = trace.exercise.sizes, trace.n_layers
    graph = graphviz.Digraph(
        name="student",
        graph_attr={
            "rankdir": "LR",
            "ranksep": "1.4",
            "labelloc": "t",
            "label": f"{graded.student}: {graded.total:g} / {graded.max_total:g}",
            "fontname": "NanumGothic" if lang == "ko" else "Helvetica",
        },
        node_attr={"shape": "box", "style": "rounded", "fontsize": "10"},
        edge_attr={"fontsize": "9"},
    )

    def rows(refs: list[Ref]) -> tuple[list[str], list[str]]:
        lines, verdicts = [], []
        for ref in refs:
            v = by_ref.get(ref)
            if v is None:
                continue
            shown = v.given or "—"
            lines.append(
                f'<font color="{_colour(v.verdict)}">{escape(v.name)} = {escape(shown)}</font>'
            )
            verdicts.append(v.verdict)
        return lines, verdicts

    for layer in range(1, L + 1):
        for j in _shown(sizes[layer - 1]):
            kinds = (Kind.Z, Kind.A, Kind.DE_DA, Kind.DA_DZ, Kind.DELTA)
            refs = [Ref(k, layer, (j,), 1, 1) for k in kinds] if layer > 1 else []
            refs += [Ref(Kind.GRAD_B, layer, (j,), step=1), Ref(Kind.UPDATE_B, layer, (j,), step=1)]
            lines, verdicts = rows(refs)
            title = trace.symbol(Ref(Kind.INPUT if layer == 1 else Kind.A, layer, (j,))).text
            label = "<" + "<br/>".join([f"<b>{escape(title)}</b>", *lines]) + ">"
            graph.node(
                node_id(trace, layer, j),
                label=label,
                id=node_id(trace, layer, j),
                color=_colour(_worst(verdicts)) if verdicts else "#8a94a3",
                penwidth="2" if verdicts else "1",
            )
    for layer in range(2, L + 1):
        for j in _shown(sizes[layer - 1]):
            for k in _shown(sizes[layer - 2]):
                refs = [
                    Ref(Kind.GRAD_W, layer, (j, k), step=1),
                    Ref(Kind.UPDATE_W, layer, (j, k), step=1),
                ]
                lines, verdicts = rows(refs)
                colour = _colour(_worst(verdicts)) if verdicts else "#8a94a3"
                graph.edge(
                    node_id(trace, layer - 1, k),
                    node_id(trace, layer, j),
                    label="<" + "<br/>".join(lines) + ">" if lines else "",
                    id=edge_id(trace, layer, j, k),
                    color=colour,
                )
    return graph
