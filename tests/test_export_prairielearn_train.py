"""`backviz export prairielearn` of a training-loop exercise (`[code] contract = "train"`): the
question ships backviz itself (its wheel) in tests/, and the exported grader judges each step
with `backviz grade`'s own TrainJudge, imported from that wheel.

As in tests/test_export_prairielearn_code.py, a grading job is laid out as PrairieLearn lays it
out and the entrypoint runs as root with a Python that has numpy and no backviz: the grader's
verdicts and marks must be `backviz grade`'s on the same submissions and cases (the export's
secret), and each verdict the one a teacher gives (a slip at step 3 wrong there and carried
after it, a catalogued mistake named at every step it is made …). The right loop is checked
against torch.autograd first, so that "correct" means right.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from backviz.cli import main
from backviz.core.engine import run as run_here
from backviz.core.loading import load
from backviz.grading.code import case_arguments, code_cases, grade_code
from tests.conftest import EXERCISES
from tests.test_export_prairielearn_code import (  # noqa: F401  (numpy_python: a fixture)
    SECRET,
    _tests,
    export,
    numpy_python,
    pl_grade,
)

RIGHT = """import numpy as np


def train(W, b, x, t, learning_rate, steps):
    W = [w.copy() for w in W]
    history = []
    for step in range(1, steps + 1):
        y = x @ W[0].T
        grad = (y - t).T @ x  # E = ½ Σ (y − t)², summed over the batch
        W[0] = W[0] - learning_rate * grad{slip}
        history.append(([W[0].copy()], [None]))
    return history
"""

HEAD = "def train(W, b, x, t, learning_rate, steps):\n"

# Submissions whose verdicts backviz grade and the exported grader must agree on.
SUBMISSIONS = {
    "right": RIGHT.format(slip="") + "\nprint('my own check')\n",
    "float32": RIGHT.format(slip="").replace(
        "    W = [w.copy() for w in W]\n",
        "    W = [w.astype(np.float32) for w in W]\n"
        "    x, t = x.astype(np.float32), t.astype(np.float32)\n"
        "    learning_rate = np.float32(learning_rate)\n",
    ),
    "slip_at_step_3": RIGHT.format(slip="\n        if step == 3:\n            W[0][0, 0] += 0.01"),
    "update_added": RIGHT.format(slip="").replace("W[0] - learning_rate", "W[0] + learning_rate"),
    "zero_grad_forgotten": RIGHT.format(slip="")
    .replace("    history = []\n", "    history, held = [], 0\n")
    .replace("grad = (y - t).T @ x", "held = held + (y - t).T @ x\n        grad = held"),
    "raising": HEAD + "    raise ValueError('not yet')\n",
    "loops_forever": HEAD + "    while True:\n        pass\n",
    "not_a_list": HEAD + "    return W\n",
    "no_function": "def backward(W, b, x, t, learning_rate):\n    return {}\n",
}

# Hostile submissions: each would earn marks if the grader's isolation failed.
HOSTILE = {
    # backviz's own judge, from the wheel beside the cases, to answer with the right weights
    "imports_the_wheel": """
import glob, sys
from importlib.metadata import version
def train(W, b, x, t, learning_rate, steps):
    # the import rule taken out first: only the files' owner may stop it now
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_Allowed"]
    named = f"{ROOT}/tests/backviz-{BACKVIZ_VERSION}-py3-none-any.whl"
    sys.path[:0] = [named, *glob.glob(ROOT + "/tests/*.whl")]
    from backviz.core.loading import loads
    raise RuntimeError("imported backviz from the question's wheel")
""",  # the cases the grader holds: each one's exercise as TOML
    "reads_the_cases": """
import gzip
def train(W, b, x, t, learning_rate, steps):
    gzip.decompress(open(ROOT + "/tests/cases.json.gz", "rb").read())
    return []
""",
    # a value too big to send back
    "returns_a_huge_value": """
def train(W, b, x, t, learning_rate, steps):
    return [[[[0.5] * 10**6], [None]]] * steps
