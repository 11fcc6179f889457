"""Rule 1 of the marks ("How marks are given": W⁺ = W, the old value, earns nothing) applies to an
optimiser's state as to a weight: a state's step is measured from its value before (before the
first step, its initial value — Adagrad's s₀, torch's `initial_accumulator_value`), so copying
the old value earns nothing, and precision is counted on the increment.

The right states come from torch.optim.Adagrad's own `state_sum` (backviz.verify.torch_reference
runs torch's optimiser on the exercise), never from backviz's hand-derived formulas.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

from click.testing import CliRunner

import backviz
from backviz.cli import main
from backviz.verify.torch_reference import torch_trace
from tests.conftest import EXERCISES

ADAGRAD = EXERCISES / "optimizer-adagrad.toml"
STATES = [f"s_W{k}@{step}" for step in (1, 2) for k in range(1, 9)]


def torch_states() -> dict[str, float]:
    trace = torch_trace(backviz.solve(ADAGRAD).exercise)
    return {name: float(trace.value(trace.ref(name))) for name in STATES}


def grade(tmp: Path, sheets: dict[str, dict[str, str]]) -> dict[tuple[str, str], tuple]:
    folder = tmp / "sheets"
    folder.mkdir()
    for student, answers in sheets.items():
        rows = "".join(f"{name},{text}\n" for name, text in answers.items())
        (folder / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\n{rows}", encoding="utf-8"
        )
    out = tmp / "out"
    result = CliRunner().invoke(
        main, ["grade", str(ADAGRAD), str(folder), "--out", str(out), "--no-diagrams"]
    )
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        return {
            (r["student"], r["quantity"]): (r["verdict"], float(r["marks"]))
            for r in csv.DictReader(stream)
        }


def test_an_optimiser_state_left_at_its_old_value_earns_nothing(tmp_path: Path) -> None:
    s0 = tomllib.loads(ADAGRAD.read_text(encoding="utf-8"))["training"]["initial_accumulator_value"]
    right = torch_states()
    assert all(abs(right[name] - s0) < 0.01 for name in STATES)  # s₀ is right to 1 decimal
    sheets = {
        "initial": {name: f"{s0:g}" for name in STATES},  # s₀ copied everywhere
        "stale": {  # step 1 right, step 2 = step 1's value: not updated
            **{name: f"{right[name]:.8f}" for name in STATES if name.endswith("@1")},
            **{
                name: f"{right[name.replace('@2', '@1')]:.8f}"
                for name in STATES
                if name.endswith("@2")
            },
        },
        "right": {name: f"{right[name]:.8f}" for name in STATES},
    }
    graded = grade(tmp_path, sheets)
    assert all(graded["initial", name][1] == 0 for name in STATES)
    assert all(graded["stale", name] == ("correct", 1.0) for name in STATES if "@1" in name)
    assert all(graded["stale", name][1] == 0 for name in STATES if "@2" in name)
    assert all(graded["right", name][0] == "correct" for name in STATES)
