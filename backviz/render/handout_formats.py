"""A problem sheet printed: a LaTeX document (for pdflatex), a self-contained HTML page, Markdown.

Each printer walks the sheet's blocks (`handout.py`) once; the drawing comes from the caller:
a file name (LaTeX, Markdown) or the SVG element itself (HTML).
"""

from __future__ import annotations

import re
from html import escape

from ..core.mathexpr import Sym
from .document import Heading, Paragraph
from .handout import Figure, Given, Questions, Sheet, SheetBlock
from .html import page_head
from .latex import escape_latex
from .markdown import escape_markdown
from .math_latex import math_latex
from .math_mathml import MathMLPrinter
from .words import word

__all__ = ["handout_html", "handout_latex", "handout_markdown", "html_block", "inline_svg"]


def inline_svg(svg: str) -> str:
    """Graphviz's SVG as an element of an HTML page: no XML prolog, comments or namespace
    declarations (HTML needs none, and they are the only addresses in it)."""
    text = svg[svg.index("<svg") :]
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)


# -- LaTeX -----------------------------------------------------------------------------------------


def _tt(text: str) -> str:
    """Text for typewriter type, with the font's own underscore (so it is copied as one)."""
    return escape_latex(text).replace(r"\_", r"\char95{}")


def _latex_inline(text: str) -> str:
    """A sentence, its `names` in typewriter type."""
    parts = text.split("`")
    return "".join(
        rf"\texttt{{{_tt(part)}}}" if i % 2 else escape_latex(part) for i, part in enumerate(parts)
    )


# The text area of an A4 page with 2 cm margins and a header line, in points.
TEXT_WIDTH, TEXT_HEIGHT = 482.0, 670.0


def _latex_figure(block: Figure, diagram_file: str, size: tuple[float, float]) -> list[str]:
    """The drawing at its own size where it fits in the text (Graphviz's 10 pt labels stay
    10 pt); else alone on a page, upright or turned, whichever shows it bigger."""
    width, height = size
    caption = rf"{{\small\itshape {escape_latex(block.caption)}\par}}"
    if width <= TEXT_WIDTH and height <= 0.4 * TEXT_HEIGHT:
        graphic = rf"\includegraphics{{{diagram_file}}}"
        return [r"\begin{center}", graphic, r"\end{center}", caption, ""]
    upright = min(TEXT_WIDTH / width, 0.9 * TEXT_HEIGHT / height)
    turned = min(TEXT_HEIGHT / width, 0.85 * TEXT_WIDTH / height)
    scale = min(1.0, max(upright, turned))
    graphic = rf"\includegraphics[scale={scale:.3f}]{{{diagram_file}}}"
    page = [r"\vspace*{\fill}", r"\begin{center}", graphic, r"\end{center}", caption]
    page.append(r"\vspace*{\fill}")
    if turned > upright:  # shown turned on screen too (pdflscape rotates the page)
        return [r"\begin{landscape}", *page, r"\end{landscape}", ""]
    return [r"\clearpage", *page, r"\clearpage", ""]


def _latex_block(block: SheetBlock, diagram_file: str, size: tuple[float, float]) -> list[str]:
    if isinstance(block, Heading):
        command = "section*" if block.level <= 2 else "subsection*"
        return [rf"\{command}{{{escape_latex(block.text)}}}"]
    if isinstance(block, Paragraph):
        return [_latex_inline(block.text), ""]
    if isinstance(block, Figure):
        return _latex_figure(block, diagram_file, size)
    if isinstance(block, Given):
        lines = []
        for label, items in block.groups:
            numbers = [rf"${math_latex(sym)} = {value}$" for sym, value in items]
            lines.append(rf"\textbf{{{escape_latex(label)}:}}")
            if len(numbers) <= LONG_GROUP:
                lines += [r",\ ".join(rf"\mbox{{{n}}}" for n in numbers), ""]
            else:  # one number a line, in columns: a long list is read down, not across
                lines += [r"{\small\begin{multicols}{4}\raggedcolumns", r"\\".join(numbers)]
                lines += [r"\end{multicols}}", ""]
        return lines
    if isinstance(block, Questions):
        return _latex_questions(block)
    return [
        r"\begin{enumerate}",
        *(
            rf"\item {_latex_inline(text)}"
            + ("" if command is None else rf"\\ \texttt{{{_tt(command)}}}")
            for text, command in block.items
        ),
        r"\end{enumerate}",
    ]


HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
STRUT = r"\rule[-2.2ex]{0pt}{6.4ex}"  # an answer row tall enough to write in by hand
SMALL_STRUT = r"\rule[-1ex]{0pt}{3.6ex}"  # a heading row with room above and below its words
LONG_GROUP = 12  # given numbers of a group beyond this many are set in columns


def _latex_questions(block: Questions) -> list[str]:
    number, quantity, name, answer = (rf"\textbf{{{escape_latex(c)}}}" for c in block.columns)
    opening = [rf"\section*{{{escape_latex(block.title)}}}", escape_latex(block.intro), ""]
    head = (
        rf"\multicolumn{{1}}{{|r|}}{{{SMALL_STRUT}{number}}} & "
        rf"\multicolumn{{1}}{{l|}}{{{quantity}}} & "
        rf"\multicolumn{{1}}{{l|}}{{{name}}} & {answer} \\ \hline"
    )
    lines = [
        *opening,
        r"{\setlength{\LTpre}{0.3em}",
        r"\begin{longtable}{|>{\raggedleft\arraybackslash}p{0.05\linewidth}"
        r"|>{$\displaystyle}p{0.17\linewidth}<{$}"
        r"|>{\ttfamily\raggedright\arraybackslash}p{0.24\linewidth}|p{0.4\linewidth}|}",
        r"\hline",
        head,
        r"\endhead",
    ]
    for row in block.rows:
        if isinstance(row, Heading):
            lines.append(
                rf"\multicolumn{{4}}{{|l|}}{{\cellcolor{{groupbg}}{SMALL_STRUT}"
                rf"\textbf{{{escape_latex(row.text)}}}}}"
                r" \\ \hline"
            )
        else:
            symbol = math_latex(row.symbol)
            lines.append(rf"{STRUT}{row.number} & {symbol} & {_tt(row.name)} & \\ \hline")
    return [*lines, r"\end{longtable}}", ""]


def handout_latex(sheet: Sheet, diagram_file: str, size: tuple[float, float]) -> str:
    """The sheet as a complete LaTeX document (pdflatex; Korean through kotex), with the
    drawing included from `diagram_file` (a PDF beside it, `size` points wide and high)."""
    lang = sheet.lang
    body: list[str] = []
    # A drawing on a page of its own waits for the instructions to end (before the questions),
    # so the first page is not left half empty.
    waiting: list[str] = []
    for block in sheet.blocks:
        printed = _latex_block(block, diagram_file, size)
        if isinstance(block, Figure) and printed[0] != r"\begin{center}":
            waiting = printed
            continue
        if isinstance(block, Questions):
            printed, waiting = waiting + printed, []
        body += printed
    body += waiting
    # Hangul anywhere (a Korean sheet, a student's name, a description) needs kotex
    korean = lang == "ko" or HANGUL.search(sheet.title + sheet.subtitle + "".join(body))
    who = (
        rf"{escape_latex(word('sheet_name_line', lang))} \rule{{6cm}}{{0.4pt}}"
        if sheet.student is not None
        else rf"{escape_latex(word('sheet_name_line', lang))} \rule{{5.5cm}}{{0.4pt}}\qquad "
        rf"{escape_latex(word('sheet_id_line', lang))} \rule{{3.5cm}}{{0.4pt}}"
    )
    lines = [
        r"\documentclass[11pt,a4paper]{article}",
        r"\usepackage[margin=2cm,headsep=0.6cm]{geometry}",
        r"\usepackage{amsmath,amssymb,graphicx,longtable,array,fancyhdr,pdflscape,multicol}",
        r"\usepackage[table]{xcolor}",
        *([r"\usepackage{kotex}"] if korean else []),
        r"\definecolor{groupbg}{HTML}{EEF3FB}",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{0.45em}",
        r"\pagestyle{fancy}",
        r"\fancyhf{}",
        rf"\fancyhead[L]{{\small {escape_latex(sheet.title)}}}",
        rf"\fancyhead[R]{{\small {escape_latex(sheet.subtitle)}}}",
        r"\fancyfoot[C]{\small\thepage}",
        r"\fancypagestyle{first}{\fancyhf{}\renewcommand{\headrule}{}\fancyfoot[C]{\small\thepage}}",
        r"\begin{document}",
        r"\thispagestyle{first}",
        rf"{{\LARGE\bfseries {escape_latex(sheet.title)}\par}}",
        r"\vspace{0.3em}",
        rf"{{\large {escape_latex(sheet.subtitle)}\par}}",
        r"\vspace{0.8em}",
        who,
        r"\vspace{0.6em}",
        "",
    ]
    lines += [*body, r"\end{document}"]
    return "\n".join(lines) + "\n"


