"""What highlighting a quantity shows: one definition for `draw --highlight` and the walkthrough.

A quantity is highlighted with exactly what its worked equation reads (`equation_terms`: the
formula's inputs, and the chain rule's factors where the equation writes it out): the nodes
and edges each of them lives on, and each one's label `symbol = value` where it lives. A sum
over paths reads every path (∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1 reads the edges W5 into o1 and W7
into o2), so every path is lit; a factor of another quantity (∂h1/∂z1, a factor of δ_h1) is
not lit for ∂E/∂h1. In an expression's graph the gradient ∂f/∂g that a chain-rule step reads
is itself the sum over every path from g to f, so those paths are lit with it: ∂f/∂w lights
w, g and f and the operations between them. Where a quantity lives and what more a term
stands for are the drawing's (`diagrams.DRAWINGS`); `diagrams.quantity_highlight` passes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .equations import equation_terms

if TYPE_CHECKING:
    from ..core.quantities import Ref
    from ..core.quantity_trace import QuantityTrace

Ids = Callable[["QuantityTrace", "Ref"], list[str]]

__all__ = ["Highlight", "Label", "highlight_of"]


@dataclass(frozen=True)
class Label:
    """One labelled number of a highlight: `text = value of ref`, shown on element `at`."""

    text: str  # the symbol as the worked equation writes it: δ_o1, ∂z3/∂h1
    ref: Ref  # the quantity whose value it is (∂z3/∂h1 is W5's value)
    at: str  # the id of the node or edge the label is written on


@dataclass(frozen=True)
class Highlight:
    """A quantity's highlight: where it lives, what its equation reads and the labels."""

    ref: Ref
    own: tuple[str, ...]  # ids of the nodes and edges the quantity itself lives on
    lit: tuple[str, ...]  # ids of those its equation reads lives on (own left out)
    labels: tuple[Label, ...]  # the quantity's own label first, then each term's
    reads: tuple[str, ...]  # names of the quantities the equation reads, in its order

    @property
    def ids(self) -> frozenset[str]:
        """Every highlighted node and edge."""
        return frozenset(self.own) | frozenset(self.lit)


def _placed(ids: list[str], own: list[str], renamed: bool) -> str:
    """Where a label is written: on the first edge it lives on (a weight, a path, a local
    derivative are edges' numbers), else on its node; a factor written under another name
    (∂z1/∂W1 for x1's value) on the first edge of its own or the highlighted quantity's."""
    edges = [i for i in ids + (own if renamed else []) if i.startswith("e_")]
    return edges[0] if edges else ids[0]


def highlight_of(trace: QuantityTrace, ref: Ref, element_ids: Ids, paths: Ids) -> Highlight:
    """The highlight of `ref` in a drawing whose `element_ids` say where a quantity lives and
    whose `paths` what more a read term stands for (`diagrams.highlight` passes the drawing's
    own): its elements, its equation's terms' elements and labels."""
    own = element_ids(trace, ref)
    lit: list[str] = []
    labels = [Label(trace.symbol(ref, step=ref.step).text, ref, _placed(own, own, False))]
    reads: list[str] = []
    for symbol, term in equation_terms(trace, ref):
        if term == ref:
            continue
        ids = element_ids(trace, term)
        lit += ids + paths(trace, term)
        renamed = symbol != trace.symbol(term, step=ref.step)
        label = Label(symbol.text, term, _placed(ids, own, renamed))
        if label not in labels:
            labels.append(label)
        reads.append(trace.name(term))
    kept = tuple(dict.fromkeys(i for i in lit if i not in own))
    return Highlight(ref, tuple(own), kept, tuple(labels), tuple(dict.fromkeys(reads)))
