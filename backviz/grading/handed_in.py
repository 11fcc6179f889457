"""What a class hands in: the paths the teacher names and what their folders hold, for answer
sheets and code alike, with the one rule for links.

Follow only what the teacher names. A file or folder named on the command line is read where
a link leads; inside a folder, only real files and real subfolders are read. A symbolic link
found there (to a file or to a folder), a FIFO, a device or a socket is never opened: it is
handed on as refused, with the reason, so its student still appears (0 marks, the reason in
their feedback) and nothing is read that could hang or lead out of the folder. Students'
files are opened with O_NOFOLLOW, so one swapped for a link after it was listed is refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from ..errors import BackvizError
from .problem_text import problem_text

__all__ = ["LINK", "MAX_BYTES", "Handed", "handed_in", "read_handed"]

MAX_BYTES = 5 * 1024 * 1024
"""Students' files larger than this (5 MB) are reported, not read: no answer is that long."""

LINK = problem_text("link", "en")
_SKIPPED = ("__pycache__",)
"""Folders a class folder may hold that are no student's (besides hidden ones)."""


class Handed(NamedTuple):
    """One thing handed in: whose it is by default, where, and whether it may be read."""

    student: str
    """The file's stem, or the name of the subfolder it is alone in."""
    path: Path
    refused: str = ""
    """Why it is not read, as the student's problem line ("s01.csv: a FIFO …"); "" if read."""
    named: bool = True
    """Named on the command line: a link there is followed. Found in a folder: never."""
    note: str = ""
    """What the student's feedback says of how it was picked (which of several files was
    graded, which were left out); "" if nothing."""


def handed_in(
    paths: Sequence[Path],
    *,
    suffixes: tuple[str, ...],
    what: str,
    one_each: bool,
    lang: str = "en",
) -> list[Handed]:
    """Everything handed in under `paths`, in order, each folder's finds sorted by their path.

    A named file is handed on as it is. A named folder gives its files whose names end in
    `suffixes` (case-insensitive) and its subfolders, one level down: a subfolder holding one
    such file (or, with `one_each`, the first that may be read, its `note` naming it and the
    files left out, for the student's feedback) names its student; one holding none is refused
    ("no {what} in this folder"), as is anything that is no real file or folder (a link, a
    FIFO, a device, a socket) and stands where one would be read. Hidden and `~$` lock files
    are left out. A named folder that holds nothing to grade, or cannot be listed, is the
    teacher's mistake, not a student's: BackvizError. `what` is a kind of file of
    `problem_text` ("sheets", "code"); the reasons are in `lang`, the error in English.
    """
    found: list[Handed] = []
    for given in map(Path, paths):
        if not _is_folder(given):
            found.append(Handed(given.stem or str(given), given))
            continue
        try:
            inside = _folder(given, suffixes, what, one_each, lang)
        except OSError as error:
            raise BackvizError(f"{given}: cannot be read: {error.strerror or error}") from None
        if not inside:
            kind = problem_text(f"what_{what}", "en")
            raise BackvizError(f"{given}: no {kind} in this folder, nor in its subfolders")
        found += inside
    return found


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False  # missing or unreachable: the reader says so, as the student's problem


def _folder(
    folder: Path, suffixes: tuple[str, ...], what: str, one_each: bool, lang: str
) -> list[Handed]:
    """A named folder's finds, sorted by their path inside it."""
    files, subfolders = _listing(folder, suffixes, top=True, lang=lang)
    found = [(name, Handed(_stem(name), folder / name, why, False)) for name, why in files]
    for sub, why in subfolders:
        path = folder / sub
        if not why:
            try:
                inside, _ = _listing(path, suffixes, top=False, lang=lang)
            except OSError as error:
                reason = problem_text("cannot_read", lang, error=error.strerror or error)
                why = f"{sub}: {reason}"
            else:
                kind = problem_text(f"what_{what}", lang)
                why = "" if inside else f"{sub}: {problem_text('folder_without', lang, what=kind)}"
        if why:
            found.append((sub, Handed(sub, path, why, False)))
            continue
        note = ""
        if one_each and len(inside) > 1:  # one graded, and the feedback says which, and why
            picked = next((item for item in inside if not item[1]), inside[0])
            left = [name for name, _ in inside if name != picked[0]]
            note = problem_text(
                "several_files",
                lang,
                folder=sub,
                count=len(inside),
                what=problem_text(f"what_{what}", lang),
                graded=picked[0],
                left=", ".join(left),
            )
            inside = [picked]
        for name, why in inside:
            student = sub if len(inside) == 1 else _stem(name)
            found.append((f"{sub}/{name}", Handed(student, path / name, why, False, note)))
    found.sort(key=lambda item: item[0])
    return [handed for _, handed in found]


