"""The optional `[training]` section: steps, reduction, and the optimiser with its settings."""

from __future__ import annotations

from typing import Any

from ..exercise import Training
from ..optimizers import OPTIMIZERS, Optimizer
from .fields import Reader, describe, per_layer

__all__ = ["ADAMW_DEFAULT_WEIGHT_DECAY", "TRAINING_KEYS", "read_training"]

TRAINING_KEYS = (
    "learning_rate",
    "steps",
    "reduction",
    "optimizer",
    "momentum",
    "dampening",
    "nesterov",
    "weight_decay",
    "betas",
    "eps",
    "amsgrad",
    "alpha",
    "centered",
    "lr_decay",
    "initial_accumulator_value",
    "train_bias",
)
ADAMW_DEFAULT_WEIGHT_DECAY = 0.01  # torch.optim.AdamW's default (Adam's and SGD's is 0)
ADAGRAD_DEFAULT_EPS = 1e-10  # torch.optim.Adagrad's (the others' is 1e-8)
APPLIES: dict[str, tuple[str, ...]] = {
    "momentum": ("sgd", "rmsprop"),
    "dampening": ("sgd",),
    "nesterov": ("sgd",),
    "betas": ("adam", "adamw"),
    "amsgrad": ("adam", "adamw"),
    "eps": ("adam", "adamw", "rmsprop", "adagrad"),
    "alpha": ("rmsprop",),
    "centered": ("rmsprop",),
    "lr_decay": ("adagrad",),
    "initial_accumulator_value": ("adagrad",),
}
"""The optimisers each setting belongs to (as torch.optim's constructors take them)."""


def read_training(reader: Reader, data: dict, activations: tuple) -> Training:
    """The optional `[training]` table; without it, no training step (forward only)."""
    table = reader.table(data, "training", required=False)
    if table is None:
        return Training(Optimizer(learning_rate=0.0), steps=0)
    reader.known_keys(table, TRAINING_KEYS, "training.")
    steps = reader.integer(table.get("steps", 1), "training.steps", minimum=0)
    frozen = [f.name for f in activations if not f.trainable]
    if steps > 0 and frozen:
        raise reader.error(
            "training.steps", "0 (the step activation has no derivative: forward only)", str(steps)
        )
    reduction = reader.choice(table.get("reduction", "mean"), "training.reduction", ("mean", "sum"))
    name = reader.choice(table.get("optimizer", "sgd"), "training.optimizer", OPTIMIZERS)
    if steps > 0 and "learning_rate" not in table:
        raise reader.error("training.learning_rate", "a learning rate > 0", "nothing")
    lr = reader.number(
        table.get("learning_rate", 0.0), "training.learning_rate", positive=steps > 0
    )
    for key, optimizers in APPLIES.items():
        if key in table and name not in optimizers:
            raise reader.error(
                f"training.{key}",
                f"{key} only with optimizer = {' or '.join(optimizers)}",
                f'optimizer = "{name}"',
            )
    kwargs: dict[str, Any] = {}
    if "momentum" in table:
        kwargs["momentum"] = reader.number(table["momentum"], "training.momentum", minimum=0)
    if "dampening" in table:
        kwargs["dampening"] = reader.number(table["dampening"], "training.dampening", minimum=0)
    if "nesterov" in table:
        kwargs["nesterov"] = reader.boolean(table["nesterov"], "training.nesterov")
        if kwargs["nesterov"] and (
            kwargs.get("momentum", 0) <= 0 or kwargs.get("dampening", 0) != 0
        ):
            raise reader.error(
                "training.nesterov",
                "momentum > 0 and dampening = 0 for Nesterov (as torch)",
                f"momentum {kwargs.get('momentum', 0)}, dampening {kwargs.get('dampening', 0)}",
            )
    if "weight_decay" in table:
        kwargs["weight_decay"] = reader.number(
            table["weight_decay"], "training.weight_decay", minimum=0
        )
    elif name == "adamw":
        kwargs["weight_decay"] = ADAMW_DEFAULT_WEIGHT_DECAY
    if "betas" in table:
        betas = table["betas"]
        if not isinstance(betas, list) or len(betas) != 2:
            raise reader.error("training.betas", "two numbers [β1, β2] in [0, 1)", describe(betas))
        kwargs["betas"] = tuple(
            reader.number(x, f"training.betas[{i}]", minimum=0, below=1)
            for i, x in enumerate(betas)
        )
    if "eps" in table:
        kwargs["eps"] = reader.number(table["eps"], "training.eps", positive=True)
    elif name == "adagrad":
        kwargs["eps"] = ADAGRAD_DEFAULT_EPS
    for key in ("amsgrad", "centered"):
        if key in table:
            kwargs[key] = reader.boolean(table[key], f"training.{key}")
    if "alpha" in table:
        kwargs["alpha"] = reader.number(table["alpha"], "training.alpha", minimum=0, below=1)
    for key in ("lr_decay", "initial_accumulator_value"):
        if key in table:
            kwargs[key] = reader.number(table[key], f"training.{key}", minimum=0)
    train_bias = _train_bias(reader, table.get("train_bias", True), len(activations))
    return Training(
        Optimizer(name=name, learning_rate=lr, **kwargs),
        steps=steps,
        reduction=reduction,
        train_bias=train_bias,
    )


def _train_bias(reader: Reader, value: Any, count: int) -> bool | tuple[bool, ...]:
    """`training.train_bias`: true or false for every layer's biases, or an array with one per
    non-input layer (`[false, true]`: the hidden layer's frozen, the output layer's trained);
    the single value kept as it is written."""
    if isinstance(value, bool):
        return value
    return tuple(per_layer(reader, value, "training.train_bias", count, bool, "true or false"))
