"""A uid of its own for each sandboxed run (when the grader runs as root), from a range no
account uses; none owning a live process when the class's runs began."""

from __future__ import annotations

import random
import threading

from .isolation import processes

__all__ = ["UID_RANGE", "Accounts", "is_run_uid"]

UID_RANGE = (1_900_000_000, 1_950_000_000)
"""Far from accounts (< 65536) and from subuid ranges (100000 + 65536·n)."""


def is_run_uid(uid: int) -> bool:
    """Whether `uid` is from the range runs are given."""
    return UID_RANGE[0] <= uid < UID_RANGE[1]


class Accounts:
    """The uids of one class's runs: each used once, none busy when the class began."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken = {uid for uid, *_ in processes() if is_run_uid(uid)}

    def take(self) -> int:
        """A uid no process of the machine held when the class began, and no run used."""
        with self._lock:
            while True:
                uid = random.randrange(*UID_RANGE)
                if uid not in self._taken:
                    self._taken.add(uid)
                    return uid
