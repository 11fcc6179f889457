"""A worked equation broken into the rows of an aligned display, to fit a printed line.

Why a module of its own: LaTeX (`latex.py`, align*) and Markdown (`markdown.py`, a `$$` aligned
block where an equation is too long for one line) break an equation the same way; neither
LaTeX nor MathJax breaks a displayed equation by itself.
"""

from __future__ import annotations

from ..core.mathexpr import Num
from .document import Equation
from .math_latex import LatexPrinter
from .math_width import WidthPrinter
from .printer import spread_mean

__all__ = ["LINE_WIDTH", "equation_rows", "one_line_width"]

# The text block, in digit widths: 482 pt (A4, 2 cm margins) at 11 pt, 5.5 pt a digit, less a
# margin for the estimate (`math_width.py`) erring.
LINE_WIDTH = 84
_EQUALS = 3  # " = " between the name and the line, in digit widths
_INDENT = 2  # \quad before a line that goes on with a sum


def equation_rows(equation: Equation, decimals: int) -> list[str]:
    r"""The rows of an equation's align*: `name &= form`, then `&= form` for each further form
    and the value. A form wider than the line is broken between the terms of its sum, each
    further line `&\quad {}+ term …`: LaTeX does not break a displayed equation by itself."""
    printer, width = LatexPrinter(decimals), WidthPrinter(decimals)
    room = LINE_WIDTH - len(width.doprint(equation.lhs)) - _EQUALS
    value = Num(equation.value)
    forms = [*equation.forms, value] if equation.forms else [value]
    rows: list[str] = []
    for form in forms:
        if len(width.doprint(form)) > room:
            form = spread_mean(form)
        parts = printer.breakable(form)
        sizes = [len(part) for part in width.breakable(form)]
        for i, line in enumerate(_lines(sizes, room)):
            text = "".join(parts[k] for k in line)
            rows.append(f"&= {text}" if i == 0 else rf"&\quad {{}}{text.lstrip()}")
    rows[0] = f"{printer.doprint(equation.lhs)} {rows[0]}"
    return rows


def _lines(sizes: list[int], room: int) -> list[list[int]]:
    """The parts (by index) of each line, filled greedily: a part goes on the line if it fits,
    or if the line is empty (a part never breaks); lines after the first are indented."""
    lines: list[list[int]] = [[]]
    used = 0
    for k, size in enumerate(sizes):
        if lines[-1] and used + size > room:
            lines.append([])
            used = _INDENT
        lines[-1].append(k)
        used += size
    return lines


def one_line_width(equation: Equation, decimals: int) -> int:
    """The equation's width written on one line (name = form = … = value), in digit widths."""
    width = WidthPrinter(decimals)
    parts = [equation.lhs, *equation.forms, Num(equation.value)]
    return sum(len(width.doprint(part)) for part in parts) + _EQUALS * (len(parts) - 1)
