"""Run one function of a student's file in a child process, isolated in layers.

The layers (DESIGN.md, "Code exercises"), each named in the level string a run reports:

``rlimits``
    Always. The child gets its own session and process group, killed with SIGKILL on
    the wall-clock limit; limits on CPU time, address space, file size, open files and
    processes; a scrubbed environment; a throw-away folder holding only a copy of the
    student's file.
``uid``
    When the grader runs as root. The harness drops for good to a uid/gid of its own,
    drawn at random for this run from a range no account uses, before any student code
    runs: ``RLIMIT_NPROC`` then applies (root ignores it, so only this stops a fork
    bomb), root's files and processes are out of reach (but not what any user may read),
    and afterwards every process of that uid is killed (``kill(-1, SIGKILL)`` from a
    helper holding the uid), daemons in a session of their own included.
``bwrap``
    Where bubblewrap works: new pid, network, IPC, UTS and mount namespaces (as root not a
    user namespace: it would map uid 0 to 0 only, and the harness could not become a real
    unprivileged uid); a root of read-only binds of ``/usr`` (and its ``/bin``, ``/lib``
    …), a few files of ``/etc``, the Python installation and the site folders of the
    allowed modules — nothing else of the host (not the project, not the grader's data,
    not ``/home``, not ``/tmp``); private ``/proc`` and ``/dev``; an empty ``/tmp`` nobody
    can write; the work folder a small tmpfs, the only writable place. When the child
    ends, the pid namespace goes with it.
``seccomp``
    A BPF filter (:mod:`backviz.sandbox.seccomp`) refusing sockets other than ``AF_UNIX``,
    io_uring and new user namespaces: loaded by bubblewrap (``--seccomp FD``) or, without
    it, installed by the harness itself.

The reference, the answer key and the results folder are never in the child's view; the
child's only way out is a result pipe (not stdout) capped at ``Limits.output_bytes``,
read and interpreted by this process alone.

Without bubblewrap the code sees the host's file system: whatever any user may read
(the project's sources included) is readable, and ``/tmp``, ``/var/tmp`` and
``/dev/shm`` are writable (what the run's uid left there is removed afterwards); keep the
grader's data in folders only root can enter. With "rlimits only" (not root, no
bubblewrap) the code runs as the grader's own user: it can read the grader's files and
signal its processes, and a daemon that starts a session of its own survives the
process-group kill. Linux only.

:func:`available_level` says what this machine provides, checked once per process by
running a probe through the real machinery (does the filter refuse an ``AF_INET``
socket? is the uid the one asked for? is the pid namespace there?).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import seccomp
from .accounts import free_uid, is_run_uid, kill_uid, remove_files_of
from .bubblewrap import (
    HARNESS_NAME,
    INSIDE_HARNESS,
    INSIDE_WORK,
    bwrap_command,
    inside,
    module_roots,
)
from .harness import ResultTooBig, decode_value, encode_value
from .pipes import STDOUT_KEEP, Collected, drain, pump

__all__ = [
    "LEVEL_PARTS",
    "STATUSES",
    "Limits",
    "RunResult",
    "available_level",
    "level_name",
    "parse_level",
    "run_function",
]

LEVEL_PARTS = ("bwrap", "seccomp", "rlimits", "uid")
"""The layers, in the order level strings name them."""

STATUSES = ("ok", "timeout", "crashed", "error", "too-much-output", "bad-output", "refused")
"""Every ``RunResult.status``: ``error`` is the student's code raising, ``crashed`` it dying
(a signal, out of memory, leaving without a value), ``refused`` nothing run (the level
required is missing, or the sandbox could not start)."""

_HERE = Path(__file__).resolve().parent
_HARNESS = _HERE / "harness.py"
_PROBE = _HERE / "probe.py"

_TORCH_MEMORY = 2 * 2**30


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run (per process, except the wall clock and the pipe cap)."""

    wall_seconds: float = 20.0
    cpu_seconds: int = 15
    memory_bytes: int = 3 * 2**30  # address space; raised to 2 GiB when torch is imported
    file_bytes: int = 8 * 2**20
    open_files: int = 64
    processes: int = 64  # RLIMIT_NPROC: effective only for a non-root uid
    output_bytes: int = 4 * 2**20  # the result pipe is capped at this


