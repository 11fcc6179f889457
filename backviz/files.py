"""Writing output files atomically: a temporary file beside the target, then a rename; and
whole folders of files staged beside their targets, then put in place in one step."""

from __future__ import annotations

import ctypes
import errno
import functools
import itertools
import os
import re
import shutil
import socket
import sys
from pathlib import Path

__all__ = ["StagedFolders", "exchange", "write_atomic"]

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


class StagedFolders:
    """Folders of many files (a class's feedback/, results/ …) written beside their targets
    and put in place when all are written, so an interrupted run leaves the old folders whole.

    On leaving the `with` block normally, each staged folder replaces its target in one step
    (an atomic exchange where the system has one) — but only a target holding nothing except
    files `replaceable` names (what an earlier run wrote there). Any other target (a file of
    the user's in it, a subfolder, a symbolic link to elsewhere) is never replaced: the new
    files are moved into it one by one instead, each atomically, and the rest left alone. On
    an error nothing is put in place and the staging folder is removed. Forked workers may
    write into the staging folder too (`write` only creates files).
    """

    def __init__(
        self, parent: Path, suffixes: dict[str, str], replaceable: frozenset[str] = frozenset()
    ) -> None:
        """`suffixes`: each folder's name and the suffix of the files written into it;
        `replaceable`: the names (without suffix) of files an earlier run wrote."""
        self.parent = Path(parent)
        self.suffixes = suffixes
        self.replaceable = replaceable
        self.staging = self.parent / f".backviz-staging-{_HOST}-{os.getpid()}-{next(_counter)}"
        self._root = str(self.staging)

    def __enter__(self) -> StagedFolders:
        self.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(self.parent)
        for folder in self.suffixes:
            (self.staging / folder).mkdir(parents=True)
        return self

    def write(self, folder: str, name: str, content: str | bytes) -> None:
        """Write `content` as `name` in the staged `folder`."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        fd = os.open(f"{self._root}/{folder}/{name}", _CREATE, 0o644)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)

    def __exit__(self, kind: type | None, error: BaseException | None, _tb: object) -> None:
        try:
            if error is None:
                for folder, suffix in self.suffixes.items():
                    names = {name + suffix for name in self.replaceable}
                    _put_in_place(self.staging / folder, self.parent / folder, names)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)


_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _remove_abandoned(parent: Path) -> None:
    """Staging folders left by runs stopped while cleaning up or killed outright: this
    process's own earlier ones, and those of processes of this machine that are gone (another
    machine's, on a shared disk, are left alone)."""
    for entry in parent.glob(f".backviz-staging-{_HOST}-*-*"):
        pid = entry.name.rsplit("-", 2)[1]
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _put_in_place(new: Path, target: Path, replaceable: set[str]) -> None:
    """`new` becomes `target`: renamed when there is none, exchanged with one that holds only
    `replaceable` files (the old one then lies at `new`, to be removed), else moved in file
    by file."""
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if not target.is_symlink() and target.is_dir() and _only(target, replaceable):
        try:
            exchange(new, target)
            return
        except OSError:  # no atomic exchange here: two renames, a moment apart
            old = new.with_name(new.name + ".old")
            os.rename(target, old)
            try:
                os.rename(new, target)
            except BaseException:
                os.rename(old, target)  # the previous folder back in its place
                raise
            return
    if not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    for entry in os.scandir(new):
        os.replace(entry.path, target / entry.name)


def _only(folder: Path, names: set[str]) -> bool:
    """Whether `folder` holds nothing but regular files with these names."""
    with os.scandir(folder) as entries:
        return all(e.name in names and e.is_file(follow_symlinks=False) for e in entries)


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); OSError where the
    system or file system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None) if sys.platform == "linux" else None
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "no renameat2")
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
