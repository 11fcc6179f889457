"""The update's formulas: the optimiser's slots after a step, the parameters after it, and a
value carried over into the next step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..mathexpr import Call, Expr, Frac, Neg, Num, Paren, Pow, Sym, add, mul
from ..optimizers import Optimizer
from .base import Rule, count, grouped, sympy_module

__all__ = ["ParamUpdate", "Same", "StateUpdate"]


def _setting(symbol: str, latex: str, value: float, numbers: bool) -> Expr:
    """A setting of the exercise (η, μ, β₁ …): its symbol, or its value on the numbers line."""
    return Num(value, given=True) if numbers else Sym(symbol, latex)


def _complement(x: float) -> float:
    """1 − x as a person writes it: 1 − 0.9 is 0.1 (float arithmetic gives 0.09999999999999998)."""
    return round(1 - x, 12)


@dataclass(frozen=True)
class Same(Rule):
    """x = y: a value carried over, e.g. W⁽²⁾₁₂ at step 2 is W⁽²⁾₁₂⁺ of step 1."""

    def evaluate(self, args: Sequence[Any]) -> Any:
        return args[0]

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        return args[0]


@dataclass(frozen=True)
class StateUpdate(Rule):
    """An optimiser slot after this step (SGD's momentum buffer m; Adam's m, v and AMSGrad's
    vmax; RMSprop's v, gavg and momentum buffer b; Adagrad's sum s).

    Inputs: w, ∂E/∂w, this step's slots it reads (`Optimizer.reads`), then its own value from
    the previous step unless this is the first.
    """

    optimizer: Optimizer
    slot: str
    first: bool

    def _parts(self, args: Sequence[Any]) -> tuple[Any, Any, dict[str, Any], Any]:
        reads = self.optimizer.reads(self.slot)
        current = dict(zip(reads, args[2 : 2 + len(reads)], strict=True))
        previous = None if self.first else args[2 + len(reads)]
        return args[0], args[1], current, previous

    def evaluate(self, args: Sequence[Any]) -> Any:
        w, g, current, previous = self._parts(args)
        g_eff = self.optimizer.effective_grad(w, g)
        return self.optimizer.next_state(self.slot, previous, g_eff, current)

    def symbolic(self, args: Sequence[Any]) -> Any:
        sp = sympy_module()
        w, g, current, previous = self._parts(args)
        g_eff = self.optimizer.effective_grad(w, g)
        return self.optimizer.next_state(
            self.slot, previous, g_eff, current, sqrt=sp.sqrt, maximum=sp.Max
        )

    def display(self, args: Sequence[Expr], values: Sequence[float], *, numbers: bool) -> Expr:
        opt = self.optimizer
        w, g, current, previous = self._parts(args)
        g_eff = _display_effective_grad(opt, w, g, numbers)
        if opt.name == "sgd":
            if previous is None:
                return g_eff
            mu = _setting("μ", r"\mu", opt.momentum, numbers)
            if opt.dampening:
                keep = _setting("(1 − τ)", r"(1 - \tau)", _complement(opt.dampening), numbers)
                return add(mul(mu, previous), mul(keep, grouped(g_eff)))
            return add(mul(mu, previous), g_eff)
        if opt.name == "adagrad":
            squared = Pow(grouped(g_eff), Num(2, given=True))
            if previous is None:
                if not opt.initial_accumulator_value:
                    return squared
                start = _setting("s₀", "s_0", opt.initial_accumulator_value, numbers)
                return add(start, squared)
            return add(previous, squared)
        if self.slot == "vmax":
            before = Num(0, given=True) if previous is None else previous  # torch starts at 0
            return Call("max", (before, current["v"]))
        if self.slot == "b":
            step = Frac(g_eff, _root_plus_eps(opt, current, numbers))
            if previous is None:
                return step
            return add(mul(_setting("μ", r"\mu", opt.momentum, numbers), previous), step)
        return _moving_average(opt, self.slot, g_eff, previous, numbers)


def _moving_average(
    opt: Optimizer, slot: str, g_eff: Expr, previous: Expr | None, numbers: bool
) -> Expr:
    """decay·old + (1 − decay)·new: Adam's m (β₁, g') and v (β₂, g'²), RMSprop's v (α, g'²)
    and gavg (α, g')."""
    if opt.name == "rmsprop":
        name, latex = "α", r"\alpha"
    else:
        name, latex = ("β₁", r"\beta_1") if slot == "m" else ("β₂", r"\beta_2")
    decay = opt.decay(slot)
    b = _setting(name, latex, decay, numbers)
    rest = _setting(f"(1 − {name})", f"(1 - {latex})", _complement(decay), numbers)
    new = Pow(grouped(g_eff), Num(2, given=True)) if slot == "v" else grouped(g_eff)
    if previous is None:
        return mul(rest, new)
    return add(mul(b, previous), mul(rest, new))


def _root_plus_eps(opt: Optimizer, state: dict[str, Expr], numbers: bool) -> Expr:
    """√ṽ + ε of RMSprop (ṽ = v − gavg² when centred) and √s + ε of Adagrad."""
    if opt.name == "adagrad":
        inside = state["s"]
    elif opt.centered:
        inside = add(state["v"], Neg(Pow(state["gavg"], Num(2, given=True))))
    else:
        inside = state["v"]
    return add(Call("√", (inside,)), _setting("ε", r"\varepsilon", opt.eps, numbers))


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
        return self._apply(args, sympy_module().sqrt)

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
                return add(w, Neg(mul(lr, grouped(g_eff))))
            if opt.nesterov:
                mu = _setting("μ", r"\mu", opt.momentum, numbers)
                return add(w, Neg(mul(lr, Paren(add(g_eff, mul(mu, state["m"]))))))
            return add(w, Neg(mul(lr, state["m"])))
        one = Num(1, given=True)
        if opt.name == "rmsprop" and opt.momentum:
            return add(w, Neg(mul(lr, state["b"])))
        if opt.name in ("rmsprop", "adagrad"):
            g_eff = _display_effective_grad(opt, w, g, numbers)
            step = Frac(g_eff, _root_plus_eps(opt, state, numbers))
            if opt.name == "adagrad" and opt.lr_decay and self.step > 1:
                decay = _setting("λ_decay", r"\lambda_{\mathrm{decay}}", opt.lr_decay, numbers)
                lr = Frac(lr, add(one, mul(count(self.step - 1), decay)))
            return add(w, Neg(mul(lr, step)))
        t = count(self.step)
        b1 = _setting("β₁", r"\beta_1", opt.betas[0], numbers)
        b2 = _setting("β₂", r"\beta_2", opt.betas[1], numbers)
        eps = _setting("ε", r"\varepsilon", opt.eps, numbers)
        m_hat, v_hat = state["m"], state["vmax" if opt.amsgrad else "v"]
        if opt.bias_correction:
            m_hat = Frac(m_hat, add(one, Neg(Pow(b1, t))))
            v_hat = Frac(v_hat, add(one, Neg(Pow(b2, t))))
        step = Frac(m_hat, add(Call("√", (v_hat,)), eps))
        if opt.name == "adamw" and opt.weight_decay:
            lam = _setting("λ", r"\lambda", opt.weight_decay, numbers)
            w = mul(w, Paren(add(one, Neg(mul(lr, lam)))))
        return add(w, Neg(mul(lr, step)))


def _display_effective_grad(opt: Optimizer, w: Expr, g: Expr, numbers: bool) -> Expr:
    """g' = g + λw with L2 weight decay (sgd, adam), else g."""
    if opt.weight_decay and opt.name != "adamw":
        return add(g, mul(_setting("λ", r"\lambda", opt.weight_decay, numbers), w))
    return g
