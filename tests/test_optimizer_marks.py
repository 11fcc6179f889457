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
from backviz.core.quantities import Kind
from backviz.verify.torch_reference import torch_trace
from tests.conftest import EXERCISES

ADAGRAD = EXERCISES / "optimizer-adagrad.toml"
STATES = [f"s_W{k}@{step}" for step in (1, 2) for k in range(1, 9)]


def torch_states() -> dict[str, float]:
    trace = torch_trace(backviz.solve(ADAGRAD).exercise)
    return {name: float(trace.value(trace.ref(name))) for name in STATES}


def graded_rows(tmp: Path, exercise: Path, sheets: dict[str, dict[str, str]]) -> list[dict]:
    """verdicts.csv's rows of `backviz grade` on one sheet per student."""
    folder = tmp / "sheets"
    folder.mkdir()
    for student, answers in sheets.items():
        rows = "".join(f"{name},{text}\n" for name, text in answers.items())
        (folder / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\n{rows}", encoding="utf-8"
        )
    out = tmp / "out"
    result = CliRunner().invoke(
        main, ["grade", str(exercise), str(folder), "--out", str(out), "--no-diagrams"]
    )
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def grade(tmp: Path, sheets: dict[str, dict[str, str]]) -> dict[tuple[str, str], tuple]:
    rows = graded_rows(tmp, ADAGRAD, sheets)
    return {(r["student"], r["quantity"]): (r["verdict"], float(r["marks"])) for r in rows}


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


AMSGRAD = EXERCISES / "optimizer-amsgrad.toml"


def test_adams_step_without_bias_correction_is_the_catalogued_mistake(tmp_path: Path) -> None:
    """W⁺ = W − η·m/(√v + ε), from torch.optim.Adam's own m and max v of the first step (not
    m̂ = m/(1 − β₁), v̂ = v/(1 − β₂)), is `mistake:adam-no-bias-correction`; the right step is
    torch's own W⁺."""
    exercise = backviz.solve(AMSGRAD).exercise
    torch = torch_trace(exercise)
    opt = exercise.training.optimizer
    weights = [f"W{k}" for k in range(1, 9)]
    sheet, right = {}, {}
    for w in weights:
        m = torch.value(torch.ref(f"m_{w}@1"))
        vmax = torch.value(torch.ref(f"vmax_{w}@1"))
        old = torch.value(torch.ref(f"{w}@1"))
        sheet[f"{w}+@1"] = f"{old - opt.learning_rate * m / (vmax**0.5 + opt.eps):.8f}"
        right[f"{w}+@1"] = f"{torch.value(torch.ref(f'{w}+@1')):.8f}"
    rows = graded_rows(tmp_path, AMSGRAD, {"uncorrected": sheet, "right": right})
    graded = {(r["student"], r["quantity"]): r["verdict"] for r in rows}
    for name in sheet:
        assert graded["uncorrected", name] == "mistake:adam-no-bias-correction", name
        assert graded["right", name] == "correct", name


RMSPROP = EXERCISES / "optimizer-rmsprop.toml"


def rmsprop_never_zeroed() -> dict[str, float]:
    """optimizer-rmsprop's asked numbers as torch computes them in a loop that never calls
    `optimizer.zero_grad()`: W.grad after each `loss.backward()` (the sum so far), RMSprop's own
    square_avg, grad_avg and momentum_buffer, and W after each `optimizer.step()`."""
    import torch

    data = tomllib.loads(RMSPROP.read_text(encoding="utf-8"))
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in data["parameters"]["W"]]
    x = torch.tensor(data["data"]["inputs"], dtype=torch.float64)
    t = torch.tensor(data["data"]["targets"], dtype=torch.float64)
    settings = data["training"]
    optimizer = torch.optim.RMSprop(
        W,
        lr=settings["learning_rate"],
        alpha=settings["alpha"],
        momentum=settings["momentum"],
        centered=settings["centered"],
    )
    slots = {"v": "square_avg", "gavg": "grad_avg", "b": "momentum_buffer"}
    trace = backviz.solve(RMSPROP)
    values = {}
    for step in (1, 2):
        o = torch.sigmoid(torch.sigmoid(x @ W[0].T) @ W[1].T)
        loss = 0.5 * ((t - o) ** 2).sum()
        loss.backward()  # no zero_grad: adds to what .grad holds
        optimizer.step()
        for ref in trace.refs():
            if ref.step != step or ref.kind not in (Kind.GRAD_W, Kind.STATE, Kind.UPDATE_W):
                continue
            w = W[ref.layer - 2]
            j, k = ref.index[0] - 1, ref.index[1] - 1
            if ref.kind is Kind.GRAD_W:
                value = w.grad[j, k]
            elif ref.kind is Kind.STATE:
                value = optimizer.state[w][slots[ref.label[0]]][j, k]
            else:
                value = w[j, k]
            values[trace.name(ref)] = float(value.detach())
    return values


def test_a_gradient_never_zeroed_on_a_sheet_is_the_catalogued_mistake(tmp_path: Path) -> None:
    """A sheet filled in from torch's own loop without `optimizer.zero_grad()` (its W.grad,
    its RMSprop state, its weights): step 1 right; at step 2 each ∂E/∂W, the sum of both
    steps' gradients, is `mistake:gradients-accumulated`, and what is computed from it carried.
    Written without the gradients, W⁺ of step 2 is the mistake itself."""
    torch_numbers = rmsprop_never_zeroed()
    updates = {name: value for name, value in torch_numbers.items() if "+@" in name}
    sheets = {
        "whole": {name: f"{value:.8f}" for name, value in torch_numbers.items()},
        "updates": {name: f"{value:.8f}" for name, value in updates.items()},
    }
    rows = graded_rows(tmp_path, RMSPROP, sheets)
    graded = {(r["student"], r["quantity"]): r["verdict"] for r in rows}
    for name in torch_numbers:
        if name.endswith("@1"):
            expected = "correct"
        else:
            expected = "mistake:gradients-accumulated" if name.startswith("dE/dW") else "carried"
        assert graded["whole", name] == expected, name
    for name in updates:
        expected = "correct" if name.endswith("@1") else "mistake:gradients-accumulated"
        assert graded["updates", name] == expected, name
