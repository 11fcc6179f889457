"""Display math as Unicode text: W5 × h1, ½(t1 − o1)², ∂E/∂o1 · ∂o1/∂z3."""

from __future__ import annotations

from ..core.mathexpr import Expr, Num, Sym
from .printer import ATOM, POWER, QUOTIENT, Printer, is_half_of, numeric_product

__all__ = ["TextPrinter", "is_half_of", "math_text", "numeric_product"]

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


class TextPrinter(Printer):
    """One line of Unicode text, quotients written inline: a / b."""

    plus, minus, negative = " + ", " − ", "−"
    times, dot, comma = " × ", "·", ", "
    fractions_delimited = False

    def precedence(self, expr: Expr) -> int:
        """A name with a slash (∂E/∂W5) reads as a quotient: it takes parentheses as a
        denominator, 1 / (∂E/∂W5)."""
        if isinstance(expr, Sym) and "/" in expr.text:
            return QUOTIENT
        return super().precedence(expr)

    def half(self) -> str:
        return "½"  # one glyph, where the typeset formats draw the fraction

    def name(self, sym: Sym) -> str:
        return sym.text

    def number(self, text: str) -> str:
        return text.replace("-", "−")

    def fraction(self, numerator: Expr, denominator: Expr) -> str:
        # (a / b) / c and (∂E/∂o1) / 2: a quotient over something in parentheses
        return f"{self.parenthesize(numerator, POWER)} / {self.parenthesize(denominator, POWER)}"

    def power(self, base: str, exponent: Expr) -> str:
        if isinstance(exponent, Num) and exponent.given and exponent.value == int(exponent.value):
            return base + str(int(exponent.value)).translate(_SUPERSCRIPT)  # W5², x⁻¹
        return f"{base}^{self.parenthesize(exponent, ATOM)}"

    def call(self, function: str, args: str) -> str:
        if function == "‖":
            return f"‖{args}‖"  # a vector's length
        if function == "|":
            return f"|{args}|"  # an absolute value
        return f"{function}({args})"  # σ(z3), √(x)

    def paren(self, text: str) -> str:
        return f"({text})"

    def summation(self, index: str) -> str:
        return f"Σ_{index} " if index else "Σ"


def math_text(expr: Expr, decimals: int = 8) -> str:
    """The expression as one line of Unicode text."""
    return TextPrinter(decimals).doprint(expr)
