"""Coding exercises that train (`[code] contract = "train"`): seeds/003's one model written five
ways, graded on the weights after each step, each step from the student's own previous one.

Expected trajectories come from torch.optim run here (float64, and float32 as the notes' code
runs), never from backviz's own output.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import backviz
from backviz.core.engine import Mistakes, run
from backviz.core.loading import load
from backviz.errors import BackvizError
from backviz.grading.code_training import TrainJudge
from tests.conftest import EXERCISES, ROOT

TRAIN = ROOT / "tests" / "data" / "code" / "train"
SGD = EXERCISES / "code-train-sgd.toml"
ADAM = EXERCISES / "code-train-adam.toml"


def torch_trajectory(path: Path, dtype: torch.dtype = torch.float64) -> list[tuple]:
    """(W, b) after each step of the exercise at `path`, by torch.optim: SGD on ½ Σ (y − t)²
    (code-train-sgd) or Adam on F.mse_loss (code-train-adam), in `dtype`."""
    data = tomllib.loads(path.read_text())
    x = torch.tensor(data["data"]["inputs"], dtype=dtype)
    t = torch.tensor(data["data"]["targets"], dtype=dtype)
    W = torch.tensor(data["parameters"]["W"][0], dtype=dtype, requires_grad=True)
    biased = "b" in data["parameters"]
    b = (
        torch.tensor(data["parameters"]["b"][0], dtype=dtype, requires_grad=True)
        if biased
        else None
    )
    params = [W, b] if biased else [W]
    lr = data["training"]["learning_rate"]
    adam = data["training"].get("optimizer") == "adam"
    optimizer = torch.optim.Adam(params, lr=lr) if adam else torch.optim.SGD(params, lr=lr)
    history = []
    for _ in range(data["training"]["steps"]):
        y = x @ W.T + (b if biased else 0)
        loss = torch.nn.functional.mse_loss(y, t) if adam else 0.5 * (y - t).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append((W.detach().clone(), None if b is None else b.detach().clone()))
    return history


@pytest.mark.parametrize("path", [SGD, ADAM], ids=["sgd", "adam"])
def test_backviz_trains_as_torch_optim(path: Path) -> None:
    trace = backviz.solve(path)
    for record, (W, b) in zip(trace.steps, torch_trajectory(path), strict=True):
        np.testing.assert_allclose(record.W_new[0], W.numpy(), rtol=1e-12, atol=1e-15)
        if b is not None:
            np.testing.assert_allclose(record.b_new[0], b.numpy(), rtol=1e-12, atol=1e-15)


def grade(
    exercise: Path, files: list[str], out: Path, extra: tuple[Path, ...] = ()
) -> dict[str, dict[str, str]]:
    """`backviz grade` on files of tests/data/code/train (and `extra` paths): verdict per
    student and row."""
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "grade", str(exercise)]
        + [str(TRAIN / f"{name}.py") for name in files]
        + [str(path) for path in extra]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    table: dict[str, dict[str, str]] = {}
    for student, quantity, verdict, *_ in list(csv.reader((out / "verdicts.csv").open()))[1:]:
        table.setdefault(student, {})[quantity] = verdict
    return table


@pytest.fixture(scope="module")
def graded_sgd(tmp_path_factory) -> dict[str, dict[str, str]]:
    out = tmp_path_factory.mktemp("train-sgd")
    names = [
        "sgd_numpy",
        "sgd_autograd",
        "sgd_optim_module",
        "sgd_slip_at_step3",
        "sgd_gradient_doubled",
        "sgd_update_added",
        "sgd_no_zero_grad",
    ]
    return grade(SGD, names, out)


@pytest.fixture(scope="module")
def graded_adam(tmp_path_factory) -> tuple[dict[str, dict[str, str]], Path]:
    out = tmp_path_factory.mktemp("train-adam")
    names = [
        "adam_module",
        "adam_module_float32",
        "adam_numpy",
        "adam_as_sgd",
        "adam_no_update",
        "adam_one_pair",
        "adam_no_zero_grad",
        "adam_zero_grad_weight_only",
    ]
    return grade(ADAM, names, out), out


@pytest.mark.parametrize("student", ["sgd_numpy", "sgd_autograd", "sgd_optim_module"])
def test_every_style_of_the_notes_is_right_on_every_case(graded_sgd, student: str) -> None:
    verdicts = graded_sgd[student]
    assert list(verdicts) == [f"W(2)@{k}" for k in range(1, 6)]  # no bias: W only
    assert set(verdicts.values()) == {"correct"}


def test_a_slip_at_one_step_is_wrong_there_and_what_follows_is_carried(graded_sgd) -> None:
    verdicts = graded_sgd["sgd_slip_at_step3"]
    assert [verdicts[f"W(2)@{k}"] for k in range(1, 6)] == [
        "correct",
        "correct",
        "wrong",
        "carried",
        "carried",
    ]


@pytest.mark.parametrize("student", ["adam_module", "adam_numpy", "adam_module_float32"])
def test_adam_by_torch_optim_by_hand_and_in_float32_is_right(graded_adam, student: str) -> None:
    verdicts, _ = graded_adam
    assert len(verdicts[student]) == 10  # W and b after each of 5 steps
    assert set(verdicts[student].values()) == {"correct"}, verdicts[student]


def test_another_optimiser_or_no_update_is_wrong(graded_adam) -> None:
    verdicts, out = graded_adam
    assert set(verdicts["adam_as_sgd"].values()) == {"wrong"}
    assert set(verdicts["adam_no_update"].values()) == {"wrong"}
    assert set(verdicts["adam_one_pair"].values()) == {"wrong"}
    feedback = (out / "feedback" / "adam_one_pair.md").read_text()
    assert "train() should return a list of 5 (W, b) pairs, one per step; found a list of 2" in (
        feedback
    )
    grades = {row[0]: row[1:3] for row in csv.reader((out / "grades.csv").open())}
    assert grades["adam_module"] == ["10", "10"] and grades["adam_as_sgd"] == ["0", "10"]


ACCUMULATED = "mistake:gradients-accumulated"


def test_a_gradient_never_zeroed_is_the_mistake_from_step_2_through_the_sandbox(
    graded_sgd, graded_adam
) -> None:
    """The notes' autograd loop without `w.grad.zero_()`, and nn.Linear + torch.optim.Adam
    without `optimizer.zero_grad()`, as `backviz grade` runs them: right at step 1, the
    mistake at every step after it, half marks each (the catalogue's default)."""
    sgd = graded_sgd["sgd_no_zero_grad"]
    assert [sgd[f"W(2)@{k}"] for k in range(1, 6)] == ["correct"] + [ACCUMULATED] * 4
    verdicts, out = graded_adam
    adam = verdicts["adam_no_zero_grad"]
    for key in ("W", "b"):
        assert [adam[f"{key}(2)@{k}"] for k in range(1, 6)] == ["correct"] + [ACCUMULATED] * 4
    grades = {row[0]: row[1:3] for row in csv.reader((out / "grades.csv").open())}
    assert grades["adam_no_zero_grad"] == ["6", "10"]  # 2 × 1 + 8 × 0.5
    feedback = (out / "feedback" / "adam_no_zero_grad.md").read_text()
    assert "call optimizer.zero_grad() before loss.backward() at every step" in feedback


def test_a_gradient_zeroed_for_the_weights_only_is_the_mistake_in_the_bias_alone(
    graded_adam,
) -> None:
    """Fair to a loop that zeroes W's gradient but not b's: W's steps are right from their own
    weights (correct, then carried: full marks), b's are the mistake, at b alone."""
    verdicts, _ = graded_adam
    partial = verdicts["adam_zero_grad_weight_only"]
    assert [partial[f"W(2)@{k}"] for k in range(1, 6)] == ["correct"] * 2 + ["carried"] * 3
    assert [partial[f"b(2)@{k}"] for k in range(1, 6)] == ["correct"] + [ACCUMULATED] * 4


def linear_regression_as_training_code(tmp_path: Path) -> Path:
    """seeds/001's 1000-epoch linear regression as a training exercise."""
    text = (EXERCISES / "simple-linear-regression.toml").read_text()
    path = tmp_path / "train-linear.toml"
    path.write_text(text + '\n[code]\ncontract = "train"\n')
    return path


def notes_code_1000_epochs(dtype: torch.dtype) -> list[tuple[list, list]]:
    """seeds/001's "Full training code" as the notes write it, the weights after each epoch."""
    x_train = torch.tensor([[1.0], [2.0], [3.0]], dtype=dtype)
    y_train = torch.tensor([[2.0], [4.0], [6.0]], dtype=dtype)
    W = torch.zeros(1, requires_grad=True, dtype=dtype)
    b = torch.zeros(1, requires_grad=True, dtype=dtype)
    optimizer = torch.optim.SGD([W, b], lr=0.01)
    history = []
    for _ in range(1000):
        cost = torch.mean((x_train * W + b - y_train) ** 2)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        weights = W.detach().double().clone().numpy().reshape(1, 1)
        history.append(([weights], [b.detach().double().clone().numpy()]))
    return history


def test_float32_is_judged_to_float32_precision_step_by_step(tmp_path) -> None:
    exercise = load(linear_regression_as_training_code(tmp_path))
    judge = TrainJudge(exercise, run(exercise))
    float32 = notes_code_1000_epochs(torch.float32)
    float64 = notes_code_1000_epochs(torch.float64)
    # the point: after 1000 epochs float32 is off the float64 run by far more than a
    # float64 answer is allowed (1e-6 of the step's change): judged against float64, it fails
    b32, b64, b64_before = float32[-1][1][0][0], float64[-1][1][0][0], float64[-2][1][0][0]
    assert abs(b32 - b64) > 10 * 1e-6 * abs(b64 - b64_before)
    for run_ in (float32, float64):
        (verdicts,) = judge.judge([run_])
        assert {verdict for verdict, _ in verdicts.values()} == {"correct"}
    # a float64 run rounded to float32 at one step only is not a float32 run: wrong there
    wrong = [([w.copy() for w in W], [v.copy() for v in b]) for W, b in float64]
    wrong[500][0][0] = wrong[500][0][0].astype(np.float32).astype(float) + 1e-6
    (verdicts,) = judge.judge([wrong])
    assert verdicts[("W@501", 0)][0] == "wrong"
    # step 502 (the float64 run's) does not follow from their step 501; 503 follows from 502
    assert verdicts[("W@502", 0)][0] == "wrong"
    assert verdicts[("W@503", 0)][0] == "carried"
    assert verdicts[("W@1000", 0)][0] == "carried"


def test_a_float64_answer_off_by_a_float32_step_is_wrong_and_never_told_to_cast(
    tmp_path,
) -> None:
    exercise = load(linear_regression_as_training_code(tmp_path))
    judge = TrainJudge(exercise, run(exercise))
    float64 = notes_code_1000_epochs(torch.float64)
    # W's last step taken by torch in float32 (from step 999's weights), b's in float64: a
    # float64 answer off by float32's rounding is judged as float64 (1e-6 of the step)
    W = torch.tensor(float64[-2][0][0].reshape(1), dtype=torch.float32, requires_grad=True)
    b = torch.tensor(float64[-2][1][0], dtype=torch.float32, requires_grad=True)
    x = torch.tensor([[1.0], [2.0], [3.0]])
    cost = torch.mean((x * W + b - 2 * x) ** 2)
    cost.backward()
    with torch.no_grad():
        W -= 0.01 * W.grad
    mixed = list(float64)
    mixed[-1] = ([W.detach().double().numpy().reshape(1, 1) + 1e-12], float64[-1][1])
    (verdicts,) = judge.judge([mixed])
    assert verdicts[("W@999", 0)][0] == "correct"
    verdict, detail = verdicts[("W@1000", 0)]
    assert verdict == "wrong"
    # what float32 makes of a float64 slip cannot be told from float32's own rounding: no
    # advice about float32 at all, and never to cast
    assert "float32" not in detail


def test_starter_file_and_notebook_of_a_training_exercise(tmp_path) -> None:
    for lang in ("en", "ko"):
        result = subprocess.run(
            [sys.executable, "-m", "backviz", "template", str(ADAM), "--lang", lang],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert "def train(W, b, x, t, learning_rate, steps):" in result.stdout
        assert "torch.set_default_dtype(torch.float64)" in result.stdout
        assert "adam (lr 0.01, betas 0.9/0.999, eps 1e-08)" in result.stdout
        compile(result.stdout, "starter.py", "exec")
    notebook = tmp_path / "starter.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "template", str(SGD), "-o", str(notebook)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    cells = ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]]
    assert "history = train(W, b, x, t, learning_rate, steps)" in cells[-1]
    assert "steps = 5" in cells[-1]


def test_an_unknown_contract_is_a_clear_message(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SGD.read_text().replace('contract = "train"', 'contract = "trian"'))
    with pytest.raises(BackvizError) as error:
        load(path)
    message = str(error.value)
    assert "code.contract" in message and "'trian'" in message and "did you mean 'train'" in message


# -- property: whatever the model and optimiser, torch.optim's own run is judged right, in
# float64 and in float32, and a step nudged off it is wrong there and carried after ----------

OPTIMISERS = {
    "sgd": (lambda p, lr: torch.optim.SGD(p, lr=lr), ""),
    "momentum": (lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), "momentum = 0.9"),
    "adam": (lambda p, lr: torch.optim.Adam(p, lr=lr), ""),
    "rmsprop": (lambda p, lr: torch.optim.RMSprop(p, lr=lr), ""),
    "adagrad": (lambda p, lr: torch.optim.Adagrad(p, lr=lr), ""),
}


def _matrix(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return np.round(rng.uniform(-1, 1, size=shape), 2)


def _toml_list(values: np.ndarray) -> str:
    return json.dumps(values.tolist())


@pytest.mark.parametrize("kind", list(OPTIMISERS))
@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data())
def test_torch_optim_runs_are_judged_right_step_by_step(
    kind: str, data: st.DataObject, tmp_path_factory
) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    n_in, n_out = (
        data.draw(st.integers(1, 3), label="in"),
        data.draw(st.integers(1, 3), label="out"),
    )
    hidden = data.draw(st.sampled_from([0, 2]), label="hidden")
    bias = data.draw(st.booleans(), label="bias")
    steps = data.draw(st.integers(1, 4), label="steps")
    # up to 0.1: RMSprop's first step is 10 lr, and a tanh saturated by it makes float32's
    # gradient meaningless (1 − tanh² cancels), so that float32 cannot follow float64 at all
    lr = data.draw(st.sampled_from([0.01, 0.05, 0.1]), label="lr")
    n = data.draw(st.integers(1, 4), label="samples")
    sizes = [n_in, *([hidden] if hidden else []), n_out]
    W = [_matrix(rng, sizes[i + 1], sizes[i]) for i in range(len(sizes) - 1)]
    b = [_matrix(rng, sizes[i + 1]) for i in range(len(sizes) - 1)]
    x, t = _matrix(rng, n, n_in), _matrix(rng, n, n_out)
    make, setting = OPTIMISERS[kind]
    name = "sgd" if kind == "momentum" else kind
    text = f"""id = "prop"
[network]
sizes = {sizes}
activation = {json.dumps(["tanh", "identity"] if hidden else ["identity"])}
bias = {str(bias).lower()}
loss = "mse"
[parameters]
W = {json.dumps([w.tolist() for w in W])}
{"b = " + json.dumps([v.tolist() for v in b]) if bias else ""}
[data]
inputs = {_toml_list(x)}
targets = {_toml_list(t)}
[training]
optimizer = "{name}"
learning_rate = {lr}
steps = {steps}
{setting}
[code]
contract = "train"
"""
    path = tmp_path_factory.mktemp("prop") / "prop.toml"
    path.write_text(text)
    exercise = load(path)
    judge = TrainJudge(exercise, run(exercise))

    def torch_run(dtype: torch.dtype, zero_grad: bool = True) -> list:
        Ws = [torch.tensor(w, dtype=dtype, requires_grad=True) for w in W]
        bs = [torch.tensor(v, dtype=dtype, requires_grad=True) for v in b] if bias else []
        optimizer = make([*Ws, *bs], lr)
        xs, ts = torch.tensor(x, dtype=dtype), torch.tensor(t, dtype=dtype)
        history = []
        for _ in range(steps):
            a = xs
            for i, w in enumerate(Ws):
                a = a @ w.T + (bs[i] if bias else 0)
                a = torch.tanh(a) if hidden and i == 0 else a
            loss = torch.nn.functional.mse_loss(a, ts)
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history.append(
                (
                    [w.detach().double().clone().numpy() for w in Ws],
                    [v.detach().double().clone().numpy() for v in bs] if bias else [None] * len(Ws),
                )
            )
        return history

    for dtype in (torch.float64, torch.float32):
        (verdicts,) = judge.judge([torch_run(dtype)])
        assert {v for v, _ in verdicts.values()} == {"correct"}, (dtype, verdicts)
    # step 1's first weight nudged by 1e-3: wrong there; step 2 (torch's, from the right
    # weights) then follows from neither, and nothing before it is touched
    nudged = torch_run(torch.float64)
    nudged[0][0][0] = nudged[0][0][0] + 1e-3
    (verdicts,) = judge.judge([nudged])
    assert verdicts[("W@1", 0)][0] == "wrong"
    if bias:
        assert verdicts[("b@1", 0)][0] == "correct"
    # optimizer.zero_grad() forgotten: right at step 1, the catalogued mistake at every step
    # after it, each from the student's own weights and the state their summed gradients built
    (verdicts,) = judge.judge([torch_run(torch.float64, zero_grad=False)])
    for (key, _), (verdict, _) in verdicts.items():
        if key.startswith("W") or bias:  # no bias: b's rows ask for None, right as None
            assert verdict == ("correct" if key.endswith("@1") else ACCUMULATED), key
    # in float32 (1e-3 of the step) Adam's step, nearly blind to the gradient's scale, from
    # summed gradients g₁ + … + gₛ ≈ s·g can come within the tolerance of the right one, or of
    # another mistake's (the batch summed: N·g): then it is that, never wrong
    (verdicts,) = judge.judge([torch_run(torch.float32, zero_grad=False)])
    for (key, _), (verdict, _) in verdicts.items():
        if key.startswith("W") or bias:
            if key.endswith("@1"):
                assert verdict == "correct", key
            else:
                assert verdict == "carried" or verdict.startswith("mistake:"), key
    # and the engine's own switch (what answer sheets are marked against) is torch's run
    accumulated = run(exercise, Mistakes(gradients_accumulated=True))
    never_zeroed = torch_run(torch.float64, zero_grad=False)
    for record, (W_torch, b_torch) in zip(accumulated.steps, never_zeroed, strict=True):
        for ours, theirs in zip(record.W_new + record.b_new, W_torch + b_torch, strict=True):
            if theirs is not None:
                np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)


