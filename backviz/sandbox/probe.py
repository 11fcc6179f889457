"""The sandbox's self-check, run *inside* it as if it were a student's file.

:func:`backviz.sandbox.runner.available_level` runs :func:`probe` through the real
machinery once per process and believes only what comes back: the uid the code ran as, its
pid (1: the first process of a pid namespace of its own), whether ``socket()`` was refused
with ``EACCES`` (the seccomp filter) for ``AF_INET`` and ``AF_UNIX`` alike while
``socketpair`` still works, whether a folder of the host (``hidden``, the grader's package)
can be seen at all, and where a file made in a folder anyone may write (``shared``) went: the
grader looks for it on the host — in a sandbox with a private ``/tmp`` of its own (bubblewrap's,
as any user), writing there is harmless; reaching the host's is not.
"""

from __future__ import annotations

import errno
import os
import socket

__all__ = ["probe"]


def _errno(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, str(exc.errno))


def _socket(family: int) -> str:
    try:
        socket.socket(family, socket.SOCK_STREAM).close()
    except OSError as exc:
        return _errno(exc)
    return "ok"


def _pair() -> str:
    try:
        left, right = socket.socketpair(socket.AF_UNIX)
    except OSError as exc:
        return _errno(exc)
    left.close()
    right.close()
    return "ok"


def _write(folder: str) -> str:
    """The path of a file made in ``folder`` (left there: the grader looks for it on the host,
    and removes it), or why none could be made."""
    path = os.path.join(folder, f"backviz-probe-{os.getpid()}-{os.urandom(8).hex()}")
    try:
        with open(path, "x"):
            pass
    except OSError as exc:
        return _errno(exc)
    return path


def probe(hidden: str, shared: str) -> dict[str, object]:
    """What code in here can do and who it is."""
    return {
        "uid": os.getuid(),
        "pid": os.getpid(),
        "inet": _socket(socket.AF_INET),
        "unix": _socket(socket.AF_UNIX),
        "pair": _pair(),
        "hidden": os.path.exists(hidden),
        "write": _write(shared),
    }
