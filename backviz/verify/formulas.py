"""Every quantity recomputed from its own formula, numerically and in sympy; expressions exactly.

- formulas: each value against its formula evaluated at its inputs' values — the per-scalar
  view that solutions, diagrams and the grader read (up to `MAX_FORMULA_REFS` quantities);
- sympy: each formula's symbolic form evaluated with 30 digits (its derivatives are sympy's
  own differentiation of the activation or loss, independent of the hand-derived ones);
- expression exercises in exact rational arithmetic: every value, and every gradient as
  d/dε of the output with ε added to that node (independent of backviz's chain rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..core.expression import ExpressionTrace, symbolic_value
from ..core.quantities import Kind, Ref
from ..core.quantity_trace import QuantityTrace
from ..errors import DependencyError
from .report import CheckReport

__all__ = [
    "MAX_FORMULA_REFS",
    "MAX_SYMPY_REFS",
    "check_expression_exactly",
    "check_formulas",
    "count_at_most",
]

MAX_FORMULA_REFS = 50_000
MAX_SYMPY_REFS = 3_000


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:  # pragma: no cover
        raise DependencyError("backviz check needs sympy: pip install 'backviz[check]'") from None
    return sympy


def check_formulas(report: CheckReport, trace: QuantityTrace, *, symbolic: bool) -> None:
    refs = list(_limited(trace.refs(), MAX_FORMULA_REFS))
    if len(refs) == MAX_FORMULA_REFS:
        report.notes.append(f"formulas: the first {MAX_FORMULA_REFS} quantities checked")
    sp = _sympy() if symbolic else None
    for position, ref in enumerate(refs):
        formula = trace.formula(ref)
        if formula is None:
            continue
        values = [trace.value(r) for r in formula.inputs]
        ours = trace.value(ref)
        with np.errstate(all="ignore"):
            recomputed = float(formula.rule.evaluate([np.float64(v) for v in values]))
        name = trace.name(ref)
        report.get("formulas", ref.kind.value).add(
            np.array(ours), np.array(recomputed), lambda _, n=name: n
        )
        if sp is not None and position < MAX_SYMPY_REFS:
            exact = formula.rule.symbolic([sp.Float(v, 30) for v in values])
            report.get("sympy", ref.kind.value).add(
                np.array(ours), np.array(float(sp.N(exact, 30))), lambda _, n=name: n
            )


def _limited(items: Iterable[Ref], limit: int) -> Iterable[Ref]:
    for count, item in enumerate(items):
        if count >= limit:
            return
        yield item


def check_expression_exactly(report: CheckReport, trace: ExpressionTrace) -> None:
    """Values and ∂output/∂node in exact rational arithmetic with sympy (independent of backviz's
    chain rule: each gradient is d/dε of the output with ε added to that node)."""
    sp = _sympy()
    exercise = trace.exercise
    eps = sp.Symbol("eps")

    def build(bump: str | None) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for name, value in exercise.inputs.items():
            env[name] = sp.nsimplify(value) + (eps if name == bump else 0)
        for node in trace.nodes:
            env[node.name] = symbolic_value(node, env) + (eps if node.name == bump else 0)
        return env

    exact = build(None)
    for name in trace.values:
        report.get("sympy", Kind.NODE.value).add(
            np.array(trace.values[name]),
            np.array(float(sp.N(exact[name], 30))),
            lambda _, n=name: n,
        )
        bumped = build(name)[exercise.output]
        grad = sp.diff(bumped, eps).subs(eps, 0)
        report.get("sympy", Kind.GRAD.value).add(
            np.array(trace.grads[name]),
            np.array(float(sp.N(grad, 30))),
            lambda _, n=name: f"d{exercise.output}/d{n}",
        )


def count_at_most(items: Iterable[Any], limit: int) -> bool:
    """Whether `items` has at most `limit` elements (reading no more than limit + 1)."""
    return sum(1 for _ in _limited(items, limit + 1)) <= limit
