"""Typed errors that carry what a person needs to fix their input."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BackvizError", "DependencyError", "ExerciseError", "NameError_"]


class BackvizError(Exception):
    """Base class: every error backviz raises on purpose; the CLI prints its message."""

    exit_status: int = 2


@dataclass
class ExerciseError(BackvizError):
    """An unusable exercise file: names the file, the field, what was expected and found."""

    file: str
    field: str
    expected: str
    found: str
    line: int | None = None
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        field = f" field '{self.field}'" if self.field else ""
        message = f"{where}:{field} expected {self.expected}, found {self.found}"
        if self.hint:
            message += f" ({self.hint})"
        # one line, always: a value or key read from the file may hold a line break
        return message.replace("\r", "\\r").replace("\n", "\\n")


class NameError_(BackvizError):
    """A quantity name that does not name any quantity of the exercise."""


class DependencyError(BackvizError):
    """An optional dependency (torch, sympy, graphviz) is needed and missing."""

    exit_status = 3
