"""Every number the course notes print for their examples, reproduced by backviz.

Expected values are the notes' own printed tables (seeds/000, 002, 004), to the precision the
notes print: 8 decimals for the 2-2-2 example; float32 results (torch's default dtype in the
notes) for the regression runs, so those are compared with a tolerance that float32 rounding
explains.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import backviz
from tests.conftest import EXERCISES

# seeds/004: the 2-2-2 worked example, printed to 8 decimals. Where the notes mislabel (they
# print z3's value on a line "z3 = … = 0.11") the correct label is used here; where they
# misprint a formula (W1+ written as 0.1 − 0.5 × 0.00080888) the printed result is used.
SEED_222 = {
    "z1": 0.08,
    "z2": 0.11,
    "h1": 0.51998934,
    "h2": 0.52747230,
    "z3": 0.44498412,
    "o1": 0.60944600,
    "o2": 0.66384491,
    "E_o1": 0.02193381,
    "E_o2": 0.00203809,
    "E_total": 0.02397190,
    "dE/do1": 0.20944600,
    "do1/dz3": 0.23802157,
    "dE/dW5": 0.02592286,
    "W5+": 0.43703857,
    "W6+": 0.38685205,
    "W7+": 0.69629578,
    "W8+": 0.59624247,
    "dE_o1/dh1": 0.02243370,  # the notes' spelling of the path of h1 through o1
    "dE/dh1 via z4": 0.00997311,
    "dE/dh1": 0.03240681,
    "dh1/dz1": 0.24960043,
    "dE/dW1": 0.00080888,
    "W1+": 0.29959556,
    "W2+": 0.24919112,
    "W3+": 0.39964496,
    "W4+": 0.34928991,
    "z1+": 0.07979778,
    "z2+": 0.10982248,
    "h1+": 0.51993887,
    "h2+": 0.52742806,
    "z3+": 0.43126996,
    "z4+": 0.67650625,
    "o1+": 0.60617688,
    "o2+": 0.66295848,
    "E_o1+": 0.02125445,
    "E_o2+": 0.00198189,
    "E_total+": 0.02323634,
}


@pytest.fixture(scope="module")
def seed_222() -> backviz.Exercise:
    return backviz.solve(EXERCISES / "seed-222.toml")


@pytest.mark.parametrize(("name", "printed"), SEED_222.items())
def test_seed_222_matches_the_notes(seed_222, name: str, printed: float) -> None:
    value = seed_222.value(seed_222.ref(name))
    # printed to 8 decimals: the true value rounds to the printed one
    assert abs(value - printed) <= 0.5e-8 + 1e-15, (name, value, printed)


def test_seed_222_z4_which_the_notes_print_only_inside_a_mislabelled_line(seed_222) -> None:
    # "z4 = W7 h1 + W8 h2 = 0.7 × h1 + 0.6 × h2 = 0.44498412" in the notes is z3's value;
    # z4 itself is 0.7·0.51998934 + 0.6·0.52747230
    assert seed_222.value(seed_222.ref("z4")) == pytest.approx(
        0.7 * 0.5199893401555818 + 0.6 * 0.5274723043445937
    )


def test_linear_regression_run_of_the_notes() -> None:
    trace = backviz.solve(EXERCISES / "linear-regression.toml")
    # epoch 1: hypothesis 0, cost 29661.800781 (float32 print of 29661.8)
    assert trace.steps[0].forward.loss == pytest.approx(29661.8, rel=1e-12)
    # epoch 2: the hypothesis after one step
    np.testing.assert_allclose(
        trace.steps[1].forward.a[-1].ravel(),
        [67.2578, 80.8397, 79.6523, 86.7394, 61.6605],
        atol=0.5e-4,
    )
    # epochs 3 and 4 as printed
    np.testing.assert_allclose(
        trace.steps[2].forward.a[-1].ravel(),
        [104.9128, 126.0990, 124.2466, 135.3015, 96.1821],
        atol=0.5e-4,
    )
    assert trace.steps[1].forward.loss == pytest.approx(9298.520508, rel=1e-6)
    assert trace.steps[2].forward.loss == pytest.approx(2915.712891, rel=1e-6)
    # epoch 100: cost 1.564298 in float32; 100 float32 steps drift by a few 1e-6
    assert trace.steps[99].forward.loss == pytest.approx(1.564298, rel=1e-5)
    np.testing.assert_allclose(
        trace.steps[99].forward.a[-1].ravel(),
        [152.7695, 183.6982, 180.9592, 197.0628, 140.1332],
        atol=2e-3,
    )


def test_logistic_regression_run_of_the_notes() -> None:
    trace = backviz.solve(EXERCISES / "logistic-regression.toml")
    printed = {
        375: 0.3568093776702881,
        376: 0.35652604699134827,
        377: 0.3562430441379547,
        378: 0.35596051812171936,
    }
    for epoch, cost in printed.items():
        assert trace.steps[epoch - 1].forward.loss == pytest.approx(cost, rel=1e-6)
    np.testing.assert_allclose(
        trace.steps[-1].forward.a[-1].ravel(),
        [0.0725, 0.1928, 0.4653, 0.7150, 0.8905, 0.9654],
        atol=0.5e-4,
    )


def test_xor_single_layer_is_stuck_at_ln_2() -> None:
    trace = backviz.solve(EXERCISES / "xor-single-layer.toml")
    for record in trace.steps:
        # the notes print 0.6931471824645996: ln 2 in float32
        assert record.forward.loss == pytest.approx(math.log(2), rel=1e-15)
        assert record.forward.loss == pytest.approx(0.6931471824645996, rel=1e-8)
    np.testing.assert_array_equal(trace.steps[-1].after.a[-1].ravel(), [0.5, 0.5, 0.5, 0.5])


@pytest.mark.parametrize(
    ("name", "truth_table"),
    [
        ("and-gate", [0, 0, 0, 1]),
        ("nand-gate", [1, 1, 1, 0]),
        ("or-gate", [0, 1, 1, 1]),
        ("xor-gates", [0, 1, 1, 0]),
    ],
)
def test_perceptron_gates_of_the_notes(name: str, truth_table: list[int]) -> None:
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    np.testing.assert_array_equal(trace.steps[0].forward.a[-1].ravel(), truth_table)
    assert trace.steps[0].forward.loss == 0.0
    assert trace.steps[0].backward is None  # forward only


def test_chain_rule_of_the_notes() -> None:
    trace = backviz.solve(EXERCISES / "chain-rule.toml")
    expected = {
        "g": -10,
        "f": -7,
        "df/dw": 5,
        "df/dx": -2,
        "df/db": 1,
        "df/dg": 1,
        "dg/dw (local)": 5,
        "dg/dx (local)": -2,
        "df/dg (local)": 1,
        "df/db (local)": 1,
    }
    for name, value in expected.items():
        assert trace.value(trace.ref(name)) == value, name


def test_autograd_example_of_the_notes() -> None:
    trace = backviz.solve(EXERCISES / "autograd-square.toml")
    assert trace.value(trace.ref("z")) == 13
    assert trace.value(trace.ref("dz/dw")) == 8  # "수식을 w로 미분한 값 : 8.0"


# seeds/001's simple linear regression. The notes print no output for these runs, only the
# code (and, for H = Wx, its print format `W: {:.3f} Cost: {:.6f}`), so the expected values
# are (a) exact rational arithmetic of the notes' formulas, step by step, and (b) what the
# notes' code prints when run as written (torch 2.13, float32: its steps drift from
# float64 by up to 3e-6 relative in the cost and 8e-7 in b, at epoch 500).


def _exact_linear_regression(
    x: list[int], y: list[int], lr: Fraction, steps: int, bias: bool
) -> list[tuple[Fraction, Fraction, Fraction]]:
    """(W, b, cost) before each step and after the last, in exact rational arithmetic:
    cost = (1/m) Σ (Wx + b − y)², ∂cost/∂W = (2/m) Σ (Wx + b − y) x, ∂cost/∂b = (2/m) Σ (…)."""
    m = len(x)
    w, b = Fraction(0), Fraction(0)
    states = []
    for _ in range(steps + 1):
        residuals = [w * xi + b - yi for xi, yi in zip(x, y, strict=True)]
        states.append((w, b, sum(r * r for r in residuals) / m))
        grad_w = Fraction(2, m) * sum(r * xi for r, xi in zip(residuals, x, strict=True))
        grad_b = Fraction(2, m) * sum(residuals)
        w -= lr * grad_w
        b = b - lr * grad_b if bias else b
    return states


def _states(trace: backviz.Exercise) -> list[tuple[float, float, float]]:
    """(W, b, cost) before each step (its forward pass) and after the last (the check pass)."""
    states = []
    for record in trace.steps:
        b = record.b[0][0] if record.b[0] is not None else 0.0
        states.append((record.W[0][0, 0], b, record.forward.loss))
    last = trace.steps[-1]
    b_new = last.b_new[0][0] if last.b_new[0] is not None else 0.0
    states.append((last.W_new[0][0, 0], b_new, last.after.loss))
    return states


def test_simple_linear_regression_matches_exact_arithmetic() -> None:
    trace = backviz.solve(EXERCISES / "simple-linear-regression.toml")
    assert len(trace.steps) == 1000
    exact = _exact_linear_regression([1, 2, 3], [2, 4, 6], Fraction(1, 100), 1000, bias=True)
    for step, (ours, right) in enumerate(zip(_states(trace), exact, strict=True)):
        for value, truth in zip(ours, right, strict=True):
            assert value == pytest.approx(float(truth), rel=1e-11, abs=1e-15), step


def test_simple_linear_regression_comment_on_b_is_true() -> None:
    """The exercise's comment says how b moves; in exact arithmetic b peaks after 34 steps at
    0.6657 and is 0.5795 after 100 steps, 0.0664 after 1000 — and so in backviz's trace."""
    path = EXERCISES / "simple-linear-regression.toml"
    exact = _exact_linear_regression([1, 2, 3], [2, 4, 6], Fraction(1, 100), 1000, bias=True)
    b_exact = [float(b) for _, b, _ in exact]  # b after 0, 1, …, 1000 steps
    peak = max(range(len(b_exact)), key=b_exact.__getitem__)
    assert peak == 34 and round(b_exact[peak], 4) == 0.6657
    assert (round(b_exact[100], 4), round(b_exact[1000], 4)) == (0.5795, 0.0664)
    comment = path.read_text(encoding="utf-8")
    assert "b rises to its peak 0.6657 after 34 steps" in comment
    assert "0.5795 after 100 steps, 0.0664 after the last" in comment
    b_ours = [b for _, b, _ in _states(backviz.solve(path))]
    assert max(range(len(b_ours)), key=b_ours.__getitem__) == 34


