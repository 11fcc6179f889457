"""Writing an exercise back to TOML (what `variants` does): every network exercise shipped
loads back from its written text to the same exercise, number for number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import backviz
from backviz.core.exercise import NetworkExercise
from backviz.core.writing import exercise_toml
from tests.conftest import EXERCISES

NETWORKS = [
    path
    for path in sorted(EXERCISES.glob("*.toml"))
    if isinstance(backviz.load(path), NetworkExercise)
]


def test_every_network_exercise_is_looked_at() -> None:
    assert len(NETWORKS) >= 10


@pytest.mark.parametrize("path", NETWORKS, ids=lambda p: p.stem)
def test_an_exercise_written_back_loads_to_the_same_numbers(path: Path, tmp_path: Path) -> None:
    exercise = backviz.load(path)
    assert isinstance(exercise, NetworkExercise)
    copy = tmp_path / path.name
    copy.write_text(exercise_toml(exercise, comment="written back"), encoding="utf-8")
    again = backviz.load(copy)
    assert isinstance(again, NetworkExercise)
    assert again.sizes == exercise.sizes and again.loss_name == exercise.loss_name
    for first, second in zip(
        backviz.trace_of(exercise).items(), backviz.trace_of(again).items(), strict=True
    ):
        assert first[0] == second[0]
        assert np.array_equal(first[1], second[1], equal_nan=True), first[0]
