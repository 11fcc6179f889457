"""`backviz export gradescope`: the autograder zip, run as Gradescope runs it.

Each zip is unpacked into a temporary /autograder (`BACKVIZ_AUTOGRADER_ROOT`): source/ holds
the zip, run_autograder is copied beside it (as Gradescope's image build does), setup.sh runs
its install steps — a virtual environment made from a Python ≥ 3.11, backviz installed from
the wheel inside the zip — and run_autograder grades submissions put in submission/ with a
submission_metadata.json, as Gradescope's harness does. What only Gradescope's image can run
is left out and said so: the apt step (BACKVIZ_SETUP_APT=0), and PyPI: the wheel is installed
with --no-deps --no-index, its dependencies (numpy, click, graphviz) reached through
PYTHONPATH from the development environment (which holds no backviz package folder of its own:
backviz is imported from the installed wheel, and the test checks it).

Every results.json is checked against Gradescope's published format, written out below from
its specification (gradescope/autograder_samples, docs/specs.md at af5dee4, served as
gradescope-autograders.readthedocs.io/en/latest/specs/): the top-level and per-test fields and
their types, the enumerations of visibility, status and output formats, and strict JSON (a NaN
score breaks Gradescope). Expected marks come from the README's rules applied to numbers
computed here by the notes' formulas (checked against torch.autograd), never from backviz.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backviz.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "exercises" / "seed-222.toml"
CODE = ROOT / "exercises" / "code-xor-221.toml"
CODE_DATA = Path(__file__).resolve().parent / "data" / "code"
DEPENDENCIES = next(Path(sys.prefix, "lib").glob("python3*/site-packages"))
"""numpy, click and graphviz: the development environment's (setup.sh would take PyPI's)."""

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Gradescope runs Linux")

# ── Gradescope's results.json, from its specification ─────────────────────────────────────

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER, STRING, OBJECT, LIST = "number", "string", "object", "list"
TOP_FIELDS: dict[str, Any] = {
    "score": NUMBER,
    "execution_time": NUMBER,
    "output": STRING,
    "output_format": FORMATS,
    "test_output_format": FORMATS,
    "test_name_format": FORMATS,
    "visibility": VISIBILITY,
    "stdout_visibility": VISIBILITY,
    "extra_data": OBJECT,
    "tests": LIST,
    "leaderboard": LIST,
}
TEST_FIELDS: dict[str, Any] = {
    "score": NUMBER,
    "max_score": NUMBER,
    "status": {"passed", "failed"},
    "name": STRING,
    "name_format": FORMATS,
    "number": STRING,
    "output": STRING,
    "output_format": FORMATS,
    "tags": LIST,
    "visibility": VISIBILITY,
    "extra_data": OBJECT,
}


def _check(value: object, kind: Any, where: str) -> None:
    if kind == NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        assert ok and math.isfinite(value), f"{where}: not a finite number: {value!r}"  # type: ignore[arg-type]
    elif kind == STRING:
        assert isinstance(value, str), f"{where}: not a string: {value!r}"
    elif kind == OBJECT:
        assert isinstance(value, dict), f"{where}: not an object: {value!r}"
    elif kind == LIST:
        assert isinstance(value, list), f"{where}: not an array: {value!r}"
    else:
        assert value in kind, f"{where}: {value!r} is none of {sorted(kind)}"


def gradescope_results(path: Path) -> dict[str, Any]:
    """results.json read as strict JSON and checked against Gradescope's format: only fields
    the specification names, each of its type; a score on the whole or on every test."""

    def no_constant(name: str) -> None:
        raise AssertionError(f"{path}: {name} is not JSON")

    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=no_constant)
    assert isinstance(data, dict)
    for key, value in data.items():
        assert key in TOP_FIELDS, f"results.json: {key} is not in Gradescope's format"
        _check(value, TOP_FIELDS[key], key)
    tests = data.get("tests", [])
    for i, test in enumerate(tests):
        for key, value in test.items():
            assert key in TEST_FIELDS, f"tests[{i}]: {key} is not in Gradescope's format"
            _check(value, TEST_FIELDS[key], f"tests[{i}].{key}")
        assert all(isinstance(tag, str) for tag in test.get("tags", []))
    assert "score" in data or (tests and all("score" in t for t in tests))
    return data


def test_the_validator_refuses_what_the_specification_does_not_allow(tmp_path: Path) -> None:
    good = {"score": 1.0, "tests": [{"name": "z1", "score": 1, "max_score": 1, "tags": ["x"]}]}
    bad = [
        {"tests": [{"name": "z1"}]},  # no score anywhere
        {"score": "1"},
        {"score": 1, "visibility": "public"},
        {"score": 1, "output_format": "markdown"},
        {"score": 1, "tests": [{"score": 1, "status": "ok"}]},
        {"score": 1, "tests": [{"score": 1, "verdict": "correct"}]},
        {"score": 1, "unknown": 0},
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(good))
    gradescope_results(path)
    for case in bad:
        path.write_text(json.dumps(case))
        with pytest.raises(AssertionError):
            gradescope_results(path)
    path.write_text('{"score": NaN}')
    with pytest.raises(AssertionError):
        gradescope_results(path)


# ── the notes' formulas, by hand (independent of backviz) ────────────────────────────────


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def worked_sheet(
    exercise: Path,
    *,
    override: dict[str, float] | None = None,
    update: Callable[[float, float, float], float] = lambda w, g, lr: w - lr * g,
) -> dict[str, float]:
    """Every asked quantity of a 2-2-2 sigmoid network without biases under ½Σ(t − o)², as the
    notes work it (seeds/004): each value computed from the values written before it, with
    `override` written instead where given (a slip), `update` the weight update."""
    spec = tomllib.loads(exercise.read_text(encoding="utf-8"))
    (W1, W2), (x,), (t,) = spec["parameters"]["W"], spec["data"]["inputs"], spec["data"]["targets"]
    lr = spec["training"]["learning_rate"]
    override = override or {}
    v: dict[str, float] = {}

    def put(name: str, value: float) -> float:
        v[name] = override.get(name, value)
        return v[name]

    h = [0.0, 0.0]
    for j in range(2):  # z1, h1, z2, h2
        z = put(f"z{j + 1}", W1[j][0] * x[0] + W1[j][1] * x[1])
        h[j] = put(f"h{j + 1}", sigmoid(z))
    o = [0.0, 0.0]
    for k in range(2):  # z3, o1, z4, o2
        z = put(f"z{k + 3}", W2[k][0] * h[0] + W2[k][1] * h[1])
        o[k] = put(f"o{k + 1}", sigmoid(z))
    E = [put(f"E_o{k + 1}", 0.5 * (t[k] - o[k]) ** 2) for k in range(2)]
    put("E_total", E[0] + E[1])
    delta_o = [0.0, 0.0]
    for k in range(2):
        dE_do = put(f"dE/do{k + 1}", o[k] - t[k])
        do_dz = put(f"do{k + 1}/dz{k + 3}", o[k] * (1 - o[k]))
        delta_o[k] = put(f"delta_o{k + 1}", dE_do * do_dz)
    for n in range(4):  # W5..W8: W2[k][j], k = n // 2, j = n % 2
        k, j = divmod(n, 2)
        grad = put(f"dE/dW{n + 5}", delta_o[k] * h[j])
    for n in range(4):
        k, j = divmod(n, 2)
        put(f"W{n + 5}+", update(W2[k][j], v[f"dE/dW{n + 5}"], lr))
    delta_h = [0.0, 0.0]
    for j in range(2):
        dE_dh = put(f"dE/dh{j + 1}", delta_o[0] * W2[0][j] + delta_o[1] * W2[1][j])
        dh_dz = put(f"dh{j + 1}/dz{j + 1}", h[j] * (1 - h[j]))
        delta_h[j] = put(f"delta_h{j + 1}", dE_dh * dh_dz)
    for n in range(4):  # W1..W4: W1[j][i]
        j, i = divmod(n, 2)
        grad = put(f"dE/dW{n + 1}", delta_h[j] * x[i])
    for n in range(4):
        j, i = divmod(n, 2)
        grad = v[f"dE/dW{n + 1}"]
        put(f"W{n + 1}+", update(W1[j][i], grad, lr))
    return v


def sheet_csv(values: dict[str, float], student: str = "") -> str:
    rows = [f"{name},{value:.8f}" for name, value in values.items()]
    return "quantity,value\n" + (f"student,{student}\n" if student else "") + "\n".join(rows) + "\n"


def test_the_hand_model_is_the_notes_torch_values() -> None:
    """The model above, on the notes' example, against torch.autograd in float64."""
    from conftest import torch_seed_222

    model, reference = worked_sheet(SEED), torch_seed_222()
    for name, value in reference.items():
        if name in model:
            assert model[name] == pytest.approx(value, abs=1e-12), name
    assert len(model) == 39  # the quantities the sheet asks (README: 39 / 39)


