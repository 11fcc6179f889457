"""Every quantity recomputed from its own formula, numerically and in sympy; expressions exactly.

- formulas: each value against its formula evaluated at its inputs' values — the per-scalar
  view that solutions, diagrams and the grader read (up to `MAX_FORMULA_REFS` quantities);
- sympy: each formula's symbolic form evaluated with 30 digits (its derivatives are sympy's
  own differentiation of the activation or loss, independent of the hand-derived ones);
- expression exercises in exact rational arithmetic: every value, and every gradient as
  d/dε of the output with ε added to that node (independent of backviz's chain rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..core.expression import ExpressionTrace, symbolic_value
from ..core.quantities import Kind, Ref
from ..core.quantity_trace import QuantityTrace
from ..errors import DependencyError
from .report import CheckReport, one_line
from .rounding import formula_rounding, propagated_rounding

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
        raise DependencyError(
            "backviz check needs sympy: pip install 'backviz[check]', or leave it out with "
            "--skip sympy"
        ) from None
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
        ours, name, kind = trace.value(ref), trace.name(ref), ref.kind.value

        def recomputed(rule: Any = formula.rule, values: list[float] = values) -> float:
            with np.errstate(all="ignore"):
                return float(rule.evaluate([np.float64(v) for v in values]))

        # float64 against float64 in another order, or against sympy's exact arithmetic: a
        # result that cancels is judged by the digits of what its formula reads
        def rounding(_: int, rule: Any = formula.rule, values: list[float] = values) -> float:
            return formula_rounding(rule, values)

        _judge(report, "formulas", kind, name, ours, recomputed, rounding)
        if sp is not None and position < MAX_SYMPY_REFS:

            def exact(rule: Any = formula.rule, values: list[float] = values) -> float:
                return float(sp.N(rule.symbolic([sp.Float(v, 30) for v in values]), 30))

            _judge(report, "sympy", kind, name, ours, exact, rounding)


def _judge(
    report: CheckReport,
    source: str,
    kind: str,
    name: str,
    ours: float,
    theirs: Callable[[], float],
    rounding: Callable[[int], float] | None = None,
) -> None:
    """Compare our value with what `theirs()` computes; if that fails, the failure is one line
    and the quantity is not judged."""
    try:
        value = theirs()
    except Exception as error:  # an evaluation that fails judges nothing: said, not raised
        report.skip(source, kind, name, "it could not evaluate them", one_line(error))
        return
    comparison = report.get(source, kind)
    comparison.add(np.array(ours), np.array(value), lambda _: name, rounding=rounding)


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
    propagated = propagated_rounding(trace)

    def rounding_of(quantity: str) -> Callable[[int], float]:
        # exact from exact inputs against float64 from rounded ones: a result that cancels is
        # judged by the digits of everything it is computed from
        return lambda _: propagated(trace.ref(quantity))

    for name in trace.values:

        def value(name: str = name) -> float:
            return float(sp.N(exact[name], 30))

        def grad(name: str = name) -> float:
            bumped = build(name)[exercise.output]
            return float(sp.N(sp.diff(bumped, eps).subs(eps, 0), 30))

        gradient = f"d{exercise.output}/d{name}"
        node, grads = Kind.NODE.value, Kind.GRAD.value
        _judge(report, "sympy", node, name, trace.values[name], value, rounding_of(name))
        _judge(report, "sympy", grads, gradient, trace.grads[name], grad, rounding_of(gradient))


def count_at_most(items: Iterable[Any], limit: int) -> bool:
    """Whether `items` has at most `limit` elements (reading no more than limit + 1)."""
    return sum(1 for _ in _limited(items, limit + 1)) <= limit
