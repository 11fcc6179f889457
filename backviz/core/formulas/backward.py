"""The backward pass's formulas: ∂E/∂o at the outputs, the chain rule's sums and products, the
activations' local derivatives, the deltas through a softmax, the weights' and biases' gradients."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..functions import Activation, Loss, activation
from ..mathexpr import Call, Expr, Frac, Neg, Num, Paren, add, mul
from .base import Rule, SampleSum, count, grouped, sympy_module

__all__ = [
    "GradB",
    "GradW",
    "LocalDerivative",
    "OutputGrad",
    "PathTerm",
    "Product",
    "SoftmaxCrossEntropyDelta",
    "SoftmaxDelta",
    "Sum",
]


@dataclass(frozen=True)
class OutputGrad(Rule):
    """∂E[n]/∂o_j at the output layer.

    Node-term losses: the term's derivative (÷J for a node mean); inputs o_j, t_j.
    Cross-entropy from raw outputs: softmax(o)_j − t_j; inputs o_1..o_J, t_j.
    Cross-entropy on a softmax output: −t_j/o_j; inputs o_j, t_j.
    """

    loss: Loss
    n_outputs: int
    j: int  # 0-based

    @property
    def _whole_row(self) -> bool:
        return self.loss.name == "ce"

    def evaluate(self, args: Sequence[Any]) -> Any:
        if self._whole_row:
            o = np.stack([np.asarray(x, dtype=float) for x in args[:-1]], axis=-1)
            t = np.zeros_like(o)
            t[..., self.j] = np.asarray(args[-1], dtype=float)
            # The other targets do not enter ∂E/∂o_j = softmax(o)_j − t_j: only t_j is an input.
            return self.loss.derivative(o, t)[..., self.j]
        o = np.asarray(args[0], dtype=float)[..., None]
        t = np.asarray(args[1], dtype=float)[..., None]
        d = self.loss.derivative(o, t)[..., 0]
        return d / self.n_outputs if self.loss.combine == "mean" else d

    def symbolic(self, args: Sequence[Any]) -> Any:
        sp = sympy_module()
        if self._whole_row:
            o = list(args[:-1])
            t = [0] * len(o)
            t[self.j] = args[-1]
            # ∂/∂o_j of −Σ t_i log softmax(o)_i is softmax_j·Σt − t_j: with one-hot t, Σt = 1.
            total = sum(sp.exp(x) for x in o)
            return sp.exp(o[self.j]) / total - args[-1]
        o, t = sp.Symbol("o_"), args[1]
        if self.loss.has_terms:
            assert self.loss.symbolic_term is not None
            d = sp.diff(self.loss.symbolic_term(o, t), o)
            if self.loss.symbolic_backward is not None:  # torch's convention (BCE's floor)
                d = self.loss.symbolic_backward(d, o)
            d = d / self.n_outputs if self.loss.combine == "mean" else d
        else:
            assert self.loss.symbolic_sample is not None
            d = sp.diff(self.loss.symbolic_sample([o], [t]), o)
        return d.subs(o, args[0])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        if self._whole_row:  # softmax(o)_j − t_j
            o = args[:-1]
            p = Frac(Call("exp", (o[self.j],)), add(*(Call("exp", (x,)) for x in o)))
            return add(p, Neg(args[-1]))
        if self.loss.name == "nll":
            return Neg(Frac(args[1], args[0]))
        if self.loss.display_derivative_at is not None:  # as torch computes it at o's value
            d = self.loss.display_derivative_at(args[0], args[1], values[0])
        else:
            assert self.loss.display_derivative is not None
            d = self.loss.display_derivative(args[0], args[1])
        return Frac(d, count(self.n_outputs)) if self.loss.combine == "mean" else d


@dataclass(frozen=True)
class Product(Rule):
    """x·y(·…): a path's share δ_i·w_ij (through dropout's ã_j also times ∂ã_j/∂a_j), or
    δ = ∂E/∂a·∂a/∂z. Inputs: the factors."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        product = args[0]
        for factor in args[1:]:
            product = product * factor
        return product

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return mul(*args)


PathTerm = Product


