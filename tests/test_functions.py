"""Each activation's and loss's derivative against central finite differences of its value."""

from __future__ import annotations

import numpy as np
import pytest

from backviz.core.formulas import LocalDerivative, LossTerm, OutputGrad
from backviz.core.functions import LOSSES, activation

ZS = np.array([-3.0, -1.2, -0.3, 0.25, 0.9, 2.5])
H = 1e-6


def central(f, x: np.ndarray) -> np.ndarray:
    return (f(x + H) - f(x - H)) / (2 * H)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu", "leaky_relu"])
def test_activation_derivative_matches_finite_differences(name: str) -> None:
    f = activation(name, slope=0.2)
    a = f.value(ZS)
    np.testing.assert_allclose(f.derivative(ZS, a), central(f.value, ZS), rtol=1e-8, atol=1e-10)


def test_sigmoid_is_stable_far_from_zero() -> None:
    f = activation("sigmoid")
    with np.errstate(over="raise", invalid="raise"):  # exp of a large positive is never taken
        values = f.value(np.array([-800.0, -40.0, 0.0, 40.0, 800.0]))
    np.testing.assert_allclose(values, [0.0, 4.248354255291589e-18, 0.5, 1.0, 1.0], rtol=1e-15)


def test_softmax_jacobian_product_matches_finite_differences() -> None:
    f = activation("softmax")
    z = np.array([[0.3, -1.1, 2.0, 0.4]])
    g = np.array([[0.7, -0.2, 0.1, 1.5]])  # an upstream ∂E/∂a
    delta = f.backward(g, z, f.value(z))
    for j in range(z.shape[1]):
        bump = np.zeros_like(z)
        bump[0, j] = H
        expected = (np.sum(g * f.value(z + bump)) - np.sum(g * f.value(z - bump))) / (2 * H)
        assert delta[0, j] == pytest.approx(expected, rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("name", ["half_sse", "sse", "mse", "bce"])
def test_loss_derivative_matches_finite_differences(name: str) -> None:
    loss = LOSSES[name]
    o = np.array([[0.2, 0.55, 0.9]])
    t = np.array([[0.0, 1.0, 0.3]])
    d = loss.derivative(o, t)
    for j in range(o.shape[1]):
        bump = np.zeros_like(o)
        bump[0, j] = H
        expected = (loss.per_sample(o + bump, t) - loss.per_sample(o - bump, t)) / (2 * H)
        assert d[0, j] == pytest.approx(expected[0], rel=1e-7)


@pytest.mark.parametrize("name", ["ce", "nll"])
def test_cross_entropy_derivatives_match_finite_differences(name: str) -> None:
    loss = LOSSES[name]
    o = np.array([[0.2, 0.5, 0.3]]) if name == "nll" else np.array([[1.2, -0.4, 0.3]])
    t = np.array([[0.0, 1.0, 0.0]])
    d = loss.derivative(o, t)
    for j in range(o.shape[1]):
        bump = np.zeros_like(o)
        bump[0, j] = H
        expected = (loss.per_sample(o + bump, t) - loss.per_sample(o - bump, t)) / (2 * H)
        assert d[0, j] == pytest.approx(expected[0], rel=1e-7, abs=1e-9)


# -- the symbolic forms, at the engine's conventions, against torch --------------------------
# sympy (30 digits) evaluates each formula's symbolic form as `check` does; torch (float64) is
# the oracle of the convention: relu′(0) = 0, leaky_relu′(0) = slope, σ′ and tanh′ from the
# rounded a (σ(40) is 1.0, so σ′ is 0), BCE's log clamped at −100 and its backward floored.

torch = pytest.importorskip("torch")
sympy = pytest.importorskip("sympy")


def _torch_derivative(name: str, z: float, slope: float) -> float:
    functions = {
        "relu": torch.relu,
        "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, slope),
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
    }
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(functions[name](zt), zt)
    return grad.item()


@pytest.mark.parametrize(
    ("name", "z"),
    [
        ("relu", 0.0),
        ("relu", 2.0),
        ("relu", -2.0),
        ("leaky_relu", 0.0),
        ("leaky_relu", -2.0),
        ("sigmoid", 30.0),
        ("sigmoid", -30.0),
        ("sigmoid", 40.0),
        ("tanh", 20.0),
        ("tanh", 0.5),
    ],
)
def test_symbolic_derivative_is_torchs_at_kinks_and_saturation(name: str, z: float) -> None:
    f = activation(name, slope=0.25)
    a = float(f.value(np.array(z)))
    args = [sympy.Float(z, 30), sympy.Float(a, 30)]
    mine = float(sympy.N(LocalDerivative(f).symbolic(args), 30))
    expected = _torch_derivative(name, z, 0.25)
    assert mine == pytest.approx(expected, rel=1e-14, abs=0.0)


@pytest.mark.parametrize("o", [1.0, 0.0, 1.0 - 2.0**-53, 1e-13, 1e-50, 0.3])
@pytest.mark.parametrize("t", [0.0, 1.0, 0.25])
def test_symbolic_bce_is_torchs_with_its_clamp_and_floor(o: float, t: float) -> None:
    ot = torch.tensor([[o]], dtype=torch.float64, requires_grad=True)
    value = torch.nn.functional.binary_cross_entropy(ot, torch.tensor([[t]], dtype=torch.float64))
    (grad,) = torch.autograd.grad(value, ot)
    args = [sympy.Float(o, 30), sympy.Float(t, 30)]
    bce = LOSSES["bce"]
    term = float(sympy.N(LossTerm(bce).symbolic(args), 30))
    derivative = float(sympy.N(OutputGrad(bce, 1, 0).symbolic(args), 30))
    # 30 digits place log(1 − 1e-50) at 0, torch (log1p) at −1e-50: within check's 1e-21
    assert term == pytest.approx(value.item(), rel=1e-14, abs=1e-21)
    assert derivative == pytest.approx(grad.item(), rel=1e-12, abs=1e-300)