@dataclass(frozen=True)
class RunResult:
    """What became of one run; ``values`` only when ``status == "ok"`` (see :data:`STATUSES`).

    ``level`` is the isolation used (e.g. ``"bwrap+seccomp+rlimits+uid"``), ``stdout``
    the first 2 KB the code printed (shown to people, never parsed), ``message`` for
    people: the exception and the student's lines, or why the run was stopped.
    """

    status: str
    values: Any | None
    message: str
    level: str
    seconds: float
    stdout: str


# --- levels --------------------------------------------------------------------------------


def level_name(parts: frozenset[str] | set[str]) -> str:
    """``{"bwrap", "seccomp", "rlimits", "uid"}`` → ``"bwrap+seccomp+rlimits+uid"``."""
    names = [part for part in LEVEL_PARTS if part in parts]
    return "rlimits only" if names == ["rlimits"] else "+".join(names)


def parse_level(text: str) -> frozenset[str]:
    """The layers a level string names (``"bwrap+seccomp"``, ``"rlimits only"``, …)."""
    cleaned = text.strip().lower().removesuffix(" only")
    parts = frozenset(part.strip() for part in cleaned.split("+") if part.strip())
    unknown = sorted(parts - set(LEVEL_PARTS))
    if unknown or not parts:
        raise ValueError(
            f"unknown sandbox level {text!r}: name layers from {', '.join(LEVEL_PARTS)} "
            "joined by '+', e.g. 'bwrap+seccomp'"
        )
    return parts


@dataclass(frozen=True)
class _Plan:
    """How to run: with bubblewrap at this path or not, with the filter or not, as another uid."""

    bwrap: str | None
    seccomp: bool
    uid: bool

    @property
    def parts(self) -> frozenset[str]:
        chosen = {"rlimits"}
        chosen |= {"bwrap"} if self.bwrap else set()
        chosen |= {"seccomp"} if self.seccomp else set()
        chosen |= {"uid"} if self.uid else set()
        return frozenset(chosen)


_PROBE_NOTES: list[str] = []


@functools.lru_cache(maxsize=1)
def _components() -> frozenset[str]:
    """The layers this machine really provides (probed once per process)."""
    root = os.geteuid() == 0
    bwrap = shutil.which("bwrap")
    has_filter = seccomp.program() is not None
    if not has_filter:
        _PROBE_NOTES.append(f"seccomp: no filter for this architecture ({os.uname().machine})")
    if not bwrap:
        _PROBE_NOTES.append("bwrap: not installed (Debian: apt-get install bubblewrap)")
    candidates = [
        _Plan(bwrap, has_filter, root),
        _Plan(bwrap, False, root),
        _Plan(None, has_filter, root),
        _Plan(None, False, root),
    ]
    tried: set[_Plan] = set()
    for plan in candidates:
        if plan in tried or (plan.seccomp and not has_filter):
            continue
        tried.add(plan)
        result = _execute(plan, _PROBE, "probe", {}, Limits(wall_seconds=15), (), "probe.py")
        if result.status != "ok" or not isinstance(result.values, dict):
            _PROBE_NOTES.append(f"{level_name(plan.parts)}: {result.status}: {result.message}")
            continue
        values = result.values
        parts = {"rlimits"}
        if plan.bwrap and isinstance(values.get("pid"), int) and values["pid"] < 10:
            parts.add("bwrap")
        if plan.seccomp and values.get("inet") == "EACCES" and values.get("unix") == "ok":
            parts.add("seccomp")
        uid = values.get("uid")
        if plan.uid and isinstance(uid, int) and is_run_uid(uid):
            parts.add("uid")
        if parts != plan.parts:
            _PROBE_NOTES.append(f"{level_name(plan.parts)}: only {level_name(parts)} verified")
        return frozenset(parts)
    return frozenset({"rlimits"})