def test_the_problem_sheet_says_what_train_returns(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "handout",
            str(ADAM),
            "-o",
            str(tmp_path),
            "--format",
            "md",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "code-train-adam.md").read_text()
    assert "train(W, b, x, t, learning_rate, steps)" in text
    assert "trains the network for 5 steps" in text and "returns, for every layer" not in text
    assert "trains this network step by step" in text


def test_the_starter_notebook_filled_in_is_graded(tmp_path) -> None:
    starter = tmp_path / "starter.ipynb"
    made = subprocess.run(
        [sys.executable, "-m", "backviz", "template", str(SGD), "-o", str(starter)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert made.returncode == 0, made.stderr
    notebook = json.loads(starter.read_text())
    (stub,) = [c for c in notebook["cells"] if "".join(c["source"]).startswith("def train")]
    stub["source"] = (TRAIN / "sgd_numpy.py").read_text()
    handed = tmp_path / "hand-in"
    handed.mkdir()
    (handed / "s01.ipynb").write_text(json.dumps(notebook))
    out = tmp_path / "out"
    verdicts = grade(SGD, [], out, extra=(handed,))
    assert set(verdicts["s01"].values()) == {"correct"}


def test_a_catalogued_mistake_is_named_at_the_step_it_is_made(graded_sgd) -> None:
    doubled = graded_sgd["sgd_gradient_doubled"]
    assert set(doubled.values()) == {"mistake:derivative-doubled"}  # made at every step
    added = graded_sgd["sgd_update_added"]
    assert [added[f"W(2)@{k}"] for k in range(1, 6)] == [
        "correct",
        "mistake:update-added",
        "carried",
        "carried",
        "carried",
    ]


# -- optimizer.zero_grad() forgotten: a 2-3-1 tanh network with biases, torch's own loops ------

TWO_THREE_ONE = """id = "never-zeroed"
[network]
sizes = [2, 3, 1]
activation = ["tanh", "identity"]
bias = true
loss = "mse"
[parameters]
W = [ [[0.3, -0.2], [0.5, 0.1], [-0.4, 0.6]], [[0.2, -0.3, 0.4]] ]
b = [ [0.1, -0.1, 0.05], [0.2] ]
[data]
inputs = [[0.5, -1.0], [1.2, 0.3], [-0.7, 0.8]]
targets = [[0.3], [-0.5], [0.9]]
[training]
optimizer = "{optimizer}"
learning_rate = 0.05
steps = 4
{setting}
[code]
contract = "train"
"""


def loop_2_3_1(path: Path, make, zero: str) -> list:
    """The exercise at `path` trained by torch.optim (`make`), float64, zeroing before each
    `loss.backward()` every gradient (`zero="all"`: optimizer.zero_grad()), none, or the
    weights' only (`"W"`: W.grad.zero_(), b's left to pile up)."""
    data = tomllib.loads(path.read_text())
    Ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in data["parameters"]["W"]]
    bs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in data["parameters"]["b"]]
    x = torch.tensor(data["data"]["inputs"], dtype=torch.float64)
    t = torch.tensor(data["data"]["targets"], dtype=torch.float64)
    optimizer = make([*Ws, *bs], data["training"]["learning_rate"])
    history = []
    for _ in range(data["training"]["steps"]):
        y = torch.tanh(x @ Ws[0].T + bs[0]) @ Ws[1].T + bs[1]
        loss = torch.nn.functional.mse_loss(y, t)
        if zero == "all":
            optimizer.zero_grad()
        elif zero == "W":
            for w in Ws:
                if w.grad is not None:
                    w.grad.zero_()
        loss.backward()
        optimizer.step()
        history.append(
            ([w.detach().clone().numpy() for w in Ws], [v.detach().clone().numpy() for v in bs])
        )
    return history


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_a_loop_that_never_zeroes_grad_is_the_mistake_at_every_step_after_the_first(
    kind: str, tmp_path: Path
) -> None:
    make, setting = OPTIMISERS[kind]
    path = tmp_path / "never-zeroed.toml"
    name = "sgd" if kind == "momentum" else kind
    path.write_text(TWO_THREE_ONE.format(optimizer=name, setting=setting))
    exercise = load(path)
    judge = TrainJudge(exercise, run(exercise))
    steps = range(1, 5)

    def by_row(zero: str) -> dict[str, list[str]]:
        (verdicts,) = judge.judge([loop_2_3_1(path, make, zero)])
        return {
            f"{key}({layer})": [verdicts[(f"{key}@{k}", layer - 2)][0] for k in steps]
            for key in ("W", "b")
            for layer in (2, 3)
        }

    # a right loop is right everywhere, never this mistake
    assert {v for row in by_row("all").values() for v in row} == {"correct"}
    # no gradient zeroed: step 1 right (nothing held yet), then every row the mistake
    for row in by_row("none").values():
        assert row == ["correct", ACCUMULATED, ACCUMULATED, ACCUMULATED]
    # W's zeroed but not b's: W's steps follow from their own weights (carried once b has
    # gone its own way), b's are the mistake
    partial = by_row("W")
    for layer in (2, 3):
        assert partial[f"W({layer})"] == ["correct", "correct", "carried", "carried"]
        assert partial[f"b({layer})"] == ["correct", ACCUMULATED, ACCUMULATED, ACCUMULATED]
    assert judge.credit(ACCUMULATED) == 0.5  # the catalogue's default, as every mistake
    assert judge.credit("carried") == 1.0


