"""The sandbox for students' code (backviz.sandbox), attacked by a corpus of submissions.

Each file in tests/data/sandbox/ is a small "student submission" that goes after the
sandbox in one way. Each test runs one and asserts its status and a clear reason; the
``sandbox`` fixture then checks that nothing the run started is still alive and that a
correct submission still runs and gives the right numbers (computed here, independently).

Every corpus test runs twice: with this machine's best level and without bubblewrap
(the level a machine without it gets). Assertions that only bubblewrap can make true are
made when the level has it; the tests about bubblewrap itself skip, saying why, when it
isn't installed.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backviz.sandbox import (
    Limits,
    RunResult,
    Session,
    SourceRefused,
    available_level,
    parse_level,
    run_function,
    runner,
)
from backviz.sandbox import template as template_module
from backviz.sandbox.accounts import Accounts
from backviz.sandbox.codec import decode_value, encode_value
from backviz.sandbox.isolation import processes
from backviz.sandbox.levels import LEVEL_PARTS, level_name
from backviz.sandbox.python_view import python_view
from backviz.sandbox.seccomp import program

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "sandbox"
BWRAP = shutil.which("bwrap")
NO_BWRAP = (
    "bubblewrap is not installed, so its layer can't be checked: add `bubblewrap` to the "
    "set-up (./run: apt-get install -y bubblewrap)"
)
IS_ROOT = os.geteuid() == 0

# The notes' 2-2-2 network (seeds 004): inputs, W1 (w1..w4), W2 (w5..w8).
GOOD_ARGUMENTS = {
    "x": [[0.1, 0.2]],
    "W1": [[0.30, 0.25], [0.40, 0.35]],
    "W2": [[0.45, 0.40], [0.70, 0.60]],
}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _expected_forward() -> dict[str, list[list[float]]]:
    (x1, x2), W1, W2 = GOOD_ARGUMENTS["x"][0], GOOD_ARGUMENTS["W1"], GOOD_ARGUMENTS["W2"]
    h = [_sigmoid(row[0] * x1 + row[1] * x2) for row in W1]
    o = [_sigmoid(row[0] * h[0] + row[1] * h[1]) for row in W2]
    return {"h": [h], "o": [o]}


def _assert_good(result: RunResult) -> None:
    assert result.status == "ok", result.message
    expected = _expected_forward()
    for name in ("h", "o"):
        assert np.allclose(result.values[name], expected[name], rtol=0, atol=1e-12)
    assert result.stdout == "forward done\n"


def _processes_of(uids: set[int]) -> list[str]:
    """Live processes of the runs under test: those of the uids they were given."""
    found = []
    for uid, pid, *_ in processes():
        if uid in uids:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                cmdline = b"?"
            found.append(f"{pid} (uid {uid}): {cmdline.decode(errors='replace')[:120]}")
    return found


def _assert_nothing_left(uids: set[int]) -> None:
    deadline = time.monotonic() + 2.0
    while (left := _processes_of(uids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes of the run outlived it: {left}"


@dataclass
class Sandbox:
    """Runs corpus files at one level, in one session (template) per level; knows which layers
    that level has, and the uids its runs were given (only their processes are looked at)."""

    level: str
    uids: set[int]
    session: Session

    @property
    def parts(self) -> frozenset[str]:
        return parse_level(self.level)

    def run(self, name: str, function: str, arguments: Any = None, **options: Any) -> RunResult:
        if set(options) - {"limits"}:
            result = run_function(DATA / name, function, arguments or {}, **options)
        else:
            result = self.session.run(DATA / name, function, arguments or {}, **options)
        assert result.level == self.level
        return result

    def assert_nothing_left(self) -> None:
        _assert_nothing_left(self.uids)


LEVELS = {
    "best": set(),
    "without-bwrap": {"bwrap"},
    "without-namespaces": {"bwrap", "ns"},
}


@pytest.fixture(scope="module")
def sessions() -> Iterator[dict[str, Session]]:
    """One session per level for the module's tests (each starts its template once)."""
    made: dict[str, Session] = {}
    yield made
    for session in made.values():
        session.close()


@pytest.fixture(params=sorted(LEVELS))
def sandbox(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, sessions: dict[str, Session]
) -> Iterator[Sandbox]:
    """The machine's best level, the same without bubblewrap, and without namespaces either
    (a container's); then: nothing of the run is left, and the sandbox still works."""
    parts = runner._components() - LEVELS[request.param]
    if "bwrap" in LEVELS[request.param] and not IS_ROOT:
        parts -= {"ns"}  # namespaces without bubblewrap are root's (unshare): as others, none
    if request.param != "best":
        monkeypatch.setattr(runner, "_components", lambda: parts)
    if request.param not in sessions:
        sessions[request.param] = Session(("numpy",))
    uids: set[int] = set()
    take = Accounts.take

    def recorded(self: Accounts) -> int:
        uids.add(uid := take(self))
        return uid

    monkeypatch.setattr(Accounts, "take", recorded)
    box = Sandbox(level_name(parts), uids, sessions[request.param])
    yield box
    box.assert_nothing_left()
    _assert_good(box.run("good.py", "forward", GOOD_ARGUMENTS))


