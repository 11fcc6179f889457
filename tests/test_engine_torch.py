"""backviz's engine against an independent torch reference, built from torch's own modules.

The reference below never calls backviz's formulas (nor backviz/verify/, backviz's own torch
check): it builds the drawn network from `torch.nn.Linear` layers with the exercise's weights
copied in, torch's activation modules, torch's loss modules and `torch.optim`'s optimisers, all
in float64, and lets autograd and `optimizer.step()` produce the numbers that backviz derives by
hand. Exercises are written as TOML text and read with `backviz.loads`, so the loader is on the
path too.

backviz's per-sample quantities (δ[n], ∂E/∂a[n]) are derivatives of each sample's own loss E[n]
(no 1/N); the reduction over samples enters at the gradients. So the reference takes per-sample
quantities from the gradient of Σ_n E[n] with respect to z and a, and the weight gradients from
`E.backward()` on the reduced loss.

torch's default dtype is never changed: every tensor is created with dtype=torch.float64 and
every module is converted with `.double()`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import (  # noqa: E402
    HealthCheck,
    assume,
    currently_in_test_context,
    given,
    note,
    settings,
)
from hypothesis import strategies as st  # noqa: E402

import backviz  # noqa: E402
from backviz.core.functions import LOSSES, activation  # noqa: E402
from backviz.errors import ExerciseError  # noqa: E402

F64 = torch.float64
RTOL = 1e-10
ATOL = 1e-12

HIDDEN = ("identity", "sigmoid", "tanh", "relu", "leaky_relu")
OUTPUT_FOR_LOSS = {
    "half_sse": ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"),
    "sse": ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"),
    "mse": ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"),
    "bce": ("sigmoid",),
    "ce": ("identity", "softmax"),
}
TORCH_DEFAULT_DTYPE = torch.get_default_dtype()


@pytest.fixture(autouse=True)
def _default_dtype_untouched():
    """No test here may change torch's global default dtype (other test files rely on it)."""
    yield
    assert torch.get_default_dtype() == TORCH_DEFAULT_DTYPE


# -- comparison ---------------------------------------------------------------------------------


def assert_close(actual: Any, expected: Any, what: str) -> None:
    """rtol 1e-10, atol 1e-12 times the size of the array's largest entry (at least 1).

    A plain atol of 1e-12 can be too tight for an entry that comes out near 0 by cancellation in
    a layer whose other entries are large (identity layers with weights up to 2 reach |z| ~ 1e4
    at depth 4, and a large learning rate inflates the weights after a step): numpy and torch
    sum in different orders, so such an entry carries an absolute rounding error of a few ulps
    of the *terms* it was summed from, not of its own value. Scaling atol by the array's largest
    entry keeps the check at 1e-12 relative to the array as a whole: still ~four orders of
    magnitude above float64 rounding, and far below any formula mistake (perturbing sigmoid' by
    1e-9 or the softmax backward by a relative 1e-8 fails). The unscaled atol also passed 6000
    random (non-derandomized) examples; the scaling is a margin against flaky cancellations.
    """
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    finite = expected[np.isfinite(expected)]
    scale = max(1.0, float(np.max(np.abs(finite)))) if finite.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL * scale, err_msg=what)


# -- drawn exercises ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    slope: float | None  # None: the key is left out (backviz's default, torch's 0.01)
    bias: tuple[bool, ...]
    loss: str
    W: tuple[list[list[float]], ...]
    b: tuple[list[float] | None, ...]
    inputs: list[list[float]]
    targets: list  # rows of numbers, or class indices for ce
    reduction: str | None  # None: left out (mean)
    optimizer: str
    lr: float
    steps: int
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float | None = None  # None: left out (0 for sgd and adam)
    betas: tuple[float, float] | None = None
    eps: float | None = None
    amsgrad: bool = False
    alpha: float | None = None  # None: left out (rmsprop's 0.99)
    centered: bool = False
    lr_decay: float | None = None  # adagrad's; None: left out
    initial_accumulator_value: float | None = None
    shared: tuple[bool, ...] = ()  # per layer: one bias shared by its nodes (b[i] then of one)
    train_bias: bool | tuple[bool, ...] = True  # False: the biases frozen; or one per layer

    def shares(self, i: int) -> bool:
        return bool(self.shared) and self.shared[i]

    def trains_bias(self, i: int) -> bool:
        """Whether layer i + 2's bias (if it has one) is trained."""
        return self.train_bias if isinstance(self.train_bias, bool) else self.train_bias[i]

    dropout: tuple[float, ...] | None = None  # p per hidden layer; None: the key is left out
    dropout_mask: tuple[list[list[float]] | None, ...] | None = None  # per hidden layer (N, n_l)
    l1: float | None = None  # [regularization]; None: the key left out (0)
    l2: float | None = None
    include_bias: bool | None = None

    @property
    def negative_slope(self) -> float:
        return 0.01 if self.slope is None else self.slope