def test_the_mistakes_credit_and_words_follow_the_exercise(tmp_path: Path) -> None:
    make, setting = OPTIMISERS["adam"]
    path = tmp_path / "never-zeroed.toml"
    text = TWO_THREE_ONE.format(optimizer="adam", setting=setting)
    path.write_text(text + '[ask]\nmistake_credit = { "gradients-accumulated" = 0.25 }\n')
    exercise = load(path)
    judge = TrainJudge(exercise, run(exercise), lang="ko")
    assert judge.credit(ACCUMULATED) == 0.25
    (verdicts,) = judge.judge([loop_2_3_1(path, make, "none")])
    verdict, detail = verdicts[("W@2", 0)]
    assert verdict == ACCUMULATED
    assert "optimizer.zero_grad()" in detail and "loss.backward() 전에" in detail


# -- σ′ left out in one layer alone: each layer's version of the mistake is its own step --------

SIGMOID_2_2_1 = """id = "one-layer-slip"
[network]
sizes = [2, 2, 1]
activation = "sigmoid"
bias = true
loss = "mse"
[parameters]
W = [ [[0.3, -0.2], [0.4, 0.1]], [[0.5, 0.6]] ]
b = [ [0.1, -0.1], [0.2] ]
[data]
inputs = [[0.5, 1.0], [1.0, -1.0]]
targets = [[1.0], [0.0]]
[training]
learning_rate = 0.5
steps = 2
[code]
contract = "train"
"""


