"""The torch oracle: the same network trained by torch itself, compared array by array.

torch computes every derivative with autograd and every update with torch.optim, step after
step, in float64; nothing of backviz's formulas is used, so agreement is independent evidence.
torch is imported only when a check runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.exercise import NetworkExercise
from ..core.formulas import Formula
from ..core.quantities import Kind, Ref
from ..core.trace import Backward, Forward, StepRecord, Trace
from ..errors import DependencyError
from .folding import Fold
from .report import CheckReport
from .rounding import carried_rounding

__all__ = ["compare_traces", "torch_trace"]


def _torch() -> Any:
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the machine
        raise DependencyError(
            "backviz check needs torch: pip install 'backviz[check]' (or ./run setup), "
            "or leave it out with --skip torch"
        ) from None
    return torch


def _torch_activation(torch: Any, name: str, slope: float | None) -> Callable[[Any], Any]:
    F = torch.nn.functional
    return {
        "identity": lambda z: z,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=slope),
        "softmax": lambda z: torch.softmax(z, dim=1),
        "step": lambda z: (z > 0).to(z.dtype),
    }[name]


def _torch_per_sample_loss(
    torch: Any, exercise: NetworkExercise, o: Any, t: Any, classes: Any
) -> Any:
    F = torch.nn.functional
    name = exercise.loss_name
    if name == "half_sse":
        return 0.5 * ((t - o) ** 2).sum(dim=1)
    if name == "sse":
        return ((t - o) ** 2).sum(dim=1)
    if name == "mse":
        return F.mse_loss(o, t, reduction="none").mean(dim=1)
    if name == "bce":
        return F.binary_cross_entropy(o, t, reduction="none").mean(dim=1)
    softmax_output = exercise.activations[-1].name == "softmax"
    if classes is None:  # class probabilities, as CrossEntropyLoss takes them since torch 1.10
        if softmax_output:  # nll_loss takes indices only: −Σ_j t_j·log o_j, autograd through it
            return -(t * torch.log(o)).sum(dim=1)
        return F.cross_entropy(o, t, reduction="none")
    if softmax_output:
        return F.nll_loss(torch.log(o), classes, reduction="none")
    return F.cross_entropy(o, classes, reduction="none")


def _torch_dropout(torch: Any, exercise: NetworkExercise, layer: int, a: Any) -> Any:
    """The exercise's mask applied as inverted dropout, `a * mask / (1 - p)` (what torch's
    `nn.Dropout` does in training mode with a mask it drew itself), and ∂ã/∂a as autograd
    differentiates that (the m/(1 − p) each path back through ã is scaled by); None without
    dropout."""
    mask = exercise.dropout_mask(layer)
    if mask is None:
        return None
    assert exercise.dropout is not None
    p = exercise.dropout.rate(layer)
    m = torch.tensor(mask, dtype=a.dtype)
    leaf = a.detach().clone().requires_grad_(True)
    (link,) = torch.autograd.grad((leaf * m / (1 - p)).sum(), leaf)  # elementwise: the diagonal
    return a * m / (1 - p), link


def _torch_forward(
    torch: Any,
    exercise: NetworkExercise,
    W: list,
    b: list,
    x: Any,
    t: Any,
    classes: Any,
    *,
    training: bool = True,
) -> tuple[list, list, Any, Any, Any, list]:
    a = x
    zs, activations, dropped = [], [], []
    for i, f in enumerate(exercise.activations):
        z = a @ W[i].T
        if b[i] is not None:
            z = z + b[i]
        z.retain_grad()
        a = _torch_activation(torch, f.name, f.slope)(z)
        if a.requires_grad:
            a.retain_grad()
        zs.append(z)
        activations.append(a)
        kept = _torch_dropout(torch, exercise, i + 2, a) if training else None
        dropped.append(kept)
        if kept is not None:
            a = kept[0]  # the next layer reads ã
    if t is None:
        return zs, activations, None, None, None, dropped
    o = activations[-1]
    terms = None
    name = exercise.loss_name
    if name in ("half_sse", "sse", "mse"):
        terms = 0.5 * (t - o) ** 2 if name == "half_sse" else (t - o) ** 2
    elif name == "bce":
        terms = torch.nn.functional.binary_cross_entropy(o, t, reduction="none")
    per_sample = _torch_per_sample_loss(torch, exercise, o, t, classes)
    loss = per_sample.mean() if exercise.training.reduction == "mean" else per_sample.sum()
    return zs, activations, terms, per_sample, loss, dropped


def _np(tensor: Any) -> np.ndarray:
    return tensor.detach().numpy().copy()


def _torch_penalties(torch: Any, exercise: NetworkExercise, W: list, b: list) -> dict[str, Any]:
    """The penalty terms as torch computes them: λ₁·Σ torch.abs(w) and λ₂·Σ w**2 over the
    weights (and the biases, with include_bias); autograd differentiates them itself."""
    reg = exercise.regularization
    params = [*W, *(v for v in b if v is not None and reg.include_bias)]
    found = {}
    for norm in reg.norms:
        each = [torch.abs(p).sum() if norm == "L1" else (p**2).sum() for p in params]
        found[norm] = reg.strength(norm) * torch.stack(each).sum()
    return found


def _with_penalties(loss: Any, penalties: dict[str, Any]) -> Any:
    """E = E_data + E_L1 + E_L2 (E_data alone without regularisation)."""
    for value in penalties.values():
        loss = loss + value
    return loss


def _forward_record(
    zs: list,
    activations: list,
    terms: Any,
    per_sample: Any,
    loss: Any,
    dropped: list,
    penalties: dict[str, Any] | None = None,
) -> Forward:
    """The forward pass as backviz's record; with dropout, also ã and m/(1 − p) (ã/a where the
    torch pass applied them, from the exercise's mask: the factor each path is scaled by); with
    regularisation, E_data and each penalty, E their sum."""
    dropout = any(d is not None for d in dropped)
    extra: dict[str, Any] = {}
    if penalties and loss is not None:
        extra = {
            "data_loss": float(loss.detach()),
            "penalty": {norm: float(value.detach()) for norm, value in penalties.items()},
        }
        loss = _with_penalties(loss, penalties)
    return Forward(
        tuple(_np(z) for z in zs),
        tuple(_np(a) for a in activations),
        None if terms is None else _np(terms),
        None if per_sample is None else _np(per_sample),
        None if loss is None else float(loss.detach()),
        tuple(None if d is None else _np(d[0]) for d in dropped) if dropout else (),
        tuple(None if d is None else _np(d[1]) for d in dropped) if dropout else (),
        **extra,
    )


def _torch_optimizer(torch: Any, exercise: NetworkExercise, params: list) -> Any:
    opt = exercise.training.optimizer
    lr, decay = opt.learning_rate, opt.weight_decay
    if opt.name == "sgd":
        return torch.optim.SGD(
            params,
            lr=lr,
            momentum=opt.momentum,
            dampening=opt.dampening,
            nesterov=opt.nesterov,
            weight_decay=decay,
        )
    if opt.name == "rmsprop":
        return torch.optim.RMSprop(
            params,
            lr=lr,
            alpha=opt.alpha,
            eps=opt.eps,
            weight_decay=decay,
            momentum=opt.momentum,
            centered=opt.centered,
        )
    if opt.name == "adagrad":
        return torch.optim.Adagrad(
            params,
            lr=lr,
            lr_decay=opt.lr_decay,
            weight_decay=decay,
            initial_accumulator_value=opt.initial_accumulator_value,
            eps=opt.eps,
        )
    cls = torch.optim.Adam if opt.name == "adam" else torch.optim.AdamW
    return cls(params, lr=lr, betas=opt.betas, eps=opt.eps, weight_decay=decay, amsgrad=opt.amsgrad)


# torch's names of each optimiser's state, under backviz's slot names.
_STATE_NAMES = {
    "sgd": {"m": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq", "vmax": "max_exp_avg_sq"},
    "rmsprop": {"v": "square_avg", "gavg": "grad_avg", "b": "momentum_buffer"},
    "adagrad": {"s": "sum"},
}
_STATE_NAMES["adamw"] = _STATE_NAMES["adam"]


def _torch_state(optimizer: Any, p: Any, name: str) -> dict[str, np.ndarray]:
    """The optimiser's state for one parameter, under backviz's slot names."""
    if p is None:
        return {}
    state = optimizer.state[p]
    return {
        slot: _np(state[key])
        for slot, key in _STATE_NAMES[name].items()
        if state.get(key) is not None
    }


def _torch_bias(torch: Any, exercise: NetworkExercise, i: int, v: np.ndarray | None) -> Any:
    """Layer i+2's bias as a torch parameter: a vector, or one scalar broadcast over the
    layer's nodes when they share it; requires_grad False when its biases are frozen."""
    if v is None:
        return None
    value = v[0] if exercise.shares_bias(i + 2) else v
    return torch.tensor(value, dtype=torch.float64, requires_grad=exercise.trains_bias_of(i + 2))


