"""A student's network: their own numbers on the nodes and edges, each coloured by its verdict.

Graphviz lays the network out once per exercise, with a placeholder for every number and
colour; each student's SVG is that layout with their numbers and verdict colours filled in, so
a class of thousands costs one `dot` run, not thousands.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from itertools import islice, repeat
from typing import TYPE_CHECKING

import numpy as np

from ..core.notation import format_given
from ..core.quantities import Kind, Ref
from ..render.fonts import diagram_font
from ..render.network_diagram import LOSS_ID, edge_id, loss_edge_id, node_id, shown_nodes
from ..render.words import word
from .escape import xml_text
from .report_text import WORDS, verdict_text
from .table import CARRIED, CORRECT, IMPRECISE, MISSING, UNREADABLE, WRONG, VerdictTable

if TYPE_CHECKING:
    import graphviz

    from ..core.trace import Trace

__all__ = ["COLOURS", "StudentDiagrams", "student_diagram"]

COLOURS = {
    CORRECT: "#1a7f37",
    CARRIED: "#2f6fb0",
    IMPRECISE: "#7a8f2a",
    "mistake": "#b7791f",
    WRONG: "#c62828",
    MISSING: "#8a94a3",
    UNREADABLE: "#6a1b9a",
}
NEUTRAL = "#8a94a3"
GIVEN = "#1d2330"  # the given numbers (inputs, targets): not judged, so in the text's own colour
LEGEND = {
    kind: COLOURS[kind]
    for kind in (CORRECT, CARRIED, IMPRECISE, "mistake", WRONG, MISSING, UNREADABLE)
}
"""The legend of the verdict colours, best to worst."""
WIDTH = 10  # characters a placeholder holds, so the layout leaves room for a written number


def _colour(verdict: str) -> str:
    return COLOURS.get(verdict.split(":")[0], COLOURS["wrong"])


def _text_token(i: int) -> str:
    return f"@{i:06d}@"  # replaced by what the student wrote, padded in the layout


def _colour_token(kind: int, i: int) -> str:
    return f"#{kind:02x}{i:04x}"  # a colour Graphviz passes through unchanged


class StudentDiagrams:
    """The exercise's layout with placeholders; `svg(graded)` fills in one student."""

    def __init__(self, trace: Trace, *, lang: str = "en") -> None:
        import graphviz

        from ..render.drawing import render_graph

        self.trace, self.lang = trace, lang
        self.quantities: list[str] = []  # placeholder i → quantity name
        self.groups: list[list[int]] = []  # node/edge placeholder j → its quantities
        exercise = trace.exercise
        sizes, L = exercise.sizes, trace.n_layers
        font = diagram_font(lang)
        graph = graphviz.Digraph(
            name="student",
            graph_attr={
                "rankdir": "LR",
                "ranksep": "1.4",
                "labelloc": "t",
                "label": _heading(trace, lang),
                "fontname": font,
            },
            node_attr={"shape": "box", "style": "rounded", "fontsize": "10", "fontname": font},
            edge_attr={"fontsize": "9", "fontname": font},
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
                    f'<font color="{_colour_token(1, i)}">{xml_text(name)} = {filler}</font>'
                )
            return lines, members

        def given(kind: Kind, layer: int, j: int) -> str:
            """A given number (input, target) as the drawing of the exercise writes it."""
            ref = Ref(kind, layer, (j,), 1)
            value = format_given(trace.value(ref))
            return f'<font color="{GIVEN}">{xml_text(trace.name(ref))} = {value}</font>'

        targets = exercise.targets is not None and exercise.loss_name != "ce"
        for layer in range(1, L + 1):
            # one column per layer, nodes 1, 2, 3 … from the top: a rank=same subgraph with
            # invisible edges keeps that order, as in the exercise's own drawing
            with graph.subgraph(name=f"layer_{layer}") as column:
                column.attr(rank="same")
                shown = shown_nodes(sizes[layer - 1])
                order = [node_id(trace, layer, j) for j in shown]
                for j in shown:
                    self._node(column, layer, j, rows, given, targets)
                if hidden := sizes[layer - 1] - len(shown):  # as draw: "… N more" after node 3
                    more = f"more_{layer}"
                    label = xml_text(word("more", lang, n=hidden))
                    column.node(more, label=f"<{label}>", shape="plaintext", id=more)
                    order.insert(3, more)
                for upper, lower in itertools.pairwise(order):
                    column.edge(upper, lower, style="invis")
        for layer in range(2, L + 1):
            for j in shown_nodes(sizes[layer - 1]):
                for k in shown_nodes(sizes[layer - 2]):
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
        if trace.steps[0].forward.loss is not None:
            self._loss(graph, lang, rows)
        template = _centred_title(render_graph(graph, "svg").decode("utf-8"))
        # the layout cut at its placeholders once: a student's SVG is the pieces joined
        self._pieces: list[str | tuple[str, int]] = []
        pattern = re.compile(r"@TITLE@|@(\d{6})@0*|#(0[12])([0-9a-f]{4})", re.IGNORECASE)
        end = 0
        for match in pattern.finditer(template):
            self._pieces.append(template[end : match.start()])
            if match.group(0) == "@TITLE@":
                self._pieces.append(("title", 0))
            elif match.group(1) is not None:
                self._pieces.append(("text", int(match.group(1))))
            elif match.group(2) == "01":
                self._pieces.append(("colour", int(match.group(3), 16)))
            else:
                self._pieces.append(("group", int(match.group(3), 16)))
            end = match.end()
        self._pieces.append(template[end:])

    @staticmethod
    def _names(trace: Trace) -> list[str]:
        from .verdicts import asked

        return [trace.name(ref) for ref, _ in asked(trace, trace.exercise.ask)]

    def _node(
        self,
        graph: graphviz.Digraph,
        layer: int,
        j: int,
        rows: Callable[[list[Ref]], tuple[list[str], list[int]]],
        given: Callable[[Kind, int, int], str],
        targets: bool,
    ) -> None:
        """Node j of a layer: its quantities with the student's numbers, and its given input
        (the input layer) or target (the output layer)."""
        trace, L = self.trace, self.trace.n_layers
        kinds = (Kind.Z, Kind.A, Kind.DROPPED, Kind.DE_DA, Kind.DA_DZ, Kind.DELTA)  # ã: dropout
        refs = [Ref(k, layer, (j,), 1, 1) for k in kinds] if layer > 1 else []
        if layer > 1 and trace.exercise.bias_index(layer, j) == j:  # a shared bias: in node 1
            refs += [Ref(Kind.GRAD_B, layer, (j,), step=1), Ref(Kind.UPDATE_B, layer, (j,), step=1)]
        lines, members = rows(refs)
        if layer == 1:
            lines.insert(0, given(Kind.INPUT, 1, j))
        elif layer == L and targets:
            lines.append(given(Kind.TARGET, L, j))
        title = trace.symbol(Ref(Kind.INPUT if layer == 1 else Kind.A, layer, (j,))).text
        label = "<" + "<br/>".join([f"<b>{xml_text(title)}</b>", *lines]) + ">"
        colour = _colour_token(2, len(self.groups))
        self.groups.append(members)
        graph.node(
            node_id(trace, layer, j),
            label=label,
            id=node_id(trace, layer, j),
            color=colour,
            penwidth="2" if members else "1",
        )

    def _loss(
        self,
        graph: graphviz.Digraph,
        lang: str,
        rows: Callable[[list[Ref]], tuple[list[str], list[int]]],
    ) -> None:
        """The loss node: E (and, with several samples, sample 1's E[1]) with the student's
        numbers, and a dashed edge from each output node with its term of the loss."""
        trace, L = self.trace, self.trace.n_layers
        refs = [Ref(Kind.LOSS, None, (), None, 1)]
        if trace.exercise.n_samples > 1:
            refs.insert(0, Ref(Kind.SAMPLE_LOSS, None, (), 1, 1))
        lines, members = rows(refs)
        heading = f"<b>{xml_text(word('loss', lang))} ({xml_text(trace.exercise.loss_name)})</b>"
        colour = _colour_token(2, len(self.groups))
        self.groups.append(members)
        graph.node(
            LOSS_ID,
            label="<" + "<br/>".join([heading, *lines]) + ">",
            id=LOSS_ID,
            color=colour,
            penwidth="2" if members else "1",
        )
        for j in shown_nodes(trace.exercise.sizes[-1]):
            lines, members = rows([Ref(Kind.LOSS_TERM, L, (j,), 1, 1)])
            colour = _colour_token(2, len(self.groups))
            self.groups.append(members)
            graph.edge(
                node_id(trace, L, j),
                LOSS_ID,
                label="<" + "<br/>".join(lines) + ">" if lines else "",
                id=loss_edge_id(j),
                color=colour,
                style="dashed",
            )

    def svg(self, table: VerdictTable, i: int) -> str:
        """Submission `i`'s diagram as SVG text."""
        return self.svgs(table, range(i, i + 1))[0]

    def svgs(self, table: VerdictTable, share: range) -> list[str]:
        """The diagram of each submission in `share`, as SVG text. Each placeholder is filled
        for the whole share at once (a column of the table holds few distinct answers and
        verdicts), then each student's pieces are joined."""
        a, b, n = share.start, share.stop, len(share)
        top = table.max_total
        column = {name: j for j, name in enumerate(table.names)}
        given = [table.given[column[q]][a:b] if q in column else None for q in self.quantities]
        verdicts = [
            table.verdicts[column[q]][a:b] if q in column else None for q in self.quantities
        ]
        ranks = [None if v is None else _ranks(v) for v in verdicts]
        columns: list[list[str] | repeat[str]] = []
        for piece in self._pieces:
            if isinstance(piece, str):
                columns.append(repeat(piece))
                continue
            kind, index = piece
            if kind == "title":
                total_words = WORDS[self.lang]["total"]
                columns.append(
                    [
                        xml_text(f"{student} · {total_words.format(total=total, max=top)}")
                        for student, total in zip(
                            table.students[a:b], table.totals[a:b], strict=True
                        )
                    ]
                )
            elif kind == "text":
                columns.append(repeat("—") if given[index] is None else _each(given[index], _text))
            elif kind == "colour":
                cells = verdicts[index]
                columns.append(repeat(NEUTRAL) if cells is None else _each(cells, _colour))
            else:
                members = [ranks[k] for k in self.groups[index] if ranks[k] is not None]
                if not members:
                    columns.append(repeat(NEUTRAL))
                    continue
                worst = np.minimum.reduce(members) if len(members) > 1 else members[0]
                columns.append([_RANK_COLOURS[r] for r in worst.tolist()])
        return ["".join(parts) for parts in islice(zip(*columns, strict=False), n)]


