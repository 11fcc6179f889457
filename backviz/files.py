"""Writing output so that nothing is half written and nothing of anyone else's is lost: files
written atomically; folders of many files staged beside their targets and put in place in one
step; in each folder, the record of the files backviz wrote there — the only ones a later run
may replace or delete; and a lock, so that one run at a time writes into a folder."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import socket
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BackvizError

try:
    import fcntl
except ImportError:  # Windows: no flock; runs into one folder are not kept apart there
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LOCK",
    "LOCK_WAIT",
    "RECORD",
    "StagedFolders",
    "Written",
    "content_digest",
    "exchange",
    "folder_lock",
    "write_atomic",
]

RECORD = ".backviz-files"
"""In a folder backviz writes its files into, the record of the ones it wrote there."""
LOCK = ".backviz-lock"
"""In a folder a run writes into, the file it holds locked meanwhile (never removed)."""
LOCK_WAIT = 5.0
"""Seconds a run waits for another run's lock on its folder before refusing."""

_counter = itertools.count()
_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _working_name(kind: str, target: str = "") -> str:
    """The name of a file or folder backviz works in before putting it in place (a temporary
    file, a staging folder): recognisably its own, and its process's, so that what a run
    killed outright leaves is removed by the next (`_remove_abandoned`)."""
    name = f".backviz-{kind}-{_HOST}-{os.getpid()}-{next(_counter)}"
    return f"{name}-{target[:100]}" if target else name


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
    temporary = target.parent / _working_name("tmp", target.name)
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


# ── what a command may replace or delete ─────────────────────────────────────────────────


@dataclass(frozen=True)
class Written:
    """The files backviz wrote in `folder`, as the folder's record (`RECORD`) lists them, and
    the one rule for every command that writes a set of files into a folder: it writes a file
    where there is none or where backviz wrote the one there, and deletes only files backviz
    wrote. Anything else in the folder — a teacher's notes, a logo, a link — it never replaces
    nor deletes: it refuses instead (a BackvizError naming the file).

    The record is written before the files it lists (`claim`) and pruned after the files it no
    longer needs are deleted (`settle`), so a run stopped at any point leaves every file it
    wrote on the record, and never a file it did not write.
    """

    folder: Path
    names: frozenset[str]
    digests: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per file, when recorded, the SHA-256 of each content backviz wrote there (two while a
    run replaces it: the old and the new): a file whose content is none of them was edited
    since, and is the editor's now."""

    @classmethod
    def read(cls, folder: Path) -> Written:
        """The folder's record; none (nothing listed) when there is none or it is unreadable."""
        try:
            record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
            listed = record["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return cls(folder, frozenset())
        if not isinstance(listed, list):
            return cls(folder, frozenset())
        names = frozenset(name for name in listed if _plain(name))
        recorded = record.get("sha256") if isinstance(record, dict) else None
        digests = {
            name: tuple(d for d in hexes if isinstance(d, str))
            for name, hexes in (recorded.items() if isinstance(recorded, dict) else ())
            if name in names and isinstance(hexes, list)
        }
        return cls(folder, names, digests)

    def ours(self, name: str) -> bool:
        """Whether the file `name` here is one backviz wrote: listed, and a regular file (a
        folder or a link put in its place since is not)."""
        try:
            return name in self.names and stat.S_ISREG(os.lstat(self.folder / name).st_mode)
        except FileNotFoundError:
            return False

    def edited(self, name: str) -> bool:
        """Whether a file backviz wrote (and recorded the content of) holds other content now."""
        if name not in self.digests or not self.ours(name):
            return False
        return _digest_of(self.folder / name) not in self.digests[name]

    def holds_only_ours(self) -> bool:
        """Whether the folder holds nothing but files backviz wrote (and their record)."""
        with os.scandir(self.folder) as entries:
            return all(
                (e.name in self.names or e.name == RECORD) and e.is_file(follow_symlinks=False)
                for e in entries
            )

    def check(self, names: Iterable[str]) -> None:
        """Refuse, before anything is written, to write `names` over files backviz did not
        write, or wrote and someone edited since."""
        names = sorted(names)
        foreign = [n for n in names if os.path.lexists(self.folder / n) and not self.ours(n)]
        if foreign:
            more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
            raise BackvizError(
                f"{self.folder / foreign[0]}{more}: not written by backviz (not on its "
                f"record of what it wrote here, {self.folder / RECORD}), so never replaced; "
                "move it away or write to another folder"
            )
        edited = [name for name in names if self.edited(name)]
        if edited:
            more = f" (and {len(edited) - 1} more)" if len(edited) > 1 else ""
            raise BackvizError(
                f"{self.folder / edited[0]}{more}: edited since backviz wrote it, so never "
                "replaced; move it away (keep your changes) or write to another folder"
            )

    def claim(self, names: Iterable[str], digests: Mapping[str, str] | None = None) -> Written:
        """Before writing `names`: `check` them, then put them on the record beside those listed
        already, with `digests` (name → SHA-256 of the content about to be written) beside the
        content each holds now. Returns the record as it now is."""
        names = frozenset(names)
        self.check(names)
        recorded = dict(self.digests)
        for name, digest in (digests or {}).items():
            now = recorded.get(name, ())
            if not now and self.ours(name):  # written before contents were recorded
                now = (_digest_of(self.folder / name),)
            recorded[name] = tuple(dict.fromkeys((*now, digest)))
        claimed = Written(self.folder, self.names | names, recorded)
        if (
            claimed.names != self.names
            or recorded != dict(self.digests)
            or not (self.folder / RECORD).exists()
        ):
            _write_record(self.folder, claimed.names, recorded)
        return claimed

    def settle(self, names: Iterable[str], digests: Mapping[str, str] | None = None) -> None:
        """After writing `names` (their contents' `digests`, if recorded): delete the files of
        earlier runs the record lists beyond them (and nothing else), then record just these."""
        names = frozenset(names)
        for name in sorted(self.names - names):
            if self.ours(name):
                os.unlink(self.folder / name)
        recorded = {n: d for n, d in self.digests.items() if n in names}
        recorded.update({name: (digest,) for name, digest in (digests or {}).items()})
        _write_record(self.folder, names, recorded)


def content_digest(content: str | bytes) -> str:
    """The SHA-256 (hex) of what is written for `content` (text as UTF-8)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def _digest_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _plain(name: object) -> bool:
    """A plain file name of this folder (a record edited by hand cannot reach elsewhere)."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..", RECORD, LOCK)
        and not any(c in name for c in "/\\\0")
    )


