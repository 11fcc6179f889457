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
from .mathexpr import Add, Call, Expr, Frac, Neg, Num, Paren, Pow, Sym, add, mul
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

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        """The formula as display math over `args` (symbols or numbers of the inputs).

        `values` are the inputs' values (some forms depend on them: cross-entropy shows only
        the true class's term); `numbers` shows settings such as η as numbers, not symbols.
        """
        raise NotImplementedError


def _setting(symbol: str, latex: str, value: float, numbers: bool) -> Expr:
    """A setting of the exercise (η, μ, β₁ …): its symbol, or its value on the numbers line."""
    return Num(value, given=True) if numbers else Sym(symbol, latex)


def _complement(x: float) -> float:
    """1 − x as a person writes it: 1 − 0.9 is 0.1 (float arithmetic gives 0.09999999999999998)."""
    return round(1 - x, 12)


def _count(n: int) -> Expr:
    return Num(n, given=True)


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

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
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
            return Frac(total, _count(self.n_outputs)) if self.loss.combine == "mean" else total
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
class TotalLoss(Rule):
    """E = (1/N)·Σ_n E[n] (reduction "mean") or Σ_n E[n] ("sum"). Inputs: E[1]..E[N]."""

    reduction: str
    n_samples: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        total = sum(args[1:], args[0])
        return total / self.n_samples if self.reduction == "mean" else total

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        total = add(*args)
        return Frac(total, _count(self.n_samples)) if self.reduction == "mean" else total


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

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        if self._whole_row:  # softmax(o)_j − t_j
            o = args[:-1]
            p = Frac(Call("exp", (o[self.j],)), add(*(Call("exp", (x,)) for x in o)))
            return add(p, Neg(args[-1]))
        if self.loss.name == "nll":
            return Neg(Frac(args[1], args[0]))
        assert self.loss.display_derivative is not None
        d = self.loss.display_derivative(args[0], args[1])
        return Frac(d, _count(self.n_outputs)) if self.loss.combine == "mean" else d


@dataclass(frozen=True)
class Product(Rule):
    """x·y: a path's share w_ij·δ_i, or δ = ∂E/∂a·∂a/∂z. Inputs: the two factors."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0] * args[1]

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
        sp = _sympy()
        z = sp.Symbol("z_")
        return sp.diff(self.activation.symbolic(z), z).subs(z, args[0])

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        assert self.activation.display_derivative is not None
        return self.activation.display_derivative(args[0], args[1])


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
        return mul(a[self.j], Paren(add(g[self.j], Neg(_group(weighted)))))


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
        return Frac(total, _count(n)) if self.reduction == "mean" and n > 1 else total


@dataclass(frozen=True)
class GradB(Rule):
    """∂E/∂b_j = r·Σ_n δ_j[n]. Inputs: δ_j[1..N]."""

    reduction: str
    n_samples: int

    def evaluate(self, args: Sequence[Any]) -> Any:
        total = sum(args[1:], args[0])
        return total / self.n_samples if self.reduction == "mean" else total

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        total = add(*args)
        mean = self.reduction == "mean" and self.n_samples > 1
        return Frac(total, _count(self.n_samples)) if mean else total


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

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        opt = self.optimizer
        g_eff = _display_effective_grad(opt, args[0], args[1], numbers)
        previous = None if self.first else args[2]
        if opt.name == "sgd":
            if previous is None:
                return g_eff
            mu = _setting("μ", r"\mu", opt.momentum, numbers)
            if opt.dampening:
                keep = _setting("(1 − τ)", r"(1 - \tau)", _complement(opt.dampening), numbers)
                return add(mul(mu, previous), mul(keep, _group(g_eff)))
            return add(mul(mu, previous), g_eff)
        first_moment = self.slot == "m"
        beta = opt.betas[0] if first_moment else opt.betas[1]
        name, latex = ("β₁", r"\beta_1") if first_moment else ("β₂", r"\beta_2")
        b = _setting(name, latex, beta, numbers)
        rest = _setting(f"(1 − {name})", f"(1 - {latex})", _complement(beta), numbers)
        new = _group(g_eff) if first_moment else Pow(_group(g_eff), Num(2, given=True))
        if previous is None:
            return mul(rest, new)
        return add(mul(b, previous), mul(rest, new))


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

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        opt = self.optimizer
        w, g = args[0], args[1]
        state = dict(zip(opt.slots, args[2:], strict=True))
        lr = _setting("η", r"\eta", opt.learning_rate, numbers)
        if opt.name == "sgd":
            g_eff = _display_effective_grad(opt, w, g, numbers)
            if not opt.slots:
                return add(w, Neg(mul(lr, _group(g_eff))))
            if opt.nesterov:
                mu = _setting("μ", r"\mu", opt.momentum, numbers)
                return add(w, Neg(mul(lr, Paren(add(g_eff, mul(mu, state["m"]))))))
            return add(w, Neg(mul(lr, state["m"])))
        t = _count(self.step)
        one = Num(1, given=True)
        b1 = _setting("β₁", r"\beta_1", opt.betas[0], numbers)
        b2 = _setting("β₂", r"\beta_2", opt.betas[1], numbers)
        eps = _setting("ε", r"\varepsilon", opt.eps, numbers)
        m_hat = Frac(state["m"], add(one, Neg(Pow(b1, t))))
        v_hat = Frac(state["v"], add(one, Neg(Pow(b2, t))))
        step = Frac(m_hat, add(Call("√", (v_hat,)), eps))
        if opt.name == "adamw" and opt.weight_decay:
            lam = _setting("λ", r"\lambda", opt.weight_decay, numbers)
            w = mul(w, Paren(add(one, Neg(mul(lr, lam)))))
        return add(w, Neg(mul(lr, step)))


def _group(expr: Expr) -> Expr:
    """Parentheses around a sum that is multiplied."""
    return Paren(expr) if isinstance(expr, Add) else expr


def _display_effective_grad(opt: Optimizer, w: Expr, g: Expr, numbers: bool) -> Expr:
    """g' = g + λw with L2 weight decay (sgd, adam), else g."""
    if opt.weight_decay and opt.name != "adamw":
        return add(g, mul(_setting("λ", r"\lambda", opt.weight_decay, numbers), w))
    return g
