"""Every option of the exercise format at once — a bias shared by a layer, dropout, L1 and L2 on
weights and biases, class-probability targets, AMSGrad — agrees with torch (`backviz check`),
and the penalty counts a shared bias once, as the exercise's own numbers (read here with
tomllib, not through backviz) say."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
from click.testing import CliRunner

import backviz
from backviz.cli import main

EVERY = Path(__file__).resolve().parent / "data" / "every-option.toml"


def test_every_option_at_once_agrees_with_torch() -> None:
    result = CliRunner().invoke(main, ["check", str(EVERY), "--skip", "sympy"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output.splitlines()[-1]


def test_the_penalty_counts_a_shared_bias_once() -> None:
    spec = tomllib.loads(EVERY.read_text(encoding="utf-8"))
    reg = spec["regularization"]
    params = [np.array(w).ravel() for w in spec["parameters"]["W"]]
    params += [np.array(b).ravel() for b in spec["parameters"]["b"]]  # the shared one: 1 number
    values = np.concatenate(params)
    trace = backviz.solve(EVERY)
    assert np.isclose(trace.value(trace.ref("E_L1@1")), reg["l1"] * np.abs(values).sum())
    assert np.isclose(trace.value(trace.ref("E_L2@1")), reg["l2"] * (values**2).sum())
