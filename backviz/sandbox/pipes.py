"""Reading a case's pipes — stdout, stderr, the result pipe and the status pipe the template
writes when the case has ended — all at once without blocking, each kept within bounds (the
start of stdout, the end of stderr, the result up to its cap), until the case ends, overruns
its wall clock or its result cap."""

from __future__ import annotations

import os
import selectors
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["STDOUT_KEEP", "Collected", "drain", "pump"]

STDOUT_KEEP = 2048
"""Bytes of the case's stdout kept (the rest only counted)."""
_STDERR_KEEP = 4096
_STATUS_KEEP = 4096
_STATUS_SECONDS = 60.0  # the template clears a case before it tells how it ended
_AFTER_SECONDS = 0.5


@dataclass
class Collected:
    """What the case wrote, what the template said of its end, and why reading stopped."""

    stdout: bytearray = field(default_factory=bytearray)
    stdout_total: int = 0
    stderr: bytearray = field(default_factory=bytearray)
    result: bytearray = field(default_factory=bytearray)
    status: bytearray = field(default_factory=bytearray)
    ended: bool = False  # the template closed the status pipe: the case is over
    reason: str | None = None  # "timeout" | "too-much-output" | None (the case ended)


def pump(fds: dict[str, int], deadline: float, cap: int) -> Collected:
    """Read ``fds`` (stdout, stderr, result, status) until the case ends or must be stopped."""
    got = Collected()
    selector = selectors.DefaultSelector()
    for name, fd in fds.items():
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ, name)
    try:
        while not got.ended:
            left = deadline - time.monotonic()
            if left <= 0:
                got.reason = "timeout"
                return got
            for key, _ in selector.select(timeout=left):
                if _read_into(key, got, selector, cap):
                    got.reason = "too-much-output"
                    return got
    finally:
        selector.close()
    return got


def _read_into(key: selectors.SelectorKey, got: Collected, selector: Any, cap: int) -> bool:
    """Read what is there; True when the result pipe went over ``cap``."""
    try:
        chunk = os.read(key.fd, 1 << 16)
    except BlockingIOError:
        return False
    name = key.data
    if not chunk:
        selector.unregister(key.fd)
        got.ended = got.ended or name == "status"
        return False
    if name == "stdout":
        got.stdout_total += len(chunk)
        if len(got.stdout) < STDOUT_KEEP:
            got.stdout += chunk[: STDOUT_KEEP - len(got.stdout)]
    elif name == "stderr":
        got.stderr = (got.stderr + chunk)[-_STDERR_KEEP:]
    elif name == "status":
        got.status = (got.status + chunk)[:_STATUS_KEEP]
        return False
    elif len(got.result) <= cap + 1:  # + the case's "started" byte
        got.result += chunk
    return len(got.result) > cap + 1
    return False


def drain(fds: dict[str, int], got: Collected, cap: int) -> None:
    """Read what is left once the case was stopped or ended: until the template has said how
    it ended (after clearing what it left) and every other writer is gone — a daemon of the
    lowest level may hold a pipe for ever: then a moment more, not longer."""
    selector = selectors.DefaultSelector()
    for name, fd in fds.items():
        selector.register(fd, selectors.EVENT_READ, name)
    deadline = time.monotonic() + _STATUS_SECONDS
    try:
        while selector.get_map() and time.monotonic() < deadline:
            if got.ended:
                deadline = min(deadline, time.monotonic() + _AFTER_SECONDS)
            for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                if _read_into(key, got, selector, cap) and got.reason is None:
                    got.reason = "too-much-output"
                    return
    finally:
        selector.close()
