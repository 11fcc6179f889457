"""Read and validate an exercise file (TOML) into an `Exercise`, before anything is computed.

Every problem becomes one `ExerciseError` naming the file, the field path (with the line where
it can be found), what was expected and what was found; unknown keys get a "did you mean".
"""

from __future__ import annotations

import difflib
import itertools
import keyword
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ExerciseError
from .engine import MISTAKE_IDS
from .exercise import (
    ASK_KINDS,
    Ask,
    CodeSpec,
    Exercise,
    ExpressionExercise,
    NetworkExercise,
    Training,
)
from .functions import ACTIVATIONS, DEFAULT_LEAKY_SLOPE, LOSS_NAMES, activation, one_hot
from .notation import NOTATIONS
from .optimizers import OPTIMIZERS, Optimizer

__all__ = ["load", "loads"]

TOP_KEYS = {
    "network": (
        "id",
        "title",
        "description",
        "kind",
        "notation",
        "network",
        "parameters",
        "data",
        "training",
        "ask",
        "student",
        "code",
    ),
    "expression": ("id", "title", "description", "kind", "expression"),
}
NETWORK_KEYS = ("sizes", "activation", "negative_slope", "bias", "loss")
PARAMETER_KEYS = ("W", "b", "init", "seed")
DATA_KEYS = ("inputs", "targets")
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
)
EXPRESSION_KEYS = ("inputs", "nodes", "output")
ADAMW_DEFAULT_WEIGHT_DECAY = 0.01  # torch.optim.AdamW's default (Adam's and SGD's is 0)
MAX_PARAMETERS = 50_000_000  # 400 MB of float64 per copy: far beyond any exercise
SGD_ONLY = ("momentum", "dampening", "nesterov")
ADAM_ONLY = ("betas", "eps")


def _describe(value: Any) -> str:
    """What was found, for a message: the value and its TOML type."""
    kinds = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    kind = next((v for t, v in kinds.items() if isinstance(value, t)), type(value).__name__)
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} {text}" if not isinstance(value, dict) else "a table"


