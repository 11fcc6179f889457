"""Which quantities feed which: the formula (rule and input quantities) of every trace entry.

The rules themselves, numeric and symbolic, live in `formulas/`; this module only knows the
network's structure: z_j reads w_j1..w_jK, a_1..a_K (and b_j), δ_j reads ∂E/∂a_j and ∂a_j/∂z_j,
∂E/∂w_jk reads δ_j and a_k of every sample, and so on — one function per kind of quantity, in
`WIRING`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import formulas as F
from .formulas import Formula
from .quantities import Kind, Ref

if TYPE_CHECKING:
    from .trace import Trace

__all__ = ["WIRING", "formula_of"]


def formula_of(trace: Trace, ref: Ref) -> Formula | None:
    """How the quantity is computed from others; None for given values (x, t, initial W)."""
    try:
        wire = WIRING[ref.kind]
    except KeyError:
        raise KeyError(ref) from None
    return wire(trace, ref)


def _given(trace: Trace, ref: Ref) -> None:
    return None


def _parameter(trace: Trace, ref: Ref) -> Formula | None:
    """W and b: given at step 1; afterwards the previous step's W⁺ and b⁺."""
    s = ref.step or 1
    if s == 1:
        return None
    if ref.kind is Kind.BIAS and not trace.exercise.trains_bias_of(ref.layer or 0):
        # frozen: b of the step before
        return Formula(F.Same(), (Ref(Kind.BIAS, ref.layer, ref.index, step=s - 1),))
    update = Kind.UPDATE_W if ref.kind is Kind.WEIGHT else Kind.UPDATE_B
    return Formula(F.Same(), (Ref(update, ref.layer, ref.index, step=s - 1),))


def _z(trace: Trace, ref: Ref) -> Formula:
    """z_j = Σ_k w_jk·a_k (+ b_j), with W⁺ and b⁺ in the pass after the update."""
    ex, layer, s, n, j = trace.exercise, ref.layer or 0, ref.step or 1, ref.sample, ref.index[0]
    fan_in = ex.sizes[layer - 2]
    w_kind = Kind.UPDATE_W if ref.after else Kind.WEIGHT
    b_kind = Kind.UPDATE_B if ref.after and ex.trains_bias_of(layer) else Kind.BIAS  # frozen: b
    weights = [Ref(w_kind, layer, (j, k), step=s) for k in range(1, fan_in + 1)]
    prev = [_a_ref(trace, layer - 1, k, n, s, ref.after) for k in range(1, fan_in + 1)]
    bias = ex.bias[layer - 2]
    extra = [Ref(b_kind, layer, (ex.bias_index(layer, j),), step=s)] if bias else []
    return Formula(F.WeightedSum(fan_in, bias), (*weights, *prev, *extra))


def _a(trace: Trace, ref: Ref) -> Formula:
    """a_j = f(z_j); softmax reads every z of its layer."""
    layer, s, n, j = ref.layer or 0, ref.step or 1, ref.sample, ref.index[0]
    f = trace.exercise.activations[layer - 2]
    if f.vector:
        zs = tuple(Ref(Kind.Z, layer, (i,), n, s, ref.after) for i in _nodes(trace, layer))
        return Formula(F.SoftmaxOf(f, j - 1), zs)
    return Formula(F.Activate(f), (Ref(Kind.Z, layer, (j,), n, s, ref.after),))


def _dropped(trace: Trace, ref: Ref) -> Formula:
    """ã_j = a_j·m_j/(1 − p): a hidden node's output through dropout (training pass)."""
    layer, s, n, j = ref.layer or 0, ref.step or 1, ref.sample, ref.index[0]
    a, m = Ref(Kind.A, layer, (j,), n, s), Ref(Kind.MASK, layer, (j,), n)
    return Formula(F.Dropped(_rate(trace, layer), trace.namer.rate(layer)), (a, m))


def _dropped_da(trace: Trace, ref: Ref) -> Formula:
    """∂ã_j/∂a_j = m_j/(1 − p): the link of each path of a_j back through dropout."""
    layer, n, j = ref.layer or 0, ref.sample, ref.index[0]
    rule = F.DroppedDerivative(_rate(trace, layer), trace.namer.rate(layer))
    return Formula(rule, (Ref(Kind.MASK, layer, (j,), n),))


def _loss_term(trace: Trace, ref: Ref) -> Formula:
    """E_oj from o_j and t_j."""
    L, s, n, j = trace.n_layers, ref.step or 1, ref.sample, ref.index[0]
    o = Ref(Kind.A, L, (j,), n, s, ref.after)
    return Formula(F.LossTerm(trace.loss), (o, Ref(Kind.TARGET, L, (j,), n)))