def sigmoid_loop_without_derivative(path: Path, left_out: set[int]) -> list:
    """A student's numpy loop for the 2-2-1 sigmoid network (MSE, the mean over samples) that
    leaves σ′ = a(1 − a) out of δ in the layers `left_out` (2: hidden, 3: output)."""
    data = tomllib.loads(path.read_text())
    W = [np.array(w) for w in data["parameters"]["W"]]
    b = [np.array(v) for v in data["parameters"]["b"]]
    x, t = np.array(data["data"]["inputs"]), np.array(data["data"]["targets"])
    lr, n = data["training"]["learning_rate"], len(x)
    history = []
    for _ in range(data["training"]["steps"]):
        h = 1 / (1 + np.exp(-(x @ W[0].T + b[0])))
        o = 1 / (1 + np.exp(-(h @ W[1].T + b[1])))
        delta3 = 2 * (o - t) * (1 if 3 in left_out else o * (1 - o))
        delta2 = (delta3 @ W[1]) * (1 if 2 in left_out else h * (1 - h))
        grads = [(delta2.T @ x / n, delta2.mean(0)), (delta3.T @ h / n, delta3.mean(0))]
        W = [w - lr * g for w, (g, _) in zip(W, grads, strict=True)]
        b = [v - lr * g for v, (_, g) in zip(b, grads, strict=True)]
        history.append(([w.copy() for w in W], [v.copy() for v in b]))
    return history


