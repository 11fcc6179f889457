"""The catalogued mistakes of regularisation, AMSGrad and dropout, made on answer sheets as a
student makes them: the penalty left out (`penalty-forgotten`, all of it or one norm), ∂|w|/∂w
taken as 1 (`l1-sign-forgotten`), AMSGrad's running maximum forgotten (`amsgrad-max-forgotten`)
and dropout ignored (`dropout-ignored`).

Every student's number is computed here by torch in float64 (autograd on the data loss, the
penalty added by hand as the student would, torch.optim.Adam itself for plain Adam, the network
without dropout), never taken from backviz's output; the sheets go through `backviz grade`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from backviz.cli import main
from tests.conftest import EXERCISES

REGULARIZED = EXERCISES / "seed-222-regularized.toml"
NN221 = EXERCISES / "nn-221-regularized.toml"
AMSGRAD = EXERCISES / "optimizer-amsgrad.toml"
DROPOUT = EXERCISES / "dropout-222.toml"
X, T = [[0.1, 0.2]], [[0.4, 0.6]]  # the notes' 2-2-2 sample
W_HIDDEN, W_OUT = [[0.30, 0.25], [0.40, 0.35]], [[0.45, 0.40], [0.70, 0.60]]
L1, L2, ETA = 0.01, 0.001, 0.5  # seed-222-regularized's λ₁, λ₂, η


def grade(tmp: Path, exercise: Path, sheets: dict[str, dict[str, float | str]], *lang: str):
    """`backviz grade`'s verdicts.csv rows, by (student, quantity), and the feedback folder."""
    folder = tmp / "sheets"
    folder.mkdir(exist_ok=True)
    for student, answers in sheets.items():
        rows = "".join(f"{name},{value}\n" for name, value in answers.items())
        (folder / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\n{rows}", encoding="utf-8"
        )
    out = tmp / f"out{''.join(lang)}"
    args = ["grade", str(exercise), str(folder), "--out", str(out), "--no-diagrams"]
    result = CliRunner().invoke(main, [*args, *(("--lang", *lang) if lang else ())])
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        rows = {(r["student"], r["quantity"]): r for r in csv.DictReader(stream)}
    return rows, out / "feedback"