# ── who handed it in ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("users", "student", "rule"),
    [
        ([{"sid": "s01", "email": "lee.seoyeon@example.com"}], "s01", "sid"),  # sid first
        ([{"email": "LEE.Seoyeon@Example.com"}], "s02", "email"),  # case ignored
        ([{"email": "s03@school.ac.kr"}], "s03", "email_id"),  # the id before the @
        ([{"name": "Park Jiho"}], "s03", "name"),
        ([{"name": "Kim Twin"}], None, "not_on_roster"),  # two students of that name: neither
        ([{"email": "who@elsewhere.org"}, {"sid": "s02"}], "s02", "sid"),  # a group
        ([], None, "unknown"),
    ],
)
def test_a_submitter_is_found_on_the_roster_by_the_rules_in_order(
    tmp_path: Path, users: list[dict[str, str]], student: str | None, rule: str
) -> None:
    from backviz.exports.gradescope_identity import identify, read_people, read_submitters

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,name,email\ns01,Kim Minjun,kim@example.com\ns02,Lee Seoyeon,"
        "lee.seoyeon@example.com\ns03,Park Jiho,\ns04,Kim Twin,\ns05,Kim Twin,\n",
        encoding="utf-8",
    )
    meta = tmp_path / "submission_metadata.json"
    meta.write_text(json.dumps(metadata(users)))
    identity = identify(read_submitters(meta)[0], read_people(roster))
    assert (identity.student, identity.rule) == (student, rule)
    assert len(identity.submitters) == (len(users) if len(users) > 1 or student is None else 0)


