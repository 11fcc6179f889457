"""float32's value on an answer sheet: the notes print torch's float32 numbers (linear-regression's
cost at epoch 1, 29661.800781), and a student who computes in torch's default dtype writes them.
Such a value — the right value rounded through float32, to the decimals written — is right to
float32's precision: `correct` with a word saying so, wherever float32's rounding is within the
least precision the exercise asks (`[ask] significant`), else `imprecise`.

The numbers come from torch itself, in float32 and in float64; the sheets go through
`backviz grade`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from backviz.cli import main
from tests.conftest import EXERCISES

LINEAR = EXERCISES / "linear-regression.toml"
SCORES = [[73, 80, 75], [93, 88, 93], [89, 91, 90], [96, 98, 100], [73, 66, 70]]
FINAL = [[152], [185], [180], [196], [142]]


def cost_at_epoch_1(dtype: torch.dtype) -> float:
    """The notes' cost before the first update (W = b = 0), as torch computes it in `dtype`."""
    x, y = torch.tensor(SCORES, dtype=dtype), torch.tensor(FINAL, dtype=dtype)
    W, b = torch.zeros(3, 1, dtype=dtype), torch.zeros(1, dtype=dtype)
    return torch.mean((x @ W + b - y) ** 2).item()


def grade(tmp: Path, exercise: Path, sheets: dict[str, str], lang: str = "en") -> dict:
    folder = tmp / "sheets"
    folder.mkdir(exist_ok=True)
    for student, text in sheets.items():
        (folder / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\nE@1,{text}\n", encoding="utf-8"
        )
    out = tmp / f"out-{lang}"
    args = ["grade", str(exercise), str(folder), "--out", str(out), "--no-diagrams"]
    result = CliRunner().invoke(main, [*args, "--lang", lang])
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        rows = {r["student"]: r for r in csv.DictReader(stream) if r["quantity"] == "E@1"}
    return {
        s: (r["verdict"], float(r["marks"]), (out / "feedback" / f"{s}.md"))
        for s, r in rows.items()
    }


def test_the_notes_float32_cost_is_right_and_said_to_be_float32(tmp_path: Path) -> None:
    single, double = cost_at_epoch_1(torch.float32), cost_at_epoch_1(torch.float64)
    assert f"{single:.6f}" == "29661.800781" and f"{double:.6f}" == "29661.800000"
    off = f"{single + 2e-6:.6f}"  # one unit of the sixth decimal past float32's value
    graded = grade(
        tmp_path,
        LINEAR,
        {"notes": f"{single:.6f}", "four": f"{single:.4f}", "right": f"{double:.6f}", "off": off},
    )
    for student in ("notes", "four"):
        verdict, marks, feedback = graded[student]
        assert (verdict, marks) == ("correct", 1.0), student
        text = feedback.read_text(encoding="utf-8")
        assert "float32's value: right to float32's precision" in text, text
        assert "float64 (29661.80000000)" in text
    assert graded["right"][:2] == ("correct", 1.0)
    assert "float32" not in graded["right"][2].read_text(encoding="utf-8")
    assert graded["off"][:2] == ("wrong", 0.0)


def test_in_korean(tmp_path: Path) -> None:
    single = cost_at_epoch_1(torch.float32)
    ((verdict, _, feedback),) = grade(tmp_path, LINEAR, {"kim": f"{single:.6f}"}, "ko").values()
    assert verdict == "correct"
    assert "float32의 값이다" in feedback.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("significant", "verdict", "marks"), [(8, "correct", 1.0), (9, "imprecise", 0.5)]
)
def test_float32_is_imprecise_where_the_exercise_asks_more_than_it_holds(
    tmp_path: Path, significant: int, verdict: str, marks: float
) -> None:
    """29661.8 to 8 significant figures needs 0.001: float32's 29661.80078 is within it; to 9,
    0.0001: it is not, so it is `imprecise` (here with half credit)."""
    exercise = tmp_path / "linear.toml"
    ask = f"\n[ask]\nsignificant = {significant}\nimprecise_credit = 0.5\n"
    exercise.write_text(LINEAR.read_text(encoding="utf-8") + ask, encoding="utf-8")
    single = cost_at_epoch_1(torch.float32)
    graded = grade(tmp_path, exercise, {"lee": f"{single:.6f}"})
    assert graded["lee"][:2] == (verdict, marks)


def test_a_value_beyond_float32s_range_is_never_called_float32s() -> None:
    """float32 holds at most 3.4e38: a right value of 1e40 has no float32 value (inf), so a
    wrong answer to it is wrong, not "float32's value" (the plain-Python applier)."""
    from backviz.grading import marking

    quantity = {
        "name": "E", "value": 1e40, "base": 0.0, "marks": 1.0, "group": "loss",
        "formula": None, "terms": 0, "mistakes": [],
    }  # fmt: skip
    spec = {
        "asked": [quantity], "helpers": {}, "given": {}, "exact": 1e-4, "significant": 1,
        "carried_credit": 1.0, "imprecise_credit": 0.0, "placeholder_cells": 3,
        "placeholder_share": 0.25,
    }  # fmt: skip
    assert marking.grade(spec, {"E": "2e40"})["verdicts"]["E"]["verdict"] == "wrong"
    assert marking.grade(spec, {"E": "1e40"})["verdicts"]["E"]["verdict"] == "correct"
