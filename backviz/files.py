"""Writing output files atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

__all__ = ["write_atomic"]

_counter = itertools.count()


def write_atomic(path: str | Path, content: str | bytes, *, durable: bool = False) -> None:
    """Write `content` to `path` so that readers see the old file or the new one, never half.

    An interrupted run leaves the previous file whole: the data goes to a temporary file in
    the same folder (named from this process and a counter, so writers never collide) and
    replaces the target in one rename. `durable` also flushes it to disk first (fsync), for
    files that must survive a power cut rather than an interrupted run.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    temporary = target.parent / f".{target.name}.{os.getpid()}.{next(_counter)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (a write may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