# -- HTML ------------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, "Noto Sans KR", "NanumGothic", sans-serif; max-width: 62rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1d2330; }
h1 { margin-bottom: .1rem; }
.subtitle { color: #4a5668; margin-top: 0; font-size: 1.1rem; }
.who { display: flex; flex-wrap: wrap; gap: 2.5rem; margin: 1rem 0 1.5rem; }
.who .line { display: inline-block; width: 14rem; border-bottom: 1px solid #1d2330;
             margin-left: .4rem; }
h2 { color: #3b6ea5; border-bottom: 1px solid #d6e2f0; padding-bottom: .2rem; margin-top: 2rem; }
h3 { color: #4a5668; margin-bottom: .3rem; }
figure { width: calc(100vw - 2rem); margin: 1rem 0 1rem calc(50% - 50vw + 1rem); }
figure svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
figcaption { font-size: .9rem; color: #4a5668; font-style: italic; }
.given p { margin: .3rem 0; }
.given .numbers { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
                  column-gap: .8rem; }
.given .n { white-space: nowrap; }
table.questions { border-collapse: collapse; width: 100%; }
table.questions th, table.questions td { border: 1px solid #9aa5b4; padding: .3rem .55rem;
       text-align: left; }
table.questions thead th { background: #f4f6f9; }
table.questions td.number { text-align: right; color: #4a5668; width: 3rem; }
table.questions td.answer { width: 38%; height: 1.7rem; }
table.questions tr.group th { background: #eef3fb; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .95em; }
pre { background: #f4f6f9; padding: .45rem .8rem; border-radius: 4px; overflow-x: auto; }
@media print {
  body { margin: 0; max-width: none; }
  h2, h3 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  figure { width: auto; margin: 1rem 0; }
  figure svg { max-width: 100%; }
}
"""


def _html_inline(text: str) -> str:
    """A sentence, its `names` as code."""
    parts = text.split("`")
    return "".join(
        f"<code>{escape(part)}</code>" if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def _mathml_symbol(sym: Sym) -> str:
    """A quantity's symbol typeset, as in the worked solution."""
    return f"<math>{MathMLPrinter().doprint(sym)}</math>"


def _mathml_given(sym: Sym, value: str) -> str:
    """name = number as math, the number with the body's minus sign."""
    number = f"<mn>{escape(value.removeprefix('-'))}</mn>"
    if value.startswith("-"):
        number = f"<mrow><mo>−</mo>{number}</mrow>"
    return f"<math>{MathMLPrinter().doprint(sym)}<mo>=</mo>{number}</math>"


def html_block(block: SheetBlock, svg: str) -> str:
    if isinstance(block, Heading):
        level = min(block.level, 6)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_html_inline(block.text)}</p>"
    if isinstance(block, Figure):
        return f"<figure>{svg}<figcaption>{escape(block.caption)}</figcaption></figure>"
    if isinstance(block, Given):
        groups = []
        for label, items in block.groups:
            numbers = "".join(
                f'<span class="n">{_mathml_given(sym, value)}</span>' for sym, value in items
            )
            groups.append(f'<p><b>{escape(label)}:</b></p><div class="numbers">{numbers}</div>')
        return '<div class="given">' + "".join(groups) + "</div>"
    if isinstance(block, Questions):
        head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
        rows = []
        for row in block.rows:
            if isinstance(row, Heading):
                rows.append(f'<tr class="group"><th colspan="4">{escape(row.text)}</th></tr>')
            else:
                rows.append(
                    f'<tr><td class="number">{row.number}</td><td>{_mathml_symbol(row.symbol)}</td>'
                    f'<td><code>{escape(row.name)}</code></td><td class="answer"></td></tr>'
                )
        return (
            f"<h2>{escape(block.title)}</h2><p>{escape(block.intro)}</p>"
            f'<table class="questions"><thead><tr>{head}</tr></thead><tbody>'
            + "\n".join(rows)
            + "</tbody></table>"
        )
    items = [
        f"<li>{_html_inline(text)}"
        + ("" if command is None else f"<pre><code>{escape(command)}</code></pre>")
        + "</li>"
        for text, command in block.items
    ]
    return "<ol>" + "".join(items) + "</ol>"


def handout_html(sheet: Sheet, svg: str) -> str:
    """The sheet as one self-contained page (the drawing inline, styles inside, no script and
    nothing fetched), ready to print."""
    lang = sheet.lang
    who = [f'<span>{escape(word("sheet_name_line", lang))}<span class="line"></span></span>']
    if sheet.student is None:
        who.append(f'<span>{escape(word("sheet_id_line", lang))}<span class="line"></span></span>')
    parts = [
        *page_head(f"{sheet.title} · {sheet.subtitle}", lang, STYLE),
        f"<header><h1>{escape(sheet.title)}</h1>",
        f'<p class="subtitle">{escape(sheet.subtitle)}</p>',
        f'<p class="who">{"".join(who)}</p></header>',
        "<main>",
        *(html_block(block, inline_svg(svg)) for block in sheet.blocks),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# -- Markdown --------------------------------------------------------------------------------------


def _markdown_inline(text: str) -> str:
    """A sentence, its `names` kept as code spans."""
    parts = text.split("`")
    return "".join(f"`{part}`" if i % 2 else escape_markdown(part) for i, part in enumerate(parts))


def _markdown_block(block: SheetBlock, diagram_file: str) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + block.text, ""]
    if isinstance(block, Paragraph):
        return [_markdown_inline(block.text), ""]
    if isinstance(block, Figure):
        alt = block.alt.replace("[", "(").replace("]", ")")
        return [f"![{alt}]({diagram_file})", "", f"*{escape_markdown(block.caption)}*", ""]
    if isinstance(block, Given):
        lines = []
        for label, items in block.groups:
            numbers = ", ".join(f"${math_latex(sym)} = {value}$" for sym, value in items)
            lines += [f"**{escape_markdown(label)}:** {numbers}", ""]
        return lines
    if isinstance(block, Questions):
        lines = [f"## {block.title}", "", escape_markdown(block.intro), ""]
        lines += ["| " + " | ".join(block.columns) + " |", "|---:|---|---|---|"]
        for row in block.rows:
            if isinstance(row, Heading):
                lines.append(f"| | **{escape_markdown(row.text)}** | | |")
            else:
                lines.append(f"| {row.number} | ${math_latex(row.symbol)}$ | `{row.name}` | |")
        return [*lines, ""]
    lines = []
    for i, (text, command) in enumerate(block.items, start=1):
        lines.append(f"{i}. {_markdown_inline(text)}")
        if command is not None:
            lines += ["", "   ```sh", f"   {command}", "   ```", ""]
    return [*lines, ""]


def handout_markdown(sheet: Sheet, diagram_file: str) -> str:
    """The sheet as Markdown with $…$ math; the drawing is the SVG file `diagram_file`."""
    lang = sheet.lang
    who = f"{word('sheet_name_line', lang)} ______________________"
    if sheet.student is None:
        who += f"   {word('sheet_id_line', lang)} ______________"
    lines = [f"# {sheet.title}", "", f"*{escape_markdown(sheet.subtitle)}*", "", who, ""]
    for block in sheet.blocks:
        lines += _markdown_block(block, diagram_file)
    return "\n".join(lines).rstrip("\n") + "\n"