def _flat(array: np.ndarray | None) -> np.ndarray | None:
    return None if array is None else array.reshape(-1)


def _bias_np(tensor: Any) -> np.ndarray | None:
    """A bias (or its gradient) as backviz keeps it: a vector, (1,) for a shared one."""
    return None if tensor is None else _np(tensor).reshape(-1)


def torch_trace(exercise: NetworkExercise) -> Trace:
    """The exercise trained by torch itself: autograd for derivatives, torch.optim for updates."""
    torch = _torch()
    dtype = torch.float64
    W = [torch.tensor(w, dtype=dtype, requires_grad=True) for w in exercise.W]
    b = [_torch_bias(torch, exercise, i, v) for i, v in enumerate(exercise.b)]
    x = torch.tensor(exercise.inputs, dtype=dtype)
    t = None if exercise.targets is None else torch.tensor(exercise.targets, dtype=dtype)
    classes = None if exercise.classes is None else torch.tensor(exercise.classes, dtype=torch.long)
    params = [
        p for pair in zip(W, b, strict=True) for p in pair if p is not None and p.requires_grad
    ]
    optimizer = _torch_optimizer(torch, exercise, params) if exercise.trains else None
    records: list[StepRecord] = []
    steps = max(exercise.training.steps, 1)
    fwd = _torch_forward(torch, exercise, W, b, x, t, classes)
    for step in range(1, steps + 1):
        zs, activations, terms, per_sample, data_loss, dropped = fwd
        W_before = tuple(_np(w) for w in W)
        b_before = tuple(_bias_np(v) for v in b)
        penalties = _torch_penalties(torch, exercise, W, b) if data_loss is not None else {}
        forward_record = _forward_record(
            zs, activations, terms, per_sample, data_loss, dropped, penalties
        )
        loss = None if data_loss is None else _with_penalties(data_loss, penalties)
        if not exercise.trains:
            records.append(
                StepRecord(
                    step, W_before, b_before, forward_record, None, None, None, None, None, None
                )
            )
            break
        # ∂E[n]/∂z[n] and ∂E[n]/∂a[n]: samples are independent, so the gradient of Σ_n E[n]
        # with respect to row n is that of E[n] alone.
        total = per_sample.sum()
        per_sample_grads = torch.autograd.grad(total, [*activations, *zs], retain_graph=True)
        n = len(zs)
        dE_da = [_np(g) for g in per_sample_grads[:n]]
        delta = [_np(g) for g in per_sample_grads[n:]]
        da_dz: list[np.ndarray | None] = []
        for i, f in enumerate(exercise.activations):
            if f.vector:
                da_dz.append(None)
                continue
            z_leaf = zs[i].detach().clone().requires_grad_(True)
            a_local = _torch_activation(torch, f.name, f.slope)(z_leaf)
            (g,) = torch.autograd.grad(a_local.sum(), z_leaf)
            da_dz.append(_np(g))
        parts = _gradient_parts(torch, exercise, W, b, data_loss, penalties)
        optimizer.zero_grad()
        loss.backward()
        grad_W = tuple(_np(w.grad) for w in W)
        grad_b = tuple(None if v is None or v.grad is None else _bias_np(v.grad) for v in b)
        optimizer.step()
        name = exercise.training.optimizer.name
        state_W = tuple(_torch_state(optimizer, w, name) for w in W)
        state_b = tuple(
            {k: s.reshape(-1) for k, s in _torch_state(optimizer, v, name).items()} for v in b
        )
        with torch.no_grad():
            W_new = tuple(_np(w) for w in W)
            b_new = tuple(_bias_np(v) for v in b)
        # the check after the update in evaluation mode: no dropout, as a model is evaluated
        after = _forward_record(
            *_torch_forward(torch, exercise, W, b, x, t, classes, training=False),
            _torch_penalties(torch, exercise, W, b),
        )
        fwd = _torch_forward(torch, exercise, W, b, x, t, classes)  # the next step trains
        records.append(
            StepRecord(
                step,
                W_before,
                b_before,
                forward_record,
                Backward(tuple(dE_da), tuple(da_dz), tuple(delta), grad_W, grad_b, **parts),
                W_new,
                b_new,
                state_W,
                state_b,
                after,
            )
        )
    return Trace(exercise, tuple(records))


