"""L1 and L2 regularisation in the cost (the notes' 가중치 규제): E = E_data + λ₁Σ|w| + λ₂Σw².

Expected numbers come from the notes' printed 2-2-2 table (the data terms), from torch.autograd
on the penalty written with torch's own `abs` and `**` (the penalty terms, sign(0)), and from
arithmetic by hand on the given weights; none from backviz's output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import backviz
from backviz import ExerciseError
from backviz.core.engine import Mistakes, run
from backviz.core.export import to_data
from backviz.core.quantities import Kind, Ref, ask_group
from backviz.core.writing import exercise_toml
from backviz.grading.handout import write_handouts
from backviz.grading.mistakes import applicable
from backviz.grading.sheets.numbers import parse_number
from backviz.grading.sheets.submission import Submission
from backviz.grading.verdicts import ClassGrader
from backviz.render import render_solution
from backviz.verify import check
from tests.conftest import EXERCISES

REGULARIZED = EXERCISES / "seed-222-regularized.toml"
SEED = EXERCISES / "seed-222.toml"
L1, L2 = 0.01, 0.001  # as the exercise gives them
WEIGHTS = [0.30, 0.25, 0.40, 0.35, 0.45, 0.40, 0.70, 0.60]  # W1..W8, the notes'
NOTES_DATA_GRAD = {"dE/dW5": 0.02592286, "dE/dW1": 0.00080888}  # the notes' printed values


def _with(tmp_path: Path, table: str, source: Path = SEED) -> Path:
    path = tmp_path / "exercise.toml"
    path.write_text(source.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    return path


# -- the exercise format ------------------------------------------------------------------------


def test_without_the_table_nothing_changes() -> None:
    plain = backviz.solve(SEED)
    assert not plain.exercise.regularization.active
    kinds = {ref.kind for ref in plain.refs()}
    assert not kinds & {Kind.DATA_LOSS, Kind.PENALTY, Kind.PENALTY_GRAD, Kind.DATA_GRAD_W}
    assert plain.value(plain.ref("E_total")) == pytest.approx(0.02397190, abs=5e-9)  # the notes'


@pytest.mark.parametrize(
    ("table", "field", "found"),
    [
        ("[regularization]\nl1 = -0.1\n", "regularization.l1", "-0.1"),
        ('[regularization]\nl2 = "big"\n', "regularization.l2", "a string"),
        ("[regularization]\nl3 = 0.1\n", "regularization.l3", "unknown key 'l3'"),
        ("[regularization]\ninclude_bias = 1\n", "regularization.include_bias", "an integer"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, table: str, field: str, found: str) -> None:
    with pytest.raises(ExerciseError) as error:
        backviz.load(_with(tmp_path, table))
    message = str(error.value)
    assert field in message and found in message and "exercise.toml" in message


def test_a_forward_only_exercise_refuses_a_penalty(tmp_path: Path) -> None:
    gate = EXERCISES / "and-gate.toml"
    with pytest.raises(ExerciseError, match=r"regularization.*\[training\] section"):
        backviz.load(_with(tmp_path, "[regularization]\nl2 = 0.1\n", gate))


def test_written_back_it_loads_the_same(tmp_path: Path) -> None:
    exercise = backviz.load(_with(tmp_path, "[regularization]\nl1 = 0.5\ninclude_bias = true\n"))
    again = backviz.loads(exercise_toml(exercise))
    assert again.regularization == exercise.regularization
    assert (again.regularization.l1, again.regularization.l2) == (0.5, 0.0)
    assert again.regularization.include_bias


# -- the numbers --------------------------------------------------------------------------------


def test_the_notes_example_with_l1_and_l2() -> None:
    trace = backviz.solve(REGULARIZED)
    v = {name: value for name, value in trace.items()}
    # the data terms are the notes' printed values
    assert v["E_data"] == pytest.approx(0.02397190, abs=5e-9)
    assert v["dE_data/dW5"] == pytest.approx(NOTES_DATA_GRAD["dE/dW5"], abs=5e-9)
    assert v["dE_data/dW1"] == pytest.approx(NOTES_DATA_GRAD["dE/dW1"], abs=5e-9)
    # the penalty terms by hand: λ₁·Σ|w| = 0.01 × 3.45, λ₂·Σw² = 0.001 × 1.6475
    assert v["E_L1"] == pytest.approx(0.0345, rel=1e-12)
    assert v["E_L2"] == pytest.approx(0.0016475, rel=1e-12)
    assert v["E_total"] == pytest.approx(0.02397190 + 0.0345 + 0.0016475, abs=5e-9)
    for n, w in enumerate(WEIGHTS, start=1):
        assert v[f"dE_L1/dW{n}"] == pytest.approx(L1 * 1.0, rel=1e-15)  # every w > 0
        assert v[f"dE_L2/dW{n}"] == pytest.approx(2 * L2 * w, rel=1e-15)
    # W5⁺ = 0.45 − 0.5 × (0.02592286 + 0.01 + 0.0009): the notes' 0.43703857 less 0.5 × 0.0109
    assert v["W5+"] == pytest.approx(0.43703857 - 0.5 * (L1 + 2 * L2 * 0.45), abs=5e-9)
    assert v["W1+"] == pytest.approx(0.29959556 - 0.5 * (L1 + 2 * L2 * 0.30), abs=5e-9)


def _torch_penalty_grads(W: np.ndarray, l1: float, l2: float) -> tuple[np.ndarray, np.ndarray]:
    w = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    (g1,) = torch.autograd.grad(l1 * torch.abs(w).sum(), w)
    (g2,) = torch.autograd.grad(l2 * (w**2).sum(), w)
    return g1.numpy(), g2.numpy()


def test_sign_at_zero_is_torchs(tmp_path: Path) -> None:
    """torch.autograd's d|w|/dw at w = 0 is 0; so is ∂E_L1/∂w here, and the solution says so."""
    table = "[regularization]\nl1 = 0.1\nl2 = 0.01\n"
    text = SEED.read_text(encoding="utf-8").replace("[[0.30, 0.25]", "[[0.0, -0.25]")
    path = tmp_path / "zero.toml"
    path.write_text(text + "\n" + table, encoding="utf-8")
    trace = backviz.solve(path)
    W = trace.steps[0].W[0]
    assert W[0, 0] == 0.0 and W[0, 1] == -0.25
    g1, g2 = _torch_penalty_grads(W, 0.1, 0.01)
    assert g1[0, 0] == 0.0  # torch's convention, which backviz follows
    assert trace.value(trace.ref("dE_L1/dW1")) == 0.0
    assert trace.value(trace.ref("dE_L1/dW2")) == pytest.approx(g1[0, 1]) == -0.1
    assert trace.value(trace.ref("dE_L2/dW2")) == pytest.approx(g2[0, 1]) == pytest.approx(-0.005)
    solution = render_solution(trace, "text")
    assert "sign(0) = 0" in solution and "λ₁·sign(W1)" in solution
    assert r"$\operatorname{sign}\left(0\right) = 0$" in render_solution(trace, "md", lang="ko")


