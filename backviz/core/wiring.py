"""Which quantities feed which: the formula (rule and input quantities) of every trace entry.

The rules themselves, numeric and symbolic, live in `formulas/`; this module only knows the
network's structure: z_j reads w_j1..w_jK, a_1..a_K (and b_j), δ_j reads ∂E/∂a_j and ∂a_j/∂z_j,
∂E/∂w_jk reads δ_j and a_k of every sample, and so on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import formulas as F
from .formulas import Formula
from .quantities import Kind, Ref

if TYPE_CHECKING:
    from .trace import Trace

__all__ = ["formula_of"]


def formula_of(trace: Trace, ref: Ref) -> Formula | None:
    """How the quantity is computed from others; None for given values (x, t, initial W)."""
    ex = trace.exercise
    kind, s, n = ref.kind, ref.step or 1, ref.sample
    layer = ref.layer or 0
    sizes, L = ex.sizes, ex.n_layers
    f = ex.activations[layer - 2] if layer >= 2 else None
    j = ref.index[0] if ref.index else 0
    if kind in (Kind.INPUT, Kind.TARGET):
        return None
    if kind in (Kind.WEIGHT, Kind.BIAS):
        if s == 1:
            return None
        update = Kind.UPDATE_W if kind is Kind.WEIGHT else Kind.UPDATE_B
        return Formula(F.Same(), (Ref(update, layer, ref.index, step=s - 1),))
    if kind is Kind.Z:
        fan_in = sizes[layer - 2]
        w_kind = Kind.UPDATE_W if ref.after else Kind.WEIGHT
        b_kind = Kind.UPDATE_B if ref.after else Kind.BIAS
        weights = [Ref(w_kind, layer, (j, k), step=s) for k in range(1, fan_in + 1)]
        prev = [_a_ref(trace, layer - 1, k, n, s, ref.after) for k in range(1, fan_in + 1)]
        bias = ex.bias[layer - 2]
        extra = [Ref(b_kind, layer, (j,), step=s)] if bias else []
        return Formula(F.WeightedSum(fan_in, bias), (*weights, *prev, *extra))
    if kind is Kind.A:
        assert f is not None
        if f.vector:
            zs = tuple(Ref(Kind.Z, layer, (i,), n, s, ref.after) for i in _nodes(trace, layer))
            return Formula(F.SoftmaxOf(f, j - 1), zs)
        return Formula(F.Activate(f), (Ref(Kind.Z, layer, (j,), n, s, ref.after),))
    if kind is Kind.LOSS_TERM:
        o = Ref(Kind.A, L, (j,), n, s, ref.after)
        return Formula(F.LossTerm(trace.loss), (o, Ref(Kind.TARGET, L, (j,), n)))
    if kind is Kind.SAMPLE_LOSS:
        return _sample_loss(trace, n, s, ref.after)
    if kind is Kind.LOSS:
        if ex.n_samples == 1:
            return _sample_loss(trace, 1, s, ref.after)
        per_sample = tuple(
            Ref(Kind.SAMPLE_LOSS, None, (), m, s, ref.after) for m in range(1, ex.n_samples + 1)
        )
        return Formula(F.TotalLoss(ex.training.reduction, ex.n_samples), per_sample)
    if kind is Kind.DE_DA:
        if layer == L:
            target = Ref(Kind.TARGET, L, (j,), n)
            rule = F.OutputGrad(trace.loss, sizes[-1], j - 1)
            if trace.loss.name == "ce":
                outputs = tuple(Ref(Kind.A, L, (i,), n, s) for i in _nodes(trace, L))
                return Formula(rule, (*outputs, target))
            return Formula(rule, (Ref(Kind.A, L, (j,), n, s), target))
        terms = tuple(Ref(Kind.DE_DA_TERM, layer, (j, i), n, s) for i in _nodes(trace, layer + 1))
        return Formula(F.Sum(), terms)
    if kind is Kind.DE_DA_TERM:
        i = ref.index[1]
        delta = Ref(Kind.DELTA, layer + 1, (i,), n, s)
        return Formula(F.Product(), (delta, Ref(Kind.WEIGHT, layer + 1, (i, j), step=s)))
    if kind is Kind.DA_DZ:
        assert f is not None
        z, a = Ref(Kind.Z, layer, (j,), n, s), Ref(Kind.A, layer, (j,), n, s)
        return Formula(F.LocalDerivative(f), (z, a))
    if kind is Kind.DELTA:
        assert f is not None
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
    samples = range(1, ex.n_samples + 1)
    reduction = ex.training.reduction
    if kind is Kind.GRAD_W:
        k = ref.index[1]
        deltas = tuple(Ref(Kind.DELTA, layer, (j,), m, s) for m in samples)
        prev = tuple(_a_ref(trace, layer - 1, k, m, s, False) for m in samples)
        return Formula(F.GradW(reduction, ex.n_samples), (*deltas, *prev))
    if kind is Kind.GRAD_B:
        deltas = tuple(Ref(Kind.DELTA, layer, (j,), m, s) for m in samples)
        return Formula(F.GradB(reduction, ex.n_samples), deltas)
    optimizer = ex.training.optimizer
    if kind is Kind.STATE:
        slot, param = ref.label
        w, g = _param_and_grad(trace, layer, ref.index, s, param == "b")
        previous = (
            () if s == 1 else (Ref(Kind.STATE, layer, ref.index, None, s - 1, label=ref.label),)
        )
        return Formula(F.StateUpdate(optimizer, slot, s == 1), (w, g, *previous))
    if kind in (Kind.UPDATE_W, Kind.UPDATE_B):
        is_bias = kind is Kind.UPDATE_B
        w, g = _param_and_grad(trace, layer, ref.index, s, is_bias)
        param = "b" if is_bias else "W"
        states = tuple(
            Ref(Kind.STATE, layer, ref.index, None, s, label=(slot, param))
            for slot in optimizer.slots
        )
        return Formula(F.ParamUpdate(optimizer, s), (w, g, *states))
    raise KeyError(ref)


def _nodes(trace: Trace, layer: int) -> range:
    return range(1, trace.exercise.sizes[layer - 1] + 1)


def _a_ref(trace: Trace, layer: int, k: int, n: int | None, s: int, after: bool) -> Ref:
    if layer == 1:
        return Ref(Kind.INPUT, 1, (k,), n)
    return Ref(Kind.A, layer, (k,), n, s, after)


def _sample_loss(trace: Trace, n: int | None, s: int, after: bool) -> Formula:
    L, J = trace.n_layers, trace.exercise.sizes[-1]
    rule = F.SampleLoss(trace.loss, J)
    if trace.loss.has_terms:
        terms = tuple(Ref(Kind.LOSS_TERM, L, (j,), n, s, after) for j in range(1, J + 1))
        return Formula(rule, terms)
    outputs = tuple(Ref(Kind.A, L, (j,), n, s, after) for j in range(1, J + 1))
    targets = tuple(Ref(Kind.TARGET, L, (j,), n) for j in range(1, J + 1))
    return Formula(rule, (*outputs, *targets))


def _param_and_grad(
    self, layer: int, index: tuple[int, ...], s: int, bias: bool
) -> tuple[Ref, Ref]:
    if bias:
        return Ref(Kind.BIAS, layer, index, step=s), Ref(Kind.GRAD_B, layer, index, step=s)
    return Ref(Kind.WEIGHT, layer, index, step=s), Ref(Kind.GRAD_W, layer, index, step=s)
