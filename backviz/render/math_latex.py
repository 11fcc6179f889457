"""Display math as LaTeX: W_{5} \\cdot h_{1}, \\frac{1}{2}(t_{1} - o_{1})^{2}."""

from __future__ import annotations

import re

from ..core.mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym, binding
from ..core.notation import format_given, format_number
from .math_text import is_half_of, numeric_product

__all__ = ["latex_value", "math_latex"]

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


def _power_base_needs_parens(expr: Expr) -> bool:
    r"""A base that would take a second superscript (e^{x}, a^{(2)}_{1}, {W}^{+}) or read badly
    with one (\frac{x}{y}, W_{5}[1]): (e^{x})^{2}, not e^{x}^{2}."""
    if isinstance(expr, Sym):
        return not _PLAIN_NAME.fullmatch(expr.latex)
    return isinstance(expr, Frac) or (isinstance(expr, Call) and expr.function == "exp")


def _signed(expr: Expr) -> bool:
    """Whether the expression prints with a leading minus (−x, −3)."""
    return isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0)


def _number(num: Num, decimals: int) -> str:
    text = format_given(num.value) if num.given else format_number(num.value, decimals)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def latex_value(value: float, decimals: int) -> str:
    """A computed value in LaTeX (scientific notation as × 10^k)."""
    return _number(Num(value), decimals)


def math_latex(expr: Expr, decimals: int = 8) -> str:
    """The expression as LaTeX math (no surrounding $)."""

    def wrap(inner: Expr, minimum: int) -> str:
        text = show(inner)
        return rf"\left({text}\right)" if binding(inner) < minimum else text

    def negated(inner: Expr) -> str:
        """x after a minus sign: a − (−3), never two minus signs in a row."""
        return rf"\left({show(inner)}\right)" if _signed(inner) else wrap(inner, 2)

    def show(e: Expr) -> str:
        if isinstance(e, Sym):
            return e.latex
        if isinstance(e, Num):
            return _number(e, decimals)
        if isinstance(e, Paren):
            return rf"\left({show(e.inner)}\right)"
        if isinstance(e, Neg):
            return "-" + wrap(e.operand, 3)
        if isinstance(e, Add):
            parts = [show(e.terms[0])]
            for term in e.terms[1:]:
                if isinstance(term, Neg):
                    parts.append(" - " + negated(term.operand))
                elif isinstance(term, Num) and term.value < 0:
                    parts.append(" - " + _number(Num(-term.value, term.given), decimals))
                else:
                    parts.append(" + " + show(term))
            return "".join(parts)
        if isinstance(e, Mul):
            numeric = numeric_product(e)
            separator = r" \times " if numeric else r" \cdot "
            if is_half_of(e):
                return r"\frac{1}{2}" + wrap(e.factors[1], 3)  # \frac{1}{2}(t - o)^{2}
            return separator.join(wrap(f, 3) for f in e.factors)
        if isinstance(e, Frac):
            return rf"\frac{{{show(e.numerator)}}}{{{show(e.denominator)}}}"
        if isinstance(e, Pow):
            base = Paren(e.base) if _power_base_needs_parens(e.base) else e.base
            return f"{wrap(base, 5)}^{{{show(e.exponent)}}}"
        assert isinstance(e, Call)
        args = ", ".join(show(a) for a in e.args)
        if e.function == "√":
            return rf"\sqrt{{{args}}}"
        if e.function == "exp":
            return rf"e^{{{args}}}"
        name = _FUNCTIONS.get(e.function, rf"\operatorname{{{e.function}}}")
        return rf"{name}\left({args}\right)"

    return show(expr)
