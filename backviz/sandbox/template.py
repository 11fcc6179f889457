"""The template process of a class: started fresh (never a fork of the grader, which holds
backviz and the answers in memory), it imports only the allowed modules, then makes one
isolated process per case (:mod:`backviz.sandbox.harness`). Importing numpy once per class,
not once per case, is what makes a class fast; each case still sets up its own namespaces,
tmpfs, uid, limits and filter before the student's file is loaded.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import seccomp
from .accounts import UID_RANGE, Accounts
from .bubblewrap import INSIDE_HARNESS, INSIDE_MEMORY, INSIDE_WORK, bwrap_command, inside
from .cgroups import MemoryFolder, class_folder, remove_folder
from .isolation import CLONE_NEWNET, CLONE_NEWUTS, kill_uid
from .levels import Plan, level_name
from .python_view import python_view

__all__ = ["CaseSlot", "Template", "TemplateError", "environment", "write_all"]

_HERE = Path(__file__).resolve().parent
_FILES = ("harness.py", "codec.py", "isolation.py")  # the sandbox's side, stdlib only
_READY_SECONDS = 120.0  # importing torch on a loaded machine


class TemplateError(Exception):
    """The template could not be started (its message says why)."""


@dataclass(frozen=True)
class CaseSlot:
    """What one case is given: its number, its uid (None: the grader's own) and where it
    works (a mount point for its own tmpfs, or, without namespaces, a folder of its own)."""

    id: int
    uid: int | None
    workdir: str


def environment(home: str) -> dict[str, str]:
    """The whole environment of the template and its cases: nothing of the grader's."""
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


class Template:
    """One template process at one plan's level, for runs importing ``modules``.

    Thread-safe: cases may be submitted from several threads. ``close()`` ends it (and so
    every case still running); so does the grader's death (its control socket closes).
    """

    def __init__(self, plan: Plan, modules: tuple[str, ...]) -> None:
        self.plan = plan
        self.level = level_name(plan.parts)
        self.modules = modules
        self.view = python_view(modules)
        self.accounts = Accounts() if plan.uid else None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._live_uids: set[int] = set()
        # Without bubblewrap, the run's uid must reach the folder: not under a private TMPDIR.
        shared = "/tmp" if plan.uid and not plan.bwrap else None
        self.folder = tempfile.mkdtemp(prefix="backviz-sandbox-", dir=shared)
        self.memory: MemoryFolder | None = None
        self.process: subprocess.Popen[bytes] | None = None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    # -- starting ----------------------------------------------------------------------------

    def _start(self) -> None:
        harness = os.path.join(self.folder, "harness")
        os.mkdir(harness, 0o755)
        for name in _FILES:
            shutil.copyfile(_HERE / name, os.path.join(harness, name))
            os.chmod(os.path.join(harness, name), 0o644)
        if self.plan.uid and not self.plan.bwrap:
            os.chmod(self.folder, 0o711)
        work = INSIDE_WORK if self.plan.bwrap else os.path.join(self.folder, "work")
        if not self.plan.bwrap:
            os.mkdir(work, 0o755)
        self.work = work
        self.memory = class_folder()
        python = os.path.realpath(sys.executable)
        setup = self._setup(python)
        control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = control
        setup_fd = os.memfd_create("backviz-template", os.MFD_CLOEXEC)
        try:
            write_all(setup_fd, json.dumps(setup).encode())
            os.lseek(setup_fd, 0, os.SEEK_SET)
            fds = [str(theirs.fileno()), str(setup_fd)]
            command = [python, "-I", "-S", "-B"]
            if self.plan.bwrap:
                memory = self.memory.path if self.memory else None
                prefix = bwrap_command(
                    self.plan.bwrap,
                    root=os.geteuid() == 0,
                    view=self.view,
                    python=python,
                    harness=harness,
                    memory=memory,
                )
                command = [*prefix, "--", *command, f"{INSIDE_HARNESS}/harness.py", *fds]
            else:
                command += [os.path.join(harness, "harness.py"), *fds]
            self.log_path = os.path.join(self.folder, "template.log")
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(theirs.fileno(), setup_fd),
                    env=environment(work),
                    cwd=self.folder,
                    start_new_session=True,
                )
        except OSError as exc:
            raise TemplateError(f"{command[0]}: {exc}") from exc
        finally:
            theirs.close()
            os.close(setup_fd)
        self._wait_ready()

    def _setup(self, python: str) -> dict[str, Any]:
        """The template's set-up (see :mod:`backviz.sandbox.harness`)."""
        plan = self.plan
        filter_bytes = seccomp.program() if plan.seccomp else None
        memory = None
        if self.memory is not None:
            folder = INSIDE_MEMORY if plan.bwrap else self.memory.path
            memory = {"folder": folder, "version": self.memory.version}
        ns = plan.ns or bool(plan.bwrap)
        expose: list[str] = []
        if ns and not plan.bwrap:  # Python under a root-only folder must stay reachable
            expose = [os.path.realpath(sys.base_prefix), *self.view.site_dirs]
            if not inside(python, expose):
                expose.append(os.path.dirname(python))
        return {
            "modules": list(self.modules),
            "sys_path": list(self.view.site_dirs),
            "namespaces": ns,
            "template_namespaces": CLONE_NEWNET | CLONE_NEWUTS if ns and not plan.bwrap else 0,
            "host_read_only": ns and not plan.bwrap,
            "expose": expose,
            "hide": [INSIDE_MEMORY] if plan.bwrap and self.memory is not None else [],
            "memory": memory,
            "seccomp": filter_bytes.hex() if filter_bytes else None,
            "uid_range": list(UID_RANGE),
        }

    def _wait_ready(self) -> None:
        self.control.settimeout(_READY_SECONDS)
        try:
            answer = self.control.recv(1 << 16)
        except OSError:
            answer = b""
        finally:
            self.control.settimeout(None)
        try:
            ready = json.loads(answer) if answer else {}
        except ValueError:
            ready = {}
        if ready.get("ready") is not True:
            message = str(ready.get("message") or "it ended before it was ready")
            raise TemplateError(f"{message}{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            text = Path(self.log_path).read_bytes()[-600:].decode("utf-8", "replace").strip()
        except (OSError, AttributeError):
            return ""
        return f": {text}" if text else ""

    # -- cases -------------------------------------------------------------------------------

    def alive(self) -> bool:
        """Whether the template still serves."""
        return self.process is not None and self.process.poll() is None

    def new_case(self) -> CaseSlot:
        """A number, a uid and a work place for the next case."""
        case_id = next(self._ids)
        uid = self.accounts.take() if self.accounts else None
        if self.plan.ns or self.plan.bwrap:
            return CaseSlot(case_id, uid, self.work)
        folder = os.path.join(self.folder, f"case-{case_id}")
        os.mkdir(folder, 0o700)
        if uid is not None:
            os.chown(folder, uid, uid)
        return CaseSlot(case_id, uid, folder)

    def submit(self, slot: CaseSlot, memory: int, disk: int, fds: list[int]) -> None:
        """Start the case: ``fds`` are its configuration, result, stdout, stderr and status."""
        header = {
            "op": "run",
            "id": slot.id,
            "uid": slot.uid,
            "memory": memory,
            "disk": disk,
            "workdir": slot.workdir,
        }
        with self._lock:
            if slot.uid is not None:
                self._live_uids.add(slot.uid)
            socket.send_fds(self.control, [json.dumps(header).encode()], fds)

    def kill(self, slot: CaseSlot) -> None:
        """Stop the case now (its status still comes on its status pipe)."""
        with self._lock, contextlib.suppress(OSError):
            self.control.send(json.dumps({"op": "kill", "id": slot.id}).encode())

    def done(self, slot: CaseSlot) -> None:
        """The case reported its end: its folder (without namespaces) goes."""
        if slot.uid is not None:
            with self._lock:
                self._live_uids.discard(slot.uid)
        if slot.workdir != self.work:
            shutil.rmtree(slot.workdir, ignore_errors=True)

    # -- ending ------------------------------------------------------------------------------

    def close(self) -> None:
        """End the template and every case still running; remove what it was given."""
        with contextlib.suppress(OSError, AttributeError):
            self.control.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not (self.plan.ns or self.plan.bwrap):
            for uid in list(self._live_uids):  # the template did it, unless it died first
                kill_uid(uid)
        if self.memory is not None:
            remove_folder(self.memory)
            self.memory = None
        shutil.rmtree(self.folder, ignore_errors=True)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