def test_biases_only_with_include_bias(tmp_path: Path) -> None:
    nn = EXERCISES / "nn-221-regression.toml"
    without = backviz.solve(_with(tmp_path, "[regularization]\nl2 = 0.1\n", nn))
    names = [without.name(r) for r in without.refs()]
    assert "dE_L2/dW(2)_11@1" in names and not any(n.startswith("dE_L2/db") for n in names)
    path = tmp_path / "with.toml"
    path.write_text(
        nn.read_text(encoding="utf-8") + "\n[regularization]\nl2 = 0.1\ninclude_bias = true\n",
        encoding="utf-8",
    )
    trace = backviz.solve(path)
    b = trace.steps[0].b[0]
    data = trace.value(trace.ref("dE_data/db(2)_1@1"))
    assert trace.value(trace.ref("dE_L2/db(2)_1@1")) == pytest.approx(2 * 0.1 * b[0], rel=1e-15)
    total = trace.value(trace.ref("dE/db(2)_1@1"))
    assert total == pytest.approx(data + 2 * 0.1 * b[0], rel=1e-14)
    squares = sum(float(np.sum(w**2)) for w in trace.steps[0].W)
    squares += sum(float(np.sum(v**2)) for v in trace.steps[0].b if v is not None)
    assert trace.value(trace.ref("E_L2@1")) == pytest.approx(0.1 * squares, rel=1e-13)


