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

from ..core.formulas import Dropped, DroppedDerivative, PenaltyGrad
from ..core.mathexpr import Call, Frac, Name, Neg, Num, Paren, Partial, Pow, Sigma, Sym, add, mul
from ..core.notation import TILDE, symbol_of
from .document import Math, prose
from .words import phrase, word

if TYPE_CHECKING:
    from ..core.trace import StepRecord, Trace

__all__ = ["Note", "section_notes"]

Note = tuple[str | Math, ...]  # a paragraph's words and math (`document.prose`)


def _outputs_where(test: Callable[[np.ndarray], np.ndarray] | None, record: StepRecord) -> bool:
    """Whether `test` (one of the loss's conventions) holds at an output of the step."""
    return test is not None and bool(test(record.forward.a[-1]).any())


def _dropout_note(trace: Trace, layer: int | None, key: str, lang: str) -> Note:
    """Dropout's note with its math set from the notation's parts and the core's own formulas:
    a hidden node's a_j (h_j in the notes' names), its mask, ã_j = a_j·m_j/(1 − p), the link
    ∂ã_j/∂a_j = m_j/(1 − p), a path δ_i·w_ij·∂ã_j/∂a_j. `layer` is the layer the note is about
    (None: every hidden layer with dropout, p then shown without a layer unless only one)."""
    dropout = trace.exercise.dropout
    assert dropout is not None
    if layer is None:
        layers = [h for h in range(2, trace.n_layers) if dropout.applies(h)]
        layer = layers[0] if len(layers) == 1 else None
    rate = Sym("p", "p", Name("p")) if layer is None else trace.namer.rate(layer)
    seq = trace.namer.notation == "sequential"

    def node(letter: str, j: str, at: int | None) -> Name:  # a_j, a⁽ˡ⁾_j; h_j in the notes
        return Name(letter, None if seq else at, subscript=j)

    letter = "h" if seq else "a"
    a, dropped = node(letter, "j", layer), node(letter + TILDE, "j", layer)
    m = Name("m", subscript=a) if seq else node("m", "j", layer)
    after = None if layer is None else layer + 1
    top = "o" if seq and after == trace.n_layers else letter
    delta_i = Name("δ", subscript=node(top, "i", after)) if seq else node("δ", "i", after)
    delta_j = Name("δ", subscript=a) if seq else node("δ", "j", layer)
    weight = node("w", "ij", after)
    link = symbol_of(Partial(dropped, a))
    p = dropout.rate(layer or 2)
    one = Num(1, given=True)
    fields: dict[str, str | Math] = {
        "a": (symbol_of(a),),
        "m": (symbol_of(m),),
        "scale": (Frac(one, add(one, Neg(rate))),),
        "dropped": (
            symbol_of(dropped),
            Dropped(p, rate).display([symbol_of(a), symbol_of(m)], [], numbers=False),
        ),
        "at": (symbol_of(dropped),),
        "link": (link, DroppedDerivative(p, rate).display([symbol_of(m)], [], numbers=False)),
        "path": (mul(symbol_of(delta_i), symbol_of(weight), link),),
        "zero": (symbol_of(Partial(Name("E"), a)), Num(0, given=True)),
        "delta_zero": (symbol_of(delta_j), Num(0, given=True)),
    }
    template = phrase(key, lang)
    return prose(template, **{k: v for k, v in fields.items() if "{" + k + "}" in template})


def _node(letter: str, index: str) -> Sym:
    """A note's generic name: a_k, ∂E/∂a_k's a_k (the index a letter the note speaks of)."""
    return symbol_of(Name(letter, subscript=index))


