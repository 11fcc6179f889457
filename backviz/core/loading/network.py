"""The `[network]`, `[parameters]` and `[data]` sections of a network exercise, and its assembly.

`read_network` validates the layers, activations and loss, the weights and biases (given, or
drawn by `init.py`) and the samples, then the optional sections (`training.py`, `ask.py`).
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import numpy as np

from ..exercise import NetworkExercise, Training
from ..functions import ACTIVATIONS, DEFAULT_LEAKY_SLOPE, LOSS_NAMES, activation, one_hot
from ..notation import NOTATIONS
from .ask import read_ask, read_code
from .dropout import read_dropout
from .fields import Reader, a_or_an, counted, describe, did_you_mean, per_layer
from .heading import Heading
from .init import uniform_init
from .regularization import read_regularization
from .training import read_training

__all__ = ["DATA_KEYS", "MAX_PARAMETERS", "NETWORK_KEYS", "PARAMETER_KEYS", "read_network"]

NETWORK_KEYS = ("sizes", "activation", "negative_slope", "bias", "loss", "dropout")
PARAMETER_KEYS = ("W", "b", "init", "seed")
DATA_KEYS = ("inputs", "targets", "dropout_mask", "dropout_seed")
MAX_PARAMETERS = 50_000_000  # 400 MB of float64 per copy: far beyond any exercise


def read_network(reader: Reader, data: dict, heading: Heading) -> NetworkExercise:
    """The network exercise of a file whose heading is read."""
    notation = reader.choice(data.get("notation", "layered"), "notation", NOTATIONS)
    net = reader.table(data, "network")
    assert net is not None
    reader.known_keys(net, NETWORK_KEYS, "network.")

    if "sizes" not in net:
        raise reader.error(
            "network.sizes", "the nodes per layer, e.g. sizes = [2, 2, 2]", "nothing"
        )
    sizes_raw = net["sizes"]
    if not isinstance(sizes_raw, list) or len(sizes_raw) < 2:
        raise reader.error(
            "network.sizes",
            "an array of at least 2 layer sizes (input, …, output)",
            describe(sizes_raw),
        )
    sizes = tuple(
        reader.integer(n, f"network.sizes[{i}]", minimum=1) for i, n in enumerate(sizes_raw)
    )
    n_weight_layers = len(sizes) - 1
    n_params = sum(m * n + n for m, n in itertools.pairwise(sizes))
    if n_params > MAX_PARAMETERS:
        raise reader.error(
            "network.sizes",
            f"a network of at most {MAX_PARAMETERS:,} weights and biases",
            f"{n_params:,}",
        )

    slope = DEFAULT_LEAKY_SLOPE
    if "negative_slope" in net:
        slope = reader.number(net["negative_slope"], "network.negative_slope")
    names = per_layer(
        reader,
        net.get("activation"),
        "network.activation",
        n_weight_layers,
        str,
        "an activation name",
    )
    for i, name in enumerate(names):
        path = (
            "network.activation"
            if isinstance(net.get("activation"), str)
            else f"network.activation[{i}]"
        )
        reader.choice(name, path, tuple(ACTIVATIONS))
        if name == "softmax" and i != n_weight_layers - 1:
            raise reader.error(
                path, "softmax only on the output layer", f"softmax on layer {i + 2}"
            )
    activations = tuple(activation(name, slope=slope) for name in names)

    if "loss" not in net:
        raise reader.error("network.loss", f"one of {' | '.join(LOSS_NAMES)}", "nothing")
    loss_name = reader.choice(net["loss"], "network.loss", LOSS_NAMES)
    output = names[-1]
    if loss_name == "bce" and output != "sigmoid":
        raise reader.error(
            "network.loss",
            "bce with a sigmoid output layer (it takes probabilities)",
            f"bce with {a_or_an(output)} output layer",
            "torch's BCELoss needs outputs in [0, 1]",
        )
    if loss_name == "ce" and output not in ("identity", "softmax"):
        raise reader.error(
            "network.loss",
            "ce with an identity (raw scores) or softmax output layer",
            f"ce with {a_or_an(output)} output layer",
        )
    if loss_name == "ce" and sizes[-1] < 2:
        raise reader.error(
            "network.sizes",
            "at least 2 output nodes (classes) for ce",
            counted(sizes[-1], "output node"),
            "for two classes use sigmoid with bce",
        )

    params = reader.table(data, "parameters")
    assert params is not None
    reader.known_keys(params, PARAMETER_KEYS, "parameters.")
    default_bias = "b" in params or "init" in params
    bias, shared_bias = _bias_setting(reader, net.get("bias", default_bias), n_weight_layers)
    W, b = _parameters(reader, params, sizes, bias, shared_bias)

    training = read_training(reader, data, activations)
    data_table = reader.table(data, "data")
    assert data_table is not None
    reader.known_keys(data_table, DATA_KEYS, "data.")
    if "inputs" not in data_table:
        raise reader.error("data.inputs", f"one row of {sizes[0]} numbers per sample", "nothing")
    inputs = reader.matrix(
        data_table["inputs"], "data.inputs", None, sizes[0], "inputs, one row per sample"
    )
    targets, classes, target_forms = _targets(
        reader, data_table, loss_name, sizes[-1], len(inputs), training
    )
    code = read_code(reader, data, training)
    regularization = read_regularization(reader, data, training.steps > 0)
    if code is not None and regularization.active:
        raise reader.error(
            "regularization",
            "no [regularization] in a coding exercise (its function is given no λ₁, λ₂)",
            "a [code] table too",
        )

    dropout = read_dropout(reader, net, data_table, sizes, len(inputs))
    code = read_code(reader, data, training)
    frozen = any(has and not training.trains_bias_in(i + 2) for i, has in enumerate(bias))
    if code is not None and (any(shared_bias) or frozen):
        raise reader.error(
            "code",
            "a coding exercise with one bias per node, trained (its function returns db)",
            "shared biases"
            if any(shared_bias)
            else f"train_bias = {json.dumps(training.train_bias)}",
        )
    if dropout is not None and training.steps == 0:
        raise reader.error(
            "network.dropout",
            "dropout only in an exercise that trains (steps ≥ 1)",
            "dropout in a forward-only exercise",
            "a model is evaluated without dropout",
        )
    if dropout is not None and code is not None:
        raise reader.error(
            "network.dropout",
            "no dropout in a coding exercise",
            "dropout with [code]",
            "the student's function is not given the masks",
        )
    return NetworkExercise(
        id=heading.id,
        title=heading.title,
        notation=notation,
        sizes=sizes,
        activations=activations,
        bias=bias,
        loss_name=loss_name,
        W=W,
        b=b,
        inputs=inputs,
        targets=targets,
        classes=classes,
        training=training,
        source=reader.file,
        description=heading.description,
        ask=read_ask(reader, data, training),
        student=reader.string(data["student"], "student") if "student" in data else None,
        code=code,
        shared_bias=shared_bias if any(shared_bias) else (),
        dropout=dropout,
        regularization=regularization,
        target_forms=target_forms,
    )


SHARED = "shared"
"""`network.bias = "shared"`: one bias per layer, added to every node's z (the blog examples')."""


def _bias_setting(
    reader: Reader, value: Any, count: int
) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    """`network.bias`: true, false or "shared", for every layer or one per non-input layer.
    Whether each layer has a bias, and whether it is one shared by the layer's nodes."""
    what = f'true, false or "{SHARED}"'
    if value is None:
        raise reader.error("network.bias", f"{what}, or an array with one per layer", "nothing")
    values = value if isinstance(value, list) else [value] * count
    path = "network.bias"
    if isinstance(value, list) and len(value) != count:
        raise reader.error(
            path,
            f"{counted(count, 'entry', 'entries')} (one per non-input layer)",
            counted(len(value), "entry", "entries"),
        )
    for i, item in enumerate(values):
        if not isinstance(item, bool) and item != SHARED:
            where = f"{path}[{i}]" if isinstance(value, list) else path
            hint = did_you_mean(item, (SHARED,))
            if isinstance(item, str) and item.lower() in ("true", "false"):
                hint = f"did you mean {item.lower()}, without quotes?"
            raise reader.error(where, what, describe(item), hint)
    return tuple(item is True or item == SHARED for item in values), tuple(
        item == SHARED for item in values
    )