def tensor(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def data_step_222() -> dict[str, float]:
    """The notes' 2-2-2 forward pass and ∂E_data/∂W by torch.autograd (no penalty)."""
    W1, W2 = tensor(W_HIDDEN), tensor(W_OUT)
    x, t = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    o = torch.sigmoid(torch.sigmoid(x @ W1.T) @ W2.T)
    E = 0.5 * ((t - o) ** 2).sum()
    E.backward()
    found = {"E_data": E.item()}
    for k, (W, i, j) in enumerate((W, i, j) for W in (W1, W2) for i in range(2) for j in range(2)):
        found[f"W{k + 1}"] = W[i, j].item()
        found[f"dE_data/dW{k + 1}"] = W.grad[i, j].item()  # type: ignore[index]
    return found


# -- the penalty left out -----------------------------------------------------------------------


def test_the_penalty_left_out_is_the_mistake_where_made_then_carried(tmp_path: Path) -> None:
    """E_total = E_data and ∂E/∂W = ∂E_data/∂W (the penalty terms left blank), W⁺ from those:
    E_total and every ∂E/∂W are `mistake:penalty-forgotten` (half marks), every W⁺ carried;
    never "a mislabelled answer?", though E_total is E_data's value."""
    d = data_step_222()
    sheet: dict[str, float | str] = {"E_data": d["E_data"], "E_total": d["E_data"]}
    for n in range(1, 9):
        sheet[f"dE_data/dW{n}"] = d[f"dE_data/dW{n}"]
        sheet[f"dE/dW{n}"] = d[f"dE_data/dW{n}"]
        sheet[f"W{n}+"] = d[f"W{n}"] - ETA * d[f"dE_data/dW{n}"]
    rows, feedback = grade(tmp_path, REGULARIZED, {"kim": sheet})
    assert rows["kim", "E_total"]["verdict"] == "mistake:penalty-forgotten"
    assert float(rows["kim", "E_total"]["marks"]) == 0.5
    for n in range(1, 9):
        assert rows["kim", f"dE/dW{n}"]["verdict"] == "mistake:penalty-forgotten", n
        assert rows["kim", f"W{n}+"]["verdict"] == "carried", n
        assert rows["kim", f"dE_data/dW{n}"]["verdict"] == "correct", n
    text = (feedback / "kim.md").read_text(encoding="utf-8")
    assert "mislabelled" not in text
    assert "E = E_data + λ₁Σ\\|w\\| + λ₂Σw²" in text


def test_one_norm_left_out_is_named(tmp_path: Path) -> None:
    """With L1 and L2 both in E, a sheet that adds only the L2 term (λ₁·sign(w) left out of
    ∂E/∂W, the L1 terms themselves not written) is the mistake for the L1 term alone."""
    d = data_step_222()
    sheet: dict[str, float | str] = {}
    for n in range(1, 9):
        w = d[f"W{n}"]
        sheet[f"dE_L2/dW{n}"] = 2 * L2 * w
        sheet[f"dE/dW{n}"] = d[f"dE_data/dW{n}"] + 2 * L2 * w
    rows, feedback = grade(tmp_path, REGULARIZED, {"lee": sheet}, "ko")
    for n in range(1, 9):
        assert rows["lee", f"dE/dW{n}"]["verdict"] == "mistake:penalty-forgotten", n
        assert rows["lee", f"dE_L2/dW{n}"]["verdict"] == "correct", n
    text = (feedback / "lee.md").read_text(encoding="utf-8")
    assert "규제항이 빠졌다" in text and "(여기서는 L1 항만)" in text


# -- ∂|w|/∂w taken as 1 -------------------------------------------------------------------------


def test_the_l1_slope_taken_as_one_is_the_mistake_for_a_negative_bias(tmp_path: Path) -> None:
    """nn-221-regularized penalises its biases, and b(2)_2 = −0.1: a student who differentiates
    λ₁|b| as λ₁ writes ∂E_L1/∂b(2)_2 = +0.01 (right: −0.01, by torch.autograd of abs) and adds
    it into ∂E/∂b(2)_2; the positive weights' terms are right either way."""
    W1, b1, W2, b2 = (
        tensor([[0.3, 0.0], [0.4, 0.1]]),
        tensor([0.1, -0.1]),
        tensor([[0.5, 0.6]]),
        tensor([0.2]),
    )
    x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float64)
    t = torch.tensor([[5], [6], [8], [10]], dtype=torch.float64)
    o = torch.sigmoid(x @ W1.T + b1) @ W2.T + b2
    E_data = ((o - t) ** 2).mean()
    E_data.backward()
    data = b1.grad[1].item()  # type: ignore[index]
    penalty = torch.tensor(-0.1, dtype=torch.float64, requires_grad=True)
    (0.01 * penalty.abs()).backward()
    assert penalty.grad.item() == pytest.approx(-0.01)  # type: ignore[union-attr]
    student = data + 0.01 + 2 * 0.005 * -0.1
    sheet = {"dE_L1/db(2)_2@1": "0.01", "dE/db(2)_2@1": f"{student:.10f}"}
    rows, _ = grade(tmp_path, NN221, {"park": sheet})
    assert rows["park", "dE_L1/db(2)_2@1"]["verdict"] == "mistake:l1-sign-forgotten"
    assert rows["park", "dE/db(2)_2@1"]["verdict"] == "carried"  # from their own +0.01


# -- AMSGrad's running maximum ----------------------------------------------------------------


def torch_adam(amsgrad: bool) -> dict[str, float]:
    """optimizer-amsgrad's two steps by torch.optim.Adam itself: W⁺ and the state
    (exp_avg_sq is v; with AMSGrad, max_exp_avg_sq is vmax)."""
    W1, W2 = tensor(W_HIDDEN), tensor(W_OUT)
    x, t = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    opt = torch.optim.Adam([W1, W2], lr=0.3, betas=(0.9, 0.9), amsgrad=amsgrad)
    found: dict[str, float] = {}
    for step in (1, 2):
        opt.zero_grad()
        o = torch.sigmoid(torch.sigmoid(x @ W1.T) @ W2.T)
        (0.5 * ((t - o) ** 2).sum()).backward()
        opt.step()
        for k, (W, i, j) in enumerate(
            (W, i, j) for W in (W1, W2) for i in range(2) for j in range(2)
        ):
            state = opt.state[W]
            found[f"v_W{k + 1}@{step}"] = state["exp_avg_sq"][i, j].item()
            if amsgrad:
                found[f"vmax_W{k + 1}@{step}"] = state["max_exp_avg_sq"][i, j].item()
            found[f"W{k + 1}+@{step}"] = W[i, j].item()
    return found


