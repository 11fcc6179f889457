"""The rules of marks applied to the marking spec for one student — by the page's script
(grading/marking.js) and by the plain-Python applier that exports copy into systems without
backviz (grading/marking.py) — give exactly `backviz grade`'s verdicts and marks, quantity by
quantity, on one shared corpus of sheets: right values at every precision, rounded and
truncated, slips, zeros, the old weight, each catalogued mistake's number, placeholders, noise
and text that is no number. Other tests (an exported PrairieLearn question) use the same
corpus through `graded_corpus`."""

from __future__ import annotations

import ast
import csv
import json
import math
import random
import struct
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

import backviz
from backviz.cli import main
from backviz.core.notation import format_number
from backviz.grading import marking
from backviz.grading.sheets.reading import read_sheet
from backviz.grading.spec import MarkingSpec
from backviz.grading.verdicts import ClassGrader
from backviz.render.evaluable import JS_FUNCTIONS, compile_python
from tests.conftest import EXERCISES

CORPUS = (
    "seed-222",
    "xor-221",
    "nn-221-regression",
    "optimizer-adagrad",
    "seed-222-regularized",
    "optimizer-amsgrad",
    "dropout-222",
    "linear-regression",
)


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
    for text in ("0.5", "1", "0.1", "0"):
        sheets[f"placeholder-{text}"] = {q.name: text for q in asked}
    for k in range(10):  # a term left out: a bare 0 (or 0.0) among answers of 8 decimals
        sheet = {q.name: _text(q.value, 8, ROUND_HALF_UP) for q in asked}
        for q in rng.sample(asked, min(3, len(asked))):
            sheet[q.name] = rng.choice(["0", "0.0", "0.00"])
        sheets[f"zero-among-precise-{k}"] = sheet
    for d in (1, 2, 3, 4):  # a whole unit below (or above, for negatives) the right value
        sheets[f"unit-off-{d}"] = {
            q.name: _text(q.value - math.copysign(10.0**-d, q.value), d, ROUND_HALF_UP)
            for q in asked
        }
    for d in (4, 6, 8, 10):  # float32's values, as torch's default dtype writes them
        single = {q.name: struct.unpack("f", struct.pack("f", q.value))[0] for q in asked}
        sheets[f"float32-{d}"] = {q.name: _text(single[q.name], d, ROUND_HALF_UP) for q in asked}
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
    # the feedback of each verdict, from the same grader on the same files
    submissions = [s for path in sorted(folder.iterdir()) for s in read_sheet(path)]
    table = ClassGrader(backviz.solve(exercise)).table(submissions)
    details = {
        (student, name): detail
        for student, row in zip(table.students, zip(*table.details, strict=True), strict=True)
        for name, detail in zip(table.names, row, strict=True)
    }
    with (tmp / "out" / "verdicts.csv").open(encoding="utf-8") as stream:
        return {
            (r["student"], r["quantity"]): (
                r["verdict"],
                float(r["marks"]),
                details[(r["student"], r["quantity"])],
            )
            for r in csv.DictReader(stream)
        }


class Corpus(NamedTuple):
    """One exercise's spec, its corpus of sheets and `backviz grade`'s verdicts of them:
    (student, quantity) → (verdict, marks, detail)."""

    exercise: Path
    spec: MarkingSpec
    sheets: dict[str, dict[str, str]]
    graded: dict[tuple[str, str], tuple[str, float, str]]


def graded_corpus(name: str, tmp: Path) -> Corpus:
    """The shared corpus of exercise `name`, graded by `backviz grade`."""
    exercise = EXERCISES / f"{name}.toml"
    spec = ClassGrader(backviz.solve(exercise)).spec
    sheets = corpus(spec, random.Random(name))
    return Corpus(exercise, spec, sheets, grade_cli(exercise, sheets, tmp))


def differences(corpus: Corpus, verdicts: dict[str, dict[str, dict]]) -> list[tuple]:
    """Where an applier's verdicts or marks (per student, per quantity) are not the grader's."""
    differ = []
    for student, sheet in corpus.sheets.items():
        for q in corpus.spec.asked:
            mine = verdicts[student][q.name]
            theirs = corpus.graded[(student, q.name)]
            if (mine["verdict"], round(mine["marks"], 9)) != (theirs[0], round(theirs[1], 9)):
                differ.append((student, q.name, sheet.get(q.name), mine["verdict"], theirs[0]))
    return differ


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Corpus]:
    """Each exercise's graded corpus, made once for the appliers tested here."""
    return {name: graded_corpus(name, tmp_path_factory.mktemp(name)) for name in CORPUS}


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
def test_the_page_gives_the_graders_verdicts(name: str, corpora, tmp_path: Path, browser) -> None:
    shared = corpora[name]
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
        [shared.spec.to_data(), shared.sheets],
    )
    page.close()
    assert not errors
    differ = differences(shared, verdicts)
    assert not differ, f"{len(differ)} differ, e.g. {differ[:5]}"
    kinds = {v[0].split(":")[0] for v in shared.graded.values()}
    assert {"correct", "carried", "imprecise", "mistake", "wrong", "missing"} <= kinds


@pytest.mark.parametrize("name", CORPUS)
def test_the_python_applier_gives_the_graders_verdicts_and_feedback(name: str, corpora) -> None:
    """grading/marking.py, on the spec as JSON (as an export carries it): the grader's
    verdicts and marks, and its feedback word for word."""
    shared = corpora[name]
    spec = json.loads(shared.spec.to_json())
    verdicts = {s: marking.grade(spec, sheet)["verdicts"] for s, sheet in shared.sheets.items()}
    differ = differences(shared, verdicts)
    assert not differ, f"{len(differ)} differ, e.g. {differ[:5]}"
    feedback = [
        (student, q.name, verdicts[student][q.name]["detail"], shared.graded[(student, q.name)][2])
        for student in shared.sheets
        for q in shared.spec.asked
        if verdicts[student][q.name]["detail"] != shared.graded[(student, q.name)][2]
    ]
    assert not feedback, f"{len(feedback)} differ, e.g. {feedback[:3]}"


def test_the_python_applier_imports_nothing_of_backviz() -> None:
    """It is copied into systems without backviz or numpy: only the standard library."""
    tree = ast.parse(files("backviz.grading").joinpath("marking.py").read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0] if node.level == 0 else "."
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert imported <= sys.stdlib_module_names, imported - sys.stdlib_module_names


@pytest.mark.parametrize("decimals", [1, 2, 3, 4, 8])
def test_the_python_applier_shows_numbers_as_backviz_does(decimals: int) -> None:
    """Its copy of the number format (it cannot import core/notation.py) is the same."""
    rng = random.Random(decimals)
    values = [0.0, -0.0, 1e12, -3.7e-3, 5.2e-1, float("nan"), float("inf"), -float("inf")]
    values += [rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 13) for _ in range(500)]
    for value in values:
        assert marking._number(value, decimals) == format_number(value, decimals), value
