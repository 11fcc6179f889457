"""How much of a difference float64's rounding explains: the allowance a comparison gives it.

float64 places a result only to a few units in the last place of what it is computed from. A
sum that cancels (0.1 + 0.2 − 0.3 is 5.55e-17 in float64 and 2.78e-17 exactly; δ₁·w + δ₂·w
with δ₁ + δ₂ = 0 behind a softmax) is right to ε·Σ|terms|, not to 1e-9 of itself. So a value
beyond the tolerance is compared once more, allowing what rounding explains:

- `formula_rounding`: one formula evaluated at given input values may round by
  `ROUNDING_ULPS`·ε·(|f| + Σᵢ |∂f/∂xᵢ|·|xᵢ|) — all that separates sympy or the formulas, which
  recompute f from the trace's own input values, from the trace;
- `carried_rounding`: torch computes everything itself, so its inputs to a formula differ from
  ours by their own rounding: what it explains is |f(ours) − f(torch's)| over the formula's
  inputs, plus the formula's own rounding. An error in a formula is not explained (ours is not
  f of our inputs, or torch's not f of its), however the errors before it went;
- `propagated_rounding`: without the other side's inputs (sympy's exact values of an
  expression), the scale carried through every formula back to the given numbers,
  S(q) = |q| + Σᵢ |∂f/∂xᵢ|·S(xᵢ), S(x) = |x|, times `ROUNDING_ULPS`·ε.

The partial derivatives come from a small step in each input (a kink only makes the allowance
larger). An allowance is asked only of a value that already differs by more than the tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..core.formulas import Formula, Rule
from ..core.quantities import Ref
from ..core.quantity_trace import QuantityTrace
from .folding import Fold

__all__ = [
    "EPSILON",
    "ROUNDING_ULPS",
    "carried_rounding",
    "formula_rounding",
    "propagated_rounding",
]

EPSILON = float(np.finfo(float).eps)
ROUNDING_ULPS = 8  # units in the last place of a formula's operands that rounding may reach
STEP = 2.0**-20  # each input moved by this fraction of its own scale


def _evaluate(rule: Rule, args: Sequence[float]) -> float:
    with np.errstate(all="ignore"):
        return float(rule.evaluate([np.float64(v) for v in args]))


def _scale(rule: Rule, values: Sequence[float], scales: Sequence[float]) -> float:
    """|f| + Σᵢ |∂f/∂xᵢ|·scaleᵢ, each partial from a step of STEP·scaleᵢ in xᵢ alone."""
    base = _evaluate(rule, values)
    total = abs(base) if np.isfinite(base) else 0.0
    for i, scale in enumerate(scales):
        if not scale or not np.isfinite(scale):
            continue
        bumped = list(values)
        bumped[i] = values[i] + STEP * scale
        change = abs(_evaluate(rule, bumped) - base) / STEP  # |∂f/∂xᵢ|·scaleᵢ
        total += change if np.isfinite(change) else 0.0
    return total


def formula_rounding(rule: Rule, values: Sequence[float]) -> float:
    """What rounding may make of f at `values`: a weighted sum's |z| + 2·Σ|w·a|, in ulps."""
    return ROUNDING_ULPS * EPSILON * _scale(rule, values, [abs(v) for v in values])


def carried_rounding(ours: QuantityTrace, theirs: QuantityTrace) -> Callable[[Ref], float]:
    """For each quantity, |f(our inputs) − f(their inputs)| plus f's own rounding; a given
    number (no formula) is given alike to both, so nothing is explained."""

    def explained(ref: Ref) -> float:
        formula = ours.formula(ref)
        if formula is None:
            return 0.0
        mine = [ours.value(r) for r in formula.inputs]
        other = [theirs.value(r) for r in formula.inputs]
        carried = abs(_evaluate(formula.rule, mine) - _evaluate(formula.rule, other))
        return (carried if np.isfinite(carried) else 0.0) + formula_rounding(formula.rule, mine)

    return explained


def propagated_rounding(trace: QuantityTrace) -> Callable[[Ref], float]:
    """`ROUNDING_ULPS`·ε·S(q) of each quantity, each S computed once, on demand."""

    def computed(ref: Ref, formula: Formula, scales: Sequence[float]) -> float:
        values = [trace.value(r) for r in formula.inputs]
        return _scale(formula.rule, values, scales)

    scales = Fold(trace, lambda ref: abs(trace.value(ref)), computed)
    return lambda ref: ROUNDING_ULPS * EPSILON * scales.of(ref)