def available_level() -> str:
    """What this machine can do, best first, e.g. ``"bwrap+seccomp+rlimits+uid"``."""
    return level_name(_components())


def _plan_for(parts: frozenset[str]) -> _Plan:
    bwrap = shutil.which("bwrap") if "bwrap" in parts else None
    return _Plan(bwrap, "seccomp" in parts and seccomp.program() is not None, "uid" in parts)


# --- the public entry point ----------------------------------------------------------------


def run_function(
    source: Path,
    function: str,
    arguments: dict[str, Any],
    *,
    limits: Limits = Limits(),
    require: str | None = None,
    modules: tuple[str, ...] = ("numpy",),
) -> RunResult:
    """Run ``function(**arguments)`` from the student's file ``source`` in the sandbox.

    ``arguments`` must be JSON-like (numbers — NaN and infinities too —, strings, lists,
    dicts; numpy arrays arrive as numpy arrays when numpy is among ``modules``).
    ``modules`` are imported by the harness before the student's code (and made visible
    inside the sandbox). ``require`` names a level (``"bwrap+seccomp"``, …): when this
    machine can't provide all of its layers, nothing runs and the status is "refused".
    Raises :class:`ValueError`/:class:`TypeError` for bad arguments from the caller and
    :class:`OSError` when ``source`` isn't a readable regular file (symlinks refused).
    """
    if not function.isidentifier():
        raise ValueError(f"not a function name: {function!r}")
    if not isinstance(arguments, dict) or not all(isinstance(k, str) for k in arguments):
        raise TypeError("arguments must be a dict with str keys")
    wanted = parse_level(require) if require is not None else frozenset()
    available = _components()
    missing = [part for part in LEVEL_PARTS if part in wanted - available]
    if missing:
        notes = "".join(f"\n  {note}" for note in _PROBE_NOTES)
        return RunResult(
            "refused",
            None,
            f"sandbox level {require!r} required, but this machine provides only "
            f"{level_name(available)!r} (missing: {'+'.join(missing)}); nothing was run{notes}",
            level_name(available),
            0.0,
            "",
        )
    return _execute(_plan_for(available), Path(source), function, arguments, limits, modules, None)


# --- one run ----------------------------------------------------------------------------------


def _display_name(source: Path) -> str:
    name = source.name
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}\.py", name) and name != HARNESS_NAME:
        return name
    return "submission.py"


def _read_source(source: Path) -> bytes:
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{source}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(fd)


