"""Why a line of the worked solution reads as it does, where students trip: a short paragraph
under the heading of the section whose lines need it.

Softmax with cross-entropy: the ∂E/∂a = −t/a lines lead to δ = a − t (the output layer's
backward pass says why). Binary cross-entropy where torch departs from the formula: its clamp
of log at −100 at an output of exactly 0 or 1 (the loss section); its floor of o(1 − o) at
10⁻¹² in ∂E/∂o at a saturated output, and the next to nothing a saturated sigmoid passes back
(the output layer's backward pass). Dropout: what the mask and 1/(1 − p) do in the forward
pass, back through it, and why the check after the update drops nothing. Regularisation: what
E_data and the penalty terms are (the loss section), and each gradient as the data term plus the
penalty's, sign(0) = 0 (the output layer's backward pass).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .words import word

if TYPE_CHECKING:
    from ..core.trace import StepRecord, Trace

__all__ = ["section_notes"]

# Each penalty's term in E and in ∂E/∂w, as the notes write them (only the exercise's own)
_PENALTY_TERM = {"L1": " + λ₁Σ|w|", "L2": " + λ₂Σw²"}
_PENALTY_SLOPE = {"L1": " + λ₁·sign(w)", "L2": " + 2λ₂·w"}


def _outputs_where(test: Callable[[np.ndarray], np.ndarray] | None, record: StepRecord) -> bool:
    """Whether `test` (one of the loss's conventions) holds at an output of the step."""
    return test is not None and bool(test(record.forward.a[-1]).any())


def section_notes(
    trace: Trace, record: StepRecord, section: tuple[str, int | None], lang: str
) -> list[str]:
    """The notes that stand under a section's heading in a step (most sections have none)."""
    kind, layer = section
    loss = trace.loss
    dropout = trace.exercise.dropout
    if dropout is not None and record.backward is not None:
        if kind == "forward":
            return [word("why_dropout", lang)]
        if kind == "after":
            return [word("why_dropout_eval", lang)]
        if kind == "backward" and layer is not None and dropout.applies(layer):
            return [word("why_dropout_backward", lang)]
    reg = trace.exercise.regularization
    which = word("regularized_all" if reg.include_bias else "regularized_weights", lang)
    if kind == "loss":
        notes = []
        if reg.active:  # the terms of the penalties this exercise has, not both always
            terms = "".join(_PENALTY_TERM[norm] for norm in reg.norms)
            names = ", ".join(word(f"penalty_{norm}", lang) for norm in reg.norms)
            notes.append(word("why_regularization", lang, terms=terms, names=names, which=which))
        if _outputs_where(loss.clamped, record):
            notes.append(word("why_bce_clamp", lang))
        return notes
    if kind != "backward" or layer != trace.n_layers:
        return []
    notes = []
    if reg.active:
        terms = "".join(_PENALTY_SLOPE[norm] for norm in reg.norms)
        kink = word("penalty_kink", lang) if "L1" in reg.norms else ""
        notes.append(word("why_penalty_gradient", lang, terms=terms, kink=kink))
    if loss.name == "nll":  # δ = a − t holds for any targets adding up to 1
        target = "one_hot_target" if trace.exercise.classes is not None else "probability_target"
        return [*notes, word("why_softmax_ce", lang, target=word(target, lang))]
    if _outputs_where(loss.saturated, record):
        notes.append(word("why_bce_floor", lang))
        if trace.exercise.activations[-1].name == "sigmoid":
            notes.append(word("why_bce_delta", lang))
    return notes
