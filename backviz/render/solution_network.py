"""The sections of a network exercise's worked solution: what is given, then for each step the
forward pass, the loss, each layer's backward pass and update, and the check after the update.

Big exercises are shortened: after `DETAILED_STEPS` steps a table of the loss per step; a step
of more than `MAX_DETAILED` quantities each layer in matrix form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.mathexpr import Call, Frac, Mul, Name, Neg, Num, Paren, Partial, Sym, add, mul
from ..core.notation import TILDE, format_given, format_number, symbol_of
from ..core.quantities import Kind, Ref
from .document import Document
from .equations import add_equation
from .solution_notes import section_notes
from .words import word

if TYPE_CHECKING:
    from ..core.exercise import NetworkExercise
    from ..core.trace import Trace

__all__ = [
    "DETAILED_STEPS",
    "MAX_DETAILED",
    "describe",
    "network_sections",
    "section_heading",
    "section_of",
]

MAX_DETAILED = 2_000  # more quantities per step than this: each layer in matrix form
DETAILED_STEPS = 3  # steps written out in full; the loss of every later step in a table
LOSS_ROWS = 25  # at most this many rows in that table (evenly spaced, the last one included)
BATCH = 0  # under the whole batch's heading: lines of every sample (E, ∂E/∂W), not of one


def _bias_words(ex: NetworkExercise, lang: str) -> str:
    """The words saying whether the layers have biases, and whether one shared by each: one
    phrase when every layer is alike, else layer by layer (bias = [false, "shared"] is not
    "one bias per layer")."""
    kinds = [
        "none" if not has else "shared" if ex.shares_bias(i + 2) else "per_node"
        for i, has in enumerate(ex.bias)
    ]
    if len(set(kinds)) == 1:
        whole = {"none": "describe_no_bias", "shared": "describe_shared_bias"}
        return word(whole.get(kinds[0], "describe_bias"), lang)
    layers = ", ".join(
        word(f"describe_layer_bias_{kind}", lang, layer=i + 2) for i, kind in enumerate(kinds)
    )
    return word("describe_biases_by_layer", lang, layers=layers)


def _frozen_words(ex: NetworkExercise, lang: str) -> str:
    """Which biases are frozen: every layer's, or the layers `train_bias = [...]` freezes."""
    if not ex.trains_bias:
        return word("describe_frozen_bias", lang)
    frozen = [
        str(layer)
        for layer in range(2, ex.n_layers + 1)
        if ex.bias[layer - 2] and not ex.trains_bias_of(layer)
    ]
    return word("describe_frozen_layer_bias", lang, layers=", ".join(frozen))


def describe(trace: Trace, lang: str) -> str:
    """One line saying what the network is: sizes, activations, biases, loss, training."""
    ex = trace.exercise
    names = [f.name for f in ex.activations]
    activation = names[0] if len(set(names)) == 1 else " / ".join(names)
    parts = [
        word("describe_layers", lang, sizes="-".join(map(str, ex.sizes))),
        word("describe_activation", lang, names=activation),
        _bias_words(ex, lang),
        word("describe_loss", lang, loss=ex.loss_name),
    ]
    if ex.freezes_bias:
        parts.insert(3, _frozen_words(ex, lang))
    if ex.trains:
        parts.append(word("describe_optimizer", lang, opt=ex.training.optimizer.describe()))
        parts.append(
            word("describe_learning_rate", lang, lr=format_given(ex.training.learning_rate))
        )
        parts.append(
            word("describe_samples", lang, n=ex.n_samples, reduction=ex.training.reduction)
        )
        parts.append(word("describe_steps", lang, n=ex.training.steps))
    if ex.dropout is not None:
        rates = ", ".join(  # p = 0.5 (the notes' one hidden layer), p(2) = 0.5, p(3) = 0.2
            f"{trace.namer.rate(layer).text} = {format_given(p)}"
            for layer, p in enumerate(ex.dropout.rates, start=2)
        )
        parts.append(word("describe_dropout", lang, rates=rates))
    reg = ex.regularization
    if reg.active:
        symbols = {"L1": "λ₁", "L2": "λ₂"}
        terms = ", ".join(
            f"{symbols[norm]} = {format_given(reg.strength(norm))} ({norm})" for norm in reg.norms
        )
        key = "regularized_all" if reg.include_bias else "regularized_weights"
        parts.append(word("describe_regularization", lang, terms=terms, which=word(key, lang)))
    return "; ".join(parts) + "."


