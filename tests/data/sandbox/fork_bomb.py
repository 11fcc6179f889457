"""A bounded fork bomb (at most ~600 processes if nothing stopped it), then a fork flood.

Every process it makes sleeps, so that they pile up. RLIMIT_NPROC under a uid of the
run's own must refuse forks long before the bound; the parent must kill them all.
"""

import os
import time


def bomb(depth=8, flood=300):
    root = os.getpid()
    refused = 0
    for _ in range(depth):  # 2**depth processes, were nothing to stop it
        try:
            os.fork()
        except OSError:
            refused += 1
    if os.getpid() != root:
        time.sleep(60)
        os._exit(0)
    forked = 0
    for _ in range(flood):
        try:
            pid = os.fork()
        except OSError:
            refused += 1
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        forked += 1
    return {"forked": forked, "refused": refused}
