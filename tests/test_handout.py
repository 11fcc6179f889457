"""Problem sheets: the blank drawing holds the given numbers and never an answer, read as a
reader sees it (the SVG's <text> elements)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import backviz
from backviz.core.notation import format_given
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from tests.conftest import EXERCISES, ROOT

TOOLS = ("dot", "pdflatex", "pdftotext", "pdftoppm")
needs_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="./run setup installs Graphviz, pdflatex and poppler-utils",
)
pytestmark = needs_tools

EXERCISE_FILES = sorted(EXERCISES.glob("*.toml"))
FORMATS = ("pdf", "html", "md")
SUFFIX = {"pdf": ".pdf", "html": ".html", "md": ".md"}


def backviz_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backviz", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


# -- what a reader sees ----------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text of an HTML page as a browser shows it (styles and scripts are not shown)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [f"{k}={v}" for k, v in attrs]
        self.hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def svg_text(svg: str) -> str:
    return "\n".join(unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))


def pdf_text(path: Path, *options: str) -> str:
    command = ["pdftotext", *options, str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout.decode("utf-8")


def seen(path: Path) -> str:
    """The text of a sheet a reader sees: a PDF's, an HTML page's, or Markdown with the
    <text> of the SVG drawing beside it."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".html":
        return html_text(path.read_text(encoding="utf-8"))
    svg = path.with_suffix(".svg").read_text(encoding="utf-8")
    return path.read_text(encoding="utf-8") + "\n" + svg_text(svg)


# -- no answer anywhere ----------------------------------------------------------------------------


def _printed(value: float, decimals: int) -> set[str]:
    """|value| as printed with `decimals` decimals, rounded and truncated."""
    exact, unit = Decimal(abs(value)), Decimal(1).scaleb(-decimals)
    return {str(exact.quantize(unit, rounding=mode)) for mode in (ROUND_HALF_EVEN, ROUND_DOWN)}


def leaks(trace, text: str) -> list[str]:
    """Every computed value of the trace (a superset of what is asked) found printed in the text
    with 3 to 8 decimals, rounded or truncated. Exempt: values equal to a given number (an input
    carried through), and printed tokens that are a given number as the sheet writes it."""
    refs = list(trace.refs())
    given = [trace.value(r) for r in refs if trace.formula(r) is None]
    exercise = trace.exercise
    if exercise.kind == "network" and exercise.trains:
        given.append(exercise.training.learning_rate)
    written = {format_given(v).lstrip("-") for v in given}
    tokens = {
        t for t in re.findall(r"\d+\.\d+", text) if len(t.split(".")[1]) >= 3 and t not in written
    }
    found = []
    for ref in refs:
        if trace.formula(ref) is None:
            continue
        value = trace.value(ref)
        if value != value or any(abs(value - g) <= 1e-12 * max(1.0, abs(g)) for g in given):
            continue
        for decimals in range(3, 9):
            for printed in _printed(value, decimals) & tokens:
                found.append(f"{trace.name(ref)} = {value!r} printed as {printed}")
    return found


def test_the_leak_check_finds_a_printed_answer() -> None:
    """The check itself: an answer printed at 3 or 8 decimals, rounded or truncated, is found;
    given numbers are not."""
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    assert leaks(trace, "h1 = 0.520") != []  # 0.51998934 rounded to 3 decimals
    assert leaks(trace, "∂E/∂W1 = 0.0008") != []  # 0.00080888 truncated to 4
    assert leaks(trace, "∂E/∂W1 = 0.000808") != []  # truncated to 6
    assert leaks(trace, "o2 = 0.66384491") != []  # 8 decimals
    assert leaks(trace, "z1 = 0.08, h1 = 0.52") == []  # 2 decimals: not checked
    assert leaks(trace, "x1 = 0.1, W4 = 0.35, η = 0.5, 0.350") == []  # given numbers


# -- the drawing -----------------------------------------------------------------------------------


def test_the_blank_drawing_has_the_given_numbers_and_a_box_for_each_computed_one() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    svg = render_graph(diagram(trace, stage="all", blank=True), "svg").decode("utf-8")
    shown = svg_text(svg)
    for text in ("x1 = 0.1", "x2 = 0.2", "0.4", "0.6", "0.45", "learning rate η = 0.5"):
        assert text in shown
    for label in ("z1 =", "h1 =", "δ_o1 =", "∂E/∂W5 =", "W5⁺ =", "E_total ="):
        assert label in shown
    # one empty box (a bordered cell) per computed number drawn: 4 per hidden node, 4 per
    # output node, 2 per weight (∂E/∂W, W⁺), 2 per loss edge (E_o, ∂E/∂o), E_total
    boxes = svg.count('<polygon fill="white"') - 1  # the page's own background is white too
    assert boxes == 2 * 4 + 2 * 4 + 8 * 2 + 2 * 2 + 1
    assert leaks(trace, shown) == []
    # without `blank`, the same drawing as ever
    assert "z1 = 0.08000000" in svg_text(render_graph(diagram(trace, stage="all"), "svg").decode())


def test_draw_blank_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "chain.svg"
    result = backviz_cli("draw", str(EXERCISES / "chain-rule.toml"), "--blank", "-o", str(out))
    assert result.returncode == 0, result.stderr
    shown = svg_text(out.read_text(encoding="utf-8"))
    assert "value =" in shown and "∂f/∂w =" in shown and "∂g/∂w =" in shown
    assert sorted(re.findall(r"-?\d+", shown)) == ["-2", "3", "5"]  # the inputs alone
