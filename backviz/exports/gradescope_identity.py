"""Who handed a Gradescope submission in: Gradescope's submitter mapped to a student id.

Gradescope writes `/autograder/submission_metadata.json` for every submission; its `users`
hold each submitter's `email`, `name` and Gradescope `id` (gradescope-autograders.readthedocs.io
/en/latest/submission_metadata/), and, where the course roster has one, the student ID as
`sid` (not in that page, but present in what Gradescope writes and read by autograders in
use). backviz's roster (`variants --roster`: a `student` column, or one id per row) may add
`email` and `name` columns; a submitter is then the roster's student whose

1. `student` is the submitter's `sid`, else
2. `email` is the submitter's email (compared ignoring case), else
3. `student` is the submitter's email, or the part of it before the @, else
4. `name` is the submitter's name, when one student only has it.

Without a roster the student id is the `sid`, else the email, else the name. In a group
submission the first submitter found is the one graded (and the others are named).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..grading.handed_in import read_handed
from ..grading.roster import roster_key
from ..grading.variants import read_roster

__all__ = ["Identity", "Person", "Submitter", "identify", "read_people", "read_submitters"]

MAX_METADATA_BYTES = 5 * 1024 * 1024
"""submission_metadata.json above this is not read (it holds earlier results: never this big)."""


@dataclass(frozen=True)
class Submitter:
    """One of Gradescope's `users` of a submission."""

    email: str = ""
    name: str = ""
    sid: str = ""
    gradescope_id: str = ""

    def shown(self) -> str:
        """How a message names the submitter: name <email> (SID …)."""
        parts = [self.name, f"<{self.email}>" if self.email else "", self.sid and f"SID {self.sid}"]
        return " ".join(p for p in parts if p) or f"Gradescope user {self.gradescope_id or '?'}"


@dataclass(frozen=True)
class Person:
    """A row of the roster: the student id, and the email and name it may give."""

    student: str
    email: str = ""
    name: str = ""


@dataclass(frozen=True)
class Identity:
    """Whose submission it is, as data for the output's words (`gradescope_words`)."""

    student: str | None
    """The student id; None when not known."""
    rule: str
    """How it was found: a key of `RULES` ("sid", "email", "email_id", "name") on the roster,
    "gradescope_sid", "gradescope_email", "gradescope_name" without one; or why not: "unknown"
    (no submitters), "no_id" (none has an id), "not_on_roster"."""
    submitters: tuple[str, ...] = ()
    """The submitters as a message names them, when more than one or none was found."""


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_submitters(path: Path) -> tuple[list[Submitter], str]:
    """The submitters Gradescope's metadata names, or none and why not (missing, not JSON,
    no users): the grade then goes on without them where it can."""
    raw, problem = read_handed(path, follow=True, what="metadata_files")
    if raw is None:
        return [], f"{path.name}: {problem}"
    if len(raw) > MAX_METADATA_BYTES:
        return [], f"{path.name}: too large"
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [], f"{path.name}: not JSON ({error})"
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list) or not users:
        return [], f"{path.name}: no users listed"
    found = [
        Submitter(*(_text(u.get(key)) for key in ("email", "name", "sid", "id")))
        for u in users
        if isinstance(u, dict)
    ]
    return found, "" if found else f"{path.name}: no users listed"


def read_people(path: Path) -> list[Person]:
    """The roster's students with their `email` and `name` columns (also 이메일, 이름), read
    with the ids exactly as `variants --roster` reads them."""
    students = read_roster(path)  # its checks and its messages: one id per student
    raw, _ = read_handed(path, follow=True, what="rosters")
    try:
        text = (raw or b"").decode("utf-8-sig")
    except UnicodeDecodeError:  # read_roster took it as CP949
        text = (raw or b"").decode("cp949", "replace")
    rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    header = [c.strip().lower() for c in rows[0]] if rows else []

    def column(*names: str) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    id_column = column("student", "student_id", "학번", "id")
    if id_column is None:  # one id per row, no header
        return [Person(s) for s in students]
    email, name = column("email", "e-mail", "이메일"), column("name", "이름")

    def cell(row: list[str], k: int | None) -> str:
        return row[k].strip() if k is not None and k < len(row) else ""

    by_id = {cell(row, id_column): row for row in rows[1:]}
    rows_of = [by_id.get(s, []) for s in students]
    return [
        Person(s, cell(row, email), cell(row, name))
        for s, row in zip(students, rows_of, strict=True)
    ]


Rule = Callable[[Submitter, Person], bool]

RULES: dict[str, Rule] = {
    "sid": lambda u, p: bool(u.sid) and roster_key(u.sid) == roster_key(p.student),
    "email": lambda u, p: bool(u.email) and u.email.casefold() == p.email.casefold(),
    "email_id": lambda u, p: (
        bool(u.email)
        and roster_key(p.student).casefold()
        in (u.email.casefold(), u.email.split("@")[0].casefold())
    ),
    "name": lambda u, p: bool(u.name) and roster_key(u.name) == roster_key(p.name),
}
"""How a submitter is matched with a roster row, most trusted first (the module's list)."""


def identify(submitters: Sequence[Submitter], people: Sequence[Person] | None) -> Identity:
    """The student of a submission: through the roster (`people`) when there is one, else
    from what Gradescope says of the submitter."""
    shown = tuple(u.shown() for u in submitters)
    group = shown if len(shown) > 1 else ()
    if not submitters:
        return Identity(None, "unknown")
    if people is None:
        for user in submitters:
            for field in ("sid", "email", "name"):
                if value := getattr(user, field):
                    return Identity(value, f"gradescope_{field}", group)
        return Identity(None, "no_id", shown)
    for rule_name, rule in RULES.items():
        for user in submitters:
            matches = [p for p in people if rule(user, p)]
            if len(matches) == 1:
                return Identity(matches[0].student, rule_name, group)
    return Identity(None, "not_on_roster", shown)
