"""Run students' functions in the sandbox, at the best level this machine offers: a
:class:`Session` for a class (one template process serving every case), or
:func:`run_function` for one run.

:func:`available_level` says what this machine provides, checked once per process by
running a probe through the real machinery (does the filter refuse every ``socket()``? is
the uid the one asked for? is the case the first process of its own pid namespace, unable
to write on the host? is the grader's package out of sight?). The layers themselves are
described in :mod:`backviz.sandbox.levels`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from . import seccomp
from .accounts import is_run_uid
from .child import display_name, run_case
from .levels import Plan, level_name, parse_level
from .limits import Limits
from .outcome import RunResult, refused
from .source import read_source
from .template import Template, TemplateError

__all__ = ["Session", "available_level", "run_function"]

_PROBE = Path(__file__).resolve().parent / "probe.py"

_PROBE_NOTES: list[str] = []
_SHARED = "/tmp"  # the folder anyone may write, where the probe tries to leave a file

_DEFAULT_LIMITS = Limits()  # frozen: one instance serves every call


# The first class of a process is probed in its own template (its modules, its slots), which
# it then keeps: one template start fewer (0.2–0.4 s) for a `backviz grade`. Keyed by what the
# template was started for; a template nobody adopts is ended by `_components`'s caller.
_WANTED: list[tuple[tuple[str, ...], int]] = []
_PARKED: dict[tuple[Plan, tuple[str, ...], int], Template] = {}


def _probe(plan: Plan) -> frozenset[str] | None:
    """The layers ``plan`` really gives here, or None when it does not run at all: probed in
    the template of the class asking (kept for it when every layer holds), else, should that
    template not start (a module that fails to import), in one of the sandbox alone."""
    modules, slots = _WANTED[-1] if _WANTED else ((), 1)
    if modules:
        parts = _probe_in(plan, modules, slots, notes=[])
        if parts is not None:
            return parts
    return _probe_in(plan, (), 1, notes=_PROBE_NOTES)


def _probe_in(
    plan: Plan, modules: tuple[str, ...], slots: int, *, notes: list[str]
) -> frozenset[str] | None:
    """The layers ``plan`` gives in a template started for ``modules`` and ``slots``; what
    failed goes to ``notes``."""
    arguments = {"hidden": str(Path(__file__).resolve().parent), "shared": _SHARED}
    try:
        template = Template(plan, modules, slots=slots)
    except (TemplateError, OSError, ValueError) as exc:  # ValueError: a module not installed
        notes.append(f"{level_name(plan.parts)}: the sandbox could not be started: {exc}")
        return None
    kept = False
    try:
        code = _PROBE.read_bytes()
        result = run_case(template, code, "probe.py", "probe", arguments, Limits(wall_seconds=15))
        parts = _verified(plan, result, notes)
        if parts == plan.parts and modules:
            _PARKED[(plan, modules, slots)] = template
            kept = True
        return parts
    finally:
        if not kept:
            template.close()


def _reached_host(made: object, shared: str) -> bool:
    """Whether the file the probe made (its path, or why it could not) is on the host: there,
    it is removed (its name is the probe's own)."""
    if not isinstance(made, str) or not made.startswith(os.path.join(shared, "backviz-probe-")):
        return False
    try:
        os.unlink(made)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # there, though not removable
    return True


def _verified(
    plan: Plan, result: RunResult, notes: list[str], shared: str = _SHARED
) -> frozenset[str] | None:
    """The layers the probe's `result` shows ``plan`` gives; what did not hold goes to
    ``notes``."""
    if result.status != "ok" or not isinstance(result.values, dict):
        notes.append(f"{level_name(plan.parts)}: {result.status}: {result.message}")
        return None
    values = result.values
    parts = {"rlimits"}
    reached = _reached_host(values.get("write"), shared)
    if (plan.ns or plan.bwrap) and values.get("pid") == 1 and not reached:
        parts.add("ns")
    if plan.bwrap and "ns" in parts and values.get("hidden") is False:
        parts.add("bwrap")
    sockets = (values.get("inet"), values.get("unix"), values.get("pair"))
    if plan.seccomp and sockets == ("EACCES", "EACCES", "ok"):
        parts.add("seccomp")
    uid = values.get("uid")
    if plan.uid and isinstance(uid, int) and is_run_uid(uid):
        parts.add("uid")
    if parts != plan.parts:
        notes.append(f"{level_name(plan.parts)}: only {level_name(parts)} verified")
    return frozenset(parts)


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
    candidates = [Plan(bwrap, True, has_filter, root)] if bwrap else []
    if root:
        candidates.append(Plan(None, True, has_filter, True))
    candidates += [Plan(None, False, has_filter, root), Plan(None, False, False, root)]
    partial: list[frozenset[str]] = []
    for plan in dict.fromkeys(candidates):
        parts = _probe(plan)
        if parts == plan.parts:
            return parts
        if parts is not None:
            partial.append(parts)
    return max(partial, key=len, default=frozenset({"rlimits"}))


def available_level() -> str:
    """What this machine can do, best first, e.g. ``"bwrap+seccomp+rlimits+uid"``."""
    return level_name(_components())


def _plan_for(parts: frozenset[str]) -> Plan:
    """The plan that gives ``parts`` (the layers the probe verified)."""
    bwrap = shutil.which("bwrap") if "bwrap" in parts else None
    has_filter = "seccomp" in parts and seccomp.program() is not None
    return Plan(bwrap, "ns" in parts or bwrap is not None, has_filter, "uid" in parts)


class Session:
    """The runs of one class: a template process started fresh for them (at the first run),
    at the best level this machine offers, serving every run; :meth:`run` may be called from
    several threads, ``parallel`` runs going at once (more wait their turn). ``require`` names
    a level (``"bwrap+seccomp"``, …): when this machine can't provide all of its layers,
    nothing runs and every result is "refused". Use it as a context manager, or
    :meth:`close` it: that ends every run still going.
    """

    def __init__(
        self,
        modules: tuple[str, ...] = ("numpy",),
        *,
        require: str | None = None,
        parallel: int = 4,
    ) -> None:
        self.modules = tuple(modules)
        self.parallel = parallel
        wanted = parse_level(require) if require is not None else frozenset()
        _WANTED.append((self.modules, parallel))
        try:
            available = _components()
        finally:
            _WANTED.pop()
        self.level = level_name(available)
        missing = wanted - available
        self._refusal = None
        if missing:
            notes = "".join(f"\n  {note}" for note in _PROBE_NOTES)
            self._refusal = (
                f"sandbox level {require!r} required, but this machine provides only "
                f"{self.level!r} (missing: {level_name(missing)}); nothing was run{notes}"
            )
        self._plan = _plan_for(available)
        self._lock = threading.Lock()
        self._template: Template | None = _PARKED.pop((self._plan, self.modules, parallel), None)
        for left in _PARKED.values():  # probed for this class, at a level it does not use
            left.close()
        _PARKED.clear()
        # Started now, from the thread that makes the session (bubblewrap dies with the thread
        # that started it, not with the process); a failure is told by each run, which retries.
        if self._refusal is None:
            with contextlib.suppress(TemplateError, OSError):
                self._started()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _started(self) -> Template:
        """The template, started (again, if it ended) now."""
        with self._lock:
            if self._template is None or not self._template.alive():
                if self._template is not None:
                    self._template.close()
                    self._template = None
                self._template = Template(self._plan, self.modules, slots=self.parallel)
            return self._template

    def run(
        self,
        source: Path,
        function: str,
        arguments: dict[str, Any],
        *,
        limits: Limits = _DEFAULT_LIMITS,
    ) -> RunResult:
        """Run ``function(**arguments)`` from the student's file ``source``.

        ``arguments`` must be JSON-like (numbers — NaN and infinities too —, strings, lists,
        dicts; numpy arrays arrive as numpy arrays when numpy is among the modules). Raises
        :class:`ValueError`/:class:`TypeError` for bad arguments from the caller and
        :class:`OSError` when ``source`` can't be read (:class:`SourceRefused`, saying why,
        for a symbolic link, anything but a regular file, or a file over 1 MiB).
        """
        if not function.isidentifier():
            raise ValueError(f"not a function name: {function!r}")
        if not isinstance(arguments, dict) or not all(isinstance(k, str) for k in arguments):
            raise TypeError("arguments must be a dict with str keys")
        if self._refusal is not None:
            return refused(self.level, self._refusal)
        code = read_source(Path(source))
        try:
            template = self._started()
        except (TemplateError, OSError) as exc:
            return refused(self.level, f"the sandbox could not be started: {exc}")
        name = display_name(Path(source).name)
        return run_case(template, code, name, function, arguments, limits)

    def close(self) -> None:
        """End the template (and any run still going)."""
        with self._lock:
            if self._template is not None:
                self._template.close()
                self._template = None


def run_function(
    source: Path,
    function: str,
    arguments: dict[str, Any],
    *,
    limits: Limits = _DEFAULT_LIMITS,
    require: str | None = None,
    modules: tuple[str, ...] = ("numpy",),
) -> RunResult:
    """Run ``function(**arguments)`` from the student's file ``source`` in the sandbox, once
    (a :class:`Session` of one run: for a class, keep one session for every run).

    ``modules`` are imported before the student's code (and made visible inside the
    sandbox). See :meth:`Session.run` for the arguments and what is raised.
    """
    with Session(modules, require=require, parallel=1) as session:
        return session.run(source, function, arguments, limits=limits)