def _given(document: Document, trace: Trace) -> None:
    lang = document.lang
    document.heading(word("given", lang))
    groups: dict[str, list[tuple[Sym, Num]]] = {}
    key = {
        Kind.INPUT: "inputs",
        Kind.TARGET: "targets",
        Kind.WEIGHT: "weights",
        Kind.BIAS: "biases",
        Kind.MASK: "dropout_masks",
    }
    for ref in trace.refs():
        if ref.kind not in key or (ref.step or 1) != 1:
            if ref.kind in (Kind.Z, Kind.A):
                break
            continue
        item = (trace.symbol(ref, step=1), Num(trace.value(ref), given=True))
        groups.setdefault(key[ref.kind], []).append(item)
    for label, items in groups.items():
        document.values(word(label, lang), items)


def section_of(trace: Trace, ref: Ref) -> tuple[str, int | None]:
    """Which section a quantity belongs to: forward, loss, backward per layer, update, after."""
    if ref.after:
        return ("after", None)
    if ref.kind in (Kind.Z, Kind.A, Kind.DROPPED):
        return ("forward", None)
    if ref.kind in (Kind.LOSS_TERM, Kind.SAMPLE_LOSS, Kind.LOSS, Kind.DATA_LOSS, Kind.PENALTY):
        return ("loss", None)
    if ref.kind in (Kind.STATE, Kind.UPDATE_W, Kind.UPDATE_B):
        return ("update", ref.layer)
    return ("backward", ref.layer)


def section_heading(trace: Trace, section: tuple[str, int | None], lang: str) -> str:
    kind, layer = section
    if kind == "backward":
        key = "backward_output" if layer == trace.n_layers else "backward_hidden"
        return word(key, lang, l=layer)
    if kind == "update":
        return word("update", lang, l=layer)
    return word(kind, lang)


def network_sections(document: Document, trace: Trace) -> None:
    lang = document.lang
    document.paragraph(describe(trace, lang))
    _given(document, trace)
    by_step: dict[int, list[Ref]] = {}
    for ref in trace.refs():
        if ref.step is not None:
            by_step.setdefault(ref.step, []).append(ref)
    several = len(trace.steps) > 1
    for record in trace.steps[:DETAILED_STEPS]:
        refs = _check_by_sample(by_step.get(record.step, []))
        if several:
            document.heading(word("step", lang, s=record.step), 2)
        if len(refs) > MAX_DETAILED:
            _summary(document, trace, record.step)
            continue
        level = 3 if several else 2
        current: tuple[str, int | None] | None = None
        sample: int | None = None  # the sample whose heading the lines stand under
        for ref in refs:
            section = section_of(trace, ref)
            if ref.kind in (Kind.WEIGHT, Kind.BIAS):
                continue  # carried over from the previous step's update
            if section != current:
                current, sample = section, None
                document.heading(section_heading(trace, section, lang), level)
                for note in section_notes(trace, record, section, lang):
                    document.prose(note)
            if trace.exercise.n_samples > 1:
                if ref.sample is not None and ref.sample != sample:
                    sample = ref.sample
                    document.heading(word("sample", lang, n=sample), level + 1)
                elif ref.sample is None and sample not in (None, BATCH):
                    # E, ∂E/∂W read every sample: not lines of the last sample's heading
                    sample = BATCH
                    document.heading(word("batch", lang), level + 1)
            add_equation(document, trace, ref)
        if record.backward is None:
            document.paragraph(word("forward_only", lang))
        elif record.forward.loss is not None and record.after is not None:
            before, after = record.forward.loss, record.after.loss or 0.0
            change = (after - before) / before * 100 if before else 0.0
            document.paragraph(
                word(
                    "loss_change" if trace.exercise.dropout is None else "loss_change_dropout",
                    lang,
                    before=format_number(before, document.decimals),
                    after=format_number(after, document.decimals),
                    change=f"{change:+.2f} %",
                )
            )

    if len(trace.steps) > DETAILED_STEPS:
        _later_steps(document, trace)


def _check_by_sample(refs: list[Ref]) -> list[Ref]:
    """A step's quantities in computing order, the check after the update (at the end) taken
    sample by sample: z⁺, a⁺ and E⁺[1] of sample 1, then sample 2's, then E⁺ of the batch —
    one heading per sample, not its forward pass and its loss under two headings of the same
    name. (E⁺[n] reads only sample n's outputs, so this too is an order a person computes in.)"""
    after = [ref for ref in refs if ref.after]
    before = [ref for ref in refs if not ref.after]
    return before + sorted(after, key=lambda ref: (ref.sample is None, ref.sample or 0))