def _num(x: float) -> str:
    return repr(float(x))  # repr round-trips float64 exactly, and is valid TOML


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _num(value)
    if value is None:
        return "[]"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def to_toml(case: Case) -> str:
    lines = [
        'id = "torch-property"',
        "[network]",
        f"sizes = {_toml_value(list(case.sizes))}",
        f"activation = {_toml_value(list(case.activations))}",
        "bias = "
        + _toml_value(["shared" if case.shares(i) else has for i, has in enumerate(case.bias)]),
        f'loss = "{case.loss}"',
    ]
    if case.slope is not None:
        lines.append(f"negative_slope = {_num(case.slope)}")
    if case.dropout is not None:
        lines.append(f"dropout = {_toml_value(list(case.dropout))}")
    lines += ["[parameters]", f"W = {_toml_value(list(case.W))}"]
    if any(case.bias):
        b = [v[0] if v is not None and case.shares(i) else v for i, v in enumerate(case.b)]
        lines.append(f"b = {_toml_value(b)}")
    lines += [
        "[data]",
        f"inputs = {_toml_value(case.inputs)}",
        f"targets = {_toml_value(case.targets)}",
        *([f"dropout_mask = {_toml_value(list(case.dropout_mask))}"] if case.dropout_mask else []),
        "[training]",
        f'optimizer = "{case.optimizer}"',
        f"learning_rate = {_num(case.lr)}",
        f"steps = {case.steps}",
    ]
    if case.reduction is not None:
        lines.append(f'reduction = "{case.reduction}"')
    if case.train_bias is not True:
        lines.append(f"train_bias = {_toml_value(case.train_bias)}")
    if case.momentum:
        lines.append(f"momentum = {_num(case.momentum)}")
    if case.dampening:
        lines.append(f"dampening = {_num(case.dampening)}")
    if case.nesterov:
        lines.append("nesterov = true")
    if case.weight_decay is not None:
        lines.append(f"weight_decay = {_num(case.weight_decay)}")
    if case.betas is not None:
        lines.append(f"betas = {_toml_value(list(case.betas))}")
    if case.eps is not None:
        lines.append(f"eps = {_num(case.eps)}")
    for key in ("amsgrad", "centered"):
        if getattr(case, key):
            lines.append(f"{key} = true")
    for key in ("alpha", "lr_decay", "initial_accumulator_value"):
        if getattr(case, key) is not None:
            lines.append(f"{key} = {_num(getattr(case, key))}")
    if (case.l1, case.l2, case.include_bias) != (None, None, None):
        lines.append("[regularization]")
        for key in ("l1", "l2"):
            if getattr(case, key) is not None:
                lines.append(f"{key} = {_num(getattr(case, key))}")
        if case.include_bias is not None:
            lines.append(f"include_bias = {_toml_value(case.include_bias)}")
    return "\n".join(lines) + "\n"


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _matrix(draw: Callable, rows: int, cols: int, lo: float = -2.0, hi: float = 2.0) -> list:
    return [[draw(_floats(lo, hi)) for _ in range(cols)] for _ in range(rows)]


def _probabilities(row: list[float]) -> list[float]:
    """A row of class probabilities (≥ 0, summing to 1) from non-negative numbers."""
    total = sum(row)
    return [x / total for x in row] if total > 0 else [1.0] + [0.0] * (len(row) - 1)