def test_amsgrad_without_its_maximum_is_plain_adam_and_named(tmp_path: Path) -> None:
    """vmax written as v at step 2 (plain Adam's exp_avg_sq), W⁺@2 plain Adam's: where v
    shrank (W1, W2, W7, W8, the exercise's comment) vmax@2 is `mistake:amsgrad-max-forgotten`,
    not "the value of v_W1@2: a mislabelled answer?"; W⁺@2 is carried from it."""
    plain, right = torch_adam(False), torch_adam(True)
    sheet: dict[str, float | str] = {}
    shrank = []
    for k in range(1, 9):
        sheet[f"v_W{k}@2"] = plain[f"v_W{k}@2"]
        sheet[f"vmax_W{k}@2"] = plain[f"v_W{k}@2"]
        sheet[f"W{k}+@2"] = plain[f"W{k}+@2"]
        if right[f"vmax_W{k}@2"] > right[f"v_W{k}@2"] * (1 + 1e-9):
            shrank.append(k)
    for step1 in ("v", "vmax"):  # step 1 is the same in both: vmax@1 = v@1
        for k in range(1, 9):
            sheet[f"{step1}_W{k}@1"] = right[f"{step1}_W{k}@1"]
            sheet[f"W{k}+@1"] = right[f"W{k}+@1"]
    assert {1, 2, 7, 8} <= set(shrank)
    rows, feedback = grade(tmp_path, AMSGRAD, {"choi": sheet})
    for k in range(1, 9):
        verdict = rows["choi", f"vmax_W{k}@2"]["verdict"]
        expected = "mistake:amsgrad-max-forgotten" if k in shrank else "correct"
        assert verdict == expected, k
        assert rows["choi", f"W{k}+@2"]["verdict"] == ("carried" if k in shrank else "correct")
    assert "mislabelled" not in (feedback / "choi.md").read_text(encoding="utf-8")


# -- dropout ignored ----------------------------------------------------------------------------


def test_dropout_ignored_costs_more_than_its_scaling_forgotten(tmp_path: Path) -> None:
    """A sheet of dropout-222 worked as if there were no dropout (torch's 2-2-2 step without
    it) is `dropout-ignored` where ã and ∂E/∂h differ (h̃2 = h2 for a dropped node, ∂E/∂h not
    masked), the rest carried: 39 / 41, less than forgetting only 1/(1 − p) (40 / 41, the
    reviewer's sheet), more than nothing for a whole consistent computation."""
    W1, W2 = tensor(W_HIDDEN), tensor(W_OUT)
    x, t = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    h = torch.sigmoid(x @ W1.T)
    h.retain_grad()
    o = torch.sigmoid(h @ W2.T)
    (0.5 * ((t - o) ** 2).sum()).backward()
    sheet = {
        "h1": h[0, 0].item(),
        "h2": h[0, 1].item(),
        "h~1": h[0, 0].item(),
        "h~2": h[0, 1].item(),
        "dE/dh1": h.grad[0, 0].item(),  # type: ignore[index]
        "dE/dh2": h.grad[0, 1].item(),  # type: ignore[index]
    }
    rows, feedback = grade(tmp_path, DROPOUT, {"jung": sheet})
    assert rows["jung", "h~2"]["verdict"] == "mistake:dropout-ignored"
    assert rows["jung", "dE/dh1"]["verdict"] == "mistake:dropout-ignored"
    assert rows["jung", "dE/dh2"]["verdict"] == "mistake:dropout-ignored"
    # h̃1 = h1 is also what forgetting the scaling gives a kept node: the catalogue's order
    assert rows["jung", "h~1"]["verdict"] == "mistake:dropout-unscaled"
    text = (feedback / "jung.md").read_text(encoding="utf-8")
    assert "Dropout is ignored" in text and "mislabelled" not in text


def test_the_reviewers_whole_sheets_without_dropout_and_unscaled() -> None:
    """The totals of the two whole sheets (every quantity, worked by torch without dropout,
    and with ã = a·m): ignoring dropout scores below forgetting its scaling."""
    import backviz
    from backviz.core.engine import Mistakes, run
    from backviz.grading.sheets.numbers import parse_number
    from backviz.grading.sheets.submission import Submission
    from backviz.grading.verdicts import ClassGrader

    trace = backviz.solve(DROPOUT)
    sheets = []
    for student, mistakes in (
        ("ignored", Mistakes(dropout_ignored=True)),
        ("unscaled", Mistakes(dropout_unscaled=True)),
    ):
        worked = run(trace.exercise, mistakes)
        answers = {
            trace.name(ref): parse_number(f"{worked.value(ref):.10f}")
            for ref, _ in ClassGrader(trace).items
        }
        sheets.append(Submission(student, f"{student}.csv", answers))
    ignored, unscaled = ClassGrader(trace).grade(sheets)  # type: ignore[arg-type]
    asked = len(ClassGrader(trace).items)  # one mark each (41, or 43 with ∂h̃/∂h asked)
    assert ignored.max_total == asked
    assert ignored.total < unscaled.total < asked
    assert asked - ignored.total == 2 and asked - unscaled.total == 1  # half marks each


# -- a row the exercise does not ask ------------------------------------------------------------


