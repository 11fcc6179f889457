"""The forward pass's formulas: a node's weighted sum, its activation, a softmax layer's output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..functions import Activation
from ..mathexpr import Call, Expr, Frac, add, mul
from .base import Rule

__all__ = ["Activate", "SoftmaxOf", "WeightedSum"]


@dataclass(frozen=True)
class WeightedSum(Rule):
    """z_j = Σ_k w_jk·a_k (+ b_j). Inputs: w_j1..w_jK, a_1..a_K, then b_j when there is a bias."""

    fan_in: int
    bias: bool

    def evaluate(self, args: Sequence[Any]) -> Any:
        k = self.fan_in
        total = args[0] * args[k]
        for w, a in zip(args[1:k], args[k + 1 : 2 * k], strict=True):
            total = total + w * a
        return total + args[2 * k] if self.bias else total

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        k = self.fan_in
        terms = [mul(w, a) for w, a in zip(args[:k], args[k : 2 * k], strict=True)]
        return add(*terms, *([args[2 * k]] if self.bias else []))


@dataclass(frozen=True)
class Activate(Rule):
    """a = f(z) for an elementwise activation. Input: z."""

    activation: Activation

    def evaluate(self, args: Sequence[Any]) -> Any:
        return self.activation.value(np.asarray(args[0], dtype=float))

    def symbolic(self, args: Sequence[Any]) -> Any:
        return self.activation.symbolic(args[0])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return self.activation.display(args[0])


@dataclass(frozen=True)
class SoftmaxOf(Rule):
    """a_j = e^{z_j} / Σ_i e^{z_i}. Inputs: z_1..z_n of the layer."""

    activation: Activation
    j: int  # 0-based

    def evaluate(self, args: Sequence[Any]) -> Any:
        z = np.stack([np.asarray(x, dtype=float) for x in args], axis=-1)
        return self.activation.value(z)[..., self.j]

    def symbolic(self, args: Sequence[Any]) -> Any:
        return self.activation.symbolic(list(args))[self.j]

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return Frac(Call("exp", (args[self.j],)), add(*(Call("exp", (z,)) for z in args)))
