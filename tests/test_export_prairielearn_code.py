"""`backviz export prairielearn` of a coding exercise: a question with an external grader for
PrairieLearn's Python image, run here as PrairieLearn runs it.

A grading job is laid out as PrairieLearn lays it out (docs/externalGrading.md: the question's
tests/ in /grade/tests, the student's files in /grade/student, data.json in /grade/data, the
results read from /grade/results/results.json), under a temporary root
(`BACKVIZ_PRAIRIELEARN_ROOT`), and the entrypoint run as root with a Python that has numpy and
no backviz (PrairieLearn's grader-python has numpy 2.4 and no backviz: graders/python/
requirements.txt). Its verdicts and marks are compared with `backviz grade`'s on the same
submissions and the same cases (the export's secret), results.json with the documented shape,
info.json with PrairieLearn's schema; and each attack a student's function may make on the
grader earns nothing and leaves the grading whole.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.core.loading import load
from backviz.grading.code import case_arguments, code_cases, grade_code
from backviz.grading.code_marking import judge_case
from backviz.grading.marking import carried_from
from backviz.grading.marking import grade as mark
from tests.conftest import EXERCISES
from tests.test_export_prairielearn import SCHEMA, elements

CODE = Path(__file__).parent / "data" / "code"
GOOD = (CODE / "good.py").read_text(encoding="utf-8")
SECRET = "0123456789abcdef0123456789abcdef"
ROOT_VARIABLE = "BACKVIZ_PRAIRIELEARN_ROOT"

# results.json as docs/externalGrading.md ("Grading results") and pl-external-grader-results
# read it: a score in [0, 1] when gradable, per test its name and points of max_points.
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["gradable"],
    "properties": {
        "gradable": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"},
        "output": {"type": "string"},
        "format_errors": {"type": ["string", "array"], "items": {"type": "string"}},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "points", "max_points"],
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "points": {"type": "number", "minimum": 0},
                    "max_points": {"type": "number", "minimum": 0},
                    "message": {"type": "string"},
                    "output": {"type": "string"},
                },
            },
        },
    },
    "if": {"properties": {"gradable": {"const": True}}},
    "then": {"required": ["score", "tests"]},
}


def _wrapped(change: str) -> str:
    """good.py with its result changed by `change` (statements on `r`, the returned dict)."""
    body = "\n".join(f"    {line}" for line in change.splitlines())
    return (
        f"{GOOD}\n\n_right = backward\n\n\ndef backward(W, b, x, t, learning_rate):\n"
        f"    r = _right(W, b, x, t, learning_rate)\n{body}\n    return r\n"
    )


def _slip(right: str, slipped: str) -> str:
    """good.py with one line of its working changed: a slip a student makes."""
    assert right in GOOD
    return GOOD.replace(right, slipped)


# Submissions whose verdicts backviz grade and the exported grader must agree on.
SUBMISSIONS = {
    "right": GOOD + "\nprint('my own check')\n",
    "no_sigma_prime": (CODE / "no_sigma_prime.py").read_text(encoding="utf-8"),  # + carried
    "updated_first": (CODE / "updated_first.py").read_text(encoding="utf-8"),
    "square_transposed": _wrapped("r['dW'][0] = r['dW'][0].T.copy()"),
    "wrong_shape": _wrapped("r['dW'][1] = r['dW'][1].T.copy()"),
    "nan": _wrapped("r['z'][0] = r['z'][0] * np.nan"),
    "inf": _wrapped("r['z'][1] = r['z'][1] + np.inf"),
    "missing_key": _wrapped("del r['db']"),
    "not_per_layer": _wrapped("r['a'] = r['a'][0]"),
    "not_numbers": _wrapped("r['delta'][0] = 'delta'"),
    "one_wrong_number": _wrapped("r['W_new'][1] = r['W_new'][1] + 0.25"),
    "update_added": _wrapped(
        "r['W_new'] = [w + learning_rate * g for w, g in zip(W, r['dW'])]\n"
        "r['b_new'] = [v + learning_rate * g for v, g in zip(b, r['db'])]"
    ),
    "batch_summed": _wrapped(
        "r['dW'] = [g * len(x) for g in r['dW']]\nr['db'] = [g * len(x) for g in r['db']]\n"
        "r['W_new'] = [w - learning_rate * g for w, g in zip(W, r['dW'])]\n"
        "r['b_new'] = [v - learning_rate * g for v, g in zip(b, r['db'])]"
    ),
    "in_place": (CODE / "in_place.py").read_text(encoding="utf-8"),
    "derivative_of_z": _slip("dE_da * a_i * (1 - a_i)", "dE_da * zs[i] * (1 - zs[i])"),
    "sign_flipped": _slip("dE_da = (o - t)", "dE_da = (t - o)"),
    "weights_swapped": _slip(
        "z = a @ (w if transposed else w.T)", "z = a @ (w if w.shape[0] == w.shape[1] else w.T)"
    ),
    "raising": "def backward(W, b, x, t, learning_rate):\n    raise ValueError('not yet')\n",
    "loops_forever": "def backward(W, b, x, t, learning_rate):\n    while True:\n        pass\n",
    "exits_hard": "import os\ndef backward(W, b, x, t, learning_rate):\n    os._exit(0)\n",
    "reads_a_file": (
        "def backward(W, b, x, t, learning_rate):\n    return open('/etc/shadow').read()\n"
    ),
    "no_function": "def forward(W, b, x):\n    return x\n",
    "empty": "",
    "syntax_error": "def backward(W, b, x, t, learning_rate)\n    return {}\n",
}


@pytest.fixture(scope="session")
def numpy_python() -> Iterator[str]:
    """A Python with numpy and without backviz, runnable by any uid (as /venv/bin/python3 is
    in PrairieLearn's image): a venv of the system's Python seeing only numpy's files."""
    base = Path(tempfile.mkdtemp(prefix="backviz-pl-python-"))
    try:
        os.chmod(base, 0o755)
        system = next(
            (p for p in ("/usr/bin/python3.11", "/usr/bin/python3") if Path(p).exists()), None
        )
        if system is None:
            pytest.skip("no system Python another uid may run")
        subprocess.run([system, "-m", "venv", "--without-pip", base / "venv"], check=True)
        farm = base / "numpy-only"
        farm.mkdir()
        site = Path(np.__file__).resolve().parent.parent
        for found in site.iterdir():
            if found.name == "numpy" or found.name.startswith(("numpy.", "numpy-")):
                (farm / found.name).symlink_to(found)
        packages = next((base / "venv" / "lib").glob("python3*/site-packages"))
        (packages / "numpy-only.pth").write_text(f"{farm}\n", encoding="utf-8")
        python = str(base / "venv" / "bin" / "python")
        check = "import numpy\ntry:\n import backviz\nexcept ImportError:\n pass\nelse:\n 1/0"
        if subprocess.run([python, "-I", "-c", check], check=False).returncode != 0:
            pytest.skip("no Python with numpy and without backviz could be made")
        yield python
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _exercise(folder: Path, *, cases: int = 1, wall: float = 3.0) -> Path:
    """code-xor-221 with `cases` random cases and `wall` seconds a case (a test's time)."""
    text = (EXERCISES / "code-xor-221.toml").read_text(encoding="utf-8")
    text = text.replace("cases = 3", f"cases = {cases}\nwall_seconds = {wall}")
    path = folder / "code-xor-221.toml"
    path.write_text(text, encoding="utf-8")
    return path


def export(source: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(source), "-o", str(out), "--secret", SECRET, *args]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def question(tmp_path_factory) -> tuple[Path, Path]:
    """(the exercise, its exported question folder)."""
    folder = tmp_path_factory.mktemp("plcode")
    exercise = _exercise(folder)
    export(exercise, folder / "question")
    return exercise, folder / "question"


def pl_grade(
    python: str,
    question: Path,
    files: dict[str, str | bytes],
    *,
    variant: str | None = None,
) -> tuple[dict, Path]:
    """One grading job as PrairieLearn runs it: results.json and the job's root (removed)."""
    root = Path(tempfile.mkdtemp(prefix="backviz-pl-grade-"))
    try:
        os.chmod(root, 0o755)  # as PrairieLearn's /grade: the grader makes its folders private
        shutil.copytree(question / "tests", root / "tests")
        for name in ("student", "data", "serverFilesCourse"):
            (root / name).mkdir(mode=0o755)
        (root / "serverFilesCourse" / "secret.txt").write_text("the course's own\n")
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (root / "student" / name).write_bytes(data)
        if variant is None:
            cases = json.loads(gzip.decompress((question / "tests/cases.json.gz").read_bytes()))
            variant = cases["variants"][0]["name"]
        job = {"params": {"variant_name": variant}, "submitted_answers": {}}
        (root / "data" / "data.json").write_text(json.dumps(job), encoding="utf-8")
        done = subprocess.run(
            [python, str(root / "tests" / "backviz_grade.py")],
            env={"PATH": os.environ["PATH"], ROOT_VARIABLE: str(root)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd="/",
        )
        assert done.returncode == 0, done.stderr
        results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
        jsonschema.validate(results, RESULTS_SCHEMA)
        return results, root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def backviz_graded(exercise: Path, files: dict[str, str], folder: Path, lang: str = "en") -> dict:
    """`backviz grade` on the same submissions with the export's secret: per student, per
    array (verdict, marks, detail)."""
    sources = []
    for student, text in files.items():
        (folder / student).mkdir(parents=True)
        path = folder / student / "backward.py"
        path.write_text(text, encoding="utf-8")
        sources.append((student, path))
    graded = grade_code(load(exercise), sources, secret=SECRET, lang=lang)
    return {g.student: {v.name: (v.verdict, v.marks, v.detail) for v in g.verdicts} for g in graded}


def _tests(results: dict) -> dict[str, tuple[str, float, str]]:
    """Per array (verdict, points, message) from results.json."""
    return {t["name"]: (t["verdict"], t["points"], t["message"]) for t in results["tests"]}


def test_the_exported_grader_gives_backviz_grades_verdicts_and_marks(
    numpy_python: str, question: tuple[Path, Path], tmp_path: Path
) -> None:
    """Right, carried, each catalogued mistake of the corpus, transposed, the wrong shape,
    NaN, inf, a missing key, not one per layer, not numbers, one wrong number, raising, no
    function, a syntax error: the same verdict, marks and feedback per array as `backviz
    grade` (its sandbox) on the same cases; the score is backviz's total over the maximum."""
    exercise, folder = question
    ours = backviz_graded(exercise, SUBMISSIONS, tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:  # as PrairieLearn: a job per submission
        jobs = pool.map(
            lambda text: pl_grade(numpy_python, folder, {"backward.py": text}), SUBMISSIONS.values()
        )
        graded = dict(zip(SUBMISSIONS, [results for results, _ in jobs], strict=True))
    seen = set()
    for student, results in graded.items():
        theirs = _tests(results)
        assert list(theirs) == list(ours[student]), student
        for name, (verdict, marks, detail) in ours[student].items():
            got = theirs[name]
            assert (got[0], got[1]) == (verdict, marks), (student, name, got, detail)
            assert got[2].endswith(detail), (student, name, got[2], detail)
            seen.add(verdict.split(":")[0])
        total = sum(marks for _, marks, _ in ours[student].values())
        assert results["output"].count("my own check") == (2 if student == "right" else 0)
        assert results["score"] == pytest.approx(total / len(ours[student]))
    assert seen >= {"correct", "carried", "mistake", "wrong", "missing"}
    assert ours["right"]["dW(2)"][0] == "correct" and ours["raising"]["dW(2)"][0] == "wrong"
    assert ours["no_sigma_prime"]["delta(3)"][0] == "mistake:no-activation-derivative"
    assert ours["updated_first"]["delta(2)"][0] == "mistake:updated-weights-in-backprop"
    assert ours["update_added"]["W_new(2)"][0] == "mistake:update-added"
    assert ours["batch_summed"]["dW(3)"][0] == "mistake:batch-summed"
    assert ours["derivative_of_z"]["delta(3)"][0] == "mistake:derivative-of-z"
    assert ours["sign_flipped"]["delta(3)"][0] == "mistake:sign-flipped"
    assert ours["weights_swapped"]["z(2)"][0] == "mistake:weights-swapped"
    assert ours["loops_forever"]["z(2)"][:2] == ("wrong", 0.0)
    assert "changed its argument(s) W, b in place" in graded["in_place"]["message"]
    assert "ValueError: not yet" in graded["raising"]["output"]  # its traceback, shown
    assert ours["square_transposed"]["dW(2)"][2].endswith("is transposed: w_jk is row j, column k")


def test_a_layer_without_bias_is_judged_alike(numpy_python: str, tmp_path: Path) -> None:
    """Layer 3 without a bias: no db(3) or b_new(3) is graded (one returned there anyway is
    not asked for, so it costs nothing) — as backviz grade judges it."""
    exercise = _exercise(tmp_path)
    text = exercise.read_text(encoding="utf-8").replace("bias = true", "bias = [true, false]")
    exercise.write_text(text.replace("[0.1, -0.1],  [0.2]", "[0.1, -0.1], []"), "utf-8")
    export(exercise, tmp_path / "question")
    submissions = {
        "right": GOOD,
        "no_sigma_prime": SUBMISSIONS["no_sigma_prime"],
        "bias_anyway": _wrapped("r['db'][1] = np.zeros(1)"),
    }
    ours = backviz_graded(exercise, submissions, tmp_path / "graded")
    assert "db(3)" not in ours["right"] and ours["right"]["db(2)"][0] == "correct"
    assert ours["bias_anyway"] == ours["right"]
    for student, text in submissions.items():
        results, _ = pl_grade(numpy_python, tmp_path / "question", {"backward.py": text})
        theirs = _tests(results)
        assert {k: v[:2] for k, v in theirs.items()} == {k: v[:2] for k, v in ours[student].items()}
        assert all(theirs[k][2].endswith(v[2]) for k, v in ours[student].items())


def test_a_hard_coded_answer_fails_the_cases_drawn_at_export(
    numpy_python: str, question: tuple[Path, Path], tmp_path: Path
) -> None:
    """The exercise's own numbers returned whatever the arguments: no array is right, since
    the random case the export drew (the student never sees it) gets the same numbers; what
    credit is left is carried (a = σ(z) of their own z), as backviz grade gives it."""
    exercise, folder = question
    namespace: dict = {}
    exec(GOOD, namespace)
    own = namespace["backward"](**case_arguments(load(exercise)))
    literal = {
        k: [None if v is None else np.asarray(v).tolist() for v in vs] for k, vs in own.items()
    }
    text = (
        f"import numpy as np\nOWN = {literal!r}\n\ndef backward(W, b, x, t, learning_rate):\n"
        "    return {k: [None if v is None else np.array(v) for v in vs]\n"
        "            for k, vs in OWN.items()}\n"
    )
    results, _ = pl_grade(numpy_python, folder, {"backward.py": text})
    theirs = _tests(results)
    assert "correct" not in {verdict for verdict, _, _ in theirs.values()}
    assert all("random case 1" in message for _, _, message in theirs.values())
    ours = backviz_graded(exercise, {"hard_coded": text}, tmp_path)["hard_coded"]
    assert {k: v[:2] for k, v in theirs.items()} == {k: v[:2] for k, v in ours.items()}
    assert results["score"] < 0.5


def test_info_json_and_question_html_are_what_prairielearn_reads(
    question: tuple[Path, Path],
) -> None:
    """info.json valid against PrairieLearn's schema, graded External by its Python image with
    the grader as entrypoint; question.html an editor with the starter, a notebook upload, the
    external grader's results; nothing of the cases anywhere PrairieLearn serves."""
    _, folder = question
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(info)
    assert info["gradingMethod"] == "External"
    options = info["externalGradingOptions"]
    assert options["image"] == "prairielearn/grader-python"
    assert options["entrypoint"] == "/grade/tests/backviz_grade.py"
    assert options["enableNetworking"] is False and 0 < options["timeout"] <= 600
    broken = dict(info, externalGradingOptions=dict(options, timeout="long"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    html = (folder / "question.html").read_text(encoding="utf-8")
    (editor,) = elements(html, "pl-file-editor")
    assert editor["file-name"] == "backward.py"
    (upload,) = elements(html, "pl-file-upload")
    assert upload["optional-file-names"] == "backward.ipynb"
    assert elements(html, "pl-external-grader-results")
    assert "def backward(W, b, x, t, learning_rate):" in html
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "info.json",
        "question.html",
        "server.py",
        "tests",
    ]
    assert not (folder / "clientFilesQuestion").exists()


def test_a_notebook_is_graded_as_its_code_cells(
    numpy_python: str, question: tuple[Path, Path], tmp_path: Path
) -> None:
    """A notebook uploaded beside the editor's file is graded instead, as backviz grades it:
    its code cells run in order, a cell that raises told, the function graded."""
    exercise, folder = question
    slipped = SUBMISSIONS["no_sigma_prime"]
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# my backprop"]},
        {
            "cell_type": "code",
            "metadata": {},
            "source": slipped,
            "outputs": [],
            "execution_count": 1,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": "backward(None)",
            "outputs": [],
            "execution_count": 2,
        },
    ]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    files = {
        "backward.py": "def backward(*a):\n    raise ValueError\n",
        "backward.ipynb": json.dumps(notebook),
    }
    results, _ = pl_grade(numpy_python, folder, files)
    (tmp_path / "nb").mkdir()
    handed = tmp_path / "nb" / "backward.ipynb"
    handed.write_text(files["backward.ipynb"], encoding="utf-8")
    (ours,) = grade_code(load(exercise), [("nb", handed)], secret=SECRET)
    expected = {v.name: (v.verdict, v.marks) for v in ours.verdicts}
    assert {k: v[:2] for k, v in _tests(results).items()} == expected
    assert results["score"] == pytest.approx(ours.total / len(ours.verdicts))
    assert results["score"] < 1  # σ′ left out, in the notebook's function
    assert "backward.ipynb was graded" in results["message"]
    assert "cell 3 raised TypeError" in results["message"]
    assert any("cell 3 raised TypeError" in problem for problem in ours.problems)
    results, _ = pl_grade(numpy_python, folder, {"backward.ipynb": "{not json"})
    assert results["score"] == 0


def test_what_the_image_cannot_grade_is_refused_in_one_line(tmp_path: Path) -> None:
    """A coding exercise allowing torch (not in PrairieLearn's Python image) is refused, naming
    the image, and nothing is written."""
    text = _exercise(tmp_path).read_text(encoding="utf-8")
    torch = tmp_path / "torch.toml"
    torch.write_text(text.replace("[code]", '[code]\nmodules = ["numpy", "torch"]'), "utf-8")
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(torch), "-o", str(tmp_path / "q")]
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "allows torch" in result.output and "prairielearn/grader-python" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "q").exists()


def test_exported_again_the_uuid_stays_and_the_secret_draws_the_cases(tmp_path: Path) -> None:
    """Exporting again keeps the question's UUID (students' submissions stay attached); the
    same --secret draws the same cases, none a new secret."""
    exercise = _exercise(tmp_path)
    folder = tmp_path / "q"

    def cases() -> list:
        bank = json.loads(gzip.decompress((folder / "tests" / "cases.json.gz").read_bytes()))
        return [case["arguments"] for case in bank["variants"][0]["cases"]]

    export(exercise, folder)
    uuid, first = json.loads((folder / "info.json").read_text())["uuid"], cases()
    export(exercise, folder)
    assert json.loads((folder / "info.json").read_text())["uuid"] == uuid
    assert cases() == first
    result = CliRunner().invoke(main, ["export", "prairielearn", str(exercise), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    again = cases()
    assert again[0] == first[0] and again[1] != first[1]  # the own case, a new random one


def test_nothing_submitted_or_an_unknown_variant_is_not_gradable(
    numpy_python: str, question: tuple[Path, Path]
) -> None:
    """No attempt is counted for an empty submission, nor for a variant exported away."""
    _, folder = question
    results, _ = pl_grade(numpy_python, folder, {})
    assert results["gradable"] is False and "backward.py" in results["message"]


def test_each_variant_is_graded_on_its_own_numbers_in_korean(
    numpy_python: str, tmp_path: Path
) -> None:
    """A `backviz variants` folder exported with --lang ko: the variant PrairieLearn gave the
    student (data.json's params.variant_name, set by server.py) is the one graded, with the
    feedback `backviz grade --lang ko` gives on that variant; a variant exported away since is
    not graded (no attempt counted); the page names no student."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "variants",
            str(_exercise(tmp_path)),
            "--roster",
            str(roster),
            "--out",
            str(tmp_path / "v"),
        ],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "question"
    export(tmp_path / "v", folder, "--lang", "ko")
    info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    assert info["singleVariant"] is False and info["title"].startswith("코드")
    html = (folder / "question.html").read_text(encoding="utf-8")
    assert "s01" not in html and "s02" not in html and "순전파와 역전파" in html
    bank = json.loads(gzip.decompress((folder / "tests" / "cases.json.gz").read_bytes()))
    names = [variant["name"] for variant in bank["variants"]]
    assert len(set(names)) == 2
    # the variant's own id draws its cases: each variant's own case is its own numbers
    second = tmp_path / "v" / "s02.toml"
    text = SUBMISSIONS["no_sigma_prime"]
    ours = backviz_graded(second, {"s02": text}, tmp_path / "graded", lang="ko")["s02"]
    results, _ = pl_grade(numpy_python, folder, {"backward.py": text}, variant=names[1])
    theirs = _tests(results)
    assert {k: v[:2] for k, v in theirs.items()} == {k: v[:2] for k, v in ours.items()}
    for name, (verdict, _, detail) in ours.items():
        assert theirs[name][2].endswith(detail) and theirs[name][2].startswith(
            bank["verdicts"][verdict]
        )
    assert theirs["delta(2)"][2].startswith("흔한 실수: 활성화 함수 미분 빠짐: 예제 자체의 값")
    assert theirs["delta(3)"][2].endswith("위와 같은 실수 (활성화 함수 미분 빠짐)")
    for name in names:
        results, _ = pl_grade(numpy_python, folder, {"backward.py": GOOD}, variant=name)
        assert results["score"] == 1.0
    results, _ = pl_grade(numpy_python, folder, {"backward.py": GOOD}, variant="v-gone")
    assert results["gradable"] is False and "다시 내보냈다" in results["message"]


def test_the_shared_rules_need_only_the_standard_library(question: tuple[Path, Path]) -> None:
    """The grader's rules load in a Python with neither numpy nor backviz (`-I -S`), and a
    grader not running as root refuses to grade (another uid is what keeps the cases from the
    student's code)."""
    _, folder = question
    check = (
        "import sys, importlib.util\n"
        f"sys.path.insert(0, {str(folder / 'tests')!r})\n"
        "for name in ('backviz_marking', 'backviz_code_marking', 'backviz_codec',"
        " 'backviz_notebook', 'backviz_python_view', 'backviz_grade'):\n"
        "    __import__(name)\n"
        "assert 'numpy' not in sys.modules and 'backviz' not in sys.modules\n"
        "sys.modules['backviz_grade'].os.geteuid = lambda: 1000\n"
        "sys.modules['backviz_grade'].main()\n"
    )
    root = Path(tempfile.mkdtemp(prefix="backviz-pl-grade-"))
    try:
        env = {ROOT_VARIABLE: str(root), "PATH": os.environ["PATH"]}
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", check], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
        assert results["gradable"] is False and "must run as root" in results["message"]
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ── attacks: each would earn marks if the grader's isolation failed ──────────────────────────

ATTACKS = {
    # the expected values, read from the cases the grader holds, returned as the answer
    "reads_the_cases": """
import gzip, json, numpy as np
def backward(W, b, x, t, learning_rate):
    bank = json.loads(gzip.decompress(open(ROOT + "/tests/cases.json.gz", "rb").read()))
    for case in bank["variants"][0]["cases"]:
        if case["arguments"]["x"]["$array"] == np.asarray(x).tolist():
            out = {}
            for array in case["arrays"]:
                right = None if array["shape"] is None else (
                    np.array(array["right"]).reshape(array["shape"]))
                out.setdefault(array["key"], [None] * case["layers"])[array["layer"]] = right
            return out
""",
    "reads_data_and_course_files": """
def backward(W, b, x, t, learning_rate):
    for path in (ROOT + "/data/data.json", ROOT + "/serverFilesCourse/secret.txt",
                 ROOT + "/student/backward.py"):
        open(path).read()
    return {}
""",
    "walks_the_heap_and_frames": """
import gc, sys
def backward(W, b, x, t, learning_rate):
    found = [o for o in gc.get_objects() if isinstance(o, dict) and "spec" in o]
    frame, seen = sys._getframe(), []
    while frame is not None:
        seen += [v for v in frame.f_locals.values() if isinstance(v, dict) and "arrays" in v]
        frame = frame.f_back
    case = (found + seen)[0]
    return {a["key"]: [a["right"]] for a in case["arrays"]}
""",
    "writes_results_itself": """
import json, os
def backward(W, b, x, t, learning_rate):
    fake = json.dumps({"gradable": True, "score": 1.0, "tests": []})
    print(fake)
    for path in (ROOT + "/results/results.json", "results.json", "/tmp/results.json"):
        try:
            open(path, "w").write(fake)
        except OSError:
            pass
    os._exit(0)
""",
    "monkeypatches_the_harness": """
import sys
def backward(W, b, x, t, learning_rate):
    codec = sys.modules["backviz_codec"]
    codec.encode_value = lambda value, **options: {"$float": "nan"}
    return {"z": 1}
""",
    "exits": "import sys\nsys.exit(0)\n",
    "forks_and_lingers": """
import os, time
def backward(W, b, x, t, learning_rate):
    if os.fork() == 0:  # in a session of its own, to write after the grading ended
        os.setsid()
        time.sleep(2)
        open(MARKER, "w").write("still alive")
        os._exit(0)
    return {}
""",
    "fork_bomb": """
import os
def backward(W, b, x, t, learning_rate):
    while True:
        try:
            os.fork()
        except OSError:
            pass
""",
}


# What the student is told each attack came to (the grader's own words, never the attack's).
TOLD = {
    "reads_the_cases": "PermissionError",
    "reads_data_and_course_files": "PermissionError",
    "walks_the_heap_and_frames": "IndexError",
    "writes_results_itself": "crashed",
    "monkeypatches_the_harness": "the exercise's own numbers",
    "exits": "SystemExit",
    "forks_and_lingers": "the exercise's own numbers",
    "fork_bomb": "timeout",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_earns_nothing_and_the_grading_goes_on(
    attack: str, numpy_python: str, question: tuple[Path, Path], tmp_path: Path
) -> None:
    """Each attack (run as the student's function, knowing the job's root) earns 0, the
    results are the grader's own, and no process of it outlives the grading."""
    _, folder = question
    marker = Path(tempfile.mkdtemp(prefix="backviz-pl-marker-"))
    os.chmod(marker, 0o777)
    try:
        # the root is the one pl_grade makes: the attack is told it through a file it can read
        source = ATTACKS[attack]
        started = time.monotonic()
        prelude = (
            "import glob as _glob\n"
            "ROOT = sorted(_glob.glob('/tmp/backviz-pl-grade-*'), key=__import__('os').path"
            ".getmtime)[-1]\n"
            f"MARKER = {str(marker / 'alive')!r}\n"
        )
        results, _ = pl_grade(numpy_python, folder, {"backward.py": prelude + source})
        assert time.monotonic() - started < 60
        assert results["gradable"] is True and results["score"] == 0, results["message"]
        assert {t["verdict"] for t in results["tests"]} <= {"wrong", "missing"}
        assert len(results["tests"]) == 14  # the grader's results, not a forged file's
        assert TOLD[attack] in results["message"] + results["tests"][0]["message"]
        if attack == "forks_and_lingers":
            time.sleep(max(0.0, started + 3.5 - time.monotonic()))
        assert not (marker / "alive").exists(), "a process of the student's outlived grading"
    finally:
        shutil.rmtree(marker, ignore_errors=True)


def test_the_attack_on_the_cases_is_real_where_the_cases_can_be_read(
    question: tuple[Path, Path], tmp_path: Path
) -> None:
    """The reading attack earns every mark where it can read the cases (here, in the test's
    own process): so its 0 above is the isolation's doing."""
    exercise, folder = question
    root = tmp_path / "grade"
    shutil.copytree(folder / "tests", root / "tests")
    namespace: dict = {"ROOT": str(root)}
    exec(ATTACKS["reads_the_cases"], namespace)
    bank = json.loads(gzip.decompress((folder / "tests" / "cases.json.gz").read_bytes()))
    for case, drawn in zip(
        bank["variants"][0]["cases"], code_cases(load(exercise), SECRET), strict=True
    ):
        value = namespace["backward"](**case_arguments(drawn))
        value = {k: [None if v is None else v.tolist() for v in vs] for k, vs in value.items()}
        verdicts = judge_case(case, value, mark, lambda d: carried_from(d, "en"))
        assert {v for v, _ in verdicts.values()} == {"correct"}


def test_a_bom_and_megabytes_printed_are_graded_as_backviz_grades_them(
    numpy_python: str, question: tuple[Path, Path], tmp_path: Path
) -> None:
    """A file saved with a UTF-8 byte-order mark (Windows editors) is Python all the same, and
    a function that prints 10 MB is not a crash: the right function earns full marks in
    PrairieLearn as in `backviz grade` (it scored 0 there, from a SyntaxError at U+FEFF and
    from the output file's size limit)."""
    exercise, folder = question
    printing = GOOD.replace(
        "    W = [np.array(w, dtype=float) for w in W]\n",
        "    print('x' * 10_000_000)\n    W = [np.array(w, dtype=float) for w in W]\n",
        1,
    )
    assert printing != GOOD
    for name, content in (("bom", "\ufeff" + GOOD), ("printing", printing)):
        results, _ = pl_grade(numpy_python, folder, {"backward.py": content})
        ours = backviz_graded(exercise, {name: content}, tmp_path / name)[name]
        assert results["score"] == pytest.approx(1.0), (name, results.get("message"))
        assert all(verdict == "correct" for verdict, _, _ in ours.values()), name
