"""Finite differences: ∂E/∂W and ∂E/∂b of each step against difference quotients of the loss.

Central differences with Richardson extrapolation (the h² error terms of D(h) and D(h/2)
cancel), on up to `FD_SAMPLE` parameters per layer of a big network. A difference quotient
cannot do better than about ε·|E|/h, hence the looser tolerance of this source.
"""

from __future__ import annotations

import numpy as np

from ..core.engine import forward
from ..core.exercise import NetworkExercise
from ..core.quantities import Kind, Ref
from ..core.trace import Trace
from .report import CheckReport

__all__ = ["FD_SAMPLE", "finite_differences"]

FD_SAMPLE = 64


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
        for which, kind in ((0, Kind.GRAD_W), (1, Kind.GRAD_B)):
            for i, p in enumerate(params[which]):
                if p is None:
                    continue
                flat_ids = _sample_indices(p.size)
                estimates = np.array([_fd(exercise, params, which, i, int(f)) for f in flat_ids])
                ours = np.asarray(grads[which][i]).ravel()[flat_ids]
                shape = p.shape

                def name(
                    k: int,
                    shape: tuple = shape,
                    ids: np.ndarray = flat_ids,
                    layer: int = i + 2,
                    kind: Kind = kind,
                    step: int = record.step,
                ) -> str:
                    index = tuple(int(v) + 1 for v in np.unravel_index(int(ids[k]), shape))
                    return trace.name(Ref(kind, layer, index, None, step))

                # a central difference of E is only good to about ε·|E|/h: gradients far below
                # |E| are compared absolutely, to 1e-12·max(1, |E|)
                floor = 1e-6 * max(1.0, abs(record.forward.loss or 0.0))
                report.get("finite differences", kind.value).add(ours, estimates, name, floor)


def _fd(exercise: NetworkExercise, params: list, which: int, i: int, flat: int) -> float:
    """∂E/∂(parameter `flat` of layer i; W if which is 0, b if 1) by difference quotients."""
    base = params[which][i]
    h = 1e-3 * max(1.0, abs(float(base.ravel()[flat])))

    def loss_at(offset: float) -> float:
        changed = base.copy()
        changed.ravel()[flat] += offset
        trial = [list(params[0]), list(params[1])]
        trial[which][i] = changed
        return float(forward(exercise, tuple(trial[0]), tuple(trial[1])).loss)

    def central(step: float) -> float:
        return (loss_at(step) - loss_at(-step)) / (2 * step)

    # Richardson extrapolation: the h² error terms of D(h) and D(h/2) cancel
    return (4 * central(h / 2) - central(h)) / 3