def _environment(home: str) -> dict[str, str]:
    """The child's whole environment: nothing of the grader's is passed on."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def _looks_like_memory(text: str) -> bool:
    return bool(re.search(r"MemoryError|bad_alloc|[Cc]annot allocate memory|out of memory", text))


def _execute(
    plan: _Plan,
    source: Path,
    function: str,
    arguments: dict[str, Any],
    limits: Limits,
    modules: tuple[str, ...],
    display: str | None,
) -> RunResult:
    """One run with ``plan``'s layers, from copying the file to reading the outcome."""
    started = time.monotonic()
    code = _read_source(source)
    display = display or _display_name(source)
    memory = limits.memory_bytes
    if any(name.partition(".")[0] == "torch" for name in modules):
        memory = max(memory, _TORCH_MEMORY)
    try:
        encoded_arguments = encode_value(arguments, tag_arrays=True)
    except (TypeError, ValueError, ResultTooBig) as exc:
        raise TypeError(f"arguments can't be sent to the sandbox: {exc}") from exc
    roots = module_roots(modules)
    root = os.geteuid() == 0
    uid = free_uid() if plan.uid and root else None
    inside_work = INSIDE_WORK if plan.bwrap else None
    filter_bytes = seccomp.program() if plan.seccomp else None
    got = Collected(bytearray(), 0, bytearray(), bytearray(), None)
    proc = None
    with contextlib.ExitStack() as cleanup:
        # Without bubblewrap the run's uid must reach the folder: not under a private TMPDIR.
        shared = "/tmp" if uid is not None and not plan.bwrap else None
        top = tempfile.mkdtemp(prefix="backviz-sandbox-", dir=shared)
        cleanup.callback(shutil.rmtree, top, ignore_errors=True)
        if uid is not None and not plan.bwrap:
            cleanup.callback(remove_files_of, uid)
        work, student_host, harness_host = _make_folder(top, display, code, uid, plan)
        inside_work = inside_work or work
        config = {
            "source": os.path.join(inside_work, display),
            "display_name": display,
            "function": function,
            "arguments": encoded_arguments,
            "modules": list(modules),
            "sys_path": roots,
            "uid": uid,
            "gid": uid,
            "limits": {
                "cpu_seconds": limits.cpu_seconds,
                "memory_bytes": memory,
                "file_bytes": limits.file_bytes,
                "open_files": limits.open_files,
                "processes": limits.processes,
                "output_bytes": limits.output_bytes,
            },
            "workdir": inside_work,
            "seccomp": filter_bytes.hex() if filter_bytes and not plan.bwrap else None,
        }
        # Every descriptor the child inherits is closed here right after the spawn.
        child_fds: list[int] = []
        result_r, result_w = os.pipe2(os.O_CLOEXEC)
        cleanup.callback(os.close, result_r)
        child_fds.append(result_w)
        config["result_fd"] = result_w
        config_fd = os.memfd_create("backviz-sandbox-config", os.MFD_CLOEXEC)
        child_fds.append(config_fd)
        _write_all(config_fd, json.dumps(config, allow_nan=False).encode())
        os.lseek(config_fd, 0, os.SEEK_SET)
        seccomp_fd = None
        if filter_bytes and plan.bwrap:
            seccomp_fd, seccomp_w = os.pipe2(os.O_CLOEXEC)
            child_fds.append(seccomp_fd)
            _write_all(seccomp_w, filter_bytes)  # ~200 bytes: fits in the pipe
            os.close(seccomp_w)
        close_child_fds = cleanup.enter_context(contextlib.ExitStack())
        for fd in child_fds:
            close_child_fds.callback(os.close, fd)

        python = [os.path.realpath(sys.executable), "-I", "-S", "-B"]
        if plan.bwrap:
            trees = [os.path.realpath(sys.base_prefix), *roots]
            if not inside(python[0], trees):
                trees.append(os.path.dirname(python[0]))
            command = bwrap_command(
                plan.bwrap,
                root=root,
                trees=trees,
                student=(student_host, config["source"]),
                harness=harness_host,
                seccomp_fd=seccomp_fd,
                work_bytes=max(8 * limits.file_bytes, 16 * 2**20),
            )
            command += ["--", *python, INSIDE_HARNESS, str(config_fd)]
        else:
            command = [*python, harness_host, str(config_fd)]
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=child_fds,
                env=_environment(inside_work),
                cwd=top if plan.bwrap else work,
                start_new_session=True,
            )
        except OSError as exc:
            got.stderr += f"{command[0]}: {exc}".encode()
            return _finish(plan, started, got, None, limits, memory)
        cleanup.callback(_reap, proc)
        close_child_fds.close()
        try:
            got = pump(proc, result_r, started + limits.wall_seconds, limits.output_bytes)
        finally:
            _stop(proc, uid)
            drain(proc, result_r, got, limits.output_bytes)
    return _finish(plan, started, got, proc, limits, memory)