@dataclass(frozen=True)
class Sum(Rule):
    """Σ of the inputs: ∂E/∂a_j of a hidden node as the sum over its paths (0 when none)."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return sum(args[1:], args[0]) if args else 0.0

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return add(*args) if args else Num(0, given=True)


@dataclass(frozen=True)
class LocalDerivative(Rule):
    """∂a/∂z = f′(z) of an elementwise activation. Inputs: z, a."""

    activation: Activation

    def evaluate(self, args: Sequence[Any]) -> Any:
        assert self.activation.derivative is not None
        return self.activation.derivative(
            np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float)
        )

    def symbolic(self, args: Sequence[Any]) -> Any:
        """f′ at the trace's z and a: the hand-written form from (z, a) where sympy proves it is
        its own derivative of f for every z, else sympy's derivative at z.

        torch's backward computes f′ from a (σ′ = a(1 − a)), and so does the engine: at z = 30
        float64 keeps only 3 digits of 1 − σ(z), which is a's rounding, not a wrong derivative.
        """
        f = self.activation
        if _written_from_a_and_proven(f.name, f.slope):
            assert f.symbolic_derivative is not None
            return f.symbolic_derivative(args[0], args[1])
        sp = sympy_module()
        z = sp.Symbol("z_")
        return sp.diff(f.symbolic(z), z).subs(z, args[0])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        assert self.activation.display_derivative is not None
        return self.activation.display_derivative(args[0], args[1])


@functools.cache
def _written_from_a_and_proven(name: str, slope: float | None) -> bool:
    """Whether activation `name`'s hand-written f′(z, a) equals sympy's derivative of its f(z)
    for every z, with a = f(z) (sympy simplifies their difference to 0)."""
    sp = sympy_module()
    f = activation(name) if slope is None else activation(name, slope=slope)
    if f.symbolic_derivative is None:
        return False
    z = sp.Symbol("z_", real=True)
    a = f.symbolic(z)
    return bool(sp.simplify(sp.diff(a, z) - f.symbolic_derivative(z, a)) == 0)


@dataclass(frozen=True)
class SoftmaxDelta(Rule):
    """δ_j = a_j·(g_j − Σ_i g_i·a_i) through a softmax, g = ∂E/∂a. Inputs: g_1..g_n, a_1..a_n."""

    n: int
    j: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        g, a = args[: self.n], args[self.n :]
        weighted = g[0] * a[0]
        for gi, ai in zip(g[1:], a[1:], strict=True):
            weighted = weighted + gi * ai
        return a[self.j] * (g[self.j] - weighted)

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        g, a = args[: self.n], args[self.n :]
        weighted = add(*(mul(gi, ai) for gi, ai in zip(g, a, strict=True)))
        return mul(a[self.j], Paren(add(g[self.j], Neg(grouped(weighted)))))


@dataclass(frozen=True)
class SoftmaxCrossEntropyDelta(Rule):
    """δ_j = a_j − t_j at a softmax output under cross-entropy. Inputs: a_j, t_j."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] - args[1]

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return add(args[0], Neg(args[1]))


@dataclass(frozen=True)
class GradW(Rule):
    """∂E/∂w_jk = r·Σ_n δ_j[n]·a_k[n], r = 1/N for the mean. Inputs: δ_j[1..N], a_k[1..N]."""

    reduction: str
    n_samples: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        n = self.n_samples
        total = args[0] * args[n]
        for d, a in zip(args[1:n], args[n + 1 :], strict=True):
            total = total + d * a
        return total / n if self.reduction == "mean" else total

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        n = self.n_samples
        total = add(*(mul(d, a) for d, a in zip(args[:n], args[n:], strict=True)))
        return Frac(total, count(n)) if self.reduction == "mean" and n > 1 else total


@dataclass(frozen=True)
class GradB(SampleSum):
    """∂E/∂b_j = r·Σ_n δ_j[n]. Inputs: δ_j[1..N]; for a bias the layer's nodes share,
    every node's δ of every sample (∂E/∂b = r·Σ_n Σ_j δ_j[n])."""

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        total = add(*args)
        mean = self.reduction == "mean" and self.n_samples > 1
        return Frac(total, count(self.n_samples)) if mean else total
