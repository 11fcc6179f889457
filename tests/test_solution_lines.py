"""The lines students trip on, in every format of the worked solution and in both languages:
a batch's own lines (E, ∂E/∂W) under a heading of their own, not under the last sample's;
softmax with cross-entropy bridged from the ∂E/∂a lines to δ = a − t; a saturated binary
cross-entropy shown as torch computes it (log clamped at −100, o(1 − o) floored), never a
division by zero; the exercise's description under the title, escaped for each format.

Expected numbers come from torch.autograd in float64, computed here."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
import torch
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

import backviz
from backviz.core.mathexpr import Add, Call, Expr, Frac, Mul, Neg, Paren, Pow
from backviz.core.notation import format_number
from backviz.core.quantities import Kind
from backviz.render import render_solution
from backviz.render.solution import worked_solution
from backviz.render.words import phrase, word
from tests.conftest import EXERCISES
from tests.test_display import evaluate, symbols_in

FORMATS = ("text", "md", "latex", "html")
LANGS = ("en", "ko")

# Two samples through the notes' 2-2-1 (no biases), mean over the batch.
TWO_SAMPLES = """
id = "two-samples"
[network]
sizes = [2, 2, 1]
activation = "sigmoid"
bias = false
loss = "half_sse"
[parameters]
W = [ [[0.3, 0.25], [0.4, 0.35]], [[0.45, 0.4]] ]
[data]
inputs = [[0.1, 0.2], [0.5, 0.6]]
targets = [[0.4], [0.6]]
[training]
learning_rate = 0.5
steps = 1
"""


def torch_two_samples() -> dict[str, float]:
    x = torch.tensor([[0.1, 0.2], [0.5, 0.6]], dtype=torch.float64)
    t = torch.tensor([[0.4], [0.6]], dtype=torch.float64)
    W2 = torch.tensor([[0.3, 0.25], [0.4, 0.35]], dtype=torch.float64, requires_grad=True)
    W3 = torch.tensor([[0.45, 0.4]], dtype=torch.float64, requires_grad=True)
    o = torch.sigmoid(torch.sigmoid(x @ W2.T) @ W3.T)
    E = (0.5 * (t - o) ** 2).sum(dim=1).mean()
    E.backward()
    assert W2.grad is not None and W3.grad is not None
    return {"E": E.item(), "dE/dW(3)_11": W3.grad[0, 0].item(), "dE/dW(2)_12": W2.grad[0, 1].item()}


def headings(text: str, fmt: str) -> list[tuple[int, str]]:
    """(position, text) of every heading of a rendered solution."""
    if fmt == "text":
        found = re.finditer(r"^(.+)\n[=\-·]+$", text, re.MULTILINE)
    elif fmt == "md":
        found = re.finditer(r"^#+ (.+)$", text, re.MULTILINE)
    elif fmt == "latex":
        found = re.finditer(r"\\(?:sub)*section\*\{(.+?)\}", text)
    else:
        found = re.finditer(r"<h[1-6]>(.+?)</h[1-6]>", text)
    return [(m.start(), m.group(1)) for m in found]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_batch_lines_stand_under_their_own_heading(fmt: str, lang: str) -> None:
    """E and every ∂E/∂W read both samples: the heading just above them is the whole batch's,
    never "Sample 2"'s."""
    text = render_solution(backviz.trace_of(backviz.loads(TWO_SAMPLES)), fmt, lang=lang)
    marks = headings(text, fmt)
    batch, sample_2 = word("batch", lang), word("sample", lang, n=2)
    for name, value in torch_two_samples().items():
        at = text.index(format_number(value, 8))  # first written on its own line
        above = [heading for position, heading in marks if position < at][-1]
        assert above == batch, (name, above)
    assert sum(heading == sample_2 for _, heading in marks) >= 2  # forward, loss, backward …


def test_every_line_of_a_batch_is_under_a_sample_or_the_batch() -> None:
    """In the solution's structure: after a sample's heading, a line of no sample (E, ∂E/∂W,
    ∂E/∂b) always has the batch's heading between them."""
    trace = backviz.trace_of(backviz.loads(TWO_SAMPLES))
    document = worked_solution(trace)
    under = None
    checked = 0
    for block in document.blocks:
        if hasattr(block, "level"):
            under = block.text  # type: ignore[union-attr]
        elif hasattr(block, "forms"):
            ref = trace.ref(block.name)  # type: ignore[union-attr]
            if ref.sample is None and under and under.startswith("Sample"):
                pytest.fail(f"{block.name} under {under}")  # type: ignore[union-attr]
            checked += ref.sample is None
    assert checked >= 8  # E, E⁺, 6 ∂E/∂W (the updates stand in their own sections)


