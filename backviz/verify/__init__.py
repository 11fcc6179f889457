"""Cross-checks of a finished trace against independent sources: torch.autograd (float64),
finite differences, sympy, and each quantity's own formula.

Verification reads a trace the core has finished and compares it with what other programs
compute; it imports torch and sympy (only when a check runs). It is therefore not part of the
core but a consumer beside `render/`: the core never depends on it, and `solve` never loads
torch or sympy. Each kind of exercise has its checks in `CHECKS` (keyed by `exercise.kind`).

A check exits with a mismatch only for a real disagreement: each source uses the engine's
documented conventions, says what it cannot judge (never counting it as agreeing), and a
source that fails is one note in the report, with no verdict of its own, and the check is then
incomplete: it never says the numbers agree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DependencyError
from .differences import finite_differences
from .formulas import MAX_SYMPY_REFS, check_expression_exactly, check_formulas, count_at_most
from .report import CheckReport, Comparison, Unjudged, check_table
from .torch_reference import compare_traces, torch_trace

if TYPE_CHECKING:
    from ..core.expression import ExpressionTrace
    from ..core.quantity_trace import QuantityTrace
    from ..core.trace import Trace

__all__ = [
    "CHECKS",
    "SKIPPABLE",
    "CheckReport",
    "Comparison",
    "Unjudged",
    "check",
    "check_table",
    "torch_trace",
]

# What `check --skip` may leave out, by the source each name stands for.
SKIPPABLE = {"torch": "torch.autograd", "fd": "finite differences", "sympy": "sympy"}


@dataclass(frozen=True)
class _Plan:
    """Which sources run: `skip` holds names of `SKIPPABLE`; `symbolic` None decides by size."""

    skip: frozenset[str]
    symbolic: bool | None

    def runs(self, report: CheckReport, name: str) -> bool:
        """Whether source `name` runs; a skipped one is noted."""
        if name in self.skip:
            report.notes.append(f"{SKIPPABLE[name]}: skipped (--skip {name})")
            return False
        return True


def _guarded(report: CheckReport, source: str, run: Callable[[CheckReport], None]) -> None:
    """Run one checker into a report of its own and keep what it found when it finishes.

    A checker that fails leaves one line and no verdict: what it compared before failing is
    dropped, so a half-run source never reads as agreeing, and the report is incomplete
    (`backviz check` exits 4). A missing torch or sympy is told as such (exit status 3).
    """
    own = CheckReport(report.exercise)
    try:
        run(own)
    except DependencyError:
        raise
    except Exception as error:  # any failure of a checker is a note, never a traceback
        report.fail(source, error)
        return
    report.merge(own)


def _check_network(report: CheckReport, trace: Trace, plan: _Plan) -> None:
    """torch trains the same network; finite differences; the formulas (sympy when small)."""
    if plan.runs(report, "torch"):

        def against_torch(own: CheckReport) -> None:
            compare_traces(own, "torch.autograd", trace, torch_trace(trace.exercise))

        _guarded(report, "torch.autograd", against_torch)
    if plan.runs(report, "fd"):
        _guarded(report, "finite differences", lambda own: finite_differences(own, trace))
    symbolic = plan.runs(report, "sympy") and plan.symbolic is not False
    if symbolic and plan.symbolic is None and not count_at_most(trace.refs(), MAX_SYMPY_REFS):
        report.notes.append(f"sympy: skipped (more than {MAX_SYMPY_REFS} quantities)")
        symbolic = False
    source = "formulas and sympy" if symbolic else "formulas"
    _guarded(report, source, lambda own: check_formulas(own, trace, symbolic=symbolic))


def _check_expression(report: CheckReport, trace: ExpressionTrace, plan: _Plan) -> None:
    """Exact rational arithmetic for values and gradients; the formulas, with sympy."""
    symbolic = plan.runs(report, "sympy")
    if symbolic:
        _guarded(report, "sympy", lambda own: check_expression_exactly(own, trace))
    source = "formulas and sympy" if symbolic else "formulas"
    _guarded(report, source, lambda own: check_formulas(own, trace, symbolic=symbolic))


CHECKS: dict[str, Callable[[CheckReport, Any, _Plan], None]] = {
    "network": _check_network,
    "expression": _check_expression,
}


def check(
    trace: QuantityTrace, *, symbolic: bool | None = None, skip: Collection[str] = ()
) -> CheckReport:
    """Every comparison that applies to the trace, but the sources named in `skip`
    ("torch", "fd", "sympy"); `symbolic` forces sympy on or off (None: by the trace's size)."""
    unknown = set(skip) - set(SKIPPABLE)
    if unknown:
        raise ValueError(f"skip expects names among {sorted(SKIPPABLE)}, found {sorted(unknown)}")
    report = CheckReport(trace.exercise.id)
    CHECKS[trace.exercise.kind](report, trace, _Plan(frozenset(skip), symbolic))
    return report