def _make_folder(
    top: str, display: str, code: bytes, uid: int | None, plan: _Plan
) -> tuple[str, str, str]:
    """``top/work/<display>`` (the student's copy) and ``top/`` + the harness.

    Without bubblewrap, the work folder belongs to the run's uid and is the only one of
    these it can write; with it, the files are bound read-only into a tmpfs instead.
    """
    work = os.path.join(top, "work")
    os.mkdir(work, 0o700)
    student = os.path.join(work, display)
    with open(student, "wb") as stream:
        stream.write(code)
    os.chmod(student, 0o644)
    harness = os.path.join(top, HARNESS_NAME)
    shutil.copyfile(_HARNESS, harness)
    os.chmod(harness, 0o644)
    if uid is not None and not plan.bwrap:
        os.chmod(top, 0o711)
        os.chown(work, uid, uid)
    return work, student, harness


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _reap(proc: Any) -> None:
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _finish(
    plan: _Plan, started: float, got: Collected, proc: Any, limits: Limits, memory: int
) -> RunResult:
    status, values, message = _interpret(proc, got, limits, memory, bool(plan.bwrap))
    if status == "ok" and got.stdout_total > STDOUT_KEEP:
        message = f"printed {got.stdout_total} bytes; only the first {STDOUT_KEEP} are kept"
    return RunResult(
        status,
        values,
        message,
        level_name(plan.parts),
        round(time.monotonic() - started, 3),
        bytes(got.stdout).decode("utf-8", errors="replace"),
    )


def _stop(proc: Any, uid: int | None) -> None:
    """Kill the child's process group and, with a uid of its own, every process of it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if uid is not None:
        kill_uid(uid, uid)


def _interpret(
    proc: Any, got: Collected, limits: Limits, memory: int, bwrap: bool
) -> tuple[str, Any, str]:
    stderr = bytes(got.stderr).decode("utf-8", errors="replace").strip()
    tail = stderr[-600:]
    if got.reason == "timeout":
        return (
            "timeout",
            None,
            (
                f"stopped after the wall-clock limit of {limits.wall_seconds:g} s "
                "(SIGKILL to its process group and everything it started)"
            ),
        )
    if got.reason == "too-much-output":
        return (
            "too-much-output",
            None,
            (f"sent more than {limits.output_bytes} bytes over the result channel; stopped"),
        )
    data = bytes(got.result)
    if not data.startswith(b"H"):
        return "refused", None, "the sandbox could not be started" + (f": {tail}" if tail else "")
    document = data[1:]
    if document:
        return _read_document(document, memory)
    code = proc.returncode if proc is not None else None
    number = None
    if code is not None and code < 0:
        number = -code
    elif bwrap and code is not None and code > 128:
        number = code - 128
    if number == signal.SIGXCPU:
        return "timeout", None, f"stopped by the CPU-time limit of {limits.cpu_seconds} s (SIGXCPU)"
    if number is not None:
        message = f"killed by {_signal_name(number)} before returning a result"
        if number == signal.SIGKILL or _looks_like_memory(stderr):
            message += f" (out of memory? the address-space limit is {_gib(memory)})"
    else:
        message = f"ended (exit code {code}) without returning a result"
        if _looks_like_memory(stderr):
            message += f": ran out of memory (the address-space limit is {_gib(memory)})"
    return "crashed", None, message + (f"\n{tail}" if tail else "")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read_document(document: bytes, memory: int) -> tuple[str, Any, str]:
    try:
        parsed = json.loads(document.decode("utf-8"), parse_constant=_no_constants)
        if not isinstance(parsed, dict) or parsed.get("status") not in (
            "ok",
            "error",
            "crashed",
            "bad-output",
            "too-much-output",
            "sandbox",
        ):
            raise ValueError("not a result document")
        if parsed["status"] == "ok":
            if set(parsed) != {"status", "values"}:
                raise ValueError("unexpected fields")
            return "ok", decode_value(parsed["values"]), ""
        message = parsed.get("message")
        if not isinstance(message, str) or set(parsed) != {"status", "message"}:
            raise ValueError("a failure without a message")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return (
            "bad-output",
            None,
            (
                f"the result channel held something that is not a result "
                f"({len(document)} bytes: {exc})"
            ),
        )
    if parsed["status"] == "sandbox":
        return "refused", None, parsed["message"][:2000]
    return parsed["status"], None, parsed["message"][:2000]
