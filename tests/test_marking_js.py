"""The page's rules of marks (grading/marking.js, applying the marking spec) give exactly
`backviz grade`'s verdicts and marks, quantity by quantity, on one shared corpus of sheets:
right values at every precision, rounded and truncated, slips, zeros, the old weight, each
catalogued mistake's number, placeholders, noise and text that is no number."""

from __future__ import annotations

import csv
import random
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

import backviz
from backviz.cli import main
from backviz.grading.verdicts import ClassGrader
from backviz.render.evaluable import JS_FUNCTIONS, compile_python
from tests.conftest import EXERCISES

CORPUS = ("seed-222", "xor-221", "nn-221-regression")


def _text(value: float, d: int, mode) -> str:
    return format(Decimal(repr(value)).quantize(Decimal(1).scaleb(-d), rounding=mode), "f")


def corpus(spec, rng: random.Random) -> dict[str, dict[str, str]]:
    """Sheets of every kind the rules tell apart, for one exercise."""
    asked = [q for q in spec.asked]
    sheets: dict[str, dict[str, str]] = {}
    for d in range(0, 9):
        for mode, tag in ((ROUND_HALF_UP, "r"), (ROUND_DOWN, "t")):
            sheets[f"right-{tag}{d}"] = {q.name: _text(q.value, d, mode) for q in asked}
    for k in range(60):
        d = rng.choice([1, 2, 3, 4, 6, 8])
        sheet = {q.name: _text(q.value, d, rng.choice([ROUND_HALF_UP, ROUND_DOWN])) for q in asked}
        for q in rng.sample(asked, rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.2:
                sheet[q.name] = "0" if rng.random() < 0.5 else _text(0.0, d, ROUND_DOWN)
            elif kind < 0.35 and q.base:
                sheet[q.name] = _text(q.base, d, ROUND_HALF_UP)
            elif kind < 0.6 and q.mistakes:
                m = rng.choice(q.mistakes)
                sheet[q.name] = _text(m.value, d, rng.choice([ROUND_HALF_UP, ROUND_DOWN]))
            elif kind < 0.75:
                sheet[q.name] = rng.choice(["", "abc", "1/2", "50%", "≈0.5", "1e-3", "−0.25"])
            else:
                sheet[q.name] = _text(
                    q.value * rng.uniform(0.5, 1.5) + rng.uniform(-0.1, 0.1), d, ROUND_HALF_UP
                )
        sheets[f"mixed-{k}"] = sheet
    for k in range(30):  # hand working from the student's own numbers, with a slip
        d = rng.choice([2, 3, 4, 6, 8])
        slipped = rng.choice(asked).name
        sheets[f"worked-{k}"] = worked(spec, d, slipped, rng)
    for text in ("0.5", "1", "0.1"):
        sheets[f"placeholder-{text}"] = {q.name: text for q in asked}
    return sheets


def worked(spec, d: int, slipped: str, rng: random.Random) -> dict[str, str]:
    """Every asked quantity computed from the sheet's own earlier numbers (the spec's formulas
    — these make inputs, the verdicts expected are `backviz grade`'s), rounded or truncated to
    d decimals; `slipped` written off by a few percent, and used onward."""
    own: dict[str, float] = dict(spec.given)
    sheet: dict[str, str] = {}

    def value(name: str) -> float:
        if name in own:
            return own[name]
        helper = spec.helpers[name]
        if helper.formula is None:
            return helper.value
        inputs = [value(n) for n in helper.formula.inputs]
        return float(compile_python(helper.formula.python)(inputs, helper.formula.settings))

    for q in spec.asked:
        x = q.value
        if q.formula is not None:
            inputs = [value(n) for n in q.formula.inputs]
            x = float(compile_python(q.formula.python)(inputs, q.formula.settings))
        if q.name == slipped:
            x *= rng.choice([0.9, 1.07, 1.3])
        text = _text(x, d, rng.choice([ROUND_HALF_UP, ROUND_DOWN]))
        sheet[q.name] = text
        own[q.name] = float(text)
    return sheet


def grade_cli(exercise: Path, sheets: dict[str, dict[str, str]], tmp: Path) -> dict:
    folder = tmp / "sheets"
    folder.mkdir()
    for student, answers in sheets.items():
        rows = "".join(f"{name},{text}\n" for name, text in answers.items() if text != "")
        (folder / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\n{rows}", encoding="utf-8"
        )
    result = CliRunner().invoke(
        main, ["grade", str(exercise), str(folder), "--out", str(tmp / "out"), "--no-diagrams"]
    )
    assert result.exit_code == 0, result.output
    with (tmp / "out" / "verdicts.csv").open(encoding="utf-8") as stream:
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


@pytest.mark.parametrize("name", CORPUS)
def test_the_page_gives_the_graders_verdicts(name: str, tmp_path: Path, browser) -> None:
    exercise = EXERCISES / f"{name}.toml"
    spec = ClassGrader(backviz.solve(exercise)).spec
    sheets = corpus(spec, random.Random(name))
    graded = grade_cli(exercise, sheets, tmp_path)
    script = JS_FUNCTIONS + "\n" + files("backviz.grading").joinpath("marking.js").read_text()
    page_file = tmp_path / "marking.html"
    page_file.write_text(f"<!doctype html><script>{script}\nwindow.M = BackvizMarking;</script>")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    verdicts = page.evaluate(
        "([spec, sheets]) => Object.fromEntries(Object.entries(sheets).map(([s, a]) =>"
        " [s, M.grade(spec, a, 'en').verdicts]))",
        [spec.to_data(), sheets],
    )
    page.close()
    assert not errors
    differ = []
    for student in sheets:
        for q in spec.asked:
            mine = verdicts[student][q.name]
            theirs = graded[(student, q.name)]
            if (mine["verdict"], round(mine["marks"], 9)) != (theirs[0], round(theirs[1], 9)):
                differ.append(
                    (student, q.name, sheets[student].get(q.name), mine["verdict"], theirs[0])
                )
    assert not differ, f"{len(differ)} differ, e.g. {differ[:5]}"
    kinds = {v[0].split(":")[0] for v in graded.values()}
    assert {"correct", "carried", "imprecise", "mistake", "wrong", "missing"} <= kinds