def _sample_loss(trace: Trace, ref: Ref) -> Formula:
    return _loss_of_sample(trace, ref.sample, ref.step or 1, ref.after)


def _loss(trace: Trace, ref: Ref) -> Formula:
    """E: with regularisation E_data + E_L1 + E_L2; otherwise the data loss."""
    reg = trace.exercise.regularization
    if not reg.active:
        return _data_loss(trace, ref)
    s = ref.step or 1
    data = Ref(Kind.DATA_LOSS, None, (), None, s, ref.after)
    penalties = (Ref(Kind.PENALTY, None, (), None, s, ref.after, (norm,)) for norm in reg.norms)
    return Formula(F.Sum(), (data, *penalties))


def _penalty(trace: Trace, ref: Ref) -> Formula:
    """E_L1 = λ₁Σ|w| or E_L2 = λ₂Σw² over every weight (and bias, with include_bias)."""
    ex, s = trace.exercise, ref.step or 1
    reg = ex.regularization
    weight = Kind.UPDATE_W if ref.after else Kind.WEIGHT
    params = []
    for layer in range(2, ex.n_layers + 1):
        n, fan_in = ex.sizes[layer - 1], ex.sizes[layer - 2]
        params += [
            Ref(weight, layer, (j, k), step=s)
            for j in range(1, n + 1)
            for k in range(1, fan_in + 1)
        ]
    if reg.include_bias:
        for layer in range(2, ex.n_layers + 1):
            if ex.bias[layer - 2]:
                trained = ref.after and ex.trains_bias_of(layer)
                bias = Kind.UPDATE_B if trained else Kind.BIAS  # frozen: b⁺ is b
                params += [  # one per node, or the layer's one shared bias
                    Ref(bias, layer, (j,), step=s) for j in range(1, ex.bias_count(layer) + 1)
                ]
    return Formula(F.Penalty(reg, ref.label[0]), tuple(params))


def _data_loss(trace: Trace, ref: Ref) -> Formula:
    """E_data: the one sample's loss, or the reduction (mean or sum) of the samples' losses."""
    ex, s = trace.exercise, ref.step or 1
    if ex.n_samples == 1:
        return _loss_of_sample(trace, 1, s, ref.after)
    per_sample = tuple(
        Ref(Kind.SAMPLE_LOSS, None, (), m, s, ref.after) for m in range(1, ex.n_samples + 1)
    )
    return Formula(F.TotalLoss(ex.training.reduction, ex.n_samples), per_sample)


def _dE_da(trace: Trace, ref: Ref) -> Formula:
    """At the output, the loss's derivative; in a hidden layer, the sum over its paths."""
    layer, s, n, j = ref.layer or 0, ref.step or 1, ref.sample, ref.index[0]
    L = trace.n_layers
    if layer == L:
        target = Ref(Kind.TARGET, L, (j,), n)
        rule = F.OutputGrad(trace.loss, trace.exercise.sizes[-1], j - 1)
        if trace.loss.name == "ce":
            outputs = tuple(Ref(Kind.A, L, (i,), n, s) for i in _nodes(trace, L))
            return Formula(rule, (*outputs, target))
        return Formula(rule, (Ref(Kind.A, L, (j,), n, s), target))
    terms = tuple(Ref(Kind.DE_DA_TERM, layer, (j, i), n, s) for i in _nodes(trace, layer + 1))
    return Formula(F.Sum(), terms)


def _dE_da_term(trace: Trace, ref: Ref) -> Formula:
    """The path of a_j through z_i of the next layer: δ_i · w_ij; through dropout's ã_j,
    δ_i · w_ij · ∂ã_j/∂a_j (= δ_i · w_ij · m_j/(1 − p))."""
    layer, s, n = ref.layer or 0, ref.step or 1, ref.sample
    j, i = ref.index
    delta = Ref(Kind.DELTA, layer + 1, (i,), n, s)
    weight = Ref(Kind.WEIGHT, layer + 1, (i, j), step=s)
    if trace.exercise.dropout_mask(layer) is not None:
        link = Ref(Kind.DROPPED_DA, layer, (j,), n, s)
        return Formula(F.Product(), (delta, weight, link))
    return Formula(F.Product(), (delta, weight))