def _each(cells: list[str], show: Callable[[str], str]) -> list[str]:
    """`show` of each cell, worked out once per distinct cell."""
    shown = {cell: show(cell) for cell in set(cells)}
    return list(map(shown.__getitem__, cells))


def _text(given: str) -> str:
    return xml_text(given) or "—"


_ORDER = ["wrong", "unreadable", "mistake", MISSING, IMPRECISE, CARRIED, CORRECT]
"""Verdict kinds from worst to best: a node or edge is coloured by its worst."""
_RANK_COLOURS = [COLOURS[kind] for kind in _ORDER] + [COLOURS[CORRECT]]


def _ranks(verdicts: list[str]) -> np.ndarray:
    """Each verdict's place in `_ORDER` (past its end for a kind it does not name)."""
    rank = {v: _rank(v) for v in set(verdicts)}
    return np.array(list(map(rank.__getitem__, verdicts)), dtype=int)


def _rank(verdict: str) -> int:
    kind = verdict.split(":")[0]
    return _ORDER.index(kind) if kind in _ORDER else len(_ORDER)


def _centred_title(svg: str) -> str:
    """The student's line centred on the drawing: Graphviz sets it from the left edge of the
    placeholder it measured, and a student's id and total are longer."""
    background = re.search(r'<polygon fill="white" stroke="[^"]*" points="([^"]*)"', svg)
    line = re.search(r'<text text-anchor="start" x="([-\d.]+)"([^>]*)>@TITLE@</text>', svg)
    if background is None or line is None:
        return svg
    xs = [float(point.split(",")[0]) for point in background.group(1).split()]
    centre = f"{(min(xs) + max(xs)) / 2:g}"
    text = f'<text text-anchor="middle" x="{centre}"{line.group(2)}>@TITLE@</text>'
    return svg[: line.start()] + text + svg[line.end() :]


