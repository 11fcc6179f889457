"""Renderers: read a trace and turn it into text for people (no formula is derived here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.quantity_trace import QuantityTrace

__all__ = ["render_solution"]


def render_solution(
    trace: QuantityTrace,
    fmt: str = "text",
    *,
    lang: str = "en",
    decimals: int = 8,
    only: str | None = None,
) -> str:
    """The worked solution in `fmt`: text, md, latex or html."""
    from .solution import worked_solution

    document = worked_solution(trace, lang=lang, decimals=decimals, only=only)
    if fmt == "md":
        from .markdown import markdown_document

        return markdown_document(document)
    if fmt == "latex":
        from .latex import latex_document

        return latex_document(document)
    if fmt == "html":
        from .html import html_document

        return html_document(document)
    from .text import text_document

    return text_document(document)
