"""The engine: forward, backward and update of a network exercise, layer by layer in numpy float64.

Hand-derived backpropagation, vectorised over samples and nodes (so a 784-256-10 network is
as fast as the 2-2-2 one is clear):

    z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ᵀ + b⁽ˡ⁾                    (N, n_l)
    a⁽ˡ⁾ = f(z⁽ˡ⁾)
    ∂E/∂a⁽ᴸ⁾ = the loss's derivative at the outputs
    δ⁽ˡ⁾ = ∂E/∂a⁽ˡ⁾ ⊙ f′(z⁽ˡ⁾)                     (softmax: its Jacobian product)
    ∂E/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾ W⁽ˡ⁾                          (Σ over the paths out of each node)
    with dropout on layer l − 1 (training): the next layer reads ã = a ⊙ m/(1 − p), and
    ∂E/∂a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾ W⁽ˡ⁾ ⊙ m/(1 − p); the pass after the update is in evaluation mode
    ∂E/∂W⁽ˡ⁾ = r·δ⁽ˡ⁾ᵀ a⁽ˡ⁻¹⁾,  ∂E/∂b⁽ˡ⁾ = r·Σ_n δ⁽ˡ⁾[n]   (r = 1/N for the mean, 1 for the sum)
    a bias shared by the layer: ∂E/∂b⁽ˡ⁾ = r·Σ_n Σ_j δ_j⁽ˡ⁾[n]; frozen biases (every layer's,
    or one layer's): no gradient, b⁺ = b
    with regularisation, E = E_data + λ₁Σ|w| + λ₂Σw² and ∂E/∂w = ∂E_data/∂w + λ₁·sign(w) + 2λ₂w
    W⁽ˡ⁾⁺ = the optimiser's rule

Per-sample quantities (δ[n], ∂E/∂a[n]) are derivatives of that sample's own loss E[n]; the
reduction over samples enters at the gradients. The result is a `Trace`. Given float32 arrays
(weights, inputs, targets), a step stays in float32, as torch's does: the grader measures what
float32's rounding changes in a student's step so (grading/code_float32.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .dropout import keep_scale
from .exercise import NetworkExercise
from .functions import softmax_cross_entropy_delta
from .regularization import Regularization
from .trace import Backward, Forward, StepRecord, Trace

__all__ = [
    "LOOP_MISTAKE_IDS",
    "MISTAKE_IDS",
    "Mistakes",
    "dropout_factor",
    "forward",
    "run",
    "train_step",
]


@dataclass(frozen=True)
class Mistakes:
    """Switches that make the engine compute as a student who makes a classic mistake.

    The grader recognises a mistake when a student's number equals the engine's number with
    that switch on: the catalogue of mistakes is these switches, not a second set of formulas.
    """

    flip_output_sign: bool = False  # ∂E/∂o = (t − o): the sign of (t − o) flipped
    skip_activation_derivative: bool = False  # δ = ∂E/∂a: σ′ left out
    derivative_of_z: bool = False  # σ′ taken of z instead of a: z(1 − z)
    updated_weights_backward: bool = False  # hidden ∂E/∂a through the already-updated W⁺
    one_path_only: bool = False  # hidden ∂E/∂a_j = δ_1·w_1j: only the first path summed
    add_update: bool = False  # W⁺ = W + η·∂E/∂W: the update added
    no_learning_rate: bool = False  # W⁺ = W − ∂E/∂W: η left out
    adam_no_bias_correction: bool = False  # Adam's step from m and v, not m̂ and v̂
    transposed_weights: bool = False  # z_j = Σ_k w_kj·a_k: w_jk and w_kj swapped
    half_forgotten: bool = False  # E = Σ(t − o)²: the ½ left out of the loss
    derivative_doubled: bool = False  # ∂E/∂o = −2(t − o): ½(t − o)² differentiated as (t − o)²
    batch_summed: bool = False  # the batch summed instead of averaged
    shared_bias_one_node: bool = False  # a shared bias's ∂E/∂b = δ_1 alone, not Σ_j δ_j
    dropout_unscaled: bool = False  # ã = a·m: dropout's 1/(1 − p) forgotten (kept units)
    l2_factor_forgotten: bool = False  # ∂(λ₂w²)/∂w = λ₂w: the L2 term's factor 2 left out
    # .grad never zeroed (optimizer.zero_grad() forgotten): step t's gradient is the sum of
    # steps 1..t's, each at its own step's weights, and the optimiser updates from that sum
    gradients_accumulated: bool = False
    # the regularisation penalty left out of E and ∂E/∂w: E = E_data, ∂E/∂w = ∂E_data/∂w
    penalty_forgotten: bool = False
    l1_sign_forgotten: bool = False  # ∂(λ₁|w|)/∂w = λ₁ at every w: sign(w) taken as 1
    amsgrad_max_forgotten: bool = False  # AMSGrad's vmax = v, not max(vmax, v): plain Adam
    dropout_ignored: bool = False  # ã = a: no node dropped, nothing scaled, forward and back
    only_layer: int | None = None  # σ′ left out (or taken of z) in this layer l alone
    only_norm: str | None = None  # the penalty forgotten is this one ("L1", "L2") alone

    def in_layer(self, switch: bool, layer: int) -> bool:
        """Whether a layer-wise switch (σ′ left out, σ′ of z) is on in layer l."""
        return switch and (self.only_layer is None or self.only_layer == layer)

    def forgets(self, norm: str) -> bool:
        """Whether the penalty term of `norm` ("L1", "L2") is left out of E and ∂E/∂w."""
        return self.penalty_forgotten and (self.only_norm is None or self.only_norm == norm)


NO_MISTAKES = Mistakes()

# Every catalogued mistake: its id (as exercises and answer sheets name it) and the switch of
# `Mistakes` that makes it. The order is the precedence when two mistakes give the same number:
# the update's own mistakes first. W⁺ = W + η·∂E/∂W is also what a flipped sign of (t − o)
# gives, but a sheet whose ∂E/∂W are right flipped no sign (and one whose ∂E/∂W are flipped
# gets W⁺ carried, before any mistake is looked for).
MISTAKE_IDS: dict[str, str] = {
    "update-added": "add_update",
    "no-learning-rate": "no_learning_rate",
    "adam-no-bias-correction": "adam_no_bias_correction",
    "sign-flipped": "flip_output_sign",
    "no-activation-derivative": "skip_activation_derivative",
    "derivative-of-z": "derivative_of_z",
    "updated-weights-in-backprop": "updated_weights_backward",
    "one-path-only": "one_path_only",
    "weights-swapped": "transposed_weights",
    "half-forgotten": "half_forgotten",
    "derivative-doubled": "derivative_doubled",
    "batch-summed": "batch_summed",
    "shared-bias-one-node": "shared_bias_one_node",
    "dropout-unscaled": "dropout_unscaled",
    "l2-factor-forgotten": "l2_factor_forgotten",
    "gradients-accumulated": "gradients_accumulated",
    "penalty-forgotten": "penalty_forgotten",
    "l1-sign-forgotten": "l1_sign_forgotten",
    "amsgrad-max-forgotten": "amsgrad_max_forgotten",
    "dropout-ignored": "dropout_ignored",
}


# Mistakes only a training loop makes (grading/loop_mistakes.py): no switch of the engine, but
# its right step taken from the wrong state. Named in [ask] mistake_credit as the others are.
LOOP_MISTAKE_IDS = ("optimizer-recreated",)


def _reduce(values: np.ndarray, reduction: str, mistakes: Mistakes = NO_MISTAKES) -> float:
    if reduction == "mean" and not mistakes.batch_summed:
        return float(np.mean(values))
    return float(np.sum(values))


def _forward_weights(weights: np.ndarray, mistakes: Mistakes) -> np.ndarray:
    """W as the forward pass reads it; transposed by the w_jk / w_kj mistake (square W only)."""
    if mistakes.transposed_weights and weights.shape[0] == weights.shape[1]:
        return weights.T
    return weights


def dropout_factor(
    exercise: NetworkExercise, layer: int, mistakes: Mistakes = NO_MISTAKES
) -> np.ndarray | None:
    """m/(1 − p) of a layer with dropout, (N, n_l): what ã = a·m/(1 − p) multiplies a by and
    ∂E/∂a is multiplied by; m alone when the scaling is forgotten; None without dropout."""
    mask = exercise.dropout_mask(layer)
    if mask is None:
        return None
    assert exercise.dropout is not None
    if mistakes.dropout_ignored:  # every node passes its a on, as in evaluation
        return np.ones_like(mask)
    if mistakes.dropout_unscaled:
        return mask
    return mask * keep_scale(exercise.dropout.rate(layer))


def forward(
    exercise: NetworkExercise,
    W: tuple[np.ndarray, ...],
    b: tuple[np.ndarray | None, ...],
    mistakes: Mistakes = NO_MISTAKES,
    *,
    training: bool = True,
) -> Forward:
    """z and a of every layer for every sample, and the loss when there are targets.

    In training, a hidden layer with dropout passes ã = a·m/(1 − p) on; in evaluation
    (`training=False`: the check after the update) every node passes its a on."""
    a = exercise.inputs
    zs: list[np.ndarray] = []
    activations: list[np.ndarray] = []
    dropped: list[np.ndarray | None] = []
    factors: list[np.ndarray | None] = []
    for i, (weights, bias, f) in enumerate(zip(W, b, exercise.activations, strict=True)):
        z = a @ _forward_weights(weights, mistakes).T  # (N, n_l) = (N, n_{l-1}) @ (n_{l-1}, n_l)
        if bias is not None:
            z = z + bias
        a = f.value(z)
        zs.append(z)
        activations.append(a)
        factor = dropout_factor(exercise, i + 2, mistakes) if training else None
        if factor is not None:  # in z's precision: a float32 step stays float32
            factor = factor.astype(z.dtype, copy=False)
        dropped.append(None if factor is None else a * factor)
        factors.append(factor)
        if factor is not None:
            a = a * factor  # ã: what the next layer reads
    dropout = any(d is not None for d in dropped)
    kept, scaled = (tuple(dropped), tuple(factors)) if dropout else ((), ())
    if exercise.targets is None:
        return Forward(tuple(zs), tuple(activations), None, None, None, kept, scaled)
    loss = exercise.output_loss
    o, t = activations[-1], exercise.targets
    terms = loss.term(o, t) if loss.term is not None else None
    per_sample = loss.per_sample(o, t)
    if mistakes.half_forgotten and loss.name == "half_sse":
        terms, per_sample = 2 * terms, 2 * per_sample  # type: ignore[operator]
    data_loss = _reduce(per_sample, exercise.training.reduction, mistakes)
    reg = exercise.regularization
    dropped = {"dropped": kept, "dropout_factors": scaled}
    if not reg.active:
        return Forward(tuple(zs), tuple(activations), terms, per_sample, data_loss, **dropped)
    penalised = [*W, *(bias for bias in b if bias is not None and reg.include_bias)]
    penalty = {norm: reg.penalty(norm, penalised) for norm in reg.norms}
    total = data_loss
    for norm, value in penalty.items():  # E = E_data + E_L1 + E_L2, added in this order
        if not mistakes.forgets(norm):
            total = total + value
    return Forward(
        tuple(zs),
        tuple(activations),
        terms,
        per_sample,
        total,
        **dropped,
        data_loss=data_loss,
        penalty=penalty,
    )


def backward(
    exercise: NetworkExercise,
    fwd: Forward,
    W: tuple[np.ndarray, ...],
    mistakes: Mistakes = NO_MISTAKES,
    b: tuple[np.ndarray | None, ...] | None = None,
) -> Backward:
    """∂E/∂a, ∂a/∂z, δ of every layer and the gradients of every weight and bias (`b`: the
    biases of this step, needed only when the penalty includes them)."""
    assert exercise.targets is not None
    loss = exercise.output_loss
    n_samples = exercise.n_samples
    mean = exercise.training.reduction == "mean" and not mistakes.batch_summed
    r = 1.0 / n_samples if mean else 1.0
    n = len(W)
    dE_da: list[np.ndarray] = [np.empty(0)] * n
    da_dz: list[np.ndarray | None] = [None] * n
    delta: list[np.ndarray] = [np.empty(0)] * n
    grad_W: list[np.ndarray] = [np.empty(0)] * n
    grad_b: list[np.ndarray | None] = [None] * n
    reg = exercise.regularization
    data_W: list[np.ndarray] = [np.empty(0)] * n
    data_b: list[np.ndarray | None] = [None] * n
    pen_W: list[dict[str, np.ndarray]] = [{} for _ in range(n)]
    pen_b: list[dict[str, np.ndarray]] = [{} for _ in range(n)]

    with np.errstate(divide="ignore", invalid="ignore"):
        dE_da[-1] = loss.derivative(fwd.a[-1], exercise.targets)
    if mistakes.flip_output_sign:
        dE_da[-1] = -dE_da[-1]
    if mistakes.derivative_doubled and loss.name == "half_sse":
        dE_da[-1] = 2 * dE_da[-1]
    for i in range(n - 1, -1, -1):
        f = exercise.activations[i]
        z, a = fwd.z[i], fwd.a[i]
        if i == n - 1 and loss.name == "nll":
            delta[i] = softmax_cross_entropy_delta(a, exercise.targets)
        elif f.vector:
            delta[i] = f.backward(dE_da[i], z, a)
        else:
            assert f.derivative is not None
            if mistakes.in_layer(mistakes.skip_activation_derivative, i + 2):
                da_dz[i] = np.ones_like(z)
            elif mistakes.in_layer(mistakes.derivative_of_z, i + 2):
                da_dz[i] = f.derivative(z, z)
            else:
                da_dz[i] = f.derivative(z, a)
            delta[i] = dE_da[i] * da_dz[i]
        a_prev = _read_by_next_layer(fwd, i - 1) if i > 0 else exercise.inputs
        grad_W[i] = r * (delta[i].T @ a_prev)  # (n_l, n_{l-1})
        if exercise.b[i] is not None and exercise.trains_bias_of(i + 2):
            shared = exercise.shares_bias(i + 2)
            if shared and mistakes.shared_bias_one_node:  # only the first node's δ
                grad_b[i] = r * np.array([np.sum(delta[i][:, 0])])
            else:
                grad_b[i] = r * _bias_sum(delta[i], shared)
        if reg.active:
            data_W[i], pen_W[i], grad_W[i] = _penalised(reg, W[i], grad_W[i], mistakes)
            bias = (b or exercise.b)[i]
            if grad_b[i] is not None and reg.include_bias and bias is not None:
                data_b[i], pen_b[i], grad_b[i] = _penalised(reg, bias, grad_b[i], mistakes)
        if i > 0:
            weights = W[i]
            if mistakes.updated_weights_backward:  # W⁺ = W − η·∂E/∂W already applied
                weights = weights - exercise.training.learning_rate * grad_W[i]
            weights = _forward_weights(weights, mistakes)
            if mistakes.one_path_only:
                dE_da[i - 1] = delta[i][:, :1] @ weights[:1, :]
            else:
                dE_da[i - 1] = delta[i] @ weights  # Σ_i δ_i·w_ij over the paths out of node j
            factor = dropout_factor(exercise, i + 1, mistakes)
            if factor is not None:  # through ã_j = a_j·m_j/(1 − p): 0 for a dropped node
                dE_da[i - 1] = dE_da[i - 1] * factor.astype(dE_da[i - 1].dtype, copy=False)
    if not reg.active:
        return Backward(tuple(dE_da), tuple(da_dz), tuple(delta), tuple(grad_W), tuple(grad_b))
    return Backward(
        tuple(dE_da),
        tuple(da_dz),
        tuple(delta),
        tuple(grad_W),
        tuple(grad_b),
        tuple(data_W),
        tuple(data_b),
        tuple(pen_W),
        tuple(pen_b),
    )


def _penalised(
    reg: Regularization, param: np.ndarray, data: np.ndarray, mistakes: Mistakes
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """The data term, each penalty's term and their sum ∂E/∂w = ∂E_data/∂w + ∂E_L1/∂w + ∂E_L2/∂w."""
    terms = {
        norm: reg.gradient(
            norm,
            param,
            factor_forgotten=mistakes.l2_factor_forgotten,
            sign_forgotten=mistakes.l1_sign_forgotten,
        )
        for norm in reg.norms
    }
    total = data
    for norm, term in terms.items():
        if not mistakes.forgets(norm):  # a term written but left out of the sum
            total = total + term
    return data, terms, total


