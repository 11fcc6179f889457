"""The worked solution of an exercise: every quantity as name = formula = numbers = value.

Built from the trace only: each equation is the quantity's own formula (`Trace.formula`)
displayed twice, over the inputs' symbols and over their values. The chain rule is written
out as the notes do by composing trace formulas — ∂E/∂W5 = δ_o1 · h1 with δ_o1 = ∂E/∂o1 ·
∂o1/∂z3 gives ∂E/∂W5 = ∂E/∂o1 · ∂o1/∂z3 · ∂z3/∂W5 — never by deriving anything here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..core.mathexpr import Expr, Num, mul
from ..core.notation import format_given, format_number
from ..core.quantities import Kind, Ref
from ..core.trace import Trace
from .document import Document, Equation
from .words import word

if TYPE_CHECKING:
    from ..core.expression import ExpressionTrace

__all__ = ["MAX_DETAILED", "equation", "worked_solution"]

MAX_DETAILED = 2_000  # more quantities per step than this: each layer in matrix form
DETAILED_STEPS = 3  # steps written out in full; the loss of every later step in a table
LOSS_ROWS = 25  # at most this many rows in that table (evenly spaced, the last one included)


def _is_given(trace: Trace | ExpressionTrace, ref: Ref) -> bool:
    return trace.formula(ref) is None


def _numbers(trace: Trace | ExpressionTrace, refs: Iterable[Ref]) -> list[Expr]:
    return [Num(trace.value(r), given=_is_given(trace, r)) for r in refs]


def _chain(trace: Trace, ref: Ref) -> tuple[list[Expr], list[Expr]] | None:
    """The chain-rule factors of a gradient or a path term, as symbols and as numbers.

    ∂E/∂w_jk (one sample) = ∂E/∂a_j · ∂a_j/∂z_j · ∂z_j/∂w_jk, the first two being δ_j's own
    formula; ∂E/∂b_j = ∂E/∂a_j · ∂a_j/∂z_j; the path of a_j through z_i is
    ∂E/∂a_i · ∂a_i/∂z_i · ∂z_i/∂a_j = δ_i · w_ij.
    """
    formula = trace.formula(ref)
    if formula is None:
        return None
    if ref.kind is Kind.GRAD_W and trace.exercise.n_samples == 1:
        delta, a_prev = formula.inputs
        z = Ref(Kind.Z, delta.layer, delta.index, delta.sample, delta.step)
        w = Ref(Kind.WEIGHT, ref.layer, ref.index, step=ref.step)
        last = (trace.derivative_symbol(z, w), a_prev)
    elif ref.kind is Kind.GRAD_B and trace.exercise.n_samples == 1:
        (delta,) = formula.inputs
        last = None
    elif ref.kind is Kind.DE_DA_TERM:
        delta, weight = formula.inputs
        z = Ref(Kind.Z, delta.layer, delta.index, delta.sample, delta.step)
        a = Ref(Kind.A, ref.layer, (ref.index[0],), ref.sample, ref.step)
        last = (trace.derivative_symbol(z, a), weight)
    else:
        return None
    delta_formula = trace.formula(delta)
    factors = (
        list(delta_formula.inputs) if delta_formula and _is_product(delta_formula) else [delta]
    )
    symbols: list[Expr] = [trace.symbol(f, step=ref.step) for f in factors]
    numbers: list[Expr] = _numbers(trace, factors)
    if last is not None:
        symbols.append(last[0])
        numbers.append(Num(trace.value(last[1]), given=_is_given(trace, last[1])))
    if len(symbols) < 2:
        return None
    return symbols, numbers


def _is_product(formula: object) -> bool:
    from ..core.formulas import Product

    return isinstance(formula.rule, Product)  # type: ignore[attr-defined]


def equation(trace: Trace | ExpressionTrace, ref: Ref) -> Equation | None:
    """The quantity's equation, or None for a given value (inputs, targets, initial weights)."""
    formula = trace.formula(ref)
    if formula is None:
        return None
    values = [trace.value(r) for r in formula.inputs]
    symbols = [trace.symbol(r, step=ref.step) for r in formula.inputs]
    symbolic = formula.rule.display(symbols, values, numbers=False)
    numeric = formula.rule.display(_numbers(trace, formula.inputs), values, numbers=True)
    forms: list[Expr] = []
    chain = _chain(trace, ref) if isinstance(trace, Trace) else None
    if chain is not None:
        forms.append(mul(*chain[0]))
    forms.append(symbolic)
    if chain is not None:
        forms.append(mul(*chain[1]))
    elif not isinstance(numeric, Num):  # a lone number says no more than the value
        forms.append(numeric)
    if not formula.inputs:  # a constant (∂f/∂f = 1)
        forms = [numeric]
    lhs = trace.symbol(ref, step=ref.step)
    return Equation(trace.name(ref), lhs, tuple(_unique(forms)), trace.value(ref))