def _parameters(
    reader: Reader,
    params: dict,
    sizes: tuple[int, ...],
    bias: tuple[bool, ...],
    shared: tuple[bool, ...],
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...]]:
    """W and b of every non-input layer: given in `[parameters]`, or drawn from a seed.
    A layer whose bias is shared has one number: b = [0.35, 0.60] (or [[0.35], [0.60]])."""
    if "init" in params:
        reader.choice(params["init"], "parameters.init", ("uniform",))
        for key in ("W", "b"):
            if key in params:
                raise reader.error(
                    f"parameters.{key}", f"either parameters.{key} or parameters.init", "both"
                )
        if "seed" not in params:
            raise reader.error("parameters.seed", "an integer seed for init", "nothing")
        seed = reader.integer(params["seed"], "parameters.seed")
        W_init, b_init = uniform_init(sizes, bias, seed)
        return W_init, tuple(
            b_l[:1] if b_l is not None and shared[i] else b_l for i, b_l in enumerate(b_init)
        )
    if "seed" in params:
        raise reader.error(
            "parameters.seed", 'a seed only with init = "uniform"', "a seed without init"
        )
    if "W" not in params:
        raise reader.error(
            "parameters.W", 'one weight matrix per non-input layer (or init = "uniform")', "nothing"
        )
    W_raw = params["W"]
    n = len(sizes) - 1
    if not isinstance(W_raw, list) or len(W_raw) != n:
        found = (
            counted(len(W_raw), "matrix", "matrices")
            if isinstance(W_raw, list)
            else describe(W_raw)
        )
        raise reader.error(
            "parameters.W",
            f"{counted(n, 'matrix', 'matrices')} (one per non-input layer)",
            found,
        )
    W = tuple(
        reader.matrix(
            W_raw[i],
            f"parameters.W[{i}]",
            sizes[i + 1],
            sizes[i],
            f"weights: row j = node j of layer {i + 2}, column k = node k of layer {i + 1}",
        )
        for i in range(n)
    )
    b: list[np.ndarray | None] = []
    b_raw = params.get("b")
    if b_raw is None:
        if any(bias):
            layer = bias.index(True) + 2
            raise reader.error(
                "parameters.b", f"biases for layer {layer} (network.bias is on)", "nothing"
            )
        return W, (None,) * n
    if not isinstance(b_raw, list) or len(b_raw) != n:
        found = counted(len(b_raw), "vector") if isinstance(b_raw, list) else describe(b_raw)
        raise reader.error(
            "parameters.b",
            f"{counted(n, 'vector')} (one per non-input layer; [] where bias is off)",
            found,
        )
    for i in range(n):
        if bias[i]:
            b_i = b_raw[i]
            if shared[i] and not isinstance(b_i, list):  # b = [0.35, 0.60]: one number a layer
                b_i = [b_i]
            n_b = 1 if shared[i] else sizes[i + 1]
            b.append(reader.vector(b_i, f"parameters.b[{i}]", n_b))
        elif b_raw[i] not in ([], None):
            raise reader.error(
                f"parameters.b[{i}]",
                f"[] (network.bias is off for layer {i + 2})",
                describe(b_raw[i]),
            )
        else:
            b.append(None)
    return W, tuple(b)


