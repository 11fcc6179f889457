"""An equation as MathML whose terms name their quantities, so the page can link them.

`z1 = W1·x1 + W2·x2 = 0.3 × 0.1 + 0.25 × 0.2 = 0.08` is written as one `<math>` per `= …`
part, and per term where that part is a sum (a long equation wraps between them). Each symbol
and number the formula reads is an `<mrow class="term reads" data-q="W1">`; the quantity
computed (on the left, and its value on the right) is `class="term now"`. Names of several
quantities with the same number (W3 = 0.4 and x1 = 0.4) are joined by "|".
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ...core.mathexpr import Add, Expr, Num, Sym
from ...core.notation import format_number
from ..equations import equation_terms
from ..math_mathml import MathMLPrinter

if TYPE_CHECKING:
    from ...core.quantities import Ref
    from ...core.quantity_trace import QuantityTrace
    from ..document import Equation

__all__ = ["linked_equation"]

SEPARATOR = "|"
BREAK = "\x00"  # where a part may end: before each + or − of a sum at the top of a form


def _term(mathml: str, names: list[str], role: str, *, number: bool = False) -> str:
    """A term of the equation linked to its quantities; `number` marks a number (the page
    rewrites and hides those), as against a symbol, whose subscripts are <mn> too."""
    q = escape(SEPARATOR.join(names))
    kind = " number" if number else ""
    return f'<mrow class="term {role}{kind}" data-q="{q}">{mathml}</mrow>'


class LinkedMathML(MathMLPrinter):
    """MathML whose symbols and numbers of known quantities carry their names; a sum at the
    top of a form is marked (`BREAK`) between its terms, where a long one may wrap."""

    def __init__(
        self, decimals: int, symbols: dict[str, list[str]], numbers: dict[float, list[str]]
    ) -> None:
        super().__init__(decimals)
        self.symbols = symbols
        self.numbers = numbers
        self.depth = 0

    def _print(self, expr: Expr) -> str:
        self.depth += 1
        try:
            return super()._print(expr)
        finally:
            self.depth -= 1

    def _print_Add(self, e: Add) -> str:
        outer = self.plus, self.minus
        top = self.depth == 1
        mark = BREAK if top else ""
        self.plus, self.minus = mark + MathMLPrinter.plus, mark + MathMLPrinter.minus
        try:
            text = super()._print_Add(e)
        finally:
            self.plus, self.minus = outer
        # the terms of the top sum become parts of their own: drop the sum's <mrow>
        return text.removeprefix("<mrow>").removesuffix("</mrow>") if top else text

    def name(self, sym: Sym) -> str:
        names = self.symbols.get(sym.text)
        return _term(super().name(sym), names, "reads") if names else super().name(sym)

    def _print_Num(self, e: Num) -> str:
        names = self.numbers.get(e.value)
        number = super()._print_Num(e)
        return _term(number, names, "reads", number=True) if names else number


def linked_equation(
    trace: QuantityTrace, ref: Ref, equation: Equation, decimals: int
) -> tuple[str, list[str]]:
    """The equation's parts as MathML, and the names of the quantities it writes (in order)."""
    symbols: dict[str, list[str]] = {}
    numbers: dict[float, list[str]] = {}
    for sym, term in equation_terms(trace, ref):
        name, number = trace.name(term), trace.value(term)
        symbols.setdefault(sym.text, []).append(name)
        if name not in numbers.setdefault(number, []):
            numbers[number].append(name)
    printer = LinkedMathML(decimals, symbols, numbers)
    own = [equation.name]
    lhs = _term(MathMLPrinter(decimals).doprint(equation.lhs), own, "now")
    value = format_number(equation.value, decimals).replace("-", "−")
    parts = [printer.doprint(form) for form in equation.forms]
    parts.append(_term(f"<mn>{escape(value)}</mn>", own, "now", number=True))
    chunks = [lhs + "<mo>=</mo>" + parts[0], *("<mo>=</mo>" + part for part in parts[1:])]
    # a part opening with + or = is spaced as that operator between two terms
    pieces = [
        piece.replace("<mo>", '<mo form="infix">', 1) if piece.startswith("<mo>") else piece
        for chunk in chunks
        for piece in chunk.split(BREAK)
    ]
    html = "".join(f'<span class="part"><math><mrow>{p}</mrow></math></span>' for p in pieces)
    return html, list(dict.fromkeys(n for names in symbols.values() for n in names))
