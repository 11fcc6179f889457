"""The memory groups of a class's runs: a cgroup folder (v1 or v2) made under the grader's own
memory cgroup, in which the template makes one group per case, limited to the run's memory —
so that the processes of a case are limited together, not each on its own (``RLIMIT_AS``)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from dataclasses import dataclass

from .isolation import make_group, remove_group

__all__ = ["MemoryFolder", "class_folder", "remove_folder"]

_PREFIX = "backviz-"
_STALE_SECONDS = 60.0


@dataclass(frozen=True)
class MemoryFolder:
    """A class's folder of memory groups: its path on the host and the cgroup version."""

    path: str
    version: int


def _own_memory_cgroup() -> tuple[str, int] | None:
    """The folder of this process's memory cgroup, and the version of its hierarchy."""
    try:
        with open("/proc/self/cgroup") as stream:
            lines = [line.rstrip("\n").split(":", 2) for line in stream]
        with open("/proc/self/mountinfo") as stream:
            mounts = [line.split() for line in stream]
    except OSError:
        return None
    for _, controllers, path in (line for line in lines if len(line) == 3):
        version = 2 if controllers == "" else 1
        if version == 1 and "memory" not in controllers.split(","):
            continue
        for fields in mounts:
            separator = fields.index("-")
            kind, options = fields[separator + 1], fields[-1]
            if version == 1 and not (kind == "cgroup" and "memory" in options.split(",")):
                continue
            if version == 2 and kind != "cgroup2":
                continue
            root, point = fields[3], fields[4]
            relative = path[len(root) :] if root != "/" and path.startswith(root) else path
            folder = point + relative.rstrip("/")
            if version == 2 and not _has_memory(folder):
                continue
            return folder, version
    return None


def _has_memory(folder: str) -> bool:
    try:
        with open(os.path.join(folder, "cgroup.controllers")) as stream:
            return "memory" in stream.read().split()
    except OSError:
        return False


def _remove_stale(parent: str) -> None:
    """Folders left by graders that were killed: no process in any of their groups, and made
    over a minute ago (a class's slots live in its folder from its first moments to its end)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not re.fullmatch(_PREFIX + r"\d+-[0-9a-f]+", entry.name):
                continue
            with contextlib.suppress(OSError):
                if time.time() - entry.stat().st_mtime < _STALE_SECONDS:
                    continue
                groups = [g.path for g in os.scandir(entry.path) if g.is_dir()]
                if any(_has_processes(group) for group in [*groups, entry.path]):
                    continue
                for group in groups:
                    os.rmdir(group)
                os.rmdir(entry.path)


def _has_processes(group: str) -> bool:
    with open(os.path.join(group, "cgroup.procs")) as stream:
        return bool(stream.read().strip())


def class_folder() -> MemoryFolder | None:
    """A new folder for one class's memory groups, checked by making one; None where this
    machine gives none (no memory controller, v2 without it delegated to this cgroup, no
    permission): the template's watchdog then adds up the run's resident memory instead."""
    own = _own_memory_cgroup()
    if own is None:
        return None
    parent, version = own
    _remove_stale(parent)
    path = os.path.join(parent, f"{_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.mkdir(path, 0o755)
    except OSError:
        return None
    folder = MemoryFolder(path, version)
    try:
        if version == 2:
            with open(os.path.join(path, "cgroup.subtree_control"), "w") as stream:
                stream.write("+memory")
        remove_group(make_group(path, "check", 2**30, version))
    except OSError:
        remove_folder(folder)
        return None
    return folder


def remove_folder(folder: MemoryFolder) -> None:
    """Remove the class's folder and any case group left in it (each empty by now)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder.path):
            if entry.is_dir(follow_symlinks=False):
                remove_group(entry.path)
    remove_group(folder.path)
