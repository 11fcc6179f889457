"""`check` on every exercise of the project, and that it catches what it should."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import backviz
from backviz import verify
from backviz.cli import main
from backviz.core import engine
from backviz.core.formulas import LossTerm
from backviz.core.functions import ACTIVATIONS, activation
from backviz.verify import SKIPPABLE, CheckReport, check, check_table, torch_trace
from backviz.verify.differences import finite_differences
from tests.conftest import EXERCISES

ALL = sorted(p.name for p in EXERCISES.glob("*.toml"))


@pytest.mark.parametrize("name", ALL)
def test_every_exercise_agrees_with_torch_finite_differences_and_sympy(name: str) -> None:
    report = check(backviz.solve(EXERCISES / name))
    bad = [c for c in report.comparisons if not c.ok]
    assert not bad, [(c.source, c.kind, c.max_rel, c.worst) for c in bad]
    sources = {c.source for c in report.comparisons}
    if "expression" in (EXERCISES / name).read_text():
        assert {"sympy", "formulas"} <= sources
    else:
        assert {"torch.autograd", "formulas"} <= sources


def test_check_names_the_quantity_that_differs() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    record = trace.steps[0]
    wrong_delta = list(record.backward.delta)
    wrong_delta[0] = wrong_delta[0].copy()
    wrong_delta[0][0, 1] *= 1.001  # delta_h2 off by 0.1 %
    tampered = dataclasses.replace(
        record, backward=dataclasses.replace(record.backward, delta=tuple(wrong_delta))
    )
    trace.steps = (tampered,)
    report = check(trace)
    assert not report.ok
    (delta,) = [c for c in report.comparisons if c.source == "torch.autograd" and c.kind == "delta"]
    assert delta.worst == "delta_h2" and delta.failures == 1
    # the per-scalar formulas see it too: δ_h2 ≠ ∂E/∂h2 · ∂h2/∂z2 now
    (formula,) = [c for c in report.comparisons if c.source == "formulas" and c.kind == "delta"]
    assert not formula.ok


def test_softmax_output_with_ce_gives_the_same_numbers_as_raw_scores_with_ce() -> None:
    raw = backviz.solve(EXERCISES / "softmax-classification.toml")
    textbook = backviz.solve(EXERCISES / "softmax-classification-textbook.toml")
    a, b = raw.steps[0], textbook.steps[0]
    np.testing.assert_allclose(a.forward.z[0], b.forward.z[0], rtol=1e-15)
    assert a.forward.loss == pytest.approx(b.forward.loss, rel=1e-14)
    np.testing.assert_allclose(a.backward.delta[0], b.backward.delta[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.W_new[0], b.W_new[0], rtol=1e-14)
    # δ = softmax − one-hot, the textbook's result
    probabilities = b.forward.a[0]
    one_hot = np.eye(3)[textbook.exercise.classes]
    np.testing.assert_allclose(b.backward.delta[0], probabilities - one_hot, atol=1e-15)


def test_torch_reference_reproduces_the_notes_2_2_2_update() -> None:
    # the reference itself is checked against the notes' printed numbers
    reference = torch_trace(backviz.load(EXERCISES / "seed-222.toml"))
    np.testing.assert_allclose(
        reference.steps[0].W_new[1], [[0.43703857, 0.38685205], [0.69629578, 0.59624247]], atol=5e-9
    )
    assert reference.steps[0].after.loss == pytest.approx(0.02323634, abs=5e-9)


# -- `check` never cries wolf: exercises at the engine's conventions, torch the oracle -----------
#
# Each exercise hits a place where a source cannot simply compare: relu and leaky_relu with a
# pre-activation exactly 0 (integer weights and inputs, as hand exercises have), a sigmoid
# saturated at o = 1.0 in float64 under bce with t = 1 and t = 0, and pre-activations near ±30.
# torch computes each one itself (below, from the TOML text, never through backviz) and backviz
# agrees with it; so check must exit 0, saying in its notes what it could not judge. A planted
# error in the same exercise, even in a quantity finite differences did not judge, must still
# make it exit 1.

RELU_AT_ZERO = """
id = "relu-at-zero"
[network]
sizes = [2, 2, 1]
activation = ["relu", "identity"]
bias = false
loss = "half_sse"
[parameters]
W = [ [[1, -1], [2, 1]], [[1, 1]] ]
[data]
inputs = [[1, 1]]
targets = [[1]]
[training]
learning_rate = 0.5
"""
LEAKY_RELU_AT_ZERO = RELU_AT_ZERO.replace('"relu"', '"leaky_relu"').replace(
    'loss = "half_sse"', 'loss = "half_sse"\nnegative_slope = 0.25'
)
SATURATED_T1 = """
id = "saturated"
[network]
sizes = [2, 2]
activation = "sigmoid"
bias = false
loss = "bce"
[parameters]
W = [ [[20, 20], [0.5, -0.25]] ]
[data]
inputs = [[1, 1]]
targets = [[1, 0.5]]
[training]
learning_rate = 0.5
"""
SATURATED_T0 = SATURATED_T1.replace("targets = [[1, 0.5]]", "targets = [[0, 0.5]]")
LARGE_Z = """
id = "large-z"
[network]
sizes = [2, 2, 1]
activation = "sigmoid"
bias = true
loss = "mse"
[parameters]
W = [ [[15, 15], [-14, -16]], [[29, 1]] ]
b = [ [0, 0], [0.5] ]
[data]
inputs = [[1, 1]]
targets = [[0.5]]
[training]
learning_rate = 0.5
"""
# bce at z ≈ 25: not saturated (o(1 − o) ≈ 1e-11 is above the floor), but 1 − o keeps only 5
# digits in float64, and so does the loss −log(1 − o) that finite differences take apart
LARGE_Z_BCE = (
    LARGE_Z.replace('"mse"', '"bce"')
    .replace("[[29, 1]]", "[[24, 1]]")
    .replace("targets = [[0.5]]", "targets = [[0]]")
)
# a decimal sum that cancels: z = 0.1 + 0.2 − 0.3 is 5.55e-17 in float64 (torch's too) and
# 2.78e-17 exactly; sympy judges it by the digits of its terms
CANCELLING = """
id = "cancelling"
[network]
sizes = [3, 1]
activation = "sigmoid"
bias = false
loss = "half_sse"
[parameters]
W = [ [[0.1, 0.2, -0.3]] ]
[data]
inputs = [[1, 1, 1]]
targets = [[0.5]]
[training]
learning_rate = 0.1
"""
# cross-entropy behind a softmax: δ₁ + δ₂ = 0, so ∂E/∂a(2)_1 = −2·δ₁ − 2·δ₂ cancels to 0 in exact
# arithmetic and to a few units of 1e-16 in float64, differently in torch's order of rounding
SOFTMAX_CANCELS = """
id = "softmax-cancels"
[network]
sizes = [1, 1, 2]
activation = ["identity", "identity"]
bias = true
loss = "ce"
[parameters]
W = [ [[0]], [[-2], [-2]] ]
b = [ [-2], [1, -2] ]
[data]
inputs = [[-2]]
targets = [0]
[training]
learning_rate = 0.1
"""

KINK = "within the step h of a kink"
SATURATED = "saturated output"
COARSE = "own error"


@dataclass(frozen=True)
class Edge:
    toml: str
    hit: Callable[[dict[str, Any]], bool]  # on torch's own numbers: the case is really hit
    not_judged: dict[str, str]  # gradient name -> why finite differences cannot judge it
    planted: tuple[int, tuple[int, int]]  # (layer index, element) of grad_W to plant an error in


EDGES = {
    "relu z = 0": Edge(
        RELU_AT_ZERO,
        lambda ref: ref["z"][0][0, 0] == 0.0,
        {"dE/dW(2)_11": KINK, "dE/dW(2)_12": KINK},
        (0, (0, 0)),
    ),
    "leaky_relu z = 0": Edge(
        LEAKY_RELU_AT_ZERO,
        lambda ref: ref["z"][0][0, 0] == 0.0,
        {"dE/dW(2)_11": KINK, "dE/dW(2)_12": KINK},
        (0, (0, 0)),
    ),
    "sigmoid o = 1.0, bce, t = 1": Edge(
        SATURATED_T1,
        lambda ref: ref["a"][-1][0, 0] == 1.0,
        {"dE/dW(2)_11": SATURATED, "dE/dW(2)_12": SATURATED},
        (0, (0, 0)),
    ),
    "sigmoid o = 1.0, bce, t = 0": Edge(
        SATURATED_T0,
        lambda ref: ref["a"][-1][0, 0] == 1.0,
        {"dE/dW(2)_11": SATURATED, "dE/dW(2)_12": SATURATED},
        (0, (0, 0)),
    ),
    "|z| near 30": Edge(
        LARGE_Z,
        lambda ref: min(np.min(np.abs(z)) for z in ref["z"]) > 29,
        {},
        (1, (0, 0)),
    ),
    "|z| near 25, bce": Edge(
        LARGE_Z_BCE,
        lambda ref: 24 < ref["z"][-1][0, 0] < 27.6,  # above 27.6, o(1 − o) is under the floor
        {"dE/dW(3)_11": COARSE, "dE/db(3)_1": COARSE},
        (1, (0, 0)),
    ),
    "softmax δ cancels": Edge(
        SOFTMAX_CANCELS,
        lambda ref: abs(ref["grad_b"][0][0]) < 1e-15,  # ∂E/∂b(2)_1 = ∂E/∂a(2)_1, exactly 0
        {},
        (1, (0, 0)),
    ),
    "z = 0.1 + 0.2 − 0.3": Edge(
        CANCELLING,
        lambda ref: 0 < ref["z"][0][0, 0] < 1e-16,
        {},
        (0, (0, 0)),
    ),
}


def torch_step(toml: str) -> dict[str, Any]:
    """The exercise's network in torch, float64, from the TOML text alone: z, a, E, ∂E/∂W, ∂E/∂b."""
    spec = tomllib.loads(toml)
    net, data = spec["network"], spec["data"]
    sizes = net["sizes"]
    names = net["activation"]
    names = [names] * (len(sizes) - 1) if isinstance(names, str) else names
    slope = net.get("negative_slope", 0.01)
    functions = {
        "identity": lambda z: z,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, slope),
    }

    def tensor(values: list) -> torch.Tensor:
        return torch.tensor(values, dtype=torch.float64, requires_grad=True)

    W = [tensor(w) for w in spec["parameters"]["W"]]
    b = [tensor(v) if v else None for v in spec["parameters"].get("b") or [None] * len(W)]
    a = torch.tensor(data["inputs"], dtype=torch.float64)
    t = torch.tensor(data["targets"], dtype=torch.float64)
    zs, activations = [], []
    for w, bias, name in zip(W, b, names, strict=True):
        z = a @ w.T + (0 if bias is None else bias)
        a = functions[name](z)
        zs.append(z)
        activations.append(a)
    losses = {
        "half_sse": lambda o: 0.5 * ((t - o) ** 2).sum(dim=1).mean(),
        "mse": lambda o: torch.nn.functional.mse_loss(o, t),
        "bce": lambda o: torch.nn.functional.binary_cross_entropy(o, t),
        "ce": lambda o: torch.nn.functional.cross_entropy(o, t.long()),
    }
    loss = losses[net["loss"]](a)
    loss.backward()
    return {
        "z": [z.detach().numpy() for z in zs],
        "a": [a.detach().numpy() for a in activations],
        "E": loss.item(),
        "grad_W": [w.grad.numpy() for w in W],
        "grad_b": [None if v is None else v.grad.numpy() for v in b],
    }


