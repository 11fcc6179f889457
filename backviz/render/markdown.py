"""A worked solution as Markdown with $…$ math (renders on GitHub and in Jupyter).

Each equation is a list item of inline math, one line — unless one of the document's equations
is too long for a line (a big network's sum, a path through many layers): inline math never
wraps, so on GitHub it would run past the page's column. Then every equation of the document is
a `$$` display, the same layout throughout: one line where it fits, else an aligned block, one
form per row and a long form broken as the LaTeX solution breaks it (`equation_rows.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .document import Document, Equation, Formula, Heading, Math, Paragraph, Prose, Values
from .equation_rows import LINE_WIDTH, equation_rows, one_line_width
from .math_latex import latex_value, math_latex

__all__ = ["escape_markdown", "formula_latex", "markdown_document", "prose_latex"]


def equation_latex(eq: Equation, decimals: int) -> str:
    """name = formula = numbers = value as one LaTeX line."""
    value = latex_value(eq.value, decimals)
    return " = ".join([math_latex(eq.lhs), *(math_latex(f, decimals) for f in eq.forms), value])


def formula_latex(formula: Formula, decimals: int) -> str:
    """A line of matrix algebra as LaTeX: its sides joined by =, then a matrix's shape."""
    text = " = ".join(math_latex(side, decimals) for side in formula.sides)
    if formula.shape is not None:
        matrix, rows, columns = formula.shape
        text += rf",\quad {math_latex(matrix)} \in \mathbb{{R}}^{{{rows} \times {columns}}}"
    return text


def prose_latex(parts: tuple[str | Math, ...], escape: Callable[[str], str]) -> str:
    """Words and math: the words escaped by `escape` as one paragraph (so a space after a
    piece of math is kept), each piece of math as $…$ (its sides joined by =)."""
    text = "".join(p if isinstance(p, str) else f"\0{i}\0" for i, p in enumerate(parts))
    text = escape(text)
    for i, p in enumerate(parts):
        if not isinstance(p, str):
            text = text.replace(f"\0{i}\0", "$" + " = ".join(map(math_latex, p)) + "$")
    return text


# Characters that start emphasis, code, math ($…$), raw HTML, entities, tables and
# strikethrough anywhere in a line (CommonMark lets any ASCII punctuation be backslashed).
# Not brackets or parentheses: Jupyter's MathJax reads \[ … \] and \( … \) as math, so a
# link's "](" is broken with an entity instead.
_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_<>$&|~"})
# What opens a heading, a quote, a list or a setext underline at the start of a line.
_LINE_START = re.compile(r"^([#>+=-])", re.MULTILINE)
_ORDERED = re.compile(r"^(\d+)([.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Plain text for Markdown: shown as written, never read as Markdown (emphasis, $…$ math,
    links, HTML, headings, lists); lines unindented, as four spaces would make code."""
    text = "\n".join(line.lstrip() for line in text.split("\n")).translate(_INLINE)
    text = text.replace("](", "]&#40;")
    return _ORDERED.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", text))


def markdown_document(document: Document) -> str:
    decimals = document.decimals
    displayed = any(
        one_line_width(block, decimals) > LINE_WIDTH
        for block in document.blocks
        if isinstance(block, Equation)
    )
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            if lines and lines[-1] != "":
                lines.append("")
            lines += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Formula):
            lines.append(f"- ${formula_latex(block, document.decimals)}$")
        elif isinstance(block, Values):
            items = (f"${math_latex(sym)} = {math_latex(num)}$" for sym, num in block.items)
            lines += [f"{escape_markdown(block.label)}: " + ", ".join(items), ""]
        elif isinstance(block, Prose):
            lines += [prose_latex(block.parts, escape_markdown), ""]
        elif isinstance(block, Paragraph):
            lines += [escape_markdown(block.text), ""]
        elif displayed:
            lines += _display(block, decimals)[1 if lines[-1:] == [""] else 0 :]
        else:
            lines.append(f"- ${equation_latex(block, decimals)}$")
    return "\n".join(lines).rstrip("\n") + "\n"


def _display(equation: Equation, decimals: int) -> list[str]:
    """An equation as a `$$` aligned block between blank lines: one row when it fits a line,
    else a row per form, a long form broken between its terms."""
    if one_line_width(equation, decimals) <= LINE_WIDTH:
        rows = [equation_latex(equation, decimals).replace(" = ", " &= ", 1)]
    else:
        rows = equation_rows(equation, decimals)
    return ["", "$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]