def _gradient_parts(
    torch: Any, exercise: NetworkExercise, W: list, b: list, data_loss: Any, penalties: dict
) -> dict[str, Any]:
    """With regularisation, ∂E_data/∂w and each penalty's ∂/∂w, each by autograd on its own
    term (torch's gradient of abs at 0 is 0); nothing without regularisation."""
    reg = exercise.regularization
    if not reg.active:
        return {}
    trained_b = [v for v in b if v is not None and v.requires_grad]  # frozen: no gradient
    params = [*W, *trained_b]
    n = len(W)

    def grads(term: Any) -> tuple[tuple, tuple]:
        found = torch.autograd.grad(term, params, retain_graph=True, allow_unused=True)
        as_arrays = [None if g is None else _np(g) for g in found]
        it = iter(as_arrays[n:])  # a bias's as backviz keeps it: a vector, (1,) when shared
        bias = tuple(None if v is None or not v.requires_grad else _flat(next(it)) for v in b)
        return tuple(as_arrays[:n]), bias

    data_W, data_b = grads(data_loss)
    pen_W: list[dict] = [{} for _ in W]
    pen_b: list[dict] = [{} for _ in b]
    for norm, term in penalties.items():
        gW, gb = grads(term)
        for i, g in enumerate(gW):
            pen_W[i][norm] = g
        for i, g in enumerate(gb):
            if g is not None and reg.include_bias:
                pen_b[i][norm] = g
    if not reg.include_bias:
        data_b = tuple(None for _ in b)
    return {
        "data_grad_W": data_W,
        "data_grad_b": data_b,
        "penalty_grad_W": tuple(pen_W),
        "penalty_grad_b": tuple(pen_b),
    }