def test_a_row_not_asked_is_named_and_not_marked(tmp_path: Path) -> None:
    """mazur-222 asks the default kinds: the blog's error after the update, E_total+ =
    0.291027924, written on a sheet is read but not marked, and the sheet's problems say so
    (en, ko); given numbers written back (x1) are not listed, unknown names are."""
    sheet: dict[str, float | str] = {"x1": 0.05, "z1": 0.3775, "E_total+": 0.291027924, "foo": 1}
    mazur = EXERCISES / "mazur-222.toml"
    rows, feedback = grade(tmp_path, mazur, {"blog": sheet})
    assert ("blog", "E_total+") not in rows and rows["blog", "z1"]["verdict"] == "correct"
    text = (feedback / "blog.md").read_text(encoding="utf-8")
    assert "- not asked in this exercise, so not marked: E_total+\n" in text
    assert "unknown quantity 'foo'" in text and "x1" not in text.split("| quantity |")[0]
    _, korean = grade(tmp_path, mazur, {"blog": sheet}, "ko")
    assert "이 연습에서 묻지 않는 값이라 채점하지 않음: E_total+" in (korean / "blog.md").read_text(
        encoding="utf-8"
    )


def test_no_mislabelling_is_suggested_where_a_mistake_gives_the_number(tmp_path: Path) -> None:
    """seed-222's δ_h1 = 0.00808875; written 0.03 it is too coarse (it needs 3 decimals) to be
    named a mistake, but 0.03 is what σ′ left out gives (δ_h1 = ∂E/∂h1 = 0.0324, torch) as
    well as dE/dW5's value at 2 decimals: the feedback does not call it a mislabelled dE/dW5."""
    W1, W2 = tensor(W_HIDDEN), tensor(W_OUT)
    x, t = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    h = torch.sigmoid(x @ W1.T)
    h.retain_grad()
    o = torch.sigmoid(h @ W2.T)
    (0.5 * ((t - o) ** 2).sum()).backward()
    assert f"{h.grad[0, 0].item():.2f}" == f"{W2.grad[0, 0].item():.2f}" == "0.03"  # type: ignore[index]
    rows, feedback = grade(
        tmp_path, EXERCISES / "seed-222.toml", {"oh": {"z1": "0.08000000", "delta_h1": "0.03"}}
    )
    assert rows["oh", "delta_h1"]["verdict"] == "wrong"
    assert "mislabelled" not in (feedback / "oh.md").read_text(encoding="utf-8")


# -- in a student's training loop -------------------------------------------------------------

TRAIN_ADAM = """import torch

torch.set_default_dtype(torch.float64)


def train(W, b, x, t, learning_rate, steps):
    weight = torch.tensor(W[0], requires_grad=True)
    bias = torch.tensor(b[0], requires_grad=True)
    x, y = torch.from_numpy(x), torch.from_numpy(t)
    optimizer = torch.optim.Adam([weight, bias], lr=learning_rate, betas=(0.9, 0.5)AMSGRAD)
    history = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(x @ weight.T + bias, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(([weight.detach().numpy().copy()], [bias.detach().numpy().copy()]))
    return history
"""


def test_plain_adam_in_code_for_an_amsgrad_exercise_is_named_at_each_step(tmp_path: Path) -> None:
    """code-train-adam with AMSGrad (β₂ = 0.5, so v shrinks): a loop with torch.optim.Adam
    without amsgrad is `amsgrad-max-forgotten` at every step after the first (each step is
    judged from the student's own weights before it), one with amsgrad=True right."""
    source = (EXERCISES / "code-train-adam.toml").read_text(encoding="utf-8")
    exercise = tmp_path / "ams.toml"
    exercise.write_text(
        source.replace("steps = 5", "steps = 5\namsgrad = true\nbetas = [0.9, 0.5]"),
        encoding="utf-8",
    )
    (tmp_path / "plain.py").write_text(TRAIN_ADAM.replace("AMSGRAD", ""), encoding="utf-8")
    (tmp_path / "ams.py").write_text(TRAIN_ADAM.replace("AMSGRAD", ", amsgrad=True"))
    out = tmp_path / "out"
    args = ["grade", str(exercise), str(tmp_path / "plain.py"), str(tmp_path / "ams.py")]
    result = CliRunner().invoke(main, [*args, "--out", str(out), "--no-diagrams"])
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        verdicts = {(r["student"], r["quantity"]): r["verdict"] for r in csv.DictReader(stream)}
    for step in range(1, 6):
        for name in (f"W(2)@{step}", f"b(2)@{step}"):
            expected = "correct" if step == 1 else "mistake:amsgrad-max-forgotten"
            assert verdicts["plain", name] == expected, name
            assert verdicts["ams", name] == "correct", name
