"""How wide display math comes out typeset, in digit widths (half an em): where to break a line.

LaTeX does not break a displayed equation, so the LaTeX solution breaks a long one itself
(`latex.py`) and needs to know, before typesetting, how wide each part will be. This printer
walks the same tree as the LaTeX and MathML printers and writes, for each part, a string as
long as the part's typeset width: a fraction as wide as the wider of its numerator and
denominator, a subscript or superscript at about three quarters of a digit a character, an
operator with the space around it. It errs on the wide side.
"""

from __future__ import annotations

from ..core.mathexpr import Expr, Sym
from ..core.notation import TILDE
from .printer import ATOM, ScriptPrinter

__all__ = ["WidthPrinter", "typeset_width"]

_SCRIPT = 0.75  # a character of a sub- or superscript, in digit widths


def _room(width: float) -> str:
    return "x" * max(1, round(width))


class WidthPrinter(ScriptPrinter):
    """Strings as long as the typeset parts are wide (1 = a digit's width, half an em)."""

    plus, minus, negative = "x+x", "x−x", "−x"  # a binary operator and its space: 3 digits
    times, dot, comma = "x×x", "·", ", "
    odot = "x⊙x"
    exp_as_power = True
    brackets_negated_product = True

    def setting(self, sym: Sym) -> str:
        return _room(len(sym.text) * 1.1)

    def letter(self, letter: str) -> str:
        return _room(len(letter.replace(TILDE, "")) * 1.1)  # a tilde (ã) takes no room

    def index(self, digits: str) -> str:
        return _room(len(digits) * _SCRIPT)

    def word(self, text: str) -> str:
        return _room(len(text) * _SCRIPT)

    def layer(self, layer: int) -> str:
        return _room((len(str(layer)) + 1.5) * _SCRIPT)

    def updated(self) -> str:
        return _room(_SCRIPT)

    def transposed(self) -> str:
        return _room(_SCRIPT)

    def scripts(self, base: str, sub: list[str], sup: list[str]) -> str:
        return base + "x" * max(len("".join(sub)), len("".join(sup)))

    def derivative(self, top: str, bottom: str) -> str:
        return _room(max(len(top), len(bottom)) + 1.3)  # ∂ and the bar's overhang

    def evaluated_at(self, body: str, at: str) -> str:
        return body + "x" + _room(len(at) * _SCRIPT)

    def remark(self, body: str, text: str) -> str:
        return body + _room(len(text) + 3)

    def suffixed(self, body: str, sample: int | None, step: int | None) -> str:
        extra = (len(str(sample)) + 1.2 if sample is not None else 0) + (
            len(str(step)) + 2.5 if step is not None else 0
        )
        return body + ("x" * round(extra))

    def number(self, text: str) -> str:
        if "e" in text:  # 1.5 × 10^{-5}
            mantissa, exponent = text.split("e")
            return mantissa + "x×x10" + _room(len(str(int(exponent))) * _SCRIPT)
        return text

    def fraction(self, numerator: Expr, denominator: Expr) -> str:
        wider = max(len(self._print(numerator)), len(self._print(denominator)))
        return _room(wider + 0.5)

    def power(self, base: str, exponent: Expr) -> str:
        return base + _room(len(self.parenthesize(exponent, ATOM)) * _SCRIPT)

    def call(self, function: str, args: str) -> str:
        if function == "√":
            return "xx" + args
        return _room(len(function) * 1.1) + self.paren(args)

    def paren(self, text: str) -> str:
        return f"({text})"

    def summation(self, index: str) -> str:
        return "xx"  # ∑ with its index below: about two letters wide


def typeset_width(expr: Expr, decimals: int = 8) -> int:
    """The expression's typeset width, in digit widths."""
    return len(WidthPrinter(decimals).doprint(expr))
