"""Nothing a teacher keeps is lost, and reports stay whole under faults (backviz/files.py).

Each fault is made here for real: a run killed with SIGKILL at a chosen point (a real
subprocess), two runs into one folder at once (two real processes), a teacher's own files in
the folder written into. One rule decides what a command may replace or delete — the files
the folder's record says backviz wrote there — for grade's reports and for `solutions` alike.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backviz.files import LOCK, LOCK_WAIT, RECORD, folder_lock
from backviz.grading.run import grade_paths
from tests.conftest import EXERCISES, ROOT

SEED = EXERCISES / "seed-222.toml"


def sheet(student: str, z1: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([["quantity", "value"], ["student", student], ["z1", z1]])
    return buffer.getvalue()


def a_class(folder: Path, students: int, z1: str) -> Path:
    """`students` sheets (s0, s1 …), every one answering z1 = `z1`."""
    folder.mkdir(parents=True)
    for i in range(students):
        (folder / f"s{i}.csv").write_text(sheet(f"s{i}", z1))
    return folder


def contents(out: Path) -> dict[str, bytes]:
    """Every file under `out` but the lock (it names the last run's process)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != LOCK
    }


def backviz(*args: object, patch: str = "", cwd: Path = ROOT) -> subprocess.Popen[str]:
    """`backviz ARGS` in a real process of its own, with `patch` (Python run first) applied."""
    code = f"import sys\n{patch}\nfrom backviz.cli import main\nmain(sys.argv[1:])\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after(calls: int) -> str:
    """A patch: the process kills itself (SIGKILL, as `kill -9`) right after its `calls`-th
    step that changes what the folder shows — a rename, a replace, a folder exchange, a
    deletion of a file (not those of a staging folder's removal, by `dir_fd`, unseen)."""
    return f"""
import os, signal
from backviz import files
done = [0]
def step(real):
    def call(*args, **kwargs):
        result = real(*args, **kwargs)
        done[0] += "dir_fd" not in kwargs
        if done[0] == {calls}:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call
os.rename, os.replace, os.unlink = step(os.rename), step(os.replace), step(os.unlink)
files.exchange = step(files.exchange)
"""


# ── a run killed at any step ─────────────────────────────────────────────────────────────


def assert_each_folder_whole(out: Path, versions: list[dict[str, bytes]]) -> None:
    """Each report folder, with its record, and each class file is wholly one of `versions`
    (complete runs' reports), and every record lists exactly what its report folder holds."""
    now = contents(out)
    for folder in ("feedback", "results"):
        held = {k: v for k, v in now.items() if k.startswith(folder + "/")}
        assert any(
            held == {k: v for k, v in version.items() if k.startswith(folder + "/")}
            for version in versions
        ), folder
    for name in ("grades.csv", "verdicts.csv", "summary.md"):
        assert now[name] in [version[name] for version in versions], name
    listed = set(json.loads(now[RECORD])["files"])
    assert {"grades.csv", "verdicts.csv", "summary.md"} <= listed  # the class files: ours


def test_a_run_killed_at_any_step_leaves_whole_reports_and_nothing_later_runs_keep(
    tmp_path: Path,
) -> None:
    """A run grading a fourth student is killed (-9) after each step in turn: between its two
    folder swaps, between its class files … Every folder is then wholly the old run's or the
    new one's, and the next run of the old class leaves exactly what a clean run leaves — no
    feedback of the fourth student that every later run keeps."""
    three = a_class(tmp_path / "three", 3, "0.08")
    four = a_class(tmp_path / "four", 4, "0.09")
    clean: dict[str, dict[str, bytes]] = {}
    for name, sheets in (("three", three), ("four", four)):
        grade_paths(SEED, [sheets], tmp_path / f"clean-{name}", diagrams=False, jobs=1)
        clean[name] = contents(tmp_path / f"clean-{name}")
    assert clean["three"].keys() < clean["four"].keys()

    states = set()
    for calls in range(1, 100):
        out = tmp_path / f"out-{calls}"
        grade_paths(SEED, [three], out, diagrams=False, jobs=1)
        run = backviz("grade", SEED, four, "--out", out, "--no-diagrams", patch=kill_after(calls))
        run.communicate(timeout=120)
        if run.returncode == 0:  # fewer steps than `calls`: every point has been tried
            break
        assert run.returncode == -signal.SIGKILL
        assert_each_folder_whole(out, [clean["three"], clean["four"]])
        states.add(tuple(sorted(contents(out).items())))
        grade_paths(SEED, [three], out, diagrams=False, jobs=1)
        assert contents(out) == clean["three"]
        assert not [p for p in out.rglob(".backviz-*") if p.name not in (LOCK, RECORD)]
    assert calls > 5 and len(states) > 3  # it was stopped between swaps, not only at the ends
    assert contents(out) == clean["four"]