def test_simple_linear_regression_as_the_notes_code_prints_it() -> None:
    trace = backviz.solve(EXERCISES / "simple-linear-regression.toml")
    states = _states(trace)
    # the notes' loop run in torch float32: (epoch, W, b, cost) at the start of the epoch
    float32 = [
        (1, 0.0, 0.0, 18.66666603088379),
        (2, 0.18666668236255646, 0.07999999821186066, 14.770962715148926),
        (100, 1.7444610595703125, 0.5808602571487427, 0.048402994871139526),
        (500, 1.9024285078048706, 0.22180317342281342, 0.007057555019855499),
        (1000, 1.9707120656967163, 0.06657828390598297, 0.0006358931423164904),
        (1001, 1.9707825183868408, 0.06641823798418045, None),  # W, b after the last step
    ]
    for epoch, w, b, cost in float32:
        ours = states[epoch - 1]
        assert ours[0] == pytest.approx(w, rel=1e-6), epoch
        assert ours[1] == pytest.approx(b, rel=1e-6), epoch
        if cost is not None:
            assert ours[2] == pytest.approx(cost, rel=5e-6), epoch
    # float64 is not float32: after 1000 steps the two differ by more than float64 rounding
    assert abs(states[999][2] - 0.0006358931423164904) > 1e-12