def _protects_the_grader(box: Sandbox) -> bool:
    """Whether the code runs apart from the grader's user (own uid, or bubblewrap)."""
    return bool({"bwrap", "uid"} & box.parts)


# --- the corpus ------------------------------------------------------------------------------


def test_a_correct_submission_runs(sandbox: Sandbox) -> None:
    result = sandbox.run("good.py", "forward", GOOD_ARGUMENTS)
    _assert_good(result)
    assert result.message == ""


def test_an_infinite_loop_is_stopped_by_the_wall_clock(sandbox: Sandbox) -> None:
    result = sandbox.run("infinite_loop.py", "forward", {"x": 1}, limits=Limits(wall_seconds=1.5))
    assert result.status == "timeout"
    assert "wall-clock limit of 1.5 s" in result.message
    assert result.values is None
    assert result.seconds >= 1.5  # not stopped before its time (how long after: load)


def test_an_infinite_loop_is_stopped_by_the_cpu_limit(sandbox: Sandbox) -> None:
    limits = Limits(wall_seconds=20, cpu_seconds=1)
    result = sandbox.run("infinite_loop.py", "forward", {"x": 1}, limits=limits)
    assert result.status == "timeout"
    assert "CPU-time limit of 1 s" in result.message


def test_a_fork_bomb_is_contained(sandbox: Sandbox) -> None:
    if not IS_ROOT and "uid" not in sandbox.parts:
        pytest.skip("not root: RLIMIT_NPROC counts all of this user's processes")
    result = sandbox.run("fork_bomb.py", "bomb")
    assert result.status == "ok", result.message
    # RLIMIT_NPROC (under the run's own uid) refused forks long before the bomb's bound.
    assert result.values["refused"] >= 1
    assert result.values["forked"] < Limits().processes
    assert result.seconds < 60  # the processes sleeping 60 s were killed, not waited for


@pytest.mark.parametrize(
    ("function", "limits"),
    [("at_once", Limits()), ("slowly", Limits(memory_bytes=2**30))],
)
def test_a_memory_hog_is_stopped(sandbox: Sandbox, function: str, limits: Limits) -> None:
    result = sandbox.run("memory_hog.py", function, limits=limits)
    assert result.status == "crashed"
    assert "memory" in result.message
    assert f"{limits.memory_bytes / 2**30:.1f} GiB" in result.message
    assert "memory_hog.py line" in result.message


