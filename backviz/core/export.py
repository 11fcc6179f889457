"""Machine-readable answer keys: CSV (`quantity,value`) and the JSON contract (README, `solve`).

The JSON shape differs by kind of exercise: each kind has its writer in `DATA` (keyed by
`exercise.kind`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .quantities import KINDS, Kind
from .trace import Trace

if TYPE_CHECKING:
    from .expression import ExpressionTrace
    from .quantity_trace import QuantityTrace

__all__ = ["to_csv", "to_data", "to_json"]


def _number(value: float) -> float | None:
    """A float for JSON; None (null) for NaN/inf, which JSON cannot hold."""
    value = float(value)
    return value if math.isfinite(value) else None


def _array(values: np.ndarray | None) -> Any:
    if values is None:
        return None
    if values.ndim == 0:
        return _number(values)
    return [_array(row) if np.ndim(row) else _number(row) for row in values]


def to_csv(trace: QuantityTrace) -> str:
    """The answer key: header `quantity,value`, one row per quantity in computing order.

    Values are written with full float64 precision (`repr`), so reading them back gives the
    same float.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["quantity", "value"])
    for name, value in trace.items():
        writer.writerow([name, repr(float(value))])
    return buffer.getvalue()


# The per-layer fields of the JSON contract, in its order (each key is the kind's `array` name).
LAYER_FIELDS = (
    Kind.Z,
    Kind.A,
    Kind.DELTA,
    Kind.WEIGHT,
    Kind.BIAS,
    Kind.GRAD_W,
    Kind.GRAD_B,
    Kind.UPDATE_W,
    Kind.UPDATE_B,
)


def _layers(trace: Trace, step: int) -> list[dict[str, Any]]:
    columns = {kind: trace.arrays(kind, step) for kind in LAYER_FIELDS}
    return [
        {"layer": layer}
        | {
            str(KINDS[kind].array): None if arrays is None else _array(arrays[layer - 2])
            for kind, arrays in columns.items()
        }
        | _dropout_fields(trace, step, layer)
        for layer in range(2, trace.n_layers + 1)
    ]


def _dropout_fields(trace: Trace, step: int, layer: int) -> dict[str, Any]:
    """With dropout only (other exercises' JSON is unchanged): the layer's mask m and its
    dropped-out activation ã = a·m/(1 − p), [sample][node]; null where nothing is dropped."""
    ex = trace.exercise
    if ex.dropout is None:
        return {}
    mask = ex.dropout_mask(layer)
    dropped = trace.steps[step - 1].forward.dropped
    a_dropped = dropped[layer - 2] if dropped else None
    return {
        "dropout_mask": None if mask is None else _array(mask),
        "a_dropped": None if a_dropped is None else _array(a_dropped),
    }


def _expression_data(trace: ExpressionTrace) -> dict[str, Any]:
    """{"exercise", "nodes": [{"name", "value", "grad", "local"}]}: "local" maps each name the
    node reads to ∂node/∂name ({} for inputs)."""
    nodes = []
    for name, value in trace.values.items():
        local = {src: _number(d) for (dst, src), d in trace.local.items() if dst == name}
        nodes.append(
            {
                "name": name,
                "value": _number(value),
                "grad": _number(trace.grads[name]),
                "local": local,
            }
        )
    return {"exercise": trace.exercise.id, "nodes": nodes}


def _network_data(trace: Trace) -> dict[str, Any]:
    """{"exercise", "steps": [{"step", "loss", "loss_after", "layers": [...]}]}."""
    steps = []
    for record in trace.steps:
        fwd = record.forward
        step: dict[str, Any] = {
            "step": record.step,
            "loss": None if fwd.loss is None else _number(fwd.loss),
            "loss_after": None
            if record.after is None or record.after.loss is None
            else _number(record.after.loss),
        }
        if fwd.penalty:  # with regularisation: E = data_loss + Σ penalty
            step["data_loss"] = _number(fwd.data_loss)  # type: ignore[arg-type]
            step["penalty"] = {norm: _number(value) for norm, value in fwd.penalty.items()}
        step["layers"] = _layers(trace, record.step)
        steps.append(step)
    return {"exercise": trace.exercise.id, "steps": steps}


DATA: dict[str, Callable[[Any], dict[str, Any]]] = {
    "network": _network_data,
    "expression": _expression_data,
}


def to_data(trace: QuantityTrace) -> dict[str, Any]:
    """The JSON contract as Python data.

    network: {"exercise", "steps": [{"step", "loss", "loss_after", "layers": [{"layer", "z",
    "a", "delta", "W", "b", "dW", "db", "W_new", "b_new"}]}]}; with regularisation a step also
    has "data_loss" and "penalty" ({"L1": λ₁Σ|w|, "L2": λ₂Σw²}, "loss" their sum, dW the whole
    gradient); z, a, delta are [sample][node],
    layer 1 is the input layer (so the list starts at layer 2). A forward-only exercise has one
    step whose backward fields are null.
    expression: {"exercise", "nodes": [{"name", "value", "grad", "local"}]} where "local"
    maps each name the node reads to ∂node/∂name ({} for inputs).
    """
    return DATA[trace.exercise.kind](trace)


_INNERMOST_LIST = re.compile(r"\[\s+([^\[\]{}]*?)\s+\]")


def to_json(trace: QuantityTrace, *, indent: int | None = 2) -> str:
    """`to_data` as JSON text (floats in full precision), each matrix row on one line."""
    text = json.dumps(to_data(trace), indent=indent, ensure_ascii=False, allow_nan=False)
    if indent is not None:
        text = _INNERMOST_LIST.sub(
            lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text
        )
    return text + "\n"