# ── the autograder, unpacked and set up as on Gradescope ─────────────────────────────────


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACKVIZ_", "PYTHON"))}
    return env | {"BACKVIZ_AUTOGRADER_ROOT": str(root), "PYTHONPATH": str(DEPENDENCIES)}


def export(tmp: Path, target: Path, *options: str) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    out = tmp / f"{target.stem}.zip"
    result = CliRunner().invoke(
        main, ["export", "gradescope", str(target), "-o", str(out), *options]
    )
    assert result.exit_code == 0, result.output
    return out


def unpack(zip_path: Path, root: Path) -> Path:
    """The zip as Gradescope lays it out: unpacked in source/, run_autograder copied beside."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)  # at the root, not in a folder
        archive.extractall(root / "source")
        for info in archive.infolist():  # zipfile leaves the modes out
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


def set_up(root: Path) -> subprocess.CompletedProcess[str]:
    """setup.sh's install steps: apt left out (Gradescope's image only), the wheel installed
    without PyPI."""
    env = _env(root) | {
        "BACKVIZ_SETUP_APT": "0",
        "BACKVIZ_PYTHON": sys.executable,
        "BACKVIZ_PIP_OPTIONS": "--no-deps --no-index",
        "BACKVIZ_VENV_OPTIONS": "--without-pip",  # pip itself from PYTHONPATH: seconds saved
    }
    return subprocess.run(
        ["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


class Autograder:
    """One unpacked autograder: submit files as a student, read the results.json."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def submit(
        self,
        files: dict[str, str | bytes] | None,
        users: list[dict[str, Any]] | None = None,
        prepare: Callable[[Path], None] | None = None,
    ) -> dict[str, Any]:
        root = self.root
        for stale in (root / "submission", root / "results"):
            if stale.exists():
                shutil.rmtree(stale)
        (root / "submission_metadata.json").unlink(missing_ok=True)
        if files is not None:
            (root / "submission").mkdir()
            for name, content in files.items():
                path = root / "submission" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8")
        if prepare is not None:
            prepare(root)
        if users is not None:
            (root / "submission_metadata.json").write_text(json.dumps(metadata(users)))
        run = subprocess.run(
            [str(root / "run_autograder")], cwd=root, env=_env(root), capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
        self.stdout = run.stdout
        assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]
        return gradescope_results(root / "results" / "results.json")


