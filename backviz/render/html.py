"""A worked solution as one self-contained HTML page: MathML, inline CSS, no network."""

from __future__ import annotations

from html import escape

from ..core.mathexpr import Num
from .document import Document, Equation, Formula, Heading, Paragraph, Prose, Values
from .math_mathml import MathMLPrinter
from .math_width import typeset_width
from .printer import spread_mean

__all__ = ["equation_parts", "html_document", "html_fragment", "page_head"]


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
.eq { margin: .35rem 0; padding: .25rem .6rem .25rem 2.6rem; text-indent: -2rem;
      border-left: 3px solid #d6e2f0; }
.eq .part { display: inline-block; text-indent: 0; }
.eq math { font-size: 1.05em; }
.value { font-weight: 600; }
"""


# The widest part kept whole, in digit widths: the page's column (60rem less the margins) is
# about 105 digits of its math at 1.05em; a mean wider than this breaks between its terms.
PART_WIDTH = 80


def equation_parts(equation: Equation, decimals: int) -> list[str]:
    """An equation as the MathML of its parts, name = form = … = value, each part a line may
    break before: each form, and each term of a sum at a form's top (browsers do not break a
    <math> element, so each part is one; a long equation wraps between them)."""
    printer = MathMLPrinter(decimals)
    value = Num(equation.value)
    forms = [*equation.forms, value] if equation.forms else [value]
    parts: list[str] = []
    for form in forms:
        if typeset_width(form, decimals) > PART_WIDTH:
            form = spread_mean(form)
        terms = printer.breakable(form)
        if form is value:
            terms = [f'<mrow class="value">{terms[0]}</mrow>']
        parts += ["<mo>=</mo>" + terms[0], *terms[1:]]
    parts[0] = printer.doprint(equation.lhs) + parts[0]
    # a part opening with an operator is spaced as that operator between two terms
    return [p.replace("<mo>", '<mo form="infix">', 1) if p.startswith("<mo>") else p for p in parts]


def _equation(equation: Equation, decimals: int) -> str:
    spans = "".join(
        f'<span class="part"><math displaystyle="true"><mrow>{part}</mrow></math></span>'
        for part in equation_parts(equation, decimals)
    )
    return f'<div class="eq">{spans}</div>'


def _formula(block: Formula, decimals: int) -> str:
    """A line of matrix algebra: its sides joined by =, then a matrix's shape."""
    printer = MathMLPrinter(decimals)
    body = "<mo>=</mo>".join(printer.doprint(side) for side in block.sides)
    spans = [f'<span class="part"><math displaystyle="true"><mrow>{body}</mrow></math></span>']
    if block.shape is not None:
        matrix, rows, columns = block.shape
        space = '<mspace width="2em"/>'
        size = f"<msup><mi>ℝ</mi><mrow><mn>{rows}</mn><mo>×</mo><mn>{columns}</mn></mrow></msup>"
        shape = f"{space}{printer.doprint(matrix)}<mo>∈</mo>{size}"
        spans.append(f'<span class="part"><math><mrow>{shape}</mrow></math></span>')
    return f'<div class="eq formula">{"".join(spans)}</div>'


def _values(block: Values, decimals: int) -> str:
    """label: x₁ = 0.1, x₂ = 0.2, each name = number as math."""
    printer = MathMLPrinter(decimals)
    items = ", ".join(
        f"<math>{printer.doprint(sym)}<mo>=</mo>{printer.doprint(num)}</math>"
        for sym, num in block.items
    )
    return f'<p class="given">{escape(block.label)}: {items}</p>'


def _prose(block: Prose, decimals: int) -> str:
    """Words and math: each piece of math inline, its sides joined by =."""
    printer = MathMLPrinter(decimals)
    pieces = (
        escape(p)
        if isinstance(p, str)
        else "<math><mrow>" + "<mo>=</mo>".join(map(printer.doprint, p)) + "</mrow></math>"
        for p in block.parts
    )
    return f"<p>{''.join(pieces)}</p>"


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
        elif isinstance(block, Values):
            parts.append(_values(block, document.decimals))
        elif isinstance(block, Formula):
            parts.append(_formula(block, document.decimals))
        elif isinstance(block, Prose):
            parts.append(_prose(block, document.decimals))
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{escape(block.text)}</p>")
        else:
            parts.append(_equation(block, document.decimals))
    return parts
