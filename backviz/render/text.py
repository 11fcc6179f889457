"""A worked solution as terminal text."""

from __future__ import annotations

import unicodedata

from ..core.notation import format_number
from .document import Document, Equation, Heading, Paragraph
from .math_text import math_text

__all__ = ["text_document"]


def equation_text(eq: Equation, decimals: int) -> str:
    """name = formula = numbers = value on one line."""
    parts = [eq.lhs.text, *(math_text(form, decimals) for form in eq.forms)]
    return " = ".join(parts) + f" = {format_number(eq.value, decimals).replace('-', '−')}"


def _width(text: str) -> int:
    """Columns on a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def text_document(document: Document) -> str:
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            if lines:
                lines.append("")
            if block.level == 1:
                lines += [block.text, "=" * _width(block.text)]
            else:
                lines += [block.text, ("-" if block.level == 2 else "·") * _width(block.text)]
        elif isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.append("  " + equation_text(block, document.decimals))
    return "\n".join(lines) + "\n"
