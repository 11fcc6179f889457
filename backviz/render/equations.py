"""One quantity's worked equation: name = formula = numbers = value, read from the trace.

Each equation is the quantity's own formula (`formula(ref)` of the trace) displayed twice,
over the inputs' symbols and over their values. The chain rule is written out as the notes do
by composing trace formulas — ∂E/∂W5 = δ_o1 · h1 with δ_o1 = ∂E/∂o1 · ∂o1/∂z3 gives
∂E/∂W5 = ∂E/∂o1 · ∂o1/∂z3 · ∂z3/∂W5 — never by deriving anything here. The short cut of
softmax with cross-entropy, δ_j = a_j − t_j, is preceded by the chain rule it short-cuts (the
core's softmax rule over the ∂E/∂a lines above it), so the ∂E/∂a = −t/a lines lead to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..core.formulas import GradB, GradW, Product, SoftmaxCrossEntropyDelta, SoftmaxDelta
from ..core.mathexpr import Expr, Num, Sym, mul
from ..core.quantities import Kind, Ref
from .document import Document, Equation

if TYPE_CHECKING:
    from ..core.quantity_trace import QuantityTrace

__all__ = ["add_equation", "equation", "equation_terms"]


def _is_given(trace: QuantityTrace, ref: Ref) -> bool:
    return trace.formula(ref) is None


def _numbers(trace: QuantityTrace, refs: Iterable[Ref]) -> list[Expr]:
    return [Num(trace.value(r), given=_is_given(trace, r)) for r in refs]


def _chain_factors(trace: QuantityTrace, ref: Ref) -> list[tuple[Sym, Ref]] | None:
    """The chain-rule factors of a gradient or a path term: each factor's symbol and the
    quantity whose value it is (∂z3/∂W5 is written for h1's value).

    ∂E/∂w_jk (one sample) = ∂E/∂a_j · ∂a_j/∂z_j · ∂z_j/∂w_jk, the first two being δ_j's own
    formula; ∂E/∂b_j = ∂E/∂a_j · ∂a_j/∂z_j; the path of a_j through z_i is
    ∂E/∂a_i · ∂a_i/∂z_i · ∂z_i/∂a_j = δ_i · w_ij, and through dropout's ã_j
    ∂E/∂a_i · ∂a_i/∂z_i · ∂z_i/∂ã_j · ∂ã_j/∂a_j = δ_i · w_ij · ∂ã_j/∂a_j.
    """
    formula = trace.formula(ref)
    if formula is None:
        return None
    links: list[tuple[Sym, Ref]] = []  # dropout's ∂ã_j/∂a_j after ∂z_i/∂ã_j
    # ∂E/∂W (with regularisation its data term ∂E_data/∂W: ∂E/∂W is then a sum of terms)
    if isinstance(formula.rule, GradW) and trace.exercise.n_samples == 1:
        delta, a_prev = formula.inputs
        z = Ref(Kind.Z, delta.layer, delta.index, delta.sample, delta.step)
        w = Ref(Kind.WEIGHT, ref.layer, ref.index, step=ref.step)
        last = (trace.derivative_symbol(z, w), a_prev)
    elif isinstance(formula.rule, GradB) and len(formula.inputs) == 1:  # one sample, own bias
        (delta,) = formula.inputs
        last = None
    elif ref.kind is Kind.DE_DA_TERM:  # through dropout also ∂ã_j/∂a_j, a link of its own
        delta, weight, *link = formula.inputs
        z = Ref(Kind.Z, delta.layer, delta.index, delta.sample, delta.step)
        a = Ref(Kind.DROPPED if link else Kind.A, ref.layer, (ref.index[0],), ref.sample, ref.step)
        last = (trace.derivative_symbol(z, a), weight)
        links = [(trace.symbol(r, step=ref.step), r) for r in link]
    else:
        return None
    delta_formula = trace.formula(delta)
    factors = (
        list(delta_formula.inputs)
        if delta_formula and isinstance(delta_formula.rule, Product)
        else [delta]
    )
    pairs = [(trace.symbol(f, step=ref.step), f) for f in factors]
    if last is not None:
        pairs.append(last)
    pairs += links
    return pairs if len(pairs) >= 2 else None


def _chain(trace: QuantityTrace, ref: Ref) -> tuple[list[Expr], list[Expr]] | None:
    """The chain-rule factors as symbols and as numbers (see `_chain_factors`)."""
    pairs = _chain_factors(trace, ref)
    if pairs is None:
        return None
    return [symbol for symbol, _ in pairs], _numbers(trace, [factor for _, factor in pairs])


def _jacobian_refs(trace: QuantityTrace, ref: Ref) -> list[Ref] | None:
    """For δ_j at a softmax output under cross-entropy, the quantities of the chain rule it
    short-cuts: ∂E/∂a_1..∂E/∂a_J, then a_1..a_J of its layer (None for any other quantity)."""
    formula = trace.formula(ref)
    if formula is None or not isinstance(formula.rule, SoftmaxCrossEntropyDelta):
        return None
    layer, n, s = ref.layer, ref.sample, ref.step
    nodes = range(1, trace.exercise.sizes[(layer or 0) - 1] + 1)
    g = [Ref(Kind.DE_DA, layer, (i,), n, s) for i in nodes]
    return g + [Ref(Kind.A, layer, (i,), n, s) for i in nodes]


def _jacobian(trace: QuantityTrace, ref: Ref) -> tuple[Expr, Expr] | None:
    """δ_j = Σ_k ∂E/∂a_k·∂a_k/∂z_j through softmax's Jacobian, as symbols and as numbers:
    the bridge from the ∂E/∂a lines to a_j − t_j. It is the core's own softmax rule
    (`SoftmaxDelta`: a_j·(∂E/∂a_j − Σ_k ∂E/∂a_k·a_k)) over the trace's ∂E/∂a and a."""
    refs = _jacobian_refs(trace, ref)
    if refs is None:
        return None
    rule = SoftmaxDelta(len(refs) // 2, ref.index[0] - 1)
    values = [trace.value(r) for r in refs]
    symbols = [trace.symbol(r, step=ref.step) for r in refs]
    return (
        rule.display(symbols, values, numbers=False),
        rule.display(_numbers(trace, refs), values, numbers=True),
    )


def equation_terms(trace: QuantityTrace, ref: Ref) -> list[tuple[Sym, Ref]]:
    """The quantities the equation of `ref` writes, each with the symbol it is written as:
    the formula's inputs, then the chain rule's factors where it is written out."""
    pairs = [(trace.symbol(r, step=ref.step), r) for r in trace.inputs(ref)]
    jacobian = [(trace.symbol(r, step=ref.step), r) for r in _jacobian_refs(trace, ref) or []]
    extra = (_chain_factors(trace, ref) or []) + jacobian
    return pairs + [pair for pair in extra if pair not in pairs]


def equation(trace: QuantityTrace, ref: Ref) -> Equation | None:
    """The quantity's equation, or None for a given value (inputs, targets, initial weights)."""
    formula = trace.formula(ref)
    if formula is None:
        return None
    values = [trace.value(r) for r in formula.inputs]
    symbols = [trace.symbol(r, step=ref.step) for r in formula.inputs]
    symbolic = formula.rule.display(symbols, values, numbers=False)
    numeric = formula.rule.display(_numbers(trace, formula.inputs), values, numbers=True)
    forms: list[Expr] = []
    jacobian = _jacobian(trace, ref)
    if jacobian is not None:  # the chain rule through softmax first, then what it comes to
        forms += jacobian
    chain = _chain(trace, ref)
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


def add_equation(document: Document, trace: QuantityTrace, ref: Ref) -> None:
    """The quantity's equation appended to the document (nothing for a given value)."""
    found = equation(trace, ref)
    if found is not None:
        document.equation(found)
