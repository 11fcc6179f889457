"""Cross-checks of a finished trace against independent sources: torch.autograd (float64),
finite differences, sympy, and each quantity's own formula.

Verification reads a trace the core has finished and compares it with what other programs
compute; it imports torch and sympy (only when a check runs). It is therefore not part of the
core but a consumer beside `render/`: the core never depends on it, and `solve` never loads
torch or sympy. Each kind of exercise has its checks in `CHECKS` (keyed by `exercise.kind`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .differences import finite_differences
from .formulas import MAX_SYMPY_REFS, check_expression_exactly, check_formulas, count_at_most
from .report import CheckReport, Comparison, check_table
from .torch_reference import compare_traces, torch_trace

if TYPE_CHECKING:
    from ..core.expression import ExpressionTrace
    from ..core.quantity_trace import QuantityTrace
    from ..core.trace import Trace

__all__ = ["CHECKS", "CheckReport", "Comparison", "check", "check_table", "torch_trace"]


def _check_network(report: CheckReport, trace: Trace, symbolic: bool | None) -> None:
    """torch trains the same network; finite differences; the formulas (sympy when small)."""
    compare_traces(report, "torch.autograd", trace, torch_trace(trace.exercise))
    finite_differences(report, trace)
    if symbolic is None:
        symbolic = count_at_most(trace.refs(), MAX_SYMPY_REFS)
    check_formulas(report, trace, symbolic=symbolic)
    if not symbolic:
        report.notes.append(f"sympy: skipped (more than {MAX_SYMPY_REFS} quantities)")


def _check_expression(report: CheckReport, trace: ExpressionTrace, symbolic: bool | None) -> None:
    """Exact rational arithmetic for values and gradients; the formulas, always with sympy."""
    check_expression_exactly(report, trace)
    check_formulas(report, trace, symbolic=True)


CHECKS: dict[str, Callable[[CheckReport, Any, bool | None], None]] = {
    "network": _check_network,
    "expression": _check_expression,
}


def check(trace: QuantityTrace, *, symbolic: bool | None = None) -> CheckReport:
    """Every comparison that applies to the trace."""
    report = CheckReport(trace.exercise.id)
    CHECKS[trace.exercise.kind](report, trace, symbolic)
    return report