def test_layered_names_and_symbols() -> None:
    text = REGULARIZED.read_text(encoding="utf-8").replace('"sequential"', '"layered"')
    trace = backviz.trace_of(backviz.loads(text))
    for name in ("E_data", "E_L1", "E_L2+", "dE_data/dW(3)_11", "dE_L1/dW(2)_12", "dE_L2/dW(3)_22"):
        trace.ref(name)  # each is a quantity of the layered exercise
    ref = trace.ref("dE_L2/dW(3)_11")
    assert trace.symbol(ref).text == "∂E_L2/∂W(3)_11"


# -- grading ------------------------------------------------------------------------------------


def test_penalty_is_askable() -> None:
    trace = backviz.solve(REGULARIZED)
    assert ask_group(trace.ref("E_L2")) == "penalty"
    assert ask_group(trace.ref("dE_L1/dW5")) == "penalty"
    assert ask_group(trace.ref("dE_data/dW5")) == "grad"
    assert ask_group(trace.ref("E_data")) == "loss"
    assert "penalty" in trace.exercise.ask.kinds  # asked unless [ask] says otherwise


def test_l2_factor_forgotten_applies_only_with_l2() -> None:
    ids = {m.id for m in applicable(backviz.load(REGULARIZED))}
    assert "l2-factor-forgotten" in ids
    assert "l2-factor-forgotten" not in {m.id for m in applicable(backviz.load(SEED))}


def test_l2_factor_forgotten_is_recognised() -> None:
    """A student who writes ∂(λ₂w²)/∂w = λ₂w by hand: the L2 terms are that mistake, the sums
    and the updates carried from them."""
    trace = backviz.solve(REGULARIZED)
    right = dict(trace.items())
    student = dict(right)
    for n, w in enumerate(WEIGHTS, start=1):  # by hand: λ₂·w, the 2 forgotten
        student[f"dE_L2/dW{n}"] = L2 * w
        student[f"dE/dW{n}"] = right[f"dE_data/dW{n}"] + L1 + L2 * w
        student[f"W{n}+"] = w - 0.5 * student[f"dE/dW{n}"]
    asked = {ref for ref in trace.refs() if trace.formula(ref) is not None and not ref.after}
    answers = {trace.name(r): f"{student[trace.name(r)]:.10f}" for r in asked}
    sheet = Submission("s", "s.csv", {k: parse_number(t) for k, t in answers.items()})
    (graded,) = ClassGrader(trace).grade([sheet])  # type: ignore[arg-type]
    verdicts = {v.name: v.verdict for v in graded.verdicts}
    for n in range(1, 9):
        assert verdicts[f"dE_L2/dW{n}"] == "mistake:l2-factor-forgotten"
        assert verdicts[f"dE/dW{n}"] == "carried"
        assert verdicts[f"W{n}+"] == "carried"
        assert verdicts[f"dE_L1/dW{n}"] == "correct"
    # the engine's switch gives the same numbers as the student's hand
    wrong = run(trace.exercise, Mistakes(l2_factor_forgotten=True))
    value = wrong.value(Ref(Kind.PENALTY_GRAD, 3, (1, 1), step=1, label=("L2", "W")))
    assert value == pytest.approx(L2 * 0.45, rel=1e-15)


def test_check_passes_with_torch_as_the_oracle() -> None:
    report = check(backviz.solve(REGULARIZED))
    assert report.ok
    groups = {c.kind for c in report.comparisons if c.source == "torch.autograd"}
    assert {"penalty", "E_data", "dE_data/dW", "dpenalty/dw", "dE/dW", "E"} <= groups


@pytest.mark.parametrize(("optimizer", "same"), [("sgd", True), ("adam", True), ("adamw", False)])
def test_l2_in_the_cost_is_not_weight_decay(optimizer: str, same: bool) -> None:
    """What README says: for the weights, λ₂Σw² in E steps as weight_decay = 2λ₂ in SGD and
    Adam (both add to the gradient the moments see) but not as AdamW's decoupled decay; and E
    holds the penalty only when it is in the cost."""
    text = SEED.read_text(encoding="utf-8").replace("steps = 1", "steps = 2")
    decay = text.replace("steps = 2", f'steps = 2\noptimizer = "{optimizer}"\nweight_decay = 0.002')
    cost = text.replace("steps = 2", f'steps = 2\noptimizer = "{optimizer}"\nweight_decay = 0.0')
    cost += "\n[regularization]\nl2 = 0.001\n"
    by_decay = backviz.trace_of(backviz.loads(decay))
    by_cost = backviz.trace_of(backviz.loads(cost))
    for mine, other in zip(by_decay.steps[-1].W_new, by_cost.steps[-1].W_new, strict=True):
        assert np.allclose(mine, other, rtol=1e-14, atol=0) is same
    squares = sum(w * w for w in WEIGHTS)
    E_decay, E_cost = by_decay.steps[0].forward.loss, by_cost.steps[0].forward.loss
    assert E_cost == pytest.approx(E_decay + 0.001 * squares, rel=1e-13)  # only in the cost