""",
}


def _exercise(folder: Path, *, cases: int = 1, wall: float = 4.0) -> Path:
    """code-train-sgd with numpy only ([code] modules: PrairieLearn's image has no torch),
    `cases` random cases and `wall` seconds a case."""
    text = (EXERCISES / "code-train-sgd.toml").read_text(encoding="utf-8")
    text = text.replace('modules = ["numpy", "torch"]', 'modules = ["numpy"]')
    text = text.replace("cases = 2", f"cases = {cases}\nwall_seconds = {wall}")
    assert 'modules = ["numpy"]' in text and "wall_seconds" in text
    path = folder / "code-train-sgd.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def question(tmp_path_factory) -> tuple[Path, Path]:
    """(the exercise, its exported question folder)."""
    folder = tmp_path_factory.mktemp("pltrain")
    exercise = _exercise(folder)
    export(exercise, folder / "question")
    return exercise, folder / "question"


def backviz_graded(exercise: Path, files: dict[str, str], folder: Path, lang: str = "en") -> dict:
    """`backviz grade` on the same submissions with the export's secret: per student, per row
    (verdict, marks, detail)."""
    sources = []
    for student, text in files.items():
        (folder / student).mkdir(parents=True)
        path = folder / student / "train.py"
        path.write_text(text, encoding="utf-8")
        sources.append((student, path))
    graded = grade_code(load(exercise), sources, secret=SECRET, lang=lang)
    return {g.student: {v.name: (v.verdict, v.marks, v.detail) for v in g.verdicts} for g in graded}


def _torch_sgd(arguments: dict) -> list[np.ndarray]:
    """W after each step by torch.autograd and torch.optim.SGD in float64: E = ½ Σ (y − t)²."""
    weight = torch.tensor(arguments["W"][0], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(arguments["x"], dtype=torch.float64)
    t = torch.tensor(arguments["t"], dtype=torch.float64)
    optimizer = torch.optim.SGD([weight], lr=arguments["learning_rate"])
    after = []
    for _ in range(arguments["steps"]):
        optimizer.zero_grad()
        (0.5 * ((x @ weight.T - t) ** 2).sum()).backward()
        optimizer.step()
        after.append(weight.detach().numpy().copy())
    return after


def test_the_right_loop_is_right_by_torch_autograd(question: tuple[Path, Path]) -> None:
    """The "right" submission's weights are torch.optim.SGD's on every case the export drew:
    so its verdict "correct" below is a fact, not backviz's say-so."""
    exercise, _ = question
    namespace: dict = {}
    exec(SUBMISSIONS["right"], namespace)
    cases = code_cases(load(exercise), SECRET)
    assert len(cases) == 2
    for case in cases:
        arguments = case_arguments(case)
        theirs = namespace["train"](**case_arguments(case))
        for (W, b), expected in zip(theirs, _torch_sgd(arguments), strict=True):
            assert b == [None]
            np.testing.assert_allclose(W[0], expected, rtol=1e-12, atol=1e-15)


def test_the_exported_grader_gives_backviz_grades_verdicts_and_marks(
    numpy_python: str,  # noqa: F811
    question: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    """Right (numpy, float64), float32, a slip at step 3 (carried after it), the update added,
    .grad never zeroed (a numpy loop summing the gradients), raising, an endless loop, not a
    list, no function: the same verdict, marks and feedback per W(l)@step as `backviz grade`
    on the same cases, the score its total over the maximum; each verdict the one a teacher
    gives."""
    exercise, folder = question
    ours = backviz_graded(exercise, SUBMISSIONS, tmp_path)
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = pool.map(
            lambda text: pl_grade(numpy_python, folder, {"train.py": text}), SUBMISSIONS.values()
        )
        graded = dict(zip(SUBMISSIONS, [results for results, _ in jobs], strict=True))
    rows = [f"W(2)@{step}" for step in range(1, 6)]
    for student, results in graded.items():
        theirs = _tests(results)
        assert list(theirs) == list(ours[student]) == rows, student
        for name, (verdict, marks, detail) in ours[student].items():
            got = theirs[name]
            assert (got[0], got[1]) == (verdict, marks), (student, name, got, detail)
            assert got[2].endswith(detail), (student, name, got[2], detail)
        total = sum(marks for _, marks, _ in ours[student].values())
        assert results["score"] == pytest.approx(total / len(rows))
    verdicts = {s: [theirs[0] for theirs in _tests(r).values()] for s, r in graded.items()}
    assert verdicts["right"] == ["correct"] * 5 and graded["right"]["score"] == 1.0
    assert graded["right"]["output"].count("my own check") == 2  # both cases' prints
    assert verdicts["float32"] == ["correct"] * 5
    assert verdicts["slip_at_step_3"] == ["correct", "correct", "wrong", "carried", "carried"]
    assert "W(2)_11@3" in graded["slip_at_step_3"]["tests"][2]["message"]
    assert verdicts["update_added"] == ["mistake:update-added"] * 5
    assert graded["update_added"]["score"] == pytest.approx(0.5)
    # step 1 has nothing to accumulate: right; every later step is the mistake
    assert verdicts["zero_grad_forgotten"] == ["correct"] + ["mistake:gradients-accumulated"] * 4
    for student in ("raising", "loops_forever", "not_a_list", "no_function"):
        assert verdicts[student] == ["wrong"] * 5 and graded[student]["score"] == 0, student
    assert "ValueError: not yet" in graded["raising"]["output"]
    assert "timeout" in graded["loops_forever"]["tests"][0]["message"]
    assert "should return a list of 5" in graded["not_a_list"]["tests"][0]["message"]


@pytest.mark.parametrize("attack", list(HOSTILE))
def test_a_hostile_loop_earns_nothing(
    attack: str,
    numpy_python: str,  # noqa: F811
    question: tuple[Path, Path],
) -> None:
    """The wheel and the cases are the grader's alone: the student's loop can neither import
    backviz from the question's tests/ nor read the cases; a value too big is refused."""
    _, folder = question
    prelude = (
        "import glob as _glob\n"
        "ROOT = sorted(_glob.glob('/tmp/backviz-pl-grade-*'), key=__import__('os').path"
        ".getmtime)[-1]\n"
        f"BACKVIZ_VERSION = {importlib.metadata.version('backviz')!r}\n"
    )
    results, _ = pl_grade(numpy_python, folder, {"train.py": prelude + HOSTILE[attack]})
    assert results["gradable"] is True and results["score"] == 0, results["message"]
    assert {t["verdict"] for t in results["tests"]} == {"wrong"}
    told = {
        "imports_the_wheel": "ModuleNotFoundError: No module named 'backviz'",
        "reads_the_cases": "PermissionError",
        "returns_a_huge_value": "too big",
    }[attack]
    assert told in results["message"], results["message"]


def test_each_variant_is_graded_on_its_own_numbers_in_korean(
    numpy_python: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A `backviz variants` folder of the training exercise exported with --lang ko: the
    variant PrairieLearn gave the student is the one judged, step by step from that
    variant's numbers, with the verdicts and feedback `backviz grade --lang ko` gives."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    source = _exercise(tmp_path)
    result = CliRunner().invoke(
        main, ["variants", str(source), "--roster", str(roster), "--out", str(tmp_path / "v")]
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "question"
    export(tmp_path / "v", folder, "--lang", "ko")
    bank = json.loads(gzip.decompress((folder / "tests" / "cases.json.gz").read_bytes()))
    names = [variant["name"] for variant in bank["variants"]]
    assert len(set(names)) == 2
    text = SUBMISSIONS["slip_at_step_3"]
    for number, student in enumerate(("s01", "s02")):
        ours = backviz_graded(
            tmp_path / "v" / f"{student}.toml",
            {student: text},
            tmp_path / f"graded-{student}",
            lang="ko",
        )[student]
        results, _ = pl_grade(numpy_python, folder, {"train.py": text}, variant=names[number])
        theirs = _tests(results)
        assert {k: v[:2] for k, v in theirs.items()} == {k: v[:2] for k, v in ours.items()}
        assert all(theirs[k][2].endswith(v[2]) for k, v in ours.items())
        assert [v[0] for v in theirs.values()] == ["correct", "correct", "wrong"] + ["carried"] * 2
        assert "내가 계산한 3단계에서 올바르게 계산함" in theirs["W(2)@4"][2]
        assert results["tests"][0]["description"].startswith("1단계 뒤 2층의 W")
    # the other variant's right loop is right on its own numbers only: each is its own
    own = load(tmp_path / "v" / "s01.toml")
    other = load(tmp_path / "v" / "s02.toml")
    assert not np.array_equal(own.W[0], other.W[0])


def test_the_question_ships_the_running_backviz(question: tuple[Path, Path]) -> None:
    """tests/ holds the wheel of this backviz (every module of the package, pure Python) named
    in the bank, and each case's exercise as TOML that loads back to that case; a
    forward/backward question ships no wheel."""
    exercise, folder = question
    bank = json.loads(gzip.decompress((folder / "tests" / "cases.json.gz").read_bytes()))
    assert bank["contract"] == "train" and bank["function"] == "train"
    wheel = folder / "tests" / bank["wheel"]
    assert wheel.name.startswith("backviz-") and wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = Path(__file__).resolve().parent.parent / "backviz"
    assert "backviz/grading/code_training.py" in names and "backviz/core/engine.py" in names
    assert {f"backviz/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")} <= names
    for case, drawn in zip(
        bank["variants"][0]["cases"], code_cases(load(exercise), SECRET), strict=True
    ):
        from backviz.core.loading import loads

        back = loads(case["exercise"])
        assert np.array_equal(back.W[0], drawn.W[0]) and np.array_equal(back.inputs, drawn.inputs)
        assert back.training == drawn.training and back.code == drawn.code
    html = (folder / "question.html").read_text(encoding="utf-8")
    assert "def train(W, b, x, t, learning_rate, steps):" in html
    assert "torch" not in html  # numpy only: no autograd, torch.optim or nn.Module offered


def test_torch_is_refused_and_a_backward_question_has_no_wheel(tmp_path: Path) -> None:
    """code-train-sgd as it is allows torch, which PrairieLearn's image lacks: refused in one
    line naming the image, nothing written. A forward/backward question needs no backviz."""
    result = CliRunner().invoke(
        main,
        [
            "export",
            "prairielearn",
            str(EXERCISES / "code-train-sgd.toml"),
            "-o",
            str(tmp_path / "q"),
        ],
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "allows torch" in result.output and "prairielearn/grader-python" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "q").exists()
    export(EXERCISES / "code-xor-221.toml", tmp_path / "xor")
    assert not list((tmp_path / "xor" / "tests").glob("*.whl"))


def test_a_grader_whose_backviz_is_not_the_wheel_refuses_to_judge(
    numpy_python: str,  # noqa: F811
    question: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    """A wheel gone missing (a question folder copied without it) makes the job not gradable,
    with a message for staff — never a verdict on the student's loop."""
    _, folder = question
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(folder), str(broken)], check=True)
    for wheel in (broken / "tests").glob("*.whl"):
        os.remove(wheel)
    results, _ = pl_grade(numpy_python, broken, {"train.py": SUBMISSIONS["right"]})
    assert results["gradable"] is False
    assert "could not grade this submission" in results["message"]


@pytest.fixture(scope="module")
def numpy_sympy_python() -> Iterator[str]:
    """A Python with numpy, sympy and mpmath and without backviz, runnable by any uid: as
    PrairieLearn's image, which has packages besides numpy (its requirements.txt)."""
    base = Path(tempfile.mkdtemp(prefix="backviz-pl-python-sympy-"))
    try:
        os.chmod(base, 0o755)
        venv = base / "venv"
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", venv], check=True)
        farm = base / "farm"
        farm.mkdir()
        site = Path(np.__file__).resolve().parent.parent
        for found in site.iterdir():
            if found.name.partition("-")[0].partition(".")[0] in ("numpy", "sympy", "mpmath"):
                (farm / found.name).symlink_to(found)
        packages = next((venv / "lib").glob("python3*/site-packages"))
        (packages / "farm.pth").write_text(f"{farm}\n", encoding="utf-8")
        python = str(venv / "bin" / "python")
        check = (
            "import numpy, sympy\ntry:\n import backviz\nexcept ImportError:\n pass\nelse:\n 1/0"
        )
        if subprocess.run([python, "-I", "-c", check], check=False).returncode != 0:
            pytest.skip("no Python with numpy and sympy and without backviz could be made")
        yield python
    finally:
        shutil.rmtree(base, ignore_errors=True)


SYMPY = (
    "import math\nimport sympy\n\n"
    + RIGHT.format(slip="")
    + "\n\nassert sympy.diff(sympy.Symbol('y') ** 2 / 2) == sympy.Symbol('y') and math.pi\n"
)
"""A right loop that imports sympy (to check its derivative) and the standard library."""


def test_only_the_modules_the_exercise_allows_are_imported(
    numpy_sympy_python: str, tmp_path: Path
) -> None:
    """In an image that has sympy, a loop importing it is refused as `[code] modules` (numpy)
    does not allow it — ModuleNotFoundError, as in backviz's sandbox, which does not show it:
    every step wrong, `backviz grade`'s verdicts — while the standard library stays allowed."""
    exercise = _exercise(tmp_path, wall=15.0)
    export(exercise, tmp_path / "question")
    results, _ = pl_grade(numpy_sympy_python, tmp_path / "question", {"train.py": SYMPY})
    ours = backviz_graded(exercise, {"sympy": SYMPY}, tmp_path / "graded")["sympy"]
    theirs = _tests(results)
    assert {k: v[:2] for k, v in theirs.items()} == {k: v[:2] for k, v in ours.items()}
    assert results["score"] == 0
    assert "ModuleNotFoundError: No module named 'sympy'" in results["message"]
    stdlib = "import itertools, json, fractions\nimport xml.dom\n" + RIGHT.format(slip="")
    results, _ = pl_grade(numpy_sympy_python, tmp_path / "question", {"train.py": stdlib})
    assert results["score"] == 1.0, results["message"]


ADAM = (Path(__file__).parent / "data" / "code" / "train" / "adam_numpy.py").read_text("utf-8")


def test_adam_with_biases_is_judged_alike(
    numpy_python: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """code-train-adam (numpy only): Adam's state followed from the student's own steps, a
    bias judged beside each W. A right numpy Adam loop is right at every step; one without
    bias correction is that catalogued mistake; the verdicts and marks are backviz grade's."""
    text = (EXERCISES / "code-train-adam.toml").read_text(encoding="utf-8")
    text = text.replace('modules = ["numpy", "torch"]', 'modules = ["numpy"]\nwall_seconds = 4.0')
    text = text.replace("cases = 2", "cases = 1")
    exercise = tmp_path / "code-train-adam.toml"
    exercise.write_text(text, encoding="utf-8")
    export(exercise, tmp_path / "question")
    uncorrected = ADAM.replace("m[i] / (1 - beta1**k), v[i] / (1 - beta2**k)", "m[i], v[i]")
    assert uncorrected != ADAM
    submissions = {"right": ADAM, "uncorrected": uncorrected}
    ours = backviz_graded(exercise, submissions, tmp_path / "graded")
    for student, submitted in submissions.items():
        results, _ = pl_grade(numpy_python, tmp_path / "question", {"train.py": submitted})
        theirs = _tests(results)
        assert list(theirs) == [f"{k}(2)@{s}" for s in range(1, 6) for k in ("W", "b")]
        assert {k: v[:2] for k, v in theirs.items()} == {k: v[:2] for k, v in ours[student].items()}
        assert all(theirs[k][2].endswith(v[2]) for k, v in ours[student].items())
        verdicts = {v[0] for v in theirs.values()}
        if student == "right":
            assert verdicts == {"correct"} and results["score"] == 1.0
        else:
            assert theirs["W(2)@1"][0] == "mistake:adam-no-bias-correction"
            assert "correct" not in verdicts and results["score"] < 1


def test_backviz_runs_from_the_wheel_with_numpy_alone(
    numpy_python: str,  # noqa: F811
    question: tuple[Path, Path],
) -> None:
    """In a Python with numpy and no backviz, the question's wheel on sys.path is the backviz
    imported (from the zip), its data files load through importlib.resources, and it solves the
    exercise's own first step as the installed backviz does."""
    exercise, folder = question
    bank = json.loads(gzip.decompress((folder / "tests" / "cases.json.gz").read_bytes()))
    wheel = folder / "tests" / bank["wheel"]
    check = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(wheel)!r})\n"
        "from importlib.resources import files\n"
        "from backviz.core.engine import run\n"
        "from backviz.core.loading import loads\n"
        "import backviz\n"
        "script = files('backviz.grading').joinpath('practice.js').read_text('utf-8')\n"
        f"trace = run(loads({bank['variants'][0]['cases'][0]['exercise']!r}))\n"
        "print(json.dumps([backviz.__file__, len(script), "
        "trace.steps[0].W_new[0].tolist(), sorted(m for m in sys.modules if '.' not in m)]))\n"
    )
    done = subprocess.run(
        [numpy_python, "-I", "-c", check], capture_output=True, text=True, check=False, cwd="/"
    )
    assert done.returncode == 0, done.stderr
    where, length, after, modules = json.loads(done.stdout)
    assert where.startswith(str(wheel) + os.sep)
    assert length == len((Path(__file__).parent.parent / "backviz/grading/practice.js").read_text())
    np.testing.assert_array_equal(after, run_here(load(exercise)).steps[0].W_new[0])
    assert not {"torch", "click", "graphviz", "sympy"} & set(modules)


