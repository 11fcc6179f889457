"""The isolation levels: the layers a run can have, how a level string names them, the plan.

The layers (the README's "Coding exercises"), each named in the level string a run reports:

``rlimits``
    Always. The child gets its own session and process group, killed with SIGKILL on
    the wall-clock limit; limits on CPU time, address space, file size, open files and
    processes; a scrubbed environment; a throw-away folder holding only a copy of the
    student's file.
``uid``
    When the grader runs as root. The harness drops for good to a uid/gid of its own,
    drawn at random for this run from a range no account uses, before any student code
    runs: ``RLIMIT_NPROC`` then applies (root ignores it, so only this stops a fork
    bomb), root's files and processes are out of reach (but not what any user may read),
    and afterwards every process of that uid is killed (``kill(-1, SIGKILL)`` from a
    helper holding the uid), daemons in a session of their own included.
``bwrap``
    Where bubblewrap works: new pid, network, IPC, UTS and mount namespaces (as root not a
    user namespace: it would map uid 0 to 0 only, and the harness could not become a real
    unprivileged uid); a root of read-only binds of ``/usr`` (and its ``/bin``, ``/lib``
    …), a few files of ``/etc``, the Python installation and the site folders of the
    allowed modules — nothing else of the host (not the project, not the grader's data,
    not ``/home``, not ``/tmp``); private ``/proc`` and ``/dev``; an empty ``/tmp`` nobody
    can write; the work folder a small tmpfs, the only writable place. When the child
    ends, the pid namespace goes with it.
``seccomp``
    A BPF filter (:mod:`backviz.sandbox.seccomp`) refusing sockets other than ``AF_UNIX``,
    io_uring and new user namespaces: loaded by bubblewrap (``--seccomp FD``) or, without
    it, installed by the harness itself.

The reference, the answer key and the results folder are never in the child's view; the
child's only way out is a result pipe (not stdout) capped at ``Limits.output_bytes``,
read and interpreted by this process alone.

Without bubblewrap the code sees the host's file system: whatever any user may read
(the project's sources included) is readable, and ``/tmp``, ``/var/tmp`` and
``/dev/shm`` are writable (what the run's uid left there is removed afterwards); keep the
grader's data in folders only root can enter. With "rlimits only" (not root, no
bubblewrap) the code runs as the grader's own user: it can read the grader's files and
signal its processes, and a daemon that starts a session of its own survives the
process-group kill. Linux only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LEVEL_PARTS", "Plan", "level_name", "parse_level"]

LEVEL_PARTS = ("bwrap", "seccomp", "rlimits", "uid")
"""The layers, in the order level strings name them."""


def level_name(parts: frozenset[str] | set[str]) -> str:
    """``{"bwrap", "seccomp", "rlimits", "uid"}`` → ``"bwrap+seccomp+rlimits+uid"``."""
    names = [part for part in LEVEL_PARTS if part in parts]
    return "rlimits only" if names == ["rlimits"] else "+".join(names)


def parse_level(text: str) -> frozenset[str]:
    """The layers a level string names (``"bwrap+seccomp"``, ``"rlimits only"``, …)."""
    cleaned = text.strip().lower().removesuffix(" only")
    parts = frozenset(part.strip() for part in cleaned.split("+") if part.strip())
    unknown = sorted(parts - set(LEVEL_PARTS))
    if unknown or not parts:
        raise ValueError(
            f"unknown sandbox level {text!r}: name layers from {', '.join(LEVEL_PARTS)} "
            "joined by '+', e.g. 'bwrap+seccomp'"
        )
    return parts


@dataclass(frozen=True)
class Plan:
    """How to run: with bubblewrap at this path or not, with the filter or not, as another uid."""

    bwrap: str | None
    seccomp: bool
    uid: bool

    @property
    def parts(self) -> frozenset[str]:
        """The layers this plan asks for (``rlimits`` always)."""
        chosen = {"rlimits"}
        chosen |= {"bwrap"} if self.bwrap else set()
        chosen |= {"seccomp"} if self.seccomp else set()
        chosen |= {"uid"} if self.uid else set()
        return frozenset(chosen)
