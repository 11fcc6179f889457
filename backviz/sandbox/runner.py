"""Run one function of a student's file in the sandbox, at the best level this machine offers.

:func:`available_level` says what this machine provides, checked once per process by
running a probe through the real machinery (does the filter refuse an ``AF_INET``
socket? is the uid the one asked for? is the pid namespace there?). The layers themselves
are described in :mod:`backviz.sandbox.levels`.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path
from typing import Any

from . import seccomp
from .accounts import is_run_uid
from .child import execute
from .levels import LEVEL_PARTS, Plan, level_name, parse_level
from .limits import Limits
from .outcome import RunResult

__all__ = ["available_level", "run_function"]

_PROBE = Path(__file__).resolve().parent / "probe.py"

_PROBE_NOTES: list[str] = []

_DEFAULT_LIMITS = Limits()  # frozen: one instance serves every call


@functools.lru_cache(maxsize=1)
def _components() -> frozenset[str]:
    """The layers this machine really provides (probed once per process)."""
    root = os.geteuid() == 0
    bwrap = shutil.which("bwrap")
    has_filter = seccomp.program() is not None
    if not has_filter:
        _PROBE_NOTES.append(f"seccomp: no filter for this architecture ({os.uname().machine})")
    if not bwrap:
        _PROBE_NOTES.append("bwrap: not installed (Debian: apt-get install bubblewrap)")
    candidates = [
        Plan(bwrap, has_filter, root),
        Plan(bwrap, False, root),
        Plan(None, has_filter, root),
        Plan(None, False, root),
    ]
    tried: set[Plan] = set()
    for plan in candidates:
        if plan in tried or (plan.seccomp and not has_filter):
            continue
        tried.add(plan)
        result = execute(plan, _PROBE, "probe", {}, Limits(wall_seconds=15), (), "probe.py")
        if result.status != "ok" or not isinstance(result.values, dict):
            _PROBE_NOTES.append(f"{level_name(plan.parts)}: {result.status}: {result.message}")
            continue
        values = result.values
        parts = {"rlimits"}
        if plan.bwrap and isinstance(values.get("pid"), int) and values["pid"] < 10:
            parts.add("bwrap")
        if plan.seccomp and values.get("inet") == "EACCES" and values.get("unix") == "ok":
            parts.add("seccomp")
        uid = values.get("uid")
        if plan.uid and isinstance(uid, int) and is_run_uid(uid):
            parts.add("uid")
        if parts != plan.parts:
            _PROBE_NOTES.append(f"{level_name(plan.parts)}: only {level_name(parts)} verified")
        return frozenset(parts)
    return frozenset({"rlimits"})


def available_level() -> str:
    """What this machine can do, best first, e.g. ``"bwrap+seccomp+rlimits+uid"``."""
    return level_name(_components())


def _plan_for(parts: frozenset[str]) -> Plan:
    """The plan that gives ``parts`` (the layers the probe verified)."""
    bwrap = shutil.which("bwrap") if "bwrap" in parts else None
    return Plan(bwrap, "seccomp" in parts and seccomp.program() is not None, "uid" in parts)


def run_function(
    source: Path,
    function: str,
    arguments: dict[str, Any],
    *,
    limits: Limits = _DEFAULT_LIMITS,
    require: str | None = None,
    modules: tuple[str, ...] = ("numpy",),
) -> RunResult:
    """Run ``function(**arguments)`` from the student's file ``source`` in the sandbox.

    ``arguments`` must be JSON-like (numbers — NaN and infinities too —, strings, lists,
    dicts; numpy arrays arrive as numpy arrays when numpy is among ``modules``).
    ``modules`` are imported by the harness before the student's code (and made visible
    inside the sandbox). ``require`` names a level (``"bwrap+seccomp"``, …): when this
    machine can't provide all of its layers, nothing runs and the status is "refused".
    Raises :class:`ValueError`/:class:`TypeError` for bad arguments from the caller and
    :class:`OSError` when ``source`` can't be read (:class:`SourceRefused`, saying why, for a
    symbolic link, anything but a regular file, or a file over 1 MiB).
    """
    if not function.isidentifier():
        raise ValueError(f"not a function name: {function!r}")
    if not isinstance(arguments, dict) or not all(isinstance(k, str) for k in arguments):
        raise TypeError("arguments must be a dict with str keys")
    wanted = parse_level(require) if require is not None else frozenset()
    available = _components()
    missing = [part for part in LEVEL_PARTS if part in wanted - available]
    if missing:
        notes = "".join(f"\n  {note}" for note in _PROBE_NOTES)
        return RunResult(
            "refused",
            None,
            f"sandbox level {require!r} required, but this machine provides only "
            f"{level_name(available)!r} (missing: {'+'.join(missing)}); nothing was run{notes}",
            level_name(available),
            0.0,
            "",
        )
    return execute(_plan_for(available), Path(source), function, arguments, limits, modules, None)
