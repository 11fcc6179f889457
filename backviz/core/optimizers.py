"""Optimisers: torch.optim's update rules for SGD (momentum, dampening, Nesterov, weight decay),
Adam and AdamW, written once with plain arithmetic so the same code updates a numpy array, a
single number, or a sympy symbol.

For a parameter w with gradient g = ∂E/∂w at step t (1-based):

  sgd     g' = g + λw;  m = g' (t = 1) or μm + (1 − dampening)g';  w⁺ = w − η·(g' + μm if
          Nesterov else m), or w⁺ = w − ηg' without momentum
  adam    g' = g + λw;  m = β₁m + (1 − β₁)g';  v = β₂v + (1 − β₂)g'²;
          w⁺ = w − η·(m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε)
  adamw   as adam with g' = g, and w decays first: w⁺ = w(1 − ηλ) − η·m̂/(√v̂ + ε)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["OPTIMIZERS", "Optimizer"]

OPTIMIZERS = ("sgd", "adam", "adamw")


def _numeric_sqrt(x: Any) -> Any:
    return np.sqrt(x)


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

    @property
    def slots(self) -> tuple[str, ...]:
        """Names of the state kept per parameter between steps: m (momentum / first moment), v."""
        if self.name == "sgd":
            return ("m",) if self.momentum != 0 else ()
        return ("m", "v")

    def effective_grad(self, w: Any, g: Any) -> Any:
        """g' = g + λw (L2 weight decay folded into the gradient; AdamW decays w instead)."""
        if self.weight_decay != 0 and self.name != "adamw":
            return g + self.weight_decay * w
        return g

    def next_state(self, slot: str, previous: Any | None, g_eff: Any) -> Any:
        """The slot's value after this step, from its value before (None on the first step)."""
        if self.name == "sgd":
            if previous is None:
                return g_eff  # torch starts the momentum buffer at the first gradient itself
            return self.momentum * previous + (1 - self.dampening) * g_eff
        beta1, beta2 = self.betas
        if slot == "m":
            previous = 0 if previous is None else previous
            return beta1 * previous + (1 - beta1) * g_eff
        previous = 0 if previous is None else previous
        return beta2 * previous + (1 - beta2) * g_eff * g_eff

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
        beta1, beta2 = self.betas
        m_hat = state["m"] / (1 - beta1**step)
        v_hat = state["v"] / (1 - beta2**step)
        decayed = w * (1 - lr * self.weight_decay) if self.name == "adamw" else w
        return decayed - lr * m_hat / (sqrt(v_hat) + self.eps)

    def describe(self) -> str:
        """A short description, e.g. 'sgd (lr 0.5)' or 'adam (lr 0.001, betas 0.9/0.999)'."""
        parts = [f"lr {self.learning_rate:g}"]
        if self.name == "sgd" and self.momentum:
            parts.append(f"momentum {self.momentum:g}")
            if self.dampening:
                parts.append(f"dampening {self.dampening:g}")
            if self.nesterov:
                parts.append("nesterov")
        if self.name != "sgd":
            parts.append(f"betas {self.betas[0]:g}/{self.betas[1]:g}, eps {self.eps:g}")
        if self.weight_decay:
            parts.append(f"weight decay {self.weight_decay:g}")
        return f"{self.name} ({', '.join(parts)})"