@pytest.mark.parametrize("keeper", ["memory group", "watchdog"])
def test_the_runs_processes_are_limited_together(
    sandbox: Sandbox, keeper: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six forked processes of 192 MiB each (far below the address-space limit of 384 MiB,
    in 16 MiB steps): together they never hold more than the run's 384 MiB."""
    limits = Limits(memory_bytes=384 * 2**20)
    arguments = {"children": 6, "each_mib": 192}
    if keeper == "memory group":
        if template_module.class_folder() is None:
            pytest.skip("no memory cgroup this process may make groups in (the watchdog keeps it)")
        result = sandbox.run("memory_hog.py", "across_forks", arguments, limits=limits)
    else:
        monkeypatch.setattr(template_module, "class_folder", lambda: None)
        with Session(("numpy",)) as session:
            result = session.run(DATA / "memory_hog.py", "across_forks", arguments, limits=limits)
    if result.status == "ok":  # the ones that went over were killed as they did
        assert result.values["held_mib"] <= 384, result.values  # of the 1152 asked for
    else:
        assert result.status == "crashed", result.message
        assert "its processes together held more than 0.4 GiB" in result.message


def test_huge_printed_output_is_cut_and_the_value_still_arrives(sandbox: Sandbox) -> None:
    result = sandbox.run("huge_stdout.py", "forward", {"x": [1, 2]})
    assert result.status == "ok", result.message
    assert result.values == [2, 4]
    assert result.stdout.startswith("spam spam")
    assert len(result.stdout.encode()) <= 2048
    assert "printed 20200000 bytes" in result.message


@pytest.mark.parametrize("function", ["big_list", "big_array"])
def test_a_huge_returned_value_is_refused(sandbox: Sandbox, function: str) -> None:
    result = sandbox.run("huge_result.py", function)
    assert result.status == "too-much-output"
    assert "too big" in result.message
    assert result.values is None


def test_flooding_the_result_pipe_is_cut_off(sandbox: Sandbox) -> None:
    result = sandbox.run("huge_result.py", "flood_result_fd")
    assert result.status == "too-much-output"
    assert f"more than {Limits().output_bytes} bytes over the result channel" in result.message


def test_scribbling_on_the_result_pipe_gives_bad_output(sandbox: Sandbox) -> None:
    result = sandbox.run("huge_result.py", "scribble_result_fd")
    assert result.status == "bad-output"
    assert "not a result" in result.message
    assert result.values is None


def test_files_outside_cannot_be_read(sandbox: Sandbox, tmp_path: Path) -> None:
    if not _protects_the_grader(sandbox):
        pytest.skip("rlimits only: the code runs as the grader's own user")
    secret = tmp_path / "answer-key.json"
    secret.write_text('{"W5+": "SECRET-0.43703857"}')
    paths = [str(secret), "/etc/shadow", f"/proc/{os.getpid()}/environ", "/root/.bashrc"]
    result = sandbox.run("read_outside.py", "read", {"paths": paths})
    assert result.status == "ok", result.message
    assert "SECRET" not in repr(result.values)
    for path in paths:
        assert not result.values[path].startswith("READ"), (path, result.values[path])


def test_files_outside_cannot_be_written(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("original")
    site = Path(np.__file__).resolve().parent.parent
    planted = [
        tmp_path / "planted.txt",
        site / "zz_backviz_sandbox_planted.pth",  # code the grader's Python would run
        DATA / "zz_planted_by_student.txt",
    ]
    try:
        result = sandbox.run(
            "write_outside.py",
            "write",
            {"targets": [str(target)], "new_files": [str(p) for p in planted]},
        )
        assert result.status == "ok", result.message
        assert target.read_text() == "original"
        for path in planted:
            assert not path.exists(), path
        assert not {"WRITTEN", "REPLACED", "CREATED"} & set(result.values.values()), result.values
    finally:
        for path in planted:
            path.unlink(missing_ok=True)


def test_the_network_is_unreachable(sandbox: Sandbox) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        result = sandbox.run("network.py", "connect", {"port": port})
        assert result.status == "ok", result.message
        assert set(result.values) == {"tcp4", "tcp6", "udp4"}
        assert "CONNECTED" not in result.values.values(), result.values
        if "seccomp" in sandbox.parts:  # the filter refuses the socket itself: EACCES
            assert all(text.endswith("errno 13") for text in result.values.values())
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_the_hosts_unix_sockets_are_unreachable(sandbox: Sandbox, tmp_path: Path) -> None:
    """A service on a UNIX socket anyone may connect to, by path and by abstract name."""
    if not {"seccomp", "bwrap"} & sandbox.parts:
        pytest.skip("no seccomp filter and no bubblewrap: nothing stands between them")
    folder = tmp_path / "service"
    folder.mkdir()
    folder.chmod(0o777)
    tmp_path.chmod(0o755)
    path = folder / "service.sock"
    abstract = f"backviz-test-{os.getpid()}-{time.monotonic_ns()}"
    listeners = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(2)]
    try:
        listeners[0].bind(str(path))
        path.chmod(0o777)
        listeners[1].bind("\0" + abstract)
        for listener in listeners:
            listener.listen()
            listener.setblocking(False)
        result = sandbox.run(
            "network.py", "connect_unix", {"path": str(path), "abstract": abstract}
        )
        assert result.status == "ok", result.message
        assert "CONNECTED" not in result.values.values(), result.values
        if "seccomp" in sandbox.parts:  # the filter refuses the socket itself: EACCES
            assert set(result.values.values()) == {"PermissionError errno 13"}
        for listener in listeners:
            with pytest.raises(BlockingIOError):
                listener.accept()
    finally:
        for listener in listeners:
            listener.close()


def test_printed_results_are_ignored(sandbox: Sandbox) -> None:
    result = sandbox.run("fake_result.py", "forward", {"x": 1})
    assert result.status == "ok", result.message
    assert result.values == {"grade": 0}
    assert '"grade": 100' in result.stdout  # printed, shown, never believed


def test_backviz_cannot_be_imported(sandbox: Sandbox) -> None:
    result = sandbox.run("import_backviz.py", "plain")
    assert result.status == "error"
    assert "ModuleNotFoundError: No module named 'backviz'" in result.message


def test_the_graders_data_stays_out_of_reach(sandbox: Sandbox, tmp_path: Path) -> None:
    if not _protects_the_grader(sandbox):
        pytest.skip("rlimits only: the code runs as the grader's own user")
    key = tmp_path / "grader" / "answer-key.json"
    key.parent.mkdir()
    key.write_text("SECRET-KEY")
    result = sandbox.run(
        "import_backviz.py", "via_path", {"project": str(ROOT), "answer_key": str(key)}
    )
    assert result.status == "ok", result.message
    assert "SECRET" not in repr(result.values)
    assert not result.values["key"].startswith("READ")
    if "bwrap" in sandbox.parts:  # the project isn't even in the sandbox's view
        assert result.values["import"] == "ModuleNotFoundError"


def _site_folders() -> list[str]:
    """Every folder the grader's Python, or a root `pip install`, could put packages in."""
    import glob
    import site

    found = [*site.getsitepackages(), *(p for p in sys.path if os.path.isdir(p))]
    for pattern in ("/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages"):
        found += glob.glob(pattern)
    return sorted(set(found))


def test_only_the_allowed_modules_can_be_imported(sandbox: Sandbox) -> None:
    if "bwrap" not in sandbox.parts:
        pytest.skip("without bubblewrap the code sees the host's files: any site folder")
    names = ["numpy", "torch", "sympy", "matplotlib", "playwright", "pytest", "backviz"]
    result = sandbox.run("imports.py", "try_imports", {"names": names, "folders": _site_folders()})
    assert result.status == "ok", result.message
    assert result.values.pop("numpy").startswith("IMPORTED")
    assert set(result.values.values()) == {"ModuleNotFoundError"}, result.values


def test_the_common_standard_modules_import(sandbox: Sandbox) -> None:
    """Whatever the level (Python may live under a folder only root may enter)."""
    names = ["statistics", "fractions", "decimal", "random", "numpy.polynomial"]
    result = sandbox.run("imports.py", "try_imports", {"names": names, "folders": []})
    assert result.status == "ok", result.message
    assert all(found.startswith("IMPORTED") for found in result.values.values()), result.values


def test_a_normally_installed_backviz_stays_hidden(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site folder holding an allowed distribution and a (planted) installed backviz: the
    allowed one imports, backviz does not — not even with its folder put on sys.path."""
    if "bwrap" not in sandbox.parts:
        pytest.skip("without bubblewrap the code sees the host's files: any site folder")
    site = tmp_path / "site-packages"
    for name in ("allowed_dist", "backviz"):
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text(f"MARKER = 'CANARY {name}'\n")
        info = site / f"{name}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (info / "RECORD").write_text(
            f"{name}/__init__.py,,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n"
        )
    monkeypatch.syspath_prepend(str(site))
    python_view.cache_clear()
    try:
        result = sandbox.run(
            "imports.py",
            "try_imports",
            {"names": ["allowed_dist", "backviz"], "folders": [str(site)]},
            modules=("allowed_dist",),
        )
    finally:
        python_view.cache_clear()
    assert result.status == "ok", result.message
    assert result.values == {
        "allowed_dist": f"IMPORTED from {site / 'allowed_dist' / '__init__.py'}",
        "backviz": "ModuleNotFoundError",
    }


def test_the_view_holds_the_allowed_distributions_and_their_dependencies() -> None:
    view = python_view(("numpy", "torch"))
    names = {Path(entry).name.partition("-")[0] for entry in view.entries}
    assert {"numpy", "torch", "sympy", "mpmath", "jinja2", "networkx"} <= names  # torch needs
    assert not {"backviz", "matplotlib", "playwright", "pytest", "hypothesis"} & names
    assert "/usr/lib/python3/dist-packages" in view.hidden or not os.path.isdir(
        "/usr/lib/python3/dist-packages"
    )
    with pytest.raises(ValueError, match="never visible"):
        python_view(("backviz",))


def test_the_parent_cannot_be_killed(sandbox: Sandbox) -> None:
    if not _protects_the_grader(sandbox):
        pytest.skip("rlimits only: the code runs as the grader's own user and could kill it")
    result = sandbox.run("kill_parent.py", "kill_parent")
    if result.status == "ok":  # its parent is outside its pid namespace: getppid() is 0
        assert "ns" in sandbox.parts
    else:
        assert result.status == "error"
        assert "PermissionError" in result.message
    os.kill(os.getpid(), 0)  # and we are still here


@pytest.mark.parametrize("close_fds", [False, True])
def test_a_daemon_does_not_outlive_the_run(sandbox: Sandbox, close_fds: bool) -> None:
    result = sandbox.run("daemon.py", "spawn", {"close_fds": close_fds})
    assert result.status == "ok", result.message
    assert result.values["daemon"] > 0  # it was started …
    assert result.seconds < 120  # … the run did not wait the 120 s it sleeps holding the pipes …
    sandbox.assert_nothing_left()  # … and it is gone


def _shared_folder() -> Iterator[Path]:
    """A folder anyone may write in, nested in /tmp (as another user's would be)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="backviz-test-shared-", dir="/tmp"))
    folder.chmod(0o1777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


shared_folder = pytest.fixture(_shared_folder)


def _segments(key: int) -> list[str]:
    """The host's System V shared-memory segments with this key."""
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return [line for line in lines if line.split() and int(line.split()[0]) == key]


def test_nothing_is_left_on_the_host(sandbox: Sandbox, shared_folder: Path) -> None:
    """Files in /run/lock, /dev/shm, /var/tmp and a nested folder anyone may write, a System V
    segment, a POSIX message queue: nothing of them outlives the run."""
    marker = f"backviz-left-{os.getpid()}-{time.monotonic_ns()}"
    files = [f"{folder}/{marker}" for folder in ("/run/lock", "/dev/shm", "/var/tmp")]
    files.append(str(shared_folder / marker))
    key = 0x5B000000 + os.getpid() % 0x100000
    queue = f"/{marker}"
    try:
        result = sandbox.run(
            "leftovers.py", "leave", {"files": files, "shm_key": key, "queue": queue}
        )
        assert result.status == "ok", result.message
        assert result.values["mqueue"] != "MADE"  # RLIMIT_MSGQUEUE is 0
        for path in files:
            assert not os.path.lexists(path), (path, result.values)
        assert not _segments(key), result.values
    finally:
        for path in files:
            with contextlib.suppress(OSError):
                os.unlink(path)


def test_a_root_opened_descriptor_leads_nowhere(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An allowed distribution installed under a folder only root may enter, beside a canary:
    the run imports it, but no descriptor it holds (nor any walk up from one) reaches the
    canary."""
    import tempfile

    vault = Path(tempfile.mkdtemp(prefix="backviz-test-vault-", dir="/tmp"))  # 0700
    try:
        site = vault / "lib" / "site-packages"
        (site / "allowed_dist").mkdir(parents=True)
        (vault / "lib").chmod(0o755)
        site.chmod(0o755)
        (site / "allowed_dist").chmod(0o755)
        (site / "allowed_dist" / "__init__.py").write_text("VALUE = 1\n")
        info = site / "allowed_dist-1.0.dist-info"
        info.mkdir(mode=0o755)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: allowed_dist\nVersion: 1\n")
        (info / "RECORD").write_text(f"allowed_dist/__init__.py,,\n{info.name}/RECORD,,\n")
        for path in (site / "allowed_dist" / "__init__.py", info / "METADATA", info / "RECORD"):
            path.chmod(0o644)
        (vault / "lib" / "canary.txt").write_text("CANARY in a root-only folder")
        (vault / "lib" / "canary.txt").chmod(0o644)
        monkeypatch.syspath_prepend(str(site))
        python_view.cache_clear()
        result = sandbox.run(
            "descriptors.py", "escape", {"name": "canary.txt"}, modules=("allowed_dist",)
        )
    finally:
        python_view.cache_clear()
        shutil.rmtree(vault, ignore_errors=True)
    assert result.status == "ok", result.message
    assert not result.values["read"], result.values
    assert not any(str(vault) in target for target in result.values["open"].values())
    targets = sorted(result.values["open"].values())  # stdin, stdout, stderr, the result pipe
    assert targets[0] == "/dev/null" and all(t.startswith("pipe:") for t in targets[1:]), targets
    assert len(targets) == 4, targets


def test_memory_groups_left_by_a_killed_grader_are_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from backviz.sandbox import cgroups

    first = cgroups.class_folder()
    if first is None:
        pytest.skip("no memory cgroup this process may make groups in")
    parent = os.path.dirname(first.path)
    cgroups.remove_folder(first)
    stale = Path(parent, "backviz-99999999-0badc0de")
    (stale / "slot-0").mkdir(parents=True)  # no process in it …
    monkeypatch.setattr(cgroups, "_STALE_SECONDS", 0.0)  # … and made long enough ago
    folder = cgroups.class_folder()
    assert folder is not None
    cgroups.remove_folder(folder)
    assert not stale.exists() and not Path(folder.path).exists()


def test_a_killed_graders_template_folder_is_removed_by_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A template's folder whose log nothing holds locked goes; one whose template lives stays."""
    import fcntl
    import tempfile

    monkeypatch.setattr(template_module, "_STALE_SECONDS", 0.0)
    left, live = (Path(tempfile.mkdtemp(prefix="backviz-sandbox-")) for _ in range(2))
    for folder in (left, live):
        (folder / "harness").mkdir()
        (folder / "template.log").write_bytes(b"")
    with (live / "template.log").open("rb") as log:
        fcntl.flock(log, fcntl.LOCK_EX)
        template_module._remove_stale_folders(str(left.parent))
        assert not left.exists() and live.exists()
    shutil.rmtree(live)


def test_the_disk_is_capped(sandbox: Sandbox) -> None:
    """Files of 4 MiB (below the file-size limit), up to 96 MiB in the work folder and in
    each folder anyone may write: the run gets at most its 32 MiB on disk, and none stays."""
    limits = Limits(disk_bytes=32 * 2**20)
    folders = [".", "/dev/shm", "/tmp", "/var/tmp", "/run/lock"]
    result = sandbox.run("disk_hog.py", "fill", {"folders": folders, "most_mib": 96}, limits=limits)
    if result.status == "ok":
        assert sum(result.values.values()) <= 32, result.values
    else:  # without a tmpfs of its own: the watchdog stopped it
        assert "ns" not in sandbox.parts
        assert result.status == "crashed", result.message
        assert "wrote more than 32 MiB to disk" in result.message
    for folder in folders[1:]:
        assert not list(Path(folder).glob("fill-*")), folder


_GRADER = """
import sys
from pathlib import Path

from backviz.sandbox import Session, runner
from backviz.sandbox.accounts import Accounts

parts = frozenset(sys.argv[1].split(","))
runner._components = lambda: parts
Accounts.take = lambda self: int(sys.argv[2])
with Session(("numpy",)) as session:
    print(session.run(Path(sys.argv[3]), "spawn_and_wait", {}).status)
"""


def test_nothing_outlives_a_killed_grader(sandbox: Sandbox) -> None:
    """The grader is killed (SIGKILL) while a run and three daemons it started sleep: within
    seconds, no process of the run is left."""
    import random

    busy = {uid for uid, *_ in processes()}
    uid = next(
        u for u in iter(lambda: random.randrange(1_900_000_000, 1_950_000_000), 0) if u not in busy
    )
    sandbox.uids.add(uid)
    grader = subprocess.Popen(
        [sys.executable, "-c", _GRADER, ",".join(sandbox.parts), str(uid), DATA / "daemon.py"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_processes_of({uid})) < 4 and time.monotonic() < deadline:
            assert grader.poll() is None, "the grader ended before it was killed"
            time.sleep(0.05)
        assert len(_processes_of({uid})) >= 4  # the run and its three daemons
    finally:
        grader.kill()
        grader.wait()
    deadline = time.monotonic() + 15
    while _processes_of({uid}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_of({uid}), "processes of the run outlived the grader"


def test_an_exception_names_the_students_line(sandbox: Sandbox) -> None:
    lines = (DATA / "raises.py").read_text().splitlines()
    failing = 1 + next(i for i, line in enumerate(lines) if "x / 0" in line)
    calling = 1 + next(i for i, line in enumerate(lines) if "helper(x) + 1" in line)
    result = sandbox.run("raises.py", "backward", {"x": 1.0})
    assert result.status == "error"
    assert result.message.startswith("ZeroDivisionError: float division by zero")
    assert f"raises.py line {failing}, in helper: return x / 0" in result.message
    assert f"raises.py line {calling}, in backward" in result.message
    assert "harness" not in result.message  # only the student's own frames


def test_a_syntax_error_names_the_line(sandbox: Sandbox, tmp_path: Path) -> None:
    source = tmp_path / "broken.py"
    source.write_text("import numpy as np\n\n\ndef forward(x):\n    return x +\n")
    result = run_function(source, "forward", {"x": 1})
    assert result.status == "error"
    assert "SyntaxError" in result.message
    assert "broken.py line 5: return x +" in result.message


def test_leaving_without_a_value(sandbox: Sandbox) -> None:
    result = sandbox.run("exits.py", "calls_sys_exit")
    assert (result.status, result.message.splitlines()[0]) == ("error", "SystemExit: 3")
    result = sandbox.run("exits.py", "calls_os_exit")
    assert result.status == "crashed"
    assert "without returning a result" in result.message
    result = sandbox.run("exits.py", "no_such_function")
    assert result.status == "error"
    assert "defines no function no_such_function()" in result.message


def test_nan_and_infinities_survive(sandbox: Sandbox) -> None:
    result = sandbox.run("returns_nan.py", "forward")
    assert result.status == "ok", result.message
    values = result.values
    assert math.isnan(values["float"]) and math.isnan(values["scalar"])
    assert values["inf"] == math.inf
    assert values["array"][0][0] == 1.0 and math.isnan(values["array"][0][1])
    assert values["array"][1] == [math.inf, -math.inf]
    assert values["ints"] == [0.0, 1.0, 2.0] and all(type(v) is float for v in values["ints"])
    assert values["nested"][0][0] == 0.5 and math.isnan(values["nested"][0][1])
    assert values["$float"] == "not special"  # a student's own "$…" key is just a key


def test_arguments_arrive_intact(sandbox: Sandbox) -> None:
    arguments = {
        "w": np.array([[0.5, np.nan], [np.inf, -1.0]]),
        "lr": 0.5,
        "bad": float("nan"),
        "names": ["h1", "h2"],
        "table": {"$odd": 1},
    }
    result = sandbox.run("echo.py", "echo", arguments)
    assert result.status == "ok", result.message
    assert result.values["types"] == {
        "w": "ndarray",
        "lr": "float",
        "bad": "float",
        "names": "list",
        "table": "dict",
    }
    echoed = result.values["values"]
    np.testing.assert_array_equal(np.array(echoed["w"]), arguments["w"])
    assert math.isnan(echoed["bad"]) and echoed["names"] == ["h1", "h2"]
    assert echoed["table"] == {"$odd": 1}


# --- torch, levels, refusals ------------------------------------------------------------------


def test_torch_tensors_come_back_as_floats() -> None:
    result = run_function(
        DATA / "returns_nan.py", "with_torch", {}, modules=("numpy", "torch"), limits=Limits()
    )
    assert result.status == "ok", result.message
    assert result.values["w"][0] == 2.0 and math.isnan(result.values["w"][1])
    assert all(math.isnan(v) for row in result.values["uninitialised"] for v in row)


def test_the_level_is_reported() -> None:
    level = available_level()
    assert "rlimits" in parse_level(level)
    result = run_function(DATA / "good.py", "forward", GOOD_ARGUMENTS)
    assert result.level == level
    if IS_ROOT:
        assert "uid" in parse_level(level)


_FIRST_CLASS = """
import json, sys
from backviz.sandbox import runner
started = []
start = runner.Template.__init__
def counted(self, plan, modules, slots=4):
    started.append([list(modules), slots])
    start(self, plan, modules, slots)
runner.Template.__init__ = counted
with runner.Session(("numpy",), parallel=2) as session:
    result = session.run(sys.argv[1], "forward", json.loads(sys.argv[2]))
print(json.dumps({"started": started, "level": session.level, "status": result.status,
                  "alone": runner.level_name(runner._components())}))
"""


def test_a_class_is_probed_in_the_template_it_then_keeps() -> None:
    """A process's first class starts one template — the probe of the machine's level runs in
    it and the class keeps it — not one to probe and another to run (0.2–0.4 s a class); the
    level is the one the machine gives."""
    arguments = json.dumps(GOOD_ARGUMENTS)
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CLASS, str(DATA / "good.py"), arguments],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    seen = json.loads(done.stdout)
    assert seen["started"] == [[["numpy"], 2]]
    assert seen["status"] == "ok"
    assert seen["level"] == seen["alone"] == available_level()


def test_a_module_the_template_cannot_load_does_not_lower_the_level() -> None:
    """The probe falls back to the sandbox alone when the class's modules fail: the level
    measures the machine, and the class's own error stays its own."""
    code = (
        "from backviz.sandbox import runner\n"
        "try:\n    runner.Session(('no_such_module_of_backviz',))\n"
        "except ValueError as e:\n    print('refused:', e)\n"
        "print(runner.available_level())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    refused, level = done.stdout.splitlines()
    assert refused.startswith("refused: module 'no_such_module_of_backviz' is not installed")
    assert level == available_level()


@pytest.mark.skipif(BWRAP is None, reason=NO_BWRAP)
def test_bubblewrap_and_seccomp_work_here() -> None:
    assert available_level() == (
        "bwrap+seccomp+rlimits+uid" if IS_ROOT else "bwrap+seccomp+rlimits"
    )


@pytest.mark.skipif(BWRAP is None, reason=NO_BWRAP)
def test_bubblewrap_hides_the_project_and_the_hosts_tmp(tmp_path: Path) -> None:
    result = run_function(
        DATA / "read_outside.py",
        "read",
        {"paths": [str(ROOT / "backviz" / "__init__.py"), str(ROOT / "pyproject.toml"), "/tmp"]},
    )
    assert result.status == "ok", result.message
    assert result.values[str(ROOT / "backviz" / "__init__.py")].startswith("FileNotFoundError")
    assert result.values[str(ROOT / "pyproject.toml")].startswith("FileNotFoundError")
    result = run_function(
        DATA / "write_outside.py", "write", {"targets": [], "new_files": ["/tmp/planted"]}
    )
    # private, and not writable: refused (another uid) or read-only (bubblewrap as any user)
    assert result.values["/tmp/planted"] in {"PermissionError", "OSError"}, result.values
    assert not Path("/tmp/planted").exists()


def test_require_refuses_a_level_the_machine_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_components", lambda: frozenset({"rlimits", "uid"}))
    result = run_function(DATA / "good.py", "forward", GOOD_ARGUMENTS, require="bwrap+seccomp")
    assert result.status == "refused"
    assert result.values is None and result.stdout == "" and result.seconds == 0.0
    assert "'bwrap+seccomp' required" in result.message
    assert "only 'rlimits+uid'" in result.message
    assert "missing: bwrap+seccomp" in result.message
    assert result.level == "rlimits+uid"


def test_require_accepts_what_the_machine_has() -> None:
    for level in (available_level(), "rlimits only", "rlimits"):
        _assert_good(run_function(DATA / "good.py", "forward", GOOD_ARGUMENTS, require=level))


def test_require_rejects_unknown_layers() -> None:
    with pytest.raises(ValueError, match="unknown sandbox level"):
        run_function(DATA / "good.py", "forward", GOOD_ARGUMENTS, require="docker")


def test_a_sandbox_that_cannot_start_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    parts = runner._components() | {"bwrap"}
    monkeypatch.setattr(runner, "_components", lambda: parts)
    monkeypatch.setattr(runner.shutil, "which", lambda name: "/bin/false")
    result = run_function(DATA / "good.py", "forward", GOOD_ARGUMENTS)
    assert result.status == "refused"
    assert "could not be started" in result.message
    assert result.stdout == ""


def test_symlinked_sources_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "student.py"
    link.symlink_to(DATA / "good.py")
    with pytest.raises(OSError):
        run_function(link, "forward", GOOD_ARGUMENTS)


# --- the pieces ------------------------------------------------------------------------------


def test_level_names_round_trip() -> None:
    assert level_name(frozenset({"rlimits"})) == "rlimits only"
    assert parse_level("rlimits only") == {"rlimits"}
    every = frozenset(LEVEL_PARTS)
    assert level_name(every) == "bwrap+seccomp+rlimits+uid"  # namespaces go without saying
    assert parse_level(level_name(every)) == every
    assert level_name(every - {"bwrap"}) == "ns+seccomp+rlimits+uid"
    assert parse_level(" Bwrap + seccomp ") == {"bwrap", "ns", "seccomp"}


def test_the_codec_keeps_nan_infinities_and_dollar_keys() -> None:
    value = {"a": [math.nan, math.inf, -math.inf, 1.5], "$float": "nan", "n": None, "t": (1, 2)}
    back = decode_value(encode_value(value))
    assert math.isnan(back["a"][0]) and back["a"][1:] == [math.inf, -math.inf, 1.5]
    assert back["$float"] == "nan" and back["n"] is None and back["t"] == [1, 2]
    with pytest.raises(TypeError):
        encode_value({"f": object()})
    with pytest.raises(ValueError):
        decode_value({"$float": "1e999"})


@pytest.mark.skipif(program() is None, reason="no seccomp filter for this architecture")
def test_the_seccomp_filter_refuses_every_socket_but_a_pair() -> None:
    filter_bytes = program()
    assert filter_bytes is not None and len(filter_bytes) % 8 == 0
    script = (
        "import socket, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'backviz' / 'sandbox')!r})\n"
        "from isolation import install_seccomp\n"
        f"install_seccomp(bytes.fromhex({filter_bytes.hex()!r}))\n"
        "a, b = socket.socketpair(); a.close(); b.close()\n"
        "for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX, socket.AF_NETLINK):\n"
        "    try:\n"
        "        socket.socket(family)\n"
        "    except PermissionError:\n"
        "        continue\n"
        "    sys.exit(f'{family} not refused')\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


def test_a_symlink_is_never_followed_and_says_so(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir(mode=0o700)
    (vault / "canary.py").write_text("CANARY = 1\n")
    link = tmp_path / "student.py"
    link.symlink_to(vault / "canary.py")
    with pytest.raises(SourceRefused, match=r"student\.py is a symbolic link: refused"):
        run_function(link, "forward", GOOD_ARGUMENTS)
    with pytest.raises(SourceRefused, match="not a regular file"):
        run_function(tmp_path, "forward", GOOD_ARGUMENTS)


def test_the_probe_counts_a_file_it_left_on_the_host_only(tmp_path: Path) -> None:
    """A file the probe made in a private /tmp of its own (bubblewrap as any user) is harmless
    and says nothing against the namespaces; one that reached the host's shared folder does,
    and is removed; an error (the folder refused the file) reached nothing."""
    shared = str(tmp_path)
    on_host = tmp_path / "backviz-probe-1-00ff"
    on_host.write_text("")
    assert runner._reached_host(str(on_host), shared) is True
    assert not on_host.exists()
    assert runner._reached_host(str(tmp_path / "backviz-probe-2-00ff"), shared) is False
    assert runner._reached_host("EACCES", shared) is False
    outside = tmp_path.parent / "backviz-probe-3-00ff"  # not the probe's: never removed
    assert runner._reached_host(str(outside), shared) is False
