"""The loss's formulas: one output node's term, one sample's loss, the total over the samples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..functions import Loss
from ..mathexpr import Call, Expr, Frac, Neg, Paren, add, mul
from .base import Rule, SampleSum, count

__all__ = ["LossTerm", "SampleLoss", "TotalLoss"]


@dataclass(frozen=True)
class LossTerm(Rule):
    """One output node's loss term, e.g. E_o1 = ½(t₁ − o₁)². Inputs: o_j, t_j."""

    loss: Loss

    def evaluate(self, args: Sequence[Any]) -> Any:
        assert self.loss.term is not None
        return self.loss.term(np.asarray(args[0], dtype=float), np.asarray(args[1], dtype=float))

    def symbolic(self, args: Sequence[Any]) -> Any:
        assert self.loss.symbolic_term is not None
        return self.loss.symbolic_term(args[0], args[1])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        if self.loss.display_term_at is not None:  # as torch computes it at o's value
            return self.loss.display_term_at(args[0], args[1], values[0])
        assert self.loss.display_term is not None
        return self.loss.display_term(args[0], args[1])


@dataclass(frozen=True)
class SampleLoss(Rule):
    """One sample's loss E[n].

    With node terms: their sum (half_sse, sse) or mean (mse, bce); inputs E_1..E_J.
    Cross-entropy: −Σ_j t_j·log softmax(o)_j (or −log o_c on a softmax output); inputs
    o_1..o_J, t_1..t_J.
    """

    loss: Loss
    n_outputs: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        if self.loss.has_terms:
            total = sum(args[1:], args[0])
            return total / self.n_outputs if self.loss.combine == "mean" else total
        o, t = self._split(args)
        assert self.loss.sample is not None
        return self.loss.sample(o, t)

    def symbolic(self, args: Sequence[Any]) -> Any:
        if self.loss.has_terms:
            return self.evaluate(args)
        assert self.loss.symbolic_sample is not None
        n = self.n_outputs
        return self.loss.symbolic_sample(list(args[:n]), list(args[n:]))

    def _split(self, args: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        n = self.n_outputs
        o = np.stack([np.asarray(x, dtype=float) for x in args[:n]], axis=-1)
        t = np.stack([np.asarray(x, dtype=float) for x in args[n:]], axis=-1)
        return o, t

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        if self.loss.has_terms:
            total = add(*args)
            return Frac(total, count(self.n_outputs)) if self.loss.combine == "mean" else total
        n = self.n_outputs
        classes = [i for i, t in enumerate(values[n:]) if t != 0]
        if len(classes) != 1:  # soft targets: the whole sum −Σ t_j log p_j
            terms = (mul(args[n + i], Call("log", (self._p(args, i),))) for i in range(n))
            return Neg(Paren(add(*terms)))
        return Neg(Call("log", (self._p(args, classes[0]),)))

    def _p(self, args: Sequence[Expr], i: int) -> Expr:
        """p_i: the output itself on a softmax layer, else softmax of the raw outputs."""
        n = self.n_outputs
        if self.loss.name == "nll":
            return args[i]
        return Frac(Call("exp", (args[i],)), add(*(Call("exp", (o,)) for o in args[:n])))


@dataclass(frozen=True)
class TotalLoss(SampleSum):
    """E = (1/N)·Σ_n E[n] (reduction "mean") or Σ_n E[n] ("sum"). Inputs: E[1]..E[N]."""

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        total = add(*args)
        return Frac(total, count(self.n_samples)) if self.reduction == "mean" else total