Listing = list[tuple[str, str]]
"""Names in a folder, sorted, each with why it is refused ("" when it is read)."""


def _listing(
    folder: Path, suffixes: tuple[str, ...], *, top: bool, lang: str = "en"
) -> tuple[Listing, Listing]:
    """A folder's files and, at the top, its subfolders (a link to a folder among them,
    refused). A file counts when its name ends in one of `suffixes`, or when it is a FIFO, a
    device or a socket, or a link to one: those are never skipped silently. One directory
    read, and no stat per entry where the system reports its kind."""
    link = problem_text("link", lang)
    files: Listing = []
    folders: Listing = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith((".", "~$")) or name in _SKIPPED:
                continue
            wanted = _split(name)[1].lower() in suffixes
            if entry.is_dir(follow_symlinks=False):
                if top:
                    folders.append((name, ""))
            elif entry.is_file(follow_symlinks=False):
                if wanted:
                    files.append((name, ""))
            elif entry.is_symlink():
                target = _mode(entry, follow=True)
                if top and target is not None and stat.S_ISDIR(target):
                    folders.append((name, f"{name}: {link}"))
                elif wanted or (target is not None and not stat.S_ISREG(target)):
                    files.append((name, f"{name}: {link}"))
            elif (mode := _mode(entry, follow=False)) is not None:
                files.append((name, f"{name}: {_not_a_file(mode, lang)}"))
    return sorted(files), sorted(folders)


def _split(name: str) -> tuple[str, str]:
    """A file name's stem and suffix, as `Path.stem` and `Path.suffix` make them, without
    making a Path of each of a class's thousands of names."""
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")


def _stem(name: str) -> str:
    return _split(name)[0]


def _mode(entry: os.DirEntry[str], *, follow: bool) -> int | None:
    """The entry's kind (of what a link leads to, with `follow`: looked at, never opened);
    None when there is none to tell (gone since, a loop, out of reach)."""
    try:
        return entry.stat(follow_symlinks=follow).st_mode
    except OSError:
        return None


def _kind(mode: int) -> str:
    """The problem key of what a non-file is."""
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "not_regular"


def _not_a_file(mode: int, lang: str) -> str:
    return problem_text("not_a_file", lang, kind=problem_text(_kind(mode), lang))


def read_handed(
    path: str | Path, *, follow: bool, what: str, limit: int = MAX_BYTES, lang: str = "en"
) -> tuple[bytes | None, str]:
    """A student's file's bytes, or None and why not (in `lang`): missing, a folder, a link
    not to be followed (`follow` False), a FIFO or device (never opened, so never a hang),
    larger than `limit` bytes (`what`, a kind of file of `problem_text`, names such files in
    the message: "sheet_files" is "answer sheets")."""
    try:
        status = os.stat(path, follow_symlinks=follow)  # says "a folder" even of one not readable
        if stat.S_ISDIR(status.st_mode):
            return None, problem_text("folder", lang)
        if stat.S_ISLNK(status.st_mode):
            return None, problem_text("link", lang)
        if not stat.S_ISREG(status.st_mode):
            return None, _not_a_file(status.st_mode, lang)
        if status.st_size > limit:
            return None, _too_large(status.st_size, what, lang, limit)
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags if follow else flags | os.O_NOFOLLOW)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since: a FIFO would block
                return None, problem_text("not_regular", lang)
            raw = _read_up_to(fd, limit + 1)  # bounded even if the file grows meanwhile
        finally:
            os.close(fd)
    except FileNotFoundError:
        return None, problem_text("no_such_file", lang)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow:  # swapped for a link since it was listed
            return None, problem_text("link", lang)
        return None, problem_text("cannot_read", lang, error=error.strerror or error)
    if len(raw) > limit:
        return None, _too_large(len(raw), what, lang, limit)
    return raw, ""


def _read_up_to(fd: int, limit: int) -> bytes:
    """At most `limit` bytes of an open file, to its end."""
    chunks, size = [], 0
    while size < limit and (chunk := os.read(fd, min(limit - size, 1 << 20))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_large(size: int, what: str, lang: str, limit: int = MAX_BYTES) -> str:
    kind = problem_text(f"what_{what}", lang)
    return problem_text("too_large", lang, size=size / 1e6, what=kind, limit=limit >> 20)
