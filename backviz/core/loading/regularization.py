"""The optional `[regularization]` section: λ₁ and λ₂ of the penalty in the cost, and biases."""

from __future__ import annotations

from ..regularization import Regularization
from .fields import Reader

__all__ = ["REGULARIZATION_KEYS", "read_regularization"]

REGULARIZATION_KEYS = ("l1", "l2", "include_bias")


def read_regularization(reader: Reader, data: dict, trains: bool) -> Regularization:
    """`[regularization]`: l1 = λ₁, l2 = λ₂ (each ≥ 0, default 0), include_bias (default false).

    The penalty is part of E, so it needs targets; it changes the gradients only in a training
    exercise, and a forward-only exercise with it is refused as a likely slip.
    """
    table = reader.table(data, "regularization", required=False)
    if table is None:
        return Regularization()
    reader.known_keys(table, REGULARIZATION_KEYS, "regularization.")
    l1 = reader.number(table.get("l1", 0.0), "regularization.l1", minimum=0)
    l2 = reader.number(table.get("l2", 0.0), "regularization.l2", minimum=0)
    include_bias = reader.boolean(table.get("include_bias", False), "regularization.include_bias")
    if not trains and "training" in data:  # [training] steps = 0: a forward pass only
        raise reader.error(
            "regularization",
            "[regularization] only in an exercise that trains (steps ≥ 1): the penalty in E "
            "changes the gradients a training step follows",
            "training.steps = 0 (a forward pass only)",
            "set steps ≥ 1, or leave [regularization] out",
        )
    if not trains:
        raise reader.error(
            "regularization",
            "a [training] section (the penalty in E changes the gradients of a training step)",
            "an exercise without training steps",
        )
    return Regularization(l1=l1, l2=l2, include_bias=include_bias)
