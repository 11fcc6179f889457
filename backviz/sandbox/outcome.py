"""What became of a run: the child's exit, its pipes and its result document, read as a status."""

from __future__ import annotations

import json
import re
import signal
import time
from dataclasses import dataclass
from typing import Any

from .codec import decode_value
from .levels import Plan, level_name
from .limits import Limits
from .pipes import STDOUT_KEEP, Collected

__all__ = ["STATUSES", "RunResult", "refused", "result_of"]

STATUSES = ("ok", "timeout", "crashed", "error", "too-much-output", "bad-output", "refused")
"""Every ``RunResult.status``: ``error`` is the student's code raising, ``crashed`` it dying
(a signal, out of memory, leaving without a value), ``refused`` nothing run (the level
required is missing, or the sandbox could not start)."""


@dataclass(frozen=True)
class RunResult:
    """What became of one run; ``values`` only when ``status == "ok"`` (see :data:`STATUSES`).

    ``level`` is the isolation used (e.g. ``"bwrap+seccomp+rlimits+uid"``), ``stdout``
    the first 2 KB the code printed (shown to people, never parsed), ``message`` for
    people: the exception and the student's lines, or why the run was stopped; ``stderr``
    the last 4 KB the code wrote to stderr — where it was when it stopped (a notebook's
    module says there which cell it runs).
    """

    status: str
    values: Any | None
    message: str
    level: str
    seconds: float
    stdout: str
    stderr: str = ""


def result_of(plan: Plan, started: float, got: Collected, limits: Limits, memory: int) -> RunResult:
    """The run's :class:`RunResult` from what was read of it."""
    status, values, message = _interpret(got, limits, memory)
    if status == "ok" and got.stdout_total > STDOUT_KEEP:
        message = f"printed {got.stdout_total} bytes; only the first {STDOUT_KEEP} are kept"
    return RunResult(
        status,
        values,
        message,
        level_name(plan.parts),
        round(time.monotonic() - started, 3),
        bytes(got.stdout).decode("utf-8", errors="replace"),
        bytes(got.stderr).decode("utf-8", errors="replace"),
    )


def refused(level: str, message: str) -> RunResult:
    """A run that did not happen (the level required is missing, the sandbox cannot start)."""
    return RunResult("refused", None, message, level, 0.0, "")


def _end_of(got: Collected) -> dict[str, Any]:
    """What the template said of the case's end: exit or signal, OOM kills, why it stopped it."""
    try:
        end = json.loads(bytes(got.status).decode("utf-8")) if got.status else {}
    except (ValueError, UnicodeDecodeError):
        end = {}
    return end if isinstance(end, dict) else {}


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def _looks_like_memory(text: str) -> bool:
    return bool(re.search(r"MemoryError|bad_alloc|[Cc]annot allocate memory|out of memory", text))


def _interpret(got: Collected, limits: Limits, memory: int) -> tuple[str, Any, str]:
    """Status, values and message: a stop made here (wall clock, result cap) first, then the
    template's own stops (memory, disk), then the case's document, then how it ended. A case
    writes ``H`` first: without it, the sandbox never got as far as starting it."""
    stderr = bytes(got.stderr).decode("utf-8", errors="replace").strip()
    tail = stderr[-600:]
    end = _end_of(got)
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
    stopped = str(end.get("stopped") or "")
    if stopped.startswith("memory:"):
        return "crashed", None, _memory_message(memory, "a watchdog counting them stopped it")
    if stopped.startswith("disk:"):
        return (
            "crashed",
            None,
            f"wrote more than {_mib(limits.disk_bytes)} to disk; stopped (the disk limit)",
        )
    data = bytes(got.result)
    if not data.startswith(b"H"):
        why = str(end.get("error") or tail or "")
        return "refused", None, "the sandbox could not be started" + (f": {why}" if why else "")
    document = data[1:]
    if document:
        return _read_document(document, memory)
    if end.get("oom"):
        return "crashed", None, _memory_message(memory, "its memory group's limit")
    number = end.get("signal") if isinstance(end.get("signal"), int) else None
    code = end.get("exit")
    # RLIMIT_CPU ends a case with SIGKILL (a pid namespace's first process ignores SIGXCPU);
    # the CPU time it used says so, though tick-based accounting may count a little less.
    cpu = end.get("cpu") if isinstance(end.get("cpu"), (int, float)) else 0.0
    if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu >= 0.9 * limits.cpu_seconds):
        return "timeout", None, f"stopped by the CPU-time limit of {limits.cpu_seconds} s"
    if number is not None:
        message = f"killed by {_signal_name(number)} before returning a result"
        if number == signal.SIGKILL or _looks_like_memory(stderr):
            message += f" (out of memory? the address-space limit is {_gib(memory)})"
    else:
        message = f"ended (exit code {code}) without returning a result"
        if _looks_like_memory(stderr):
            message += f": ran out of memory (the address-space limit is {_gib(memory)})"
    return "crashed", None, message + (f"\n{tail}" if tail else "")


def _memory_message(memory: int, how: str) -> str:
    return (
        f"out of memory: its processes together held more than {_gib(memory)} "
        f"(the run's memory limit; {how})"
    )


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


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
