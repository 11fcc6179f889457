"""Finite differences: ∂E/∂W and ∂E/∂b of each step against difference quotients of the loss.

Central differences with Richardson extrapolation (the h² error terms of D(h) and D(h/2)
cancel), on up to `FD_SAMPLE` parameters per layer of a big network. A difference quotient
cannot do better than about ε·|E|/h, hence the looser tolerance of this source.

A difference quotient measures the loss's slope; where that is not what torch and backviz
compute, or the loss has too few digits to show it, the parameter is not judged, and the report
says which and why:
- a kink within the step: a pre-activation the parameter moves comes within the step h of a
  kink of its activation (relu's 0), so the quotient averages two slopes where torch takes one;
- the L1 penalty's kink: a penalised parameter within h of 0 (but not 0), where |w| bends;
- a saturated term: it moves an output whose loss term torch differentiates by convention
  (BCE: o(1 − o) floored at 1e-12, each log clamped at −100), not as the loss's slope;
- too few digits: the quotient's own error is as large as the disagreement. Its error is
  bounded by the spread of the extrapolations from h and from h/2 (truncation) and by the
  rounding of the loss over h: float64 computes E only to about ε·Σ|∂E/∂v|·|v| over every value
  v it goes through (at z = 25 with bce, 1 − σ(z) keeps 5 digits, and so does log(1 − σ(z))).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.engine import forward
from ..core.exercise import NetworkExercise
from ..core.quantities import Kind, Ref
from ..core.trace import Forward, StepRecord, Trace
from .report import CheckReport, relative_errors
from .rounding import EPSILON

__all__ = ["FD_SAMPLE", "finite_differences"]

FD_SAMPLE = 64
SOURCE = "finite differences"

# The steps, as fractions of h, on either side of the parameter: Richardson from h and h/2, and
# again from h/2 and h/4 to tell how far the extrapolation itself is to be trusted.
FRACTIONS = (1.0, 0.5, 0.25)

# A disagreement is the quotient's own when within this many times its estimated error.
ERROR_MARGIN = 4.0

KINK = "each moves a pre-activation to within the step h of a kink, where a difference \
quotient averages the two slopes and torch takes one"
SATURATED = "each moves a saturated output, whose term torch differentiates by convention (bce: \
o(1 − o) floored at 1e-12, logs clamped at −100), not as the loss's slope"
L1_KINK = "each is a parameter within the step h of 0, the kink of the L1 penalty's |w|, where a \
difference quotient averages the slopes −λ₁ and +λ₁ and torch takes sign(w)·λ₁"
COARSE = "the difference quotient's own error (the spread of its extrapolations, and the loss's \
rounding over h) is as large as the disagreement"


@dataclass(frozen=True)
class _Probe:
    """The forward passes at p ± h, p ± h/2, p ± h/4 of one parameter p, keyed by the offset."""

    h: float
    passes: dict[float, Forward]

    def central(self, step: float) -> float:
        return (_loss(self.passes[step]) - _loss(self.passes[-step])) / (2 * step)

    def richardson(self, step: float) -> float:
        """The h² error terms of D(step) and D(step/2) cancel."""
        return (4 * self.central(step / 2) - self.central(step)) / 3


def _loss(fwd: Forward) -> float:
    assert fwd.loss is not None
    return float(fwd.loss)


def _sample_indices(size: int) -> np.ndarray:
    if size <= FD_SAMPLE:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, FD_SAMPLE).round().astype(int))


def finite_differences(report: CheckReport, trace: Trace) -> None:
    exercise = trace.exercise
    for record in trace.steps:
        if record.backward is None:
            continue
        params = [list(record.W), list(record.b)]
        grads = [record.backward.grad_W, record.backward.grad_b]
        # a central difference of E is only good to about ε·|E|/h: gradients far below
        # |E| are compared absolutely, to 1e-12·max(1, |E|)
        floor = 1e-6 * max(1.0, abs(record.forward.loss or 0.0))
        rounding = _loss_rounding(exercise, record)
        for which, kind in ((0, Kind.GRAD_W), (1, Kind.GRAD_B)):
            for i, p in enumerate(params[which]):
                if p is None or grads[which][i] is None:  # no bias, or a frozen one
                    continue
                ours = np.asarray(grads[which][i]).ravel()

                def name(
                    flat: int,
                    shape: tuple = p.shape,
                    layer: int = i + 2,
                    kind: Kind = kind,
                    step: int = record.step,
                ) -> str:
                    index = tuple(int(v) + 1 for v in np.unravel_index(flat, shape))
                    return trace.name(Ref(kind, layer, index, None, step))

                for flat in _sample_indices(p.size):
                    probe = _probe(exercise, params, which, i, int(flat))
                    judged = _Judged(kind, name(int(flat)), float(ours[flat]))
                    w = float(p.ravel()[flat])
                    if _near_the_l1_kink(exercise, which == 1, w, probe.h):
                        param = Kind.BIAS if which else Kind.WEIGHT
                        at = tuple(int(v) + 1 for v in np.unravel_index(int(flat), p.shape))
                        weight = trace.name(Ref(param, i + 2, at, None, record.step))
                        detail = f"{weight} = {w:g}, h = {probe.h:g}"
                        report.skip(SOURCE, kind.value, judged.name, L1_KINK, detail)
                        continue
                    _judge(report, trace, record, judged, probe, floor, rounding)


@dataclass(frozen=True)
class _Judged:
    """One gradient of backviz's: its kind, name and value."""

    kind: Kind
    name: str
    value: float


