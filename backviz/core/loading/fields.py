"""The generic reader of TOML fields that every section of an exercise file is validated with.

`Reader` finds the line where a field is written and raises one `ExerciseError` per problem:
the field path, what was expected, what was found (`describe`), and a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

import numpy as np

from ...errors import ExerciseError

__all__ = ["Reader", "a_or_an", "counted", "describe", "did_you_mean", "per_layer"]


def describe(value: Any) -> str:
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


def counted(n: int, noun: str, plural: str = "") -> str:
    """'1 row', '3 rows': a count with its noun in the right number."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class Reader:
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
        """The line of `key` in `[table]` (or written `table.key = …` at the top), if any."""
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
        """The error for the field at `path`, with the line it is written on when known."""
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
            raise self.error(path, f"a [{path}] table", describe(value))
        return value

    def known_keys(self, data: dict, allowed: tuple[str, ...], prefix: str = "") -> None:
        """Every key of `data` one of `allowed`; else an error with the closest known key."""
        for key in data:
            if key not in allowed:
                close = _closest(key, allowed)
                hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(allowed)}"
                raise self.error(f"{prefix}{key}", "a known key", f"unknown key {key!r}", hint)

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str:
        """`value`, a string among `choices`; else an error with the closest choice."""
        options = " | ".join(f'"{c}"' for c in choices)
        if not isinstance(value, str):
            raise self.error(path, f"one of {options}", describe(value))
        if value not in choices:
            close = _closest(value, choices)
            hint = f"did you mean '{close}'?" if close else ""
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
        """`value` as a finite float, within the bounds given (a boolean is not a number)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, "a number", describe(value))
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
        """`value`, an integer ≥ `minimum` (a boolean is not an integer)."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, f"an integer ≥ {minimum}", describe(value))
        if value < minimum:
            raise self.error(path, f"an integer ≥ {minimum}", repr(value))
        return value

    def boolean(self, value: Any, path: str) -> bool:
        """`value`, true or false."""
        if not isinstance(value, bool):
            raise self.error(path, "true or false", describe(value))
        return value

    def string(self, value: Any, path: str) -> str:
        """`value`, a string that is not blank."""
        if not isinstance(value, str) or not value.strip():
            raise self.error(path, "a non-empty string", describe(value))
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
        raise self.error(path, 'a string or a table { en = "…", ko = "…" }', describe(value))

    def matrix(
        self, value: Any, path: str, rows: int | None, cols: int | None, what: str = "numbers"
    ) -> np.ndarray:
        """`rows` lists of `cols` finite numbers (None: any count, the same in every row)."""
        shape = f"{rows if rows is not None else 'N'}×{cols if cols is not None else 'n'}"
        if not isinstance(value, list):
            raise self.error(path, f"an array of rows ({shape} {what})", describe(value))
        if rows is not None and len(value) != rows:
            raise self.error(
                path, f"{counted(rows, 'row')} ({shape} {what})", counted(len(value), "row")
            )
        if rows is None and not value:
            raise self.error(path, "at least one row", "an empty array")
        width = cols
        for r, row in enumerate(value):
            if not isinstance(row, list):
                raise self.error(f"{path}[{r}]", f"a row of {what}", describe(row))
            if width is None:
                width = len(row)
            if len(row) != width:
                raise self.error(
                    f"{path}[{r}]",
                    f"{counted(width, 'value')} in every row ({shape} {what})",
                    counted(len(row), "value"),
                )
            for c, x in enumerate(row):
                self.number(x, f"{path}[{r}][{c}]")
        return np.array(value, dtype=float).reshape(len(value), width or 0)

    def vector(self, value: Any, path: str, length: int) -> np.ndarray:
        """`length` finite numbers, as a float array."""
        if not isinstance(value, list):
            raise self.error(path, f"an array of {length} numbers", describe(value))
        if len(value) != length:
            raise self.error(path, counted(length, "number"), counted(len(value), "number"))
        for i, x in enumerate(value):
            self.number(x, f"{path}[{i}]")
        return np.array(value, dtype=float)


def a_or_an(word: str) -> str:
    """The word with its indefinite article: "an identity", "a sigmoid" (by its first letter,
    which is how every activation's name is said)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def did_you_mean(written: object, known: tuple[str, ...]) -> str:
    """The hint "did you mean 'x'?" for the known name closest to a string written (letter
    case aside); "" when none is close or what was written is not a string."""
    close = _closest(written, known) if isinstance(written, str) else None
    return f"did you mean '{close}'?" if close else ""


def _closest(written: str, known: tuple[str, ...]) -> str | None:
    """The known name closest to what was written, letter case aside ("RMSprop" → "rmsprop",
    torch's spelling of the class, not the field's); None when none is close."""
    lowered = {name.lower(): name for name in known}
    close = difflib.get_close_matches(written.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def per_layer(reader: Reader, value: Any, path: str, count: int, kind: type, what: str) -> list:
    """One value for every non-input layer, or a list with one per layer."""
    if value is None:
        raise reader.error(path, f"{what}, or an array with one per non-input layer", "nothing")
    if isinstance(value, kind) and not (kind is str and isinstance(value, bool)):
        return [value] * count
    if not isinstance(value, list):
        raise reader.error(
            path, f"{what}, or an array of {count} (one per non-input layer)", describe(value)
        )
    if len(value) != count:
        raise reader.error(
            path,
            f"{counted(count, 'entry', 'entries')} (one per non-input layer)",
            counted(len(value), "entry", "entries"),
        )
    for i, item in enumerate(value):
        if not isinstance(item, kind) or (kind is not bool and isinstance(item, bool)):
            raise reader.error(f"{path}[{i}]", what, describe(item))
    return list(value)