def _heading(trace: Trace, lang: str) -> str:
    """The diagram's heading, an HTML label: the exercise's title, the student and their
    total (a placeholder filled per student), which sample is drawn, and the legend of the
    verdict colours in the report's language."""
    title = [xml_text(trace.exercise.title_in(lang))]
    if trace.exercise.n_samples > 1:
        title.append(xml_text(word("sample", lang, n=1)))
    cells = "".join(
        f'<td width="12" height="12" fixedsize="true" bgcolor="{colour}"></td>'
        f'<td align="left">{xml_text(verdict_text(kind, lang))}</td>'
        for kind, colour in LEGEND.items()
    )
    return (
        '<<table border="0" cellspacing="2" cellpadding="1">'
        f'<tr><td><font point-size="14">{" · ".join(title)}</font></td></tr>'
        '<tr><td><font point-size="12">@TITLE@</font></td></tr>'
        f'<tr><td><table border="0" cellspacing="3" cellpadding="0"><tr>{cells}</tr></table>'
        "</td></tr></table>>"
    )


def student_diagram(trace: Trace, table: VerdictTable, i: int, *, lang: str = "en") -> str:
    """One student's diagram as SVG text (for many students, reuse a `StudentDiagrams`)."""
    return StudentDiagrams(trace, lang=lang).svg(table, i)
