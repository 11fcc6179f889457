"""A student's network: their own numbers on the nodes and edges, each coloured by its verdict.

Graphviz lays the network out once per exercise, with a placeholder for every number and
colour; each student's SVG is that layout with their numbers and verdict colours filled in, so
a class of thousands costs one `dot` run, not thousands.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from ..quantities import Kind, Ref
from .verdicts import CARRIED, CORRECT, MISSING, Graded

if TYPE_CHECKING:
    from ..trace import Trace

__all__ = ["COLOURS", "StudentDiagrams", "student_diagram"]

COLOURS = {
    CORRECT: "#1a7f37",
    CARRIED: "#2f6fb0",
    "mistake": "#b7791f",
    "wrong": "#c62828",
    MISSING: "#8a94a3",
    "unreadable": "#6a1b9a",
}
NEUTRAL = "#8a94a3"
WIDTH = 10  # characters a placeholder holds, so the layout leaves room for a written number


def _colour(verdict: str) -> str:
    return COLOURS.get(verdict.split(":")[0], COLOURS["wrong"])


def _worst(verdicts: list[str]) -> str:
    order = ["wrong", "unreadable", "mistake", MISSING, CARRIED, CORRECT]
    kinds = [v.split(":")[0] for v in verdicts]
    return next((k for k in order if k in kinds), CORRECT)


def _text_token(i: int) -> str:
    return f"@{i:06d}@"  # replaced by what the student wrote, padded in the layout


def _colour_token(kind: int, i: int) -> str:
    return f"#{kind:02x}{i:04x}"  # a colour Graphviz passes through unchanged


class StudentDiagrams:
    """The exercise's layout with placeholders; `svg(graded)` fills in one student."""

    def __init__(self, trace: Trace, *, lang: str = "en") -> None:
        import graphviz

        from ..render.drawing import render_graph
        from ..render.network_diagram import _shown, edge_id, node_id

        self.trace = trace
        self.quantities: list[str] = []  # placeholder i → quantity name
        self.groups: list[list[int]] = []  # node/edge placeholder j → its quantities
        sizes, L = trace.exercise.sizes, trace.n_layers
        graph = graphviz.Digraph(
            name="student",
            graph_attr={
                "rankdir": "LR",
                "ranksep": "1.4",
                "labelloc": "t",
                "label": "@TITLE@",
                "fontname": "NanumGothic" if lang == "ko" else "Helvetica",
            },
            node_attr={"shape": "box", "style": "rounded", "fontsize": "10"},
            edge_attr={"fontsize": "9"},
        )
        asked = set(self._names(trace))

        def rows(refs: list[Ref]) -> tuple[list[str], list[int]]:
            lines, members = [], []
            for ref in refs:
                name = trace.name(ref)
                if name not in asked:
                    continue
                i = len(self.quantities)
                self.quantities.append(name)
                members.append(i)
                filler = _text_token(i) + "0" * (WIDTH - 8)
                lines.append(
                    f'<font color="{_colour_token(1, i)}">{escape(name)} = {filler}</font>'
                )
            return lines, members

        for layer in range(1, L + 1):
            for j in _shown(sizes[layer - 1]):
                kinds = (Kind.Z, Kind.A, Kind.DE_DA, Kind.DA_DZ, Kind.DELTA)
                refs = [Ref(k, layer, (j,), 1, 1) for k in kinds] if layer > 1 else []
                refs += [
                    Ref(Kind.GRAD_B, layer, (j,), step=1),
                    Ref(Kind.UPDATE_B, layer, (j,), step=1),
                ]
                lines, members = rows(refs)
                title = trace.symbol(Ref(Kind.INPUT if layer == 1 else Kind.A, layer, (j,))).text
                label = "<" + "<br/>".join([f"<b>{escape(title)}</b>", *lines]) + ">"
                colour = _colour_token(2, len(self.groups))
                self.groups.append(members)
                graph.node(
                    node_id(trace, layer, j),
                    label=label,
                    id=node_id(trace, layer, j),
                    color=colour,
                    penwidth="2" if members else "1",
                )
        for layer in range(2, L + 1):
            for j in _shown(sizes[layer - 1]):
                for k in _shown(sizes[layer - 2]):
                    refs = [
                        Ref(Kind.GRAD_W, layer, (j, k), step=1),
                        Ref(Kind.UPDATE_W, layer, (j, k), step=1),
                    ]
                    lines, members = rows(refs)
                    colour = _colour_token(2, len(self.groups))
                    self.groups.append(members)
                    graph.edge(
                        node_id(trace, layer - 1, k),
                        node_id(trace, layer, j),
                        label="<" + "<br/>".join(lines) + ">" if lines else "",
                        id=edge_id(trace, layer, j, k),
                        color=colour,
                    )
        self.template = render_graph(graph, "svg").decode("utf-8")
        self._pattern = re.compile(r"@TITLE@|@(\d{6})@0*|#(0[12])([0-9a-f]{4})", re.IGNORECASE)

    @staticmethod
    def _names(trace: Trace) -> list[str]:
        from .verdicts import asked

        return [trace.name(ref) for ref, _ in asked(trace, trace.exercise.ask)]

    def svg(self, graded: Graded) -> str:
        """The student's diagram as SVG text."""
        by_name = {v.name: v for v in graded.verdicts}
        title = escape(f"{graded.student}: {graded.total:g} / {graded.max_total:g}")

        def fill(match: re.Match) -> str:
            if match.group(0) == "@TITLE@":
                return title
            if match.group(1) is not None:
                verdict = by_name.get(self.quantities[int(match.group(1))])
                return escape(verdict.given or "—") if verdict else "—"
            index = int(match.group(3), 16)
            if match.group(2) == "01":
                verdict = by_name.get(self.quantities[index])
                return _colour(verdict.verdict) if verdict else NEUTRAL
            members = [
                by_name[self.quantities[i]].verdict
                for i in self.groups[index]
                if self.quantities[i] in by_name
            ]
            return _colour(_worst(members)) if members else NEUTRAL

        return self._pattern.sub(fill, self.template)


def student_diagram(trace: Trace, graded: Graded, *, lang: str = "en") -> str:
    """One student's diagram as SVG text (for many students, reuse a `StudentDiagrams`)."""
    return StudentDiagrams(trace, lang=lang).svg(graded)