def _targets(
    reader: Reader, table: dict, loss_name: str, n_out: int, n_samples: int, training: Training
) -> tuple[np.ndarray | None, np.ndarray | None, tuple[str, ...]]:
    """The targets (one-hot for ce), for ce the class indices and how each sample's target is
    written ("index" or "row"); (None, None, ()) if absent."""
    if "targets" not in table:
        if training.steps > 0:
            expected = (
                "one class per sample (an index, a one-hot row or a row of probabilities)"
                if loss_name == "ce"
                else f"one row of {n_out} numbers per sample"
            )
            raise reader.error("data.targets", expected, "nothing")
        return None, None, ()
    raw = table["targets"]
    if loss_name == "ce":
        return _class_targets(reader, raw, n_out, n_samples)
    targets = reader.matrix(raw, "data.targets", n_samples, n_out, "targets, one row per sample")
    if loss_name == "bce":
        bad = np.argwhere((targets < 0) | (targets > 1))
        if len(bad):
            r, c = bad[0]
            raise reader.error(
                f"data.targets[{r}][{c}]", "a target in [0, 1] for bce", repr(float(targets[r, c]))
            )
    return targets, None, ()


PROBABILITY_SUM_TOLERANCE = Decimal("1e-6")
"""How far a row of class probabilities, summed as the decimals written, may be from 1: thirds
written with 6 decimals or more (0.333333 three times sums to 0.999999). δ = softmax − t needs
Σt = 1, so such a row is divided by its sum (three thirds); one that sums to exactly 1 as
written is kept as written."""