def _unique(forms: list[Expr]) -> list[Expr]:
    kept: list[Expr] = []
    for form in forms:
        if form not in kept:
            kept.append(form)
    return kept


def worked_solution(
    trace: Trace | ExpressionTrace, *, lang: str = "en", decimals: int = 8, only: str | None = None
) -> Document:
    """The whole worked solution (or, with `only`, the one quantity named and its chain)."""
    title = trace.exercise.title.get(lang) or trace.exercise.title.get("en", trace.exercise.id)
    document = Document(title, lang, decimals)
    document.heading(title, 1)
    if only is not None:
        ref = trace.ref(only)
        found = equation(trace, ref)
        if found is None:
            document.paragraph(f"{trace.name(ref)} = {format_given(trace.value(ref))}")
        else:
            document.equation(found)
        return document
    if isinstance(trace, Trace):
        _network(document, trace)
    else:
        _expression(document, trace)
    return document


# -- expression exercises ------------------------------------------------------------------------
def _expression(document: Document, trace: ExpressionTrace) -> None:
    lang = document.lang
    given = ", ".join(f"{k} = {format_given(v)}" for k, v in trace.exercise.inputs.items())
    document.paragraph(f"{word('given', lang)}: {given}")
    document.heading(word("expression_forward", lang))
    refs = list(trace.refs())
    for ref in refs:
        if ref.kind is Kind.NODE:
            _add(document, trace, ref)
    document.heading(word("expression_backward", lang))
    for ref in refs:
        if ref.kind is not Kind.NODE:
            _add(document, trace, ref)


def _add(document: Document, trace: Trace | ExpressionTrace, ref: Ref) -> None:
    found = equation(trace, ref)
    if found is not None:
        document.equation(found)


# -- network exercises ---------------------------------------------------------------------------
def _describe(trace: Trace, lang: str) -> str:
    ex = trace.exercise
    names = [f.name for f in ex.activations]
    activation = names[0] if len(set(names)) == 1 else " / ".join(names)
    parts = [
        word("describe_layers", lang, sizes="-".join(map(str, ex.sizes))),
        word("describe_activation", lang, names=activation),
        word("describe_bias" if any(ex.bias) else "describe_no_bias", lang),
        word("describe_loss", lang, loss=ex.loss_name),
    ]
    if ex.trains:
        parts.append(word("describe_optimizer", lang, opt=ex.training.optimizer.describe()))
        parts.append(
            word("describe_learning_rate", lang, lr=format_given(ex.training.learning_rate))
        )
        parts.append(
            word("describe_samples", lang, n=ex.n_samples, reduction=ex.training.reduction)
        )
        parts.append(word("describe_steps", lang, n=ex.training.steps))
    return "; ".join(parts) + "."


def _given(document: Document, trace: Trace) -> None:
    lang = document.lang
    document.heading(word("given", lang))
    groups: dict[str, list[str]] = {}
    key = {
        Kind.INPUT: "inputs",
        Kind.TARGET: "targets",
        Kind.WEIGHT: "weights",
        Kind.BIAS: "biases",
    }
    for ref in trace.refs():
        if ref.kind not in key or (ref.step or 1) != 1:
            if ref.kind in (Kind.Z, Kind.A):
                break
            continue
        name = trace.symbol(ref, step=1).text
        groups.setdefault(key[ref.kind], []).append(f"{name} = {format_given(trace.value(ref))}")
    for label, items in groups.items():
        document.paragraph(f"{word(label, lang)}: " + ", ".join(items))


