"""TOML and JSON sheets: a student field and an `answers` table or object, or flat entries."""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections.abc import Iterable
from typing import Any

from ..problem_text import problem_text
from .submission import STUDENT_KEYS, Sheet, Submission, field_key
from .text_sheets import read_lines

__all__ = ["read_json", "read_toml"]


def read_toml(text: str, sheet: Sheet) -> list[Submission]:
    """`student = "…"` and an `[answers]` table, or quantities at the top level.

    TOML forbids a key given twice; when a repeated key is the first thing wrong with the
    sheet, it is read line by line instead, so that the first answer counts and the repeat is
    reported like elsewhere.
    """
    try:
        data = tomllib.loads(text, parse_float=lambda literal: literal.replace("_", ""))
    except tomllib.TOMLDecodeError as error:
        lenient = Sheet(sheet.file, sheet.source, sheet.default_student, lang=sheet.lang)
        read_lines(text, lenient)
        if lenient.repeated_on and _repeat_comes_first(text, lenient.repeated_on[0]):
            return [lenient.submission()]
        reason, line = _toml_complaint(error)
        sheet.say("not_toml", line, reason=reason)
        return [sheet.submission()]
    except (ValueError, RecursionError):  # an integer too long, or nesting too deep
        sheet.say("toml_too_deep")
        return [sheet.submission()]
    _read_mapping(list(data.items()), sheet, "table")
    return [sheet.submission()]


def _repeat_comes_first(text: str, line: int | None) -> bool:
    """Whether the first thing wrong with a TOML sheet is the key repeated on `line`: the lines
    before it are valid TOML, that line is valid on its own, and together they are not."""
    if line is None:
        return False
    lines = io.StringIO(text, newline="").readlines()  # numbered as `read_lines` numbers them
    before, repeat = "".join(lines[: line - 1]), lines[line - 1]
    return _is_toml(before) and _is_toml(repeat) and not _is_toml(before + repeat)


def _is_toml(text: str) -> bool:
    """Whether tomllib reads `text` (any reason it cannot, including nesting too deep, is a no)."""
    try:
        tomllib.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


_TOML_PLACE = re.compile(
    r"(?P<reason>.*?)\s*\(at line (?P<line>[0-9]+), column [0-9]+\)", re.DOTALL
)
"""How tomllib before Python 3.14 ends its messages: "Invalid value (at line 3, column 7)"."""


def _toml_complaint(error: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """What tomllib says is wrong, without its place, and the line it is on; a complaint about
    the end of the document is shown whole, on no line.

    Python 3.14 gives these as the error's attributes (`msg`, `lineno`, and `pos` in `doc`);
    before that they are only in its message's wording, which is read here and nowhere else.
    A message of another shape is shown whole, on no line: this never raises.
    """
    message = str(error)
    msg, lineno = getattr(error, "msg", None), getattr(error, "lineno", None)
    pos, doc = getattr(error, "pos", None), getattr(error, "doc", None)
    if isinstance(msg, str) and isinstance(lineno, int):
        at_end = isinstance(pos, int) and isinstance(doc, str) and pos >= len(doc)
        return (message, None) if at_end else (msg, lineno)
    place = _TOML_PLACE.fullmatch(message)
    return (place["reason"], int(place["line"])) if place else (message, None)


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, repeats kept, so the first of a repeat can win."""


def read_json(text: str, sheet: Sheet) -> list[Submission]:
    """`{"student": "…", "answers": {…}}` or a flat object; numbers keep their written digits."""
    try:
        data = json.loads(
            text,
            parse_float=str,
            parse_int=str,
            parse_constant=str,
            object_pairs_hook=_Pairs,
        )
    except json.JSONDecodeError as error:
        sheet.say("not_json", error.lineno, reason=error.msg, column=error.colno)
        return [sheet.submission()]
    except (ValueError, RecursionError):
        sheet.say("json_too_deep")
        return [sheet.submission()]
    if not isinstance(data, _Pairs):
        found = problem_text("a_list", sheet.lang) if isinstance(data, list) else repr(data)[:40]
        sheet.say("not_object", found=found)
        return [sheet.submission()]
    _read_mapping(data, sheet, "object")
    return [sheet.submission()]


def _read_mapping(pairs: list[tuple[str, Any]], sheet: Sheet, kind: str) -> None:
    """Top-level pairs of a TOML table or JSON object: the student, then the answers."""
    answers = next((value for key, value in pairs if key == "answers"), None)
    for key, value in pairs:
        if field_key(key) in STUDENT_KEYS:
            sheet.set_student(value)
    if answers is None:
        pairs = [(key, value) for key, value in pairs if field_key(key) not in STUDENT_KEYS]
    elif isinstance(answers, dict | _Pairs):
        pairs = list(answers.items()) if isinstance(answers, dict) else answers
    else:
        sheet.say("answers_kind", kind=problem_text(f"kind_{kind}", sheet.lang), found=answers)
        return
    for name, value in _flatten(pairs):
        sheet.add(name, value)


def _flatten(pairs: list[tuple[str, Any]], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Nested tables joined back with '.': TOML reads an unquoted `W1.1 = 0.3` as W1 → 1."""
    for key, value in pairs:
        if isinstance(value, dict | _Pairs):
            nested = list(value.items()) if isinstance(value, dict) else value
            yield from _flatten(nested, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value