def _write(tmp_path: Path, toml: str) -> Path:
    path = tmp_path / "edge.toml"
    path.write_text(toml, encoding="utf-8")
    return path


@pytest.mark.parametrize("edge", EDGES.values(), ids=EDGES.keys())
def test_backviz_computes_each_edge_as_torch_does(edge: Edge) -> None:
    reference = torch_step(edge.toml)
    assert edge.hit(reference)  # the exercise really is at the edge, in torch's own numbers
    record = backviz.trace_of(backviz.loads(edge.toml)).steps[0]
    for i, (z, a) in enumerate(zip(reference["z"], reference["a"], strict=True)):
        np.testing.assert_array_equal(record.forward.z[i], z)
        np.testing.assert_allclose(record.forward.a[i], a, rtol=1e-15)
    assert record.forward.loss == pytest.approx(reference["E"], rel=1e-15)
    for ours, theirs in zip(record.backward.grad_W, reference["grad_W"], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    for ours, theirs in zip(record.backward.grad_b, reference["grad_b"], strict=True):
        if theirs is not None:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("edge", EDGES.values(), ids=EDGES.keys())
def test_check_passes_each_edge_and_says_what_it_could_not_judge(
    edge: Edge, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["check", str(_write(tmp_path, edge.toml))])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "MISMATCH" not in result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note: ")]
    for name, why in edge.not_judged.items():
        assert any(name in note and why in note for note in notes), (name, notes)
    report = check(backviz.solve(_write(tmp_path, edge.toml)))
    assert report.ok
    unjudged = {u.name for c in report.comparisons for u in c.not_judged}
    assert unjudged == set(edge.not_judged)
    assert {c.source for c in report.comparisons for _ in c.not_judged} <= {"finite differences"}
    for c in report.comparisons:  # what was not judged is never counted as agreeing
        assert c.worst not in unjudged or c.source != "finite differences"
    last = result.output.splitlines()[-1]
    if edge.not_judged:
        n = len(edge.not_judged)
        assert last == f"all judged quantities agree; {n} not judged (see the notes)"
    else:
        assert last == "all quantities agree"


def _plant(monkeypatch: pytest.MonkeyPatch, layer: int, element: tuple[int, int]) -> None:
    """One gradient of the engine off by 1e-7 (relative; absolute where it is 0)."""
    real = engine.backward

    def planted(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        g = result.grad_W[layer]
        g[element] = g[element] * (1 + 1e-7) if g[element] else 1e-7
        return result

    monkeypatch.setattr(engine, "backward", planted)


@pytest.mark.parametrize("edge", EDGES.values(), ids=EDGES.keys())
def test_a_planted_error_in_an_edge_is_still_caught(
    edge: Edge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layer, (j, k) = edge.planted
    _plant(monkeypatch, layer, (j, k))
    result = CliRunner().invoke(main, ["check", str(_write(tmp_path, edge.toml))])
    assert result.exit_code == 1, result.output
    name = f"dE/dW({layer + 2})_{j + 1}{k + 1}"
    rows = [line for line in result.output.splitlines() if "MISMATCH ×" in line]
    assert any(line.startswith("torch.autograd") and name in line for line in rows), rows


def test_relu_derivative_one_half_at_the_kink_is_a_real_disagreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sympy's Heaviside(0) = ½ is not torch's relu′(0) = 0: an engine that took it fails."""
    relu = activation("relu")

    def heaviside(z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(z) > 0, 1.0, np.where(np.asarray(z) == 0, 0.5, 0.0))

    monkeypatch.setitem(
        ACTIVATIONS, "relu", lambda: dataclasses.replace(relu, derivative=heaviside)
    )
    result = CliRunner().invoke(main, ["check", str(_write(tmp_path, RELU_AT_ZERO))])
    assert result.exit_code == 1, result.output
    rows = [line.split() for line in result.output.splitlines() if "MISMATCH ×" in line]
    assert ["torch.autograd", "da/dz"] in [row[:2] for row in rows]
    assert ["sympy", "da/dz"] in [row[:2] for row in rows]


@pytest.mark.parametrize(
    ("offset", "judged"), [(0.0, False), (5e-4, False), (-5e-4, False), (0.01, True)]
)
def test_a_kink_is_skipped_only_within_the_step(offset: float, judged: bool) -> None:
    """z(2)_1 = offset; W(2)_11 moves it by ±h = ±1e-3: within the step only for |offset| < h."""
    toml = RELU_AT_ZERO.replace("bias = false", "bias = [true, false]").replace(
        "[[1, 1]] ]", f"[[1, 1]] ]\nb = [ [{offset!r}, 0], [] ]"
    )
    reference = torch_step(toml)
    assert reference["z"][0][0, 0] == offset
    report = check(backviz.trace_of(backviz.loads(toml)))
    assert report.ok
    unjudged = {u.name for c in report.comparisons for u in c.not_judged}
    moving_z1 = {"dE/dW(2)_11", "dE/dW(2)_12", "dE/db(2)_1"}
    assert unjudged == (set() if judged else moving_z1)


def test_a_slope_torch_takes_on_the_other_side_of_a_kink_is_not_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """z(2)_1 = 0 here; float64 may round a z at the kink to +1e-17 in torch's order of summing
    (a decimal exercise does: 0.2·0.6 − 0.3·0.4), where leaky_relu′ is 1, not the slope. What
    depends on that slope is not judged against torch; the rest still is."""
    real = verify.torch_trace

    def rounded_up(exercise: Any) -> Any:
        trace = real(exercise)
        record = trace.steps[0]
        z = [a.copy() for a in record.forward.z]
        z[0][0, 0] = 1e-17
        trace.steps = (
            dataclasses.replace(record, forward=dataclasses.replace(record.forward, z=tuple(z))),
        )
        return trace

    monkeypatch.setattr(verify, "torch_trace", rounded_up)
    report = check(backviz.trace_of(backviz.loads(LEAKY_RELU_AT_ZERO)), skip=["fd"])
    assert report.ok
    unjudged = {u.name for c in report.comparisons for u in c.not_judged}
    depends = {"da(2)_1/dz(2)_1", "delta(2)_1", "dE/dW(2)_11", "dE/dW(2)_12", "W(2)_11+"}
    assert depends <= unjudged
    assert not {"delta(3)_1", "dE/dW(3)_11", "da(2)_2/dz(2)_2", "z(2)_1"} & unjudged
    note = [n for n in report.unjudged_notes() if "other side of a kink" in n]
    assert note and "z(2)_1 = 0 here, 1e-17 in torch: leaky_relu" in note[0]


def test_a_decimal_kink_agrees_whichever_way_torch_rounds_it() -> None:
    toml = LEAKY_RELU_AT_ZERO.replace("[[1, -1], [2, 1]]", "[[0.2, 0.3], [2, 1]]").replace(
        "inputs = [[1, 1]]", "inputs = [[0.6, -0.4]]"
    )
    torch_z = torch_step(toml)["z"][0][0, 0]
    trace = backviz.trace_of(backviz.loads(toml))
    our_z = trace.steps[0].forward.z[0][0, 0]
    assert abs(torch_z) < 1e-16 and abs(our_z) < 1e-16  # 0 in decimals, ±rounding in float64
    report = check(trace)
    assert report.ok
    torch_unjudged = {
        u.name for c in report.comparisons if c.source == "torch.autograd" for u in c.not_judged
    }
    assert bool(torch_unjudged) == ((torch_z > 0) != (our_z > 0))


def test_finite_differences_still_catch_an_error_where_the_loss_is_coarse() -> None:
    """Where the loss has few digits a quotient is not judged within its own error, but an
    error far beyond that is a mismatch."""
    trace = backviz.trace_of(backviz.loads(LARGE_Z_BCE))
    record = trace.steps[0]
    grad_W = [g.copy() for g in record.backward.grad_W]
    grad_W[1][0, 0] *= 1.5
    trace.steps = (
        dataclasses.replace(
            record, backward=dataclasses.replace(record.backward, grad_W=tuple(grad_W))
        ),
    )
    report = CheckReport("coarse")
    finite_differences(report, trace)
    (weights,) = [c for c in report.comparisons if c.kind == "dE/dW"]
    assert not weights.ok and weights.worst == "dE/dW(3)_11"
    assert "dE/dW(3)_11" not in {u.name for u in weights.not_judged}


def test_skip_leaves_a_source_out_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    seed = str(EXERCISES / "seed-222.toml")
    result = CliRunner().invoke(main, ["check", seed, "--skip", "torch", "--skip", "fd"])
    assert result.exit_code == 0, result.output
    sources = {line.split("  ")[0] for line in result.output.splitlines()[3:]}
    assert "torch.autograd" not in sources and "finite differences" not in sources
    assert "note: torch.autograd: skipped (--skip torch)" in result.output
    assert "note: finite differences: skipped (--skip fd)" in result.output
    # the sources left still catch a planted error
    _plant(monkeypatch, 0, (0, 0))
    result = CliRunner().invoke(main, ["check", seed, "--skip", "torch", "--skip", "fd"])
    assert result.exit_code == 1 and "dE/dW1" in result.output
    result = CliRunner().invoke(main, ["check", seed, "--skip", "sympy"])
    assert "note: sympy: skipped (--skip sympy)" in result.output
    assert not [line for line in result.output.splitlines() if line.startswith("sympy ")]


def test_skip_names_are_the_sources_check_knows() -> None:
    (option,) = [p for p in main.commands["check"].params if p.name == "skip"]
    assert list(option.type.choices) == list(SKIPPABLE)
    result = CliRunner().invoke(main, ["check", str(EXERCISES / "seed-222.toml"), "--skip", "x"])
    assert result.exit_code == 2


def test_a_checker_that_fails_is_one_note_and_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(exercise: Any) -> Any:
        raise RuntimeError("no torch today\nsecond line")

    monkeypatch.setattr(verify, "torch_trace", broken)
    result = CliRunner().invoke(main, ["check", str(EXERCISES / "seed-222.toml")])
    assert "Traceback" not in result.output
    assert (
        "note: torch.autograd could not run (RuntimeError: no torch today); nothing of it is judged"
        in result.output.splitlines()
    )
    assert not [line for line in result.output.splitlines() if line.startswith("torch.autograd ")]
    # a source that judged nothing is not agreement: the check says it is incomplete (exit 4)
    assert result.exit_code == 4, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("INCOMPLETE: torch.autograd could not run") and "agree" in last
    assert "all quantities agree" not in result.output
    # skipping a source on purpose is not a failure: exit 0 as before
    skipped = CliRunner().invoke(
        main, ["check", str(EXERCISES / "seed-222.toml"), "--skip", "torch"]
    )
    assert skipped.exit_code == 0 and skipped.output.splitlines()[-1] == "all quantities agree"


def test_a_mismatch_outranks_a_source_that_could_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(exercise: Any) -> Any:
        raise RuntimeError("no torch today")

    monkeypatch.setattr(verify, "torch_trace", broken)
    _plant(monkeypatch, 0, (0, 0))
    result = CliRunner().invoke(main, ["check", str(EXERCISES / "seed-222.toml")])
    assert result.exit_code == 1 and "MISMATCH" in result.output.splitlines()[-1]


FROZEN_BIAS_REGULARIZED = """
id = "frozen-regularized"
[network]
sizes = [2, 2, 2]
activation = "sigmoid"
bias = true
loss = "half_sse"
[parameters]
W = [ [[0.30, 0.25], [0.40, 0.35]],  [[0.45, 0.40], [0.70, 0.60]] ]
b = [[0.1, 0.2], [0.3, 0.4]]
[data]
inputs  = [[0.1, 0.2]]
targets = [[0.4, 0.6]]
[training]
learning_rate = 0.5
steps = 2
train_bias = false
[regularization]
{norm} = 0.01
include_bias = {include}
"""


@pytest.mark.parametrize("include", ["true", "false"])
@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_a_penalty_over_frozen_biases_is_checked_by_torch(
    tmp_path: Path, norm: str, include: str
) -> None:
    """A frozen bias is a constant: the penalty may count it, but nothing differentiates it.
    torch runs (not a note that it could not) and agrees; the weights after two steps are
    those of a plain torch loop written here, λ·Σ|w| or λ·Σw² added to ½Σ(t − o)²."""
    path = tmp_path / "frozen.toml"
    path.write_text(FROZEN_BIAS_REGULARIZED.format(norm=norm, include=include), encoding="utf-8")
    trace = backviz.solve(path)
    report = check(trace, symbolic=False)
    assert report.complete and report.ok, report.notes
    torch_rows = {c.kind for c in report.comparisons if c.source == "torch.autograd"}
    assert {"dE/dW", "dE_data/dW", "dpenalty/dw", "W+"} <= torch_rows
    assert check_table(report).splitlines()[-1] == "all quantities agree"

    f64 = torch.float64
    x, t = torch.tensor([[0.1, 0.2]], dtype=f64), torch.tensor([[0.4, 0.6]], dtype=f64)
    W = [
        torch.tensor([[0.30, 0.25], [0.40, 0.35]], dtype=f64, requires_grad=True),
        torch.tensor([[0.45, 0.40], [0.70, 0.60]], dtype=f64, requires_grad=True),
    ]
    b = [torch.tensor([0.1, 0.2], dtype=f64), torch.tensor([0.3, 0.4], dtype=f64)]
    for _ in range(2):
        o = torch.sigmoid(torch.sigmoid(x @ W[0].T + b[0]) @ W[1].T + b[1])
        params = [*W, *b] if include == "true" else W
        size = sum(p.abs().sum() if norm == "l1" else (p**2).sum() for p in params)
        E = 0.5 * ((t - o) ** 2).sum() + 0.01 * size
        grads = torch.autograd.grad(E, W)
        W = [(w - 0.5 * g).detach().requires_grad_(True) for w, g in zip(W, grads, strict=True)]
    for ours, theirs in zip(trace.steps[-1].W_new, W, strict=True):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-13)
    np.testing.assert_array_equal(trace.steps[-1].b[1], [0.3, 0.4])  # never updated


def test_an_evaluation_that_fails_is_one_line_and_not_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Any, args: Any) -> Any:
        raise TypeError("Cannot convert complex to float")

    monkeypatch.setattr(LossTerm, "symbolic", broken)
    report = check(backviz.solve(EXERCISES / "seed-222.toml"))
    assert report.ok
    (terms,) = [c for c in report.comparisons if (c.source, c.kind) == ("sympy", "E term")]
    assert terms.count == 0 and {u.name for u in terms.not_judged} == {
        "E_o1",
        "E_o2",
        "E_o1+",
        "E_o2+",
    }
    table = check_table(report)
    (note,) = [line for line in table.splitlines() if "Cannot convert" in line]
    assert note.startswith("note: sympy did not judge E_o1") and "TypeError" in note
    assert "sympy               E term      0      4" in table and "not judged" in table


def test_an_expression_with_relu_at_zero_agrees_exactly() -> None:
    """relu′(0) = 0 in sympy's exact check of expressions too (not Heaviside's ½)."""
    trace = backviz.trace_of(
        backviz.loads(
            'id = "relu-zero"\nkind = "expression"\n[expression]\n'
            'inputs = { w = 3, x = 0 }\nnodes = ["g = w * x", "f = relu(g) + w"]\n'
        )
    )
    assert trace.grads["g"] == 0.0
    report = check(trace)
    assert report.ok and not report.not_judged


def test_with_every_independent_source_skipped_check_never_says_they_agree() -> None:
    """--skip torch --skip fd --skip sympy leaves only the worked formulas against the engine:
    the last line says so, never "all quantities agree" (exit 0, as a skip is asked for)."""
    seed = str(EXERCISES / "seed-222.toml")
    args = ["check", seed, "--skip", "torch", "--skip", "fd", "--skip", "sympy"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert "all quantities agree" not in result.output
    assert "no independent source ran" in last
