"""Reading a student's file for the sandbox: never through a symbolic link, never anything but
a regular file, never more than a cap — whatever the path turns out to be."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["MAX_SOURCE_BYTES", "SourceRefused", "read_source"]

MAX_SOURCE_BYTES = 1 << 20
"""The largest student's file read (a submission of a few functions is a few KB)."""


class SourceRefused(OSError):
    """A student's path the grader will not open: its message says why, for the student."""


def read_source(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of the student's file at ``path``, opened with ``O_NOFOLLOW`` (a symbolic link
    could lead to any file the grader may read) and ``O_NONBLOCK`` (a FIFO would wait forever).

    Raises :class:`SourceRefused` for a link, anything but a regular file, or a file over
    ``limit`` bytes; :class:`OSError` when it cannot be opened.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP and os.path.islink(path):
            raise SourceRefused(
                f"{path.name} is a symbolic link: refused (the grader never follows links in "
                "submissions; hand in the file itself)"
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceRefused(f"{path.name} is not a regular file: refused")
        if info.st_size > limit:
            raise SourceRefused(f"{path.name} has {info.st_size} bytes, more than {limit}: refused")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise SourceRefused(f"{path.name} has more than {limit} bytes: refused")
        return b"".join(chunks)
    finally:
        os.close(fd)
