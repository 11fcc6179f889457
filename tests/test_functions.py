"""Each activation's and loss's derivative against central finite differences of its value."""

from __future__ import annotations

import numpy as np
import pytest

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