# ── one run at a time ────────────────────────────────────────────────────────────────────


def pause_after_first_swap(signals: Path) -> str:
    """A patch: after its first folder exchange the process makes `signals`.paused, then
    waits for `signals`.go to go on."""
    return f"""
import time
from pathlib import Path
from backviz import files
real = files.exchange
def exchange(a, b):
    real(a, b)
    if not Path("{signals}.paused").exists():
        Path("{signals}.paused").touch()
        while not Path("{signals}.go").exists():
            time.sleep(0.02)
files.exchange = exchange
"""


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_second_run_into_the_same_folder_is_refused_while_the_first_writes(
    tmp_path: Path,
) -> None:
    """Two `grade` runs into one --out at once: the first, stopped half-way through putting its
    reports in place, keeps the folder; the second waits a moment, then stops with one line
    and exit 2, having written nothing. The reports are then wholly the first run's."""
    first = a_class(tmp_path / "first", 3, "0.08")
    second = a_class(tmp_path / "second", 4, "0.09")
    out = tmp_path / "out"
    grade_paths(SEED, [second], out, diagrams=False, jobs=1)
    signals = tmp_path / "signal"
    a = backviz("grade", SEED, first, "--out", out, "--no-diagrams",
                patch=pause_after_first_swap(signals))  # fmt: skip
    try:
        wait_for(Path(f"{signals}.paused"), a)  # feedback/ is the first run's, results/ not
        started = time.monotonic()
        b = backviz("grade", SEED, second, "--out", out, "--no-diagrams")
        _, error = b.communicate(timeout=120)
        assert time.monotonic() - started >= LOCK_WAIT
        assert b.returncode == 2
        assert error.splitlines() == [
            f"backviz: {out}: another backviz run (process {a.pid}) is writing here; "
            "wait for it to finish, or choose another folder"
        ]
    finally:
        Path(f"{signals}.go").touch()
        a.communicate(timeout=120)
    assert a.returncode == 0
    grade_paths(SEED, [first], tmp_path / "clean", diagrams=False, jobs=1)
    assert contents(out) == contents(tmp_path / "clean")


HOLD_THE_LOCK = """
import time
from pathlib import Path
from backviz.files import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
sys.exit(0)
"""


def hold_lock(folder: Path, seconds: float) -> subprocess.Popen[str]:
    holder = backviz(folder, seconds, patch=HOLD_THE_LOCK)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_run_waits_for_one_that_is_finishing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = hold_lock(out, 1.0)
    result = backviz("grade", SEED, a_class(tmp_path / "c", 2, "0.08"), "--out", out)
    _, error = result.communicate(timeout=120)
    assert result.returncode == 0, error
    assert holder.wait(timeout=10) == 0
    assert (out / "feedback" / "s1.md").exists()


