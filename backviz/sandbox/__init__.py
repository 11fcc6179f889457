"""The sandbox for students' code: run one function of a student's file, safely.

>>> from backviz.sandbox import run_function, available_level
>>> result = run_function(Path("student.py"), "forward", {"x": [0.1, 0.2]})  # doctest: +SKIP
>>> result.status, result.values, result.level  # doctest: +SKIP
('ok', [0.59, 0.6], 'bwrap+seccomp+rlimits+uid')

The student's code runs in a child process, never in the grader's; its value comes back
as JSON over a size-capped pipe of its own (never parsed from what it prints). The
isolation is layered — resource limits always, an unprivileged uid of its own when the
grader is root, bubblewrap namespaces and a seccomp filter against the network where the
machine allows — and every :class:`RunResult` names the level it got. Grading the
numbers is not done here: callers compare ``RunResult.values`` with the reference.
See :mod:`backviz.sandbox.levels` for the layers in detail.
"""

from .levels import LEVEL_PARTS, parse_level
from .limits import Limits
from .outcome import STATUSES, RunResult
from .runner import Session, available_level, run_function
from .source import SourceRefused, read_source

__all__ = [
    "LEVEL_PARTS",
    "STATUSES",
    "Limits",
    "RunResult",
    "Session",
    "SourceRefused",
    "available_level",
    "parse_level",
    "read_source",
    "run_function",
]
