"""Display math as LaTeX: W_{5} h_{1}, \\frac{1}{2}(t_{1} - o_{1})^{2}."""

from __future__ import annotations

import re

from ..core.mathexpr import Expr, Num, Sym
from ..core.notation import TILDE
from .printer import ScriptPrinter

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
    "sign": r"\operatorname{sign}",
    "f′": "f'",
}


_PLAIN_NAME = re.compile(r"\\?[A-Za-z]+(?:_\{[\w,]+\}|_\w)?")  # W_{5}, x, \beta_1


_LETTERS = {"δ": r"\delta"}


class LatexPrinter(ScriptPrinter):
    """LaTeX math (no surrounding $): fractions as \\frac, exp(x) as e^{x}."""

    plus, minus, negative = " + ", " - ", "-"
    # symbols side by side as a textbook sets them (W_{5} h_{1}); numbers with ×
    times, dot, comma = r" \times ", " ", ", "
    opening, closing = r"\bigl(", r"\bigr)"
    odot = r" \odot "
    exp_as_power = True
    brackets_negated_product = True  # -(a·b) where text writes −a·b: kept as it always was

    def plain_setting(self, sym: Sym) -> bool:
        return bool(_PLAIN_NAME.fullmatch(sym.latex))

    def setting(self, sym: Sym) -> str:
        return sym.latex

    def letter(self, letter: str) -> str:
        if letter.endswith(TILDE):  # dropout's ã, h̃
            return rf"\tilde{{{self.letter(letter[: -len(TILDE)])}}}"
        if letter in _LETTERS:
            return _LETTERS[letter]
        return letter if len(letter) == 1 else rf"\mathrm{{{letter}}}"

    def index(self, digits: str) -> str:
        return digits

    def word(self, text: str) -> str:
        return rf"\mathrm{{{text}}}"

    def index_letters(self, letters: str) -> str:
        return letters

    def layer(self, layer: int) -> str:
        return f"({layer})"

    def updated(self) -> str:
        return "+"

    def transposed(self) -> str:
        return r"\mathsf{T}"

    def summation(self, index: str) -> str:
        return rf"\sum_{{{index}}} " if index else r"\sum "

    def scripts(self, base: str, sub: list[str], sup: list[str]) -> str:
        text = base
        if sup:
            text += "^{" + "".join(sup) + "}"
        if sub:
            text += "_{" + "".join(sub) + "}"
        return text

    def derivative(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

    def evaluated_at(self, body: str, at: str) -> str:
        return rf"\left.{body}\right|_{{{at}}}"

    def remark(self, body: str, text: str) -> str:
        return rf"{body}\ (\text{{{text}}})"

    def suffixed(self, body: str, sample: int | None, step: int | None) -> str:
        if sample is not None:
            body += f"[{sample}]"
        if step is not None:
            body += rf"\,@{step}"
        return body

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
        if function == "‖":
            return rf"\lVert {args} \rVert"
        if function == "|":
            return rf"\lvert {args} \rvert"
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