# -- array comparison ---------------------------------------------------------------------------
def _refs(
    kind: Kind,
    layer: int | None,
    shape: tuple[int, ...],
    step: int,
    *,
    after: bool = False,
    per_sample: bool = False,
    label: tuple[str, ...] = (),
) -> Callable[[int], Ref]:
    """The quantity of each flat element of an array: [sample][node] rows, or a W's [j][k]."""

    def ref(flat: int) -> Ref:
        if not shape:
            return Ref(kind, layer, (), None, step, after, label)
        position = [int(p) + 1 for p in np.unravel_index(flat, shape)]
        if per_sample:
            return Ref(kind, layer, tuple(position[1:]), position[0], step, after, label)
        return Ref(kind, layer, tuple(position), None, step, after, label)

    return ref


OTHER_SIDE = "each depends on a slope torch took on the other side of a kink: float64 rounds a \
pre-activation at the kink to either side, here and in torch, and the slopes differ there"


def _other_side(ours: Trace, theirs: Trace) -> dict[Ref, str]:
    """Each ∂a/∂z whose z float64 puts on one side of a kink here and on the other in torch
    (0.2·0.6 − 0.3·0.4 is 0 in one order of summing, 6.7e-18 in another), with what to say."""
    found = {}
    for mine, other in zip(ours.steps, theirs.steps, strict=True):
        if mine.backward is None:
            continue
        for i, f in enumerate(ours.exercise.activations):
            z, z_torch = mine.forward.z[i], other.forward.z[i]
            for kink in f.kinks:
                for n, j in np.argwhere((z > kink) != (z_torch > kink)):
                    at = (i + 2, (int(j) + 1,), int(n) + 1, mine.step)
                    name = ours.name(Ref(Kind.Z, *at))
                    found[Ref(Kind.DA_DZ, *at)] = (
                        f"{name} = {z[n, j]:g} here, {z_torch[n, j]:g} in torch: {f.name}"
                    )
    return found