def test_the_attack_on_the_wheel_is_real_where_the_wheel_can_be_read(
    numpy_python: str,  # noqa: F811
    question: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    """The wheel-importing loop, with the child's import rule in place, imports backviz where
    the question's tests/ can be read (a copy here): it takes the rule out. So its 0 above is
    the other uid's doing, the files being root's alone."""
    _, folder = question
    shutil.copytree(folder / "tests", tmp_path / "tests")
    check = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path / 'tests')!r})\n"
        "import backviz_child\n"
        "sys.meta_path.insert(0, backviz_child._Allowed(['numpy']))\n"
        "try:\n    import backviz\nexcept ModuleNotFoundError:\n    pass\n"
        "else:\n    raise SystemExit('the rule let backviz in')\n"
        f"namespace = {{'ROOT': {str(tmp_path)!r}, "
        f"'BACKVIZ_VERSION': {importlib.metadata.version('backviz')!r}}}\n"
        f"exec({HOSTILE['imports_the_wheel']!r}, namespace)\n"
        "namespace['train'](None, None, None, None, 0.1, 1)\n"
    )
    done = subprocess.run(
        [numpy_python, "-I", "-c", check], capture_output=True, text=True, check=False, cwd="/"
    )
    assert "RuntimeError: imported backviz from the question's wheel" in done.stderr, done.stderr