def _bias_sum(delta: np.ndarray, shared: bool) -> np.ndarray:
    """Σ_n δ_j[n] for each node's own bias; Σ_n Σ_j δ_j[n] for a bias the layer's nodes share
    (it enters every z_j, so its gradient gathers every node's δ)."""
    if shared:
        return np.array([np.sum(delta)])
    return np.sum(delta, axis=0)


def _read_by_next_layer(fwd: Forward, i: int) -> np.ndarray:
    """The outputs of layer i + 2 as the next layer reads them: ã with dropout, else a."""
    if fwd.dropped and fwd.dropped[i] is not None:
        return fwd.dropped[i]  # type: ignore[return-value]
    return fwd.a[i]


def _update(
    exercise: NetworkExercise,
    step: int,
    params: tuple[np.ndarray | None, ...],
    grads: tuple[np.ndarray | None, ...],
    previous: tuple[dict[str, np.ndarray], ...] | None,
    mistakes: Mistakes = NO_MISTAKES,
) -> tuple[tuple[np.ndarray | None, ...], tuple[dict[str, np.ndarray], ...]]:
    optimizer = exercise.training.optimizer
    if mistakes.add_update:
        optimizer = replace(optimizer, learning_rate=-optimizer.learning_rate)
    if mistakes.no_learning_rate:
        optimizer = replace(optimizer, learning_rate=1.0)
    if mistakes.adam_no_bias_correction:
        optimizer = replace(optimizer, bias_correction=False)
    if mistakes.amsgrad_max_forgotten:
        optimizer = replace(optimizer, running_max=False)
    new_params: list[np.ndarray | None] = []
    states: list[dict[str, np.ndarray]] = []
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if p is None or g is None:
            new_params.append(None)
            states.append({})
            continue
        g_eff = optimizer.effective_grad(p, g)
        before = previous[i] if previous is not None else {}
        state: dict[str, np.ndarray] = {}
        for slot in optimizer.slots:  # each after the slots it reads
            state[slot] = optimizer.next_state(slot, before.get(slot), g_eff, state)
        new_params.append(optimizer.updated(p, g_eff, state, step))
        states.append(state)
    return tuple(new_params), tuple(states)


