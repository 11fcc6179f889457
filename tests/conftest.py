"""Shared fixtures: paths to the project's exercises."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"


@pytest.fixture(scope="session")
def exercises_dir() -> Path:
    return EXERCISES