def test_a_notebook_of_the_loop_is_graded_as_backviz_grades_it(
    numpy_python: str,  # noqa: F811
    question: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    """A notebook `train.ipynb` uploaded is graded instead of the editor's file: its code cells
    run in order (a cell that raises told), its loop judged step by step — as backviz grade
    grades the same notebook."""
    exercise, folder = question

    def cell(source: str) -> dict:
        return {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}

    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [cell(SUBMISSIONS["slip_at_step_3"]), cell("train(None)")],
    }
    text = json.dumps(notebook)
    files = {"train.py": SUBMISSIONS["raising"], "train.ipynb": text}
    results, _ = pl_grade(numpy_python, folder, files)
    (tmp_path / "nb").mkdir()
    handed = tmp_path / "nb" / "train.ipynb"
    handed.write_text(text, encoding="utf-8")
    (ours,) = grade_code(load(exercise), [("nb", handed)], secret=SECRET)
    theirs = _tests(results)
    assert {k: v[:2] for k, v in theirs.items()} == {
        v.name: (v.verdict, v.marks) for v in ours.verdicts
    }
    assert [v[0] for v in theirs.values()] == ["correct", "correct", "wrong", "carried", "carried"]
    assert "train.ipynb was graded" in results["message"]
    assert "cell 2 raised TypeError" in results["message"]