# -- softmax with cross-entropy: from ∂E/∂a to δ = a − t ------------------------------------
SOFTMAX = """
id = "softmax-hidden"
[network]
sizes = [2, 3, 3]
activation = ["sigmoid", "softmax"]
bias = true
loss = "ce"
[parameters]
W = [ [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]],
      [[0.2, -0.1, 0.4], [0.5, 0.3, -0.2], [-0.3, 0.1, 0.6]] ]
b = [ [0.1, 0.0, -0.1], [0.0, 0.2, -0.2] ]
[data]
inputs = [[0.5, -1.0], [1.5, 0.2]]
targets = [1, 0]
[training]
learning_rate = 0.5
steps = 1
"""


def torch_softmax() -> tuple[torch.Tensor, torch.Tensor]:
    """∂E[n]/∂a(3) and δ(3) = ∂E[n]/∂z(3) per sample (torch's batch mean times N)."""
    x = torch.tensor([[0.5, -1.0], [1.5, 0.2]], dtype=torch.float64)
    W2 = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]], dtype=torch.float64)
    b2 = torch.tensor([0.1, 0.0, -0.1], dtype=torch.float64)
    W3 = torch.tensor([[0.2, -0.1, 0.4], [0.5, 0.3, -0.2], [-0.3, 0.1, 0.6]], dtype=torch.float64)
    b3 = torch.tensor([0.0, 0.2, -0.2], dtype=torch.float64)
    z3 = torch.sigmoid(x @ W2.T + b2) @ W3.T + b3
    z3.requires_grad_(True)
    a3 = torch.softmax(z3, dim=1)
    a3.retain_grad()
    E = -torch.log(a3[torch.arange(2), torch.tensor([1, 0])]).mean()
    E.backward()
    assert a3.grad is not None and z3.grad is not None
    return 2 * a3.grad, 2 * z3.grad


def test_softmax_cross_entropy_delta_is_reached_from_the_dE_da_lines() -> None:
    """δ(3)_j[n] is written first as the chain rule through softmax over the ∂E/∂a lines just
    above it (every ∂E/∂a(3)_k[n] and a(3)_k[n] named), its numbers giving torch's δ, and only
    then as a_j − t_j."""
    trace = backviz.trace_of(backviz.loads(SOFTMAX))
    dE_da, delta = torch_softmax()
    by_name = {eq.name: eq for eq in worked_solution(trace).equations()}
    checked = 0
    for ref in trace.refs():
        if ref.kind is Kind.DE_DA and ref.layer == 3 and not ref.after:
            assert math.isclose(trace.value(ref), float(dE_da[ref.sample - 1, ref.index[0] - 1]))
        if ref.kind is not Kind.DELTA or ref.layer != 3 or ref.after:
            continue
        eq = by_name[trace.name(ref)]
        n, j = ref.sample - 1, ref.index[0] - 1
        expected = float(delta[n, j])
        jacobian_symbols, jacobian_numbers, *rest = eq.forms
        read = {s.text for s in symbols_in(jacobian_symbols)}
        for k in (1, 2, 3):
            for kind in (Kind.DE_DA, Kind.A):
                other = next(
                    r
                    for r in trace.refs()
                    if r.kind is kind
                    and r.layer == 3
                    and r.index == (k,)
                    and r.sample == ref.sample
                )
                assert trace.symbol(other, step=1).text in read
        assert math.isclose(evaluate(jacobian_numbers), expected, rel_tol=1e-12, abs_tol=1e-15)
        assert [s.text for s in symbols_in(rest[0])] == [
            trace.symbol(r, step=1).text for r in trace.inputs(ref)
        ]  # a_j − t_j
        assert math.isclose(eq.value, expected, rel_tol=1e-12, abs_tol=1e-15)
        checked += 1
    assert checked == 6


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_softmax_cross_entropy_says_why_delta_is_a_minus_t(fmt: str, lang: str) -> None:
    """One line of why, under the output layer's backward heading, before the first δ."""
    text = render_solution(backviz.trace_of(backviz.loads(SOFTMAX)), fmt, lang=lang)
    heading = word("backward_output", lang, l=3)
    at_heading = text.index(heading)
    # its words up to the first symbol (every format sets the symbols its own way)
    at_why = text.index(phrase("why_softmax_ce", lang).split("{")[0])
    assert "the chain rule" in text or "연쇄 법칙" in text
    # the first number of the section: sample 1's ∂E/∂a(3)_1 line reads a(3)_1
    first_line = text.index(format_number(float(torch_softmax()[1][0, 0]), 8), at_heading)
    assert at_heading < at_why < first_line


