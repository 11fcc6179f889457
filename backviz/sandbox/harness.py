"""The sandbox's own side: a template process, started fresh for a class, whose slots make
one isolated process per case and run the student's function in it.

:mod:`backviz.sandbox.template` copies this file with ``codec.py`` and ``isolation.py`` into
a folder of their own (bound read-only under bubblewrap) and starts::

    python -I -S -B harness.py SETUP_FD CONTROL_FD...

It never imports backviz (not visible from inside) and uses the standard library only.

The template reads its set-up (JSON) from ``SETUP_FD``, imports the allowed modules (numpy,
torch …) and nothing of the grader's, then forks one slot per control socket and waits for
them. A slot joins a memory group of its own once (moving a process between groups takes
milliseconds, serialised across the machine; a case made by a slot is born in its group),
says it is ready, and serves requests one case at a time: ``{"op": "run", "id", "uid",
"memory", "disk", "workdir"}`` with five descriptors (the case's configuration, its result
pipe, stdout, stderr and status pipe), and ``{"op": "kill", "id"}``. For each run it sets its
group's limit to the case's memory and spawns the case
(:func:`backviz.sandbox.isolation.spawn`: the first process of new pid, mount and IPC
namespaces where the level has them); when the case ends it clears what the case left (at
the levels without namespaces) and writes ``{"exit", "signal", "cpu", "oom", "stopped"}`` to
the status pipe. When the grader goes (its control socket closes), a slot kills its case and
ends; the template ends with its last slot.

A case, before any student code runs and in this order: writes ``H`` on its result pipe
("the case started"), dies with its slot, is the OOM killer's first choice, starts a session,
reads its configuration (no slot ever reads it: no student's file or arguments pass through
its memory into another's case), mounts its own (private mounts, the host read-only, a
size-capped tmpfs to work in, its own ``/proc``), sets its resource limits, becomes its own
unprivileged uid, sets ``no_new_privs`` and the seccomp filter, keeps only stdin, stdout,
stderr and the result pipe open, writes the student's file in its work folder, imports it by
path, calls the function and writes one JSON document on the result pipe:
``{"status": "ok", "values": …}`` or ``{"status": S, "message": …}`` with S one of ``error``,
``crashed``, ``bad-output``, ``too-much-output``, ``sandbox``; the grader checks it.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import traceback
from dataclasses import dataclass
from typing import Any, NoReturn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import codec
import isolation

del sys.path[0]

_RESERVE = bytearray(1 << 20)  # given back on MemoryError, so that the report can be written
# Standard modules students' numeric code imports, loaded by the template: without namespaces a
# case cannot reach a Python installed under a folder only root may enter (no root-opened
# descriptor is left to it), so what is not loaded here would not import there.
_PRELOADED = (
    "collections",
    "copy",
    "csv",
    "dataclasses",
    "decimal",
    "fractions",
    "functools",
    "itertools",
    "json",
    "math",
    "operator",
    "random",
    "re",
    "statistics",
    "time",
    "typing",
)
_WATCH_SECONDS = 0.05

# Taken before the student's code runs, which may replace them in their modules.
_dumps = json.dumps
_write = os.write
_exit = os._exit
_TOO_BIG = "the returned value is too big to send back"


# --- the template -----------------------------------------------------------------------------


@dataclass
class _Case:
    """A case the slot started and has not yet reaped."""

    id: int
    pid: int
    uid: int | None
    memory: int
    disk: int
    workdir: str
    status_fd: int
    pidfd: int | None
    ooms: int = 0  # the group's OOM kills before the case
    stopped: str = ""


class Slot:
    """A slot's loop: requests from its control socket, its case ending, the watchdog."""

    def __init__(self, control: socket.socket, setup: dict[str, Any], number: int) -> None:
        self.control = control
        self.setup = setup
        memory = setup.get("memory")
        self.group_version = int(memory["version"]) if memory else 0
        self.group = None
        self.limit = 0
        if memory:
            self.limit = 2**30
            self.group = isolation.make_group(
                memory["folder"], f"slot-{number}", self.limit, self.group_version
            )
            isolation.join_group(self.group)
        with contextlib.suppress(OSError):
            isolation.protect_from_oom(-1000)  # root only: the case is chosen, never the slot
        self.namespaces = isolation.CASE_NAMESPACES if setup["namespaces"] else 0
        # without a memory group, or without namespaces (the disk), a watchdog looks
        self.watch = not self.group or not self.namespaces
        self.low, self.high = setup["uid_range"]
        self.cases: dict[int, _Case] = {}
        self.selector = selectors.DefaultSelector()

    def serve(self) -> NoReturn:
        self.selector.register(self.control, selectors.EVENT_READ, None)
        while True:
            timeout = _WATCH_SECONDS if self.watch and self.cases else None
            for key, _ in self.selector.select(timeout):
                if key.data is None:
                    self._request()
                else:
                    self._reap(key.data)
            if self.watch and self.cases:
                self._look()

    def _request(self) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(self.control, 1 << 16, 8)
        except OSError:
            data, fds = b"", []
        if not data:  # the grader is gone: nothing of its runs may outlive it
            self._shutdown()
        try:
            request = json.loads(data)
            if request.get("op") == "kill":
                case = self.cases.get(int(request["id"]))
                if case is not None:
                    self._stop(case, "")
                return
            self._start(request, fds)
        except Exception:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _start(self, request: dict[str, Any], fds: list[int]) -> None:
        config_fd, result_fd, stdout_fd, stderr_fd, status_fd = fds
        uid = request.get("uid")
        if uid is not None and not self.low <= int(uid) < self.high:
            raise ValueError("not a run's uid")
        case = _Case(
            id=int(request["id"]),
            pid=0,
            uid=None if uid is None else int(uid),
            memory=int(request["memory"]),
            disk=int(request["disk"]),
            workdir=str(request["workdir"]),
            status_fd=status_fd,
            pidfd=None,
        )
        try:
            if self.group:
                if case.memory != self.limit:
                    isolation.set_group_limit(self.group, case.memory, self.group_version)
                    self.limit = case.memory
                case.ooms = isolation.group_ooms(self.group, self.group_version)
            case.pid = isolation.spawn(self.namespaces)
        except OSError as exc:
            self._report(case, {"error": f"{exc}"})
            for fd in (config_fd, result_fd, stdout_fd, stderr_fd):
                os.close(fd)
            return
        if case.pid == 0:  # the case
            try:
                _case(self.setup, case, config_fd, result_fd, stdout_fd, stderr_fd)
            finally:
                _exit(70)
        for fd in (config_fd, result_fd, stdout_fd, stderr_fd):
            os.close(fd)
        self.cases[case.id] = case
        try:
            case.pidfd = os.pidfd_open(case.pid)
            self.selector.register(case.pidfd, selectors.EVENT_READ, case)
        except (AttributeError, OSError):
            self.watch = True  # no pidfd: the loop polls

    def _stop(self, case: _Case, why: str) -> None:
        case.stopped = case.stopped or why
        with contextlib.suppress(OSError):
            os.kill(case.pid, signal.SIGKILL)

    def _reap(self, case: _Case) -> None:
        try:
            _, status, usage = os.wait4(case.pid, 0)
        except ChildProcessError:
            status, usage = None, None
        if case.pidfd is not None:
            self.selector.unregister(case.pidfd)
            os.close(case.pidfd)
        self._finish(case, status, usage)

    def _reap_strays(self) -> None:
        """Without pidfds: reap whatever ended."""
        for case in list(self.cases.values()):
            try:
                pid, status, usage = os.wait4(case.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status, usage = case.pid, None, None
            if pid:
                self._finish(case, status, usage)

    def _finish(self, case: _Case, status: int | None, usage: Any) -> None:
        """The case ended: what it left is cleared, then the grader is told how it ended (the
        first process of a pid namespace ignores SIGXCPU: the CPU time it used tells it)."""
        self.cases.pop(case.id, None)
        self._clear(case)
        ooms = isolation.group_ooms(self.group, self.group_version) if self.group else 0
        outcome: dict[str, Any] = {"oom": ooms - case.ooms, "stopped": case.stopped}
        if usage is not None:
            outcome["cpu"] = round(usage.ru_utime + usage.ru_stime, 3)
        if status is not None and os.WIFSIGNALED(status):
            outcome["signal"] = os.WTERMSIG(status)
        elif status is not None:
            outcome["exit"] = os.waitstatus_to_exitcode(status)
        self._report(case, outcome)

    def _clear(self, case: _Case) -> None:
        """Every process the case made (its namespace took them with it, when it had one), and,
        without a mount namespace, what its uid left in folders anyone may write in."""
        if self.namespaces:
            return
        if self.group:
            isolation.kill_group(self.group, spare=os.getpid())
        if case.uid is not None:
            isolation.kill_uid(case.uid)
            isolation.remove_files_of(case.uid)
            isolation.remove_ipc_of(case.uid)
        else:
            with contextlib.suppress(OSError):
                os.killpg(case.pid, signal.SIGKILL)

    def _report(self, case: _Case, outcome: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            os.write(case.status_fd, json.dumps(outcome).encode())
        os.close(case.status_fd)

    def _look(self) -> None:
        """The watchdog: a case whose processes together hold more memory than its limit
        (without a memory group), or whose files take more than its disk (without a tmpfs of
        its own), is stopped."""
        if any(case.pidfd is None for case in self.cases.values()):
            self._reap_strays()
        table = isolation.processes()
        for case in list(self.cases.values()):
            if not self.group:
                held = isolation.resident_bytes(table, case.uid, case.pid)
                if held > case.memory:
                    self._stop(case, f"memory:{held}")
                    continue
            if not self.namespaces:
                owned = isolation.files_of(case.uid) if case.uid is not None else []
                used = isolation.disk_bytes(owned) + isolation.folder_bytes(case.workdir)
                if used > case.disk:
                    self._stop(case, f"disk:{used}")

    def _shutdown(self) -> NoReturn:
        for case in list(self.cases.values()):
            self._stop(case, "")
        for case in list(self.cases.values()):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(case.pid, 0)
            self._clear(case)
        _exit(0)


def main(argv: list[str]) -> NoReturn:
    """The template: ``argv`` = [script, SETUP_FD, CONTROL_FD...], one slot per control."""
    controls = [socket.socket(fileno=int(fd)) for fd in argv[2:]]
    try:
        with os.fdopen(int(argv[1]), "rb") as stream:
            setup = json.loads(stream.read())
        with contextlib.suppress(OSError):
            isolation.protect_from_oom(-1000)
        if setup.get("template_namespaces"):
            isolation.unshare(int(setup["template_namespaces"]))
        for entry in setup["sys_path"]:
            if entry not in sys.path:
                sys.path.append(entry)
        for name in (*_PRELOADED, *setup["modules"]):
            importlib.import_module(name)
    except BaseException as exc:
        _not_ready(controls, exc)
    slots = []
    for number, control in enumerate(controls):
        pid = os.fork()
        if pid == 0:
            for other in controls:
                if other is not control:
                    other.close()
            try:
                isolation.set_parent_death_signal(signal.SIGKILL)
                slot = Slot(control, setup, number)
            except BaseException as exc:
                _not_ready([control], exc)
            control.send(b'{"ready": true}')
            slot.serve()
        slots.append(pid)
    for control in controls:
        control.close()
    while slots:  # the template ends with its last slot
        try:
            pid = os.wait()[0]
        except ChildProcessError:
            break
        if pid in slots:
            slots.remove(pid)
    _exit(0)


def _not_ready(controls: list[socket.socket], exc: BaseException) -> NoReturn:
    for control in controls:
        with contextlib.suppress(OSError):
            control.send(_dumps({"ready": False, "message": _describe(exc)}).encode())
    _exit(71)


# --- a case -----------------------------------------------------------------------------------


def _case(
    setup: dict[str, Any],
    case: _Case,
    config_fd: int,
    result_fd: int,
    stdout_fd: int,
    stderr_fd: int,
) -> NoReturn:
    """The case's process (see the module's docstring for the order of things)."""
    try:
        _write(result_fd, b"H")
    except OSError:
        _exit(70)
    try:
        isolation.set_parent_death_signal(signal.SIGKILL)
        isolation.protect_from_oom(1000)
        os.setsid()
        with os.fdopen(config_fd, "rb") as stream:
            header, _, code = stream.read().partition(b"\n")
        config = json.loads(header)
        _isolate(setup, case, config, (result_fd, stdout_fd, stderr_fd), code)
    except BaseException as exc:
        message = f"setting up the sandbox failed: {_describe(exc)}"
        with contextlib.suppress(OSError):
            _send(result_fd, {"status": "sandbox", "message": message})
        _exit(71)
    pid = os.getpid()
    outcome = _run(config)
    if os.getpid() != pid:  # a process the student forked came back here: it reports nothing
        _exit(0)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    cap = int(config["limits"]["output_bytes"])
    try:
        data = _dumps(outcome, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError, RecursionError, MemoryError) as exc:
        data = _dumps({"status": "bad-output", "message": f"the value can't be sent: {exc}"})
        data = data.encode()
    if len(data) > cap:
        data = _dumps({"status": "too-much-output", "message": _TOO_BIG}).encode()
    try:
        view = memoryview(data)
        while view:
            view = view[_write(result_fd, view) :]
    except OSError:
        _exit(72)
    _exit(0)


def _isolate(
    setup: dict[str, Any],
    case: _Case,
    config: dict[str, Any],
    pipes: tuple[int, int, int],
    code: bytes,
) -> None:
    """Everything between the case's start and the student's first line."""
    result_fd, stdout_fd, stderr_fd = pipes
    work = case.workdir
    if setup["namespaces"]:
        isolation.make_private()
        if setup["host_read_only"]:
            isolation.read_only_host()
        if setup["expose"]:
            isolation.expose(setup["expose"])
        for path in setup["hide"]:
            isolation.unmount(path)
        isolation.mount_tmpfs(work, case.disk, case.uid)
        isolation.mount_proc()
    isolation.set_limits(config["limits"])
    if case.uid is not None:
        isolation.drop_privileges(case.uid, case.uid)
        isolation.set_parent_death_signal(signal.SIGKILL)  # a change of uid cleared it
    if setup.get("seccomp"):
        isolation.install_seccomp(bytes.fromhex(setup["seccomp"]))
    else:
        isolation.set_no_new_privs()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(stdout_fd, 1)
    os.dup2(stderr_fd, 2)
    isolation.close_fds_except({result_fd})
    os.chdir(work)
    os.environ["HOME"] = os.environ["TMPDIR"] = work
    source = os.path.join(work, config["display_name"])
    with open(source, "xb") as stream:
        stream.write(code)
    os.chmod(source, 0o444)
    sys.argv = [config["display_name"]]
    sys.dont_write_bytecode = True


def _send(fd: int, document: dict[str, Any]) -> None:
    view = memoryview(_dumps(document, allow_nan=False, separators=(",", ":")).encode())
    while view:
        view = view[_write(fd, view) :]


def _is_cell(filename: str) -> bool:
    """A notebook cell's code, as `grading/notebook.py` compiles it: "<cell 3>"."""
    return filename.startswith("<cell ") and filename.endswith(">") and filename[6:-1].isdigit()


def _where(exc: BaseException, source: str, display: str) -> str:
    """The student's own frames of ``exc``'s traceback, innermost last, at most four: those
    of their file, and of a notebook's cells the file runs (compiled as "<cell N>")."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename == source or _is_cell(f.filename)
    ]
    lines = [
        f"  {display if f.filename == source else f.filename[1:-1]} line {f.lineno}, in "
        f"{f.name}: {(f.line or '').strip()}"
        for f in frames[-4:]
    ]
    if isinstance(exc, SyntaxError) and exc.filename == source and exc.lineno:
        lines.append(f"  {display} line {exc.lineno}: {(exc.text or '').strip()}")
    return "\n".join(lines)


def _describe(exc: BaseException) -> str:
    kind = type(exc)
    name = (
        kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    )
    text = str(exc)
    if len(text) > 500:
        text = text[:500] + "…"
    return f"{name}: {text}" if text else name


def _failure(exc: BaseException, source: str, display: str, memory: int) -> dict[str, Any]:
    global _RESERVE
    if isinstance(exc, MemoryError):
        _RESERVE = bytearray()
        where = _where(exc, source, display)
        traceback.clear_frames(exc.__traceback__)
        gib = memory / 2**30
        message = f"ran out of memory ({_describe(exc)}; the address-space limit is {gib:.1f} GiB)"
        return {"status": "crashed", "message": message + ("\n" + where if where else "")}
    where = _where(exc, source, display)
    message = _describe(exc) + ("\n" + where if where else "")
    return {"status": "error", "message": message}


def _numpy_array() -> Any:
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None
    return lambda data, dtype: numpy.asarray(data, dtype=dtype)


def _run(config: dict[str, Any]) -> dict[str, Any]:
    display = config["display_name"]
    source = os.path.join(os.getcwd(), display)
    memory = int(config["limits"]["memory_bytes"])
    arguments = codec.decode_value(config["arguments"], make_array=_numpy_array())
    try:
        spec = importlib.util.spec_from_file_location("submission", source)
        if spec is None or spec.loader is None:
            return {"status": "error", "message": f"{display} can't be loaded as Python"}
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        spec.loader.exec_module(module)
        function = getattr(module, config["function"], None)
        if not callable(function):
            return {
                "status": "error",
                "message": f"{display} defines no function {config['function']}()",
            }
        value = function(**arguments)
    except BaseException as exc:  # the student's code may raise anything, SystemExit included
        return _failure(exc, source, display, memory)
    try:
        return {
            "status": "ok",
            "values": codec.encode_value(value, limit=int(config["limits"]["output_bytes"])),
        }
    except codec.ResultTooBig:
        return {"status": "too-much-output", "message": _TOO_BIG}
    except (TypeError, ValueError, RecursionError) as exc:
        return {"status": "bad-output", "message": f"the returned value can't be sent back: {exc}"}
    except MemoryError as exc:
        return _failure(exc, source, display, memory)


if __name__ == "__main__":
    main(sys.argv)
