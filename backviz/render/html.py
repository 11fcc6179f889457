"""A worked solution as one self-contained HTML page: MathML, inline CSS, no network."""

from __future__ import annotations

from html import escape

from ..core.notation import format_number
from .document import Document, Heading, Paragraph
from .math_mathml import mathml_inner

__all__ = ["html_document", "html_fragment", "page_head"]


def page_head(title: str, lang: str, style: str) -> list[str]:
    """The opening of a self-contained page, up to and including <body>."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
    ]


STYLE = """
body { font-family: system-ui, "Noto Sans KR", "NanumGothic", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d2330; }
h1 { border-bottom: 2px solid #3b6ea5; padding-bottom: .3rem; }
h2 { color: #3b6ea5; margin-top: 2rem; }
h3, h4 { color: #4a5668; }
.eq { margin: .35rem 0; padding: .25rem .6rem; border-left: 3px solid #d6e2f0;
      overflow-x: auto; }
.eq math { font-size: 1.05em; }
.value { font-weight: 600; }
"""


def _equation(lhs: str, forms: list[str], value: str) -> str:
    eq = "<mo>=</mo>"
    body = lhs + "".join(eq + f"<mrow>{form}</mrow>" for form in forms)
    body += eq + f'<mn class="value">{escape(value)}</mn>'
    return f'<div class="eq"><math display="block"><mrow>{body}</mrow></math></div>'


def html_fragment(document: Document) -> str:
    """The document's body alone (headings, paragraphs, equations), to embed in a page."""
    parts = _body(document)
    return f'<div class="backviz-solution"><style>{STYLE}</style>' + "\n".join(parts) + "</div>"


def html_document(document: Document) -> str:
    """One self-contained page."""
    parts = [
        *page_head(document.title, document.lang, STYLE),
        *_body(document),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _body(document: Document) -> list[str]:
    parts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(block.level, 6)
            parts.append(f"<h{level}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{escape(block.text)}</p>")
        else:
            value = format_number(block.value, document.decimals).replace("-", "−")
            forms = [mathml_inner(f, document.decimals) for f in block.forms]
            parts.append(_equation(f"<mi>{escape(block.lhs.text)}</mi>", forms, value))
    return parts
