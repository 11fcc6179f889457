"""A class's roster when grading: who should have handed in, matched with who did.

The roster is the file `backviz variants --roster` reads (a CSV with a `student` column, or
one id per row). Ids are compared as people mean them: Unicode NFC (an id typed on a Mac and
the same id typed on Windows are one) and without surrounding spaces. A student on the roster
with nothing handed in is graded as an empty sheet, "no sheet handed in"; a submission whose
student is not on the roster is graded, told so, and left out of the class statistics.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import BackvizError
from .excel_ids import zeros_dropped
from .report_text import WORDS
from .sheets.submission import Attempt
from .variants import read_roster

__all__ = ["NO_CODE", "NO_SHEET", "Roster", "roster_key"]

NO_SHEET = WORDS["en"]["no_sheet"]
NO_CODE = WORDS["en"]["no_code"]
"""The problem line of a student on the roster with nothing handed in: answer sheets, code."""


def roster_key(student: str) -> str:
    """A student id as compared: NFC, stripped."""
    return unicodedata.normalize("NFC", student).strip()


@dataclass(frozen=True)
class Roster:
    """The students a class should have, in the roster's order."""

    path: Path
    students: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> Roster:
        students = read_roster(path)
        twice = sorted(k for k, n in Counter(map(roster_key, students)).items() if n > 1)
        if twice:
            raise BackvizError(
                f"{path}: expected each student once, found {', '.join(twice)} twice"
            )
        return cls(path, tuple(students))

    def has(self, student: str) -> bool:
        return roster_key(student) in self._keys

    def absent(self, students: Iterable[str]) -> list[str]:
        """The roster's students none of `students` is, in the roster's order."""
        present = set(map(roster_key, students))
        return [s for s in self.students if roster_key(s) not in present]

    def not_on(self, student: str, lang: str = "en", absent: Iterable[str] = ()) -> str:
        """The problem line of a submission whose student is not on the roster; when one of
        the `absent` roster students is its id with leading zeros dropped or restored (Excel
        drops them, from the roster or a sheet's id), it says so: never matched silently."""
        line = WORDS[lang]["not_on_roster"].format(student=repr(student), roster=self.path.name)
        twin = self.zeros_twin(student, absent)
        if twin is None:
            return line
        theirs, why = twin
        hint = WORDS[lang][why].format(student=student, theirs=theirs, roster=self.path.name)
        return f"{line} {hint}"

    def zeros_twin(self, student: str, absent: Iterable[str]) -> tuple[str, str] | None:
        """The roster id among `absent` that `student` is with leading zeros dropped or
        restored, and which file lost them ("roster_zeros", "sheet_zeros"); None if none."""
        key = roster_key(student)
        for theirs in absent:
            if zeros_dropped(roster_key(theirs), key):
                return theirs, "roster_zeros"
            if zeros_dropped(key, roster_key(theirs)):
                return theirs, "sheet_zeros"
        return None

    def quiz_names(
        self, students: list[str], attempts: list[Attempt | None]
    ) -> tuple[list[str], str | None]:
        """The students of a quiz report's rows (those with an `Attempt`) named by the identity
        column whose ids are on the roster most — its e-mails, say, where the rows were named
        by ID number — when that column matches more rows than the names they have; and its
        header (None, and the names as they were, otherwise). Moodle shows the identity
        fields the site chooses; the roster says which of them it lists."""
        rows = [(i, a) for i, a in enumerate(attempts) if a is not None and a.identities]
        counts: dict[str, int] = {}
        for _, attempt in rows:
            for header, value in attempt.identities:
                counts[header] = counts.get(header, 0) + self.has(value)
        named = sum(self.has(students[i]) for i, _ in rows)
        best = max(counts, key=lambda header: counts[header], default=None)  # first of the best
        if best is None or counts[best] <= named:
            return students, None
        renamed = list(students)
        for i, attempt in rows:
            renamed[i] = dict(attempt.identities).get(best) or renamed[i]
        return renamed, best

    @cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(map(roster_key, self.students))
