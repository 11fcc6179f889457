"""Weight regularisation in the cost (the notes' 가중치 규제): E = E_data + λ₁Σ|w| + λ₂Σw².

The penalty terms E_L1 = λ₁Σ|w| and E_L2 = λ₂Σw² are part of the loss that is differentiated,
so each weight's gradient is the data term plus the penalty's: ∂E/∂w = ∂E_data/∂w + λ₁·sign(w)
+ 2λ₂·w. At w = 0, |w| has no derivative; sign(0) = 0 here, as torch.autograd gives for
`abs` (its subgradient at the kink). Biases are left out of the penalty unless `include_bias`.

This is not the optimiser's `weight_decay` (in `optimizers.py`): weight decay changes the
update rule (g + λw in SGD and Adam, w(1 − ηλ) in AdamW), never the loss E.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NORMS", "Regularization"]

NORMS = ("L1", "L2")  # the penalty terms, in the order they are added to E_data


@dataclass(frozen=True)
class Regularization:
    """The optional `[regularization]` table: λ₁ (l1), λ₂ (l2) and whether biases count."""

    l1: float = 0.0
    l2: float = 0.0
    include_bias: bool = False

    @property
    def norms(self) -> tuple[str, ...]:
        """The penalty terms in E: those whose λ is not 0 (none: E is the data loss alone)."""
        return tuple(norm for norm in NORMS if self.strength(norm))

    @property
    def active(self) -> bool:
        return bool(self.norms)

    def strength(self, norm: str) -> float:
        """λ₁ for "L1", λ₂ for "L2"."""
        return self.l1 if norm == "L1" else self.l2

    def penalty(self, norm: str, params: Any) -> float:
        """λ₁Σ|w| or λ₂Σw² over the parameters (arrays, each summed)."""
        if norm == "L1":
            return self.l1 * sum(float(np.sum(np.abs(p))) for p in params)
        return self.l2 * sum(float(np.sum(np.square(p))) for p in params)

    def gradient(
        self, norm: str, w: Any, *, factor_forgotten: bool = False, sign_forgotten: bool = False
    ) -> Any:
        """∂E_L1/∂w = λ₁·sign(w) (0 at w = 0, as torch's abs) or ∂E_L2/∂w = 2λ₂·w.

        `factor_forgotten`: λ₂·w, the classic slip of dropping the 2 of d(w²)/dw;
        `sign_forgotten`: λ₁ at every w, the slip of differentiating |w| as if it were w.
        """
        if norm == "L1":
            if sign_forgotten:
                return self.l1 * np.ones_like(np.asarray(w, dtype=float))
            return self.l1 * np.sign(w)
        return (1.0 if factor_forgotten else 2.0) * self.l2 * np.asarray(w)

    def includes(self, bias: bool) -> bool:
        """Whether a weight (always) or a bias (only with include_bias) is in the penalty."""
        return not bias or self.include_bias