# What the notes' H = Wx loop (optim.SGD([W], lr=0.15), nb_epochs = 10) prints, run in torch
# float32: `Epoch {:4d}/{:} W: {:.3f} Cost: {:.6f}`, printed before each update.
SEED_001_NO_BIAS_PRINTED = [
    (0, "0.000", "4.666667"),
    (1, "1.400", "0.746667"),
    (2, "0.840", "0.119467"),
    (3, "1.064", "0.019115"),
    (4, "0.974", "0.003058"),
    (5, "1.010", "0.000489"),
    (6, "0.996", "0.000078"),
    (7, "1.002", "0.000013"),
    (8, "0.999", "0.000002"),
    (9, "1.000", "0.000000"),
    (10, "1.000", "0.000000"),
]


def test_simple_linear_regression_without_bias_as_the_notes_print_it() -> None:
    trace = backviz.solve(EXERCISES / "simple-linear-regression-no-bias.toml")
    states = _states(trace)  # epoch e: before step e + 1; epoch 10: the check pass
    assert len(states) == len(SEED_001_NO_BIAS_PRINTED)
    for (epoch, w, cost), (our_w, our_b, our_cost) in zip(
        SEED_001_NO_BIAS_PRINTED, states, strict=True
    ):
        assert our_b == 0.0
        # to the printed precision: the true value rounds to the printed one (a float32 last
        # digit aside: 1e-6 relative)
        assert abs(our_w - float(w)) <= 0.5e-3 + 1e-6, (epoch, our_w, w)
        assert abs(our_cost - float(cost)) <= 0.5e-6 + 1e-6 * our_cost, (epoch, our_cost, cost)


def test_simple_linear_regression_without_bias_closed_form() -> None:
    # W − 1 is multiplied by 1 − 0.15 · (2/3) · Σx² = −0.4 each step: W_k = 1 − (−0.4)^k, and
    # cost_k = (1/3) Σ x² (W_k − 1)² = (14/3) · 0.16^k; the notes' hand-written version
    # (W −= 0.1 · Σ (Wx − y)x) takes the very same steps
    trace = backviz.solve(EXERCISES / "simple-linear-regression-no-bias.toml")
    exact = _exact_linear_regression([1, 2, 3], [1, 2, 3], Fraction(15, 100), 10, bias=False)
    for k, ((w, _, cost), (exact_w, _, exact_cost)) in enumerate(
        zip(_states(trace), exact, strict=True)
    ):
        assert exact_w == 1 - Fraction(-2, 5) ** k
        assert exact_cost == Fraction(14, 3) * Fraction(4, 25) ** k
        assert w == pytest.approx(float(exact_w), rel=1e-14, abs=1e-15), k
        assert cost == pytest.approx(float(exact_cost), rel=1e-12, abs=1e-15), k