def test_a_run_killed_outright_leaves_no_lock_behind(tmp_path: Path) -> None:
    """The system drops a lock with its process: after kill -9, the next run starts at once."""
    out = tmp_path / "out"
    holder = hold_lock(out, 600)
    holder.kill()
    holder.wait(timeout=10)
    started = time.monotonic()
    grade_paths(SEED, [a_class(tmp_path / "c", 2, "0.08")], out, diagrams=False)
    assert time.monotonic() - started < LOCK_WAIT
    assert (out / LOCK).read_bytes() == b""  # free, naming no process: the same after every run


def test_a_waiting_run_and_a_newcomer_never_write_at_once(tmp_path: Path) -> None:
    """A run that made the folder and wrote nothing removes its lock file on the way out; a run
    already waiting on that file, and one arriving just then (making the file anew), must
    still take turns, never both inside."""
    out = tmp_path / "out"
    inside, most, turns = [0], [0], threading.Lock()

    def run(hold: float) -> None:
        with folder_lock(out):
            with turns:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(hold)
            with turns:
                inside[0] -= 1

    first_in, first_go = threading.Event(), threading.Event()

    def first() -> None:
        with folder_lock(out):
            first_in.set()
            first_go.wait(10)

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    waiter = threading.Thread(target=run, args=(0.4,))
    waiter.start()
    time.sleep(0.2)  # the waiter is now polling the first run's lock file
    first_go.set()
    a.join(10)
    newcomer = threading.Thread(target=run, args=(0.4,))
    newcomer.start()
    waiter.join(10)
    newcomer.join(10)
    assert most[0] == 1


# ── a teacher's files in the reports' folder ─────────────────────────────────────────────


@pytest.mark.parametrize(
    ("where", "graded_before"),
    [("summary.md", False), ("feedback/s2.md", True), ("results/s2.json", True)],
)
def test_a_teachers_file_named_like_a_report_is_never_replaced(
    tmp_path: Path, where: str, graded_before: bool
) -> None:
    """A file backviz did not write, where a report would go (the teacher's own summary.md in
    --out, a file of theirs called s2.md in feedback/ beside the reports of s0 and s1): the run
    stops with one line naming it, exit 2, and changes nothing."""
    out = tmp_path / "out"
    if graded_before:
        grade_paths(SEED, [a_class(tmp_path / "two", 2, "0.08")], out, diagrams=False)
    sheets = a_class(tmp_path / "c", 3, "0.09")
    (out / where).parent.mkdir(parents=True, exist_ok=True)
    (out / where).write_text("the teacher's own")
    before = contents(out)
    run = backviz("grade", SEED, sheets, "--out", out, "--no-diagrams")
    _, error = run.communicate(timeout=120)
    assert run.returncode == 2 and "Traceback" not in error
    line = error.splitlines()[-1]  # after the progress, "graded 3/3"
    assert line.startswith(f"backviz: {out / where}: not written by backviz")
    assert contents(out) == before


def test_stale_reports_go_and_a_teachers_notes_stay(tmp_path: Path) -> None:
    """With the teacher's notes in feedback/, the reports are moved in one by one: those of a
    student no longer graded are deleted (backviz wrote them), the notes are kept."""
    out = tmp_path / "out"
    grade_paths(SEED, [a_class(tmp_path / "three", 3, "0.08")], out, diagrams=False)
    (out / "feedback" / "notes.md").write_text("keep me")
    os.symlink(out / "feedback" / "notes.md", out / "feedback" / "link.md")
    grade_paths(SEED, [a_class(tmp_path / "two", 2, "0.09")], out, diagrams=False)
    held = sorted(p.name for p in (out / "feedback").iterdir())
    assert held == [RECORD, "link.md", "notes.md", "s0.md", "s1.md"]
    assert (out / "feedback" / "notes.md").read_text() == "keep me"
    assert json.loads((out / "feedback" / RECORD).read_text())["files"] == ["s0.md", "s1.md"]
    assert sorted(p.name for p in (out / "results").iterdir()) == [RECORD, "s0.json", "s1.json"]