def _later_steps(document: Document, trace: Trace) -> None:
    """The loss before and after each later step, as a table of rows."""
    lang = document.lang
    first, last = DETAILED_STEPS + 1, len(trace.steps)
    document.heading(word("later_steps", lang, first=first, last=last), 2)
    chosen = sorted({round(first + (last - first) * i / (LOSS_ROWS - 1)) for i in range(LOSS_ROWS)})
    for s in chosen:
        record = trace.steps[s - 1]
        before = format_number(record.forward.loss or 0.0, document.decimals)
        after = format_number(
            (record.after.loss if record.after else None) or 0.0, document.decimals
        )
        document.paragraph(word("loss_row", lang, s=s, before=before, after=after))


def _summary(document: Document, trace: Trace, step: int) -> None:
    """Each layer in matrix form, for networks too big to write out number by number: row
    vectors a⁽ˡ⁾ (one row per sample), W⁽ˡ⁾ with a row per node of layer l; r is the reduction
    over samples (1/N for a mean)."""
    lang = document.lang
    document.paragraph(word("summary", lang))
    record = trace.steps[step - 1]
    L = trace.n_layers

    def m(letter: str, layer: int, **kw: bool) -> Sym:
        return symbol_of(Name(letter, layer, **kw))

    def d(letter: str, layer: int) -> Sym:
        return symbol_of(Partial(Name("E"), Name(letter, layer)))

    trains = record.backward is not None
    ex = trace.exercise

    def dropped(layer: int) -> bool:  # ã⁽ˡ⁾ = a⁽ˡ⁾ ⊙ m⁽ˡ⁾/(1 − p⁽ˡ⁾) in this step's training pass
        return trains and ex.dropout_mask(layer) is not None

    def read(layer: int) -> Sym:  # what the next layer reads: ã⁽ˡ⁾ through dropout, else a⁽ˡ⁾
        return m("a" + TILDE, layer) if dropped(layer) else m("a", layer)

    def keep(layer: int) -> Frac:  # m⁽ˡ⁾/(1 − p⁽ˡ⁾), the dropout derivative ∂ã⁽ˡ⁾/∂a⁽ˡ⁾
        return Frac(m("m", layer), add(Num(1, given=True), Neg(trace.namer.rate(layer))))

    for layer in range(2, L + 1):
        i = layer - 2
        f = ex.activations[i]
        document.heading(word("forward_layer", lang, l=layer), 3)
        z, a, W = m("z", layer), m("a", layer), m("W", layer)
        product = mul(read(layer - 1), m("W", layer, transposed=True))
        net = add(product, m("b", layer)) if record.b[i] is not None else product
        document.formula(z, net, shape=(W, *record.W[i].shape))
        document.formula(a, Call(f.name, (z,)))
        if dropped(layer):
            document.formula(read(layer), Mul((a, keep(layer)), elementwise=True))
        if record.backward is None:
            continue
        derivative = Call("f′", (z,))
        if layer == L:
            document.formula(m("δ", layer), Mul((d("a", layer), derivative), elementwise=True))
        else:
            back = Paren(mul(m("δ", layer + 1), m("W", layer + 1)))
            factors = (back, derivative)
            if dropped(layer):  # ∂E/∂ã⁽ˡ⁾ ⊙ ∂ã⁽ˡ⁾/∂a⁽ˡ⁾ ⊙ ∂a⁽ˡ⁾/∂z⁽ˡ⁾
                link = symbol_of(Partial(Name("a" + TILDE, layer), Name("a", layer)))
                document.formula(link, keep(layer))
                factors = (back, link, derivative)
            document.formula(m("δ", layer), Mul(factors, elementwise=True))
        reduction = Sym("r", "r")
        delta_t, previous = m("δ", layer, transposed=True), read(layer - 1)
        gradient = mul(reduction, delta_t, previous)
        reg = trace.exercise.regularization
        if reg.active:  # + the penalty's terms, elementwise: λ₁·sign(W) + 2λ₂·W
            penalty = {
                "L1": mul(Sym("λ₁", r"\lambda_1"), Call("sign", (W,))),
                "L2": mul(Num(2, given=True), Sym("λ₂", r"\lambda_2"), W),
            }
            gradient = add(gradient, *(penalty[norm] for norm in reg.norms))
        document.formula(d("W", layer), gradient)
        eta = Sym("η", r"\eta")
        document.formula(m("W", layer, after=True), add(W, Neg(mul(eta, d("W", layer)))))
        norm = float((record.backward.delta[i] ** 2).sum() ** 0.5)
        document.formula(Call("‖", (m("δ", layer),)), Num(norm))
    fwd = record.forward
    if fwd.data_loss is not None:  # with regularisation: E_data and the penalty terms
        document.formula(symbol_of(Name("E", subscript="data")), Num(fwd.data_loss))
    for norm, value in fwd.penalty.items():
        document.formula(symbol_of(Name("E", subscript=norm)), Num(value))
    if record.forward.loss is not None:
        document.formula(symbol_of(Name("E")), Num(record.forward.loss))
