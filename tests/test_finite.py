"""An exercise whose numbers leave float64's range is refused with the first number that does.

Why a teacher would defend it: a worked solution printing `inf` and `nan`, or `check` listing a
wall of mismatches, teaches nothing and hides which number is at fault.
"""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.core.api import solve
from backviz.errors import ExerciseError
from tests.conftest import EXERCISES

REGULARIZED = (EXERCISES / "seed-222-regularized.toml").read_text(encoding="utf-8")


def _written(tmp_path, text: str):
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_penalty_that_overflows_is_named(tmp_path) -> None:
    """λ₂ = 1e308: 2·λ₂·W5 is past float64's largest number (about 1.8e308)."""
    assert "l2 = 0.001" in REGULARIZED
    path = _written(tmp_path, REGULARIZED.replace("l2 = 0.001", "l2 = 1e308"))
    assert math.isinf(2 * 1e308 * 0.45)  # the independent fact the message rests on
    with pytest.raises(ExerciseError) as caught:
        solve(path)
    message = str(caught.value)
    assert "big.toml" in message and "float64" in message
    assert "dE_L2/dW5 = inf" in message, message


@pytest.mark.parametrize("command", ["solve", "check", "draw"])
def test_every_command_says_it_in_one_line(tmp_path, command: str) -> None:
    path = _written(tmp_path, REGULARIZED.replace("l2 = 0.001", "l2 = 1e308"))
    args = [command, str(path)] + (["-o", str(tmp_path / "d.svg")] if command == "draw" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "float64" in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "d.svg").exists()


def test_numbers_that_stay_finite_are_untouched(tmp_path) -> None:
    """Large but finite numbers are an exercise like any other (sigmoid saturates, nothing
    overflows): the guard refuses inf and nan only."""
    path = _written(tmp_path, REGULARIZED.replace("l2 = 0.001", "l2 = 1e100"))
    trace = solve(path)
    assert all(math.isfinite(trace.value(ref)) for ref in trace.refs())
