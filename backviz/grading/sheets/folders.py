"""Which files of a folder (and its subfolders, one level) are answer sheets, and whose."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .submission import Submission

__all__ = ["SHEET_SUFFIXES", "SheetEntry", "sheet_entries"]

SHEET_SUFFIXES = (".csv", ".json", ".toml", ".txt")
"""What a folder is searched for (case-insensitive)."""


SheetEntry = tuple[Path, str | None] | Submission
"""A sheet file to read and its default student, or a Submission already made (a folder
that could not be listed or holds no sheets)."""


def sheet_entries(paths: Sequence[Path]) -> list[SheetEntry]:
    """What `read_submissions` reads, in order: the files found, not yet opened (so that a
    big class's reading can be shared out)."""
    entries: list[SheetEntry] = []
    for given in paths:
        path = Path(given)
        try:
            if not path.is_dir():
                entries.append((path, None))
                continue
            found = _sheet_files(path)
        except OSError as error:
            name = path.name or str(path)
            problem = f"{name}: cannot be read: {error.strerror or error}"
            entries.append(Submission(name, str(path), {}, (problem,)))
            continue
        if not found:
            name = path.name or str(path)
            problem = f"{name}: no answer sheets (*.csv, *.toml, *.json, *.txt) in this folder"
            entries.append(Submission(name, str(path), {}, (problem,)))
        entries.extend(found)
    return entries


def _is(test: Callable[[], bool]) -> bool:
    """A folder entry's kind, False where it cannot be told (a symbolic link in a loop)."""
    try:
        return test()
    except OSError:
        return False


def _sheet_files(folder: Path) -> list[tuple[Path, str | None]]:
    """Sheet files in `folder` and its subfolders, sorted by relative path, each with the
    default student name it gets (the subfolder's name when it holds just that one sheet)."""

    def listing(directory: Path) -> tuple[list[str], list[str]]:
        """The visible sheet files' and subfolders' names (one directory read, no stat per
        file where the system reports the kind)."""
        sheets, folders = [], []
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith((".", "~$")):
                    continue
                if _is(entry.is_dir):
                    folders.append(entry.name)
                elif Path(entry.name).suffix.lower() in SHEET_SUFFIXES and _is(entry.is_file):
                    sheets.append(entry.name)
        return sheets, folders

    sheets, subfolders = listing(folder)
    found: list[tuple[str, Path, str | None]] = [(name, folder / name, None) for name in sheets]
    for subfolder in subfolders:
        inside, _ = listing(folder / subfolder)
        default = subfolder if len(inside) == 1 else None
        found.extend((f"{subfolder}/{name}", folder / subfolder / name, default) for name in inside)
    found.sort(key=lambda item: item[0])
    return [(path, default) for _, path, default in found]
