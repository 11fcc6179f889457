"""Coding exercises handed in as Jupyter notebooks: notebooks written by nbformat, graded by
`backviz grade` as a teacher runs it, and the starter notebook of `template --format ipynb`.

The functions inside are the tests' own files (tests/data/code: good.py is checked against
torch.autograd in test_code_grading.py), so a notebook holding good.py's code must get every
mark the .py file gets, and one holding no_sigma_prime.py's the same named mistake.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.conftest import EXERCISES, ROOT

CODE = ROOT / "tests" / "data" / "code"
EXERCISE = EXERCISES / "code-xor-221.toml"
GOOD = (CODE / "good.py").read_text(encoding="utf-8")
NO_SIGMA_PRIME = (CODE / "no_sigma_prime.py").read_text(encoding="utf-8")


def backviz(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backviz", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def save(path: Path, cells: list) -> Path:
    """A notebook as Jupyter saves it, checked valid by nbformat first."""
    notebook = new_notebook(cells=cells)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return path


def grade_folder(folder: Path, out: Path) -> dict[str, dict]:
    """Every student's total, verdicts and feedback after `backviz grade` of the folder."""
    result = backviz("grade", EXERCISE, folder, "--out", out)
    assert result.returncode == 0, result.stderr
    with (out / "grades.csv").open(newline="", encoding="utf-8") as stream:
        grades = {row["student"]: row for row in csv.DictReader(stream)}
    with (out / "verdicts.csv").open(newline="", encoding="utf-8") as stream:
        verdicts: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(stream):
            verdicts.setdefault(row["student"], {})[row["quantity"]] = row["verdict"]
    return {
        student: {
            "total": float(row["total"]),
            "verdicts": verdicts[student],
            "feedback": (out / "feedback" / f"{student}.md").read_text(encoding="utf-8"),
        }
        for student, row in grades.items()
    }


