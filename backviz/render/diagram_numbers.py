"""Numbers as a diagram writes them: fixed decimals and the true minus sign, as a student writes.

A diagram's number is read at a glance and copied by hand, so it is never in e-notation while
fixed decimals can say it: −0.0084 at 4 decimals, not -8.40e-03. A number that would round to
0 at the chosen decimals but is not 0 gets the decimals that show its first two significant
digits (0.000032), up to `MAX_DECIMALS` (8, the notes' precision); only a number smaller
still, or one of 10¹² or more, is written with a power of ten, as a textbook does:
3.2×10⁻¹⁴. The minus sign is U+2212, as in the worked solutions' equations.
"""

from __future__ import annotations

import math

__all__ = [
    "DEFAULT_DECIMALS",
    "GIVEN_DECIMALS",
    "MAX_DECIMALS",
    "MINUS",
    "diagram_given",
    "diagram_number",
]

DEFAULT_DECIMALS = 4  # what a student carries by hand from one line to the next
GIVEN_DECIMALS = 8  # a given number's digits, as the worked solution's Given list has them
MAX_DECIMALS = 8  # the notes' own precision; past it zeros are counted, not read
MINUS = "\u2212"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def _power_of_ten(value: float) -> str:
    mantissa, exponent = f"{value:.1e}".split("e")
    return _signed(f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}")


def diagram_number(value: float, decimals: int = DEFAULT_DECIMALS) -> str:
    """A computed number at `decimals` fixed decimals (more for a tiny non-zero one)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    magnitude = abs(value)
    if magnitude >= 1e12:
        return _power_of_ten(value)
    places = decimals
    if magnitude and round(magnitude, decimals) == 0:  # would read as 0: show two digits
        places = 1 - math.floor(math.log10(magnitude))
        if places > MAX_DECIMALS:
            return _power_of_ten(value)
    text = f"{value:.{places}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # never −0.0000
    return _signed(text)


def diagram_given(value: float, decimals: int = GIVEN_DECIMALS) -> str:
    """A given number as the exercise's Given list writes it (0.45, not 0.4500), with the true
    minus; one given with more digits than `decimals` (weights drawn from a seed) rounded to
    them. A given number is never rounded to the drawing's decimals: it is what a student
    starts from."""
    if abs(value) >= 1e12:
        return diagram_number(value, decimals)
    if value == int(value):
        return _signed(str(int(value)))
    shortest = repr(float(value))
    if "e" in shortest or len(shortest.split(".")[1]) > decimals:
        return diagram_number(value, decimals)
    return _signed(shortest)
