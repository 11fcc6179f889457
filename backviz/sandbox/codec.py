"""The value codec of the result channel, used on both sides: the harness encodes what the
student's function returned, the grader decodes it (and encodes the arguments, which the
harness decodes). Standard library only: the sandbox loads this file beside the harness.

Values travel as JSON with the non-finite floats spelled out (``{"$float": "nan"}``), numpy
arrays and scalars and torch tensors turned into (nested lists of) floats, or, with
``tag_arrays``, ``{"$array": …, "dtype": …}`` so that numpy arrays arrive as numpy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["MAX_DEPTH", "ResultTooBig", "decode_value", "encode_value"]

MAX_DEPTH = 64
"""How deeply values may nest (lists in dicts in lists …)."""


class ResultTooBig(Exception):
    """The value would not fit in the result pipe's cap."""


class _Budget:
    """A lower bound on the JSON size of what was encoded so far, to give up early."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    def spend(self, count: int) -> None:
        if self.left is None:
            return
        self.left -= count
        if self.left < 0:
            raise ResultTooBig


def _float(value: float) -> float | dict[str, str]:
    return value if math.isfinite(value) else {"$float": repr(value)}


def encode_value(obj: Any, *, tag_arrays: bool = False, limit: int | None = None) -> Any:
    """Turn ``obj`` into something :func:`json.dumps` takes with ``allow_nan=False``.

    Numbers, strings, ``None``, lists/tuples and dicts with ``str`` (or ``int``) keys pass;
    non-finite floats become ``{"$float": "nan" | "inf" | "-inf"}``; numpy arrays and
    scalars and torch tensors become (nested lists of) floats (booleans stay booleans),
    or, with ``tag_arrays``, ``{"$array": …, "dtype": …}`` so that :func:`decode_value`
    can rebuild a numpy array. Dicts with a key starting with ``$`` are wrapped as
    ``{"$dict": …}`` so that they cannot pass for one of these forms. Raises
    :class:`TypeError` for anything else, :class:`ValueError` when nested deeper than
    :data:`MAX_DEPTH`, :class:`ResultTooBig` when the JSON would exceed ``limit`` bytes.
    """
    return _encode(obj, tag_arrays, _Budget(limit), 0)


def _encode(obj: Any, tag_arrays: bool, budget: _Budget, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"the value nests more than {MAX_DEPTH} levels deep")
    if obj is None or isinstance(obj, bool):
        budget.spend(4)
        return obj
    if isinstance(obj, str):
        budget.spend(len(obj) + 2)
        return str(obj)
    if isinstance(obj, int):
        budget.spend(1)
        return int(obj)
    if isinstance(obj, float):
        budget.spend(3)
        return _float(float(obj))
    if isinstance(obj, (list, tuple)):
        budget.spend(2 + len(obj))
        return [_encode(item, tag_arrays, budget, depth + 1) for item in obj]
    if isinstance(obj, dict):
        budget.spend(2 + len(obj))
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"dict keys must be strings, not {type(key).__name__}")
            budget.spend(len(str(key)) + 3)
            out[str(key)] = _encode(value, tag_arrays, budget, depth + 1)
        if any(key.startswith("$") for key in out):
            return {"$dict": out}
        return out
    package = type(obj).__module__.partition(".")[0]
    if package == "torch" and callable(getattr(obj, "detach", None)):
        tensor = obj.detach().cpu()
        if tensor.is_complex():
            raise TypeError("complex tensors can't be sent back")
        plain = tensor.tolist() if str(tensor.dtype) == "torch.bool" else tensor.double().tolist()
        return _encode(plain, tag_arrays, budget, depth)
    if package == "numpy" and hasattr(obj, "dtype") and hasattr(obj, "tolist"):
        kind = obj.dtype.kind
        if kind not in "biuf":
            raise TypeError(f"numpy values of dtype {obj.dtype} can't be sent back")
        if budget.left is not None and 4 * int(getattr(obj, "size", 1)) > budget.left:
            raise ResultTooBig  # before .tolist() makes millions of Python floats
        plain = obj.tolist() if kind == "b" else obj.astype(float).tolist()
        encoded = _encode(plain, tag_arrays, budget, depth)
        if tag_arrays and getattr(obj, "ndim", 0) > 0:
            return {"$array": encoded, "dtype": str(obj.dtype)}
        return encoded
    raise TypeError(
        f"a value of type {type(obj).__qualname__} can't be sent back "
        "(numbers, strings, lists, dicts, numpy arrays and torch tensors can)"
    )


def decode_value(obj: Any, *, make_array: Callable[[Any, str], Any] | None = None) -> Any:
    """Undo :func:`encode_value` on what :func:`json.loads` gave.

    ``{"$array": …}`` becomes ``make_array(nested_list, dtype)`` when given, else the list.
    Raises :class:`ValueError` on a malformed special form.
    """
    if isinstance(obj, list):
        return [decode_value(item, make_array=make_array) for item in obj]
    if not isinstance(obj, dict):
        return obj
    if any(isinstance(key, str) and key.startswith("$") for key in obj):
        if set(obj) == {"$float"}:
            if obj["$float"] not in ("nan", "inf", "-inf"):
                raise ValueError(f"bad $float {obj['$float']!r}")
            return float(obj["$float"])
        if set(obj) == {"$dict"} and isinstance(obj["$dict"], dict):
            return {k: decode_value(v, make_array=make_array) for k, v in obj["$dict"].items()}
        if set(obj) == {"$array", "dtype"}:
            data = decode_value(obj["$array"], make_array=make_array)
            return make_array(data, str(obj["dtype"])) if make_array else data
        raise ValueError(f"unknown special form with keys {sorted(obj)}")
    return {k: decode_value(v, make_array=make_array) for k, v in obj.items()}