MAGICS = """%matplotlib inline
!pip install numpy
files = !ls
%load_ext autoreload
np.mean?
for k in range(2):
    %time k + 1
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("notebooks")
    save(folder / "right.ipynb", [new_markdown_cell("# Backprop"), new_code_cell(GOOD)])
    save(folder / "wrong.ipynb", [new_code_cell(NO_SIGMA_PRIME)])
    save(
        folder / "magics.ipynb",
        [
            new_code_cell("import numpy as np\ndisplay(np.zeros(2))  # Jupyter's own"),
            new_code_cell(MAGICS),
            new_code_cell("%%bash\necho this is no Python"),
            new_code_cell("%%time\n" + GOOD),
        ],
    )
    save(
        folder / "raises.ipynb",
        [
            new_markdown_cell("Scratch work first"),
            new_code_cell("print(W2)"),
            new_code_cell(GOOD),
            new_code_cell("x = 1 / 0"),
        ],
    )
    save(
        folder / "nodef.ipynb",
        [
            new_code_cell("import numpy as np"),
            new_code_cell("def backward(W, b, x, t, learning_rate)\n    return {}"),
        ],
    )
    crash = "def backward(W, b, x, t, learning_rate):\n    scale = 0\n    return 1 / scale\n"
    save(folder / "crash.ipynb", [new_markdown_cell("md"), new_code_cell(crash)])
    save(
        folder / "김민준.ipynb",
        [
            new_markdown_cell("# 역전파 과제: 2-2-1 XOR 신경망"),
            new_code_cell("# 시그모이드 층의 역전파\n" + GOOD.replace("def ", "# 함수\ndef ")),
            new_code_cell('raise ValueError("값이 틀렸습니다")'),
        ],
    )
    (folder / "malformed.ipynb").write_text('{"cells": [ {"cell_type": "code", ', encoding="utf-8")
    (folder / "v3.ipynb").write_text(json.dumps({"nbformat": 3, "worksheets": []}))
    outside = tmp_path_factory.mktemp("elsewhere")
    save(outside / "key.ipynb", [new_code_cell("CANARY_3141 = 'the answer key'\n" + GOOD)])
    os.symlink(outside / "key.ipynb", folder / "linked.ipynb")
    return grade_folder(folder, tmp_path_factory.mktemp("reports"))


def test_a_right_notebook_gets_every_mark(graded) -> None:
    assert graded["right"]["total"] == 14
    assert set(graded["right"]["verdicts"].values()) == {"correct"}


def test_a_wrong_notebook_is_judged_as_its_py_file_is(graded) -> None:
    verdicts = graded["wrong"]["verdicts"]
    assert verdicts["z(2)"] == verdicts["a(3)"] == "correct"
    assert verdicts["delta(3)"] == "mistake:no-activation-derivative"


def test_magics_and_shell_lines_are_left_out_silently(graded) -> None:
    assert graded["magics"]["total"] == 14
    assert "cell " not in graded["magics"]["feedback"]  # nothing to report: IPython's own


def test_a_cell_that_raises_is_reported_by_number_and_the_function_still_graded(graded) -> None:
    raises = graded["raises"]
    assert raises["total"] == 14
    feedback = raises["feedback"]
    assert "- cell 2 raised NameError: name 'W2' is not defined (line 1: print(W2))" in feedback
    assert "- cell 4 raised ZeroDivisionError: division by zero (line 1: x = 1 / 0)" in feedback


def test_no_cell_defining_the_function_is_0_naming_the_cell_at_fault(graded) -> None:
    nodef = graded["nodef"]
    assert nodef["total"] == 0
    assert "no code cell defines backward()" in nodef["feedback"]
    assert "cell 2 is not Python: SyntaxError" in nodef["feedback"]


def test_a_crash_points_at_the_cell_and_line(graded) -> None:
    assert graded["crash"]["total"] == 0
    feedback = graded["crash"]["feedback"]
    assert "ZeroDivisionError: division by zero   cell 2 line 3, in backward: return 1 / scale" in (
        feedback
    )
    assert "crash.py" not in feedback  # no line of backviz's own, nor a file the student never had


def test_korean_cells_are_read(graded) -> None:
    korean = graded["김민준"]
    assert korean["total"] == 14
    assert "cell 3 raised ValueError: 값이 틀렸습니다" in korean["feedback"]


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("malformed", "malformed.ipynb: not JSON"),
        ("v3", "v3.ipynb: an nbformat 3 notebook"),
        ("linked", "linked.ipynb: a symbolic link, not followed"),
    ],
)
def test_what_is_no_notebook_is_0_with_the_reason_and_the_class_goes_on(
    graded, student, reason
) -> None:
    assert graded[student]["total"] == 0
    assert f"- {reason}" in graded[student]["feedback"]
    assert "CANARY_3141" not in graded[student]["feedback"]


# ── reading a notebook, without running it ───────────────────────────────────────────


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"[" * 100_000, "JSON nested too deep"),  # past the parser: refused, never a crash
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"cells": {}}', "no list of 'cells'"),
        (b'{"cells": [1]}', "cell 1 is not a notebook cell"),
        (b'{"cells": [{"cell_type": "code", "source": 7}]}', "cell 1's 'source' is not text"),
    ],
)
def test_a_malformed_notebook_is_refused_with_why(raw: bytes, said: str) -> None:
    from backviz.grading.notebook import NotebookError, notebook_module

    with pytest.raises(NotebookError, match=said.replace("(", r"\(")):
        notebook_module(raw, "x.ipynb")


def test_a_notebook_is_only_read_here_never_run() -> None:
    """Converting runs nothing: the module is only text until the sandbox runs it."""
    from backviz.grading.notebook import notebook_module

    cell = "import os\nos.system('touch /tmp/backviz-should-not-exist')\n"
    raw = json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [{"cell_type": "code", "source": cell}],
        }
    ).encode()
    module = notebook_module(raw, "x.ipynb")
    assert repr(cell) in module
    assert not Path("/tmp/backviz-should-not-exist").exists()


def test_a_notebook_too_large_is_not_read(tmp_path) -> None:
    from backviz.grading.handed_in import Handed
    from backviz.grading.notebook import NOTEBOOK_BYTES

    big = tmp_path / "big.ipynb"
    with big.open("wb") as stream:
        stream.truncate(NOTEBOOK_BYTES + 1)
    from backviz.grading import code

    why = code._wrapped(Handed("big", big), "backward", tmp_path)
    assert isinstance(why, str) and "too large" in why and "read up to 20 MB" in why


# ── the starter notebook ─────────────────────────────────────────────────────────────


def test_template_writes_a_valid_starter_notebook_that_grades_once_written(tmp_path) -> None:
    starter = tmp_path / "starter.ipynb"
    result = backviz("template", EXERCISE, "--format", "ipynb", "-o", starter)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(starter, as_version=nbformat.NO_CONVERT)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert "def backward(W, b, x, t, learning_rate):" in code_cells[1].source
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(notebook, folder / "untouched.ipynb")
    code_cells[1].source = GOOD
    nbformat.write(notebook, folder / "done.ipynb")
    graded = grade_folder(folder, tmp_path / "reports")
    assert graded["done"]["total"] == 14  # the last cell calls it on the exercise's numbers
    assert "cell " not in graded["done"]["feedback"]
    assert graded["untouched"]["total"] == 0
    assert "NotImplementedError" in graded["untouched"]["feedback"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "py", "-o", "starter.ipynb"], "--format py does not match the file name"),
        (["--format", "csv"], "a coding exercise's starter is py or ipynb"),
    ],
)
def test_template_formats_that_disagree_are_refused(tmp_path, args, said) -> None:
    result = backviz(
        "template", EXERCISE, *[tmp_path / a if a.endswith(".ipynb") else a for a in args]
    )
    assert result.returncode == 2 and said in result.stderr


def test_template_ipynb_for_an_answer_sheet_is_refused() -> None:
    result = backviz("template", EXERCISES / "seed-222.toml", "--format", "ipynb")
    assert result.returncode == 2 and "is for coding exercises" in result.stderr


def test_the_starter_notebook_speaks_korean_with_lang_ko(tmp_path) -> None:
    starter = tmp_path / "starter.ipynb"
    result = backviz("template", EXERCISE, "--lang", "ko", "-o", starter)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(starter, as_version=nbformat.NO_CONVERT)
    nbformat.validate(notebook)
    intro = notebook.cells[0].source
    assert intro.startswith("# 코드: 2-2-1 XOR 신경망의 순전파와 역전파")
    assert "이 노트북" in intro and "def backward" not in intro


def quick_exercise(tmp: Path, modules: str = "") -> Path:
    """code-xor-221 with a wall-clock limit of 2 s (a looping cell is stopped soon)."""
    text = EXERCISE.read_text(encoding="utf-8").replace(
        "[code]\n", f"[code]\nwall_seconds = 2\n{modules}", 1
    )
    path = tmp / "code-xor-221.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lang", "said_cell", "said_function", "said_crash"),
    [
        ("en", "cell 3 was running when the time ran out",
         "every cell had run: backward() was running when the time ran out",
         "crashed: ended (exit code 3) without returning a result; cell 2 was running when it "
         "stopped"),
        ("ko", "시간이 다 됐을 때 셀 3을(를) 실행하고 있었다",
         "모든 셀을 실행한 뒤 backward()을(를) 실행하는 중에 시간이 다 됐다",
         "멈췄을 때 셀 2을(를) 실행하고 있었다"),
    ],
)  # fmt: skip
def test_a_notebook_out_of_time_names_the_cell_that_was_running(
    tmp_path, lang, said_cell, said_function, said_crash
) -> None:
    """A scratch cell looping for ever is named by its number (Markdown cells counted, as
    Jupyter shows them); a function looping for ever, after every cell ran, is named; so is a
    cell that ends the process, without backviz's marks in the message."""
    folder = tmp_path / "class"
    folder.mkdir()
    save(folder / "loops.ipynb", [new_markdown_cell("# mine"), new_code_cell(GOOD),
                                  new_code_cell("while True:\n    pass"),
                                  new_code_cell("print('never')")])  # fmt: skip
    forever = "def backward(W, b, x, t, learning_rate):\n    while True:\n        pass\n"
    save(folder / "slow.ipynb", [new_code_cell("import numpy as np"), new_code_cell(forever)])
    save(folder / "exits.ipynb", [new_code_cell(GOOD), new_code_cell("import os\nos._exit(3)")])
    out = tmp_path / "reports"
    result = backviz("grade", quick_exercise(tmp_path), folder, "--out", out, "--lang", lang)
    assert result.returncode == 0, result.stderr
    loops = (out / "feedback" / "loops.md").read_text(encoding="utf-8")
    slow = (out / "feedback" / "slow.md").read_text(encoding="utf-8")
    exits = (out / "feedback" / "exits.md").read_text(encoding="utf-8")
    assert said_cell in loops
    assert said_function in slow
    assert said_crash in exits and "[backviz" not in exits


@pytest.mark.parametrize(
    ("lang", "modules", "said"),
    [
        ("en", "", "Modules you may import: numpy and Python's standard library."),
        ("en", 'modules = ["numpy", "torch"]\n',
         "Modules you may import: numpy, torch and Python's standard library."),
        ("ko", "", "import할 수 있는 모듈: numpy, 그리고 파이썬 표준 라이브러리."),
    ],
)  # fmt: skip
def test_the_starter_notebook_says_which_modules_may_be_imported(
    tmp_path, lang, modules, said
) -> None:
    """What `[code] modules` allows is said in the notebook's first cell and beside its
    imports: a student importing anything else would only learn it from a 0."""
    starter = tmp_path / "starter.ipynb"
    exercise = quick_exercise(tmp_path, modules)
    result = backviz("template", exercise, "--format", "ipynb", "--lang", lang, "-o", starter)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(starter, as_version=nbformat.NO_CONVERT)
    intro, imports = notebook.cells[0].source, notebook.cells[1].source
    assert said in " ".join(intro.split())
    assert imports.splitlines()[0].startswith("#") and "numpy" in imports.splitlines()[0]
    assert ("import torch" in imports) == ("torch" in modules)