def train_step(
    exercise: NetworkExercise,
    step: int,
    W: tuple[np.ndarray, ...],
    b: tuple[np.ndarray | None, ...],
    state_W: tuple[dict[str, np.ndarray], ...] | None = None,
    state_b: tuple[dict[str, np.ndarray], ...] | None = None,
    mistakes: Mistakes = NO_MISTAKES,
    fwd: Forward | None = None,
    held: tuple[tuple, tuple] | None = None,
) -> tuple[Forward, Backward, tuple, tuple, tuple, tuple]:
    """Training step `step` (1-based) from the weights W, b and the optimiser's state before
    it (None on the first step): (forward, backward, W⁺, b⁺, state of W, state of b); `fwd`,
    the forward pass of W and b when already computed. Also used from the weights a
    student's own code found (grading/code_training.py).

    `held`: the gradients of W and b that .grad still holds from the steps before, when they
    are never zeroed (`gradients_accumulated`): backward adds this step's to them, as torch's
    `loss.backward()` does, and the update and the returned backward read the sum."""
    if fwd is None:
        fwd = forward(exercise, W, b, mistakes)
    bwd = backward(exercise, fwd, W, mistakes, b)
    if mistakes.gradients_accumulated and held is not None:
        bwd = replace(bwd, grad_W=_summed(held[0], bwd.grad_W), grad_b=_summed(held[1], bwd.grad_b))
    W_new, state_W = _update(exercise, step, W, bwd.grad_W, state_W, mistakes)
    if exercise.trains_bias:
        b_new, state_b = _update(exercise, step, b, bwd.grad_b, state_b, mistakes)
        # a frozen layer's bias (no gradient) stays: b⁺ = b
        kept = zip(b_new, b, bwd.grad_b, strict=True)
        b_new = tuple(v if g is None else new for new, v, g in kept)
    else:  # frozen biases (or none): b⁺ = b
        b_new, state_b = b, tuple({} for _ in b)
    return fwd, bwd, W_new, b_new, state_W, state_b


