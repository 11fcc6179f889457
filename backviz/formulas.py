"""The formula of each kind of quantity, usable numerically and symbolically.

A trace entry's formula is a `Rule` applied to the values of its input quantities, in the
order the trace lists them. `evaluate` works on floats or numpy arrays (so the grader can
recompute a formula from many students' own earlier answers at once); `symbolic` works on
sympy expressions. Both read the one definition of each activation, loss and optimiser in
`functions.py` / `optimizers.py`; the symbolic derivatives are sympy's own differentiation of
the symbolic value, an independent check of the hand-derived numeric derivatives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .functions import Activation, Loss
from .optimizers import Optimizer
from .quantities import Ref

__all__ = [
    "Activate",
    "Formula",
    "GradB",
    "GradW",
    "LocalDerivative",
    "LossTerm",
    "OutputGrad",
    "ParamUpdate",
    "PathTerm",
    "Product",
    "Rule",
    "Same",
    "SampleLoss",
    "SoftmaxCrossEntropyDelta",
    "SoftmaxDelta",
    "SoftmaxOf",
    "StateUpdate",
    "Sum",
    "TotalLoss",
    "WeightedSum",
]


def _sympy() -> Any:
    import sympy

    return sympy


class Rule:
    """A formula over a fixed number of input values."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        raise NotImplementedError

    def symbolic(self, args: Sequence[Any]) -> Any:
        """The same formula over sympy expressions (default: the arithmetic of `evaluate`)."""
        return self.evaluate(args)


@dataclass(frozen=True)
class Formula:
    """A quantity's formula: a rule applied to the values of the `inputs` quantities, in order."""

    rule: Rule
    inputs: tuple[Ref, ...]

    def evaluate(self, values: Sequence[Any]) -> Any:
        return self.rule.evaluate(values)


@dataclass(frozen=True)
class Same(Rule):
    """x = y: a value carried over, e.g. W⁽²⁾₁₂ at step 2 is W⁽²⁾₁₂⁺ of step 1."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0]


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


@dataclass(frozen=True)
class Activate(Rule):
    """a = f(z) for an elementwise activation. Input: z."""

    activation: Activation

    def evaluate(self, args: Sequence[Any]) -> Any:
        return self.activation.value(np.asarray(args[0], dtype=float))

    def symbolic(self, args: Sequence[Any]) -> Any:
        return self.activation.symbolic(args[0])


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


@dataclass(frozen=True)
class TotalLoss(Rule):
    """E = (1/N)·Σ_n E[n] (reduction "mean") or Σ_n E[n] ("sum"). Inputs: E[1]..E[N]."""

    reduction: str
    n_samples: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        total = sum(args[1:], args[0])
        return total / self.n_samples if self.reduction == "mean" else total


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
        sp = _sympy()
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
            d = d / self.n_outputs if self.loss.combine == "mean" else d
        else:
            assert self.loss.symbolic_sample is not None
            d = sp.diff(self.loss.symbolic_sample([o], [t]), o)
        return d.subs(o, args[0])


@dataclass(frozen=True)
class Product(Rule):
    """x·y: a path's share w_ij·δ_i, or δ = ∂E/∂a·∂a/∂z. Inputs: the two factors."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1]


PathTerm = Product


@dataclass(frozen=True)
class Sum(Rule):
    """Σ of the inputs: ∂E/∂a_j of a hidden node as the sum over its paths (0 when none)."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return sum(args[1:], args[0]) if args else 0.0


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
        sp = _sympy()
        z = sp.Symbol("z_")
        return sp.diff(self.activation.symbolic(z), z).subs(z, args[0])


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


@dataclass(frozen=True)
class SoftmaxCrossEntropyDelta(Rule):
    """δ_j = a_j − t_j at a softmax output under cross-entropy. Inputs: a_j, t_j."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] - args[1]


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


@dataclass(frozen=True)
class GradB(Rule):
    """∂E/∂b_j = r·Σ_n δ_j[n]. Inputs: δ_j[1..N]."""

    reduction: str
    n_samples: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        total = sum(args[1:], args[0])
        return total / self.n_samples if self.reduction == "mean" else total


@dataclass(frozen=True)
class StateUpdate(Rule):
    """An optimiser slot after this step (momentum buffer m, Adam's m and v).

    Inputs: w, ∂E/∂w, then the slot's value from the previous step unless this is the first.
    """

    optimizer: Optimizer
    slot: str
    first: bool

    def evaluate(self, args: Sequence[Any]) -> Any:
        g_eff = self.optimizer.effective_grad(args[0], args[1])
        previous = None if self.first else args[2]
        return self.optimizer.next_state(self.slot, previous, g_eff)


@dataclass(frozen=True)
class ParamUpdate(Rule):
    """w⁺ by the optimiser's rule (plain SGD: w⁺ = w − η·∂E/∂w).

    Inputs: w, ∂E/∂w, then this step's optimiser slots in `Optimizer.slots` order.
    """

    optimizer: Optimizer
    step: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        return self._apply(args, np.sqrt)

    def symbolic(self, args: Sequence[Any]) -> Any:
        return self._apply(args, _sympy().sqrt)

    def _apply(self, args: Sequence[Any], sqrt: Any) -> Any:
        w, g = args[0], args[1]
        state = dict(zip(self.optimizer.slots, args[2:], strict=True))
        g_eff = self.optimizer.effective_grad(w, g)
        return self.optimizer.updated(w, g_eff, state, self.step, sqrt=sqrt)
