"""Display math as Unicode text: W5 × h1, ½(t1 − o1)², ∂E/∂o1 · ∂o1/∂z3."""

from __future__ import annotations

import re

from ..core.mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym, binding
from ..core.notation import format_given, format_number

__all__ = ["is_half_of", "math_text", "numeric_product"]

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


_PLAIN_NAME = re.compile(r"[^\W\d]\w*")  # h1, W5, x_1, δ_o1, β₁: safe to raise to a power


def _level(expr: Expr) -> int:
    """Binding strength: sums 1, products and negatives 2, quotients 3, powers 4, atoms 5.

    A name with a slash (∂E/∂W5) reads as a quotient: it takes parentheses as a denominator.
    """
    if isinstance(expr, Sym) and "/" in expr.text:
        return 3
    return binding(expr, fractions_delimited=False)


def _signed(expr: Expr) -> bool:
    """Whether the expression prints with a leading minus (−x, −3)."""
    return isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0)


def is_half_of(product: Mul) -> bool:
    """½·(…) or ½·(…)², written ½(t − o)² as the notes write it."""
    if len(product.factors) != 2 or product.factors[0] != Frac(Num(1, True), Num(2, True)):
        return False
    rest = product.factors[1]
    grouped = rest.base if isinstance(rest, Pow) else rest
    return isinstance(grouped, Paren | Add)


def numeric_product(product: Mul) -> bool:
    """A product of numbers (or with a number in it) is written with ×, of symbols with ·."""
    return any(isinstance(f, Num) for f in product.factors) or not _has_symbol(product)


def _has_symbol(expr: Expr) -> bool:
    if isinstance(expr, Sym):
        return True
    if isinstance(expr, Add):
        return any(_has_symbol(t) for t in expr.terms)
    if isinstance(expr, Mul):
        return any(_has_symbol(f) for f in expr.factors)
    if isinstance(expr, Call):
        return any(_has_symbol(a) for a in expr.args)
    if isinstance(expr, Neg):
        return _has_symbol(expr.operand)
    if isinstance(expr, Paren):
        return _has_symbol(expr.inner)
    if isinstance(expr, Frac):
        return _has_symbol(expr.numerator) or _has_symbol(expr.denominator)
    if isinstance(expr, Pow):
        return _has_symbol(expr.base) or _has_symbol(expr.exponent)
    return False


def _number(num: Num, decimals: int) -> str:
    text = format_given(num.value) if num.given else format_number(num.value, decimals)
    return text.replace("-", "−")


def math_text(expr: Expr, decimals: int = 8) -> str:
    """The expression as one line of Unicode text."""

    def wrap(inner: Expr, minimum: int) -> str:
        text = show(inner)
        return f"({text})" if _level(inner) < minimum else text

    def negated(inner: Expr) -> str:
        """x after a minus sign: a − (−3), −(−x), never two minus signs in a row."""
        return f"({show(inner)})" if _signed(inner) else wrap(inner, 2)

    def show(e: Expr) -> str:
        if isinstance(e, Sym):
            return e.text
        if isinstance(e, Num):
            return _number(e, decimals)
        if isinstance(e, Paren):
            return f"({show(e.inner)})"
        if isinstance(e, Neg):
            return "−" + negated(e.operand)
        if isinstance(e, Add):
            parts = [show(e.terms[0])]
            for term in e.terms[1:]:
                if isinstance(term, Neg):
                    parts.append(" − " + negated(term.operand))
                elif isinstance(term, Num) and term.value < 0:
                    parts.append(" − " + _number(Num(-term.value, term.given), decimals))
                else:
                    parts.append(" + " + show(term))
            return "".join(parts)
        if isinstance(e, Mul):
            separator = " × " if numeric_product(e) else "·"
            if is_half_of(e):
                return "½" + wrap(e.factors[1], 3)  # ½(t − o)²
            # a quotient followed by a factor in parentheses: (1 / b)·c, never 1 / b·c
            last = len(e.factors) - 1
            return separator.join(
                wrap(f, 4 if isinstance(f, Frac) and i < last else 3)
                for i, f in enumerate(e.factors)
            )
        if isinstance(e, Frac):
            # (a / b) / c and (∂E/∂o1) / 2: a quotient over something in parentheses
            return f"{wrap(e.numerator, 4)} / {wrap(e.denominator, 4)}"
        if isinstance(e, Pow):
            exponent = e.exponent
            base = e.base
            if isinstance(base, Sym) and not _PLAIN_NAME.fullmatch(base.text):
                base = Paren(base)  # (∂E/∂W5)², (z(2)_1[3])², (W5⁺)²
            if (
                isinstance(exponent, Num)
                and exponent.given
                and exponent.value == int(exponent.value)
            ):
                return wrap(base, 5) + str(int(exponent.value)).translate(_SUPERSCRIPT)
            return f"{wrap(base, 5)}^{wrap(exponent, 5)}"
        assert isinstance(e, Call)
        args = ", ".join(show(a) for a in e.args)
        if e.function == "√":
            return f"√({args})"
        return f"{e.function}({args})"

    return show(expr)