# ── solutions: only what it wrote itself ─────────────────────────────────────────────────

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs dot")
TEACHERS = {"notes.md": "my notes", "logo.svg": "<svg/>", "syllabus.html": "<p>week 1</p>"}


def exercises(folder: Path, *names: str) -> Path:
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name in names:
        shutil.copy(EXERCISES / f"{name}.toml", folder)
    return folder


@needs_dot
def test_solutions_delete_only_what_they_wrote(tmp_path: Path) -> None:
    """A teacher's notes.md, logo.svg and syllabus.html in the folder survive every run; the
    solution of an exercise that was removed is deleted."""
    out = tmp_path / "out"
    out.mkdir()
    for name, text in TEACHERS.items():
        (out / name).write_text(text)
    both = exercises(tmp_path / "ex", "chain-rule", "and-gate")
    run = backviz("solutions", both, "-o", out)
    assert run.communicate(timeout=300)[1] == f"wrote 8 files to {out}/\n"
    assert (out / "and-gate.en.md").exists()

    run = backviz("solutions", exercises(tmp_path / "ex", "chain-rule"), "-o", out)
    assert run.communicate(timeout=300)[1] == f"wrote 4 files to {out}/\n"
    kept = sorted(p.name for p in out.iterdir() if p.name not in (LOCK, RECORD))
    assert kept == sorted([*TEACHERS, *(f"chain-rule.{s}" for s in SOLUTION_SUFFIXES)])
    for name, text in TEACHERS.items():
        assert (out / name).read_text() == text


SOLUTION_SUFFIXES = ("en.md", "ko.md", "svg", "walkthrough.html")


@needs_dot
def test_solutions_killed_half_way_then_run_again(tmp_path: Path) -> None:
    """Killed (-9) after writing a few of its files, a run leaves every file it wrote on the
    folder's record: the next run, with one exercise fewer, deletes what it no longer makes —
    and still nothing of the teacher's."""
    out = tmp_path / "out"
    out.mkdir()
    for name, text in TEACHERS.items():
        (out / name).write_text(text)
    run = backviz("solutions", exercises(tmp_path / "ex", "chain-rule", "and-gate"), "-o", out,
                  patch=kill_after(3))  # fmt: skip
    run.communicate(timeout=300)
    assert run.returncode == -signal.SIGKILL
    assert (out / "and-gate.en.md").exists()  # written before it was killed
    run = backviz("solutions", exercises(tmp_path / "ex", "chain-rule"), "-o", out)
    run.communicate(timeout=300)
    assert run.returncode == 0
    kept = sorted(p.name for p in out.iterdir() if p.name not in (LOCK, RECORD))
    assert kept == sorted([*TEACHERS, *(f"chain-rule.{s}" for s in SOLUTION_SUFFIXES)])


@needs_dot
def test_solutions_never_replace_a_teachers_file_of_the_same_name(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "chain-rule.en.md").write_text("my own worked solution")
    run = backviz("solutions", exercises(tmp_path / "ex", "chain-rule"), "-o", out)
    _, error = run.communicate(timeout=300)
    assert run.returncode == 2
    (line,) = error.splitlines()
    assert line.startswith(f"backviz: {out / 'chain-rule.en.md'}: not written by backviz")
    assert sorted(p.name for p in out.iterdir() if p.name != LOCK) == ["chain-rule.en.md"]
    assert (out / "chain-rule.en.md").read_text() == "my own worked solution"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exercises: no such folder; give the folder of exercise files"),
        (["empty"], "empty: no exercise files (*.toml) in this folder"),
    ],
)
def test_solutions_outside_the_project(tmp_path: Path, args: list[str], message: str) -> None:
    """Run where there is no exercises/ folder (or in an empty one): one line, exit 2, and no
    folder made."""
    (tmp_path / "empty").mkdir()
    run = backviz("solutions", *args, cwd=tmp_path)
    _, error = run.communicate(timeout=120)
    assert run.returncode == 2
    (line,) = error.splitlines()
    assert line.startswith(f"backviz: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]
