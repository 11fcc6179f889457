"""The walk shared by the display-math printers: brackets, signs and products decided once.

`math_text.py`, `math_latex.py` and `math_mathml.py` each subclass `Printer` with the leaf rules
of their format; everything that decides *what* is written (which brackets, which minus sign,
which product sign, how a number is rounded) lives here, so the three formats cannot drift apart.
The design follows sympy's printing package (`sympy/printing/printer.py`).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar

from ..core.mathexpr import (
    Add,
    Call,
    Expr,
    Frac,
    Mul,
    Name,
    Neg,
    Num,
    Paren,
    Pow,
    Sigma,
    Sym,
    Symbol,
    binding,
)
from ..core.notation import format_given, format_number, without_suffixes

__all__ = [
    "ATOM",
    "ONE_HALF",
    "POWER",
    "PRODUCT",
    "QUOTIENT",
    "SUM",
    "Printer",
    "ScriptPrinter",
    "is_half_of",
    "numeric_product",
    "spread_mean",
]

ONE_HALF = Frac(Num(1, True), Num(2, True))

# Binding strengths of `mathexpr.binding`, named where a printer asks for one.
SUM, PRODUCT, QUOTIENT, POWER, ATOM = 1, 2, 3, 4, 5

_E = Sym("e", "e")  # the base of exp, where exp(x) is drawn as e^x
_PLAIN_NAME = re.compile(r"[^\W\d]\w*")  # h1, W5, x_1, δ_o1, β₁: safe to raise to a power
_INDEX_LETTERS = re.compile(r"[i-n]{1,2}")  # a_k, w_ij: indices a note speaks of, set italic


def is_half_of(product: Mul) -> bool:
    """½·(…) or ½·(…)², written ½(t − o)² as the notes write it."""
    if len(product.factors) != 2 or product.factors[0] != ONE_HALF:
        return False
    rest = product.factors[1]
    grouped = rest.base if isinstance(rest, Pow) else rest
    return isinstance(grouped, Paren | Add)


def numeric_product(product: Mul) -> bool:
    """A product of numbers (or with a number in it) is written with ×, of symbols with ·."""
    return any(isinstance(f, Num) for f in product.factors) or not _has_symbol(product)


def _parts(expr: Expr) -> tuple[Expr, ...]:
    """The expressions directly inside `expr` (none for a symbol or a number)."""
    match expr:
        case Add(terms=parts) | Mul(factors=parts) | Call(args=parts):
            return parts
        case Neg(operand=inner) | Paren(inner=inner):
            return (inner,)
        case Frac(numerator=a, denominator=b) | Pow(base=a, exponent=b):
            return (a, b)
        case Sigma(body=inner):
            return (inner,)
    return ()


def spread_mean(expr: Expr) -> Expr:
    """(a + b + …)/n as 1/n·(a + b + …), which can break between its terms; anything else as
    it is. The same number: only where a quotient of a sum is too wide for one line."""
    if isinstance(expr, Frac) and isinstance(expr.numerator, Add):
        return Mul((Frac(Num(1, True), expr.denominator), Paren(expr.numerator)))
    return expr


def _reciprocal_times_sum(expr: Expr) -> bool:
    """1/n·(a + b + …), as `spread_mean` writes it."""
    if not isinstance(expr, Mul) or len(expr.factors) != 2:
        return False
    first, second = expr.factors
    one = isinstance(first, Frac) and first.numerator == Num(1, True)
    return one and isinstance(second, Paren) and isinstance(second.inner, Add)


def _bracketed_sum(expr: Expr) -> bool:
    """(a + b + …): a bracket a long line may break inside."""
    return isinstance(expr, Paren) and isinstance(expr.inner, Add)


def _enclosed(before: str, parts: list[str], after: str) -> list[str]:
    """`parts` with `before` on the first and `after` on the last."""
    if len(parts) == 1:
        return [before + parts[0] + after]
    return [before + parts[0], *parts[1:-1], parts[-1] + after]


def _has_symbol(expr: Expr) -> bool:
    return isinstance(expr, Sym) or any(_has_symbol(part) for part in _parts(expr))


def _signed(expr: Expr) -> bool:
    """Whether the expression prints with a leading minus (−x, −3)."""
    return isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0)


class Printer(ABC):
    """Prints a display-math tree in one format; a subclass gives that format's leaf rules.

    `doprint` walks the tree: `_print` sends each node to `_print_<Type>` (`_print_Add`,
    `_print_Pow` …), which decide the structure here, once, and call the leaves to write it.
    `parenthesize` brackets a part that binds more loosely than its place needs, by the
    format's `precedence`. A format is the separators (`plus`, `minus`, `negative`, `times`,
    `dot`, `comma`) and the leaves (`name`, `number`, `fraction`, `power`, `call`, `paren`,
    and `group` where the format nests its parts), e.g. an evaluable Python expression::

        class PythonPrinter(Printer):
            plus, minus, negative, times, dot, comma = " + ", " - ", "-", " * ", " * ", ", "
            fractions_delimited = False  # a / b binds as a quotient: a / (b * c)

            def half(self): return None  # (1 / 2) * (t - o) ** 2, not ½(t - o)²
            def name(self, sym): return sym.text
            def number(self, text): return text
            def paren(self, text): return f"({text})"
            def call(self, function, args): return f"math.{function}({args})"
            def power(self, base, exponent): return f"{base} ** {self.parenthesize(exponent, ATOM)}"
            def fraction(self, a, b):
                return f"{self.parenthesize(a, POWER)} / {self.parenthesize(b, POWER)}"

        PythonPrinter(decimals=8).doprint(expr)
    """

    plus: ClassVar[str]  # between the terms of a sum
    minus: ClassVar[str]  # a − b
    negative: ClassVar[str]  # −a
    times: ClassVar[str]  # between numbers: 0.5 × 0.3
    dot: ClassVar[str]  # between symbols: W5·h1
    comma: ClassVar[str]  # between the arguments of a call
    # The brackets of a sum broken over lines (`breakable`): each line holds one of them, so
    # they cannot grow to the height of what they enclose.
    opening: ClassVar[str] = "("
    closing: ClassVar[str] = ")"
    odot: ClassVar[str] = " ⊙ "  # the elementwise product of vectors (`Mul.elementwise`)

    # Whether quotients are drawn as fractions, delimited by their bar (\frac, <mfrac>), so they
    # bind as atoms; written inline (a / b) they bind as quotients.
    fractions_delimited: ClassVar[bool] = True
    # Whether exp(x) is drawn as the power e^x (then a power of it needs brackets, (e^x)²) or
    # written as a call, exp(x).
    exp_as_power: ClassVar[bool] = False
    # Whether a product after a leading minus takes brackets. −(a·b) = (−a)·b, so either
    # reading is right; the typeset formats have always written −(a·b), the text −a·b.
    brackets_negated_product: ClassVar[bool] = False

    def __init__(self, decimals: int = 8) -> None:
        self.decimals = decimals

    def doprint(self, expr: Expr) -> str:
        """The expression in this printer's format."""
        return self._print(expr)

    def _print(self, expr: Expr) -> str:
        """Dispatch on the node type: Add to `_print_Add` … (sympy walks the class's MRO; the
        nodes here are flat, so the type's own name is enough)."""
        return getattr(self, f"_print_{type(expr).__name__}")(expr)

    # -- precedence ---------------------------------------------------------------------------

    def precedence(self, expr: Expr) -> int:
        """How tightly `expr` binds in this format: sums 1 … atoms 5 (`mathexpr.binding`)."""
        return binding(expr, fractions_delimited=self.fractions_delimited)

    def parenthesize(self, expr: Expr, minimum: int) -> str:
        """`expr`, in brackets if it binds more loosely than `minimum`."""
        text = self._print(expr)
        return self.paren(text) if self.precedence(expr) < minimum else text

    def _negated(self, expr: Expr, minimum: int = PRODUCT) -> str:
        """`expr` after a minus sign: a − (−3), −(−x), never two minus signs in a row."""
        return self.paren(self._print(expr)) if _signed(expr) else self.parenthesize(expr, minimum)

    def plain_name(self, sym: Sym) -> bool:
        """Whether a superscript can follow the name without being read as part of it."""
        return bool(_PLAIN_NAME.fullmatch(sym.text))

    def _bracketed_base(self, base: Expr) -> bool:
        """(∂E/∂W5)², (x/y)², (e^x)²: a superscript on these would read as part of them."""
        if isinstance(base, Sym):
            return not self.plain_name(base)
        if isinstance(base, Num):  # (1.5 × 10⁻⁸)²: a power of ten already has its exponent
            return "e" in self._number_text(base)
        exp = isinstance(base, Call) and base.function == "exp" and self.exp_as_power
        return isinstance(base, Frac) or exp

    # -- the nodes ----------------------------------------------------------------------------

    def _print_Sym(self, e: Sym) -> str:
        return self.name(e)

    def _number_text(self, e: Num) -> str:
        """Given numbers (inputs, initial weights, settings) as written, computed ones rounded."""
        return format_given(e.value) if e.given else format_number(e.value, self.decimals)

    def _print_Num(self, e: Num) -> str:
        text = self._number_text(e)
        return self.number(text)

    def _print_Paren(self, e: Paren) -> str:
        return self.paren(self._print(e.inner))

    def _print_Neg(self, e: Neg) -> str:
        minimum = QUOTIENT if self.brackets_negated_product else PRODUCT
        return self.group(self.negative + self._negated(e.operand, minimum))

    def _print_Add(self, e: Add) -> str:
        return self.group("".join(self.sum_terms(e)))

    def sum_terms(self, e: Add) -> list[str]:
        """The terms of a sum as printed, each but the first after its sign: [a, + b, − 3]. A
        negative term is subtracted: a − b, a − 3, a − (−b). A long sum breaks between them."""
        parts = [self._print(e.terms[0])]
        for term in e.terms[1:]:
            if isinstance(term, Neg) and _bracketed_sum(term.operand):
                inner = self.sum_terms(term.operand.inner)  # type: ignore[union-attr]
                parts += _enclosed(self.minus + self.opening, inner, self.closing)
            elif isinstance(term, Neg):
                parts.append(self.minus + self._negated(term.operand))
            elif isinstance(term, Num) and term.value < 0:
                parts.append(self.minus + self._print(Num(-term.value, term.given)))
            else:
                parts.append(self.plus + self._print(term))
        return parts

    def breakable(self, expr: Expr) -> list[str]:
        """The expression in the parts a line may break between: a sum's terms (`sum_terms`),
        or those of a mean written 1/n·(a + b + …) (`spread_mean`), the bracket opening on the
        first part and closing on the last; anything else whole. Joined, the parts are the
        expression (its outermost group left out)."""
        if isinstance(expr, Add):
            return self.sum_terms(expr)
        if isinstance(expr, Neg) and _bracketed_sum(expr.operand):  # −(t₁ log p₁ + …)
            inner = self.breakable(expr.operand.inner)  # type: ignore[union-attr]
            return _enclosed(self.negative + self.opening, inner, self.closing)
        if _reciprocal_times_sum(expr):
            assert isinstance(expr, Mul) and isinstance(expr.factors[1], Paren)
            head = self._print(expr.factors[0])
            terms = self.sum_terms(expr.factors[1].inner)  # type: ignore[arg-type]
            return [head + self.opening + terms[0], *terms[1:-1], terms[-1] + self.closing]
        if isinstance(expr, Mul) and _bracketed_sum(expr.factors[-1]) and not is_half_of(expr):
            # a·(b − (c + d)): the bracket's terms, the factors before it on the first part
            separator = self.times if numeric_product(expr) else self.dot
            head = separator.join(
                self.parenthesize(f, POWER if isinstance(f, Frac) else QUOTIENT)
                for f in expr.factors[:-1]
            )
            inner = self.breakable(expr.factors[-1].inner)  # type: ignore[union-attr]
            return _enclosed(head + separator + self.opening, inner, self.closing)
        return [self._print(expr)]

    def _print_Mul(self, e: Mul) -> str:
        half = self.half() if is_half_of(e) else None
        if half is not None:
            return self.group(half + self.parenthesize(e.factors[1], QUOTIENT))  # ½(t − o)²
        separator = self.times if numeric_product(e) else self.dot
        if e.elementwise:
            separator = self.odot
        # a quotient followed by a factor in parentheses: (1 / b)·c, never 1 / b·c
        last = len(e.factors) - 1
        return self.group(
            separator.join(
                self.parenthesize(f, POWER if isinstance(f, Frac) and i < last else QUOTIENT)
                for i, f in enumerate(e.factors)
            )
        )

    def _print_Frac(self, e: Frac) -> str:
        return self.fraction(e.numerator, e.denominator)

    def _print_Pow(self, e: Pow) -> str:
        base = Paren(e.base) if self._bracketed_base(e.base) else e.base
        return self.power(self.parenthesize(base, ATOM), e.exponent)

    def _print_Sigma(self, e: Sigma) -> str:
        return self.group(self.summation(e.index) + self.parenthesize(e.body, PRODUCT))

    def _print_Call(self, e: Call) -> str:
        if e.function == "exp" and self.exp_as_power and len(e.args) == 1:
            return self.power(self.name(_E), e.args[0])  # e^{x}
        return self.call(e.function, self.comma.join(self._print(a) for a in e.args))

    # -- the leaves a format gives ------------------------------------------------------------

    def half(self) -> str | None:
        """½ written before a bracket, ½(t − o)²; None where the product is written out."""
        return self._print(ONE_HALF)

    def group(self, text: str) -> str:
        """A sum, product or negative as one part (MathML's <mrow>); most formats need none."""
        return text

    @abstractmethod
    def name(self, sym: Sym) -> str:
        """A symbol: W5, ∂E/∂o1, η."""

    @abstractmethod
    def number(self, text: str) -> str:
        """A number as `core/notation.py` wrote it: -0.5, 0.12345679, 1.5e-05."""

    @abstractmethod
    def fraction(self, numerator: Expr, denominator: Expr) -> str:
        """numerator over denominator."""

    @abstractmethod
    def power(self, base: str, exponent: Expr) -> str:
        """`base` (already bracketed where it needs it) raised to `exponent`."""

    @abstractmethod
    def call(self, function: str, args: str) -> str:
        """f(x): σ, tanh, √ … (and exp, unless drawn as e^x) applied to the printed arguments."""

    @abstractmethod
    def paren(self, text: str) -> str:
        """(text)."""

    def summation(self, index: str) -> str:
        """Σ_index before the sum's body (a note's Σ_k t_k); formats that evaluate have none."""
        raise ValueError(f"{type(self).__name__} has no sum over an index (Σ_{index})")