# -- a saturated binary cross-entropy -----------------------------------------------------
def torch_saturated() -> dict[str, list[float]]:
    """bce-saturated.toml in torch: x·W + b = 40 and 80, o = σ(z) = 1.0 exactly."""
    x = torch.tensor([[1.0, 1.0], [2.0, 2.0]], dtype=torch.float64)
    t = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    W = torch.tensor([[20.0, 20.0]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
    z = x @ W.T + b
    z.retain_grad()
    o = torch.sigmoid(z)
    o.retain_grad()
    per_sample = torch.nn.functional.binary_cross_entropy(o, t, reduction="none")[:, 0]
    E = per_sample.mean()
    E.backward()
    assert o.grad is not None and z.grad is not None and W.grad is not None
    return {
        "o": o[:, 0].tolist(),
        "E[n]": per_sample.tolist(),
        "dE/do[n]": (2 * o.grad[:, 0]).tolist(),
        "delta[n]": (2 * z.grad[:, 0]).tolist(),
        "dE/dW": W.grad[0].tolist(),
    }


def test_saturated_bce_matches_torch() -> None:
    """torch: o = 1.0; E[1] = 100 (log 0 clamped at −100), E[2] = 0; ∂E/∂o = 1/float32(1e-12)
    for the wrong sample and 0 for the right one; δ = 0 for both, and so every gradient."""
    reference = torch_saturated()
    assert reference["o"] == [1.0, 1.0]
    assert reference["E[n]"] == [100.0, 0.0]
    assert reference["dE/do[n]"] == pytest.approx([1e12, 0.0], rel=1e-8)
    assert reference["delta[n]"] == [0.0, 0.0] and reference["dE/dW"] == [0.0, 0.0]
    trace = backviz.solve(EXERCISES / "bce-saturated.toml")
    for n in (1, 2):
        assert trace.value(trace.ref(f"E[{n}]")) == reference["E[n]"][n - 1]
        shown = trace.value(trace.ref(f"dE/da(2)_1[{n}]"))
        assert shown == pytest.approx(reference["dE/do[n]"][n - 1], rel=1e-15)
        assert trace.value(trace.ref(f"delta(2)_1[{n}]")) == reference["delta[n]"][n - 1]


def _logs_and_denominators(expr: Expr, clamped: bool = False) -> list[tuple[str, Expr, bool]]:
    """Every log's argument (and whether torch's max(log …, −100) holds that log) and every
    denominator of a form."""
    match expr:
        case Call(function="log", args=(arg,)):
            return [("log", arg, clamped), *_logs_and_denominators(arg)]
        case Call(function=function, args=args):
            return [x for a in args for x in _logs_and_denominators(a, function == "max")]
        case Frac(numerator=a, denominator=b):
            found = [("denominator", b, False)]
            return found + _logs_and_denominators(a) + _logs_and_denominators(b)
        case Add(terms=parts) | Mul(factors=parts):
            return [x for p in parts for x in _logs_and_denominators(p)]
        case Neg(operand=inner) | Paren(inner=inner):
            return _logs_and_denominators(inner)
        case Pow(base=a, exponent=b):
            return _logs_and_denominators(a) + _logs_and_denominators(b)
    return []


def test_saturated_bce_forms_clamp_log_0_and_never_divide_by_0() -> None:
    """Every numbers form of the saturated exercise: log of 0 only inside torch's clamp
    max(log 0, −100), and no denominator that is 0."""
    trace = backviz.solve(EXERCISES / "bce-saturated.toml")
    clamped = 0
    for eq in worked_solution(trace).equations():
        numbers = [form for form in eq.forms if not symbols_in(form)]
        for form in numbers:
            for what, part, in_max in _logs_and_denominators(form):
                value = evaluate(part)
                if what == "log" and value == 0:
                    assert in_max, eq.name
                    clamped += 1
                if what == "denominator":
                    assert value != 0, eq.name
    assert clamped == 4  # E_1[1], E_1[2] and the two after the update


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_saturated_bce_says_what_torch_does(fmt: str, lang: str) -> None:
    """The loss section says torch clamps log at −100 and floors o(1 − o); the backward pass
    that δ is 0; the clamp and the floor are written in the lines themselves."""
    text = render_solution(backviz.solve(EXERCISES / "bce-saturated.toml"), fmt, lang=lang)
    plain = text.replace("\\", "").replace("$", "")
    assert "BCELoss" in plain and "100" in plain
    assert "9.99999996" in text  # torch's floor of o(1 − o), a float32 1e-12
    assert "max" in text
    lines = [line for line in text.splitlines() if "E_1[1] =" in line or "E_{1}[1] =" in line]
    if fmt == "text":
        assert lines and "max(log(1 − 1.00000000), −100)" in lines[0]
        assert "/ max(1.00000000 × (1 − 1.00000000), 9.99999996e−13)" in text


# -- the description ---------------------------------------------------------------------------
DESCRIPTION = r"Compute *z* & a_1 for <b>x</b> at 50 % cost: $5 {not} #1 ~ ^ \ [link](u) 10⁻³"
KO_DESCRIPTION = "주어진 값으로 *z*를 계산한다 <b>굵게</b> & 50 %"
DESCRIBED = f"""
id = "described"
title = {{ en = "Described", ko = "설명" }}
description = {{ en = '''{DESCRIPTION}

- second paragraph, not a list''', ko = '''{KO_DESCRIPTION}''' }}
[network]
sizes = [1, 1]
activation = "sigmoid"
bias = false
loss = "half_sse"
[parameters]
W = [ [[0.5]] ]
[data]
inputs = [[1.0]]
targets = [[0.2]]
[training]
learning_rate = 0.5
steps = 1
"""


class _Paragraphs(HTMLParser):
    """The text of each <p> (and of the <h1>) of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "h1", "h3"):
            self.open = tag
            self.found.append((tag, ""))

    def handle_endtag(self, tag):
        if tag == self.open:
            self.open = None

    def handle_data(self, data):
        if self.open:
            tag, text = self.found[-1]
            self.found[-1] = (tag, text + data)


def _html_texts(html: str) -> list[tuple[str, str]]:
    parser = _Paragraphs()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(("lang", "expected"), [("en", DESCRIPTION), ("ko", KO_DESCRIPTION)])
def test_description_under_the_title_as_written(lang: str, expected: str) -> None:
    """Text, HTML and Markdown (as rendered) show the description exactly as written,
    right under the title; a line starting with "-" stays a sentence, not a list."""
    trace = backviz.trace_of(backviz.loads(DESCRIBED))
    title = "Described" if lang == "en" else "설명"
    text = render_solution(trace, "text", lang=lang)
    first, rule, description = text.splitlines()[:3]
    assert (first, set(rule), description) == (title, {"="}, expected)

    page = _html_texts(render_solution(trace, "html", lang=lang))
    h1 = next(i for i, (tag, _) in enumerate(page) if tag == "h1")
    assert page[h1 + 1] == ("p", expected)

    markdown = render_solution(trace, "md", lang=lang)
    rendered = MarkdownIt("commonmark").use(dollarmath_plugin).render(markdown)
    top = rendered.split("<h2>")[0]  # the title, the description and the network's line
    assert "<ul>" not in top and "<em>" not in top and "<a " not in top and "math" not in top
    shown = _html_texts(rendered)
    h1 = next(i for i, (tag, _) in enumerate(shown) if tag == "h1")
    assert shown[h1 + 1] == ("p", expected)
    if lang == "en":
        assert shown[h1 + 2] == ("p", "- second paragraph, not a list")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by ./run setup")
@pytest.mark.parametrize("lang", LANGS)
def test_description_in_latex_compiles_and_reads_as_written(tmp_path, lang: str) -> None:
    trace = backviz.trace_of(backviz.loads(DESCRIBED))
    (tmp_path / "s.tex").write_text(render_solution(trace, "latex", lang=lang), encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    words = subprocess.run(
        ["pdftotext", "-layout", "s.pdf", "-"], cwd=tmp_path, capture_output=True, text=True
    ).stdout
    # OT1's underscore is a rule pdftotext reads as a space
    flat = " ".join(words.split()).replace("a 1 for", "a_1 for")
    if lang == "en":
        assert "Compute *z* & a_1 for <b>x</b> at 50 % cost: $5 {not} #1" in flat
        assert "[link](u)" in flat
    else:
        assert "주어진 값으로 *z*를 계산한다 <b>굵게</b> & 50 %" in flat


def test_description_on_the_walkthrough_header() -> None:
    from backviz.render.walkthrough import walkthrough_page

    page = walkthrough_page(backviz.trace_of(backviz.loads(DESCRIBED)), lang="en")
    header = page[page.index("<header>") : page.index("</header>")]
    texts = _html_texts(header)
    assert texts[0] == ("h1", "Described")
    assert texts[1] == ("p", DESCRIPTION)
    assert texts[2] == ("p", "- second paragraph, not a list")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by ./run setup")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("source", [SOFTMAX, "bce-saturated"], ids=["softmax", "bce-saturated"])
def test_the_notes_compile_in_latex(tmp_path, source: str, lang: str) -> None:
    """The lines of why (Σ, ∂, 10⁻¹², max) compile with pdflatex and read in the PDF."""
    if "[network]" in source:
        trace = backviz.trace_of(backviz.loads(source))
    else:
        trace = backviz.solve(EXERCISES / f"{source}.toml")
    (tmp_path / "s.tex").write_text(render_solution(trace, "latex", lang=lang), encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    words = subprocess.run(
        ["pdftotext", "s.pdf", "-"], cwd=tmp_path, capture_output=True, text=True
    ).stdout
    flat = " ".join(words.split())
    if source == SOFTMAX:
        assert ("by the chain rule" if lang == "en" else "연쇄 법칙으로") in flat
    else:
        assert "BCELoss" in flat and "−100" in flat and "9.99999996e-13" in flat


@pytest.mark.parametrize("lang", LANGS)
def test_walkthrough_step_list_puts_batch_lines_under_the_batch(lang: str) -> None:
    """The walkthrough's step list: E and each ∂E/∂W come after the whole batch's heading, and
    a slide of the whole batch says it is every sample's (drawn on sample 2's diagram)."""
    from backviz.render.walkthrough.page import page_data

    made = page_data(backviz.trace_of(backviz.loads(TWO_SAMPLES)), lang=lang)
    heading = None
    batch = word("batch", lang)
    for entry in made.nav:
        if entry.slide is None:
            heading = entry.text
            continue
        slide = made.data["slides"][entry.slide]
        if slide["q"] == "E" or slide["q"].startswith("dE/dW"):
            assert heading == batch, (slide["q"], heading)
            assert slide["where"] == word("all_samples", lang, n=2)  # every sample's


@pytest.mark.parametrize("name", ["softmax-classification", "bce-saturated", "xor-221"])
def test_each_sample_has_one_heading_per_section(name: str) -> None:
    """Within a section (the check after the update too: its forward pass and its loss) each
    sample's lines stand under one heading, never under a second heading of the same name."""
    document = worked_solution(backviz.solve(EXERCISES / f"{name}.toml"))
    seen: list[str] = []
    for block in document.blocks:
        if hasattr(block, "level"):
            if block.level <= 2:  # type: ignore[union-attr]
                seen = []
            else:
                assert block.text not in seen, block.text  # type: ignore[union-attr]
                seen.append(block.text)  # type: ignore[union-attr]


NEARLY_SATURATED = """
id = "nearly-saturated"
[network]
sizes = [1, 1]
activation = "sigmoid"
bias = false
loss = "bce"
[parameters]
W = [ [[-40.0]] ]
[data]
inputs = [[1.0]]
targets = [[1.0]]
[training]
learning_rate = 0.5
steps = 1
"""


def test_nearly_saturated_bce_floors_but_does_not_clamp() -> None:
    """o = σ(−40) ≈ 4.2e-18 with t = 1: log o = −40 is not clamped (E = 40), but o(1 − o) is
    under torch's floor, so ∂E/∂o = (o − 1)/float32(1e-12) and δ ≈ −4.2e-6, not o − t = −1.
    The notes say so: the floor and the sigmoid's next to nothing, and no clamp."""
    z = torch.tensor([[-40.0]], dtype=torch.float64, requires_grad=True)
    o = torch.sigmoid(z)
    o.retain_grad()
    E = torch.nn.functional.binary_cross_entropy(o, torch.tensor([[1.0]], dtype=torch.float64))
    E.backward()
    assert o.grad is not None and z.grad is not None
    trace = backviz.trace_of(backviz.loads(NEARLY_SATURATED))
    assert trace.value(trace.ref("E")) == pytest.approx(E.item(), rel=1e-15)
    assert trace.value(trace.ref("dE/da(2)_1")) == pytest.approx(o.grad.item(), rel=1e-15)
    assert trace.value(trace.ref("delta(2)_1")) == pytest.approx(z.grad.item(), rel=1e-12)
    assert -1e-5 < z.grad.item() < 0  # torch's δ: far from o − t = −1
    for lang in LANGS:
        text = render_solution(trace, "text", lang=lang)
        assert word("why_bce_clamp", lang) not in text and "max(log" not in text
        assert word("why_bce_floor", lang) in text and word("why_bce_delta", lang) in text
        assert "max(4.248354e−18 × (1 − 4.248354e−18), 9.99999996e−13)" in text


# -- the notes say only what holds for the exercise they stand in ---------------------------


def _description(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("layer sizes"))


def test_mixed_biases_are_described_layer_by_layer() -> None:
    """bias = [false, "shared"]: layer 2 has none, so "one bias per layer" would be false."""
    text = (EXERCISES / "mazur-222.toml").read_text(encoding="utf-8")
    text = text.replace('bias = "shared"', 'bias = [false, "shared"]')
    text = text.replace("b = [ 0.35, 0.60 ]", "b = [ [], 0.60 ]")
    assert 'bias = [false, "shared"]' in text and "b = [ [], 0.60 ]" in text
    trace = backviz.trace_of(backviz.loads(text, file="mixed.toml"))
    line = _description(render_solution(trace, "text"))
    assert "none in layer 2" in line and "one shared by layer 3's nodes" in line, line
    assert "one bias per layer" not in line
    korean = render_solution(trace, "text", lang="ko")
    assert "2층 없음" in korean and "3층 노드들이 함께 쓰는 하나" in korean
    whole = _description(render_solution(backviz.solve(EXERCISES / "mazur-222.toml"), "text"))
    assert "one bias per layer, shared by its nodes" in whole  # every layer alike: one phrase


def test_the_dropout_note_never_says_weights_stay_when_a_penalty_moves_them() -> None:
    """dropout-222 with λ₂ = 0.01: h2 is dropped, yet W3 (into h2) moves by the penalty's pull,
    W3⁺ = W3 − η·2λ₂·W3 = 0.4 − 0.5·0.02·0.4 = 0.396."""
    text = (EXERCISES / "dropout-222.toml").read_text(encoding="utf-8")
    text += "\n[regularization]\nl2 = 0.01\n"
    trace = backviz.trace_of(backviz.loads(text, file="dropout-l2.toml"))
    assert math.isclose(trace.value(trace.ref("W3+")), 0.4 - 0.5 * 2 * 0.01 * 0.4, rel_tol=1e-12)
    for lang in LANGS:
        solution = render_solution(trace, "text", lang=lang)
        assert "do not change" not in solution and "바뀌지 않는다" not in solution


def test_the_penalty_notes_name_only_the_exercise_s_penalties() -> None:
    """With λ₂ alone there is no λ₁ term in E, nor a sign(0) convention to state."""
    text = (EXERCISES / "seed-222-regularized.toml").read_text(encoding="utf-8")
    assert "l1 = 0.01\n" in text
    trace = backviz.trace_of(backviz.loads(text.replace("l1 = 0.01\n", ""), file="l2.toml"))
    for lang in LANGS:
        solution = render_solution(trace, "text", lang=lang)
        assert "E = E_data + λ₂·Σw²" in solution, solution
        assert "∂E/∂w = ∂E_data/∂w + 2 × λ₂ × w." in solution
        assert "λ₁" not in solution and "sign(0)" not in solution
    both = render_solution(backviz.solve(EXERCISES / "seed-222-regularized.toml"), "text")
    assert "E = E_data + λ₁·Σ|w| + λ₂·Σw²" in both and "sign(0) = 0" in both


def test_softmax_note_says_target_probabilities_when_they_are() -> None:
    """δ = a − t holds for any targets adding up to 1: a row of probabilities is no one-hot."""
    text = (EXERCISES / "softmax-classification-textbook.toml").read_text(encoding="utf-8")
    old = "targets = [2, 2, 2, 1, 1, 1, 0, 0]"
    assert old in text
    rows = ", ".join(["[0.2, 0.3, 0.5]"] * 8)
    trace = backviz.trace_of(backviz.loads(text.replace(old, f"targets = [{rows}]"), file="p"))
    solution = render_solution(trace, "text")
    assert "softmax minus the target probabilities" in solution
    assert "one-hot" not in solution
    textbook = backviz.solve(EXERCISES / "softmax-classification-textbook.toml")
    indices = render_solution(textbook, "text")
    assert "softmax minus the one-hot target" in indices
