"""The notebook display: an exercise shows what it asks — its title, its description and its
given numbers — and none of its answers; its diagram stays readable in a narrow notebook cell
(measured in a real headless Chromium under the notebooks' own `max-width: 100%` rule)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import backviz
from backviz.core.notation import format_given, format_number
from backviz.render.jupyter import MIN_TEXT_PX
from tests.conftest import EXERCISES

CHROMIUM = "/usr/bin/chromium"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs graphviz")
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() or shutil.which("dot") is None,
    reason="./run setup installs Debian's chromium and graphviz",
)

# JupyterLab's and the classic notebook's rule for HTML output (rendered HTML images and SVG
# shrink to the cell's width), the cell as wide as a notebook on a laptop.
NOTEBOOK = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; }}
.cell {{ width: {width}px; }}
.jp-RenderedHTMLCommon img, .jp-RenderedHTMLCommon svg {{ max-width: 100%; height: auto; }}
</style></head><body><div class="cell jp-RenderedHTMLCommon">{html}</div></body></html>"""

BIG = """
id = "net-4883"
title = "A 4-8-8-3 network"
[network]
sizes = [4, 8, 8, 3]
activation = "sigmoid"
bias = true
loss = "half_sse"
[parameters]
init = "uniform"
seed = 3
[data]
inputs  = [[0.1, 0.2, 0.3, 0.4]]
targets = [[0.2, 0.5, 0.8]]
[training]
learning_rate = 0.5
steps = 1
"""


def computed_numbers(trace) -> set[str]:
    """Every computed value of the first step as the diagram or a solution would write it."""
    numbers = set()
    for ref in trace.refs():
        if trace.formula(ref) is None or ref.step not in (None, 1):
            continue
        value = trace.value(ref)
        numbers |= {format_number(value, d) for d in (4, 8)}
    return numbers


@needs_dot
@pytest.mark.parametrize("name", ["seed-222", "softmax-classification-textbook", "chain-rule"])
def test_exercise_display_shows_the_given_numbers_and_no_answer(name: str) -> None:
    exercise = backviz.load(EXERCISES / f"{name}.toml")
    bundle, metadata = exercise._repr_mimebundle_()
    trace = backviz.trace_of(exercise)
    given = {format_given(trace.value(r)) for r in trace.refs() if trace.formula(r) is None}
    for key in ("text/plain", "text/html", "image/svg+xml"):
        shown = bundle[key]
        numbers = set(re.findall(r"−?-?\d+\.\d+", shown.replace("&#45;", "-")))
        leaked = {n for n in numbers if n.replace("−", "-") in computed_numbers(trace)} - given
        assert not leaked, (key, sorted(leaked)[:5])
    svg = bundle["image/svg+xml"]
    for number in given - {"0", "1"}:
        forms = (number, number.replace("-", "&#45;"), number.replace("-", "−"))  # − as drawn
        assert any(form in svg for form in forms), number
    assert metadata == {"image/png": {"unconfined": True}}


@needs_dot
def test_seed_222_display_draws_no_z_or_a() -> None:
    """The notes' z1 = 0.08 and h1 = σ(z1) = 0.51998934 are what a student computes."""
    bundle, _ = backviz.load(EXERCISES / "seed-222.toml")._repr_mimebundle_()
    for value in ("0.0800", "0.08000000", "0.5200", "0.51998934", "0.6094", "0.60944600"):
        assert value not in bundle["text/html"] and value not in bundle["image/svg+xml"]
    assert "0.25" in bundle["image/svg+xml"] and "0.45" in bundle["image/svg+xml"]


@needs_dot
def test_exercise_display_has_the_description_escaped() -> None:
    text = (
        (EXERCISES / "bce-saturated.toml")
        .read_text()
        .replace('description = { en = "The weights', 'description = { en = "<b>&</b> The weights')
    )
    bundle, _ = backviz.loads(text)._repr_mimebundle_()
    assert "<p>&lt;b&gt;&amp;&lt;/b&gt; The weights are so large" in bundle["text/html"]
    assert "<b>&</b> The weights" in bundle["text/plain"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


MEASURE = """() => {
  const svg = document.querySelector('svg');
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
  const box = document.querySelector('.cell > div');
  return {
    width: svg.getBoundingClientRect().width,
    natural: svg.width.baseVal.valueInSpecifiedUnits * 4 / 3,
    // each text's font size on screen: its font-size in user units through the transform
    // from the SVG's user units to CSS pixels
    smallest: Math.min(...texts.map(t => parseFloat(t.getAttribute('font-size')) *
                                          t.getScreenCTM().a)),
    scrolls: box.scrollWidth > box.clientWidth,
  };
}"""


def measure(browser, tmp_path: Path, html: str, width: int) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    path = tmp_path / f"cell-{width}.html"
    path.write_text(NOTEBOOK.format(width=width, html=html), encoding="utf-8")
    page.goto(path.as_uri())
    found = page.evaluate(MEASURE)
    page.close()
    return found


@needs_chromium
@pytest.mark.parametrize("source", ["seed-222", BIG], ids=["seed-222", "4-8-8-3"])
def test_diagram_never_shrinks_below_readable_in_a_narrow_cell(browser, tmp_path, source) -> None:
    """In a 600 px cell the text of the diagram is at least MIN_TEXT_PX high (the box scrolls
    sideways instead); the same SVG without backviz's sizing would be squeezed below that."""
    exercise = (
        backviz.loads(source)
        if "[network]" in source
        else backviz.load(EXERCISES / f"{source}.toml")
    )
    bundle, _ = exercise._repr_mimebundle_()
    narrow = measure(browser, tmp_path, bundle["text/html"], 600)
    assert narrow["smallest"] >= MIN_TEXT_PX - 0.01, narrow
    assert narrow["scrolls"]
    plain = measure(browser, tmp_path, f"<div>{bundle['image/svg+xml']}</div>", 600)
    assert plain["smallest"] < MIN_TEXT_PX * 0.7, plain  # what notebooks did before


@needs_chromium
def test_a_small_diagram_keeps_its_own_size_in_a_wide_cell(browser, tmp_path) -> None:
    bundle, _ = backviz.load(EXERCISES / "chain-rule.toml")._repr_mimebundle_()
    wide = measure(browser, tmp_path, bundle["text/html"], 1300)
    assert wide["width"] == pytest.approx(wide["natural"], abs=1)
    assert not wide["scrolls"]


@needs_dot
def test_trace_display_keeps_the_diagram_readable_too() -> None:
    bundle, metadata = backviz.solve(EXERCISES / "seed-222.toml")._repr_mimebundle_()
    assert re.search(r'<svg style="max-width: 100%; min-width: \d+pt', bundle["text/html"])
    assert metadata == {"image/png": {"unconfined": True}}
