"""Names set as a textbook sets them, and equations that fit their page.

A quantity's symbol is typeset from its parts (letter, layer, indices, ⁺, sample, step): in
MathML δ_o1 is a δ with the subscript o₁ (<msub>), W(2)_11 a W with the superscript (2) and the
subscript 11 (<msubsup>), ∂E/∂W5 a fraction (<mfrac>); in Markdown and LaTeX the same as
\\delta_{o_{1}}, W^{(2)}_{11}, \\frac{\\partial E}{\\partial W_{5}}. No typeset name keeps the
underscores, brackets or slashes of the plain names the CSV/JSON keys use. In Chromium, at a
1280 px wide window, no equation is wider than its column.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import backviz
from backviz.core.mathexpr import Name, Neg, Sigma, mul
from backviz.core.notation import symbol_of
from backviz.render import render_solution
from backviz.render.evaluable import PythonPrinter
from backviz.render.math_latex import math_latex
from backviz.render.math_mathml import math_mathml
from backviz.render.math_text import math_text
from tests.conftest import EXERCISES

CHROMIUM = "/usr/bin/chromium"
# Every exercise, and a 4-8-8-3 network over two samples (the widest sums written out in full).
WIDE = [*sorted(EXERCISES.glob("*.toml")), EXERCISES.parent / "tests" / "data" / "net-4883.toml"]

# Operators and function names MathML sets as <mi>; everything else in an <mi> is one letter
# of a name, or a subscript word (total).
_FUNCTIONS = {"σ", "tanh", "log", "exp", "max", "sin", "cos", "softmax", "step", "relu′"}


@pytest.fixture(scope="module")
def seed():
    return backviz.solve(EXERCISES / "seed-222.toml")


@pytest.fixture(scope="module")
def layered():
    return backviz.solve(EXERCISES / "softmax-classification.toml")


def _element(mathml: str) -> ET.Element:
    return ET.fromstring(mathml)


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


def _only_child(element: ET.Element) -> ET.Element:
    (child,) = list(element)
    return child


def test_delta_of_an_output_has_the_output_as_its_subscript(seed) -> None:
    # δ_o1: δ with the subscript o₁, itself o with the subscript 1
    math = _element(math_mathml(seed.symbol(seed.ref("delta_o1"))))
    delta = _only_child(math)
    assert delta.tag == "msub"
    base, sub = list(delta)
    assert (base.tag, base.text) == ("mi", "δ")
    assert sub.tag == "msub" and [(e.tag, e.text) for e in sub] == [("mi", "o"), ("mn", "1")]


def test_a_layered_weight_has_its_layer_above_and_its_indices_below(layered) -> None:
    # W(2)_11: W, the subscript 11, the superscript (2), in one <msubsup>
    math = _element(math_mathml(layered.symbol(layered.ref("W(2)_11"), step=1)))
    weight = _only_child(math)
    assert weight.tag == "msubsup"
    base, sub, sup = list(weight)
    assert (base.tag, base.text) == ("mi", "W")
    assert (sub.tag, sub.text) == ("mn", "11")
    assert _text(sup) == "(2)" and sup.find(".//mn").text == "2"


def test_a_gradient_is_a_fraction_of_partials(seed) -> None:
    # ∂E/∂W5: the fraction ∂E over ∂W₅
    math = _element(math_mathml(seed.symbol(seed.ref("dE/dW5"))))
    fraction = _only_child(math)
    assert fraction.tag == "mfrac"
    top, bottom = list(fraction)
    assert _text(top) == "∂E"
    assert bottom.find("msub") is not None and _text(bottom.find("msub")) == "W5"
    assert _text(bottom) == "∂W5"


def test_an_updated_weight_carries_its_plus_as_a_superscript(seed, layered) -> None:
    sequential = _only_child(_element(math_mathml(seed.symbol(seed.ref("W5+")))))
    assert sequential.tag == "msubsup" and _text(list(sequential)[2]) == "+"
    ref = layered.ref("W(2)_11+")
    weight = _only_child(_element(math_mathml(layered.symbol(ref, step=ref.step))))
    assert weight.tag == "msubsup" and _text(list(weight)[2]) == "(2)+"


@pytest.mark.parametrize(
    ("name", "latex"),
    [
        ("delta_o1", r"\delta_{o_{1}}"),
        ("dE/dW5", r"\frac{\partial E}{\partial W_{5}}"),
        ("W5+", "W^{+}_{5}"),
        ("E_total", r"E_{\mathrm{total}}"),
        ("z1", "z_{1}"),
        ("dE/dh1 via z3", r"\frac{\partial E_{o_{1}}}{\partial h_{1}}"),  # as the notes write it
    ],
)
def test_names_in_latex(seed, name: str, latex: str) -> None:
    assert math_latex(seed.symbol(seed.ref(name))) == latex


def test_layered_names_in_latex(layered) -> None:
    assert math_latex(layered.symbol(layered.ref("W(2)_11"), step=1)) == "W^{(2)}_{11}"
    assert math_latex(layered.symbol(layered.ref("delta(2)_3[8]"))) == r"\delta^{(2)}_{3}[8]"


def _names_in(page: str) -> list[ET.Element]:
    """Every <math> element of a page, parsed."""
    return [ET.fromstring(m) for m in re.findall(r"<math\b.*?</math>", page, flags=re.S)]


@pytest.mark.parametrize("name", ["seed-222", "softmax-classification", "chain-rule", "xor-deep"])
def test_no_plain_name_is_left_in_the_html(name: str) -> None:
    """Every letter of the page's math is one letter (or a function, or a subscript word), every
    number a number: no `δ_o1`, `W(2)_11`, `∂E/∂W5` or `W5⁺` set as one upright string."""
    page = render_solution(backviz.solve(EXERCISES / f"{name}.toml"), "html")
    maths = _names_in(page)
    assert maths
    for math in maths:
        for mi in math.iter("mi"):
            text = mi.text or ""
            assert not re.search(r"[_()/⁺+\[\]@]|\d", text), f"{text!r} set as one string"
            assert len(text) == 1 or text in _FUNCTIONS or text.isalpha(), text
        for mn in math.iter("mn"):
            assert re.fullmatch(r"[\d.,e+−-]+", mn.text or ""), mn.text


def test_seed_222_html_sets_the_notes_names() -> None:
    page = render_solution(backviz.solve(EXERCISES / "seed-222.toml"), "html")
    assert "<msub><mi>δ</mi><msub><mi>o</mi><mn>1</mn></msub></msub>" in page
    w1_x1 = "<msub><mi>W</mi><mn>1</mn></msub><mo>\u2062</mo><msub><mi>x</mi><mn>1</mn></msub>"
    assert w1_x1 in page  # W₁x₁, side by side
    assert "<mfrac>" in page
    assert re.search(r"<msubsup><mi>W</mi><mn>5</mn><mo[^>]*>\+</mo></msubsup>", page)  # W₅⁺
    # the given numbers are math too, with the body's minus sign
    given = re.search(r'<p class="given">.*?</p>', page).group(0)
    assert "<math><msub><mi>x</mi><mn>1</mn></msub><mo>=</mo><mn>0.1</mn></math>" in given


def test_given_negative_numbers_use_the_minus_sign() -> None:
    page = render_solution(backviz.solve(EXERCISES / "chain-rule.toml"), "html")
    given = re.search(r'<p class="given">.*?</p>', page).group(0)
    assert "<mo>−</mo><mn>2</mn>" in given and "-2" not in given
    text = render_solution(backviz.solve(EXERCISES / "chain-rule.toml"), "text")
    assert "w = −2" in text


def test_markdown_math_is_typeset(seed) -> None:
    markdown = render_solution(seed, "md")
    spans = re.findall(r"\$([^$]+)\$", markdown)
    assert spans
    for span in spans:
        # LaTeX commands, not Unicode stand-ins or plain names: \delta_{o_{1}}, not δ_o1
        assert span.isascii(), span
        assert not re.search(r"[A-Za-z]\d|[a-z]_[a-z]\d|\(\d\)_", span), span
    delta = r"- $\delta_{o_{1}} = \frac{\partial E}{\partial o_{1}} \frac{\partial o_{1}}"
    assert delta in markdown
    assert r"$W^{+}_{5} = W_{5} - \eta \frac{\partial E}{\partial W_{5}}" in markdown
    assert "inputs: $x_{1} = 0.1$, $x_{2} = 0.2$" in markdown


def test_a_big_network_in_matrix_form_is_typeset() -> None:
    """Too big to write out, a network is summarised layer by layer in matrix form: the
    matrices typeset as the names are, W⁽ˡ⁾ᵀ with its layer and its T above, ⊙ between
    vectors, ‖δ⁽ˡ⁾‖; the text format keeps its one-line form."""
    trace = backviz.solve(EXERCISES / "xor-deep.toml")
    markdown = render_solution(trace, "md")
    shape = r"W^{(2)} \in \mathbb{R}^{10 \times 2}"
    assert rf"- $z^{{(2)}} = a^{{(1)}} W^{{(2)\mathsf{{T}}}} + b^{{(2)}},\quad {shape}$" in markdown
    assert (
        r"\delta^{(5)} = \frac{\partial E}{\partial a^{(5)}} \odot f'\left(z^{(5)}\right)"
        in markdown
    )
    assert r"- $W^{(5)+} = W^{(5)} - \eta \frac{\partial E}{\partial W^{(5)}}$" in markdown
    text = render_solution(trace, "text")
    assert "z(2) = a(1)·W(2)ᵀ + b(2)   W(2): 10×2" in text
    assert "δ(3) = (δ(4)·W(4)) ⊙ f′(z(3))" in text


def test_latex_given_is_math() -> None:
    latex = render_solution(backviz.solve(EXERCISES / "chain-rule.toml"), "latex")
    assert r"\mbox{$w = -2$}, \mbox{$x = 5$}, \mbox{$b = 3$}" in latex


# -- in Chromium: no equation wider than its column ------------------------------------------

# Each <math> element's content against the column it sits in (the equation's block, or the
# paragraph of given numbers), which must not scroll either; and the page against the window.
_MEASURE = """() => {
  const out = [];
  for (const m of document.querySelectorAll('math')) {
    const box = m.closest('.eq, p, li, td') || document.body;
    // a block <math> is as wide as its column: its content is what may run past it
    const r = (m.firstElementChild || m).getBoundingClientRect();
    const c = box.getBoundingClientRect();
    const style = getComputedStyle(box);
    const left = c.left + parseFloat(style.paddingLeft) - parseFloat(style.textIndent || 0);
    const right = c.right - parseFloat(style.paddingRight);
    if (r.right > right + 0.5 || r.left < c.left - 0.5 || box.scrollWidth > box.clientWidth + 1)
      out.push([m.textContent.slice(0, 60), Math.round(r.width), Math.round(right - left)]);
  }
  return {wide: out, page: document.documentElement.scrollWidth,
          window: document.documentElement.clientWidth};
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("./run setup installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("exercise", WIDE, ids=lambda p: p.stem)
def test_every_equation_fits_its_column_in_chromium(browser, tmp_path, exercise: Path, lang: str):
    path = tmp_path / f"{exercise.stem}.html"
    trace = backviz.solve(exercise)
    path.write_text(render_solution(trace, "html", lang=lang), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(path.as_uri())
        measured = page.evaluate(_MEASURE)
    finally:
        page.close()
    assert measured["wide"] == [], f"wider than their column: {measured['wide'][:5]}"
    assert measured["page"] <= measured["window"]


def test_markdown_breaks_a_long_equation_as_latex_does() -> None:
    """Inline math never wraps: on GitHub a 4-8-8-3's sums would run past the column. So a
    document with an equation too long for a line has every equation in `$$` display, the long
    ones broken between the same terms as the LaTeX solution's align* rows; a document whose
    equations all fit (seed-222) keeps one line per equation, as a list."""
    trace = backviz.solve(EXERCISES / "iris-4883.toml")
    markdown = render_solution(trace, "md")
    latex = render_solution(trace, "latex")
    assert "\n- $" not in markdown
    blocks = re.findall(r"\$\$\n\\begin\{aligned\}\n(.*?)\n\\end\{aligned\}\n\$\$", markdown, re.S)
    aligns = re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", latex, re.S)
    broken = [b for b in blocks if b.count("\\\\\n") >= 2]
    assert broken and all(b in aligns for b in broken)
    z = r"z^{(2)}_{1} &= W^{(2)}_{11} x_{1} + W^{(2)}_{12} x_{2} + W^{(2)}_{13} x_{3}"
    assert any(b.startswith(z) for b in broken)
    short = r"a^{(2)}_{1} &= \tanh\left(z^{(2)}_{1}\right) = \tanh\left(0.54270000\right) = "
    assert any(b.startswith(short) and "\\\\" not in b for b in blocks)  # one row: it fits
    seed = render_solution(backviz.solve(EXERCISES / "seed-222.toml"), "md")
    assert "$$" not in seed and seed.count("\n- $") > 40


def test_a_sum_over_an_index_in_every_format() -> None:
    """A note's Σ_k t_k·a_k: ∑ with its index below, the body after it, the index letter k
    italic as the subscripts' k (a single index letter, not an upright word)."""
    t_k, a_k = (symbol_of(Name(letter, subscript="k")) for letter in "ta")
    total = Neg(Sigma("k", mul(t_k, a_k)))
    assert math_text(total) == "−Σ_k t_k·a_k"
    assert math_latex(total) == r"-\sum_{k} t_{k} a_{k}"
    mathml = math_mathml(total)
    assert '<munder><mo movablelimits="true">∑</mo><mi>k</mi></munder>' in mathml
    assert '<msub><mi>t</mi><mi mathvariant="italic">k</mi></msub>' in mathml
    with pytest.raises(ValueError, match="no sum over an index"):
        PythonPrinter({}).doprint(total)  # a note's sum is never evaluated


def test_the_softmax_note_is_typeset() -> None:
    md = render_solution(backviz.solve(EXERCISES / "softmax-classification-textbook.toml"), "md")
    note = next(line for line in md.splitlines() if line.startswith("Softmax with"))
    assert r"so by the chain rule $\delta_{j} = \sum_{k} \frac{\partial E}{\partial a_{k}}" in note
    assert r"the sum is $-\sum_{k} t_{k} = -1$ (the targets add up to 1)" in note