def _count(n: int, noun: str, plural: str = "") -> str:
    """'1 row', '3 rows': a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class _Reader:
    """Validation helpers bound to one file's name and text (to find lines)."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.splitlines()

    def line_of(self, path: str) -> int | None:
        """The line where the field at `path` (e.g. 'network.sizes[1]') is written, if found."""
        parts = re.sub(r"\[\d+\]", "", path).split(".")
        for split in range(len(parts) - 1, -1, -1):
            table, key = ".".join(parts[:split]), parts[split]
            line = self._find(table, key)
            if line is not None:
                return line
        return None

    def _find(self, table: str, key: str) -> int | None:
        current = ""
        for number, raw in enumerate(self.lines, start=1):
            text = raw.strip()
            header = re.match(r"^\[\[?\s*([^\[\]]+?)\s*\]", text)  # [table] or [[array]]
            if header:
                current = header.group(1).replace(" ", "")
                if current == f"{table}.{key}".lstrip("."):
                    return number
                continue
            match = re.match(r'^"?([A-Za-z0-9_\-]+)"?\s*=', text)
            if match and match.group(1) == key and current == table:
                return number
            if (
                table
                and current == ""
                and re.match(rf"^{re.escape(table)}\.{re.escape(key)}\s*=", text)
            ):
                return number
        return None

    def error(self, path: str, expected: str, found: str, hint: str = "") -> ExerciseError:
        return ExerciseError(self.file, path, expected, found, self.line_of(path), hint)

    def table(
        self, data: dict, key: str, *, required: bool = True, prefix: str = ""
    ) -> dict | None:
        """The table `data[key]`, its field path `prefix + key`; None if optional and absent."""
        path = f"{prefix}{key}"
        if key not in data:
            if required:
                raise self.error(path, f"a [{path}] table", "nothing")
            return None
        value = data[key]
        if not isinstance(value, dict):
            raise self.error(path, f"a [{path}] table", _describe(value))
        return value

    def known_keys(self, data: dict, allowed: tuple[str, ...], prefix: str = "") -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = (
                    f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
                )
                raise self.error(f"{prefix}{key}", "a known key", f"unknown key {key!r}", hint)

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str:
        options = " | ".join(f'"{c}"' for c in choices)
        if not isinstance(value, str):
            raise self.error(path, f"one of {options}", _describe(value))
        if value not in choices:
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else ""
            raise self.error(path, f"one of {options}", repr(value), hint)
        return value

    def number(
        self,
        value: Any,
        path: str,
        *,
        minimum: float | None = None,
        positive: bool = False,
        below: float | None = None,
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, "a number", _describe(value))
        try:
            number = float(value)
        except OverflowError:  # a TOML integer beyond float range, e.g. 1 followed by 400 zeros
            raise self.error(path, "a finite number", "an integer too large for a float") from None
        if not math.isfinite(number):
            raise self.error(path, "a finite number", repr(value))
        if positive and number <= 0:
            raise self.error(path, "a number > 0", repr(value))
        if minimum is not None and number < minimum:
            raise self.error(path, f"a number ≥ {minimum:g}", repr(value))
        if below is not None and number >= below:
            raise self.error(path, f"a number < {below:g}", repr(value))
        return number

    def integer(self, value: Any, path: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, f"an integer ≥ {minimum}", _describe(value))
        if value < minimum:
            raise self.error(path, f"an integer ≥ {minimum}", repr(value))
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, "true or false", _describe(value))
        return value

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(path, "a non-empty string", _describe(value))
        return value

    def text(self, value: Any, path: str) -> dict[str, str]:
        """A text in one language ("...") or several ({ en = "...", ko = "..." })."""
        if isinstance(value, str):
            return {"en": value}
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            unknown = [k for k in value if k not in ("en", "ko")]
            if unknown:
                raise self.error(f"{path}.{unknown[0]}", "a language: en or ko", f"'{unknown[0]}'")
            return dict(value)
        raise self.error(path, 'a string or a table { en = "…", ko = "…" }', _describe(value))

    def matrix(
        self, value: Any, path: str, rows: int | None, cols: int | None, what: str = "numbers"
    ) -> np.ndarray:
        """`rows` lists of `cols` finite numbers (None: any count, the same in every row)."""
        shape = f"{rows if rows is not None else 'N'}×{cols if cols is not None else 'n'}"
        if not isinstance(value, list):
            raise self.error(path, f"an array of rows ({shape} {what})", _describe(value))
        if rows is not None and len(value) != rows:
            raise self.error(
                path, f"{_count(rows, 'row')} ({shape} {what})", _count(len(value), "row")
            )
        if rows is None and not value:
            raise self.error(path, "at least one row", "an empty array")
        width = cols
        for r, row in enumerate(value):
            if not isinstance(row, list):
                raise self.error(f"{path}[{r}]", f"a row of {what}", _describe(row))
            if width is None:
                width = len(row)
            if len(row) != width:
                raise self.error(
                    f"{path}[{r}]",
                    f"{_count(width, 'value')} in every row ({shape} {what})",
                    _count(len(row), "value"),
                )
            for c, x in enumerate(row):
                self.number(x, f"{path}[{r}][{c}]")
        return np.array(value, dtype=float).reshape(len(value), width or 0)

    def vector(self, value: Any, path: str, length: int) -> np.ndarray:
        if not isinstance(value, list):
            raise self.error(path, f"an array of {length} numbers", _describe(value))
        if len(value) != length:
            raise self.error(path, _count(length, "number"), _count(len(value), "number"))
        for i, x in enumerate(value):
            self.number(x, f"{path}[{i}]")
        return np.array(value, dtype=float)


