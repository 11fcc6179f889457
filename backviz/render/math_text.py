"""Display math as Unicode text: W5 × h1, ½(t1 − o1)², ∂E/∂o1 · ∂o1/∂z3."""

from __future__ import annotations

from ..mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym
from ..notation import format_given, format_number

__all__ = ["math_text"]

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def _level(expr: Expr) -> int:
    """Binding strength: sums 1, products and negatives 2, quotients 3, powers 4, atoms 5."""
    if isinstance(expr, Add):
        return 1
    if isinstance(expr, Mul | Neg) or (isinstance(expr, Num) and expr.value < 0):
        return 2
    if isinstance(expr, Frac):
        return 3
    if isinstance(expr, Pow):
        return 4
    return 5


def _signed(expr: Expr) -> bool:
    """Whether the expression prints with a leading minus (−x, −3)."""
    return isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0)


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
            numeric = any(isinstance(f, Num) for f in e.factors)
            separator = " × " if numeric else "·"
            if (
                len(e.factors) == 2
                and isinstance(e.factors[0], Frac)
                and e.factors[0] == Frac(Num(1, True), Num(2, True))
            ):
                return "½" + wrap(e.factors[1], 3)  # ½(t − o)²
            return separator.join(wrap(f, 3) for f in e.factors)
        if isinstance(e, Frac):
            return f"{wrap(e.numerator, 3)} / {wrap(e.denominator, 4)}"
        if isinstance(e, Pow):
            exponent = e.exponent
            if (
                isinstance(exponent, Num)
                and exponent.given
                and exponent.value == int(exponent.value)
            ):
                return wrap(e.base, 5) + str(int(exponent.value)).translate(_SUPERSCRIPT)
            return f"{wrap(e.base, 5)}^{wrap(exponent, 5)}"
        assert isinstance(e, Call)
        args = ", ".join(show(a) for a in e.args)
        if e.function == "√":
            return f"√({args})"
        return f"{e.function}({args})"

    return show(expr)
