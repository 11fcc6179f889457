"""Every number the course notes print for their examples, reproduced by backviz.

Expected values are the notes' own printed tables (seeds/000, 002, 004), to the precision the
notes print: 8 decimals for the 2-2-2 example; float32 results (torch's default dtype in the
notes) for the regression runs, so those are compared with a tolerance that float32 rounding
explains.
"""

from __future__ import annotations

import math

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
