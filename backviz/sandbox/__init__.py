"""The sandbox for students' code: run one function of a student's file, safely.

>>> from backviz.sandbox import Session, run_function
>>> with Session(("numpy",)) as session:  # a class: one template, started fresh  # doctest: +SKIP
...     result = session.run(Path("student.py"), "forward", {"x": [0.1, 0.2]})
>>> result.status, result.values, result.level  # doctest: +SKIP
('ok', [0.59, 0.6], 'bwrap+seccomp+rlimits+uid')

The student's code never runs in the grader: a template process, started fresh for the class,
imports the allowed modules once and makes a process of its own for every run, which isolates
itself before the student's file is loaded; the value comes back as JSON over a size-capped
pipe of its own (never parsed from what it prints). The isolation is layered — resource limits
always (memory for all the run's processes together), an unprivileged uid of its own and
namespaces of its own when the grader is root, bubblewrap's view of the file system and a
seccomp filter against sockets where the machine allows — and every :class:`RunResult` names
the level it got. Grading the numbers is not done here: callers compare ``RunResult.values``
with the reference. See :mod:`backviz.sandbox.levels` for the layers in detail.
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
