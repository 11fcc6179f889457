"""TOML and JSON sheets: a student field and an `answers` table or object, or flat entries."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from typing import Any

from .submission import STUDENT_KEYS, Sheet, Submission, field_key
from .text_sheets import read_lines

__all__ = ["read_json", "read_toml"]


def read_toml(text: str, sheet: Sheet) -> list[Submission]:
    """`student = "…"` and an `[answers]` table, or quantities at the top level.

    TOML forbids a key given twice; for that one error the sheet is read line by line
    instead, so that the first answer counts and the repeat is reported like elsewhere.
    """
    try:
        data = tomllib.loads(text, parse_float=lambda literal: literal.replace("_", ""))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = re.search(r"line (\d+)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        if "Cannot overwrite" in reason or "twice" in reason:
            lenient = Sheet(sheet.file, sheet.source, sheet.default_student)
            read_lines(text, lenient)
            if any("given again" in problem for problem in lenient.problems):
                return [lenient.submission()]
        sheet.problem(f"not valid TOML: {reason}", int(line.group(1)) if line else None)
        return [sheet.submission()]
    except (ValueError, RecursionError):  # an integer too long, or nesting too deep
        sheet.problem("not valid TOML: a value too long or nested too deep to read")
        return [sheet.submission()]
    _read_mapping(list(data.items()), sheet, "table")
    return [sheet.submission()]


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
        sheet.problem(f"not valid JSON: {error.msg} (column {error.colno})", error.lineno)
        return [sheet.submission()]
    except (ValueError, RecursionError):
        sheet.problem("not valid JSON: a value too long or nested too deep to read")
        return [sheet.submission()]
    if not isinstance(data, _Pairs):
        found = "a list" if isinstance(data, list) else repr(data)[:40]
        sheet.problem(f'expected an object {{"student": …, "answers": {{…}}}}, found {found}')
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
        sheet.problem(f"'answers' should be a {kind} of quantity = value, found {answers!r}")
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
