"""Writing a network exercise back to TOML, in the format `loading/` reads.

Used for per-student variants: what is written loads back to the same exercise.
"""

from __future__ import annotations

import json

import numpy as np

from .dropout import Dropout
from .exercise import Ask, CodeSpec, NetworkExercise
from .loading.training import APPLIES
from .regularization import Regularization

__all__ = ["exercise_toml"]


def _number(value: float) -> str:
    text = repr(float(value))
    return text if "e" in text or "." in text else text + ".0"


def _list(values: np.ndarray) -> str:
    if values.ndim == 1:
        return "[" + ", ".join(_number(v) for v in values) + "]"
    return "[" + ", ".join(_list(row) for row in values) + "]"


def _setting(value: object) -> str:
    """An optimiser's setting as TOML: a boolean, a pair of numbers (betas) or a number."""
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_number(v) for v in value) + "]"
    return _number(value)  # type: ignore[arg-type]


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string is a JSON string


def _table(values: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{k} = {_string(v)}" for k, v in values.items()) + " }"


def exercise_toml(
    exercise: NetworkExercise,
    *,
    student: str | None = None,
    comment: str = "",
    with_code: bool = False,
) -> str:
    """The exercise as TOML text; `with_code`: its `[code]` table too (a variant of a coding
    exercise is one; the walkthrough's editable copy leaves it out)."""
    lines = [f"# {line}" for line in comment.splitlines()]
    lines.append(f"id = {_string(exercise.id)}")
    if student is not None:
        lines.append(f"student = {_string(student)}")
    lines.append(f"title = {_table(exercise.title)}")
    if exercise.description:
        lines.append(f"description = {_table(exercise.description)}")
    lines.append(f"notation = {_string(exercise.notation)}")
    names = [f.name for f in exercise.activations]
    activation = _string(names[0]) if len(set(names)) == 1 else json.dumps(names)
    lines += [
        "",
        "[network]",
        f"sizes = {json.dumps(list(exercise.sizes))}",
        f"activation = {activation}",
    ]
    slopes = {f.slope for f in exercise.activations if f.slope is not None}
    if slopes:
        lines.append(f"negative_slope = {_number(slopes.pop())}")
    bias = [
        "shared" if exercise.shares_bias(layer) else has
        for layer, has in enumerate(exercise.bias, start=2)
    ]
    lines.append(f"bias = {json.dumps(bias)}")
    lines.append(f"loss = {_string(exercise.loss_name)}")
    if exercise.dropout is not None:
        lines.append(f"dropout = [{', '.join(_number(p) for p in exercise.dropout.rates)}]")
    lines += ["", "[parameters]", "W = [" + ", ".join(_list(w) for w in exercise.W) + "]"]
    if any(exercise.bias):
        lines.append("b = [" + ", ".join("[]" if b is None else _list(b) for b in exercise.b) + "]")
    lines += ["", "[data]", f"inputs = {_list(exercise.inputs)}"]
    if exercise.targets is not None:
        lines.append(f"targets = {_targets(exercise)}")
    if exercise.dropout is not None:
        lines.append(_dropout_masks(exercise.dropout))
    training = exercise.training
    if exercise.trains:
        opt = training.optimizer
        lines += [
            "",
            "[training]",
            f"learning_rate = {_number(opt.learning_rate)}",
            f"steps = {training.steps}",
            f"reduction = {_string(training.reduction)}",
            f"optimizer = {_string(opt.name)}",
        ]
        for key, optimizers in APPLIES.items():  # every setting of this optimiser, written
            if opt.name in optimizers:
                lines.append(f"{key} = {_setting(getattr(opt, key))}")
        lines.append(f"weight_decay = {_number(opt.weight_decay)}")
        if training.train_bias is not True:  # false, or one per layer as the file gave it
            lines.append(f"train_bias = {json.dumps(training.train_bias)}")
    reg = exercise.regularization
    if reg != Regularization():
        lines += [
            "",
            "[regularization]",
            f"l1 = {_number(reg.l1)}",
            f"l2 = {_number(reg.l2)}",
            f"include_bias = {json.dumps(reg.include_bias)}",
        ]
    if with_code and exercise.code is not None:
        lines += _code_table(exercise.code)
    if exercise.ask != Ask():
        ask = exercise.ask
        lines += [
            "",
            "[ask]",
            f"kinds = {json.dumps(list(ask.kinds))}",
            f"steps = {json.dumps(list(ask.steps))}",
            f"carried_credit = {_number(ask.carried_credit)}",
        ]
        if ask.significant != Ask.significant:
            lines.append(f"significant = {ask.significant}")
        if ask.imprecise_credit != Ask.imprecise_credit:
            lines.append(f"imprecise_credit = {_number(ask.imprecise_credit)}")
        if ask.names:
            lines.append(f"names = {json.dumps(list(ask.names), ensure_ascii=False)}")
        for key in ("marks", "mistake_credit"):
            values = getattr(ask, key)
            if values:
                body = ", ".join(f"{_string(k)} = {_number(v)}" for k, v in values.items())
                lines.append(f"{key} = {{ {body} }}")
    return "\n".join(lines) + "\n"


def _code_table(code: CodeSpec) -> list[str]:
    """The `[code]` table: every setting written, as `loading/ask.py` reads it."""
    return [
        "",
        "[code]",
        f"function = {_string(code.function)}",
        f"contract = {_string(code.contract)}",
        f"cases = {code.cases}",
        f"modules = {json.dumps(list(code.modules))}",
        f"wall_seconds = {_number(code.wall_seconds)}",
    ]


def _targets(exercise: NetworkExercise) -> str:
    """The targets as the exercise's file wrote them: under cross-entropy each sample's class as
    an index or a row (`target_forms`; an index where that is not known), a row of class
    probabilities as a row; one row per sample for every other loss."""
    assert exercise.targets is not None
    if exercise.loss_name != "ce":
        return _list(exercise.targets)
    forms = exercise.target_forms or ("index",) * len(exercise.targets)
    written = []
    for row, form in zip(exercise.targets, forms, strict=True):
        hot = np.flatnonzero(row)
        one_class = len(hot) == 1 and row[hot[0]] == 1.0
        written.append(str(int(hot[0])) if form == "index" and one_class else _list(row))
    return "[" + ", ".join(written) + "]"


def _dropout_masks(dropout: Dropout) -> str:
    """The masks as given (per hidden layer, [] where p = 0), or the seed they are drawn from."""
    if dropout.seed is not None:
        return f"dropout_seed = {dropout.seed}"
    masks = ", ".join("[]" if m is None else _list(m) for m in dropout.masks)
    return f"dropout_mask = [{masks}]"