def _written_sum(row: np.ndarray) -> Decimal:
    """The row's sum as the decimals a person wrote (each number's shortest repr), exactly:
    0.1 + 0.2 + 0.7 is 1, not float64's 0.9999999999999999."""
    return sum((Decimal(repr(float(x))) for x in row), Decimal(0))


def _plain(number: Decimal) -> str:
    """A decimal as written by hand, without exponent or trailing zeros: 0.999999, 1.1."""
    return format(number.normalize(), "f")


def _class_targets(
    reader: Reader, raw: Any, n_out: int, n_samples: int
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """Cross-entropy's targets as torch's CrossEntropyLoss takes them: per sample a class
    index 0…K−1 (or [index]), or a row of K class probabilities — a one-hot row is its class.
    The rows, the class indices when every sample has one (None with soft targets), and how
    each sample's target is written: "index" or "row"."""
    if not isinstance(raw, list) or len(raw) != n_samples:
        found = counted(len(raw), "entry", "entries") if isinstance(raw, list) else describe(raw)
        raise reader.error(
            "data.targets", f"{n_samples} classes (one per sample: an index or a row)", found
        )
    expected = (
        f"a class index 0…{n_out - 1}, or a row of {n_out} class probabilities (≥ 0, summing "
        f"to 1; one-hot for one class)"
    )
    rows, classes, forms = [], [], []
    for i, c in enumerate(raw):
        path = f"data.targets[{i}]"
        if isinstance(c, list) and len(c) == 1 and n_out != 1:
            c = c[0]
        if isinstance(c, list):
            if len(c) != n_out:
                raise reader.error(path, expected, f"a row of {len(c)} numbers")
            row = np.array([reader.number(x, f"{path}[{j}]") for j, x in enumerate(c)])
            total = _written_sum(row)
            if np.any(row < 0) or abs(total - 1) > PROBABILITY_SUM_TOLERANCE:
                raise reader.error(
                    path,
                    expected,
                    f"{describe(c)}, which sums to {_plain(total)}"
                    + (" with a negative entry" if np.any(row < 0) else ""),
                    f"a row may miss 1 by at most {PROBABILITY_SUM_TOLERANCE:f}, as thirds "
                    "written 0.333333 do",
                )
            if total != 1:
                row = row / row.sum()  # thirds written to 6 decimals are thirds
            rows.append(row)
            hot = np.flatnonzero(row)
            classes.append(int(hot[0]) if len(hot) == 1 and row[hot[0]] == 1.0 else None)
            forms.append("row")
            continue
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < n_out:
            found = str(c) if isinstance(c, int) and not isinstance(c, bool) else describe(c)
            raise reader.error(path, expected, found)
        rows.append(one_hot(np.array([c]), n_out)[0])
        classes.append(c)
        forms.append("index")
    targets = np.array(rows, dtype=float)
    if any(c is None for c in classes):
        return targets, None, tuple(forms)
    return targets, np.array(classes, dtype=int), tuple(forms)
