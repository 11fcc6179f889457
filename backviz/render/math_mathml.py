"""Display math as MathML (browsers render it with no script and no network)."""

from __future__ import annotations

from html import escape

from ..core.mathexpr import Expr, Sym
from .printer import Printer

__all__ = ["MathMLPrinter", "math_mathml", "mathml_inner"]


def _mo(text: str) -> str:
    return f"<mo>{escape(text)}</mo>"


class MathMLPrinter(Printer):
    """MathML content: every sum, product and negative an <mrow>, fractions as <mfrac>."""

    plus, minus, negative = _mo("+"), _mo("−"), _mo("−")
    times, dot, comma = _mo("×"), _mo("·"), _mo(",")
    exp_as_power = True
    brackets_negated_product = True  # -(a·b) where text writes −a·b: kept as it always was

    def group(self, text: str) -> str:
        return f"<mrow>{text}</mrow>"

    def name(self, sym: Sym) -> str:
        return f"<mi>{escape(sym.text)}</mi>"

    def number(self, text: str) -> str:
        if text.startswith("-"):
            return self.group(self.negative + f"<mn>{escape(text[1:])}</mn>")
        return f"<mn>{escape(text)}</mn>"

    def fraction(self, numerator: Expr, denominator: Expr) -> str:
        return f"<mfrac>{self._row(numerator)}{self._row(denominator)}</mfrac>"

    def power(self, base: str, exponent: Expr) -> str:
        return f"<msup>{base}{self._row(exponent)}</msup>"

    def call(self, function: str, args: str) -> str:
        if function == "√":
            return f"<msqrt>{args}</msqrt>"
        return self.group(f"<mi>{escape(function)}</mi>{self.paren(args)}")

    def paren(self, text: str) -> str:
        return self.group(_mo("(") + text + _mo(")"))

    def _row(self, expr: Expr) -> str:
        """A part that MathML needs as one element (a fraction's numerator, an exponent)."""
        return self.group(self._print(expr))


def math_mathml(expr: Expr, decimals: int = 8, *, display: bool = False) -> str:
    """The expression as a <math> element."""
    mode = ' display="block"' if display else ""
    return f"<math{mode}>{mathml_inner(expr, decimals)}</math>"


def mathml_inner(expr: Expr, decimals: int = 8) -> str:
    """The expression as MathML content, to be placed inside a <math> element."""
    return MathMLPrinter(decimals).doprint(expr)