def _da_dz(trace: Trace, ref: Ref) -> Formula:
    """f′(z_j), written from z_j and a_j (σ′ = a(1 − a))."""
    layer, s, n, j = ref.layer or 0, ref.step or 1, ref.sample, ref.index[0]
    f = trace.exercise.activations[layer - 2]
    z, a = Ref(Kind.Z, layer, (j,), n, s), Ref(Kind.A, layer, (j,), n, s)
    return Formula(F.LocalDerivative(f), (z, a))


def _delta(trace: Trace, ref: Ref) -> Formula:
    """δ_j = ∂E/∂a_j · ∂a_j/∂z_j; softmax's Jacobian product; softmax + cross-entropy a − t."""
    layer, s, n, j = ref.layer or 0, ref.step or 1, ref.sample, ref.index[0]
    L = trace.n_layers
    f = trace.exercise.activations[layer - 2]
    if layer == L and trace.loss.name == "nll":
        a, t = Ref(Kind.A, L, (j,), n, s), Ref(Kind.TARGET, L, (j,), n)
        return Formula(F.SoftmaxCrossEntropyDelta(), (a, t))
    if f.vector:
        nodes = _nodes(trace, layer)
        g = tuple(Ref(Kind.DE_DA, layer, (i,), n, s) for i in nodes)
        a_all = tuple(Ref(Kind.A, layer, (i,), n, s) for i in nodes)
        return Formula(F.SoftmaxDelta(len(nodes), j - 1), (*g, *a_all))
    dE_da = Ref(Kind.DE_DA, layer, (j,), n, s)
    return Formula(F.Product(), (dE_da, Ref(Kind.DA_DZ, layer, (j,), n, s)))


def _grad(trace: Trace, ref: Ref) -> Formula:
    """∂E/∂w: with w in the penalty, ∂E_data/∂w + ∂E_L1/∂w + ∂E_L2/∂w; else the data term."""
    reg = trace.exercise.regularization
    bias = ref.kind is Kind.GRAD_B
    if not (reg.active and reg.includes(bias)):
        return _grad_b(trace, ref) if bias else _grad_w(trace, ref)
    param = "b" if bias else "W"
    data = Ref(Kind.DATA_GRAD_B if bias else Kind.DATA_GRAD_W, ref.layer, ref.index, step=ref.step)
    terms = (
        Ref(Kind.PENALTY_GRAD, ref.layer, ref.index, step=ref.step, label=(norm, param))
        for norm in reg.norms
    )
    return Formula(F.Sum(), (data, *terms))


def _penalty_grad(trace: Trace, ref: Ref) -> Formula:
    """∂E_L1/∂w = λ₁·sign(w) or ∂E_L2/∂w = 2λ₂·w, from w of this step."""
    norm, param = ref.label
    kind = Kind.BIAS if param == "b" else Kind.WEIGHT
    w = Ref(kind, ref.layer, ref.index, step=ref.step)
    return Formula(F.PenaltyGrad(trace.exercise.regularization, norm), (w,))


def _grad_w(trace: Trace, ref: Ref) -> Formula:
    """∂E/∂w_jk (or its data term) = r·Σ_n δ_j[n]·a_k[n] (r = 1/N for the mean)."""
    ex, layer, s = trace.exercise, ref.layer or 0, ref.step or 1
    j, k = ref.index
    samples = range(1, ex.n_samples + 1)
    deltas = tuple(Ref(Kind.DELTA, layer, (j,), m, s) for m in samples)
    prev = tuple(_a_ref(trace, layer - 1, k, m, s, False) for m in samples)
    return Formula(F.GradW(ex.training.reduction, ex.n_samples), (*deltas, *prev))


def _grad_b(trace: Trace, ref: Ref) -> Formula:
    """∂E/∂b_j = r·Σ_n δ_j[n]; a bias shared by the layer: ∂E/∂b = r·Σ_n Σ_j δ_j[n]."""
    ex, layer, s, j = trace.exercise, ref.layer or 0, ref.step or 1, ref.index[0]
    nodes = _nodes(trace, layer) if ex.shares_bias(layer) else (j,)
    samples = range(1, ex.n_samples + 1)
    deltas = tuple(Ref(Kind.DELTA, layer, (i,), m, s) for m in samples for i in nodes)
    return Formula(F.GradB(ex.training.reduction, ex.n_samples), deltas)