def _section_of(trace: Trace, ref: Ref) -> tuple[str, int | None]:
    """Which section a quantity belongs to: forward, loss, backward per layer, update, after."""
    if ref.after:
        return ("after", None)
    if ref.kind in (Kind.Z, Kind.A):
        return ("forward", None)
    if ref.kind in (Kind.LOSS_TERM, Kind.SAMPLE_LOSS, Kind.LOSS):
        return ("loss", None)
    if ref.kind in (Kind.STATE, Kind.UPDATE_W, Kind.UPDATE_B):
        return ("update", ref.layer)
    return ("backward", ref.layer)


def _heading_for(trace: Trace, section: tuple[str, int | None], lang: str) -> str:
    kind, layer = section
    if kind == "backward":
        key = "backward_output" if layer == trace.n_layers else "backward_hidden"
        return word(key, lang, l=layer)
    if kind == "update":
        return word("update", lang, l=layer)
    return word(kind, lang)


def _network(document: Document, trace: Trace) -> None:
    lang = document.lang
    document.paragraph(_describe(trace, lang))
    _given(document, trace)
    by_step: dict[int, list[Ref]] = {}
    for ref in trace.refs():
        if ref.step is not None:
            by_step.setdefault(ref.step, []).append(ref)
    several = len(trace.steps) > 1
    for record in trace.steps[:DETAILED_STEPS]:
        refs = by_step.get(record.step, [])
        if several:
            document.heading(word("step", lang, s=record.step), 2)
        if len(refs) > MAX_DETAILED:
            _summary(document, trace, record.step)
            continue
        level = 3 if several else 2
        current: tuple[str, int | None] | None = None
        sample: int | None = None
        for ref in refs:
            section = _section_of(trace, ref)
            if ref.kind in (Kind.WEIGHT, Kind.BIAS):
                continue  # carried over from the previous step's update
            if section != current:
                current, sample = section, None
                document.heading(_heading_for(trace, section, lang), level)
            if trace.exercise.n_samples > 1 and ref.sample is not None and ref.sample != sample:
                sample = ref.sample
                document.heading(word("sample", lang, n=sample), level + 1)
            _add(document, trace, ref)
        if record.backward is None:
            document.paragraph(word("forward_only", lang))
        elif record.forward.loss is not None and record.after is not None:
            before, after = record.forward.loss, record.after.loss or 0.0
            change = (after - before) / before * 100 if before else 0.0
            document.paragraph(
                word(
                    "loss_change",
                    lang,
                    before=format_number(before, document.decimals),
                    after=format_number(after, document.decimals),
                    change=f"{change:+.2f} %",
                )
            )

    if len(trace.steps) > DETAILED_STEPS:
        _later_steps(document, trace)


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
    """Each layer in matrix form, for networks too big to write out number by number."""
    lang = document.lang
    document.paragraph(word("summary", lang))
    record = trace.steps[step - 1]
    L = trace.n_layers
    for layer in range(2, L + 1):
        i = layer - 2
        f = trace.exercise.activations[i]
        shape = record.W[i].shape
        lines = [
            f"z({layer}) = a({layer - 1}) W({layer})ᵀ"
            + (f" + b({layer})" if record.b[i] is not None else "")
            + f"   W({layer}): {shape[0]}×{shape[1]}",
            f"a({layer}) = {f.name}(z({layer}))",
        ]
        if record.backward is not None:
            if layer == L:
                lines.append(f"δ({layer}) = ∂E/∂a({layer}) ⊙ f′(z({layer}))")
            else:
                lines.append(f"δ({layer}) = (δ({layer + 1}) W({layer + 1})) ⊙ f′(z({layer}))")
            lines.append(f"∂E/∂W({layer}) = r·δ({layer})ᵀ a({layer - 1})")
            lines.append(f"W({layer})⁺ = W({layer}) − η·∂E/∂W({layer})")
            norm = float((record.backward.delta[i] ** 2).sum() ** 0.5)
            lines.append(f"‖δ({layer})‖ = {format_number(norm, document.decimals)}")
        document.heading(word("forward_layer", lang, l=layer), 3)
        for line in lines:
            document.paragraph(line)
    if record.forward.loss is not None:
        document.paragraph(f"E = {format_number(record.forward.loss, document.decimals)}")