def _judge(
    report: CheckReport,
    trace: Trace,
    record: StepRecord,
    ours: _Judged,
    probe: _Probe,
    floor: float,
    rounding: float,
) -> None:
    """Compare one gradient with its difference quotient, or say why the quotient cannot tell."""
    kind = ours.kind.value
    why = _cannot_tell(trace, record, probe)
    if why is not None:
        report.skip(SOURCE, kind, ours.name, *why)
        return
    estimate = probe.richardson(probe.h)
    # R(h) − R(h/2) is about R(h)'s truncation error; rounding ±δE in each E makes
    # (4·D(h/2) − D(h))/3 uncertain by up to (4·2δE/h + 2δE/(2h))/3 = 3δE/h
    own_error = abs(estimate - probe.richardson(probe.h / 2)) + 3 * rounding / probe.h
    comparison = report.get(SOURCE, kind)
    abs_err, rel = relative_errors(np.array(ours.value), np.array(estimate), floor)
    if rel[0] > comparison.tolerance and abs_err[0] <= ERROR_MARGIN * own_error:
        report.skip(SOURCE, kind, ours.name, COARSE, f"±{own_error:.0e}")
        return
    comparison.add(np.array(ours.value), np.array(estimate), lambda _: ours.name, floor)


def _loss_rounding(exercise: NetworkExercise, record: StepRecord) -> float:
    """How far float64's E may be from the exact E of the same parameters: ε·(|E| + Σ|∂E/∂v|·|v|)
    over every a and z the forward pass computes (a z over each of its products |w|·|a|), the
    first-order bound of its rounding."""
    fwd, bwd = record.forward, record.backward
    assert fwd.loss is not None and bwd is not None
    r = 1.0 / exercise.n_samples if exercise.training.reduction == "mean" else 1.0
    total = abs(fwd.loss)
    a_prev = exercise.inputs
    for i, (W, b) in enumerate(zip(record.W, record.b, strict=True)):
        products = np.abs(a_prev) @ np.abs(W).T  # (N, n_l): Σ_k |w_jk|·|a_k| per node
        if b is not None:
            products = products + np.abs(b)
        total += r * float(np.sum(np.abs(bwd.delta[i]) * products))
        total += r * float(np.sum(np.abs(bwd.dE_da[i]) * np.abs(fwd.a[i])))
        dropped = fwd.dropped[i] if fwd.dropped else None
        a_prev = fwd.a[i] if dropped is None else dropped  # the next layer reads ã with dropout
    return EPSILON * total


def _cannot_tell(trace: Trace, record: StepRecord, probe: _Probe) -> tuple[str, str] | None:
    """Why the difference quotient of this parameter is not the gradient torch takes, if so:
    (the reason, what in this exercise makes it so)."""
    exercise = trace.exercise
    passes = [record.forward, *probe.passes.values()]

    def moved(i: int) -> tuple[np.ndarray, np.ndarray]:
        z = np.stack([fwd.z[i] for fwd in passes])  # (passes, N, n): the base pass first
        return z, np.any(z[1:] != z[0], axis=0)

    def node_name(kind: Kind, i: int, at: tuple[int, int]) -> str:
        sample, node = (int(v) + 1 for v in at)
        return trace.name(Ref(kind, i + 2, (node,), sample, record.step))

    for i, f in enumerate(exercise.activations):
        if not f.kinks:
            continue
        z, changes = moved(i)
        for kink in f.kinks:
            near = changes & (z.min(axis=0) <= kink) & (z.max(axis=0) >= kink)
            if near.any():
                at = tuple(np.argwhere(near)[0])
                value = float(record.forward.z[i][at])
                return KINK, f"{node_name(Kind.Z, i, at)} = {value:g}, {f.name}"
    saturated = exercise.output_loss.saturated if exercise.targets is not None else None
    if saturated is not None:
        last = len(exercise.activations) - 1
        _, changes = moved(last)
        o = np.stack([fwd.a[last] for fwd in passes])
        hit = changes & np.any(saturated(o), axis=0)
        if hit.any():
            at = tuple(np.argwhere(hit)[0])
            value = float(record.forward.a[last][at])
            return SATURATED, f"{node_name(Kind.A, last, at)} = {value!r}"
    return None


def _near_the_l1_kink(exercise: NetworkExercise, bias: bool, w: float, h: float) -> bool:
    """Whether the L1 penalty's |w| has its kink strictly within the probe's reach of w (at
    w = 0 exactly the central quotient is 0, which is sign(0)·λ₁: judged)."""
    reg = exercise.regularization
    return bool(reg.l1) and reg.includes(bias) and 0 < abs(w) < h


def _probe(exercise: NetworkExercise, params: list, which: int, i: int, flat: int) -> _Probe:
    """The forward passes around parameter `flat` of layer i (W if which is 0, b if 1)."""
    base = params[which][i]
    h = 1e-3 * max(1.0, abs(float(base.ravel()[flat])))

    def at(offset: float) -> Forward:
        changed = base.copy()
        changed.ravel()[flat] += offset
        trial = [list(params[0]), list(params[1])]
        trial[which][i] = changed
        with np.errstate(all="ignore"):
            return forward(exercise, tuple(trial[0]), tuple(trial[1]))

    steps = [sign * fraction * h for fraction in FRACTIONS for sign in (1.0, -1.0)]
    return _Probe(h, {step: at(step) for step in steps})
