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


def _sheet(tmp: Path, student: str, answers: dict[str, str]) -> Path:
    path = tmp / f"{student}.csv"
    rows = "".join(f"{name},{text}\n" for name, text in answers.items())
    path.write_text(f"quantity,value\nstudent,{student}\n{rows}", encoding="utf-8")
    return path


def _total(sheet: Path) -> str:
    result = CliRunner().invoke(main, ["check-answers", str(EVERY), str(sheet)])
    assert result.exit_code == 0, result.output
    return next(line for line in result.output.splitlines() if line.startswith("Total:"))


def test_zeros_everywhere_earn_nothing_where_the_right_value_is_zero_too(tmp_path: Path) -> None:
    """A sheet of zeros is a placeholder: it earns nothing, not even for the quantities that
    are 0 (a dropped unit's ã, δ and ∂E/∂a; a zero weight's penalty terms). A student who
    writes 0 just where the right value is 0 — torch's own values here — earns every mark."""
    from backviz.verify.torch_reference import torch_trace

    trace = backviz.solve(EVERY)
    names = [trace.name(ref) for ref, _ in _asked(trace)]
    torch = torch_trace(trace.exercise)
    right = {name: torch.value(torch.ref(name)) for name in names}
    assert 0 < sum(1 for v in right.values() if v == 0) < len(names) / 4
    lazy = _sheet(tmp_path, "lazy", dict.fromkeys(names, "0"))
    assert _total(lazy) == f"Total: 0 / {len(names)}"
    honest = {name: "0" if v == 0 else f"{v:.8f}" for name, v in right.items()}
    assert _total(_sheet(tmp_path, "honest", honest)) == f"Total: {len(names)} / {len(names)}"


def _asked(trace: backviz.Trace) -> list:
    from backviz.grading.verdicts import asked

    return asked(trace, trace.exercise.ask)
