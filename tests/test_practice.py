"""`backviz walkthrough --practice`: the page asks each value before showing it and answers with
`backviz grade`'s verdicts and marks (typed into the page, or given through backvizPage.answer),
in English and Korean, offline and without console errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import backviz
from backviz.cli import main
from tests.conftest import EXERCISES

SEED = EXERCISES / "seed-222.toml"


def right(decimals: int) -> dict[str, str]:
    trace = backviz.solve(SEED)
    template = CliRunner().invoke(main, ["template", str(SEED)]).output
    names = [line.split(",")[0] for line in template.splitlines()[6:] if line]
    return {name: f"{trace.value(trace.ref(name)):.{decimals}f}" for name in names}


SHEETS = {
    "right-4": right(4),
    "coarse-2": right(2),
    "slipped": {**right(8), "h1": "0.62998934", "z3": "0.49"},
    "mistakes": {**right(8), "W5+": "0.46296143", "dE/dW1": "0.00", "W1+": "0.3"},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("sheets")
    for student, answers in SHEETS.items():
        rows = "".join(f"{n},{t}\n" for n, t in answers.items())
        (folder / f"{student}.csv").write_text(f"quantity,value\nstudent,{student}\n{rows}")
    out = folder / "out"
    result = CliRunner().invoke(main, ["grade", str(SEED), str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        return {
            (r["student"], r["quantity"]): (r["verdict"], float(r["marks"]))
            for r in csv.DictReader(stream)
        }


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def open_page(browser, tmp_path: Path, lang: str):
    page_file = tmp_path / f"practice-{lang}.html"
    result = CliRunner().invoke(
        main, ["walkthrough", str(SEED), "--practice", "--lang", lang, "-o", str(page_file)]
    )
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith("file:") else None)
    page.goto(page_file.as_uri())
    return page, problems


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_answers_given_to_the_page_get_the_graders_verdicts(browser, graded, tmp_path, lang):
    page, problems = open_page(browser, tmp_path, lang)
    for student, answers in SHEETS.items():
        page.reload()
        for name, text in answers.items():
            page.evaluate("([n, t]) => backvizPage.answer(n, t)", [name, text])
        verdicts = page.evaluate("backvizPage.verdicts()")
        for name in answers:
            assert (verdicts[name]["verdict"], verdicts[name]["marks"]) == graded[(student, name)]
        total = sum(marks for (s, _), (_, marks) in graded.items() if s == student)
        assert page.evaluate("backvizPage.score()")["marks"] == pytest.approx(total)
    assert not problems


def test_a_value_is_hidden_until_answered_typed_or_shown(browser, graded, tmp_path):
    page, problems = open_page(browser, tmp_path, "en")
    value_part = "#formula .part:has(.term.now.number)"
    assert page.locator(value_part).evaluate("e => getComputedStyle(e).visibility") == "hidden"
    assert not page.locator("#diagram text[data-q='z1'] .v").is_visible()
    page.fill("#practice-input", "0.0800")
    page.click("#practice-check")
    assert page.locator("#practice-verdict").inner_text() == "correct"
    assert page.locator(value_part).evaluate("e => getComputedStyle(e).visibility") == "visible"
    assert page.locator("#diagram text[data-q='z1'] .v").is_visible()
    page.click("#next")
    assert page.locator("#practice-name").inner_text() == "h1"
    page.click("#practice-show")
    assert page.locator(value_part).evaluate("e => getComputedStyle(e).visibility") == "visible"
    page.evaluate("backvizPage.step('z3')")
    page.fill("#practice-input", "0.49")
    page.press("#practice-input", "Enter")
    assert page.locator("#practice-verdict").inner_text().startswith("wrong")
    assert "1 / 39" in page.locator("#practice-score").inner_text()
    assert not problems


def test_practice_mode_needs_an_answer_sheet(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "walkthrough",
            str(EXERCISES / "chain-rule.toml"),
            "--practice",
            "-o",
            str(tmp_path / "p"),
        ],
    )
    assert result.exit_code == 2 and "practice mode needs" in result.output
