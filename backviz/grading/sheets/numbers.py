"""Numbers as students write them: the grammar (`parse_number`, in `grading/marking.py`, which
exports copy into systems without backviz) and a column read at once."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction

import numpy as np

from ..marking import MAX_NUMBER_LENGTH, Answer, exact_answer, parse_number

__all__ = ["Answer", "WrittenAnswers", "parse_number", "read_numbers", "value_answer"]


def value_answer(raw: object) -> Answer | None:
    """An Answer for a value read from a file; None for a blank one (the answer is missing).

    Strings are parsed with a decimal comma: inside a quoted CSV cell, a TOML or JSON
    string or after `=` the comma cannot mean anything else.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):  # before int: bool is an int in Python
        return Answer(str(raw).lower(), None, None, "true/false, not a number")
    if isinstance(raw, int):
        return exact_answer(str(raw), Fraction(raw), 0)
    if isinstance(raw, float):
        return parse_number(repr(raw))
    if isinstance(raw, str):
        return parse_number(raw, decimal_comma=True) if raw.strip() else None
    kind = "a list" if isinstance(raw, list) else f"a {type(raw).__name__}"
    return Answer(str(raw).strip(), None, None, f"{kind}, not a number")


class WrittenAnswers(Mapping[str, Answer]):
    """A sheet's answers as written (names and stripped texts, blanks left out), read as
    numbers only when asked. The grader reads a class's sheets a column at a time with
    `read_numbers` instead: no object per answer for a class of thousands."""

    __slots__ = ("_read", "names", "texts")

    def __init__(self, names: tuple[str, ...], texts: tuple[str, ...]) -> None:
        self.names, self.texts = names, texts
        self._read: dict[str, Answer] | None = None

    def _answers(self) -> dict[str, Answer]:
        if self._read is None:
            self._read = {
                name: parse_number(text, decimal_comma=True)
                for name, text in zip(self.names, self.texts, strict=True)
            }
        return self._read

    def __getitem__(self, name: str) -> Answer:
        return self._answers()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"WrittenAnswers({dict(zip(self.names, self.texts, strict=True))!r})"


_PLAIN_NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"  # one way to match: no backtracking
_ALL_PLAIN = re.compile(rf"(?:{_PLAIN_NUMBER}\n)*{_PLAIN_NUMBER}")
_NOT_PLAIN = re.compile(rf"^(?!{_PLAIN_NUMBER}$).*$", re.MULTILINE)


def read_numbers(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`parse_number(text, decimal_comma=True)` for many one-line texts at once, as arrays:
    the value (nan where unreadable), the decimals written (-1 where not known) and whether
    it is readable.

    Plain decimals in ASCII (-0.5, 3, .25) — nearly every answer a class writes — are found
    by one regular expression over the texts joined and read together by `_plain_numbers`;
    the rest one by one by `parse_number`.
    """
    n = len(texts)
    if not n:
        return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
    joined = "\n".join(texts)
    lengths = np.fromiter(map(len, texts), dtype=int, count=n)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    odd: list[int] = []
    if _ALL_PLAIN.fullmatch(joined) is None:
        found = [match.start() for match in _NOT_PLAIN.finditer(joined)]
        odd = (np.searchsorted(starts, found, side="right") - 1).tolist()
    if lengths.max() > MAX_NUMBER_LENGTH:  # too long to be a number: parse_number says so
        odd = sorted(set(odd) | set(np.flatnonzero(lengths > MAX_NUMBER_LENGTH).tolist()))
    values, decimals = _plain_numbers(joined, starts, lengths)
    readable = np.ones(n, dtype=bool)
    for i in odd:
        answer = parse_number(texts[i], decimal_comma=True)
        values[i] = np.nan if answer.value is None else answer.value
        decimals[i] = -1 if answer.decimals is None else answer.decimals
        readable[i] = answer.value is not None
    long = np.flatnonzero(np.isnan(values))  # more digits than a float holds exactly
    for i in set(long.tolist()) - set(odd):
        values[i] = float(texts[i])
    return values, decimals, readable


_MAX_EXACT_DIGITS = 15
"""Up to 15 digits, the digits read as an integer are exact in a float64 (< 2^53), and that
integer divided by 10**decimals (exact up to 10**22) rounds once: the value float() reads."""


def _plain_numbers(
    joined: str, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Value and decimals of each line of `joined` read as a plain decimal (-0.5, 3, .25),
    computed on the characters as an array. A line with more digits than a float holds
    exactly gets nan (the caller reads it with float()); lines that are not plain decimals
    get meaningless numbers (the caller reads them itself)."""
    chars = np.frombuffer((joined + "\n").encode("utf-32-le"), dtype=np.uint32)
    digit = (chars >= 48) & (chars <= 57)
    counted = np.cumsum(digit)  # digits up to and including each character
    ends = starts + lengths  # each line's end (its newline)
    digits = counted[ends] - counted[starts] + digit[starts]
    after = counted[ends][np.repeat(np.arange(len(starts)), lengths + 1)] - counted
    weights = np.where(digit, (chars - 48) * np.power(10.0, np.minimum(after, 22)), 0.0)
    mantissa = np.add.reduceat(weights, starts)
    point = np.zeros(len(chars), dtype=bool)
    point[:-1] = chars[:-1] == 46
    has_point = np.add.reduceat(point, starts) > 0
    where = np.maximum.reduceat(np.where(point, np.arange(len(chars)), -1), starts)
    decimals = np.where(has_point, ends - where - 1, 0)
    values = mantissa / np.power(10.0, np.minimum(decimals, 22))
    values = np.where(chars[starts] == 45, -values, values)  # a leading '-'
    values[(digits > _MAX_EXACT_DIGITS) | (decimals > 22)] = np.nan
    return values, decimals
