"""Optimisers: torch.optim's update rules for SGD (momentum, dampening, Nesterov, weight decay),
Adam and AdamW (with AMSGrad), RMSprop (momentum, centred) and Adagrad (learning-rate decay, an
initial accumulator), written once with plain arithmetic so the same code updates a numpy array,
a single number, or a sympy symbol.

For a parameter w with gradient g = ∂E/∂w at step t (1-based), g' = g + λw (L2 weight decay,
folded into the gradient by every optimiser but AdamW):

  sgd      m = g' (t = 1) or μm + (1 − dampening)g';  w⁺ = w − η·(g' + μm if Nesterov else m),
           or w⁺ = w − ηg' without momentum
  adam     m = β₁m + (1 − β₁)g';  v = β₂v + (1 − β₂)g'²;  AMSGrad: vmax = max(vmax, v), used
           for v below;  w⁺ = w − η·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
  adamw    as adam with g' = g, and w decays first: w⁺ = w(1 − ηλ) − η·m̂/(√v̂ + ε)
  rmsprop  v = αv + (1 − α)g'²;  centred: gavg = α·gavg + (1 − α)g', ṽ = v − gavg², else ṽ = v;
           with momentum: b = μb + g'/(√ṽ + ε), w⁺ = w − ηb; without: w⁺ = w − ηg'/(√ṽ + ε)
  adagrad  s = s + g'² (s₀ = the initial accumulator value);
           w⁺ = w − η/(1 + (t − 1)·lr_decay) · g'/(√s + ε)

Every state starts at 0 (Adagrad's at s₀) before the first step, as torch's does; torch's
documentation of each class gives these rules (torch/optim/{sgd,adam,adamw,rmsprop,adagrad}.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["OPTIMIZERS", "Optimizer"]

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")


def _numeric_sqrt(x: Any) -> Any:
    return np.sqrt(x)


def _numeric_max(x: Any, y: Any) -> Any:
    return np.maximum(x, y)


@dataclass(frozen=True)
class Optimizer:
    """One optimiser's settings; names and defaults as in torch.optim."""

    name: str = "sgd"
    learning_rate: float = 0.01
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    amsgrad: bool = False  # adam, adamw
    alpha: float = 0.99  # rmsprop's smoothing constant
    centered: bool = False  # rmsprop
    lr_decay: float = 0.0  # adagrad
    initial_accumulator_value: float = 0.0  # adagrad
    bias_correction: bool = True  # adam, adamw: m̂, v̂; False only for a student's mistake
    running_max: bool = True  # AMSGrad's vmax = max(vmax, v); False only for a student's mistake

    @property
    def slots(self) -> tuple[str, ...]:
        """Names of the state kept per parameter between steps, each after those it reads:
        m (momentum buffer / first moment), v (second moment, RMSprop's square average), vmax
        (AMSGrad's running maximum of v), gavg (centred RMSprop's gradient average), b
        (RMSprop's momentum buffer), s (Adagrad's sum of squares)."""
        if self.name == "sgd":
            return ("m",) if self.momentum != 0 else ()
        if self.name == "rmsprop":
            return ("v", *(("gavg",) if self.centered else ()), *(("b",) if self.momentum else ()))
        if self.name == "adagrad":
            return ("s",)
        return ("m", "v", *(("vmax",) if self.amsgrad else ()))

    def initial_state(self, slot: str) -> float:
        """The slot's value before the first step: 0, Adagrad's sum at the initial accumulator
        value s₀ (torch's `initial_accumulator_value`)."""
        return self.initial_accumulator_value if self.name == "adagrad" and slot == "s" else 0.0

    def reads(self, slot: str) -> tuple[str, ...]:
        """The slots of the same step that `slot`'s new value reads (they come before it)."""
        if slot == "vmax":
            return ("v",)
        if slot == "b":
            return ("v", "gavg") if self.centered else ("v",)
        return ()

    def effective_grad(self, w: Any, g: Any) -> Any:
        """g' = g + λw (L2 weight decay folded into the gradient; AdamW decays w instead)."""
        if self.weight_decay != 0 and self.name != "adamw":
            return g + self.weight_decay * w
        return g

    def next_state(
        self,
        slot: str,
        previous: Any | None,
        g_eff: Any,
        current: dict[str, Any] | None = None,
        *,
        sqrt: Callable[[Any], Any] = _numeric_sqrt,
        maximum: Callable[[Any, Any], Any] = _numeric_max,
    ) -> Any:
        """The slot's value after this step, from its value before (None on the first step)
        and `current`, this step's values of the slots it `reads`."""
        current = current or {}
        if self.name == "sgd":
            if previous is None:
                return g_eff  # torch starts the momentum buffer at the first gradient itself
            return self.momentum * previous + (1 - self.dampening) * g_eff
        if self.name == "adagrad":
            before = self.initial_state(slot) if previous is None else previous
            return before + g_eff * g_eff
        if slot == "vmax":
            if previous is None or not self.running_max:
                return current["v"]
            return maximum(previous, current["v"])
        if slot == "b":
            step = g_eff / (sqrt(self._square_average(current)) + self.eps)
            return step if previous is None else self.momentum * previous + step
        decay = self.decay(slot)
        new = g_eff * g_eff if slot == "v" else g_eff
        if previous is None:
            return (1 - decay) * new
        return decay * previous + (1 - decay) * new

    def decay(self, slot: str) -> float:
        """The factor a moving average keeps of its old value: Adam's β₁ (m) and β₂ (v),
        RMSprop's α (v and gavg)."""
        if self.name == "rmsprop":
            return self.alpha
        return self.betas[0] if slot == "m" else self.betas[1]

    def _square_average(self, state: dict[str, Any]) -> Any:
        """RMSprop's ṽ: v, less the square of the gradient average when centred."""
        if self.centered:
            return state["v"] - state["gavg"] * state["gavg"]
        return state["v"]

    def updated(
        self,
        w: Any,
        g_eff: Any,
        state: dict[str, Any],
        step: int,
        *,
        sqrt: Callable[[Any], Any] = _numeric_sqrt,
    ) -> Any:
        """w⁺ from w, the effective gradient and this step's state (after `next_state`)."""
        lr = self.learning_rate
        if self.name == "sgd":
            if not self.slots:
                return w - lr * g_eff
            if self.nesterov:
                return w - lr * (g_eff + self.momentum * state["m"])
            return w - lr * state["m"]
        if self.name == "rmsprop":
            if self.momentum:
                return w - lr * state["b"]
            return w - lr * g_eff / (sqrt(self._square_average(state)) + self.eps)
        if self.name == "adagrad":
            if self.lr_decay:
                lr = lr / (1 + (step - 1) * self.lr_decay)
            return w - lr * g_eff / (sqrt(state["s"]) + self.eps)
        beta1, beta2 = self.betas
        m_hat, v_hat = state["m"], state["vmax" if self.amsgrad else "v"]
        if self.bias_correction:
            m_hat, v_hat = m_hat / (1 - beta1**step), v_hat / (1 - beta2**step)
        decayed = w * (1 - lr * self.weight_decay) if self.name == "adamw" else w
        return decayed - lr * m_hat / (sqrt(v_hat) + self.eps)

    def describe(self) -> str:
        """A short description, e.g. 'sgd (lr 0.5)' or 'adam (lr 0.001, betas 0.9/0.999)'."""
        parts = [f"lr {self.learning_rate:g}"]
        if self.name in ("sgd", "rmsprop") and self.momentum:
            parts.append(f"momentum {self.momentum:g}")
        if self.name == "sgd" and self.momentum:
            if self.dampening:
                parts.append(f"dampening {self.dampening:g}")
            if self.nesterov:
                parts.append("nesterov")
        if self.name in ("adam", "adamw"):
            parts.append(f"betas {self.betas[0]:g}/{self.betas[1]:g}, eps {self.eps:g}")
            if self.amsgrad:
                parts.append("amsgrad")
        if self.name == "rmsprop":
            parts.append(f"alpha {self.alpha:g}, eps {self.eps:g}")
            if self.centered:
                parts.append("centered")
        if self.name == "adagrad":
            parts.append(f"eps {self.eps:g}")
            if self.lr_decay:
                parts.append(f"lr decay {self.lr_decay:g}")
            if self.initial_accumulator_value:
                parts.append(f"initial accumulator {self.initial_accumulator_value:g}")
        if self.weight_decay:
            parts.append(f"weight decay {self.weight_decay:g}")
        return f"{self.name} ({', '.join(parts)})"
