"""Reading a sandboxed child's stdout, stderr and result pipe: all three at once without
blocking, each kept within bounds (the start of stdout, the end of stderr, the result up to
its cap), until the child ends, overruns its wall clock or its result cap."""

from __future__ import annotations

import os
import selectors
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["STDOUT_KEEP", "Collected", "drain", "pump"]

STDOUT_KEEP = 2048
"""Bytes of the child's stdout kept (the rest only counted)."""
_STDERR_KEEP = 4096
_DRAIN_SECONDS = 2.0


@dataclass
class Collected:
    """What the child wrote, and why reading stopped."""

    stdout: bytearray
    stdout_total: int
    stderr: bytearray
    result: bytearray
    reason: str | None  # "timeout" | "too-much-output" | None (the child ended)


def pump(proc: Any, result_fd: int, deadline: float, cap: int) -> Collected:
    """Read the child's stdout, stderr and result pipe until it ends or must be stopped."""
    got = Collected(bytearray(), 0, bytearray(), bytearray(), None)
    selector = selectors.DefaultSelector()
    names = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", result_fd: "result"}
    for fd in names:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    try:
        pidfd: int | None = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        pidfd = None
    if pidfd is not None:
        selector.register(pidfd, selectors.EVENT_READ)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                got.reason = "timeout"
                return got
            if _ended(proc.pid):
                return got
            events = selector.select(timeout=min(left, 0.05 if pidfd is None else left))
            for key, _ in events:
                if key.fd == pidfd:
                    continue  # the loop's _ended() notices
                if _read_into(key.fd, names[key.fd], got, selector, cap):
                    got.reason = "too-much-output"
                    return got
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)


def _ended(pid: int) -> bool:
    """Whether the child ended, without reaping it: while its zombie stands, its pid and
    process-group id cannot be reused, so killing the group afterwards is safe."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _read_into(fd: int, name: str, got: Collected, selector: Any, cap: int) -> bool:
    """Read what is there on ``fd``; True when the result pipe went over ``cap``."""
    try:
        chunk = os.read(fd, 1 << 16)
    except BlockingIOError:
        return False
    if not chunk:
        if selector is not None:
            selector.unregister(fd)
        return False
    if name == "stdout":
        got.stdout_total += len(chunk)
        if len(got.stdout) < STDOUT_KEEP:
            got.stdout += chunk[: STDOUT_KEEP - len(got.stdout)]
    elif name == "stderr":
        got.stderr = (got.stderr + chunk)[-_STDERR_KEEP:]
    else:
        got.result += chunk
        return len(got.result) > cap + 1  # + the harness's "started" byte
    return False


def drain(proc: Any, result_fd: int, got: Collected, cap: int) -> None:
    """Read what is left in the pipes once every writer is dead (or give up soon)."""
    selector = selectors.DefaultSelector()
    names = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", result_fd: "result"}
    for fd in names:
        selector.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + _DRAIN_SECONDS
    try:
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0.0, deadline - time.monotonic())):
                if _read_into(key.fd, names[key.fd], got, selector, cap):
                    if got.reason is None:
                        got.reason = "too-much-output"
                    return
    finally:
        selector.close()