def test_latex_sets_the_bars_of_w_in_math(tmp_path: Path) -> None:
    """OT1 fonts set a plain | as an em dash: |w| in the note is math, \\lvert w \\rvert."""
    latex = render_solution(backviz.solve(REGULARIZED), "latex")
    note = next(line for line in latex.splitlines() if "penalty terms to the cost" in line)
    assert r"\lambda_1 \sum \lvert w \rvert" in note and "|" not in note


def test_a_coding_exercise_refuses_a_penalty(tmp_path: Path) -> None:
    """The student's function(W, b, x, t, learning_rate) is given no λ: refused, saying why."""
    code = EXERCISES / "code-xor-221.toml"
    with pytest.raises(ExerciseError, match=r"coding exercise.*found a \[code\] table"):
        backviz.load(_with(tmp_path, "[regularization]\nl1 = 0.1\n", code))


def test_json_has_the_data_loss_and_the_penalty_terms() -> None:
    data = to_data(backviz.solve(REGULARIZED))["steps"][0]
    assert data["data_loss"] == pytest.approx(0.02397190, abs=5e-9)  # the notes' E_total
    assert data["penalty"] == pytest.approx({"L1": 0.0345, "L2": 0.0016475}, rel=1e-12)
    assert data["loss"] == pytest.approx(data["data_loss"] + 0.0345 + 0.0016475, rel=1e-14)
    assert "penalty" not in to_data(backviz.solve(SEED))["steps"][0]


def test_the_readme_sheet_shows_the_l2_mistake() -> None:
    """examples/regularized-l2-factor-forgotten.csv (in README): every ∂E_L2/∂w is λ₂·w."""
    sheet = EXERCISES.parent / "examples" / "regularized-l2-factor-forgotten.csv"
    rows = dict(line.split(",") for line in sheet.read_text(encoding="utf-8").splitlines()[1:])
    for n, w in enumerate(WEIGHTS, start=1):
        assert float(rows[f"dE_L2/dW{n}"]) == pytest.approx(L2 * w, abs=5e-9)  # the 2 left out
    trace = backviz.solve(REGULARIZED)
    submission = Submission("l2-slip", sheet.name, {k: parse_number(v) for k, v in rows.items()})
    (graded,) = ClassGrader(trace).grade([submission])  # type: ignore[arg-type]
    verdicts = {v.name: v.verdict for v in graded.verdicts}
    assert {n for n, v in verdicts.items() if v != "correct"} == {
        f"dE_L2/dW{n}" for n in range(1, 9)
    }
    assert {verdicts[f"dE_L2/dW{n}"] for n in range(1, 9)} == {"mistake:l2-factor-forgotten"}


def test_the_readme_excerpts_are_real_output() -> None:
    """The lines README shows from `solve` and `check-answers` on the regularised exercise
    (indented blocks of the Exercise files section, which test_readme.py does not run)."""
    readme = (EXERCISES.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("- **Regularisation in the cost**") :]
    section = section[: section.index("- **Weights from a seed**")]
    blocks = [b.splitlines() for b in section.split("  ```")[1::2]]
    solve_lines = [line for line in blocks[1][1:] if line.strip() != "..."]
    sheet_block = blocks[2]
    root = EXERCISES.parent
    solved = render_solution(backviz.solve(REGULARIZED), "text").splitlines()
    shown_solve = [line.strip() for line in solve_lines]
    assert shown_solve and set(shown_solve) <= {line.strip() for line in solved}
    command = sheet_block[1].strip()
    assert command.startswith("$ backviz check-answers")
    args = command[2:].split()[1:]
    result = subprocess.run(
        [sys.executable, "-m", "backviz", *args], capture_output=True, text=True, cwd=root
    )
    printed = {line.strip() for line in result.stdout.splitlines()}
    shown = [line.strip() for line in sheet_block[2:] if line.strip() not in ("", "...")]
    assert shown and set(shown) <= printed


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "regularisation in the cost"), ("ko", "규제항")]
)
def test_the_problem_sheet_gives_the_strengths(tmp_path: Path, lang: str, label: str) -> None:
    write_handouts(REGULARIZED, tmp_path, fmt="md", lang=lang)
    sheet = (tmp_path / "seed-222-regularized.md").read_text(encoding="utf-8")
    given = next(line for line in sheet.splitlines() if label in line and "lambda_1" in line)
    assert r"$\lambda_1 = 0.01$" in given and r"$\lambda_2 = 0.001$" in given


