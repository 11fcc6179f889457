"""What became of a run: the child's exit, its pipes and its result document, read as a status."""

from __future__ import annotations

import json
import re
import signal
import time
from dataclasses import dataclass
from typing import Any

from .harness import decode_value
from .levels import Plan, level_name
from .limits import Limits
from .pipes import STDOUT_KEEP, Collected

__all__ = ["STATUSES", "RunResult", "result_of"]

STATUSES = ("ok", "timeout", "crashed", "error", "too-much-output", "bad-output", "refused")
"""Every ``RunResult.status``: ``error`` is the student's code raising, ``crashed`` it dying
(a signal, out of memory, leaving without a value), ``refused`` nothing run (the level
required is missing, or the sandbox could not start)."""


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


def result_of(
    plan: Plan, started: float, got: Collected, proc: Any, limits: Limits, memory: int
) -> RunResult:
    """The run's :class:`RunResult` from what was read of it (``proc`` None: it never started)."""
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


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def _looks_like_memory(text: str) -> bool:
    return bool(re.search(r"MemoryError|bad_alloc|[Cc]annot allocate memory|out of memory", text))


def _interpret(
    proc: Any, got: Collected, limits: Limits, memory: int, bwrap: bool
) -> tuple[str, Any, str]:
    """Status, values and message: a stop made here (wall clock, result cap) first, then the
    harness's document, then how the child died. The harness writes ``H`` first: without it,
    the sandbox never got as far as the harness."""
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
    """The harness's JSON document, checked to the letter: anything else is ``bad-output``."""
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
