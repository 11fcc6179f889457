"""Starting one sandboxed child and supervising it: its folder, configuration and command, the
wall clock, and the kill of its session (and of its uid) when it ends or must be stopped."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import seccomp
from .accounts import free_uid, kill_uid, remove_files_of
from .bubblewrap import (
    HARNESS_NAME,
    INSIDE_HARNESS,
    INSIDE_WORK,
    bwrap_command,
)
from .harness import ResultTooBig, encode_value
from .levels import Plan
from .limits import Limits, child_limits, memory_for
from .outcome import RunResult, result_of
from .pipes import Collected, drain, pump
from .python_view import python_view
from .source import read_source

__all__ = ["execute"]

_HARNESS = Path(__file__).resolve().parent / "harness.py"


def _display_name(source: Path) -> str:
    """The student's file name as the child sees it (and tracebacks show it), when harmless."""
    name = source.name
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}\.py", name) and name != HARNESS_NAME:
        return name
    return "submission.py"


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


def execute(
    plan: Plan,
    source: Path,
    function: str,
    arguments: dict[str, Any],
    limits: Limits,
    modules: tuple[str, ...],
    display: str | None,
) -> RunResult:
    """One run with ``plan``'s layers, from copying the file to reading the outcome."""
    started = time.monotonic()
    code = read_source(source)
    display = display or _display_name(source)
    memory = memory_for(limits, modules)
    try:
        encoded_arguments = encode_value(arguments, tag_arrays=True)
    except (TypeError, ValueError, ResultTooBig) as exc:
        raise TypeError(f"arguments can't be sent to the sandbox: {exc}") from exc
    view = python_view(tuple(modules))
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
            "sys_path": list(view.site_dirs),
            "uid": uid,
            "gid": uid,
            "limits": child_limits(limits, memory),
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
            command = bwrap_command(
                plan.bwrap,
                root=root,
                view=view,
                python=python[0],
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
            return result_of(plan, started, got, None, limits, memory)
        cleanup.callback(_reap, proc)
        close_child_fds.close()
        try:
            got = pump(proc, result_r, started + limits.wall_seconds, limits.output_bytes)
        finally:
            _stop(proc, uid)
            drain(proc, result_r, got, limits.output_bytes)
    return result_of(plan, started, got, proc, limits, memory)


def _make_folder(
    top: str, display: str, code: bytes, uid: int | None, plan: Plan
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
    """Write all of ``data`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _reap(proc: Any) -> None:
    """Wait for the (killed) child and close its pipes."""
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _stop(proc: Any, uid: int | None) -> None:
    """Kill the child's process group and, with a uid of its own, every process of it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if uid is not None:
        kill_uid(uid, uid)
