"""Display math as LaTeX: W_{5} \\cdot h_{1}, \\frac{1}{2}(t_{1} - o_{1})^{2}."""

from __future__ import annotations

import re

from ..core.mathexpr import Expr, Num, Sym
from .printer import Printer

__all__ = ["LatexPrinter", "latex_value", "math_latex"]

_FUNCTIONS = {
    "σ": r"\sigma",
    "tanh": r"\tanh",
    "log": r"\log",
    "sin": r"\sin",
    "cos": r"\cos",
    "max": r"\max",
    "relu′": r"\operatorname{relu}'",
    "leaky_relu": r"\operatorname{leaky\_relu}",
    "leaky_relu′": r"\operatorname{leaky\_relu}'",
    "softmax": r"\operatorname{softmax}",
    "step": r"\operatorname{step}",
}


_PLAIN_NAME = re.compile(r"\\?[A-Za-z]+(?:_\{[\w,]+\}|_\w)?")  # W_{5}, x, \beta_1


class LatexPrinter(Printer):
    """LaTeX math (no surrounding $): fractions as \\frac, exp(x) as e^{x}."""

    plus, minus, negative = " + ", " - ", "-"
    times, dot, comma = r" \times ", r" \cdot ", ", "
    exp_as_power = True
    brackets_negated_product = True  # -(a·b) where text writes −a·b: kept as it always was

    def plain_name(self, sym: Sym) -> bool:
        r"""A name that takes no second superscript (a^{(2)}_{1}, {W}^{+} would) and reads well
        with one (W_{5}[1] would not)."""
        return bool(_PLAIN_NAME.fullmatch(sym.latex))

    def name(self, sym: Sym) -> str:
        return sym.latex

    def number(self, text: str) -> str:
        if "e" in text:  # 1.5e-05 as 1.5 × 10^{-5}
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    def fraction(self, numerator: Expr, denominator: Expr) -> str:
        return rf"\frac{{{self._print(numerator)}}}{{{self._print(denominator)}}}"

    def power(self, base: str, exponent: Expr) -> str:
        return f"{base}^{{{self._print(exponent)}}}"

    def call(self, function: str, args: str) -> str:
        if function == "√":
            return rf"\sqrt{{{args}}}"
        name = _FUNCTIONS.get(function, rf"\operatorname{{{function}}}")
        return rf"{name}\left({args}\right)"

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)"


def latex_value(value: float, decimals: int) -> str:
    """A computed value in LaTeX (scientific notation as × 10^k)."""
    return LatexPrinter(decimals).doprint(Num(value))


def math_latex(expr: Expr, decimals: int = 8) -> str:
    """The expression as LaTeX math (no surrounding $)."""
    return LatexPrinter(decimals).doprint(expr)