def _write_record(
    folder: Path, names: Iterable[str], digests: Mapping[str, tuple[str, ...]] | None = None
) -> None:
    """The record: JSON, a name a line (a class's is 10,000 names: each encoded by json's C
    string encoder, as `json.dumps(indent=…)` would in pure Python, ten times slower), and the
    contents' digests where recorded."""
    names = sorted(names)
    kept = {name: list(digests[name]) for name in names if digests and digests.get(name)}
    if kept:  # a question's few files: plain json
        about = json.loads(_RECORD_TEXT.replace("NAMES", ""))["about"]
        record = {"about": about, "files": names, "sha256": kept}
        text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
    else:
        text = _RECORD_TEXT.replace("NAMES", ",\n  ".join(map(_json_string, names)))
    write_atomic(folder / RECORD, text)


_json_string = json.encoder.encode_basestring  # type: ignore[attr-defined]
_RECORD_TEXT = """{
 "about": "The files backviz wrote in this folder. A later run of backviz replaces or deletes only these; it leaves everything else here alone.",
 "files": [
  NAMES
 ]
}
"""  # noqa: E501


# ── one run at a time ─────────────────────────────────────────────────────────────────────


@contextlib.contextmanager
def folder_lock(folder: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """The block runs holding `folder`'s lock (flock on its `LOCK` file, made if need be), so
    that two runs never write into one folder at once. Another run's lock is waited for up to
    `wait` seconds, then refused with a BackvizError. The system releases a lock when its
    process ends, however it ends: a run killed outright never leaves the folder locked.
    """
    folder = Path(folder)
    made = not folder.exists()  # made for this run: gone again if the run writes nothing
    lock_made = not os.path.lexists(folder / LOCK)  # likewise the lock, if the run is refused
    fd = _lock_file(folder, wait)
    failed = False
    try:
        os.ftruncate(fd, 0)  # a run killed outright may have left its number
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)  # named to a run that waits
        try:
            _remove_abandoned(folder)
            yield
        except BaseException:
            failed = True
            raise
        finally:
            os.ftruncate(fd, 0)  # free again, and the same after every run
            if made and os.listdir(folder) == [LOCK]:  # the run stopped before writing anything
                with contextlib.suppress(OSError):  # removed while still held: see _lock_file
                    os.unlink(folder / LOCK)
                    folder.rmdir()
            elif failed and lock_made:  # a refused run leaves nothing in someone's folder
                with contextlib.suppress(OSError):
                    os.unlink(folder / LOCK)
    finally:
        os.close(fd)


