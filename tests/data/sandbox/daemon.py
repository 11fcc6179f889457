"""Leaves a daemon behind (double fork, new session, still holding the pipes), then returns."""

import os
import time


def spawn(close_fds=False):
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            os.write(write_end, str(os.getpid()).encode())
            if close_fds:
                os.closerange(0, 1024)
            time.sleep(120)
            os._exit(0)
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    daemon = int(os.read(read_end, 32) or b"0")
    return {"daemon": daemon}


def spawn_and_wait(daemons=3):
    """Starts daemons in sessions of their own, then waits (for the grader to be killed)."""
    for _ in range(daemons):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(60)
            os._exit(0)
        os.wait()
    time.sleep(60)
    return "not killed"
