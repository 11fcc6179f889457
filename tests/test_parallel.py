"""Work shared over forked processes: same results as one process, failures reported."""

from __future__ import annotations

import os
import signal

import pytest

from backviz.errors import BackvizError
from backviz.parallel import default_jobs, map_forked, shares


@pytest.mark.parametrize(("n", "jobs"), [(0, 3), (1, 4), (7, 3), (10, 10), (5, 8), (100, 1)])
def test_shares_cover_everything_once_in_order(n: int, jobs: int) -> None:
    parts = shares(n, jobs)
    assert [i for part in parts for i in part] == list(range(n))
    assert all(len(part) for part in parts) and len(parts) <= max(1, jobs)
    if parts:
        assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_results_come_back_in_order_from_other_processes() -> None:
    parent = os.getpid()
    results = map_forked(lambda k: (k * k, os.getpid() != parent), list(range(5)), jobs=5)
    assert [square for square, _ in results] == [0, 1, 4, 9, 16]
    assert [elsewhere for _, elsewhere in results] == [False, True, True, True, True]
    assert map_forked(lambda k: os.getpid(), [1, 2], jobs=1) == [parent, parent]


def test_a_worker_error_is_raised_here_with_its_message() -> None:
    def work(k: int) -> int:
        if k == 2:
            raise ValueError("bad share")
        return k

    with pytest.raises(BackvizError, match="ValueError: bad share"):
        map_forked(work, [0, 1, 2, 3], jobs=4)


def test_a_killed_worker_is_reported() -> None:
    def work(k: int) -> int:
        if k == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return k

    with pytest.raises(BackvizError, match=r"died .*signal 9"):
        map_forked(work, [0, 1], jobs=2)


def test_an_error_here_stops_the_workers() -> None:
    def work(k: int) -> int:
        if k == 0:
            raise KeyboardInterrupt
        signal.pause()  # a worker that would never finish on its own
        return k

    with pytest.raises(KeyboardInterrupt):
        map_forked(work, [0, 1, 2], jobs=3)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_big_results_pass_through_the_pipe() -> None:
    results = map_forked(lambda k: bytes([k]) * 5_000_000, [1, 2, 3], jobs=3)
    assert [len(r) for r in results] == [5_000_000] * 3 and results[2][:1] == b"\x03"


def test_default_jobs_is_within_reason() -> None:
    assert 1 <= default_jobs() <= 8
