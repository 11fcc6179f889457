"""The walkthrough's program recomputes every number after an edit exactly as `backviz solve`
computes the exercise edited the same way (a weight, an input, a target, the learning rate)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import backviz
from backviz.render.diagram_numbers import diagram_given, diagram_number
from backviz.render.program import PROGRAM_RUNNER, trace_program
from tests.conftest import EXERCISES

EDITS = {  # exercise: (TOML text replaced, by, given name, value, setting η or None)
    "seed-222": ("[[0.30, 0.25]", "[[0.35, 0.25]", "W1", 0.35, 0.25),
    "nn-221-regression": (None, None, None, None, 0.01),
    "xor-221": (None, None, None, None, None),
    "softmax-classification-textbook": (None, None, None, None, 0.3),
}


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_content(f"<script>{PROGRAM_RUNNER}\nwindow.run = runProgram;</script>")
        yield page
        browser.close()


def edited_toml(text: str, old: str | None, new: str | None, rate: float | None) -> str:
    if old is not None:
        assert old in text
        text = text.replace(old, new, 1)
    if rate is not None:
        text, count = re.subn(r"(?m)^learning_rate = .*$", f"learning_rate = {rate}", text)
        assert count == 1
    return text


def close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edited_number_recomputes_as_solve_does(name: str, page) -> None:
    path = EXERCISES / f"{name}.toml"
    old, new, given_name, value, rate = EDITS[name]
    trace = backviz.solve(path)
    program = trace_program(trace)
    given = {}
    if given_name is None:  # edit the first input instead: x_1 of sample 1
        first = next(iter(program["given"]))
        given_name, value = first, program["given"][first] + 0.25
        text = path.read_text(encoding="utf-8")
        inputs = re.search(r"(?m)^inputs\s*=\s*\[\[\s*([-0-9.e]+)", text)
        assert inputs is not None
        old = inputs.group(0)
        new = old[: inputs.start(1) - inputs.start(0)] + repr(value)
    given[given_name] = value
    settings = {"η": rate} if rate is not None else {}
    got = page.evaluate("([p, g, s]) => run(p, g, s)", [program, given, settings])
    text = edited_toml(path.read_text(encoding="utf-8"), old, new, rate)
    expected = dict(backviz.trace_of(backviz.loads(text)).items())
    assert set(got) == set(expected)
    wrong = [(n, got[n], expected[n]) for n in expected if not close(got[n], expected[n])]
    assert not wrong, wrong[:3]
    unchanged = dict(trace.items())
    assert any(not close(expected[n], unchanged[n]) for n in expected)  # the edit mattered


def test_the_program_lists_every_quantity_once_in_computing_order() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    program = trace_program(trace)
    names = [*program["given"], *(step[0] for step in program["steps"])]
    assert sorted(names) == sorted(name for name, _ in trace.items())
    seen = set(program["given"])
    for name, inputs, _ in program["steps"]:
        assert set(inputs) <= seen, name  # every input computed before it
        seen.add(name)
    assert program["settings"] == {"η": 0.5}


def test_the_walkthrough_recomputes_an_edit_and_saves_the_exercise(tmp_path: Path, page) -> None:
    """Edit W1 and η on the page: every value it shows is `backviz solve` of the exercise with
    those numbers changed, the diagram and the equation show the new numbers, and the saved
    TOML loads to that same exercise."""
    from click.testing import CliRunner

    from backviz.cli import main

    path = EXERCISES / "seed-222.toml"
    page_file = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["walkthrough", str(path), "-o", str(page_file)])
    assert result.exit_code == 0, result.output
    text = edited_toml(path.read_text(encoding="utf-8"), "[[0.30, 0.25]", "[[0.35, 0.25]", 0.25)
    expected = dict(backviz.trace_of(backviz.loads(text)).items())
    tab = page.context.browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(page_file.as_uri())
    tab.click("#edit summary")
    tab.fill("#edit input[data-name='W1']", "0.35")
    tab.dispatch_event("#edit input[data-name='W1']", "change")
    tab.evaluate("backvizPage.set('η', 0.25)")
    tab.evaluate("backvizPage.step('z1')")
    names = tab.evaluate("backvizPage.names()")
    shown = {n: tab.evaluate("(n) => backvizPage.value(n)", n) for n in names}
    z1_text = tab.locator("#diagram text[data-q='z1'] .v").text_content()
    drawn = tab.evaluate(
        "[...document.querySelectorAll('#diagram text[data-q]')]"
        ".map(t => [t.dataset.q, t.querySelector('.v').textContent])"
    )
    equation = tab.locator("#formula").inner_text()
    # the numbers are rewritten, the symbols' subscripts (W₁'s 1, an <mn> too) are not
    indices = tab.evaluate(
        "[...document.querySelectorAll('#formula .term:not(.number) mn')].map(m => m.textContent)"
    )
    saved = tab.evaluate("backvizPage.exerciseToml()")
    tab.close()
    assert not errors
    wrong = [(n, shown[n], expected[n]) for n in names if not close(shown[n], expected[n])]
    assert not wrong, wrong[:3]
    assert z1_text == "0.08500000" and "0.35" in equation and "0.08500000" in equation
    assert indices and set(indices) <= {"1", "2"}, indices  # z₁ = W₁x₁ + W₂x₂
    # the page rewrites the diagram's numbers as the drawing writes them (diagram_numbers.py)
    edited = backviz.trace_of(backviz.loads(text))
    for name, written in drawn:
        ref = edited.ref(name)
        value = edited.value(ref)
        given = edited.formula(ref) is None
        assert written == (diagram_given(value) if given else diagram_number(value, 8)), name
    assert dict(backviz.trace_of(backviz.loads(saved)).items()) == pytest.approx(expected)


def test_the_walkthrough_writes_an_edited_diagram_as_the_drawing_does(tmp_path: Path, page) -> None:
    """After an edit that makes numbers negative and tiny, every value text of the diagram is
    what `diagram_numbers` writes: the true minus, fixed decimals, no e-notation."""
    from click.testing import CliRunner

    from backviz.cli import main

    path = EXERCISES / "seed-222.toml"
    page_file = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["walkthrough", str(path), "-o", str(page_file)])
    assert result.exit_code == 0, result.output
    # W5 = −40 saturates o1: ∂o1/∂z3 and what it multiplies become tiny, some negative
    text = edited_toml(path.read_text(encoding="utf-8"), "[[0.45, 0.40]", "[[-40, 0.40]", None)
    edited = backviz.trace_of(backviz.loads(text))
    tab = page.context.browser.new_page()
    tab.goto(page_file.as_uri())
    tab.click("#edit summary")
    tab.fill("#edit input[data-name='W5']", "-40")
    tab.dispatch_event("#edit input[data-name='W5']", "change")
    drawn = tab.evaluate(
        "[...document.querySelectorAll('#diagram text[data-q]')]"
        ".map(t => [t.dataset.q, t.querySelector('.v').textContent])"
    )
    tab.close()
    texts = [w for _, w in drawn]
    assert any(w.startswith("−") for w in texts)
    assert any(re.fullmatch(r"−\d\.\d×10⁻[¹⁰]+", w) for w in texts), texts  # δ_o1: −4.6×10⁻¹⁰
    for name, written in drawn:
        ref = edited.ref(name)
        value = edited.value(ref)
        given = edited.formula(ref) is None
        assert written == (diagram_given(value) if given else diagram_number(value, 8)), name
