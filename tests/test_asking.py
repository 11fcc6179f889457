"""An `[ask]` that asks nothing of its exercise is refused; one that partly matches is kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from tests.conftest import EXERCISES, ROOT


def _with_ask(tmp_path: Path, exercise: str, kinds: str, steps: str = "") -> Path:
    path = tmp_path / f"{exercise}-ask.toml"
    text = (EXERCISES / f"{exercise}.toml").read_text(encoding="utf-8").split("\n[ask]\n")[0]
    path.write_text(f"{text}\n[ask]\nkinds = {kinds}\n{steps}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("exercise", "kinds", "reasons"),
    [
        ("seed-222", '["state", "dropout"]', ["state: sgd keeps no state", "dropout: no dropout"]),
        ("seed-222", '["penalty"]', ["penalty: no [regularization]"]),
        ("and-gate", '["grad", "update"]', ["grad: the exercise only computes forward"]),
    ],
)
@pytest.mark.parametrize("command", ["solve", "template", "handout"])
def test_an_ask_that_asks_nothing_is_refused_in_one_line(
    tmp_path: Path, exercise: str, kinds: str, reasons: list[str], command: str
) -> None:
    """An empty sheet graded 0 / 0 for everyone teaches nothing: refused by every command,
    naming the file, the field, what was expected and what the exercise lacks."""
    path = _with_ask(tmp_path, exercise, kinds)
    args = [command, str(path)]
    if command != "solve":
        args += ["-o", str(tmp_path / "out")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"backviz: {path}: field 'ask.kinds' expected a kind of quantity")
    assert f"found {kinds}, none of which it has" in line
    assert all(reason in line for reason in reasons), line
    assert not (tmp_path / "out").exists()


def test_a_partly_matching_ask_asks_what_matches(tmp_path: Path) -> None:
    """dropout-222 has dropout but no [regularization]: kinds = ["dropout", "penalty"] asks the
    dropped-out activations of its one sample's two hidden nodes and their dropout derivatives
    ∂h̃/∂h, as the default list asks dropout and penalty only where an exercise has them."""
    path = _with_ask(tmp_path, "dropout-222", '["dropout", "penalty"]')
    sheet = tmp_path / "sheet.csv"
    result = CliRunner().invoke(main, ["template", str(path), "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    rows = [r for r in csv.reader(sheet.open(encoding="utf-8")) if r and not r[0].startswith("#")]
    assert sorted(r[0] for r in rows[2:]) == ["dh~1/dh1", "dh~2/dh2", "h~1", "h~2"]


def test_state_is_asked_where_the_optimiser_keeps_it(tmp_path: Path) -> None:
    path = _with_ask(tmp_path, "optimizer-rmsprop", '["state"]', "steps = [2]\n")
    result = CliRunner().invoke(main, ["template", str(path), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 0, result.output
    assert "v_W1@2" in (tmp_path / "s.csv").read_text(encoding="utf-8")


def test_the_readme_example_file_asks_nothing() -> None:
    result = CliRunner().invoke(main, ["solve", str(ROOT / "tests" / "data" / "ask-nothing.toml")])
    assert result.exit_code == 2 and "none of which it has" in result.output


def test_an_asked_name_the_exercise_has_not_is_refused_naming_the_field(tmp_path: Path) -> None:
    """`[ask] names` with E_L3 (there is no L3 penalty) is refused by every command, with the
    entry's field; a name written without its step in a two-step exercise is told the steps."""
    text = (EXERCISES / "seed-222-regularized.toml").read_text(encoding="utf-8")
    path = tmp_path / "names.toml"
    path.write_text(text + '\n[ask]\nnames = ["dE_L1/dW5", "E_L3"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["solve", str(path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"backviz: {path}: field 'ask.names[1]' expected the name of a quantity of this "
        "exercise (README: Notation), found 'E_L3'"
    )
    two_steps = text.replace("steps = 1", "steps = 2")
    path.write_text(two_steps + '\n[ask]\nnames = ["W5+"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["template", str(path), "-o", str(tmp_path / "s.csv")])
    assert result.exit_code == 2
    assert "field 'ask.names[0]'" in result.output
    assert "(it has 2 steps: name the step, W5+@1, W5+@2)" in result.output
