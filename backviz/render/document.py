"""A worked solution as plain data: headings, paragraphs and equations, ready for any printer.

`solution.py` builds it from a trace; `text.py`, `markdown.py`, `latex.py` and `html.py`
print it. An equation is the chain a person writes: name = formula = numbers = value.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from ..core.display import Displayable
from ..core.mathexpr import Expr, Num, Sym
from .math_text import math_text

__all__ = [
    "Block",
    "Document",
    "Equation",
    "Formula",
    "Heading",
    "Math",
    "Paragraph",
    "Prose",
    "Values",
    "prose",
]

Math = tuple[Expr, ...]  # a piece of math in prose: its sides joined by = (one side: an expression)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1 title, 2 section, 3 subsection


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Values(Paragraph):
    """A line of given numbers, "inputs: x1 = 0.1, x2 = 0.2": a paragraph whose `text` is that
    line in Unicode, and whose `items` the typeset formats set as math (x₁ = 0.1, w = −2).
    Other readers of a document take it as the paragraph it is."""

    label: str = ""
    items: tuple[tuple[Sym, Num], ...] = ()


@dataclass(frozen=True)
class Formula(Paragraph):
    """A line of matrix algebra, no one quantity's (a big network's summary): `sides` joined by
    =, and where it says one, the shape of a matrix (`shape`: the matrix, rows, columns). Its
    `text` is the line in Unicode; the typeset formats set `sides` as math."""

    sides: tuple[Expr, ...] = ()
    shape: tuple[Sym, int, int] | None = None


@dataclass(frozen=True)
class Prose(Paragraph):
    """A paragraph of words with math in it (a note on why a line reads as it does): `parts`
    are text and pieces of math, each piece its sides joined by =. Its `text` is the paragraph
    in Unicode; the typeset formats set the pieces as math, from the same symbols' parts."""

    parts: tuple[str | Math, ...] = ()


def prose(template: str, **fields: str | Expr | Math) -> tuple[str | Math, ...]:
    """A phrase's parts: `template` (a `words` phrase) with each {field} replaced by text, or by
    math (an expression, or a tuple of sides joined by =)."""
    parts: list[str | Math] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        value = fields[name]
        parts.append(value if isinstance(value, str | tuple) else (value,))
    return tuple(parts)


def _math_text(piece: Math, decimals: int = 8) -> str:
    return " = ".join(math_text(side, decimals) for side in piece)


@dataclass(frozen=True)
class Equation:
    """name = forms[0] = forms[1] = … = value (forms: symbols first, then numbers)."""

    name: str  # the quantity's name (answer sheets use it)
    lhs: Sym
    forms: tuple[Expr, ...]
    value: float


Block = Heading | Paragraph | Equation


@dataclass
class Document(Displayable):
    """A worked solution; in a notebook it shows as HTML with MathML, Markdown and text."""

    title: str
    lang: str
    decimals: int
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(Heading(text, level))

    def paragraph(self, text: str) -> None:
        self.blocks.append(Paragraph(text))

    def prose(self, parts: tuple[str | Math, ...]) -> None:
        """A paragraph of words and math (`prose`)."""
        text = "".join(p if isinstance(p, str) else _math_text(p, self.decimals) for p in parts)
        self.blocks.append(Prose(text, parts))

    def values(self, label: str, items: list[tuple[Sym, Num]]) -> None:
        """A line of given numbers: label, then name = number, each."""
        text = ", ".join(f"{math_text(sym)} = {math_text(num)}" for sym, num in items)
        self.blocks.append(Values(f"{label}: {text}", label, tuple(items)))

    def formula(self, *sides: Expr, shape: tuple[Sym, int, int] | None = None) -> None:
        """A line of matrix algebra: sides joined by =, and a matrix's shape after it."""
        text = " = ".join(math_text(side, self.decimals) for side in sides)
        if shape is not None:
            text += f"   {math_text(shape[0])}: {shape[1]}×{shape[2]}"
        self.blocks.append(Formula(text, sides, shape))

    def equation(self, equation: Equation) -> None:
        self.blocks.append(equation)

    def equations(self) -> list[Equation]:
        return [b for b in self.blocks if isinstance(b, Equation)]
