"""The formula rules of an expression's quantities: a node's value, an edge's local derivative,
∂f/∂f = 1, and the chain rule's sum over the nodes that read a name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import formulas as F
from ..mathexpr import Expr, Num, Sym, add, mul
from .calculus import evaluate, to_sympy
from .display import display_derivative, display_of, substitute
from .parse import Node, sympy_module

__all__ = ["ChainSum", "NodeLocalGrad", "NodeValue", "One"]


@dataclass(frozen=True)
class NodeValue(F.Rule):
    """A node's value from the values of the names it reads (inputs in `Node.reads` order)."""

    node: Node

    def evaluate(self, args: Any) -> Any:
        return evaluate(self.node.tree, dict(zip(self.node.reads, map(float, args), strict=True)))[
            0
        ]

    def symbolic(self, args: Any) -> Any:
        return to_sympy(self.node.tree, dict(zip(self.node.reads, args, strict=True)))

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        return display_of(self.node.tree, dict(zip(self.node.reads, args, strict=True)))


@dataclass(frozen=True)
class NodeLocalGrad(F.Rule):
    """∂node/∂name from the values of the names the node reads."""

    node: Node
    wrt: str

    def evaluate(self, args: Any) -> Any:
        env = dict(zip(self.node.reads, map(float, args), strict=True))
        return evaluate(self.node.tree, env)[1].get(self.wrt, 0.0)

    def symbolic(self, args: Any) -> Any:
        sp = sympy_module()
        symbols = {name: sp.Symbol(f"_{name}") for name in self.node.reads}
        derivative = sp.diff(to_sympy(self.node.tree, symbols), symbols[self.wrt])
        return derivative.subs({symbols[n]: v for n, v in zip(self.node.reads, args, strict=True)})

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        # built over placeholders, then filled in: an input that happens to be 0 or 1 is
        # shown, not simplified away, so the numbers form matches the symbolic one
        names = {name: Sym(f"\0{name}", name) for name in self.node.reads}
        derivative = display_derivative(self.node.tree, self.wrt, names)
        return substitute(
            derivative, {names[n]: a for n, a in zip(self.node.reads, args, strict=True)}
        )


@dataclass(frozen=True)
class One(F.Rule):
    """∂f/∂f = 1 at the output."""

    def evaluate(self, args: Any) -> Any:
        return 1.0

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        return Num(1, given=True)


@dataclass(frozen=True)
class ChainSum(F.Rule):
    """∂f/∂w = Σ over the nodes c that read w of ∂f/∂c · ∂c/∂w. Inputs: pairs (∂f/∂c, ∂c/∂w)."""

    def evaluate(self, args: Any) -> Any:
        total = args[0] * args[1]
        for i in range(2, len(args), 2):
            total = total + args[i] * args[i + 1]
        return total

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        return add(*(mul(args[i], args[i + 1]) for i in range(0, len(args), 2)))
