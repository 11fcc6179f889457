"""The command-line contract: `solve --format csv|json|text`, `check`, exit codes, -o."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.core import engine
from tests.conftest import EXERCISES, ROOT, torch_seed_222

SEED = str(EXERCISES / "seed-222.toml")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backviz", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_csv_answer_key_has_full_precision() -> None:
    result = run("solve", SEED, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["quantity", "value"]
    values = {name: float(value) for name, value in rows[1:]}
    assert len(values) == len(rows) - 1  # every name once
    for name, expected in torch_seed_222().items():
        # 1e-15: the CSV carries every digit, not the 8 decimals of the printed solution
        assert values[name] == pytest.approx(expected, rel=1e-15, abs=1e-17), name
    names = [name for name, _ in rows[1:]]
    # computing order: forward before the loss before the backward before the update
    assert names.index("h1") < names.index("E_total") < names.index("dE/dW5") < names.index("W5+")
    assert names[-1] == "E_total+"


def test_json_follows_the_contract() -> None:
    result = run("solve", SEED, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["exercise"] == "seed-222"
    (step,) = data["steps"]
    assert step["step"] == 1
    expected = torch_seed_222()
    assert step["loss"] == pytest.approx(expected["E_total"], rel=1e-15)
    assert step["loss_after"] == pytest.approx(expected["E_total+"], rel=1e-15)
    assert [layer["layer"] for layer in step["layers"]] == [2, 3]
    keys = {"layer", "z", "a", "delta", "W", "b", "dW", "db", "W_new", "b_new"}
    for layer in step["layers"]:
        assert set(layer) == keys
        assert layer["b"] is None and layer["db"] is None and layer["b_new"] is None
        assert np.shape(layer["z"]) == (1, 2)  # [sample][node]
    out = step["layers"][1]
    assert out["W_new"][0][0] == pytest.approx(expected["W5+"], rel=1e-15)
    assert out["dW"][1][1] == pytest.approx(expected["dE/dW8"], rel=1e-14)
    assert step["layers"][0]["a"][0][0] == pytest.approx(expected["h1"], rel=1e-15)


def test_json_of_an_expression() -> None:
    result = run("solve", str(EXERCISES / "chain-rule.toml"), "--format", "json")
    data = json.loads(result.stdout)
    nodes = {n["name"]: n for n in data["nodes"]}
    assert [n["name"] for n in data["nodes"]] == ["w", "x", "b", "g", "f"]
    assert (nodes["w"]["value"], nodes["w"]["grad"]) == (-2, 5)
    assert (nodes["x"]["grad"], nodes["b"]["grad"], nodes["f"]["value"]) == (-2, 1, -7)


def test_json_and_csv_do_not_import_torch_or_sympy() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from backviz.cli import main\n"
        "for fmt in ('json', 'csv', 'text'):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        f"            main(['solve', {SEED!r}, '--format', fmt])\n"
        "        except SystemExit as e:\n"
        "            assert not e.code, e.code\n"
        "print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_text_is_the_worked_solution_in_english_or_korean() -> None:
    result = run("solve", SEED)
    assert result.returncode == 0
    assert "W5⁺ = W5 − η·∂E/∂W5 = 0.45 − 0.5 × 0.02592286 = 0.43703857" in result.stdout
    assert "Backward pass, output layer 3" in result.stdout
    korean = run("solve", SEED, "--lang", "ko")
    assert "역전파" in korean.stdout and "0.43703857" in korean.stdout


def test_out_file(tmp_path) -> None:
    out = tmp_path / "deep" / "key.csv"
    result = run("solve", SEED, "--format", "csv", "-o", str(out))
    assert result.returncode == 0
    assert out.read_text().startswith("quantity,value\n")
    assert [p.name for p in out.parent.iterdir()] == ["key.csv"]  # no temporary file left


def test_check_passes_on_the_notes_example() -> None:
    result = run("check", SEED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "torch.autograd" in result.stdout and "finite differences" in result.stdout
    assert "all quantities agree" in result.stdout


def test_check_passes_on_an_expression() -> None:
    result = run("check", str(EXERCISES / "chain-rule.toml"))
    assert result.returncode == 0, result.stdout
    assert "sympy" in result.stdout


def test_check_fails_when_the_engine_is_wrong(monkeypatch) -> None:
    real = engine.backward

    def off_by_a_little(*args, **kwargs):  # one gradient off by 1e-7 relative
        result = real(*args, **kwargs)
        result.grad_W[0][0, 0] *= 1 + 1e-7
        return result

    monkeypatch.setattr(engine, "backward", off_by_a_little)
    result = CliRunner().invoke(main, ["check", SEED])
    assert result.exit_code == 1
    assert "MISMATCH" in result.output
    assert "dE/dW1" in result.output


def test_bad_file_is_one_line_and_exit_2(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    text = (EXERCISES / "seed-222.toml").read_text()
    bad.write_text(text.replace('activation = "sigmoid"', 'activation = "sigmoyd"'))
    result = run("solve", str(bad), "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "bad.toml:9" in lines[0] and "network.activation" in lines[0]
    assert "did you mean 'sigmoid'" in lines[0]


# ── the format follows the file name ────────────────────────────────────────────────────

SOLUTION_STARTS = {
    "txt": "The notes' 2-2-2 worked example\n===",
    "md": "# The notes' 2-2-2 worked example\n",
    "tex": "\\documentclass",
    "html": "<!DOCTYPE html>\n",
    "json": '{\n  "exercise": "seed-222"',
    "csv": "quantity,value\n",
}


@pytest.mark.parametrize("suffix", SOLUTION_STARTS)
def test_solve_writes_the_format_its_file_name_says(tmp_path, suffix: str) -> None:
    """`solve -o sol.tex` is a LaTeX document, `-o key.csv` the answer key: a file never holds
    another format than its name says."""
    out = tmp_path / f"solution.{suffix}"
    result = CliRunner().invoke(main, ["solve", SEED, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(SOLUTION_STARTS[suffix])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", SEED, "--format", "md", "-o", "sol.tex"],
         "sol.tex: --format md does not match the file name (.tex is latex); name it .md, "
         "or leave --format out"),
        (["solve", SEED, "-o", "sol.docx"],
         "sol.docx: solve writes .txt (text), .md, .tex (latex), .html, .json or .csv files "
         "(the format follows the file name), not .docx"),
        (["draw", SEED, "-o", "network.jpg"],
         "network.jpg: draw writes .svg, .png, .pdf or .dot files (the format follows the file "
         "name), not .jpg"),
        (["draw", SEED, "--format", "png", "-o", "network.svg"],
         "network.svg: --format png does not match the file name (.svg is svg); name it .png, "
         "or leave --format out"),
    ],
)  # fmt: skip
def test_a_file_name_that_says_another_format_is_refused(
    tmp_path, monkeypatch, args: list[str], message: str
) -> None:
    """One line naming what is accepted, exit 2, and nothing written."""
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"backviz: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_cannot_be_written_is_one_line(tmp_path) -> None:
    (tmp_path / "file").write_text("not a folder")
    result = run("solve", SEED, "-o", str(tmp_path / "file" / "sol.md"))
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"backviz: {tmp_path / 'file' / 'sol.md'}: could not be written (")
