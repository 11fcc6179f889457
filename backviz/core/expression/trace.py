"""The trace of an expression exercise: every node's value, every edge's local derivative and
every gradient ∂output/∂node, forward then backward."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import formulas as F
from ..exercise import ExpressionExercise
from ..formulas import Formula
from ..mathexpr import Partial, Sym
from ..notation import identifier_name, symbol_of
from ..quantities import Kind, Ref
from ..quantity_trace import QuantityTrace
from .calculus import evaluate
from .parse import Node, compile_node
from .rules import ChainSum, NodeLocalGrad, NodeValue, One

__all__ = ["ExpressionTrace", "NonFinite", "non_finite", "run"]


class ExpressionTrace(QuantityTrace):
    """Every value, local derivative and gradient of an expression exercise."""

    def __init__(self, exercise: ExpressionExercise) -> None:
        self.exercise = exercise
        self.nodes = tuple(compile_node(f"{name} = {text}") for name, text in exercise.nodes)
        self.values: dict[str, float] = dict(exercise.inputs)
        self.local: dict[tuple[str, str], float] = {}
        for node in self.nodes:
            value, partials = evaluate(node.tree, self.values)
            self.values[node.name] = value
            for name in node.reads:
                self.local[(node.name, name)] = partials.get(name, 0.0)
        # backward: ∂f/∂f = 1, then every node after all nodes that read it
        self.grads: dict[str, float] = dict.fromkeys(self.values, 0.0)
        self.grads[exercise.output] = 1.0
        for node in reversed(self._upstream_nodes()):
            for name in node.reads:
                self.grads[name] += self.grads[node.name] * self.local[(node.name, name)]

    def _upstream_nodes(self) -> list[Node]:
        """The nodes up to the output (nodes after it do not affect it)."""
        names = [n.name for n in self.nodes]
        return list(self.nodes[: names.index(self.exercise.output) + 1])

    @property
    def output(self) -> str:
        return self.exercise.output

    @property
    def n_steps(self) -> int:
        return 1

    def summary(self) -> str:
        ex = self.exercise
        return f"{ex.id}: {ex.output} = {self.values[ex.output]!r} ({len(self.nodes)} nodes)"

    def readers(self, name: str) -> list[Node]:
        return [node for node in self._upstream_nodes() if name in node.reads]

    def refs(self) -> Iterator[Ref]:
        """Values forward; then, backward from the output, each node's gradient and local ones."""
        for name in self.values:
            yield Ref(Kind.NODE, label=(name,))
        for node in reversed(self._upstream_nodes()):
            yield Ref(Kind.GRAD, label=(node.name,))
            for name in node.reads:
                yield Ref(Kind.LOCAL_GRAD, label=(node.name, name))
        for name in self.exercise.inputs:
            yield Ref(Kind.GRAD, label=(name,))

    def value(self, ref: Ref) -> float:
        if ref.kind is Kind.NODE:
            return float(self.values[ref.label[0]])
        if ref.kind is Kind.LOCAL_GRAD:
            return float(self.local[ref.label])  # type: ignore[index]
        return float(self.grads[ref.label[0]])

    def _node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def formula(self, ref: Ref) -> Any:
        name = ref.label[0]
        if ref.kind is Kind.NODE:
            if name in self.exercise.inputs:
                return None
            node = self._node(name)
            reads = tuple(Ref(Kind.NODE, label=(r,)) for r in node.reads)
            return Formula(NodeValue(node), reads)
        if ref.kind is Kind.LOCAL_GRAD:
            node = self._node(name)
            reads = tuple(Ref(Kind.NODE, label=(r,)) for r in node.reads)
            return Formula(NodeLocalGrad(node, ref.label[1]), reads)
        if name == self.output:
            return Formula(One(), ())
        pairs: list[Ref] = []
        for reader in self.readers(name):
            pairs += [
                Ref(Kind.GRAD, label=(reader.name,)),
                Ref(Kind.LOCAL_GRAD, label=(reader.name, name)),
            ]
        if not pairs:
            return Formula(F.Sum(), ())  # a node the output does not depend on
        return Formula(ChainSum(), tuple(pairs))

    def name(self, ref: Ref) -> str:
        if ref.kind is Kind.NODE:
            return ref.label[0]
        if ref.kind is Kind.LOCAL_GRAD:
            return f"d{ref.label[0]}/d{ref.label[1]} (local)"
        return f"d{self.output}/d{ref.label[0]}"

    def symbol(self, ref: Ref, *, step: int | None = None) -> Sym:
        """The quantity as a display symbol: ∂f/∂g, or g itself."""
        if ref.kind is Kind.NODE:
            return symbol_of(identifier_name(ref.label[0]))
        if ref.kind is Kind.LOCAL_GRAD:
            top, bottom = map(identifier_name, ref.label)
            return symbol_of(Partial(top, bottom, local=True))
        return symbol_of(Partial(identifier_name(self.output), identifier_name(ref.label[0])))


def run(exercise: ExpressionExercise) -> ExpressionTrace:
    """Every number of an expression exercise."""
    return ExpressionTrace(exercise)


@dataclass(frozen=True)
class NonFinite:
    """A number of an expression exercise that is not finite at its inputs, and where it is."""

    name: str  # the node it belongs to; for a gradient, the node or input it is taken for
    what: str  # "value", "derivative" (local) or "gradient"
    equation: str  # how it reads: "f = log(g) = nan", "df/dg = inf", "df/dx = nan"


def non_finite(exercise: ExpressionExercise) -> NonFinite | None:
    """The first number of the exercise that is not finite at its inputs; None when all are.

    Node by node, its value and then its local derivatives; then the gradients. The trace's
    numpy arithmetic gives inf or nan for ÷0 or log(−1) instead of Python's exceptions, so the
    loader can name the node at fault.
    """
    trace = ExpressionTrace(exercise)
    for name, source in exercise.nodes:
        value = trace.values[name]
        if not math.isfinite(value):
            return NonFinite(name, "value", f"{name} = {source} = {value}")
        for (node, wrt), local in trace.local.items():
            if node == name and not math.isfinite(local):
                return NonFinite(name, "derivative", f"d{name}/d{wrt} = {local}")
    for name, grad in trace.grads.items():
        if not math.isfinite(grad):
            return NonFinite(name, "gradient", f"d{exercise.output}/d{name} = {grad}")
    return None
