"""The sandbox's self-check, run *inside* it as if it were a student's file.

:func:`backviz.sandbox.runner.available_level` runs :func:`probe` through the real
machinery once per process and believes only what comes back: the uid the code ran as,
its pid (small inside a new pid namespace), and whether an ``AF_INET`` socket was
refused with ``EACCES`` (the seccomp filter) while ``AF_UNIX`` still works.
"""

from __future__ import annotations

import errno
import os
import socket

__all__ = ["probe"]


def _try(family: int) -> str:
    try:
        if family == socket.AF_UNIX:
            left, right = socket.socketpair(socket.AF_UNIX)
            left.close()
            right.close()
        else:
            socket.socket(family, socket.SOCK_STREAM).close()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc.errno))
    return "ok"


def probe() -> dict[str, object]:
    """What code in here can do and who it is."""
    return {
        "uid": os.getuid(),
        "pid": os.getpid(),
        "inet": _try(socket.AF_INET),
        "unix": _try(socket.AF_UNIX),
    }
