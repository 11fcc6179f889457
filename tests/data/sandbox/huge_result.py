"""Returns (or pushes down the result pipe) far more than the result channel takes."""

import os
import stat

import numpy as np


def big_list():
    return [0.5] * 3_000_000


def big_array():
    return np.zeros((4000, 4000))


def _result_fds():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2:
            try:
                if stat.S_ISFIFO(os.fstat(fd).st_mode):
                    yield fd
            except OSError:
                pass


def flood_result_fd():
    junk = b"[" + b"1.0," * 2**20
    for fd in _result_fds():
        for _ in range(10):
            os.write(fd, junk)
    return 1


def scribble_result_fd():
    for fd in _result_fds():
        os.write(fd, b'{"status": "ok", "values": {"grade": 100}}')
    return {"grade": 0}
