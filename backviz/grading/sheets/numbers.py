"""Numbers as students write them: the grammar (`parse_number`) and a column read at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import numpy as np

__all__ = ["Answer", "WrittenAnswers", "parse_number", "read_numbers", "value_answer"]

_MAX_NUMBER_LENGTH = 100  # longer text is prose, not a number
_MAX_EXPONENT = 400  # beyond ±400 a float64 is 0 or inf anyway; keeps `decimals` small
_APPROX = "≈~≒≃"  # a leading "about": ≒ is how Korean notes write it
_DASHES = str.maketrans(dict.fromkeys("\u2212\u2010\u2011\u2012\u2013", "-"))  # − ‐ ‑ ‒ –
_NON_FINITE = frozenset({"nan", "inf", "infinity", "∞"})
_DECIMAL = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?"
)
_FRACTION = re.compile(r"(?P<sign>[+-]?)(?P<num>[0-9]+)/(?P<den>[0-9]+)")


class Answer(NamedTuple):
    """One value a student wrote, read as a number when it can be (a tuple: a class makes
    hundreds of thousands)."""

    text: str
    """As written, stripped: what a report shows as "what was read"."""
    value: float | None
    """The number, or None when the text is not a readable finite number."""
    decimals: int | None
    """Decimal places written, in the value's own units ("50%" -> 2, "1.5e-3" -> 4); an answer
    given to d decimals is also right when it equals the reference rounded to d decimals.
    None for exact forms such as "1/2". Never negative ("1.5e3" -> 0)."""
    problem: str = ""
    """Why the text is unreadable; empty when `value` is not None."""


# A plain decimal in ASCII, at most 17 significant digits so float() reads it exactly as
# Decimal would round it: no exponent, percent, comma or fraction to interpret.
_PLAIN = re.compile(r"-?\d{1,17}(?:\.(?P<frac>\d{0,17}))?")


def parse_number(text: str, *, decimal_comma: bool = False) -> Answer:
    """Read a number as people write it: 0.5, .5, 5e-1, 1/2, 50%, ≈ 0.5, −0.5, full-width digits.

    With `decimal_comma`, one comma is the decimal mark ("0,5"); without it a comma makes the
    text unreadable, since a thousands separator is never needed here and guessing could
    turn 0,5 into 5. NaN and infinities are unreadable: no step of backpropagation asks for
    one, and the grader could not compare them.
    """
    written = text.strip()
    plain = _PLAIN.fullmatch(written)
    if plain is not None:  # the common case, 0.51998934 or -0.5 or 3: read directly
        value = float(written)
        return Answer(written, value, len(plain["frac"]) if plain["frac"] is not None else 0)

    def unreadable(problem: str) -> Answer:
        return Answer(written, None, None, problem)

    number = unicodedata.normalize("NFKC", written).translate(_DASHES).strip()
    number = number.lstrip(_APPROX + " \t")
    number = re.sub(r"(?:\.\.\.|…)$", "", number)  # "0.333..." trails off, digits as written
    number = re.sub(r"\s*([/%])\s*", r"\1", number)  # "1 / 2", "50 %"
    number = re.sub(r"^([+-])\s+", r"\1", number)  # "- 0.5"
    if not number:
        return unreadable("nothing written")
    if len(number) > _MAX_NUMBER_LENGTH:
        return unreadable("too long to be a number")
    if number.lower().lstrip("+-") in _NON_FINITE:
        return unreadable("not a finite number")
    if "," in number:
        if not decimal_comma:
            return unreadable("a comma: write the decimal mark as a point (0.5)")
        if "." in number or number.count(",") > 1:
            return unreadable("both ',' and '.' or several commas: write one decimal mark")
        number = number.replace(",", ".")

    if fraction := _FRACTION.fullmatch(number):
        denominator = int(fraction["den"])
        if denominator == 0:
            return unreadable("division by zero")
        exact = Fraction(int(fraction["num"]), denominator)
        return _finite(written, -exact if fraction["sign"] == "-" else exact, None)

    percent = number.endswith("%")
    decimal = _DECIMAL.fullmatch(number[:-1] if percent else number)
    if decimal is None or not (decimal["int"] or decimal["frac"]):
        return unreadable("not a number")
    exponent = int(decimal["exp"] or 0)
    if abs(exponent) > _MAX_EXPONENT:
        return unreadable("not a finite number" if exponent > 0 else "exponent out of range")
    places = len(decimal["frac"] or "") - exponent + (2 if percent else 0)
    exact = Decimal(decimal.group()).scaleb(-2 if percent else 0)  # exact, then rounded once
    return _finite(written, exact, max(places, 0))


def _finite(written: str, exact: Decimal | Fraction, decimals: int | None) -> Answer:
    """The Answer for an exactly read number, or unreadable when it overflows a float."""
    try:
        value = float(exact)
    except OverflowError:
        value = float("inf")
    if value in (float("inf"), float("-inf")):
        return Answer(written, None, None, "not a finite number")
    return Answer(written, value, decimals)


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
        return _finite(str(raw), Fraction(raw), 0)
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
    if lengths.max() > _MAX_NUMBER_LENGTH:  # too long to be a number: parse_number says so
        odd = sorted(set(odd) | set(np.flatnonzero(lengths > _MAX_NUMBER_LENGTH).tolist()))
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