def metadata(users: list[dict[str, Any]]) -> dict[str, Any]:
    """submission_metadata.json as Gradescope's documentation shows it."""
    return {
        "id": 123456,
        "created_at": "2026-11-27T14:22:32.365935+09:00",
        "assignment": {
            "due_date": "2026-11-30T23:00:00.000000+09:00",
            "group_size": None,
            "group_submission": False,
            "id": 25828,
            "course_id": 1234,
            "late_due_date": None,
            "release_date": "2026-11-20T00:00:00.000000+09:00",
            "title": "Backpropagation by hand",
            "total_points": "39.0",
        },
        "submission_method": "upload",
        "users": users,
        "previous_submissions": [],
    }


KIM = {"email": "kim@example.com", "id": 1, "name": "Kim Minjun", "sid": "s01"}
LEE = {"email": "lee.seoyeon@example.com", "id": 2, "name": "Lee Seoyeon", "sid": ""}
STRANGER = {"email": "who@elsewhere.org", "id": 3, "name": "Someone Else"}


@pytest.fixture(scope="module")
def venv_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The answer-sheet autograder of the notes' example, set up once: its virtual environment
    is the one every autograder here uses (the same wheel, the same setup.sh)."""
    tmp = tmp_path_factory.mktemp("gradescope")
    root = unpack(
        export(tmp, SEED, "--roster", str(ROOT / "examples" / "roster.csv")), tmp / "seed"
    )
    setup = set_up(root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "setup.sh: backviz" in setup.stdout
    return root


def sibling(venv_root: Path, name: str, zip_path: Path) -> Autograder:
    root = unpack(zip_path, venv_root.parent / name)
    (root / "backviz-venv").symlink_to(venv_root / "backviz-venv")
    return Autograder(root)


# ── the zip and the wheel ─────────────────────────────────────────────────────────────────


def test_the_wheel_is_installed_and_imported_from_the_zip(venv_root: Path) -> None:
    """backviz in the autograder is the wheel's, installed in the autograder's own venv with a
    RECORD pip accepted; the development checkout is not what runs."""
    python = venv_root / "backviz-venv" / "bin" / "python"
    found = subprocess.run(
        [str(python), "-c", "import backviz, importlib.metadata as m; "
         "print(backviz.__file__); print(m.version('backviz'))"],
        env=_env(venv_root), capture_output=True, text=True, check=True, cwd=venv_root,
    ).stdout.split()  # fmt: skip
    assert Path(found[0]).is_relative_to(venv_root / "backviz-venv")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert found[1] == pyproject["project"]["version"]
    installed = venv_root / "backviz-venv" / "lib"
    assert list(installed.glob("python3*/site-packages/backviz/grading/marking.js"))  # data too
    (wheel,) = (venv_root / "source").glob("backviz-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        metadata_text = archive.read(next(n for n in names if n.endswith("dist-info/METADATA")))
    assert b"Requires-Dist: numpy" in metadata_text


def test_a_normal_install_makes_the_same_wheel(venv_root: Path, tmp_path: Path) -> None:
    """The wheel built by the backviz installed from it (a user's normal install, not the
    development checkout) is the same wheel, byte for byte."""
    python = venv_root / "backviz-venv" / "bin" / "python"
    again = tmp_path / "again.whl"
    subprocess.run(
        [str(python), "-c", "import sys; from backviz.exports.wheel import build_wheel; "
         "open(sys.argv[1], 'wb').write(build_wheel()[1])", str(again)],
        env=_env(venv_root), cwd=venv_root, check=True,
    )  # fmt: skip
    (wheel,) = (venv_root / "source").glob("backviz-*-py3-none-any.whl")
    assert again.read_bytes() == wheel.read_bytes()


def test_the_zip_holds_what_gradescope_needs(tmp_path: Path) -> None:
    zip_path = export(tmp_path, SEED, "--roster", str(ROOT / "examples" / "roster.csv"))
    with zipfile.ZipFile(zip_path) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        config = json.loads(archive.read("backviz-autograder.json"))
        setup = archive.read("setup.sh").decode()
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert {"exercise/seed-222.toml", "roster.csv"} <= set(modes)
    assert config["kind"] == "sheets" and config["roster"] == "roster.csv"
    assert setup.startswith("#!/usr/bin/env bash")
    assert "graphviz" in setup and "python3.11" in setup and "bubblewrap" in setup
    (tmp_path / "again").mkdir()
    again = export(tmp_path / "again", SEED, "--roster", str(ROOT / "examples" / "roster.csv"))
    assert again.read_bytes() == zip_path.read_bytes()  # the same inputs, the same zip


def test_setup_installs_torch_only_where_students_code_may_import_it(tmp_path: Path) -> None:
    allowing = tmp_path / "code-torch.toml"
    allowing.write_text(
        CODE.read_text(encoding="utf-8").replace(
            'function = "backward"', 'function = "backward"\nmodules = ["numpy", "torch"]'
        ),
        encoding="utf-8",
    )
    for exercise, torch in ((CODE, False), (allowing, True)):
        with zipfile.ZipFile(export(tmp_path, exercise)) as archive:
            setup = archive.read("setup.sh").decode()
        assert ("pip install" in setup and "torch" in setup) is torch


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_scripts_pass_shellcheck(tmp_path: Path) -> None:
    with zipfile.ZipFile(export(tmp_path, SEED)) as archive:
        archive.extractall(tmp_path / "zip", ["setup.sh", "run_autograder"])
    scripts = [str(tmp_path / "zip" / name) for name in ("setup.sh", "run_autograder")]
    checked = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_export_refuses_what_cannot_be_graded(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["export", "gradescope", str(SEED), "-o", str(tmp_path / "a.tar")])
    assert result.exit_code == 2 and ".zip" in result.output
    chain = ROOT / "exercises" / "chain-rule.toml"
    result = runner.invoke(
        main, ["export", "gradescope", str(chain), "-o", str(tmp_path / "a.zip")]
    )
    assert result.exit_code == 2 and "network exercise" in result.output
    assert not (tmp_path / "a.zip").exists()
    class_roster = str(ROOT / "examples" / "roster.csv")
    made = runner.invoke(
        main, ["variants", str(SEED), "--roster", class_roster, "--out", str(tmp_path / "variants")]
    )
    assert made.exit_code == 0
    roster = tmp_path / "more.csv"
    roster.write_text("student\ns01\ns07\n")
    result = runner.invoke(main, ["export", "gradescope", str(tmp_path / "variants"), "-o",
                                  str(tmp_path / "a.zip"), "--roster", str(roster)])  # fmt: skip
    assert result.exit_code == 2 and "no variant for 1 student(s) of more.csv: s07" in result.output


# ── answer sheets ─────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def sheets(venv_root: Path) -> Autograder:
    return Autograder(venv_root)


def verdicts(results: dict[str, Any]) -> dict[str, str]:
    return {t["name"]: t["extra_data"]["verdict"] for t in results["tests"]}


def test_a_right_sheet_gets_every_mark(sheets: Autograder) -> None:
    results = sheets.submit({"answers.csv": sheet_csv(worked_sheet(SEED))}, [KIM])
    assert results["score"] == 39
    assert len(results["tests"]) == 39
    assert {t["status"] for t in results["tests"]} == {"passed"}
    assert all(t["tags"] == ["correct"] for t in results["tests"])
    assert all(t["output_format"] in FORMATS for t in results["tests"])
    assert "Graded as student s01 (matched by Student ID on roster.csv)" in results["output"]
    assert results["extra_data"]["student"] == "s01"
    # by default the tests, which show the expected numbers, wait for the due date; so does
    # the total: a student cannot read the answer key and submit again
    assert {t["visibility"] for t in results["tests"]} == {"after_due_date"}
    assert "39" not in results["output"] and "after the due date" in results["output"]
    z1 = results["tests"][0]
    assert z1["extra_data"]["expected"] == pytest.approx(0.3 * 0.1 + 0.25 * 0.2)
    # what students' code must not read is closed to every user but root (the sandbox's uids)
    root = sheets.root
    for path, mode in (
        ("source", 0o700),
        ("submission", 0o700),
        ("results", 0o700),
        ("submission_metadata.json", 0o600),
        ("source/roster.csv", 0o600),
    ):
        assert (root / path).stat().st_mode & 0o777 == mode, path
    assert (root / "backviz-venv" / "bin" / "python").stat().st_mode & 0o005 == 0o005


def test_a_slip_costs_its_own_mark_and_what_follows_is_carried(sheets: Autograder) -> None:
    """README: one early slip (h1), everything after it from the slip: 38 / 39."""
    results = sheets.submit({"sheet.csv": sheet_csv(worked_sheet(SEED, override={"h1": 0.5225}))},
                            [KIM])  # fmt: skip
    found = verdicts(results)
    assert results["score"] == 38
    assert found["h1"] == "wrong"
    assert found["z3"] == found["o1"] == found["dE/dW5"] == "carried"
    z3 = next(t for t in results["tests"] if t["name"] == "z3")
    assert z3["tags"] == ["carried"] and z3["status"] == "passed" and z3["score"] == 1


def test_a_catalogued_mistake_is_named_in_tags_and_extra_data(sheets: Autograder) -> None:
    """W⁺ = W + η·g on all eight weights: mistake:update-added, half marks each (39 − 4)."""
    added = worked_sheet(SEED, update=lambda w, g, lr: w + lr * g)
    results = sheets.submit({"sheet.csv": sheet_csv(added)}, [KIM])
    assert results["score"] == 35
    for test in results["tests"]:
        if test["name"].endswith("+"):
            assert test["tags"] == ["mistake", "mistake:update-added"]
            assert test["extra_data"]["verdict"] == "mistake:update-added"
            assert test["score"] == 0.5 and test["status"] == "failed"


def test_the_sheets_problems_are_shown_before_the_due_date(sheets: Autograder) -> None:
    """While the tests wait for the due date, what was wrong with the sheet is said at once."""
    slip = sheet_csv(worked_sheet(SEED)).replace("h1,0.51998934", "h1,0,52")  # a decimal comma
    results = sheets.submit({"sheet.csv": slip}, [KIM])
    assert "a decimal comma?" in results["output"] and "Total" not in results["output"]
    assert results["score"] == 38 and verdicts(results)["h1"] == "unreadable"


def test_nothing_handed_in_is_score_0_and_said(sheets: Autograder) -> None:
    for files in ({}, None, {"working.pdf": b"%PDF-1.4"}):
        results = sheets.submit(files, [KIM])
        assert results["score"] == 0 and results["tests"] == []
        assert "upload your answer sheet" in results["output"]
    assert "Found only working.pdf." in results["output"]


def test_an_unreadable_sheet_is_score_0_with_the_reason(sheets: Autograder) -> None:
    binary = bytes(range(256)) * 40
    results = sheets.submit({"answers.csv": binary}, [KIM])
    assert results["score"] == 0
    assert "answers.csv" in results["output"]
    assert all(t["extra_data"]["verdict"] == "missing" for t in results["tests"])
    huge = sheet_csv(worked_sheet(SEED)) + "# padding\n" * 600_000  # 6 MB
    results = sheets.submit({"answers.csv": huge}, [KIM])
    assert results["score"] == 0 and "too large" in results["output"]


def test_hostile_submissions_are_refused_not_followed(sheets: Autograder) -> None:
    def link_to_roster(root: Path) -> None:
        (root / "submission" / "answers.csv").symlink_to(root / "source" / "roster.csv")

    results = sheets.submit({}, [KIM], prepare=link_to_roster)
    assert results["score"] == 0 and "symbolic link, not followed" in results["output"]
    assert "Kim Minjun" not in results["output"].split("\n", 1)[1]  # the roster is never read

    def fifo(root: Path) -> None:
        os.mkfifo(root / "submission" / "answers.csv")  # opened, it would hang the autograder

    results = sheets.submit({}, [KIM], prepare=fifo)
    assert results["score"] == 0 and "a FIFO (named pipe), not a file" in results["output"]

    right = worked_sheet(SEED)
    hostile = sheet_csv(right, student="../../results/results.json<script>\x1b[31m")
    results = sheets.submit({"evil.csv": hostile}, [KIM])
    assert results["score"] == 39  # graded as any sheet; the id names no file anywhere
    assert "\x1b" not in json.dumps(results, ensure_ascii=False)
    results = sheets.submit({"..\\..\\results.csv": sheet_csv(right)}, [KIM])
    assert results["score"] == 0  # a hidden file (its name begins with a dot): not read
    assert "Found only ..\\..\\results.csv" in results["output"]

    two = {"a.csv": sheet_csv(right), "b.csv": sheet_csv(right)}
    results = sheets.submit(two, [KIM])
    assert (
        results["score"] == 0
        and "Hand in one answer sheet; found 2: a.csv, b.csv" in (results["output"])
    )


def test_a_stranger_or_no_metadata_is_still_graded_on_one_exercise(sheets: Autograder) -> None:
    """One exercise for everyone: who submitted does not change the marks; it is said."""
    right = sheet_csv(worked_sheet(SEED))
    results = sheets.submit({"sheet.csv": right}, [STRANGER])
    assert results["score"] == 39 and "not on the roster" in results["output"]
    results = sheets.submit({"sheet.csv": right}, None)
    assert results["score"] == 39 and "not known" in results["output"]


def test_the_autograder_speaks_korean_with_lang_ko(venv_root: Path) -> None:
    zip_path = export(venv_root.parent / "ko", SEED, "--lang", "ko")
    grader = sibling(venv_root, "korean-root", zip_path)
    results = grader.submit(None, [KIM])
    nothing = "제출된 것이 없습니다: 답안지(.csv, .tsv, .json, .toml, .txt)을(를) 올려 주세요."
    assert results["output"].endswith(nothing)
    results = grader.submit({"답안.csv": sheet_csv(worked_sheet(SEED))}, [KIM])
    assert results["score"] == 39
    graded = "학생 s01의 제출로 채점했습니다 (Gradescope의 학번)."
    assert results["output"] == f"{graded}\n점수와 문항별 판정은 마감 후에 보입니다."


# ── variants with a roster ────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def variants(venv_root: Path) -> tuple[Autograder, Path]:
    tmp = venv_root.parent
    roster = tmp / "class.csv"
    roster.write_text(
        "student,name,email\ns01,Kim Minjun,kim@example.com\n"
        "s02,Lee Seoyeon,lee.seoyeon@example.com\ns03,Park Jiho,park@example.com\n",
        encoding="utf-8",
    )
    folder = tmp / "variants"
    made = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(roster), "--out", str(folder)]
    )
    assert made.exit_code == 0, made.output
    zip_path = export(tmp, folder, "--roster", str(roster), "--visibility", "visible")
    return sibling(venv_root, "variants-root", zip_path), folder


def test_each_student_is_graded_on_their_own_variant(variants: tuple[Autograder, Path]) -> None:
    grader, folder = variants
    lee_sheet = sheet_csv(worked_sheet(folder / "s02.toml"))
    results = grader.submit({"mine.csv": lee_sheet}, [LEE])  # no SID: matched by email
    assert results["score"] == 39
    assert "student s02 (matched by email on roster.csv)" in results["output"]
    assert "Total: 39 / 39" in results["output"]  # --visibility visible: shown at once
    assert {t["visibility"] for t in results["tests"]} == {"visible"}
    assert results["extra_data"]["exercise"] == "s02.toml"
    kim = grader.submit({"copied.csv": lee_sheet}, [KIM])  # s02's numbers handed in by s01
    assert kim["extra_data"]["student"] == "s01"
    found = verdicts(kim)
    assert found["z1"] == found["z2"] == "wrong"  # s01's own x and W give other numbers
    assert found["h1"] == "carried"  # σ of the z1 written: error carried forward, as on any sheet
    assert kim["score"] < 39


def test_a_submitter_the_roster_does_not_know_gets_0_and_why(
    variants: tuple[Autograder, Path],
) -> None:
    grader, folder = variants
    sheet = {"mine.csv": sheet_csv(worked_sheet(folder / "s01.toml"))}
    results = grader.submit(sheet, [STRANGER])
    assert results["score"] == 0 and "not on the roster" in results["output"]
    assert "who@elsewhere.org" in results["output"]
    results = grader.submit(sheet, None)
    assert results["score"] == 0 and "whose they are is not known" in results["output"]


# ── a coding exercise ─────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def code(venv_root: Path) -> Autograder:
    return sibling(venv_root, "code-root", export(venv_root.parent, CODE))


def test_right_code_gets_every_mark_and_the_sandbox_level_is_reported(code: Autograder) -> None:
    results = code.submit({"backward.py": (CODE_DATA / "good.py").read_text()}, [KIM])
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0
    level = results["extra_data"]["sandbox"]
    assert level and f"sandbox: {level}" in results["output"]
    assert "secret" not in results["output"]  # the random cases' secret: for the teacher only
    assert '"secret"' in code.stdout


def test_a_mistake_in_code_is_named_and_what_follows_carried(code: Autograder) -> None:
    results = code.submit({"backward.py": (CODE_DATA / "no_sigma_prime.py").read_text()}, [KIM])
    tags = {t["name"]: t["tags"] for t in results["tests"]}
    assert tags["delta(3)"] == ["mistake", "mistake:no-activation-derivative"]
    assert tags["dW(3)"] == ["carried"]
    assert 0 < results["score"] < sum(t["max_score"] for t in results["tests"])


def test_hostile_code_cannot_forge_its_results(code: Autograder) -> None:
    results_folder = code.root / "results"
    forger = (
        "import json, os\n"
        "def backward(W, b, x, t, learning_rate):\n"
        "    forged = {'score': 100, 'tests': []}\n"
        f"    for path in ({str(results_folder / 'results.json')!r}, "
        f"{str(results_folder / 'forged.json')!r}, '/autograder/results/results.json'):\n"
        "        try:\n"
        "            open(path, 'w').write(json.dumps(forged))\n"
        "        except Exception:\n"
        "            pass\n"
        "    print(json.dumps(forged))\n"
        "    return {}\n"
    )
    results = code.submit({"backward.py": forger}, [KIM])
    assert results["score"] == 0 and results["tests"]
    results = code.submit({}, [KIM])
    assert results["score"] == 0
    assert "upload your .py file or Jupyter notebook (.py, .ipynb)" in results["output"]


def test_a_broken_setup_still_gives_a_results_json(tmp_path: Path, venv_root: Path) -> None:
    """run_autograder without the virtual environment (setup.sh failed): score 0, said."""
    grader = Autograder(unpack(export(tmp_path, SEED), tmp_path / "broken"))
    results = grader.submit({"sheet.csv": "z1,0.08\n"}, [KIM])
    assert results["score"] == 0 and "not set up" in results["output"]