def _softmax_note(target: str, lang: str) -> Note:
    """Why δ_j = a_j − t_j: softmax's Jacobian in the chain rule, and the targets' sum of 1
    (`target`: the one-hot target, or target probabilities, as the exercise's targets are)."""
    a_k, a_j, z_j, t_k = _node("a", "k"), _node("a", "j"), _node("z", "j"), _node("t", "k")
    E = Name("E")
    dE_k, dE_j = symbol_of(Partial(E, a_k.parts)), symbol_of(Partial(E, a_j.parts))  # type: ignore[arg-type]
    jacobian = symbol_of(Partial(a_k.parts, z_j.parts))  # type: ignore[arg-type]
    one = Num(1, given=True)
    delta = symbol_of(Name("δ", subscript="j"))
    chain = (
        delta,
        Sigma("k", mul(dE_k, jacobian)),
        mul(a_j, Paren(add(dE_j, Neg(Sigma("k", mul(dE_k, a_k)))))),
    )
    return prose(
        phrase("why_softmax_ce", lang),
        z=z_j,
        a=a_k,
        kj=(symbol_of(Name("k")), symbol_of(Name("j"))),
        same=(jacobian, mul(a_k, Paren(add(one, Neg(a_k))))),
        other=Neg(mul(a_k, a_j)),
        chain=chain,
        dE=(dE_k, Neg(Frac(t_k, a_k))),
        sum=(Neg(Sigma("k", t_k)), Neg(one)),
        delta=(delta, add(a_j, Neg(_node("t", "j")))),
        target=target,
    )


def _regularization_note(trace: Trace, key: str, which: str, lang: str) -> Note:
    """E = E_data + λ₁Σ|w| + λ₂Σw², or a penalised gradient ∂E_data/∂w + λ₁·sign(w) + 2λ₂·w
    (the core's penalty rules over a generic w, λ₁ and λ₂ as the equations name them), with
    the exercise's own penalties only: no λ₁ term where there is no L1."""
    reg = trace.exercise.regularization
    w, two = symbol_of(Name("w")), Num(2, given=True)
    data = Name("E", subscript="data")
    slopes = [PenaltyGrad(reg, norm).display([w], [0.0], numbers=False) for norm in reg.norms]
    penalty = [  # λ₁ is λ₁·sign(w)'s first factor, λ₂ is 2λ₂·w's second
        mul(slope.factors[0], Sigma("", Call("|", (w,))))  # type: ignore[union-attr]
        if norm == "L1"
        else mul(slope.factors[1], Sigma("", Pow(w, two)))  # type: ignore[union-attr]
        for norm, slope in zip(reg.norms, slopes, strict=True)
    ]
    zero = Num(0, given=True)
    return prose(
        phrase(key, lang),
        which=which,
        names=", ".join(word(f"penalty_{norm}", lang) for norm in reg.norms),
        E=(symbol_of(Name("E")), add(symbol_of(data), *penalty)),
        E_data=(symbol_of(data),),
        grad=(
            symbol_of(Partial(Name("E"), Name("w"))),
            add(symbol_of(Partial(data, Name("w"))), *slopes),
        ),
        abs=(Call("|", (w,)),),
        at=(w, zero),
        sign=(Call("sign", (zero,)), zero),
    )


def section_notes(
    trace: Trace, record: StepRecord, section: tuple[str, int | None], lang: str
) -> list[Note]:
    """The notes that stand under a section's heading in a step (most sections have none)."""
    kind, layer = section
    loss = trace.loss
    dropout = trace.exercise.dropout
    if dropout is not None and record.backward is not None:
        if kind == "forward":
            return [_dropout_note(trace, None, "why_dropout", lang)]
        if kind == "after":
            return [(word("why_dropout_eval", lang),)]
        if kind == "backward" and layer is not None and dropout.applies(layer):
            return [_dropout_note(trace, layer, "why_dropout_backward", lang)]
    reg = trace.exercise.regularization
    which = word("regularized_all" if reg.include_bias else "regularized_weights", lang)
    if kind == "loss":
        notes = (
            [_regularization_note(trace, "why_regularization", which, lang)] if reg.active else []
        )
        if _outputs_where(loss.clamped, record):
            notes.append((word("why_bce_clamp", lang),))
        return notes
    if kind != "backward" or layer != trace.n_layers:
        return []
    notes = []
    if reg.active:  # the kink of |w| is spoken of only where there is an L1 term
        key = "why_penalty_gradient" if "L1" in reg.norms else "why_penalty_gradient_smooth"
        notes.append(_regularization_note(trace, key, which, lang))
    if loss.name == "nll":  # δ = a − t holds for any targets adding up to 1
        target = "one_hot_target" if trace.exercise.classes is not None else "probability_target"
        return [*notes, _softmax_note(word(target, lang), lang)]
    if _outputs_where(loss.saturated, record):
        notes.append((word("why_bce_floor", lang),))
        if trace.exercise.activations[-1].name == "sigmoid":
            notes.append((word("why_bce_delta", lang),))
    return notes