def _one_of(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


@st.composite
def cases(draw: Callable, kind: str) -> Case:
    """An exercise trained by `kind`: sgd, momentum, dampened, nesterov (SGD), adam or adamw."""
    loss = draw(_one_of(*OUTPUT_FOR_LOSS))
    depth = draw(_one_of(2, 3, 4) if kind == "dropout" else _one_of(1, 2, 3, 4))  # weight layers
    widths = [draw(_one_of(1, 2, 3, 4, 5, 6)) for _ in range(depth)]
    widths.append(draw(_one_of(2, 3, 4, 5, 6) if loss == "ce" else _one_of(1, 2, 3, 4, 5, 6)))
    sizes = tuple(widths)
    hidden = [draw(_one_of(*HIDDEN)) for _ in range(depth - 1)]
    acts = (*hidden, draw(_one_of(*OUTPUT_FOR_LOSS[loss])))
    slope = draw(st.none() | _floats(0.0, 1.0)) if "leaky_relu" in acts else None
    bias = tuple(draw(st.booleans()) for _ in range(depth))
    W = tuple(_matrix(draw, sizes[i + 1], sizes[i]) for i in range(depth))
    b = tuple(
        [draw(_floats(-2.0, 2.0)) for _ in range(sizes[i + 1])] if bias[i] else None
        for i in range(depth)
    )
    n = draw(_one_of(1, 2, 3, 4, 5))
    inputs = _matrix(draw, n, sizes[0])
    n_out = sizes[-1]
    if loss == "ce":
        if draw(st.booleans()):  # class indices, or class probabilities (soft targets)
            targets: list = [draw(st.integers(0, n_out - 1)) for _ in range(n)]
        else:
            targets = [_probabilities(row) for row in _matrix(draw, n, n_out, 0.0, 1.0)]
    elif loss == "bce":
        targets = _matrix(draw, n, n_out, 0.0, 1.0)
    else:
        targets = _matrix(draw, n, n_out)
    optimizer = {"amsgrad": "adam", "momentum": "sgd", "dampened": "sgd", "nesterov": "sgd"}
    optimizer = optimizer.get(kind, kind)
    extra: dict[str, Any] = {}
    if kind == "dropout":  # a rate per hidden layer (some 0), each node kept or dropped per sample
        optimizer = draw(_one_of("sgd", "adam"))
        rates = tuple(draw(_one_of(0.0, 0.5) | _floats(0.05, 0.9)) for _ in range(depth - 1))
        extra["dropout"] = rates
        if any(rates):
            extra["dropout_mask"] = tuple(
                [[float(draw(st.booleans())) for _ in range(sizes[i + 1])] for _ in range(n)]
                if p
                else None
                for i, p in enumerate(rates)
            )
    elif kind == "regularized":  # L1/L2 in the cost, trained by SGD or Adam
        optimizer = draw(_one_of("sgd", "adam"))
        strength = st.none() | st.just(0.0) | _floats(1e-4, 0.5)
        extra["l1"], extra["l2"] = draw(strength), draw(strength)
        extra["include_bias"] = draw(st.none() | st.booleans())
        if draw(st.booleans()):  # a weight (and a bias) of exactly 0: sign(0) = 0, as torch
            W[0][0][0] = 0.0
            if b[0] is not None:
                b[0][0] = 0.0
    if optimizer == "rmsprop":
        extra["alpha"] = draw(st.none() | _floats(0.5, 0.999))
        extra["centered"] = draw(st.booleans())
        extra["momentum"] = draw(st.just(0.0) | _floats(0.05, 0.99))
        extra["weight_decay"] = draw(st.none() | _floats(1e-4, 0.1))
        extra["eps"] = draw(st.none() | _floats(1e-10, 1e-4))
    elif optimizer == "adagrad":
        extra["lr_decay"] = draw(st.none() | _floats(0.0, 0.5))
        extra["initial_accumulator_value"] = draw(st.none() | _floats(0.0, 1.0))
        extra["weight_decay"] = draw(st.none() | _floats(1e-4, 0.1))
        extra["eps"] = draw(st.none() | _floats(1e-10, 1e-4))
    elif optimizer == "sgd":
        if kind != "sgd":
            extra["momentum"] = draw(_floats(0.05, 0.99))
        if kind == "dampened":
            extra["dampening"] = draw(_floats(0.05, 0.9))
        extra["nesterov"] = kind == "nesterov"
        extra["weight_decay"] = draw(st.none() | _floats(1e-4, 0.1))
    else:
        # adamw's weight decay is always written: torch's AdamW defaults to 0.01 while backviz
        # defaults to 0 (see test_optimizer_defaults_are_torchs below).
        decay = _floats(1e-4, 0.1) | st.just(0.0)
        extra["weight_decay"] = draw(decay if optimizer == "adamw" else st.none() | decay)
        extra["betas"] = draw(st.none() | st.tuples(_floats(0.0, 0.99), _floats(0.9, 0.9999)))
        extra["eps"] = draw(st.none() | _floats(1e-10, 1e-4))
        extra["amsgrad"] = kind == "amsgrad"
    return Case(
        sizes=sizes,
        activations=acts,
        slope=slope,
        bias=bias,
        loss=loss,
        W=W,
        b=b,
        inputs=inputs,
        targets=targets,
        reduction=draw(_one_of(None, "mean", "sum")),
        optimizer=optimizer,
        lr=draw(_floats(1e-3, 1.0)),
        steps=draw(_one_of(1, 2, 3)),
        **extra,
    )


# -- the torch reference ---------------------------------------------------------------------------


def _activation_module(name: str, slope: float) -> torch.nn.Module:
    modules: dict[str, Callable[[], torch.nn.Module]] = {
        "identity": torch.nn.Identity,
        "sigmoid": torch.nn.Sigmoid,
        "tanh": torch.nn.Tanh,
        "relu": torch.nn.ReLU,
        "leaky_relu": lambda: torch.nn.LeakyReLU(negative_slope=slope),
        "softmax": lambda: torch.nn.Softmax(dim=1),
    }
    return modules[name]().double()


def _optimizer(case: Case, params: list) -> torch.optim.Optimizer:
    kwargs: dict[str, Any] = {"lr": case.lr}
    if case.weight_decay is not None:
        kwargs["weight_decay"] = case.weight_decay
    if case.optimizer == "sgd":
        return torch.optim.SGD(
            params,
            momentum=case.momentum,
            dampening=case.dampening,
            nesterov=case.nesterov,
            **kwargs,
        )
    if case.eps is not None:
        kwargs["eps"] = case.eps
    if case.optimizer == "rmsprop":
        if case.alpha is not None:
            kwargs["alpha"] = case.alpha
        return torch.optim.RMSprop(params, momentum=case.momentum, centered=case.centered, **kwargs)
    if case.optimizer == "adagrad":
        for key in ("lr_decay", "initial_accumulator_value"):
            if getattr(case, key) is not None:
                kwargs[key] = getattr(case, key)
        return torch.optim.Adagrad(params, **kwargs)
    if case.betas is not None:
        kwargs["betas"] = case.betas
    cls = torch.optim.Adam if case.optimizer == "adam" else torch.optim.AdamW
    return cls(params, amsgrad=case.amsgrad, **kwargs)


def _torch_loss(case: Case, o: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(E[n] per sample, the reduced E) from torch's loss modules."""
    n, j = o.shape
    mean = (case.reduction or "mean") == "mean"
    nn = torch.nn
    if case.loss == "mse":  # MSELoss averages over every element: the mean over samples of E[n]
        per_sample = nn.MSELoss(reduction="none")(o, t).mean(dim=1)
        total = nn.MSELoss()(o, t) if mean else nn.MSELoss(reduction="sum")(o, t) / j
    elif case.loss in ("half_sse", "sse"):
        c = 0.5 if case.loss == "half_sse" else 1.0
        per_sample = c * nn.MSELoss(reduction="none")(o, t).sum(dim=1)
        total = c * nn.MSELoss(reduction="sum")(o, t) / (n if mean else 1)
    elif case.loss == "bce":
        per_sample = nn.BCELoss(reduction="none")(o, t).mean(dim=1)
        total = nn.BCELoss()(o, t) if mean else nn.BCELoss(reduction="sum")(o, t) / j
    else:
        reduction = "mean" if mean else "sum"
        if case.activations[-1] == "softmax" and t.is_floating_point():  # probabilities
            per_sample = -(t * torch.log(o)).sum(dim=1)  # NLLLoss takes class indices only
            total = per_sample.mean() if mean else per_sample.sum()
        elif case.activations[-1] == "softmax":  # the textbook way: −log of the softmax output
            log_o = torch.log(o)
            per_sample = nn.NLLLoss(reduction="none")(log_o, t)
            total = nn.NLLLoss(reduction=reduction)(log_o, t)
        else:  # raw scores: CrossEntropyLoss applies (log-)softmax itself
            per_sample = nn.CrossEntropyLoss(reduction="none")(o, t)
            total = nn.CrossEntropyLoss(reduction=reduction)(o, t)
    return per_sample, total


def _np(x: torch.Tensor | None) -> np.ndarray | None:
    return None if x is None else x.detach().numpy().copy()


class TorchNet:
    """The drawn network as torch modules, trained by a torch.optim optimiser."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.layers = []
        # a bias shared by a layer's nodes: one scalar parameter, broadcast over them
        self.shared: list[torch.nn.Parameter | None] = []
        for i in range(len(case.sizes) - 1):
            own_bias = case.bias[i] and not case.shares(i)
            # skip_init: no random initialisation (it would draw from torch's global generator)
            linear = torch.nn.utils.skip_init(
                torch.nn.Linear, case.sizes[i], case.sizes[i + 1], bias=own_bias
            ).double()
            with torch.no_grad():  # the drawn numbers, not what backviz's loader made of them
                linear.weight.copy_(torch.tensor(case.W[i], dtype=F64))
                if own_bias:
                    linear.bias.copy_(torch.tensor(case.b[i], dtype=F64))
            if case.shares(i):
                self.shared.append(torch.nn.Parameter(torch.tensor(case.b[i][0], dtype=F64)))
            else:
                self.shared.append(None)
            if linear.bias is not None:  # frozen: no gradient, no update
                linear.bias.requires_grad_(case.trains_bias(i))
            if self.shared[i] is not None:
                self.shared[i].requires_grad_(case.trains_bias(i))
            self.layers.append(linear)
        self.activations = [_activation_module(f, case.negative_slope) for f in case.activations]
        self.x = torch.tensor(case.inputs, dtype=F64)
        indices = case.loss == "ce" and not isinstance(case.targets[0], list)
        target_dtype = torch.long if indices else F64
        self.t = torch.tensor(case.targets, dtype=target_dtype)
        params = [p for layer in self.layers for p in layer.parameters()]
        params += [p for p in self.shared if p is not None]
        self.optimizer = _optimizer(case, [p for p in params if p.requires_grad])

    def biases(self) -> list[torch.Tensor | None]:
        """Each layer's bias parameter: its own vector, the shared scalar, or None."""
        return [
            shared if shared is not None else layer.bias
            for layer, shared in zip(self.layers, self.shared, strict=True)
        ]

    def forward(self, *, training: bool = True) -> dict[str, Any]:
        """z and a per layer and the loss; in training, a hidden layer with dropout passes on
        `a * mask / (1 - p)` (inverted dropout with the exercise's mask), in evaluation a."""
        zs, outs, dropped, links = [], [], [], []
        a = self.x
        layers = zip(self.layers, self.shared, self.activations, strict=True)
        for i, (layer, shared, f) in enumerate(layers):
            z = layer(a) if shared is None else layer(a) + shared
            a = f(z)
            zs.append(z)
            outs.append(a)
            mask = self._mask(i) if training else None
            link = None
            if mask is not None:
                p = self.case.dropout[i]  # type: ignore[index]
                kept = a * torch.tensor(mask, dtype=F64) / (1 - p)
                # ∂ã/∂a as autograd differentiates it (elementwise: the gradient of the sum)
                (link,) = torch.autograd.grad(kept.sum(), a, retain_graph=True)
                a = kept
            dropped.append(a if mask is not None else None)
            links.append(link)
        per_sample, data = _torch_loss(self.case, outs[-1], self.t)
        penalties = self.penalties()
        total = data
        for value in penalties.values():
            total = total + value
        return {
            "z": zs,
            "a": outs,
            "dropped": dropped,
            "dropped_da": links,
            "per_sample": per_sample,
            "data_loss": data,
            "penalty": penalties,
            "loss": total,
        }

    def _mask(self, i: int) -> list[list[float]] | None:
        """The dropout mask of hidden layer i + 2, None without dropout there."""
        masks = self.case.dropout_mask
        return masks[i] if masks is not None and i < len(masks) else None

    def penalties(self) -> dict[str, torch.Tensor]:
        """λ₁·Σ|w| (torch.abs) and λ₂·Σw² over the layers' weights (and biases with
        include_bias), for each λ that is not 0: the regularisation the case asks for."""
        case = self.case
        params = [layer.weight for layer in self.layers]
        if case.include_bias:
            params += [layer.bias for layer in self.layers if layer.bias is not None]
        found = {}
        if case.l1:
            found["L1"] = case.l1 * sum(torch.abs(p).sum() for p in params)
        if case.l2:
            found["L2"] = case.l2 * sum((p * p).sum() for p in params)
        return found

    def backward(self, fwd: dict[str, Any]) -> dict[str, Any]:
        """Per-sample ∂E[n]/∂z, ∂E[n]/∂a (from Σ_n E[n]) and the gradients of E itself."""
        depth = len(self.layers)
        grads = torch.autograd.grad(
            fwd["per_sample"].sum(), [*fwd["z"], *fwd["a"]], retain_graph=True
        )
        parts = {}  # each term's gradient by autograd on that term alone
        params = [p for layer in self.layers for p in (layer.weight, layer.bias) if p is not None]
        for name, term in (("data", fwd["data_loss"]), *fwd["penalty"].items()):
            if fwd["penalty"]:
                found = torch.autograd.grad(term, params, retain_graph=True, allow_unused=True)
                parts[name] = [None if g is None else _np(g) for g in found]
        self.optimizer.zero_grad(set_to_none=True)
        fwd["loss"].backward()
        return {
            "parts": parts,
            "delta": [_np(g) for g in grads[:depth]],
            "dE_da": [_np(g) for g in grads[depth:]],
            "grad_W": [_np(layer.weight.grad) for layer in self.layers],
            "grad_b": [
                None if b is None or b.grad is None else _np(b.grad).reshape(-1)
                for b in self.biases()
            ],
        }

    def step(self, grad_W: tuple, grad_b: tuple) -> dict[str, Any]:
        """torch.optim's step, fed the given gradients; the parameters and state after it."""
        for layer, bias, gW, gb in zip(self.layers, self.biases(), grad_W, grad_b, strict=True):
            layer.weight.grad = torch.tensor(gW, dtype=F64)
            if bias is not None and bias.requires_grad:
                bias.grad = torch.tensor(gb, dtype=F64).reshape(bias.shape)
        self.optimizer.step()
        state = self.optimizer.state

        def slots(p: torch.Tensor | None) -> dict[str, np.ndarray]:
            if p is None:
                return {}
            return {
                k: _np(v).reshape(p.shape if p.ndim else (1,))
                for k, v in state[p].items()
                if k != "step" and v is not None
            }

        return {
            "W_new": [_np(layer.weight) for layer in self.layers],
            "b_new": [None if b is None else _np(b).reshape(-1) for b in self.biases()],
            "state_W": [slots(layer.weight) for layer in self.layers],
            "state_b": [slots(b) for b in self.biases()],
        }


def _numbers(fwd: dict[str, Any]) -> dict[str, Any]:
    return {
        "z": [_np(z) for z in fwd["z"]],
        "a": [_np(a) for a in fwd["a"]],
        "dropped": [_np(d) for d in fwd["dropped"]],
        "dropped_da": [_np(d) for d in fwd["dropped_da"]],
        "per_sample": _np(fwd["per_sample"]),
        "loss": fwd["loss"].item(),
        "data_loss": fwd["data_loss"].item(),
        "penalty": {norm: value.item() for norm, value in fwd["penalty"].items()},
    }


def _moderate(*arrays: Any) -> bool:
    """Finite and below 1e12 (a large lr on sse through identity layers can blow up by step 3)."""
    return all(
        np.all(np.isfinite(np.asarray(a))) and np.all(np.abs(np.asarray(a)) < 1e12)
        for a in arrays
        if a is not None
    )


def _require(condition: bool, why: str) -> None:
    """Set the example aside under hypothesis (`assume`); a plain test must not need that."""
    if currently_in_test_context():
        assume(condition)
    else:
        assert condition, why


def _compare_forward(mine: Any, ref: dict[str, Any], label: str) -> None:
    for i, (z, a) in enumerate(zip(ref["z"], ref["a"], strict=True)):
        assert_close(mine.z[i], z, f"{label} z of layer {i + 2}")
        assert_close(mine.a[i], a, f"{label} a of layer {i + 2}")
    dropped = [i for i, d in enumerate(ref["dropped"]) if d is not None]
    assert [i for i, d in enumerate(mine.dropped) if d is not None] == dropped, label
    for i in dropped:
        assert_close(mine.dropped[i], ref["dropped"][i], f"{label} ã of layer {i + 2}")
        link = mine.dropout_factors[i]  # ∂ã/∂a, the link of every path back through ã
        assert_close(link, ref["dropped_da"][i], f"{label} ∂ã/∂a of layer {i + 2}")
    assert_close(mine.per_sample, ref["per_sample"], f"{label} per-sample loss E[n]")
    assert_close(mine.loss, ref["loss"], f"{label} loss E")
    if ref["penalty"]:  # E = E_data + E_L1 + E_L2
        assert_close(mine.data_loss, ref["data_loss"], f"{label} E_data")
        assert mine.penalty.keys() == ref["penalty"].keys()
        for norm, value in ref["penalty"].items():
            assert_close(mine.penalty[norm], value, f"{label} E_{norm}")
    else:
        assert mine.data_loss is None and not mine.penalty


# torch.optim's state names (torch/optim/*.py), under backviz's slot names.
STATE_KEYS = {
    "sgd": {"m": "momentum_buffer"},
    "adam": {"m": "exp_avg", "v": "exp_avg_sq", "vmax": "max_exp_avg_sq"},
    "rmsprop": {"v": "square_avg", "gavg": "grad_avg", "b": "momentum_buffer"},
    "adagrad": {"s": "sum"},
}
STATE_KEYS["adamw"] = STATE_KEYS["adam"]


def check_against_torch(case: Case) -> None:
    """Run the case through backviz (from TOML text) and torch; compare every number.

    torch's network trains its own parameters, but its optimiser is fed backviz's gradients
    once they have been checked against autograd's. Without that, one-ulp differences between
    numpy's and torch's tanh/sigmoid, turned into relative differences of ~1e-9 by the
    cancellation in 1 − a² or a(1 − a) at a saturated unit, would pass the gradient check (they
    sit far below atol) and then be blown up to ~1e-9 of the step by Adam's normalisation
    m̂/(√v̂ + ε) whenever |g| is near ε, and carried into later steps: noise, not mistakes.
    """
    text = to_toml(case)
    if currently_in_test_context():  # a failing example then shows its exercise file
        note(text)
    try:
        trace = backviz.trace_of(backviz.loads(text))
    except ExerciseError as error:  # a drawn case that leaves float64's range is refused
        _require("float64's range" not in str(error), "overflowed")  # (core/finite.py)
        raise
    assert len(trace.steps) == case.steps
    net = TorchNet(case)
    depth = len(case.sizes) - 1
    fwd = net.forward()
    for s, step in enumerate(trace.steps, start=1):
        at = f"step {s}:"
        before = _numbers(fwd)
        _require(_moderate(*before["z"], *before["a"], before["loss"]), "diverged")
        for i, f in enumerate(case.activations):
            if f in ("relu", "leaky_relu"):  # a z that rounding puts on either side of the kink
                kink = np.array_equal(step.forward.z[i] > 0, before["z"][i] > 0)
                _require(kink, "a pre-activation rounded to either side of the kink")
        if s == 1:
            for i in range(depth):
                assert_close(step.W[i], case.W[i], f"W of layer {i + 2} as loaded")
                if case.bias[i]:
                    assert_close(step.b[i], case.b[i], f"b of layer {i + 2} as loaded")
                    assert step.b[i].shape == ((1,) if case.shares(i) else (case.sizes[i + 1],))
        _compare_forward(step.forward, before, at)

        ref = net.backward(fwd)
        bwd = step.backward
        for i in range(depth):
            layer = f"{at} layer {i + 2}"
            assert_close(bwd.dE_da[i], ref["dE_da"][i], f"{layer} dE/da")
            assert_close(bwd.delta[i], ref["delta"][i], f"{layer} delta")
            assert_close(bwd.grad_W[i], ref["grad_W"][i], f"{layer} dE/dW")
            if case.bias[i] and case.trains_bias(i):
                assert_close(bwd.grad_b[i], ref["grad_b"][i], f"{layer} dE/db")
            else:  # no bias, or a frozen one: no gradient (torch's is None too)
                assert bwd.grad_b[i] is None
                assert ref["grad_b"][i] is None
        _compare_gradient_parts(case, bwd, ref["parts"], at)

        update = net.step(bwd.grad_W, bwd.grad_b)
        _require(_moderate(*update["W_new"], *update["b_new"]), "diverged")
        for i in range(depth):
            layer = f"{at} layer {i + 2}"
            assert_close(step.W_new[i], update["W_new"][i], f"{layer} W+")
            if case.bias[i]:
                assert_close(step.b_new[i], update["b_new"][i], f"{layer} b+")
            else:
                assert step.b_new[i] is None
            for slot, key in STATE_KEYS[case.optimizer].items():
                if key in update["state_W"][i]:  # SGD without momentum keeps no buffer
                    got = step.state_W[i][slot]
                    assert_close(got, update["state_W"][i][key], f"{layer} {slot} of W")
                    if case.bias[i] and case.trains_bias(i):
                        got = step.state_b[i][slot]
                        assert_close(got, update["state_b"][i][key], f"{layer} {slot} of b")

        fwd = net.forward()
        after = _numbers(net.forward(training=False))  # the check: evaluation mode
        _require(_moderate(*after["z"], *after["a"], after["loss"]), "diverged")
        _compare_forward(step.after, after, f"{at} after the update,")
        if s < case.steps:  # the next step starts where this one ended
            for i in range(depth):
                np.testing.assert_array_equal(trace.steps[s].W[i], step.W_new[i])


def _compare_gradient_parts(case: Case, bwd: Any, parts: dict[str, list], at: str) -> None:
    """With regularisation, each gradient's data term and penalty terms against autograd on
    each term alone; a bias outside the penalty has no parts (its gradient is the data's)."""
    if not parts:
        assert bwd.data_grad_W is None and bwd.penalty_grad_W is None
        return
    position, positions = 0, []  # where W and b of each layer are in the parameters' order
    for has_bias in case.bias:
        positions.append((position, position + 1 if has_bias else None))
        position += 2 if has_bias else 1
    for i, (w_at, b_at) in enumerate(positions):
        layer = f"{at} layer {i + 2}"
        assert_close(bwd.data_grad_W[i], parts["data"][w_at], f"{layer} dE_data/dW")
        for norm in ("L1", "L2"):
            if norm in parts:
                got = bwd.penalty_grad_W[i][norm]
                assert_close(got, parts[norm][w_at], f"{layer} dE_{norm}/dW")
        if b_at is not None and case.include_bias:
            assert_close(bwd.data_grad_b[i], parts["data"][b_at], f"{layer} dE_data/db")
            for norm in ("L1", "L2"):
                if norm in parts:
                    got = bwd.penalty_grad_b[i][norm]
                    assert_close(got, parts[norm][b_at], f"{layer} dE_{norm}/db")
        else:
            assert bwd.data_grad_b[i] is None and not bwd.penalty_grad_b[i]


# One property test per optimiser, so that each gets its share of examples (hypothesis draws
# the first of a few choices far more often than the others): ~100 examples, ~1.5-4 s each.
@pytest.mark.parametrize(
    "kind",
    [
        "sgd",
        "momentum",
        "dampened",
        "nesterov",
        "adam",
        "adamw",
        "amsgrad",
        "rmsprop",
        "adagrad",
        "dropout",
        "regularized",
    ],
)
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_engine_matches_torch_modules(kind: str, data: st.DataObject) -> None:
    check_against_torch(data.draw(cases(kind), label="case"))


@st.composite
def bias_cases(draw: Callable, kind: str) -> Case:
    """A drawn case whose biases are shared by some layers' nodes (torch: one scalar
    parameter broadcast) and trained or frozen (torch: requires_grad False, no update): all of
    them (`train_bias = false`) or layer by layer (`train_bias = [false, true]`)."""
    case = draw(cases(kind))
    bias = tuple(True if draw(st.booleans()) else has for has in case.bias)
    assume(any(bias))
    shared = tuple(has and draw(st.booleans()) for has in bias)
    b = tuple(
        None
        if not has
        else [draw(_floats(-2.0, 2.0))]
        if shared[i]
        else case.b[i] or [draw(_floats(-2.0, 2.0)) for _ in range(case.sizes[i + 1])]
        for i, has in enumerate(bias)
    )
    per_layer = st.tuples(*(st.booleans() for _ in bias))
    train_bias = draw(st.one_of(st.booleans(), per_layer))
    return replace(case, bias=bias, b=b, shared=shared, train_bias=train_bias)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_shared_and_frozen_biases_match_torch(kind: str, data: st.DataObject) -> None:
    check_against_torch(data.draw(bias_cases(kind), label="case"))


# -- activations, losses and BCE's clamping, point by point ---------------------------------------

GRID = np.concatenate(
    [np.linspace(-6.0, 6.0, 49), [0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 40.0, -40.0, 700.0]]
)


@pytest.mark.parametrize(
    ("name", "slope"),
    [
        ("identity", 0.01),
        ("sigmoid", 0.01),
        ("tanh", 0.01),
        ("relu", 0.01),
        ("leaky_relu", 0.01),
        ("leaky_relu", 0.2),
        ("leaky_relu", 0.0),
        ("leaky_relu", 1.5),
    ],
)
def test_activation_derivative_matches_autograd(name: str, slope: float) -> None:
    f = activation(name, slope=slope)
    z = torch.tensor(GRID, dtype=F64, requires_grad=True)
    a = _activation_module(name, slope)(z)
    (grad,) = torch.autograd.grad(a.sum(), z, retain_graph=True)
    value = f.value(GRID)
    assert_close(value, _np(a), f"{name} value")
    assert_close(f.derivative(GRID, value), _np(grad), f"{name}'")
    # the engine's chain rule: δ = ∂E/∂a ⊙ f'(z) against the vector-Jacobian product
    g = np.random.default_rng(0).normal(size=GRID.shape)
    (vjp,) = torch.autograd.grad(a, z, torch.tensor(g, dtype=F64))
    assert_close(f.backward(g, GRID, value), _np(vjp), f"{name} backward")


def test_relu_and_leaky_relu_at_zero_follow_torch() -> None:
    """torch's choice at the kink: relu'(0) = 0 and leaky_relu'(0) = slope."""
    zero = np.zeros(1)
    assert activation("relu").derivative(zero, zero)[0] == 0.0
    assert activation("leaky_relu", slope=0.3).derivative(zero, zero)[0] == 0.3


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shift", [0.0, 30.0])
def test_softmax_backward_matches_autograd(seed: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3.0, size=(5, 4)) + shift
    g = rng.normal(size=(5, 4))
    zt = torch.tensor(z, dtype=F64, requires_grad=True)
    a = torch.nn.Softmax(dim=1).double()(zt)
    (vjp,) = torch.autograd.grad(a, zt, torch.tensor(g, dtype=F64))
    f = activation("softmax")
    value = f.value(z)
    assert_close(value, _np(a), "softmax")
    assert_close(f.backward(g, z, value), _np(vjp), "softmax backward")


def _loss_case(name: str, seed: int) -> tuple[np.ndarray, np.ndarray, Any, Any]:
    """Outputs o, backviz's targets t, and torch's (o tensor, per-sample E[n]) for `name`."""
    rng = np.random.default_rng(seed)
    n, j = 4, 3
    nn = torch.nn
    if name in ("bce",):
        o = rng.uniform(0.01, 0.99, size=(n, j))
        t = rng.uniform(0.0, 1.0, size=(n, j))
        t[0] = [0.0, 1.0, 0.5]
    elif name in ("ce", "nll"):
        o = rng.normal(scale=2.0, size=(n, j))
        classes = rng.integers(0, j, size=n)
        t = np.eye(j)[classes]
        if name == "nll":
            o = np.exp(o) / np.exp(o).sum(axis=1, keepdims=True)  # probabilities
    else:
        o = rng.normal(size=(n, j))
        t = rng.normal(size=(n, j))
    ot = torch.tensor(o, dtype=F64, requires_grad=True)
    tt = torch.tensor(t, dtype=F64)
    if name == "half_sse":
        per = 0.5 * nn.MSELoss(reduction="none")(ot, tt).sum(dim=1)
    elif name == "sse":
        per = nn.MSELoss(reduction="none")(ot, tt).sum(dim=1)
    elif name == "mse":
        per = nn.MSELoss(reduction="none")(ot, tt).mean(dim=1)
    elif name == "bce":
        per = nn.BCELoss(reduction="none")(ot, tt).mean(dim=1)
    elif name == "ce":
        per = nn.CrossEntropyLoss(reduction="none")(ot, torch.tensor(classes))
    else:
        per = nn.NLLLoss(reduction="none")(torch.log(ot), torch.tensor(classes))
    return o, t, ot, per


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", ["half_sse", "sse", "mse", "bce", "ce", "nll"])
def test_loss_and_derivative_match_autograd(name: str, seed: int) -> None:
    o, t, ot, per = _loss_case(name, seed)
    (grad,) = torch.autograd.grad(per.sum(), ot)
    loss = LOSSES[name]
    assert_close(loss.per_sample(o, t), _np(per), f"{name} E[n]")
    assert_close(loss.derivative(o, t), _np(grad), f"{name} ∂E[n]/∂o")


# torch's BCELoss backward divides by max(o(1 − o), EPSILON) with ATen's `constexpr float
# EPSILON = 1e-12`: a float32 constant, 9.999999960041972e-13 once widened to float64, and
# backviz uses the same number (o = 1.0, t = 0.0 gives 1000000003995.8029 in both).
# The log clamp at −100 (the loss value) matches too.
SIGMOID_40 = 1.0 / (1.0 + math.exp(-40.0))  # exactly 1.0 in float64
SIGMOID_MINUS_40 = math.exp(-40.0) / (1.0 + math.exp(-40.0))  # 4.2e-18: log ≈ −40, no clamp
SATURATED = [0.0, 1.0, SIGMOID_40, SIGMOID_MINUS_40, 1e-200, 1.0 - 2.0**-53, 1e-13]
UNSATURATED = [2e-12, 1e-6, 0.5, 1.0 - 1e-6]


def _bce_torch(o: float, t: float) -> tuple[float, float]:
    ot = torch.tensor([[o]], dtype=F64, requires_grad=True)
    per = torch.nn.BCELoss(reduction="none")(ot, torch.tensor([[t]], dtype=F64))
    (grad,) = torch.autograd.grad(per.sum(), ot)
    return per.item(), grad.item()


@pytest.mark.parametrize("o", SATURATED + UNSATURATED)
@pytest.mark.parametrize("t", [0.0, 0.25, 1.0])
def test_bce_loss_at_saturated_outputs_matches_torchs_log_clamp(o: float, t: float) -> None:
    """torch's BCELoss clamps each log term at −100, so o = 0 or 1 gives 100·weight, not inf."""
    assert SIGMOID_40 == 1.0
    value, _ = _bce_torch(o, t)
    mine = LOSSES["bce"].per_sample(np.array([[o]]), np.array([[t]]))
    assert_close(mine, [value], f"bce E at o={o!r}, t={t}")


@pytest.mark.parametrize("o", SATURATED + UNSATURATED)
@pytest.mark.parametrize("t", [0.0, 0.25, 1.0])
def test_bce_derivative_at_saturated_outputs_matches_torchs_floor(o: float, t: float) -> None:
    """torch's BCELoss backward: (o − t) / max(o(1 − o), EPSILON)."""
    _, grad = _bce_torch(o, t)
    mine = LOSSES["bce"].derivative(np.array([[o]]), np.array([[t]]))
    assert_close(mine, [[grad]], f"bce ∂E/∂o at o={o!r}, t={t}")


def _one_unit(**kwargs: Any) -> Case:
    fields: dict[str, Any] = {
        "sizes": (1, 1),
        "activations": ("identity",),
        "slope": None,
        "bias": (False,),
        "loss": "half_sse",
        "W": ([[1.0]],),
        "b": (None,),
        "inputs": [[1.0]],
        "targets": [[0.0]],
        "reduction": None,
        "optimizer": "sgd",
        "lr": 0.5,
        "steps": 1,
    }
    fields.update(kwargs)
    return Case(**fields)


@pytest.mark.parametrize("z", [40.0, -40.0, 800.0, -800.0])
@pytest.mark.parametrize("target", [0.0, 1.0, 0.3])
def test_engine_bce_through_a_saturated_sigmoid(z: float, target: float) -> None:
    """One sigmoid unit at σ(±40) (and ±800, where σ is exactly 0 or 1) trained under BCE."""
    case = _one_unit(
        activations=("sigmoid",),
        bias=(True,),
        loss="bce",
        W=([[z / 2]],),
        b=([z / 2],),
        targets=[[target]],
        steps=2,
    )
    check_against_torch(case)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_optimizer_defaults_are_torchs(optimizer: str) -> None:
    """Only the learning rate written: every other setting takes torch.optim's default."""
    case = _one_unit(optimizer=optimizer, lr=0.1, steps=3)
    check_against_torch(case)
