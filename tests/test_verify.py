"""`check` on every exercise of the project, and that it catches what it should."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import backviz
from backviz.verify import check, torch_trace
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