class ScriptPrinter(Printer):
    """A printer of a typeset format (LaTeX, MathML): a quantity's symbol is set from its parts
    (`core.mathexpr.Name`, `Partial`) as a textbook sets it — the letter, the layer and the ⁺ as
    superscripts, the indices (or a name: δ with o₁) as subscripts, a derivative as a fraction
    — so every format reads the same structure and none parses a name's string.

    A format gives the leaves: `letter`, `index`, `word`, `layer`, `updated`, `scripts`,
    `derivative`, `evaluated_at`, `remark`, `suffixed`, and `setting` for a symbol without
    parts (η, β₁).
    """

    def name(self, sym: Sym) -> str:
        return self.setting(sym) if sym.parts is None else self.symbol(sym.parts)

    def plain_name(self, sym: Sym) -> bool:
        """A name with no superscript of its own and nothing after it takes a power: W₅²,
        never (w⁽²⁾₁)² written w⁽²⁾²₁ or (W₅[1])² written W₅[1]²."""
        parts = sym.parts
        if parts is None:
            return self.plain_setting(sym)
        return (
            isinstance(parts, Name)
            and parts.layer is None
            and not parts.after
            and not parts.transposed
            and parts.sample is None
            and parts.step is None
        )

    def symbol(self, parts: Symbol) -> str:
        """A quantity's symbol from its parts."""
        if isinstance(parts, Name):
            return self.suffixed(self._scripted(parts), parts.sample, parts.step)
        body = self.derivative(self._scripted(parts.top), self._scripted(parts.bottom))
        if parts.via is not None:
            body = self.evaluated_at(body, self._scripted(parts.via))
        if parts.local:
            body = self.remark(body, "local")
        return self.suffixed(body, parts.sample, parts.step)

    def _scripted(self, name: Name) -> str:
        sub: list[str] = []
        if name.index:
            separator = "," if any(i >= 10 for i in name.index) else ""
            sub.append(self.index(separator.join(map(str, name.index))))
        if isinstance(name.subscript, Name):
            inner = without_suffixes(name.subscript)
            assert isinstance(inner, Name)
            sub.append(self._scripted(inner))
        elif name.subscript is not None and _INDEX_LETTERS.fullmatch(name.subscript):
            sub.append(self.index_letters(name.subscript))
        elif name.subscript is not None:
            sub.append(self.word(name.subscript))
        sup: list[str] = []
        if name.layer is not None:
            sup.append(self.layer(name.layer))
        if name.after:
            sup.append(self.updated())
        if name.transposed:
            sup.append(self.transposed())
        return self.scripts(self.letter(name.letter), sub, sup)

    # -- the leaves a typeset format gives -----------------------------------------------------

    @abstractmethod
    def setting(self, sym: Sym) -> str:
        """A symbol without parts: a setting (η, β₁) or a placeholder."""

    def plain_setting(self, sym: Sym) -> bool:
        """Whether a setting's symbol takes a superscript as it is."""
        return bool(_PLAIN_NAME.fullmatch(sym.text))

    @abstractmethod
    def letter(self, letter: str) -> str:
        """The letter of a name: W, δ (or a word, an expression node's name: loss)."""

    @abstractmethod
    def index(self, digits: str) -> str:
        """Subscript numbers: 5, 11, 10,3."""

    @abstractmethod
    def word(self, text: str) -> str:
        """A subscript word, set upright: total."""

    def index_letters(self, letters: str) -> str:
        """Index letters as a subscript, set italic: k, ij (a note's a_k, w_ij)."""
        return self.word(letters)

    @abstractmethod
    def layer(self, layer: int) -> str:
        """The layer's superscript: (2)."""

    @abstractmethod
    def updated(self) -> str:
        """The ⁺ of an updated weight."""

    @abstractmethod
    def scripts(self, base: str, sub: list[str], sup: list[str]) -> str:
        """`base` with its subscripts and superscripts (either list may be empty)."""

    @abstractmethod
    def transposed(self) -> str:
        """The ᵀ of a transposed matrix."""

    @abstractmethod
    def derivative(self, top: str, bottom: str) -> str:
        """∂top/∂bottom as a fraction."""

    @abstractmethod
    def evaluated_at(self, body: str, at: str) -> str:
        """body|_at: one path's share of a derivative, through the node `at`."""

    @abstractmethod
    def remark(self, body: str, text: str) -> str:
        """body (text): a note after a symbol."""

    @abstractmethod
    def suffixed(self, body: str, sample: int | None, step: int | None) -> str:
        """body[n]@s: the sample and the step, where there are several."""
