"""The template process of a class: started fresh (never a fork of the grader, which holds
backviz and the answers in memory), it imports only the allowed modules, then forks its slots,
each of which makes one isolated process per case (:mod:`backviz.sandbox.harness`).
Importing numpy once per class, not once per case, and joining a memory group once per slot,
not once per case, is what makes a class fast; each case still sets up its own namespaces,
tmpfs, uid, limits and filter before the student's file is loaded.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import itertools
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
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
_PREFIX = "backviz-sandbox-"
_STALE_SECONDS = 60.0


class TemplateError(Exception):
    """The template could not be started (its message says why)."""


@dataclass(frozen=True)
class CaseSlot:
    """What one case is given: its number, the template's slot that runs it, its uid (None:
    the grader's own) and where it works (a mount point for its own tmpfs, or, without
    namespaces, a folder of its own)."""

    id: int
    slot: int
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

    Thread-safe: up to ``slots`` cases run at once, submitted from any thread (one more waits
    for a free slot). ``close()`` ends it (and so every case still running); so does the
    grader's death (the control sockets close).
    """

    def __init__(self, plan: Plan, modules: tuple[str, ...], slots: int = 4) -> None:
        self.plan = plan
        self.level = level_name(plan.parts)
        self.modules = modules
        self.view = python_view(modules)
        self.accounts = Accounts() if plan.uid else None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._live_uids: set[int] = set()
        self._controls: list[socket.socket] = []
        self._free: queue.Queue[int] = queue.Queue()
        self._broken = False
        self.slots = slots
        # Without bubblewrap, the run's uid must reach the folder: not under a private TMPDIR.
        shared = "/tmp" if plan.uid and not plan.bwrap else None
        _remove_stale_folders(shared or tempfile.gettempdir())
        self.folder = tempfile.mkdtemp(prefix=_PREFIX, dir=shared)
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
        theirs = []
        for _ in range(self.slots):
            ours, other = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self._controls.append(ours)
            theirs.append(other)
        setup_fd = os.memfd_create("backviz-template", os.MFD_CLOEXEC)
        try:
            write_all(setup_fd, json.dumps(setup).encode())
            os.lseek(setup_fd, 0, os.SEEK_SET)
            fds = [str(setup_fd), *(str(other.fileno()) for other in theirs)]
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
                # Held while the template or any of its slots lives: a folder whose log is not
                # locked is a killed grader's, and the next class removes it.
                fcntl.flock(log, fcntl.LOCK_EX)
                self.process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(setup_fd, *(other.fileno() for other in theirs)),
                    env=environment(work),
                    cwd=self.folder,
                    start_new_session=True,
                )
        except OSError as exc:
            raise TemplateError(f"{command[0]}: {exc}") from exc
        finally:
            for other in theirs:
                other.close()
            os.close(setup_fd)
        for number, control in enumerate(self._controls):
            self._wait_ready(control)
            self._free.put(number)

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
            # Every mount read-only for the case, bubblewrap's own too: its /tmp and /dev/shm
            # are the template's, writable by a case that is not another uid (bubblewrap as
            # any user) — shared by the class's cases and outside the case's disk cap.
            "host_read_only": ns,
            "expose": expose,
            "hide": [INSIDE_MEMORY] if plan.bwrap and self.memory is not None else [],
            "memory": memory,
            "seccomp": filter_bytes.hex() if filter_bytes else None,
            "uid_range": list(UID_RANGE),
        }

    def _wait_ready(self, control: socket.socket) -> None:
        control.settimeout(_READY_SECONDS)
        try:
            answer = control.recv(1 << 16)
        except OSError:
            answer = b""
        finally:
            control.settimeout(None)
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
        """Whether the template still serves (a slot that failed to take a case means no)."""
        return not self._broken and self.process is not None and self.process.poll() is None

    def new_case(self) -> CaseSlot:
        """A free slot (waiting for one), a number, a uid and a work place for the next case;
        :meth:`done` gives the slot back."""
        slot = self._free.get()
        case_id = next(self._ids)
        uid = self.accounts.take() if self.accounts else None
        if self.plan.ns or self.plan.bwrap:
            return CaseSlot(case_id, slot, uid, self.work)
        folder = os.path.join(self.folder, f"case-{case_id}")
        try:
            os.mkdir(folder, 0o700)
            if uid is not None:
                os.chown(folder, uid, uid)
        except OSError:
            self._free.put(slot)
            raise
        return CaseSlot(case_id, slot, uid, folder)

    def submit(self, case: CaseSlot, memory: int, disk: int, fds: list[int]) -> None:
        """Start the case: ``fds`` are its configuration, result, stdout, stderr and status."""
        header = {
            "op": "run",
            "id": case.id,
            "uid": case.uid,
            "memory": memory,
            "disk": disk,
            "workdir": case.workdir,
        }
        if case.uid is not None:
            with self._lock:
                self._live_uids.add(case.uid)
        try:
            socket.send_fds(self._controls[case.slot], [json.dumps(header).encode()], fds)
        except OSError:
            self._broken = True
            raise

    def kill(self, case: CaseSlot) -> None:
        """Stop the case now (its status still comes on its status pipe)."""
        with contextlib.suppress(OSError):
            self._controls[case.slot].send(json.dumps({"op": "kill", "id": case.id}).encode())

    def done(self, case: CaseSlot) -> None:
        """The case reported its end: its slot is free again, its folder (without namespaces)
        goes."""
        if case.uid is not None:
            with self._lock:
                self._live_uids.discard(case.uid)
        if case.workdir != self.work:
            shutil.rmtree(case.workdir, ignore_errors=True)
        self._free.put(case.slot)

    # -- ending ------------------------------------------------------------------------------

    def close(self) -> None:
        """End the template and every case still running; remove what it was given."""
        for control in self._controls:
            with contextlib.suppress(OSError):
                control.close()
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


def _remove_stale_folders(parent: str) -> None:
    """Template folders left by killed graders: a log nothing holds locked, a minute old."""
    for folder in glob.glob(os.path.join(parent, _PREFIX + "*")):
        log = os.path.join(folder, "template.log")
        try:
            if time.time() - os.stat(folder).st_mtime < _STALE_SECONDS or not os.path.isdir(
                os.path.join(folder, "harness")
            ):
                continue
            with open(log, "rb") as stream:
                fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # not a template's folder, or its template lives
        shutil.rmtree(folder, ignore_errors=True)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
