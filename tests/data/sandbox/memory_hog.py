"""Asks for far more memory than allowed: all at once, or a little at a time."""


def at_once():
    block = bytearray(64 * 2**30)
    return len(block)


def slowly():
    blocks = []
    while True:
        blocks.append(bytearray(32 * 2**20))
        blocks[-1][::4096] = b"x" * len(range(0, len(blocks[-1]), 4096))


def across_forks(children, each_mib):
    """Many small allocations across forked processes, each far below the address-space
    limit, together far above the run's memory: how many MiB were held at once, when asked."""
    import os
    import select
    import time

    read_end, write_end = os.pipe()
    pids = []
    for _ in range(children):
        pid = os.fork()
        if pid == 0:
            blocks = []
            for _ in range(each_mib // 16):
                block = bytearray(16 * 2**20)
                block[::4096] = b"x" * len(range(0, len(block), 4096))
                blocks.append(block)
                time.sleep(0.01)
            os.write(write_end, b"+")
            time.sleep(60)
            os._exit(0)
        pids.append(pid)
    os.close(write_end)
    done, gone, deadline = 0, set(), time.monotonic() + 30
    while done + len(gone) < children and time.monotonic() < deadline:
        if select.select([read_end], [], [], 0.1)[0]:
            done += len(os.read(read_end, 64))
        for pid in set(pids) - gone:
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    gone.add(pid)  # killed: it held its share only for a moment
            except ChildProcessError:
                gone.add(pid)
    return {"held_mib": done * each_mib}
