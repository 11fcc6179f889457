"""Display math as MathML (browsers render it with no script and no network)."""

from __future__ import annotations

from html import escape

from ..core.mathexpr import Expr, Sym
from ..core.notation import TILDE
from .printer import ScriptPrinter

__all__ = ["MathMLPrinter", "math_mathml", "mathml_inner"]


def _mo(text: str) -> str:
    return f"<mo>{escape(text)}</mo>"


_PARTIAL = '<mi mathvariant="normal">∂</mi>'


class MathMLPrinter(ScriptPrinter):
    """MathML content: every sum, product and negative an <mrow>, fractions as <mfrac>, a
    quantity's symbol from its parts (<msub>, <msup>, <msubsup>, ∂E/∂W₅ as an <mfrac>)."""

    plus, minus, negative = _mo("+"), _mo("−"), _mo("−")
    # symbols side by side as a textbook sets them (W₅h₁: invisible times); numbers with ×
    times, dot, comma = _mo("×"), "<mo>\u2062</mo>", _mo(",")
    opening, closing = '<mo stretchy="false">(</mo>', '<mo stretchy="false">)</mo>'  # lines apart
    odot = _mo("⊙")
    exp_as_power = True
    brackets_negated_product = True  # -(a·b) where text writes −a·b: kept as it always was

    def group(self, text: str) -> str:
        return f"<mrow>{text}</mrow>"

    def setting(self, sym: Sym) -> str:
        return f"<mi>{escape(sym.text)}</mi>"

    def letter(self, letter: str) -> str:
        if letter.endswith(TILDE):  # dropout's ã, h̃: the letter in italic, a tilde over it
            base = self.letter(letter[: -len(TILDE)])
            return f'<mover accent="true">{base}<mo stretchy="false">~</mo></mover>'
        return f"<mi>{escape(letter)}</mi>"

    def index(self, digits: str) -> str:
        return f"<mn>{escape(digits)}</mn>"

    def word(self, text: str) -> str:
        return f"<mi>{escape(text)}</mi>"  # several letters: upright

    def index_letters(self, letters: str) -> str:
        return f'<mi mathvariant="italic">{escape(letters)}</mi>'

    def layer(self, layer: int) -> str:
        return self.paren(f"<mn>{layer}</mn>")

    def updated(self) -> str:
        return '<mo lspace="0" rspace="0">+</mo>'  # a mark, not an operator: no space around

    def transposed(self) -> str:
        return '<mi mathvariant="normal">T</mi>'

    def scripts(self, base: str, sub: list[str], sup: list[str]) -> str:
        below, above = (self.group("".join(p)) if len(p) > 1 else "".join(p) for p in (sub, sup))
        if sub and sup:
            return f"<msubsup>{base}{below}{above}</msubsup>"
        if sub:
            return f"<msub>{base}{below}</msub>"
        if sup:
            return f"<msup>{base}{above}</msup>"
        return base

    def derivative(self, top: str, bottom: str) -> str:
        return f"<mfrac>{self.group(_PARTIAL + top)}{self.group(_PARTIAL + bottom)}</mfrac>"

    def evaluated_at(self, body: str, at: str) -> str:
        bar = '<mo stretchy="true" symmetric="false">|</mo>'
        return f"<msub>{self.group(body + bar)}{at}</msub>"

    def remark(self, body: str, text: str) -> str:
        return self.group(f'{body}<mspace width="0.3em"/><mtext>({escape(text)})</mtext>')

    def suffixed(self, body: str, sample: int | None, step: int | None) -> str:
        if sample is None and step is None:
            return body
        text = body
        if sample is not None:
            bracket = '<mo stretchy="false" lspace="0" rspace="0">{}</mo>'
            text += bracket.format("[") + f"<mn>{sample}</mn>" + bracket.format("]")
        if step is not None:
            text += f"<mtext>@{step}</mtext>"
        return self.group(text)

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
        if function in ("‖", "|"):  # a vector's length, an absolute value
            bar = f'<mo stretchy="false">{function}</mo>'
            return self.group(bar + args + bar)
        if len(function) == 2 and function.endswith("′"):  # f′(z): italic f, then the prime
            return self.group(f"<mi>{escape(function[0])}</mi><mo>′</mo>{self.paren(args)}")
        # a named function (log, tanh) set apart by a thin space, as LaTeX's \log is
        space = '<mspace width="0.1667em"/>' if len(function) > 1 else ""
        return self.group(f"{space}<mi>{escape(function)}</mi>{self.paren(args)}")

    def summation(self, index: str) -> str:
        sigma = '<mo movablelimits="true">∑</mo>'
        return f"<munder>{sigma}<mi>{escape(index)}</mi></munder>" if index else sigma

    def paren(self, text: str) -> str:
        # Brackets grow only around something taller than a line (a fraction):
        # Chromium sets a stretchy bracket around a plain line with gaps inside it, σ( z₁ ).
        if "<mfrac" in text:
            return self.group(_mo("(") + text + _mo(")"))
        still = '<mo stretchy="false">{}</mo>'
        return self.group(still.format("(") + text + still.format(")"))

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
