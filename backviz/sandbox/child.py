"""One case in the sandbox, as the grader sees it: its configuration and pipes handed to the
template, the wall clock kept, the case stopped when it must be, and what came back read."""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from typing import Any

from .codec import ResultTooBig, encode_value
from .limits import Limits, child_limits, memory_for
from .outcome import RunResult, refused, result_of
from .pipes import drain, pump
from .template import Template, write_all

__all__ = ["display_name", "run_case"]

_RESERVED = {"harness.py", "codec.py", "isolation.py"}


def display_name(name: str) -> str:
    """The student's file name as the case sees it (and tracebacks show it), when harmless."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}\.py", name) and name not in _RESERVED:
        return name
    return "submission.py"


def run_case(
    template: Template,
    code: bytes,
    display: str,
    function: str,
    arguments: dict[str, Any],
    limits: Limits,
) -> RunResult:
    """Run ``function(**arguments)`` of the student's file (``code``, named ``display``) as one
    case of ``template``, from handing it over to reading its outcome (the wall clock starts
    once a slot of the template is free for it)."""
    memory = memory_for(limits, template.modules)
    try:
        encoded_arguments = encode_value(arguments, tag_arrays=True)
    except (TypeError, ValueError, ResultTooBig) as exc:
        raise TypeError(f"arguments can't be sent to the sandbox: {exc}") from exc
    config = {
        "display_name": display,
        "function": function,
        "arguments": encoded_arguments,
        "limits": child_limits(limits, memory),
    }
    case = template.new_case()
    started = time.monotonic()
    ours: dict[str, int] = {}
    theirs: list[int] = []
    try:
        config_fd = os.memfd_create("backviz-case", os.MFD_CLOEXEC)
        theirs.append(config_fd)
        write_all(config_fd, json.dumps(config, allow_nan=False).encode() + b"\n" + code)
        os.lseek(config_fd, 0, os.SEEK_SET)
        for name in ("result", "stdout", "stderr", "status"):
            read_end, write_end = os.pipe2(os.O_CLOEXEC)
            ours[name] = read_end
            theirs.append(write_end)
        try:
            template.submit(case, memory, limits.disk_bytes, theirs)
        except OSError as exc:
            return refused(template.level, f"the sandbox could not be started: {exc}")
        finally:
            for fd in theirs:
                os.close(fd)
            theirs.clear()
        got = pump(ours, started + limits.wall_seconds, limits.output_bytes)
        if not got.ended:
            template.kill(case)
        drain(ours, got, limits.output_bytes)
    finally:
        for fd in [*theirs, *ours.values()]:
            with contextlib.suppress(OSError):
                os.close(fd)
        template.done(case)
    return result_of(template.plan, started, got, limits, memory)