def _depending_on(trace: Trace, roots: dict[Ref, str]) -> Fold[str | None]:
    """For each quantity, what is said of the first of `roots` it is computed from, if any."""

    def computed(ref: Ref, formula: Formula, inputs: Any) -> str | None:
        return roots.get(ref) or next((why for why in inputs if why), None)

    return Fold(trace, lambda ref: roots.get(ref), computed)


@dataclass(frozen=True)
class _Arrays:
    """Compares backviz's arrays with torch's for one report and source.

    torch computes everything itself, so an element may differ by the rounding of everything
    before it: one beyond the tolerance is judged allowing what its formula carries of its
    inputs' differences (`carried_rounding`). What depends on a slope torch took on the other
    side of a kink is not judged.
    """

    report: CheckReport
    source: str
    trace: Trace
    rounding: Callable[[Ref], float]
    other_side: Fold[str | None] | None  # None: no slope taken on the other side anywhere

    def compare(self, group: str, ours: Any, theirs: Any, ref: Callable[[int], Ref]) -> None:
        ours, theirs = np.ravel(ours), np.ravel(theirs)
        judged = np.arange(ours.size)
        if self.other_side is not None:
            whys = [self.other_side.of(ref(flat)) for flat in range(ours.size)]
            for flat, why in enumerate(whys):
                if why is not None:
                    name = self.trace.name(ref(flat))
                    self.report.skip(self.source, group, name, OTHER_SIDE, why)
            judged = np.array([flat for flat, why in enumerate(whys) if why is None], dtype=int)
        self.report.get(self.source, group).add(
            ours[judged],
            theirs[judged],
            lambda k: self.trace.name(ref(int(judged[k]))),
            rounding=lambda k: self.rounding(ref(int(judged[k]))),
        )

    def forward(self, ours: Forward, theirs: Forward, step: int, after: bool) -> None:
        for i in range(len(ours.z)):
            layer = i + 2
            for kind, a, b in ((Kind.Z, ours.z[i], theirs.z[i]), (Kind.A, ours.a[i], theirs.a[i])):
                refs = _refs(kind, layer, a.shape, step, after=after, per_sample=True)
                self.compare(kind.value, a, b, refs)
            mine = ours.dropped[i] if ours.dropped else None
            other = theirs.dropped[i] if theirs.dropped else None
            if mine is not None and other is not None:
                refs = _refs(Kind.DROPPED, layer, mine.shape, step, per_sample=True)
                self.compare(Kind.DROPPED.value, mine, other, refs)
                mine, other = ours.dropout_factors[i], theirs.dropout_factors[i]
                assert mine is not None and other is not None
                refs = _refs(Kind.DROPPED_DA, layer, mine.shape, step, per_sample=True)
                self.compare(Kind.DROPPED_DA.value, mine, other, refs)
        if ours.loss is None or theirs.loss is None:
            return
        L = len(ours.z) + 1
        if ours.terms is not None and theirs.terms is not None:
            refs = _refs(Kind.LOSS_TERM, L, ours.terms.shape, step, after=after, per_sample=True)
            self.compare(Kind.LOSS_TERM.value, ours.terms, theirs.terms, refs)
        if (
            ours.per_sample is not None
            and theirs.per_sample is not None
            and len(ours.per_sample) > 1
        ):
            self.compare(
                Kind.SAMPLE_LOSS.value,
                ours.per_sample,
                theirs.per_sample,
                lambda flat: Ref(Kind.SAMPLE_LOSS, None, (), flat + 1, step, after),
            )
        for norm, value in ours.penalty.items():
            self.compare(
                Kind.PENALTY.value,
                np.array(value),
                np.array(theirs.penalty[norm]),
                lambda flat, norm=norm: Ref(Kind.PENALTY, None, (), None, step, after, (norm,)),
            )
        if ours.data_loss is not None and theirs.data_loss is not None:
            self.compare(
                Kind.DATA_LOSS.value,
                np.array(ours.data_loss),
                np.array(theirs.data_loss),
                lambda flat: Ref(Kind.DATA_LOSS, None, (), None, step, after),
            )
        self.compare(
            Kind.LOSS.value,
            np.array(ours.loss),
            np.array(theirs.loss),
            lambda flat: Ref(Kind.LOSS, None, (), None, step, after),
        )

    def params(
        self,
        kinds: tuple[Kind, Kind],
        ours: Iterable,
        theirs: Iterable,
        step: int,
        label: tuple[str, ...] = (),
    ) -> None:
        """Parameters, gradients, optimiser state or updated parameters, W and b per layer."""
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a is None or b is None:
                continue
            kind = kinds[0] if a.ndim == 2 else kinds[1]
            group = Kind.STATE.value if label else kind.value
            self.compare(group, a, b, _refs(kind, i + 2, a.shape, step, label=label))