def _state(trace: Trace, ref: Ref) -> Formula:
    """The optimiser's state (momentum buffer, moments, sums of squares) from the parameter,
    its gradient, the slots of this step it reads, and its own value of the step before."""
    layer, s = ref.layer or 0, ref.step or 1
    slot, param = ref.label
    w, g = _param_and_grad(layer, ref.index, s, param == "b")
    optimizer = trace.exercise.training.optimizer
    current = tuple(
        Ref(Kind.STATE, layer, ref.index, None, s, label=(other, param))
        for other in optimizer.reads(slot)
    )
    previous = () if s == 1 else (Ref(Kind.STATE, layer, ref.index, None, s - 1, label=ref.label),)
    return Formula(F.StateUpdate(optimizer, slot, s == 1), (w, g, *current, *previous))


def _update(trace: Trace, ref: Ref) -> Formula:
    """W⁺ and b⁺ by the optimiser's rule from the parameter, its gradient and the state."""
    layer, s = ref.layer or 0, ref.step or 1
    is_bias = ref.kind is Kind.UPDATE_B
    w, g = _param_and_grad(layer, ref.index, s, is_bias)
    param = "b" if is_bias else "W"
    optimizer = trace.exercise.training.optimizer
    states = tuple(
        Ref(Kind.STATE, layer, ref.index, None, s, label=(slot, param)) for slot in optimizer.slots
    )
    return Formula(F.ParamUpdate(optimizer, s), (w, g, *states))


# The formula of each kind of a network's quantities (expressions wire their own).
WIRING: dict[Kind, Callable[[Trace, Ref], Formula | None]] = {
    Kind.INPUT: _given,
    Kind.TARGET: _given,
    Kind.WEIGHT: _parameter,
    Kind.BIAS: _parameter,
    Kind.Z: _z,
    Kind.A: _a,
    Kind.MASK: _given,
    Kind.DROPPED: _dropped,
    Kind.DROPPED_DA: _dropped_da,
    Kind.LOSS_TERM: _loss_term,
    Kind.SAMPLE_LOSS: _sample_loss,
    Kind.LOSS: _loss,
    Kind.DATA_LOSS: _data_loss,
    Kind.PENALTY: _penalty,
    Kind.DE_DA: _dE_da,
    Kind.DE_DA_TERM: _dE_da_term,
    Kind.DA_DZ: _da_dz,
    Kind.DELTA: _delta,
    Kind.GRAD_W: _grad,
    Kind.GRAD_B: _grad,
    Kind.DATA_GRAD_W: _grad_w,
    Kind.DATA_GRAD_B: _grad_b,
    Kind.PENALTY_GRAD: _penalty_grad,
    Kind.STATE: _state,
    Kind.UPDATE_W: _update,
    Kind.UPDATE_B: _update,
}


def _nodes(trace: Trace, layer: int) -> range:
    return range(1, trace.exercise.sizes[layer - 1] + 1)


def _a_ref(trace: Trace, layer: int, k: int, n: int | None, s: int, after: bool) -> Ref:
    """a_k of `layer` as the next layer reads it: an input x_k in layer 1; ã_k through
    dropout in the training pass (the pass after the update is in evaluation mode)."""
    if layer == 1:
        return Ref(Kind.INPUT, 1, (k,), n)
    if not after and trace.exercise.dropout_mask(layer) is not None:
        return Ref(Kind.DROPPED, layer, (k,), n, s)
    return Ref(Kind.A, layer, (k,), n, s, after)


def _rate(trace: Trace, layer: int) -> float:
    dropout = trace.exercise.dropout
    return 0.0 if dropout is None else dropout.rate(layer)


def _loss_of_sample(trace: Trace, n: int | None, s: int, after: bool) -> Formula:
    """E[n] from the loss terms of the outputs, or (cross-entropy) from the outputs themselves."""
    L, J = trace.n_layers, trace.exercise.sizes[-1]
    rule = F.SampleLoss(trace.loss, J)
    if trace.loss.has_terms:
        terms = tuple(Ref(Kind.LOSS_TERM, L, (j,), n, s, after) for j in range(1, J + 1))
        return Formula(rule, terms)
    outputs = tuple(Ref(Kind.A, L, (j,), n, s, after) for j in range(1, J + 1))
    targets = tuple(Ref(Kind.TARGET, L, (j,), n) for j in range(1, J + 1))
    return Formula(rule, (*outputs, *targets))


def _param_and_grad(layer: int, index: tuple[int, ...], s: int, bias: bool) -> tuple[Ref, Ref]:
    if bias:
        return Ref(Kind.BIAS, layer, index, step=s), Ref(Kind.GRAD_B, layer, index, step=s)
    return Ref(Kind.WEIGHT, layer, index, step=s), Ref(Kind.GRAD_W, layer, index, step=s)