def load(path: str | Path) -> Exercise:
    """Read and validate the exercise file at `path`."""
    file = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ExerciseError(file, "", "an exercise file", "no such file") from None
    except IsADirectoryError:
        raise ExerciseError(file, "", "an exercise file", "a directory") from None
    except OSError as error:
        raise ExerciseError(
            file, "", "a readable exercise file", error.strerror or str(error)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex()
        raise ExerciseError(
            file,
            "",
            "a UTF-8 text file",
            f"the byte 0x{byte} at offset {error.start}, which is not UTF-8",
            line,
            "save the file as UTF-8",
        ) from None
    return loads(text, file=file)


def loads(text: str, *, file: str = "<string>") -> Exercise:
    """Validate the text of an exercise file; `file` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = re.search(r"line (\d+)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ExerciseError(
            file, "", "valid TOML", reason, int(line.group(1)) if line else None
        ) from None
    except ValueError:  # tomllib: an integer of more than 4300 digits
        raise ExerciseError(file, "", "valid TOML", "an integer too long to read") from None
    except RecursionError:  # tomllib: arrays or tables nested thousands deep
        raise ExerciseError(file, "", "valid TOML", "arrays or tables nested too deep") from None
    reader = _Reader(file, text)
    if not data:
        found = "an empty file" if not text.strip() else "no keys (only comments or blank lines)"
        raise reader.error("", 'an exercise: id = "…", then [network] … or [expression] …', found)
    kind = reader.choice(data.get("kind", "network"), "kind", ("network", "expression"))
    reader.known_keys(data, TOP_KEYS[kind])
    if "id" not in data:
        raise reader.error("id", 'an exercise id, e.g. id = "seed-222"', "nothing")
    exercise_id = reader.string(data["id"], "id")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-]*", exercise_id):
        raise reader.error("id", "letters, digits, '.', '_' or '-'", repr(exercise_id))
    title = reader.text(data.get("title", exercise_id), "title")
    description = reader.text(data["description"], "description") if "description" in data else {}
    if kind == "expression":
        return _expression(reader, data, exercise_id, title, description)
    return _network(reader, data, exercise_id, title, description)


def _expression(
    reader: _Reader,
    data: dict,
    exercise_id: str,
    title: dict[str, str],
    description: dict[str, str],
) -> ExpressionExercise:
    from .expression import NodeError, compile_node

    table = reader.table(data, "expression")
    assert table is not None
    reader.known_keys(table, EXPRESSION_KEYS, "expression.")
    inputs_raw = reader.table(table, "inputs", required=False, prefix="expression.")
    if inputs_raw is None:
        raise reader.error(
            "expression.inputs", "a table of input values, e.g. { w = -2, x = 5 }", "nothing"
        )
    inputs: dict[str, float] = {}
    for name, value in inputs_raw.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise reader.error(
                f"expression.inputs.{name}",
                "a name made of letters, digits and _ (not a Python keyword)",
                repr(name),
            )
        inputs[name] = reader.number(value, f"expression.inputs.{name}")
    nodes_raw = table.get("nodes")
    if not isinstance(nodes_raw, list) or not nodes_raw:
        found = "nothing" if nodes_raw is None else _describe(nodes_raw)
        raise reader.error(
            "expression.nodes", 'an array of assignments, e.g. ["g = w*x", "f = g + b"]', found
        )
    defined = set(inputs)
    nodes: list[tuple[str, str]] = []
    for i, entry in enumerate(nodes_raw):
        path = f"expression.nodes[{i}]"
        if not isinstance(entry, str):
            raise reader.error(path, "an assignment 'name = expression'", _describe(entry))
        try:
            node = compile_node(entry)
        except NodeError as error:
            found = f"{error.found} in {entry!r}" if error.found else repr(entry)
            raise reader.error(path, error.expected, found) from None
        if node.name in defined:
            where = "an input" if node.name in inputs else "an earlier node"
            raise reader.error(
                path,
                "a new name (each name is defined once)",
                f"{node.name!r} defined again in {entry!r}",
                f"{node.name!r} is already {where}",
            )
        for name in node.reads:
            if name not in defined:
                close = difflib.get_close_matches(name, sorted(defined), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "define it in inputs or an earlier node"
                )
                raise reader.error(
                    path, "names of inputs or earlier nodes", f"undefined name '{name}'", hint
                )
        defined.add(node.name)
        nodes.append((node.name, node.source))
    names = [n for n, _ in nodes]
    output = table.get("output", names[-1])
    if not isinstance(output, str) or output not in names:
        hint = ""
        if isinstance(output, str) and output in inputs:
            hint = f"'{output}' is an input, not a node"
        elif isinstance(output, str):
            close = difflib.get_close_matches(output, names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else ""
        raise reader.error(
            "expression.output", f"the name of a node: {', '.join(names)}", _describe(output), hint
        )
    exercise = ExpressionExercise(
        exercise_id, title, inputs, tuple(nodes), output, reader.file, description
    )
    _check_finite(reader, exercise)
    return exercise


def _check_finite(reader: _Reader, exercise: ExpressionExercise) -> None:
    """Every value, local derivative and gradient finite at the inputs, else name the first."""
    from .expression import non_finite

    problem = non_finite(exercise)
    if problem is None:
        return
    names = [name for name, _ in exercise.nodes]
    field = (
        f"expression.nodes[{names.index(problem.name)}]"
        if problem.name in names
        else f"expression.inputs.{problem.name}"
    )
    raise reader.error(
        field,
        f"a finite {problem.what} at the given inputs",
        problem.equation,
        "log or sqrt of a negative number, or a division by 0?",
    )


def _network(
    reader: _Reader,
    data: dict,
    exercise_id: str,
    title: dict[str, str],
    description: dict[str, str],
) -> NetworkExercise:
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
            _describe(sizes_raw),
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
    names = _per_layer(
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
            f"bce with a {output} output layer",
            "torch's BCELoss needs outputs in [0, 1]",
        )
    if loss_name == "ce" and output not in ("identity", "softmax"):
        raise reader.error(
            "network.loss",
            "ce with an identity (raw scores) or softmax output layer",
            f"ce with a {output} output layer",
        )
    if loss_name == "ce" and sizes[-1] < 2:
        raise reader.error(
            "network.sizes",
            "at least 2 output nodes (classes) for ce",
            _count(sizes[-1], "output node"),
            "for two classes use sigmoid with bce",
        )

    params = reader.table(data, "parameters")
    assert params is not None
    reader.known_keys(params, PARAMETER_KEYS, "parameters.")
    default_bias = "b" in params or "init" in params
    bias = tuple(
        _per_layer(
            reader,
            net.get("bias", default_bias),
            "network.bias",
            n_weight_layers,
            bool,
            "true or false",
        )
    )
    W, b = _parameters(reader, params, sizes, bias)

    training = _training(reader, data, activations)
    data_table = reader.table(data, "data")
    assert data_table is not None
    reader.known_keys(data_table, DATA_KEYS, "data.")
    if "inputs" not in data_table:
        raise reader.error("data.inputs", f"one row of {sizes[0]} numbers per sample", "nothing")
    inputs = reader.matrix(
        data_table["inputs"], "data.inputs", None, sizes[0], "inputs, one row per sample"
    )
    targets, classes = _targets(reader, data_table, loss_name, sizes[-1], len(inputs), training)

    return NetworkExercise(
        id=exercise_id,
        title=title,
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
        description=description,
        ask=_ask(reader, data, training),
        student=reader.string(data["student"], "student") if "student" in data else None,
        code=_code(reader, data, training),
    )


CODE_KEYS = ("function", "cases", "modules", "wall_seconds")


def _code(reader: _Reader, data: dict, training: Training) -> CodeSpec | None:
    """The optional `[code]` table: the function students write, and how it is tried."""
    table = reader.table(data, "code", required=False)
    if table is None:
        return None
    reader.known_keys(table, CODE_KEYS, "code.")
    if training.steps < 1:
        raise reader.error("training.steps", "at least 1 step for a coding exercise", "0")
    fields: dict[str, Any] = {}
    if "function" in table:
        name = reader.string(table["function"], "code.function")
        if not name.isidentifier():
            raise reader.error("code.function", "a Python function name", repr(name))
        fields["function"] = name
    if "cases" in table:
        fields["cases"] = reader.integer(table["cases"], "code.cases", minimum=0)
    if "modules" in table:
        modules = table["modules"]
        if not isinstance(modules, list):
            raise reader.error(
                "code.modules", 'a list such as ["numpy", "torch"]', _describe(modules)
            )
        fields["modules"] = tuple(
            reader.choice(m, f"code.modules[{i}]", ("numpy", "torch"))
            for i, m in enumerate(modules)
        )
    if "wall_seconds" in table:
        fields["wall_seconds"] = reader.number(
            table["wall_seconds"], "code.wall_seconds", positive=True
        )
    return CodeSpec(**fields)


ASK_KEYS = ("kinds", "names", "steps", "marks", "carried_credit", "mistake_credit")


def _ask(reader: _Reader, data: dict, training: Training) -> Ask:
    """The optional `[ask]` table: what the answer sheet asks and the marks."""
    table = reader.table(data, "ask", required=False)
    if table is None:
        return Ask()
    reader.known_keys(table, ASK_KEYS, "ask.")
    fields: dict[str, Any] = {}
    if "kinds" in table:
        kinds = table["kinds"]
        if not isinstance(kinds, list) or not kinds:
            raise reader.error("ask.kinds", f"a list of: {', '.join(ASK_KINDS)}", _describe(kinds))
        fields["kinds"] = tuple(
            reader.choice(kind, f"ask.kinds[{i}]", ASK_KINDS) for i, kind in enumerate(kinds)
        )
    if "names" in table:
        names = table["names"]
        if not isinstance(names, list) or not names:
            raise reader.error(
                "ask.names", 'a list of quantity names, e.g. ["dE/dW5", "W5+"]', _describe(names)
            )
        fields["names"] = tuple(reader.string(n, f"ask.names[{i}]") for i, n in enumerate(names))
    if "steps" in table:
        steps = table["steps"]
        if not isinstance(steps, list) or not steps:
            raise reader.error("ask.steps", "a list of step numbers, e.g. [1]", _describe(steps))
        fields["steps"] = tuple(
            reader.integer(n, f"ask.steps[{i}]", minimum=1) for i, n in enumerate(steps)
        )
        for i, n in enumerate(fields["steps"]):
            if n > max(training.steps, 1):
                raise reader.error(f"ask.steps[{i}]", f"a step from 1 to {training.steps}", str(n))
    for key in ("marks", "mistake_credit"):
        if key in table:
            raw = table[key]
            if not isinstance(raw, dict):
                raise reader.error(f"ask.{key}", "a table of name = number", _describe(raw))
            fields[key] = {
                str(name): reader.number(v, f"ask.{key}.{name}", minimum=0)
                for name, v in raw.items()
            }
    for name in fields.get("mistake_credit", {}):
        reader.choice(name, f"ask.mistake_credit.{name}", tuple(MISTAKE_IDS))
    if "carried_credit" in table:
        fields["carried_credit"] = reader.number(
            table["carried_credit"], "ask.carried_credit", minimum=0
        )
    return Ask(**fields)


def _per_layer(reader: _Reader, value: Any, path: str, count: int, kind: type, what: str) -> list:
    """One value for every non-input layer, or a list with one per layer."""
    if value is None:
        raise reader.error(path, f"{what}, or an array with one per non-input layer", "nothing")
    if isinstance(value, kind) and not (kind is str and isinstance(value, bool)):
        return [value] * count
    if not isinstance(value, list):
        raise reader.error(
            path, f"{what}, or an array of {count} (one per non-input layer)", _describe(value)
        )
    if len(value) != count:
        raise reader.error(
            path,
            f"{_count(count, 'entry', 'entries')} (one per non-input layer)",
            _count(len(value), "entry", "entries"),
        )
    for i, item in enumerate(value):
        if not isinstance(item, kind) or (kind is not bool and isinstance(item, bool)):
            raise reader.error(f"{path}[{i}]", what, _describe(item))
    return list(value)


def _parameters(
    reader: _Reader, params: dict, sizes: tuple[int, ...], bias: tuple[bool, ...]
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...]]:
    if "init" in params:
        init = reader.choice(params["init"], "parameters.init", ("uniform",))
        for key in ("W", "b"):
            if key in params:
                raise reader.error(
                    f"parameters.{key}", f"either parameters.{key} or parameters.init", "both"
                )
        if "seed" not in params:
            raise reader.error("parameters.seed", "an integer seed for init", "nothing")
        seed = reader.integer(params["seed"], "parameters.seed")
        del init
        return _uniform_init(sizes, bias, seed)
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
            _count(len(W_raw), "matrix", "matrices")
            if isinstance(W_raw, list)
            else _describe(W_raw)
        )
        raise reader.error(
            "parameters.W",
            f"{_count(n, 'matrix', 'matrices')} (one per non-input layer)",
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
        found = _count(len(b_raw), "vector") if isinstance(b_raw, list) else _describe(b_raw)
        raise reader.error(
            "parameters.b",
            f"{_count(n, 'vector')} (one per non-input layer; [] where bias is off)",
            found,
        )
    for i in range(n):
        if bias[i]:
            b.append(reader.vector(b_raw[i], f"parameters.b[{i}]", sizes[i + 1]))
        elif b_raw[i] not in ([], None):
            raise reader.error(
                f"parameters.b[{i}]",
                f"[] (network.bias is off for layer {i + 2})",
                _describe(b_raw[i]),
            )
        else:
            b.append(None)
    return W, tuple(b)


def _uniform_init(
    sizes: tuple[int, ...], bias: tuple[bool, ...], seed: int
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray | None, ...]]:
    """U(−1/√fan_in, 1/√fan_in) for every weight and bias, as torch.nn.Linear's default range.

    Drawn from numpy's default_rng(seed), layer by layer, W then b, so the same seed gives the
    same numbers on every machine.
    """
    rng = np.random.default_rng(seed)
    W, b = [], []
    for i in range(len(sizes) - 1):
        bound = 1.0 / math.sqrt(sizes[i])
        W.append(rng.uniform(-bound, bound, size=(sizes[i + 1], sizes[i])))
        b.append(rng.uniform(-bound, bound, size=sizes[i + 1]) if bias[i] else None)
    return tuple(W), tuple(b)


def _training(reader: _Reader, data: dict, activations: tuple) -> Training:
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
    wrong = SGD_ONLY if name != "sgd" else ADAM_ONLY
    for key in wrong:
        if key in table:
            applies = "sgd" if key in SGD_ONLY else "adam and adamw"
            raise reader.error(
                f"training.{key}", f"{key} only with optimizer = {applies}", f'optimizer = "{name}"'
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
            raise reader.error("training.betas", "two numbers [β1, β2] in [0, 1)", _describe(betas))
        kwargs["betas"] = tuple(
            reader.number(x, f"training.betas[{i}]", minimum=0, below=1)
            for i, x in enumerate(betas)
        )
    if "eps" in table:
        kwargs["eps"] = reader.number(table["eps"], "training.eps", positive=True)
    return Training(
        Optimizer(name=name, learning_rate=lr, **kwargs), steps=steps, reduction=reduction
    )


def _targets(
    reader: _Reader, table: dict, loss_name: str, n_out: int, n_samples: int, training: Training
) -> tuple[np.ndarray | None, np.ndarray | None]:
    if "targets" not in table:
        if training.steps > 0:
            expected = (
                "one class index per sample"
                if loss_name == "ce"
                else f"one row of {n_out} numbers per sample"
            )
            raise reader.error("data.targets", expected, "nothing")
        return None, None
    raw = table["targets"]
    if loss_name == "ce":
        if not isinstance(raw, list) or len(raw) != n_samples:
            found = (
                _count(len(raw), "entry", "entries") if isinstance(raw, list) else _describe(raw)
            )
            raise reader.error("data.targets", f"{n_samples} class indices (one per sample)", found)
        classes = []
        for i, c in enumerate(raw):
            if isinstance(c, list) and len(c) == 1:
                c = c[0]
            if isinstance(c, bool) or not isinstance(c, int):
                raise reader.error(
                    f"data.targets[{i}]", f"a class index 0…{n_out - 1}", _describe(c)
                )
            if not 0 <= c < n_out:
                raise reader.error(f"data.targets[{i}]", f"a class index 0…{n_out - 1}", str(c))
            classes.append(c)
        array = np.array(classes, dtype=int)
        return one_hot(array, n_out), array
    targets = reader.matrix(raw, "data.targets", n_samples, n_out, "targets, one row per sample")
    if loss_name == "bce":
        bad = np.argwhere((targets < 0) | (targets > 1))
        if len(bad):
            r, c = bad[0]
            raise reader.error(
                f"data.targets[{r}][{c}]", "a target in [0, 1] for bce", repr(float(targets[r, c]))
            )
    return targets, None
