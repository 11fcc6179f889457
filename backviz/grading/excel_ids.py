"""Student ids a spreadsheet changed: leading zeros dropped, long numbers in powers of ten.

Excel opens a CSV's cells as numbers where it can: the SIS id 0012345 becomes 12345, and an id
of 12 digits or more is shown — and saved back — as 1.23457E+11. A roster, a gradebook export
or grades.csv saved again from Excel then no longer matches the other files. Two ids are
*Excel forms* of each other when one is the other with its leading zeros dropped, or the other
in powers of ten at the digits shown. Restoring zeros is exact; powers of ten lose digits and
are never matched, only pointed out.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["digits_only", "excel_form", "fixed_width", "in_powers_of_ten", "zeros_dropped"]

_DIGITS = re.compile(r"[0-9]+")
_POWERS = re.compile(r"(?P<digits>[0-9](?:[.,][0-9]+)?)[eE]\+?(?P<power>[0-9]+)")


def digits_only(text: str) -> bool:
    """Whether an id is digits only (0012345): the ids Excel reads as numbers."""
    return _DIGITS.fullmatch(text) is not None


def in_powers_of_ten(text: str) -> bool:
    """Whether an id is written in powers of ten (1.23457E+11), as Excel writes a long one."""
    return _POWERS.fullmatch(text.strip()) is not None


def zeros_dropped(short: str, long: str) -> bool:
    """Whether `short` is `long` (an id of digits) with its leading zeros dropped:
    12345 and 0012345 (not 12345 and 12345, nor 012 and 0012: both kept a zero)."""
    return (
        _DIGITS.fullmatch(short) is not None
        and _DIGITS.fullmatch(long) is not None
        and len(short) < len(long)
        and not short.startswith("0")
        and long.lstrip("0") == short
    )


def _powers(text: str) -> Decimal | None:
    """1.23457E+11 as the number it says; None when `text` is not a number in powers of ten."""
    match = _POWERS.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return Decimal(match["digits"].replace(",", ".")) * 10 ** int(match["power"])
    except InvalidOperation:
        return None


def _in_powers(shown: str, digits: str) -> bool:
    """Whether `shown` (1.23457E+11) is the id `digits` (123456789012) rounded to the digits
    shown, as Excel displays a long number."""
    value = _powers(shown)
    if value is None or _DIGITS.fullmatch(digits) is None:
        return False
    match = _POWERS.fullmatch(shown.strip())
    places = len(re.sub(r"[.,]", "", match["digits"])) if match else 0  # significant digits
    exact = Decimal(digits)
    return exact != 0 and _rounded(exact, places) == value


def _rounded(value: Decimal, places: int) -> Decimal:
    """`value` rounded to `places` significant digits (half up, as Excel shows numbers)."""
    exponent = value.adjusted() - places + 1
    return value.scaleb(-exponent).quantize(Decimal(1), rounding="ROUND_HALF_UP").scaleb(exponent)


def excel_form(one: str, other: str) -> str | None:
    """How `one` is an Excel form of `other`: "zeros" (leading zeros dropped), "powers"
    (written in powers of ten), or None."""
    if zeros_dropped(one, other):
        return "zeros"
    if _in_powers(one, other):
        return "powers"
    return None


def fixed_width(ids: list[str]) -> int | None:
    """The one length of a column's ids when they are all digits, at least one starting with
    0 (ids padded with zeros to a width, as SIS ids are); None otherwise — 012 beside 12 is
    no padded column, and an id there missing a zero may be another student's."""
    numbers = [i for i in ids if i]
    if not numbers or any(_DIGITS.fullmatch(i) is None for i in numbers):
        return None
    widths = {len(i) for i in numbers}
    padded = any(i.startswith("0") for i in numbers)
    return widths.pop() if len(widths) == 1 and padded else None
