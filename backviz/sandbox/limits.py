"""The resource limits of one run, and the form in which the harness is told to set them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TORCH_MEMORY", "Limits", "child_limits", "memory_for"]

TORCH_MEMORY = 2 * 2**30
"""The least address space a run gets when it imports torch."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run (per process, except the wall clock, the pipe cap, the disk
    and — where a memory cgroup or the watchdog keeps it — the memory, which are the run's)."""

    wall_seconds: float = 20.0
    cpu_seconds: int = 15
    memory_bytes: int = 3 * 2**30  # address space; raised to 2 GiB when torch is imported
    file_bytes: int = 8 * 2**20
    open_files: int = 64
    processes: int = 64  # RLIMIT_NPROC: effective only for a non-root uid
    output_bytes: int = 4 * 2**20  # the result pipe is capped at this
    disk_bytes: int = 64 * 2**20  # all the run may write (its tmpfs, or the watchdog's count)


def memory_for(limits: Limits, modules: tuple[str, ...]) -> int:
    """The address-space limit of a run importing ``modules``: at least :data:`TORCH_MEMORY`
    when torch is among them."""
    memory = limits.memory_bytes
    if any(name.partition(".")[0] == "torch" for name in modules):
        memory = max(memory, TORCH_MEMORY)
    return memory


def child_limits(limits: Limits, memory: int) -> dict[str, int]:
    """The limits as the harness's configuration gives them: it sets the rlimits on itself
    before any student code runs, and encodes the result within ``output_bytes``.

    The wall clock is not among them: this process keeps it, and kills the child's session.
    """
    return {
        "cpu_seconds": limits.cpu_seconds,
        "memory_bytes": memory,
        "file_bytes": limits.file_bytes,
        "open_files": limits.open_files,
        "processes": limits.processes,
        "output_bytes": limits.output_bytes,
    }
