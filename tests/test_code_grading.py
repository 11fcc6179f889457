"""Coding exercises: students' own forward/backward code run in the sandbox and judged
quantity by quantity, with the first differing quantity and the classic failures named."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import EXERCISES, ROOT
from tests.test_grading import assert_graded_0_because

CODE = ROOT / "tests" / "data" / "code"
EXERCISE = EXERCISES / "code-xor-221.toml"


def backviz_cli(*args: object, timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m backviz ARGS` from the project's folder, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "backviz", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def torch_reference(data: dict) -> dict:
    """The 2-2-1 sigmoid/BCE step by torch.autograd in float64, independently of backviz."""
    W = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in data["parameters"]["W"]]
    b = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in data["parameters"]["b"]]
    x = torch.tensor(data["data"]["inputs"], dtype=torch.float64)
    t = torch.tensor(data["data"]["targets"], dtype=torch.float64)
    h = torch.sigmoid(x @ W[0].T + b[0])
    o = torch.sigmoid(h @ W[1].T + b[1])
    loss = torch.nn.functional.binary_cross_entropy(o, t)
    loss.backward()
    return {
        "a": [h.detach().numpy(), o.detach().numpy()],
        "dW": [W[0].grad.numpy(), W[1].grad.numpy()],
        "db": [b[0].grad.numpy(), b[1].grad.numpy()],
    }


def test_the_reference_implementation_agrees_with_torch() -> None:
    """good.py, the correct submission of the tests, is itself checked against torch."""
    sys.path.insert(0, str(CODE))
    try:
        import good
    finally:
        sys.path.remove(str(CODE))
    data = tomllib.loads(EXERCISE.read_text())
    mine = good.backward(
        data["parameters"]["W"],
        data["parameters"]["b"],
        data["data"]["inputs"],
        data["data"]["targets"],
        1.0,
    )
    reference = torch_reference(data)
    for key in ("a", "dW", "db"):
        for ours, theirs in zip(mine[key], reference[key], strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict[str, tuple[str, str]]]:
    out = tmp_path_factory.mktemp("code-reports")
    files = [
        CODE / f"{name}.py"
        for name in ("good", "no_sigma_prime", "updated_first", "transposed", "uninitialised")
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "grade",
            str(EXERCISE),
            *map(str, files),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "sandbox: " in result.stderr
    rows = list(csv.reader((out / "verdicts.csv").open()))[1:]
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for student, quantity, verdict, *_ in rows:
        table.setdefault(student, {})[quantity] = (verdict, "")
    table["_out"] = {"path": (str(out), "")}
    return table


def test_a_correct_implementation_is_right_on_every_case(graded) -> None:
    assert {v for v, _ in graded["good"].values()} == {"correct"}


def test_sigma_prime_left_out_is_named_where_it_starts(graded) -> None:
    verdicts = graded["no_sigma_prime"]
    assert verdicts["z(2)"][0] == verdicts["a(3)"][0] == "correct"  # the forward pass is right
    assert verdicts["delta(3)"][0] == "mistake:no-activation-derivative"


def test_updating_weights_before_backpropagating_is_named(graded) -> None:
    verdicts = graded["updated_first"]
    assert verdicts["delta(3)"][0] == "correct" and verdicts["W_new(3)"][0] == "correct"
    assert verdicts["delta(2)"][0] == "mistake:updated-weights-in-backprop"


def test_transposition_and_nan_are_explained(graded) -> None:
    out = graded["_out"]["path"][0]
    transposed = Path(out, "feedback", "transposed.md").read_text(encoding="utf-8")
    assert "error: ValueError" in transposed and "transposed.py line" in transposed
    nan = Path(out, "feedback", "uninitialised.md").read_text(encoding="utf-8")
    assert "NaN: were the weights uninitialised" in nan
    assert graded["uninitialised"]["z(2)"][0] == "wrong"


def test_a_wrong_number_names_the_first_quantity_that_differs(tmp_path) -> None:
    wrong = (CODE / "good.py").read_text().replace("a = sigmoid(z)", "a = sigmoid(z) * 1.01")
    (tmp_path / "scaled.py").write_text(wrong)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "grade",
            str(EXERCISE),
            str(tmp_path / "scaled.py"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    feedback = (out / "feedback" / "scaled.md").read_text()
    assert "first difference at a(2)_1[1]" in feedback


def test_an_endless_loop_times_out_and_the_batch_goes_on(tmp_path) -> None:
    text = EXERCISE.read_text().replace("cases = 3", "cases = 0\nwall_seconds = 2")
    exercise = tmp_path / "ex.toml"
    exercise.write_text(text)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "grade",
            str(exercise),
            str(CODE / "loops.py"),
            str(CODE / "good.py"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    grades = {row[0]: row for row in csv.reader((out / "grades.csv").open())}
    assert grades["loops"][1] == "0" and grades["good"][1] == grades["good"][2]
    assert "timeout" in (out / "feedback" / "loops.md").read_text()


def test_starter_file_from_template() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "template", str(EXERCISE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert "def backward(W, b, x, t, learning_rate):" in result.stdout
    compile(result.stdout, "starter.py", "exec")


def test_require_sandbox_refuses_below_the_level(tmp_path, monkeypatch) -> None:
    from backviz.core.loading import load
    from backviz.grading import code
    from backviz.sandbox import runner

    monkeypatch.setattr(runner, "_components", lambda: frozenset({"rlimits"}))
    exercise = load(EXERCISE)
    (result,) = code.grade_code(exercise, [("s", CODE / "good.py")], require="bwrap+seccomp")
    assert result.total == 0
    assert any("refused" in p for p in result.problems)


def test_an_unknown_sandbox_level_is_a_clear_refusal(tmp_path) -> None:
    result = backviz_cli(
        "grade",
        EXERCISE,
        CODE / "good.py",
        "--out",
        tmp_path / "out",
        "--require-sandbox",
        "docker",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--require-sandbox: unknown sandbox level 'docker'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_torch_implementations(tmp_path) -> None:
    """Submissions in torch: autograd-based (right) and the notes' uninitialised torch.Tensor."""
    text = EXERCISE.read_text().replace("cases = 3", 'cases = 1\nmodules = ["numpy", "torch"]')
    exercise = tmp_path / "ex.toml"
    exercise.write_text(text)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "grade",
            str(exercise),
            str(CODE / "torch_autograd.py"),
            str(CODE / "torch_uninitialised.py"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    grades = {row[0]: row for row in csv.reader((out / "grades.csv").open())}
    assert grades["torch_autograd"][1] == grades["torch_autograd"][2], (
        out / "feedback" / "torch_autograd.md"
    ).read_text()
    assert grades["torch_uninitialised"][1] == "0"
    feedback = (out / "feedback" / "torch_uninitialised.md").read_text()
    assert "NaN: were the weights uninitialised" in feedback


def test_changing_the_inputs_in_place_is_reported(tmp_path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "grade",
            str(EXERCISE),
            str(CODE / "in_place.py"),
            str(CODE / "good.py"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "changed its argument(s) W, b in place" in (out / "feedback" / "in_place.md").read_text()
    assert "in place" not in (out / "feedback" / "good.md").read_text()


ATTACKS = {
    "endless": "while True:\n        pass",
    "fork_bomb": "import os\n    while True:\n        os.fork()",
    "memory_hog": "blocks = []\n    while True:\n        blocks.append(bytearray(2**27))",
    "huge_output": "print('x' * 50_000_000)\n    return {'z': ['x' * 50_000_000]}",
    "reads_key": "return {'z': [open(SECRET).read()]}",
    "writes_reports": "open(REPORTS + '/grades.csv', 'w').write('student,total\\nme,999\\n')\n"
    "    return {}",
    "socket": "import socket\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
    "    return {}",
    "fake_result": 'print(\'{"status": "ok", "values": {"z": []}}\')\n    return {}',
    "imports_grader": "import backviz\n    return {}",
    "kills_parent": "import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return {}",
    "daemon": "import os, time\n    if os.fork() == 0:\n        os.setsid()\n"
    "        time.sleep(600)\n        os._exit(0)\n    return {}",
}


def test_an_adversarial_class_is_contained_and_graded(tmp_path) -> None:
    """Each attack is graded 0 with a reason, the reports stay the grader's, and the good
    submission after them gets full marks."""
    secret = tmp_path / "answer-key.csv"
    secret.write_text("the answer key")
    out = tmp_path / "reports"
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for name, body in ATTACKS.items():
        (submissions / f"{name}.py").write_text(
            f"SECRET = {str(secret)!r}\nREPORTS = {str(out)!r}\n\n\n"
            f"def backward(W, b, x, t, learning_rate):\n    {body}\n"
        )
    shutil.copy(CODE / "good.py", submissions / "zz_good.py")
    text = EXERCISE.read_text().replace("cases = 3", "cases = 0\nwall_seconds = 5")
    exercise = tmp_path / "ex.toml"
    exercise.write_text(text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "grade",
            str(exercise),
            str(submissions),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    grades = {row[0]: row for row in csv.reader((out / "grades.csv").open())}
    assert set(grades) == {"student", *ATTACKS, "zz_good"}  # every submission, once
    assert grades["zz_good"][1] == grades["zz_good"][2]
    for name in ATTACKS:
        assert grades[name][1] == "0", name
        feedback = (out / "feedback" / f"{name}.md").read_text()
        assert "sandbox: " in feedback, name
    assert "timeout" in (out / "feedback" / "endless.md").read_text()
    assert "the answer key" not in (out / "verdicts.csv").read_text()
    assert secret.read_text() == "the answer key"


def test_links_and_fifos_among_submissions_are_graded_0_with_the_reason(tmp_path) -> None:
    """The rule for links is the sheets' rule: only what the teacher names is followed. A link
    in the submissions folder (to a file, or a student's folder that is a link to another),
    a FIFO, a folder without a .py file: each is its student's row, 0 marks, the reason in the
    feedback; nothing is run from them, and the run finishes. A link named on the command
    line is followed; a student on the roster with nothing handed in gets 0, said so."""
    exercise = tmp_path / "ex.toml"
    exercise.write_text(EXERCISE.read_text().replace("cases = 3", "cases = 0"))
    submissions = tmp_path / "submissions"
    (submissions / "lee").mkdir(parents=True)
    (submissions / "park").mkdir()
    shutil.copy(CODE / "good.py", submissions / "good.py")
    shutil.copy(CODE / "good.py", submissions / "lee" / "main.py")
    (submissions / "park" / "notes.txt").write_text("I ran out of time")
    (submissions / "copied.py").symlink_to(submissions / "good.py")
    os.mkfifo(submissions / "piped.py")
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(CODE / "good.py", tmp_path / "elsewhere" / "answer.py")
    (submissions / "kim").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "named.py").symlink_to(CODE / "good.py")
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ngood\nlee\npark\ncopied\npiped\nkim\nnamed\nchoi\n")
    out = tmp_path / "out"
    result = backviz_cli(
        "grade", exercise, submissions, tmp_path / "named.py", "--roster", roster, "--out", out
    )
    assert result.returncode == 0, result.stderr
    grades = {row[0]: row for row in csv.reader((out / "grades.csv").open())}
    assert sorted(grades) == sorted(["student", "good", "lee", "park", "copied", "piped", "kim",
                                     "named", "choi"])  # fmt: skip
    for full in ("good", "lee", "named"):
        assert grades[full][1] == grades[full][2], full
    reasons = {
        "copied": "copied.py: a symbolic link, not followed",
        "piped": "piped.py: a FIFO (named pipe), not a file: not read",
        "kim": "kim: a symbolic link, not followed",
        "park": "park: no .py or .ipynb files in this folder",
        "choi": "no .py or .ipynb file handed in",
    }
    assert_graded_0_because(out, reasons)
    for student in ("copied", "piped", "kim", "park"):  # the level is in every report
        assert "sandbox:" in (out / "feedback" / f"{student}.md").read_text(), student
    assert "1 student(s) on roster.csv handed nothing in, graded 0: choi" in result.stderr


# ── fair marks for code (README, "How marks are given"; issue: fair marks, rule 6) ────────
def _good():
    sys.path.insert(0, str(CODE))
    try:
        import good
    finally:
        sys.path.remove(str(CODE))
    return good


def _key(W0, x) -> str:
    return repr(np.round(np.asarray(W0, dtype=float), 6).tolist()) + repr(
        np.round(np.asarray(x, dtype=float), 6).tolist()
    )


def _recording(cases: list, name: str) -> str:
    """A submission that computes nothing: it looks the answer up by the inputs it is given,
    in a table recorded from `cases` with the reference implementation, and raises otherwise."""
    good = _good()
    table = {}
    for case in cases:
        W = [w.tolist() for w in case.W]
        b = [None if v is None else v.tolist() for v in case.b]
        answer = good.backward(W, b, case.inputs, case.targets, case.training.learning_rate)
        table[_key(W[0], case.inputs)] = {
            key: [None if v is None else np.asarray(v).tolist() for v in values]
            for key, values in answer.items()
        }
    return (
        f'"""{name}: answers recorded, not computed."""\n\nimport json\n\nimport numpy as np\n\n'
        f"TABLE = json.loads({json.dumps(json.dumps(table))})\n\n\n"
        "def backward(W, b, x, t, learning_rate):\n"
        "    key = repr(np.round(np.asarray(W[0], dtype=float), 6).tolist()) + repr(\n"
        "        np.round(np.asarray(x, dtype=float), 6).tolist()\n"
        "    )\n"
        "    answer = TABLE[key]  # KeyError for any case not recorded\n"
        "    return {\n"
        "        k: [None if v is None else np.array(v) for v in vs] for k, vs in answer.items()\n"
        "    }\n"
    )


def _grade(files: dict[str, Path], secret: str | None = None) -> dict[str, dict[str, tuple]]:
    import backviz
    from backviz.grading import code

    exercise = backviz.load(EXERCISE)
    graded = code.grade_code(exercise, list(files.items()), secret=secret)
    return {
        g.student: {
            "total": g.total,
            "problems": g.problems,
            **{v.name: (v.verdict, v.detail) for v in g.verdicts},
        }
        for g in graded
    }


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict[str, Path]:
    """The published numbers hard-coded, and a table recorded from an earlier run's cases."""
    import backviz
    from backviz.grading import code

    exercise = backviz.load(EXERCISE)
    folder = tmp_path_factory.mktemp("recorded")
    hard = folder / "hard_coded.py"
    hard.write_text(_recording([exercise], "hard_coded"))
    table = folder / "lookup_table.py"
    table.write_text(_recording(code.code_cases(exercise, "ab" * 16), "lookup_table"))
    return {"hard_coded": hard, "lookup_table": table}


def test_numbers_that_are_not_computed_earn_nothing(recorded) -> None:
    """The exercise's own numbers hard-coded, or a table of an earlier run's cases: every
    quantity fails on a case drawn from this run's secret, which revokes it (0 marks)."""
    graded = _grade(recorded)
    assert graded["hard_coded"]["total"] == graded["lookup_table"]["total"] == 0
    assert graded["hard_coded"]["z(2)"][0] == "wrong"
    assert "random case 1" in graded["hard_coded"]["z(2)"][1]


def test_the_recorded_secret_draws_the_same_cases_again(recorded) -> None:
    """The table recorded from the run with secret ab…ab is right on exactly those cases:
    `grade --secret` reproduces that run (and shows the secret, not the code, is the guard)."""
    graded = _grade({"lookup_table": recorded["lookup_table"]}, secret="ab" * 16)
    assert graded["lookup_table"]["total"] == 14


def _variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (CODE / "good.py").read_text()
    assert old in text
    path = tmp_path / f"{name}.py"
    path.write_text(text.replace(old, new))
    return path


SIGMA = "delta = dE_da if skip_sigma_prime else dE_da * a_i * (1 - a_i)"


def test_sigma_prime_left_out_in_one_layer_is_that_mistake_there_and_carried_after(
    tmp_path,
) -> None:
    files = {
        "output_only": _variant(
            tmp_path,
            "output_only",
            SIGMA,
            "delta = dE_da if i == len(W) - 1 else dE_da * a_i * (1 - a_i)",
        ),
        "hidden_only": _variant(
            tmp_path, "hidden_only", SIGMA, "delta = dE_da if i == 0 else dE_da * a_i * (1 - a_i)"
        ),
    }
    graded = _grade(files)
    out, hidden = graded["output_only"], graded["hidden_only"]
    assert out["delta(3)"][0] == "mistake:no-activation-derivative"
    assert "in layer 3" in out["delta(3)"][1]
    assert {out[k][0] for k in ("delta(2)", "dW(3)", "db(3)", "W_new(3)", "dW(2)")} == {"carried"}
    assert out["total"] == 14 - 0.5  # the mistake's half mark, once
    assert hidden["delta(3)"][0] == "correct"
    assert hidden["delta(2)"][0] == "mistake:no-activation-derivative"
    assert "in layer 2" in hidden["delta(2)"][1]
    assert {hidden[k][0] for k in ("dW(2)", "db(2)", "W_new(2)", "b_new(2)")} == {"carried"}
    assert hidden["total"] == 14 - 0.5


def test_a_square_gradient_returned_transposed_is_told(tmp_path) -> None:
    """W(2) of the 2-2-1 network is 2×2: dW(2).T has the right shape and the wrong layout."""
    path = _variant(
        tmp_path,
        "square_transposed",
        '"dW": dW,',
        '"dW": [d.T if d.shape[0] == d.shape[1] else d for d in dW],',
    )
    verdict, detail = _grade({"square_transposed": path})["square_transposed"]["dW(2)"]
    assert verdict == "wrong" and "transposed" in detail


def test_feedback_numbers_are_plain_and_a_repeated_mistake_is_explained_once(tmp_path) -> None:
    scaled = _variant(tmp_path, "scaled", "a = sigmoid(z)", "a = sigmoid(z) * 1.01")
    out = tmp_path / "out"
    result = backviz_cli("grade", EXERCISE, scaled, CODE / "no_sigma_prime.py", "--out", out)
    assert result.returncode == 0, result.stderr
    feedback = (out / "feedback" / "scaled.md").read_text()
    assert "first difference at a(2)_1[1]: yours 0." in feedback
    assert "np.float64" not in feedback and "float64(" not in feedback
    sigma = (out / "feedback" / "no_sigma_prime.md").read_text()
    assert sigma.count("The activation's derivative is left out") == 1
    assert "the same mistake as above" in sigma


def test_the_secret_is_for_the_teacher_only(tmp_path) -> None:
    """record.json holds the run's secret; no student's feedback or results do; the same
    secret gives the same marks."""
    runs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        args = ["grade", str(EXERCISE), str(CODE / "good.py"), str(CODE / "no_sigma_prime.py")]
        if n == 2:
            args += ["--secret", runs[0]["secret"]]
        result = backviz_cli(*args, "--out", out)
        assert result.returncode == 0, result.stderr
        record = json.loads((out / "record.json").read_text())
        assert len(record["secret"]) == 32 and record["random_cases"] == 3
        for path in [*(out / "feedback").iterdir(), *(out / "results").iterdir()]:
            assert record["secret"] not in path.read_text(), path
        assert record["secret"] not in result.stdout + result.stderr
        runs.append({"secret": record["secret"], "grades": (out / "grades.csv").read_text()})
    assert runs[1]["secret"] == runs[0]["secret"]
    assert runs[1]["grades"] == runs[0]["grades"]
    bad = backviz_cli(
        "grade", EXERCISE, CODE / "good.py", "--out", tmp_path / "x", "--secret", "not hex!"
    )
    assert bad.returncode == 2 and "--secret" in bad.stderr and "Traceback" not in bad.stderr


# ── one student can never stop the class ──────────────────────────────────────────────────
HOSTILE_RESULTS = {
    # a number no float holds: OverflowError wherever it is turned into one
    "huge_int": "return {k: [10**400, [[10**400] * 2] * 4] for k in KEYS}",
    # a document written on the result channel itself, then leaving before the harness does
    "forged_changed": "import os, stat\n"
    '    doc = b\'{"status":"ok","values":{"value":{},"changed":[[1e400]]}}\'\n'
    "    for name in os.listdir('/proc/self/fd'):\n"
    "        try:\n"
    "            if int(name) > 2 and stat.S_ISFIFO(os.fstat(int(name)).st_mode):\n"
    "                os.write(int(name), doc)\n"
    "        except OSError:\n"
    "            pass\n"
    "    os._exit(0)",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_RESULTS))
def test_a_hostile_result_gets_zero_and_the_class_goes_on(tmp_path, name) -> None:
    """A class of two through `backviz grade`: the hostile one 0 with the reason, no
    traceback, the good one full marks."""
    hostile = tmp_path / f"{name}.py"
    hostile.write_text(
        "KEYS = ('z', 'a', 'delta', 'dW', 'db', 'W_new', 'b_new')\n\n\n"
        f"def backward(W, b, x, t, learning_rate):\n    {HOSTILE_RESULTS[name]}\n"
    )
    out = tmp_path / "out"
    result = backviz_cli("grade", EXERCISE, hostile, CODE / "good.py", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    grades = {row[0]: row for row in csv.reader((out / "grades.csv").open())}
    assert grades[name][1] == "0" and grades["good"][1] == grades["good"][2] == "14"
    feedback = (out / "feedback" / f"{name}.md").read_text()
    reason = {"huge_int": "is not an array of numbers", "forged_changed": "bad-output"}[name]
    assert reason in feedback


def test_a_value_that_breaks_the_judge_costs_only_its_student(monkeypatch) -> None:
    """Whatever fails while judging one submission gives that student 0 with the reason."""
    from backviz.grading import code_verdicts

    real = code_verdicts.CaseJudge._elements

    def fragile(self, key, i, theirs):
        if np.any(theirs == POISON):  # the poisoned value below, never a value of good.py
            raise ArithmeticError("the judge tripped")
        return real(self, key, i, theirs)

    monkeypatch.setattr(code_verdicts.CaseJudge, "_elements", fragile)
    monkeypatch.setattr(
        "backviz.grading.code._run_all",
        lambda exercise, cases, sources, require, progress, lang="en": [
            ([_in_process(case, poisoned=source.student == "poisoned") for case in cases], "", "")
            for source in sources
        ],
    )
    graded = _grade({"poisoned": CODE / "good.py", "good": CODE / "good.py"})
    assert graded["good"]["total"] == 14
    assert graded["poisoned"]["total"] == 0
    reason = "could not be judged (ArithmeticError: the judge tripped)"
    assert any(reason in problem for problem in graded["poisoned"]["problems"])
    assert graded["poisoned"]["z(2)"][0] == "wrong"


POISON = 12345.678125  # a z no case of a sigmoid network with small weights could give


def _in_process(case, *, poisoned: bool):
    """good.py's value for `case`, computed here (no sandbox), z(2) poisoned when asked."""
    from backviz.grading import code

    value = _good().backward(**code.case_arguments(case))
    if poisoned:
        value["z"][0] = np.full_like(value["z"][0], POISON)
    return code._Run(value, [], level="in process")


# ── students' paths are never followed ────────────────────────────────────────────────────
def test_a_symlinked_submission_is_refused_and_never_read(tmp_path) -> None:
    """A submission that is a symbolic link to a root-only canary (or a FIFO, which would
    block a reader forever) is refused with the reason; the canary's text appears nowhere."""
    vault = tmp_path / "vault"
    vault.mkdir(mode=0o700)
    canary = vault / "answer-key.py"
    canary.write_text("CANARY-7f3a = the teacher's answer key\n")
    canary.chmod(0o600)
    link = tmp_path / "sneaky.py"
    link.symlink_to(canary)
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    import backviz
    from backviz.grading import code
    from backviz.grading.handed_in import Handed

    # as found in a submissions folder (a link named by the teacher on the command line is
    # the teacher's choice, followed: README, "what a sheets folder may contain")
    found = [
        Handed("sneaky", link, named=False),
        Handed("pipe", fifo, named=False),
        Handed("good", CODE / "good.py"),
    ]
    results = code.grade_code(backviz.load(EXERCISE), found)
    graded = {
        g.student: {"total": g.total, "problems": g.problems, **{v.name: v for v in g.verdicts}}
        for g in results
    }
    assert graded["good"]["total"] == 14
    for name, reason in (("sneaky", "a symbolic link, not followed"), ("pipe", "a FIFO")):
        assert graded[name]["total"] == 0
        assert any(reason in p for p in graded[name]["problems"]), graded[name]["problems"]
        assert "CANARY" not in repr(graded[name])
    assert graded["sneaky"]["problems"][0].startswith("sandbox: ")  # the level, as for all


def test_a_folder_of_several_code_files_says_which_was_graded_and_which_were_left_out(
    tmp_path,
) -> None:
    """One file of a student's folder is graded (the first in name order), and their feedback
    names it and the files left out: a scratch file graded in silence would cost the marks of
    the solution beside it without the student or the teacher knowing why."""
    exercise = tmp_path / "ex.toml"
    exercise.write_text(EXERCISE.read_text().replace("cases = 3", "cases = 0"))
    submissions = tmp_path / "submissions"
    (submissions / "s02").mkdir(parents=True)
    (submissions / "s02" / "a_scratch.py").write_text("# trying things out\n")
    shutil.copy(CODE / "good.py", submissions / "s02" / "solution.py")
    out = tmp_path / "out"
    result = backviz_cli("grade", exercise, submissions, "--out", out)
    assert result.returncode == 0, result.stderr
    feedback = (out / "feedback" / "s02.md").read_text(encoding="utf-8")
    assert (
        "s02: 2 .py or .ipynb files in this folder: graded a_scratch.py, left out solution.py; "
        "hand in one (or the teacher names the one to grade: backviz grade EXERCISE "
        "s02/FILE)"
    ) in feedback
