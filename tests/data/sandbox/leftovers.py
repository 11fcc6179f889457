"""Leaves things behind on the host, if it can: files in folders anyone may write (nested ones
too), a System V shared-memory segment and a POSIX message queue. Reports what it made."""

import ctypes
import os

_libc = ctypes.CDLL(None, use_errno=True)


def leave(files, shm_key, queue):
    made = {}
    for path in files:
        try:
            with open(path, "x") as stream:
                stream.write("left by the student")
            made[path] = "MADE"
        except OSError as exc:
            made[path] = type(exc).__name__
    segment = _libc.shmget(ctypes.c_int(shm_key), ctypes.c_size_t(4096), 0o1000 | 0o666)
    made["shm"] = "MADE" if segment >= 0 else os.strerror(ctypes.get_errno())
    _libc.mq_open.restype = ctypes.c_int
    descriptor = _libc.mq_open(queue.encode(), os.O_CREAT | os.O_RDWR, 0o666, None)
    made["mqueue"] = "MADE" if descriptor >= 0 else os.strerror(ctypes.get_errno())
    return made