def _compare_penalty_parts(arrays: _Arrays, mine: Backward, other: Backward, s: int) -> None:
    """With regularisation: each gradient's data term and penalty terms, W and b per layer."""
    data = Kind.DATA_GRAD_W, Kind.DATA_GRAD_B
    if mine.data_grad_W is not None and other.data_grad_W is not None:
        arrays.params(data, mine.data_grad_W, other.data_grad_W, s)
    if mine.data_grad_b is not None and other.data_grad_b is not None:
        arrays.params(data, mine.data_grad_b, other.data_grad_b, s)
    for param, ours, theirs in (
        ("W", mine.penalty_grad_W, other.penalty_grad_W),
        ("b", mine.penalty_grad_b, other.penalty_grad_b),
    ):
        for i, (terms, torch_terms) in enumerate(zip(ours or (), theirs or (), strict=True)):
            for norm, value in terms.items():
                refs = _refs(Kind.PENALTY_GRAD, i + 2, value.shape, s, label=(norm, param))
                arrays.compare(Kind.PENALTY_GRAD.value, value, torch_terms[norm], refs)


def compare_traces(report: CheckReport, source: str, ours: Trace, theirs: Trace) -> None:
    other_side = _other_side(ours, theirs)
    depending = _depending_on(ours, other_side) if other_side else None
    arrays = _Arrays(report, source, ours, carried_rounding(ours, theirs), depending)
    for mine, other in zip(ours.steps, theirs.steps, strict=True):
        s = mine.step
        arrays.forward(mine.forward, other.forward, s, after=False)
        arrays.params((Kind.WEIGHT, Kind.BIAS), mine.W, other.W, s)
        arrays.params((Kind.WEIGHT, Kind.BIAS), mine.b, other.b, s)
        if mine.backward is None or other.backward is None:
            continue
        mb, ob = mine.backward, other.backward
        for i in range(len(mb.delta)):
            layer = i + 2
            for kind, a, b in (
                (Kind.DE_DA, mb.dE_da[i], ob.dE_da[i]),
                (Kind.DA_DZ, mb.da_dz[i], ob.da_dz[i]),
                (Kind.DELTA, mb.delta[i], ob.delta[i]),
            ):
                if a is None or b is None:
                    continue
                arrays.compare(kind.value, a, b, _refs(kind, layer, a.shape, s, per_sample=True))
        arrays.params((Kind.GRAD_W, Kind.GRAD_B), mb.grad_W, ob.grad_W, s)
        arrays.params((Kind.GRAD_W, Kind.GRAD_B), mb.grad_b, ob.grad_b, s)
        _compare_penalty_parts(arrays, mb, ob, s)
        for param, mine_states, other_states in (
            ("W", mine.state_W, other.state_W),
            ("b", mine.state_b, other.state_b),
        ):
            for i, (ms, os_) in enumerate(zip(mine_states or (), other_states or (), strict=True)):
                for slot, value in ms.items():
                    refs = _refs(Kind.STATE, i + 2, value.shape, s, label=(slot, param))
                    arrays.compare(Kind.STATE.value, value, os_[slot], refs)
        arrays.params((Kind.UPDATE_W, Kind.UPDATE_B), mine.W_new, other.W_new, s)
        # a frozen layer's bias has no b⁺ (the after pass reads b)
        trained = [ours.exercise.trains_bias_of(i + 2) for i in range(len(mine.b_new))]
        mine_b = (v if t else None for v, t in zip(mine.b_new, trained, strict=True))
        arrays.params((Kind.UPDATE_W, Kind.UPDATE_B), mine_b, other.b_new, s)
        assert mine.after is not None and other.after is not None
        arrays.forward(mine.after, other.after, s, after=True)
