"""A worked solution as a complete LaTeX document (pdflatex; Korean through kotex)."""

from __future__ import annotations

import re

from .document import Document, Heading, Paragraph
from .math_latex import latex_value, math_latex

__all__ = ["latex_document"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",  # OT1 fonts set < and > as ¡ and ¿
    ">": r"\textgreater{}",
}
# Symbols that appear in plain sentences (descriptions, summaries), as math.
_SYMBOLS = {
    "η": r"\eta",
    "σ": r"\sigma",
    "δ": r"\delta",
    "∂": r"\partial",
    "⊙": r"\odot",
    "ᵀ": r"^{\mathsf{T}}",
    "‖": r"\|",
    "×": r"\times",
    "−": "-",
    "·": r"\cdot",
    "→": r"\to",
    "≤": r"\le",
    "≥": r"\ge",
    "±": r"\pm",
    "′": "'",
    "β": r"\beta",
    "μ": r"\mu",
    "λ": r"\lambda",
    "ε": r"\varepsilon",
    "₁": "_1",
    "₂": "_2",
    "Σ": r"\Sigma",
    "≈": r"\approx",
    "√": r"\surd",
    "∞": r"\infty",
}


# Superscript digits and signs (10⁻¹², E⁺): a run of them is one superscript.
_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))
_SUPERSCRIPTS = re.compile(f"([{''.join(_SUPERSCRIPT)}]+)")


def escape_latex(text: str) -> str:
    """Plain text for LaTeX: special characters escaped, math symbols set as math."""
    parts = _SUPERSCRIPTS.split(text)  # plain text, a run of superscripts, plain text, …
    return "".join(
        f"$^{{{''.join(_SUPERSCRIPT[c] for c in part)}}}$" if i % 2 else _escape_plain(part)
        for i, part in enumerate(parts)
    )


def _escape_plain(text: str) -> str:
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char in _SYMBOLS:
            out.append(f"${_SYMBOLS[char]}$")
        else:
            out.append(char)
    return "".join(out)


HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")

_HEADINGS = {2: "section*", 3: "subsection*", 4: "subsubsection*"}


def latex_document(document: Document) -> str:
    """The whole document; each equation as an align* chain, one form per line."""
    # kotex for a Korean document, or Hangul anywhere (a description written only in Korean)
    korean = document.lang == "ko" or any(
        HANGUL.search(b.text) for b in document.blocks if isinstance(b, Heading | Paragraph)
    )
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
    ]
    if korean:
        lines.append(r"\usepackage{kotex}")
    lines += [
        r"\allowdisplaybreaks",
        r"\setlength{\parindent}{0pt}",
        rf"\title{{{escape_latex(document.title)}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]
    for block in document.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                continue  # the title
            command = _HEADINGS.get(block.level, "paragraph*")
            lines.append(rf"\{command}{{{escape_latex(block.text)}}}")
        elif isinstance(block, Paragraph):
            lines += [escape_latex(block.text), ""]
        else:
            forms = [math_latex(f, document.decimals) for f in block.forms]
            value = latex_value(block.value, document.decimals)
            rows = [f"{block.lhs.latex} &= {forms[0] if forms else value}"]
            rows += [f"&= {form}" for form in forms[1:]]
            if forms:
                rows.append(f"&= {value}")
            lines += [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
