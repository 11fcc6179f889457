"""Work split over forked processes, for the few jobs big enough to want every core (a class
of thousands of answer sheets).

A forked child starts with the parent's memory — the exercise, its trace, the class's table —
so nothing needs sending to it; it sends back only its result, pickled through a pipe. The
parent does the first share itself. Where the system cannot fork, or one process is asked
for, everything runs in this process, in order: the results are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from .errors import BackvizError

__all__ = ["default_jobs", "map_forked", "shares"]

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The processes to use: the cores this process may run on, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def shares(n: int, jobs: int) -> list[range]:
    """range(n) cut into `jobs` contiguous shares of nearly equal size (none empty)."""
    if n <= 0:
        return []
    jobs = max(1, min(jobs, n))
    bounds = [n * k // jobs for k in range(jobs + 1)]
    return [range(bounds[k], bounds[k + 1]) for k in range(jobs)]


def map_forked(function: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """[function(item) for item in items], each item after the first in a forked child when
    `jobs` > 1. A child's exception is raised here as a BackvizError naming it; an exception
    here (Ctrl-C included) stops the children first."""
    if jobs <= 1 or len(items) <= 1 or not hasattr(os, "fork"):
        return [function(item) for item in items]
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    try:
        for item in items[1:]:
            children.append(_fork(function, item))
        results = [function(items[0])]
        while children:
            pid, reader = children.pop(0)
            results.append(_collect(pid, reader))
        return results
    finally:
        for pid, reader in children:  # an error or an interruption here: stop the rest
            _stop(pid, reader)


def _fork(function: Callable[[T], R], item: T) -> tuple[int, int]:
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanups
        status = 0
        try:
            os.close(reader)
            try:
                payload = pickle.dumps(("ok", function(item)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as error:
                status = 1
                payload = pickle.dumps(("error", f"{type(error).__name__}: {error}"))
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            status = 2
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> object:
    """The child's result; the child stopped and reaped whatever happens meanwhile."""
    try:
        with os.fdopen(reader, "rb") as pipe:
            payload = pipe.read()
    except BaseException:  # Ctrl-C while waiting: the child must not live on
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    try:
        kind, value = pickle.loads(payload)
    except Exception:
        raise BackvizError(f"a worker process died ({_status(status)})") from None
    if kind != "ok":
        raise BackvizError(f"a worker process failed: {value}")
    return value


def _stop(pid: int, reader: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        os.close(reader)


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"
