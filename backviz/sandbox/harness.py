"""The child side of the sandbox: run one function of a student's file, send back its value.

:mod:`backviz.sandbox.child` copies this file into the sandbox and starts it as::

    python -I -S -B _backviz_harness.py CONFIG_FD

It cannot import backviz (the package is not visible from inside) and uses the standard
library only. Everything below happens before any student code runs:

1. read the configuration (JSON) from ``CONFIG_FD`` and close it;
2. set ``no_new_privs`` and, when asked (no bubblewrap to do it), install the seccomp filter;
3. import the allowed modules (numpy, torch, …) while their files are reachable;
4. set the resource limits, then — when started as root — drop for good to the run's own
   unprivileged uid/gid, so that ``RLIMIT_NPROC`` applies and nothing of root's is open;
5. keep only stdin/stdout/stderr and the result pipe open, chdir to the work folder;
6. import the student's file by path, call the function, encode what it returned and
   write one JSON document to the result pipe, then ``os._exit``.

The result pipe is not stdout: what the student prints is never read as a result. Its
documents are ``{"status": "ok", "values": …}`` or ``{"status": S, "message": …}`` with S
one of ``error``, ``crashed``, ``bad-output``, ``too-much-output``, ``sandbox``; the parent
checks and interprets them.

Values travel as JSON with the non-finite floats spelled out (``{"$float": "nan"}``), numpy
arrays and scalars and torch tensors turned into (nested lists of) floats. The codec
(:func:`encode_value`, :func:`decode_value`) is shared with the parent, which imports
this module for it.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import math
import os
import resource
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = ["MAX_DEPTH", "ResultTooBig", "decode_value", "encode_value", "install_seccomp", "main"]

MAX_DEPTH = 64
"""How deeply values may nest (lists in dicts in lists …)."""

_RESERVE = bytearray(1 << 20)  # given back on MemoryError, so that the report can be written

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2


class ResultTooBig(Exception):
    """The value would not fit in the result pipe's cap."""


# --- the value codec (used on both sides) ------------------------------------------------