def test_sigma_prime_left_out_in_one_layer_is_named_with_that_layer(tmp_path: Path) -> None:
    path = tmp_path / "one-layer-slip.toml"
    path.write_text(SIGMOID_2_2_1)
    exercise = load(path)
    judge = TrainJudge(exercise, run(exercise))
    assert set(judge.judge([sigmoid_loop_without_derivative(path, set())])[0].values()) == {
        ("correct", "")
    }
    (output,) = judge.judge([sigmoid_loop_without_derivative(path, {3})])
    assert {v for v, _ in output.values()} == {"mistake:no-activation-derivative"}
    assert output[("W@1", 1)][1].endswith("(here, in layer 3)")
    (hidden,) = judge.judge([sigmoid_loop_without_derivative(path, {2})])
    assert hidden[("W@1", 0)][0] == "mistake:no-activation-derivative"
    assert hidden[("W@1", 0)][1].endswith("(here, in layer 2)")
    assert hidden[("W@1", 1)][0] == "correct"  # the output layer's step is untouched by it
    (both,) = judge.judge([sigmoid_loop_without_derivative(path, {2, 3})])
    assert {v for v, _ in both.values()} == {"mistake:no-activation-derivative"}
    assert not both[("W@1", 0)][1].endswith(")")  # every layer: no layer named
