"""The isolation levels: the layers a run can have, how a level string names them, the plan.

The layers (the README's "Coding exercises"), each named in the level string a run reports:

``rlimits``
    Always. The case gets its own session, killed with SIGKILL on the wall-clock limit;
    limits on CPU time, address space, file size, open files and processes (and no POSIX
    message queue); a scrubbed environment; a throw-away folder holding only a copy of the
    student's file. Together, a case's processes are limited to its memory by a memory
    cgroup where the machine has one (v1 or v2), otherwise by a watchdog adding up their
    resident memory.
``uid``
    When the grader runs as root. The case drops for good to a uid/gid of its own, drawn at
    random for this run from a range no account uses, before any student code runs:
    ``RLIMIT_NPROC`` then applies (root ignores it, so only this stops a fork bomb), root's
    files and processes are out of reach (but not what any user may read). Without
    namespaces, every process of that uid is killed when the case ends, and what it left in
    the folders anyone may write in (nested ones too) and its System V IPC are removed; the
    template does the same for every case still running when the grader goes. Without
    namespaces, a Python installed under a folder only root may enter (pyenv under
    ``/root``) is out of the case's reach: only the modules the template loaded (the allowed
    ones, and the common standard ones it preloads) import.
``ns``
    When the grader runs as root (or under bubblewrap). Each case is the first process of
    pid, mount and IPC namespaces of its own: when it ends, every process it made ends with
    it, and its IPC objects go too; it sees its own ``/proc``; every mount of the host is
    read-only in its view, the only writable place a size-capped tmpfs of its own; Python's
    folders are reachable through a read-only tmpfs hiding the rest of a root-only folder
    above them (no root-opened descriptor is kept). The template has a network namespace
    without any interface. Implied by ``bwrap`` (and not named beside it).
``bwrap``
    Where bubblewrap works: the template runs in new pid, network, IPC, UTS and mount
    namespaces (as root not a user namespace: it would map uid 0 to 0 only, and the cases
    could not become real unprivileged uids); a root of read-only binds of ``/usr`` (and its
    ``/bin``, ``/lib`` …), a few files of ``/etc``, the Python installation with every site
    folder emptied and only the allowed distributions bound back
    (:mod:`backviz.sandbox.python_view`) — nothing else of the host (not the project, not the
    grader's data, not ``/home``, not ``/tmp``); private ``/proc`` and ``/dev``; an empty
    ``/tmp`` nobody can write; each case with the ``ns`` layer inside it. When the grader
    ends, bubblewrap's namespace goes with everything in it.
``seccomp``
    A BPF filter (:mod:`backviz.sandbox.seccomp`) refusing ``socket()`` for every address
    family (``socketpair`` still works), io_uring and new user namespaces, installed by each
    case on itself.

The reference, the answer key and the results folder are never in the child's view; the
child's only way out is a result pipe (not stdout) capped at ``Limits.output_bytes``,
read and interpreted by this process alone.

Without bubblewrap the code sees the host's file system: whatever any user may read (the
project's sources, site folders) is readable; with ``ns`` nothing of it is writable, without
it ``/tmp``, ``/var/tmp``, ``/dev/shm`` and ``/run/lock`` are, within the disk limit that a
watchdog keeps (what the run's uid left is removed afterwards). With "rlimits only" (not
root, no bubblewrap) the code runs as the grader's own user: it can read the grader's files
and signal its processes, and a daemon that starts a session of its own survives the run,
and the grader if it is killed. Linux only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LEVEL_PARTS", "Plan", "level_name", "parse_level"]

LEVEL_PARTS = ("bwrap", "ns", "seccomp", "rlimits", "uid")
"""The layers, in the order level strings name them."""


def level_name(parts: frozenset[str] | set[str]) -> str:
    """``{"bwrap", "ns", "seccomp", "rlimits", "uid"}`` → ``"bwrap+seccomp+rlimits+uid"``
    (``ns`` goes without saying beside ``bwrap``)."""
    names = [p for p in LEVEL_PARTS if p in parts and not (p == "ns" and "bwrap" in parts)]
    return "rlimits only" if names == ["rlimits"] else "+".join(names)


def parse_level(text: str) -> frozenset[str]:
    """The layers a level string names (``"bwrap+seccomp"``, ``"rlimits only"``, …; ``bwrap``
    brings ``ns`` with it)."""
    cleaned = text.strip().lower().removesuffix(" only")
    parts = frozenset(part.strip() for part in cleaned.split("+") if part.strip())
    unknown = sorted(parts - set(LEVEL_PARTS))
    if unknown or not parts:
        raise ValueError(
            f"unknown sandbox level {text!r}: name layers from {', '.join(LEVEL_PARTS)} "
            "joined by '+', e.g. 'bwrap+seccomp'"
        )
    return parts | {"ns"} if "bwrap" in parts else parts


@dataclass(frozen=True)
class Plan:
    """How to run: with bubblewrap at this path or not, each case in namespaces of its own or
    not (always with bubblewrap), with the filter or not, as another uid."""

    bwrap: str | None
    ns: bool
    seccomp: bool
    uid: bool

    @property
    def parts(self) -> frozenset[str]:
        """The layers this plan asks for (``rlimits`` always)."""
        chosen = {"rlimits"}
        chosen |= {"bwrap", "ns"} if self.bwrap else set()
        chosen |= {"ns"} if self.ns else set()
        chosen |= {"seccomp"} if self.seccomp else set()
        chosen |= {"uid"} if self.uid else set()
        return frozenset(chosen)