def _summed(
    held: tuple[np.ndarray | None, ...], grads: tuple[np.ndarray | None, ...]
) -> tuple[np.ndarray | None, ...]:
    """held + this step's gradient, parameter by parameter (None: no gradient, a frozen or
    missing bias)."""
    return tuple(g if h is None or g is None else h + g for h, g in zip(held, grads, strict=True))


def run(exercise: NetworkExercise, mistakes: Mistakes = NO_MISTAKES) -> Trace:
    """Every number of every training step of the exercise, as a `Trace`.

    With `mistakes`, the numbers a student making those mistakes would get. Overflow (weights
    near 1e308, a diverging learning rate) gives inf or nan in the trace, as it would in
    torch, without numpy's warnings on stderr.
    """
    with np.errstate(all="ignore"):
        return _run(exercise, mistakes)


def _run(exercise: NetworkExercise, mistakes: Mistakes) -> Trace:
    W: tuple[np.ndarray, ...] = exercise.W
    b: tuple[np.ndarray | None, ...] = exercise.b
    fwd = forward(exercise, W, b, mistakes)
    steps: list[StepRecord] = []
    if not exercise.trains:
        steps.append(StepRecord(1, W, b, fwd, None, None, None, None, None, None))
        return Trace(exercise, tuple(steps))
    state_W: tuple[dict[str, np.ndarray], ...] | None = None
    state_b: tuple[dict[str, np.ndarray], ...] | None = None
    held = None  # what .grad holds from the steps before, when never zeroed
    for step in range(1, exercise.training.steps + 1):
        _, bwd, W_new, b_new, state_W, state_b = train_step(
            exercise, step, W, b, state_W, state_b, mistakes, fwd, held
        )
        held = (bwd.grad_W, bwd.grad_b)
        # the check after the update: evaluation mode, no node dropped
        after = forward(exercise, W_new, b_new, mistakes, training=False)  # type: ignore[arg-type]
        steps.append(
            StepRecord(step, W, b, fwd, bwd, W_new, b_new, state_W, state_b, after)  # type: ignore[arg-type]
        )
        if exercise.dropout is not None:  # the next step trains: dropout on again
            after = forward(exercise, W_new, b_new, mistakes)  # type: ignore[arg-type]
        W, b, fwd = W_new, b_new, after  # type: ignore[assignment]
    return Trace(exercise, tuple(steps))