def _lock_file(folder: Path, wait: float) -> int:
    """An open descriptor holding the lock on `folder`'s `LOCK` file. A run that removes the
    file it held (see folder_lock) leaves waiters locking a file no longer there; each lock
    taken is therefore checked to be on the file the path names now, else taken again."""
    deadline = time.monotonic() + wait
    while True:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except FileNotFoundError:  # the folder went between mkdir and open: make it again
            continue
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                by = f" (process {holder})" if holder.isdigit() else ""
                raise BackvizError(
                    f"{folder}: another backviz run{by} is writing here; "
                    "wait for it to finish, or choose another folder"
                )
            time.sleep(0.05)
        try:
            if os.fstat(fd).st_ino == os.stat(folder / LOCK).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # locked a removed file: the lock that counts is on the new one


def _try_lock(fd: int) -> bool:
    """Take the lock if no other run holds it; True where the system cannot lock at all."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            return True  # a file system without locks: runs there are not kept apart
        raise
    return True


def _remove_abandoned(folder: Path) -> None:
    """Temporary files and staging folders left by runs killed outright: this process's own
    earlier ones, and those of processes of this machine that are gone (another machine's, on
    a shared disk, are left alone)."""
    for entry in folder.glob(f".backviz-*-{_HOST}-*"):
        kind, _, rest = entry.name[len(".backviz-") :].partition(f"-{_HOST}-")
        pid = rest.split("-", 1)[0]
        if kind not in ("tmp", "staging") or not pid.isdigit():
            continue
        if int(pid) == os.getpid() or not _alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


# ── folders put in place whole ────────────────────────────────────────────────────────────


class StagedFolders:
    """Folders of many files (a class's feedback/, results/ …) written beside their targets
    and put in place when all are written, so an interrupted run leaves the old folders whole.

    On leaving the `with` block normally, each staged folder, with its record of what it
    holds, replaces its target in one step (an atomic exchange where the system has one) —
    but only a target holding nothing except files backviz wrote (`Written`). Into any other
    target (a file of the user's in it, a symbolic link to elsewhere) the new files are moved
    one by one instead, each atomically, the files of earlier runs no longer needed are
    deleted, and the rest left alone; when a new file would replace one backviz did not
    write, nothing is put in place anywhere (BackvizError). On an error nothing is put in
    place and the staging folder is removed. Forked workers may write into the staging
    folder too (`write` only creates files).
    """

    def __init__(self, parent: Path, folders: Iterable[str]) -> None:
        self.parent = Path(parent)
        self.folders = tuple(folders)
        self.staging = self.parent / _working_name("staging")
        self._root = str(self.staging)

    def __enter__(self) -> StagedFolders:
        self.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(self.parent)
        for folder in self.folders:
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
                # every target checked before any is touched: a refusal changes nothing
                moves = [self._plan(folder) for folder in self.folders]
                for move in moves:
                    move()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _plan(self, folder: str) -> Callable[[], None]:
        """How the staged `folder` will be put in place, its target checked."""
        new, target = self.staging / folder, self.parent / folder
        names = os.listdir(new)
        _write_record(new, names)  # the folder carries its record wherever it goes
        if not os.path.lexists(target):
            return lambda: os.rename(new, target)
        if not target.is_dir():
            raise FileExistsError(errno.EEXIST, "exists and is not a folder", str(target))
        written = Written.read(target)
        if not target.is_symlink() and written.holds_only_ours():
            return lambda: _swap(new, target)
        written.check(names)
        return lambda: _move_in(new, written, names)


def _swap(new: Path, target: Path) -> None:
    """`new` becomes `target` in one step; the old folder then lies at `new`, to be removed."""
    try:
        exchange(new, target)
    except OSError:  # no atomic exchange here: two renames, a moment apart
        old = new.with_name(new.name + ".old")
        os.rename(target, old)
        try:
            os.rename(new, target)
        except BaseException:
            os.rename(old, target)  # the previous folder back in its place
            raise


def _move_in(new: Path, written: Written, names: list[str]) -> None:
    """The files of `new` moved into a target that holds files of others, one by one."""
    claimed = written.claim(names)
    for name in names:
        os.replace(new / name, written.folder / name)
    claimed.settle(names)


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
