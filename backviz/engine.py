"""The engine: forward, backward and update of a network exercise, layer by layer in numpy float64.

Hand-derived backpropagation, vectorised over samples and nodes (so a 784-256-10 network is
as fast as the 2-2-2 one is clear):

    z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾                    (N, n_l)
    a⁽ˡ⁾ = f(z⁽ˡ⁾)
    ∂E/∂a⁽ᴸ⁾ = the loss's derivative at the outputs
    δ⁽ˡ⁾ = ∂E/∂a⁽ˡ⁾ ⊙ f′(z⁽ˡ⁾)                     (softmax: its Jacobian product)
    ∂E/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾ W⁽ˡ⁾                          (Σ over the paths out of each node)
    ∂E/∂W⁽ˡ⁾ = r·δ⁽ˡ⁾ᵀ a⁽ˡ⁻¹⁾,  ∂E/∂b⁽ˡ⁾ = r·Σ_n δ⁽ˡ⁾[n]   (r = 1/N for the mean, 1 for the sum)
    W⁽ˡ⁾⁺ = the optimiser's rule

Per-sample quantities (δ[n], ∂E/∂a[n]) are derivatives of that sample's own loss E[n]; the
reduction over samples enters at the gradients. The result is a `Trace`.
"""

from __future__ import annotations

import numpy as np

from .exercise import NetworkExercise
from .functions import LOSSES, Loss, softmax_cross_entropy_delta
from .trace import Backward, Forward, StepRecord, Trace

__all__ = ["forward", "output_loss", "run"]


def output_loss(exercise: NetworkExercise) -> Loss:
    """The loss as applied to the output layer: `ce` on a softmax output is −log o_c ("nll")."""
    if exercise.loss_name == "ce" and exercise.activations[-1].vector:
        return LOSSES["nll"]
    return LOSSES[exercise.loss_name]


def _reduce(values: np.ndarray, reduction: str) -> float:
    return float(np.mean(values) if reduction == "mean" else np.sum(values))


def forward(
    exercise: NetworkExercise,
    W: tuple[np.ndarray, ...],
    b: tuple[np.ndarray | None, ...],
) -> Forward:
    """z and a of every layer for every sample, and the loss when there are targets."""
    a = exercise.inputs
    zs: list[np.ndarray] = []
    activations: list[np.ndarray] = []
    for weights, bias, f in zip(W, b, exercise.activations, strict=True):
        z = a @ weights.T  # (N, n_l) = (N, n_{l-1}) @ (n_{l-1}, n_l)
        if bias is not None:
            z = z + bias
        a = f.value(z)
        zs.append(z)
        activations.append(a)
    if exercise.targets is None:
        return Forward(tuple(zs), tuple(activations), None, None, None)
    loss = output_loss(exercise)
    o, t = activations[-1], exercise.targets
    terms = loss.term(o, t) if loss.term is not None else None
    per_sample = loss.per_sample(o, t)
    return Forward(
        tuple(zs),
        tuple(activations),
        terms,
        per_sample,
        _reduce(per_sample, exercise.training.reduction),
    )


def backward(
    exercise: NetworkExercise,
    fwd: Forward,
    W: tuple[np.ndarray, ...],
) -> Backward:
    """∂E/∂a, ∂a/∂z, δ of every layer and the gradients of every weight and bias."""
    assert exercise.targets is not None
    loss = output_loss(exercise)
    n_samples = exercise.n_samples
    r = 1.0 / n_samples if exercise.training.reduction == "mean" else 1.0
    n = len(W)
    dE_da: list[np.ndarray] = [np.empty(0)] * n
    da_dz: list[np.ndarray | None] = [None] * n
    delta: list[np.ndarray] = [np.empty(0)] * n
    grad_W: list[np.ndarray] = [np.empty(0)] * n
    grad_b: list[np.ndarray | None] = [None] * n

    with np.errstate(divide="ignore", invalid="ignore"):
        dE_da[-1] = loss.derivative(fwd.a[-1], exercise.targets)
    for i in range(n - 1, -1, -1):
        f = exercise.activations[i]
        z, a = fwd.z[i], fwd.a[i]
        if i == n - 1 and loss.name == "nll":
            delta[i] = softmax_cross_entropy_delta(a, exercise.targets)
        elif f.vector:
            delta[i] = f.backward(dE_da[i], z, a)
        else:
            assert f.derivative is not None
            da_dz[i] = f.derivative(z, a)
            delta[i] = dE_da[i] * da_dz[i]
        a_prev = fwd.a[i - 1] if i > 0 else exercise.inputs
        grad_W[i] = r * (delta[i].T @ a_prev)  # (n_l, n_{l-1})
        if exercise.b[i] is not None:
            grad_b[i] = r * np.sum(delta[i], axis=0)
        if i > 0:
            dE_da[i - 1] = delta[i] @ W[i]  # Σ_i δ_i·w_ij over the paths out of node j
    return Backward(tuple(dE_da), tuple(da_dz), tuple(delta), tuple(grad_W), tuple(grad_b))


def _update(
    exercise: NetworkExercise,
    step: int,
    params: tuple[np.ndarray | None, ...],
    grads: tuple[np.ndarray | None, ...],
    previous: tuple[dict[str, np.ndarray], ...] | None,
) -> tuple[tuple[np.ndarray | None, ...], tuple[dict[str, np.ndarray], ...]]:
    optimizer = exercise.training.optimizer
    new_params: list[np.ndarray | None] = []
    states: list[dict[str, np.ndarray]] = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if p is None or g is None:
            new_params.append(None)
            states.append({})
            continue
        g_eff = optimizer.effective_grad(p, g)
        before = previous[i] if previous is not None else {}
        state = {s: optimizer.next_state(s, before.get(s), g_eff) for s in optimizer.slots}
        new_params.append(optimizer.updated(p, g_eff, state, step))
        states.append(state)
    return tuple(new_params), tuple(states)


def run(exercise: NetworkExercise) -> Trace:
    """Every number of every training step of the exercise, as a `Trace`.

    Overflow (weights near 1e308, a diverging learning rate) gives inf or nan in the trace, as
    it would in torch, without numpy's warnings on stderr.
    """
    with np.errstate(all="ignore"):
        return _run(exercise)


def _run(exercise: NetworkExercise) -> Trace:
    W: tuple[np.ndarray, ...] = exercise.W
    b: tuple[np.ndarray | None, ...] = exercise.b
    fwd = forward(exercise, W, b)
    steps: list[StepRecord] = []
    if not exercise.trains:
        steps.append(StepRecord(1, W, b, fwd, None, None, None, None, None, None))
        return Trace(exercise, tuple(steps))
    state_W: tuple[dict[str, np.ndarray], ...] | None = None
    state_b: tuple[dict[str, np.ndarray], ...] | None = None
    for step in range(1, exercise.training.steps + 1):
        bwd = backward(exercise, fwd, W)
        W_new, state_W = _update(exercise, step, W, bwd.grad_W, state_W)
        b_new, state_b = _update(exercise, step, b, bwd.grad_b, state_b)
        after = forward(exercise, W_new, b_new)  # type: ignore[arg-type]
        steps.append(
            StepRecord(step, W, b, fwd, bwd, W_new, b_new, state_W, state_b, after)  # type: ignore[arg-type]
        )
        W, b, fwd = W_new, b_new, after  # type: ignore[assignment]
    return Trace(exercise, tuple(steps))