class _Budget:
    """A lower bound on the JSON size of what was encoded so far, to give up early."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    def spend(self, count: int) -> None:
        if self.left is None:
            return
        self.left -= count
        if self.left < 0:
            raise ResultTooBig


def _float(value: float) -> float | dict[str, str]:
    return value if math.isfinite(value) else {"$float": repr(value)}


def encode_value(obj: Any, *, tag_arrays: bool = False, limit: int | None = None) -> Any:
    """Turn ``obj`` into something :func:`json.dumps` takes with ``allow_nan=False``.

    Numbers, strings, ``None``, lists/tuples and dicts with ``str`` (or ``int``) keys pass;
    non-finite floats become ``{"$float": "nan" | "inf" | "-inf"}``; numpy arrays and
    scalars and torch tensors become (nested lists of) floats (booleans stay booleans),
    or, with ``tag_arrays``, ``{"$array": …, "dtype": …}`` so that :func:`decode_value`
    can rebuild a numpy array. Dicts with a key starting with ``$`` are wrapped as
    ``{"$dict": …}`` so that they cannot pass for one of these forms. Raises
    :class:`TypeError` for anything else, :class:`ValueError` when nested deeper than
    :data:`MAX_DEPTH`, :class:`ResultTooBig` when the JSON would exceed ``limit`` bytes.
    """
    return _encode(obj, tag_arrays, _Budget(limit), 0)


def _encode(obj: Any, tag_arrays: bool, budget: _Budget, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"the value nests more than {MAX_DEPTH} levels deep")
    if obj is None or isinstance(obj, bool):
        budget.spend(4)
        return obj
    if isinstance(obj, str):
        budget.spend(len(obj) + 2)
        return str(obj)
    if isinstance(obj, int):
        budget.spend(1)
        return int(obj)
    if isinstance(obj, float):
        budget.spend(3)
        return _float(float(obj))
    if isinstance(obj, (list, tuple)):
        budget.spend(2 + len(obj))
        return [_encode(item, tag_arrays, budget, depth + 1) for item in obj]
    if isinstance(obj, dict):
        budget.spend(2 + len(obj))
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"dict keys must be strings, not {type(key).__name__}")
            budget.spend(len(str(key)) + 3)
            out[str(key)] = _encode(value, tag_arrays, budget, depth + 1)
        if any(key.startswith("$") for key in out):
            return {"$dict": out}
        return out
    package = type(obj).__module__.partition(".")[0]
    if package == "torch" and callable(getattr(obj, "detach", None)):
        tensor = obj.detach().cpu()
        if tensor.is_complex():
            raise TypeError("complex tensors can't be sent back")
        plain = tensor.tolist() if str(tensor.dtype) == "torch.bool" else tensor.double().tolist()
        return _encode(plain, tag_arrays, budget, depth)
    if package == "numpy" and hasattr(obj, "dtype") and hasattr(obj, "tolist"):
        kind = obj.dtype.kind
        if kind not in "biuf":
            raise TypeError(f"numpy values of dtype {obj.dtype} can't be sent back")
        if budget.left is not None and 4 * int(getattr(obj, "size", 1)) > budget.left:
            raise ResultTooBig  # before .tolist() makes millions of Python floats
        plain = obj.tolist() if kind == "b" else obj.astype(float).tolist()
        encoded = _encode(plain, tag_arrays, budget, depth)
        if tag_arrays and getattr(obj, "ndim", 0) > 0:
            return {"$array": encoded, "dtype": str(obj.dtype)}
        return encoded
    raise TypeError(
        f"a value of type {type(obj).__qualname__} can't be sent back "
        "(numbers, strings, lists, dicts, numpy arrays and torch tensors can)"
    )


def decode_value(obj: Any, *, make_array: Callable[[Any, str], Any] | None = None) -> Any:
    """Undo :func:`encode_value` on what :func:`json.loads` gave.

    ``{"$array": …}`` becomes ``make_array(nested_list, dtype)`` when given, else the list.
    Raises :class:`ValueError` on a malformed special form.
    """
    if isinstance(obj, list):
        return [decode_value(item, make_array=make_array) for item in obj]
    if not isinstance(obj, dict):
        return obj
    if any(isinstance(key, str) and key.startswith("$") for key in obj):
        if set(obj) == {"$float"}:
            if obj["$float"] not in ("nan", "inf", "-inf"):
                raise ValueError(f"bad $float {obj['$float']!r}")
            return float(obj["$float"])
        if set(obj) == {"$dict"} and isinstance(obj["$dict"], dict):
            return {k: decode_value(v, make_array=make_array) for k, v in obj["$dict"].items()}
        if set(obj) == {"$array", "dtype"}:
            data = decode_value(obj["$array"], make_array=make_array)
            return make_array(data, str(obj["dtype"])) if make_array else data
        raise ValueError(f"unknown special form with keys {sorted(obj)}")
    return {k: decode_value(v, make_array=make_array) for k, v in obj.items()}


# --- privileges, limits, seccomp ------------------------------------------------------------


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, arg: Any, what: str) -> None:
    if _libc().prctl(option, arg, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl({what}) failed: {os.strerror(err)}")


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_seccomp(program: bytes) -> None:
    """Install a seccomp-BPF ``program`` (``struct sock_filter`` records) on this process.

    Sets ``no_new_privs`` first (the kernel requires it without ``CAP_SYS_ADMIN``); call
    it while the process has a single thread: the filter is per thread, inherited by
    threads and processes created afterwards.
    """
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    _prctl(_PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS")
    libc = _libc()
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_SECCOMP) failed: {os.strerror(err)}")


def _set_limits(limits: dict[str, int]) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(used.ru_utime + used.ru_stime) + int(limits["cpu_seconds"])
    wanted = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),
        resource.RLIMIT_AS: (limits["memory_bytes"],) * 2,
        resource.RLIMIT_FSIZE: (limits["file_bytes"],) * 2,
        resource.RLIMIT_NOFILE: (limits["open_files"],) * 2,
        resource.RLIMIT_NPROC: (limits["processes"],) * 2,
        resource.RLIMIT_CORE: (0, 0),
    }
    for which, (soft, hard) in wanted.items():
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            hard = min(hard, old_hard)
        resource.setrlimit(which, (min(soft, hard), hard))


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise OSError("the uid/gid did not change as asked")
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise OSError("root could be regained after dropping privileges")


def _reachable_paths(fds: dict[str, int]) -> None:
    """Point ``sys.path`` and packages' ``__path__`` at ``/proc/self/fd/N`` where needed.

    Without bubblewrap, the interpreter's own files may sit under a folder the new uid
    cannot enter (pyenv's ``/root/.pyenv``); the descriptors opened as root still lead
    there, and only there.
    """
    moved: dict[str, str] = {}
    for path, fd in fds.items():
        if not os.access(path, os.R_OK | os.X_OK):
            moved[path] = f"/proc/self/fd/{fd}"

    def relocate(entry: str) -> str:
        for old, new in moved.items():
            if entry == old or entry.startswith(old + os.sep):
                return new + entry[len(old) :]
        return entry

    if not moved:
        return
    sys.path[:] = [relocate(entry) for entry in sys.path]
    for module in list(sys.modules.values()):
        paths = getattr(module, "__path__", None)
        if isinstance(paths, list):
            paths[:] = [relocate(entry) if isinstance(entry, str) else entry for entry in paths]
    sys.path_importer_cache.clear()


def _close_fds_except(keep: set[int]) -> None:
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, 1024))
    for fd in open_fds:
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


# --- sending the outcome --------------------------------------------------------------------


# Taken before the student's code runs, which may replace them in their modules.
_dumps = json.dumps
_write = os.write
_exit = os._exit
_TOO_BIG = "the returned value is too big to send back"


def _send(fd: int, document: dict[str, Any]) -> None:
    view = memoryview(_dumps(document, allow_nan=False, separators=(",", ":")).encode())
    while view:
        view = view[_write(fd, view) :]


def _where(exc: BaseException, source: str, display: str) -> str:
    """The student's own frames of ``exc``'s traceback, innermost last, at most four."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == source]
    lines = [
        f"  {display} line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames[-4:]
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


# --- the run ----------------------------------------------------------------------------------


def _numpy_array() -> Callable[[Any, str], Any] | None:
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None
    return lambda data, dtype: numpy.asarray(data, dtype=dtype)


def _prepare(config: dict[str, Any]) -> None:
    seccomp = config.get("seccomp")
    if seccomp:
        install_seccomp(bytes.fromhex(seccomp))
    else:
        _prctl(_PR_SET_NO_NEW_PRIVS, 1, "PR_SET_NO_NEW_PRIVS")
    for entry in config["sys_path"]:
        if entry not in sys.path:
            sys.path.append(entry)
    path_fds = {}
    for entry in sys.path:
        if os.path.isdir(entry):
            path_fds[entry] = os.open(entry, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    for name in config["modules"]:
        importlib.import_module(name)
    _set_limits(config["limits"])
    if config.get("uid") is not None:
        parent = os.getppid()
        _drop_privileges(int(config["uid"]), int(config["gid"]))
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, "PR_SET_PDEATHSIG")
        if os.getppid() != parent:  # the parent died before PDEATHSIG was set
            os._exit(70)
    _reachable_paths(path_fds)
    _close_fds_except({int(config["result_fd"]), *path_fds.values()})
    os.chdir(config["workdir"])
    sys.argv = [config["display_name"]]
    sys.dont_write_bytecode = True


def _run(config: dict[str, Any]) -> dict[str, Any]:
    source, display = config["source"], config["display_name"]
    memory = int(config["limits"]["memory_bytes"])
    arguments = decode_value(config["arguments"], make_array=_numpy_array())
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
            "values": encode_value(value, limit=int(config["limits"]["output_bytes"])),
        }
    except ResultTooBig:
        return {"status": "too-much-output", "message": _TOO_BIG}
    except (TypeError, ValueError, RecursionError) as exc:
        return {"status": "bad-output", "message": f"the returned value can't be sent back: {exc}"}
    except MemoryError as exc:
        return _failure(exc, source, display, memory)


def main(argv: list[str]) -> NoReturn:
    """Run the configuration read from the descriptor named in ``argv[1]``; ends the process."""
    with os.fdopen(int(argv[1]), "rb") as stream:
        config = json.loads(stream.read())
    result_fd = int(config["result_fd"])
    cap = int(config["limits"]["output_bytes"])
    _write(result_fd, b"H")  # "the harness started": the parent tells set-up failures apart
    try:
        _prepare(config)
    except BaseException as exc:
        message = f"setting up the sandbox failed: {_describe(exc)}"
        _send(result_fd, {"status": "sandbox", "message": message})
        os._exit(71)
    pid = os.getpid()
    outcome = _run(config)
    if os.getpid() != pid:  # a process the student forked came back here: it reports nothing
        os._exit(0)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        data = _dumps(outcome, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError, RecursionError, MemoryError) as exc:
        data = _dumps(
            {"status": "bad-output", "message": f"the value can't be sent: {exc}"}
        ).encode()
    if len(data) > cap:
        data = _dumps({"status": "too-much-output", "message": _TOO_BIG}).encode()
    try:
        view = memoryview(data)
        while view:
            view = view[_write(result_fd, view) :]
    except OSError:
        _exit(72)
    _exit(0)


if __name__ == "__main__":
    main(sys.argv)
