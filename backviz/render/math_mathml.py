"""Display math as MathML (browsers render it with no script and no network)."""

from __future__ import annotations

import re
from html import escape

from ..core.mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym, binding
from ..core.notation import format_given, format_number
from .math_text import is_half_of, numeric_product

__all__ = ["math_mathml", "mathml_inner"]


_PLAIN_NAME = re.compile(r"[^\W\d]\w*")  # h1, W5, x_1, δ_o1, β₁


def _power_base_needs_parens(expr: Expr) -> bool:
    """(e^x)², (x/y)², (∂E/∂W5)²: a superscript on these would read as part of them."""
    if isinstance(expr, Sym):
        return not _PLAIN_NAME.fullmatch(expr.text)
    return isinstance(expr, Frac) or (isinstance(expr, Call) and expr.function == "exp")


def _mo(text: str) -> str:
    return f"<mo>{escape(text)}</mo>"


def _signed(expr: Expr) -> bool:
    """Whether the expression prints with a leading minus (−x, −3)."""
    return isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0)


def _number(num: Num, decimals: int) -> str:
    text = format_given(num.value) if num.given else format_number(num.value, decimals)
    if text.startswith("-"):
        return f"<mrow>{_mo('−')}<mn>{escape(text[1:])}</mn></mrow>"
    return f"<mn>{escape(text)}</mn>"


def _paren(inner: str) -> str:
    return f"<mrow>{_mo('(')}{inner}{_mo(')')}</mrow>"


def math_mathml(expr: Expr, decimals: int = 8, *, display: bool = False) -> str:
    """The expression as a <math> element."""
    mode = ' display="block"' if display else ""
    return f"<math{mode}>{mathml_inner(expr, decimals)}</math>"


def mathml_inner(expr: Expr, decimals: int = 8) -> str:
    """The expression as MathML content, to be placed inside a <math> element."""

    def wrap(inner: Expr, minimum: int) -> str:
        text = show(inner)
        return _paren(text) if binding(inner) < minimum else text

    def negated(inner: Expr) -> str:
        """x after a minus sign: a − (−3), never two minus signs in a row."""
        return _paren(show(inner)) if _signed(inner) else wrap(inner, 2)

    def show(e: Expr) -> str:
        if isinstance(e, Sym):
            return f"<mi>{escape(e.text)}</mi>"
        if isinstance(e, Num):
            return _number(e, decimals)
        if isinstance(e, Paren):
            return _paren(show(e.inner))
        if isinstance(e, Neg):
            return f"<mrow>{_mo('−')}{wrap(e.operand, 3)}</mrow>"
        if isinstance(e, Add):
            parts = [show(e.terms[0])]
            for term in e.terms[1:]:
                if isinstance(term, Neg):
                    parts.append(_mo("−") + negated(term.operand))
                elif isinstance(term, Num) and term.value < 0:
                    parts.append(_mo("−") + _number(Num(-term.value, term.given), decimals))
                else:
                    parts.append(_mo("+") + show(term))
            return f"<mrow>{''.join(parts)}</mrow>"
        if isinstance(e, Mul):
            numeric = numeric_product(e)
            separator = _mo("×" if numeric else "·")
            if is_half_of(e):  # ½(t − o)², as the notes write it
                return f"<mrow>{show(e.factors[0])}{wrap(e.factors[1], 3)}</mrow>"
            return f"<mrow>{separator.join(wrap(f, 3) for f in e.factors)}</mrow>"
        if isinstance(e, Frac):
            return (
                f"<mfrac><mrow>{show(e.numerator)}</mrow><mrow>{show(e.denominator)}</mrow></mfrac>"
            )
        if isinstance(e, Pow):
            base = Paren(e.base) if _power_base_needs_parens(e.base) else e.base
            return f"<msup>{wrap(base, 5)}<mrow>{show(e.exponent)}</mrow></msup>"
        assert isinstance(e, Call)
        args = _mo(",").join(show(a) for a in e.args)
        if e.function == "√":
            return f"<msqrt>{args}</msqrt>"
        if e.function == "exp":
            return f"<msup><mi>e</mi><mrow>{args}</mrow></msup>"
        return f"<mrow><mi>{escape(e.function)}</mi>{_paren(args)}</mrow>"

    return show(expr)
