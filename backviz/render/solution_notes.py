"""Why a line of the worked solution reads as it does, where students trip: a short paragraph
under the heading of the section whose lines need it.

Softmax with cross-entropy: the ∂E/∂a = −t/a lines lead to δ = a − t (the output layer's
backward pass says why). A saturated binary cross-entropy output (o = 0 or 1 in float64):
torch's clamp of log at −100 and its floor of o(1 − o) in ∂E/∂o (the loss section), and the
zero δ a saturated sigmoid passes back (the output layer's backward pass).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .words import word

if TYPE_CHECKING:
    from ..core.trace import StepRecord, Trace

__all__ = ["section_notes"]


def _saturated(trace: Trace, record: StepRecord) -> bool:
    """Whether an output of the step is where torch's BCE departs from the formula."""
    saturated = trace.loss.saturated
    return saturated is not None and bool(saturated(record.forward.a[-1]).any())


def section_notes(
    trace: Trace, record: StepRecord, section: tuple[str, int | None], lang: str
) -> list[str]:
    """The notes that stand under a section's heading in a step (most sections have none)."""
    kind, layer = section
    output_backward = kind == "backward" and layer == trace.n_layers
    if output_backward and trace.loss.name == "nll":
        return [word("why_softmax_ce", lang)]
    if not _saturated(trace, record):
        return []
    if kind == "loss":
        return [word("why_bce_clamp", lang)]
    if output_backward and trace.exercise.activations[-1].name == "sigmoid":
        return [word("why_bce_delta", lang)]
    return []