def test_a_big_network_in_matrix_form_shows_the_penalty(tmp_path: Path) -> None:
    """Past MAX_DETAILED quantities a step is written layer by layer in matrix form: its
    ∂E/∂W line carries the penalty's terms, and E its parts; torch agrees on every number."""
    inputs = [[round(0.1 * (k % 10 + 1), 1) for k in range(30)]]
    path = tmp_path / "big.toml"
    path.write_text(
        'id = "big"\n[network]\nsizes = [30, 40, 20, 5]\nactivation = ["relu", "tanh", '
        '"identity"]\nloss = "mse"\n[parameters]\ninit = "uniform"\nseed = 1\n[data]\n'
        f"inputs = {inputs}\ntargets = [[0.1, 0.2, 0.3, 0.4, 0.5]]\n[training]\n"
        "learning_rate = 0.1\n[regularization]\nl1 = 0.001\nl2 = 0.01\ninclude_bias = true\n",
        encoding="utf-8",
    )
    trace = backviz.solve(path)
    text = render_solution(trace, "text")
    assert "∂E/∂W(3) = r·δ(3)ᵀ·a(2) + λ₁·sign(W(3)) + 2 × λ₂ × W(3)" in text
    assert "E_data = " in text and "E_L1 = " in text and "E_L2 = " in text
    report = check(trace, skip=("fd",))
    assert report.ok


def test_finite_differences_do_not_judge_a_weight_at_the_l1_kink(tmp_path: Path) -> None:
    """A weight within h of 0 (not 0): the quotient of λ₁|w| averages −λ₁ and +λ₁, torch takes
    sign(w)·λ₁. That gradient is not judged there, saying why; torch still agrees on it."""
    text = REGULARIZED.read_text(encoding="utf-8").replace("[[0.30, 0.25]", "[[1e-7, 0.25]")
    path = tmp_path / "near.toml"
    path.write_text(text, encoding="utf-8")
    report = check(backviz.solve(path))
    assert report.ok
    skipped = [u for c in report.comparisons for u in c.not_judged]
    assert [u.name for u in skipped] == ["dE/dW1"]
    assert "W1 = 1e-07" in skipped[0].detail and "L1 penalty" in skipped[0].reason
    torch_grads = next(
        c for c in report.comparisons if c.source == "torch.autograd" and c.kind == "dE/dW"
    )
    assert torch_grads.count == 8 and torch_grads.ok


def test_the_shipped_exercise_with_a_zero_weight_and_biases() -> None:
    """exercises/nn-221-regularized.toml: W(2)_12 = 0, biases penalised; torch.autograd on
    λ₁Σ|p| + λ₂Σp² over every weight and bias gives each penalty gradient."""
    trace = backviz.solve(EXERCISES / "nn-221-regularized.toml")
    record = trace.steps[0]
    params = [*record.W, *(b for b in record.b if b is not None)]
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    l1 = 0.01 * sum(torch.abs(t).sum() for t in tensors)
    l2 = 0.005 * sum((t**2).sum() for t in tensors)
    g1 = [g.numpy() for g in torch.autograd.grad(l1, tensors)]
    g2 = [g.numpy() for g in torch.autograd.grad(l2, tensors)]
    assert record.W[0][0, 1] == 0.0 and g1[0][0, 1] == 0.0
    assert trace.value(trace.ref("dE_L1/dW(2)_12@1")) == 0.0
    assert trace.value(trace.ref("E_L1@1")) == pytest.approx(l1.item(), rel=1e-14)
    assert trace.value(trace.ref("E_L2@1")) == pytest.approx(l2.item(), rel=1e-14)
    assert trace.value(trace.ref("dE_L1/db(2)_2@1")) == pytest.approx(g1[2][1]) == -0.01
    assert trace.value(trace.ref("dE_L2/db(3)_1@1")) == pytest.approx(g2[3][0], rel=1e-14)
    assert check(trace).ok
