"""A worked solution as Markdown with $…$ math (renders on GitHub and in Jupyter)."""

from __future__ import annotations

import re

from .document import Document, Equation, Heading, Paragraph
from .math_latex import latex_value, math_latex

__all__ = ["escape_markdown", "markdown_document"]


def equation_latex(eq: Equation, decimals: int) -> str:
    """name = formula = numbers = value as one LaTeX line."""
    value = latex_value(eq.value, decimals)
    return " = ".join([eq.lhs.latex, *(math_latex(f, decimals) for f in eq.forms), value])


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
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            if lines and lines[-1] != "":
                lines.append("")
            lines += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [escape_markdown(block.text), ""]
        else:
            lines.append(f"- ${equation_latex(block, document.decimals)}$")
    return "\n".join(lines).rstrip("\n") + "\n"
