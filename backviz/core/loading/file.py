"""The exercise file itself: its bytes, UTF-8 and TOML; then its heading and its sections.

After the heading (`heading.py`), the file's `kind` says whose sections the rest is: the
network's (`network.py`) or the expression's (`expression.py`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ...errors import ExerciseError
from ..exercise import Exercise
from .expression import read_expression
from .fields import Reader
from .heading import read_heading
from .network import read_network

__all__ = ["load", "loads"]


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
    reader = Reader(file, text)
    if not data:
        found = "an empty file" if not text.strip() else "no keys (only comments or blank lines)"
        raise reader.error("", 'an exercise: id = "…", then [network] … or [expression] …', found)
    heading = read_heading(reader, data)
    if heading.kind == "expression":
        return read_expression(reader, data, heading)
    return read_network(reader, data, heading)
