"""The keys at the top of an exercise file: its kind, id, title and description (the heading).

The kind decides which other top-level keys (sections) the file may have (`TOP_KEYS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fields import Reader

__all__ = ["TOP_KEYS", "Heading", "read_heading"]

TOP_KEYS = {
    "network": (
        "id",
        "title",
        "description",
        "kind",
        "notation",
        "network",
        "parameters",
        "data",
        "training",
        "regularization",
        "ask",
        "student",
        "code",
    ),
    "expression": ("id", "title", "description", "kind", "expression"),
}


@dataclass(frozen=True)
class Heading:
    """What every exercise begins with, whichever its kind."""

    kind: str  # "network" or "expression"
    id: str
    title: dict[str, str]  # by language: {"en": …, "ko": …}
    description: dict[str, str]


def read_heading(reader: Reader, data: dict) -> Heading:
    """The heading of a file's (non-empty) top-level table; its other keys checked known."""
    kind = reader.choice(data.get("kind", "network"), "kind", ("network", "expression"))
    reader.known_keys(data, TOP_KEYS[kind])
    if "id" not in data:
        raise reader.error("id", 'an exercise id, e.g. id = "seed-222"', "nothing")
    exercise_id = reader.string(data["id"], "id")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\-]*", exercise_id):
        raise reader.error("id", "letters, digits, '.', '_' or '-'", repr(exercise_id))
    title = reader.text(data.get("title", exercise_id), "title")
    description = reader.text(data["description"], "description") if "description" in data else {}
    return Heading(kind, exercise_id, title, description)
