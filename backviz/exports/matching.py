"""Which student of a gradebook each row of grades.csv is: matched on one identity column.

A gradebook export (Canvas's, Moodle's) lists each student under several ids — an SIS id, a
login, an e-mail, a name. grades.csv knows each student by the id written on their sheet, as
a file name (`escape.file_name`: `kim@uni.edu` is `kim_uni.edu`), so the gradebook's ids are
compared in that same form, ignoring case; a name "Kim, Minjun" also as "Minjun Kim". The
column used is the one the teacher names, or else the one matching the most rows (ties: the
order the target lists them). A row matched to no student, to two, or to a student another
row also matched, is not exported and is told why: the teacher decides, nothing is guessed.

Ids a spreadsheet changed (`excel_ids.py`) are the one exception, and never a silent one: a
row of grades.csv whose id is a student's with its leading zeros dropped (12345 for 0012345)
is matched to them when that is the only way it matches anyone, the column's ids are padded
to one width (so 12 cannot be another student's id beside 012), and no other row claims
them; the terminal lists each such match. Every other Excel form — the gradebook's ids changed,
a column not of one width, an id in powers of ten — is not matched, and its row's reason
says what the id most likely was and which file Excel changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..grading.escape import file_name
from ..grading.excel_ids import digits_only, excel_form, fixed_width, in_powers_of_ten
from .class_grades import StudentTotal

__all__ = ["Match", "Person", "loose_key", "match_students"]


@dataclass(frozen=True)
class Person:
    """A student of the gradebook: their ids by column, and the cells to copy into the file
    the gradebook imports."""

    ids: dict[str, str]
    """Identity column (the target's own key, "sis-user-id") → the value the export holds."""
    cells: tuple[str, ...]
    line: int
    """Their row's line in the export."""

    def shown(self) -> str:
        """How a message names them: their name and their first other id."""
        name = self.ids.get("name", "")
        other = next((v for k, v in self.ids.items() if v and k != "name"), "")
        if name and other:
            return f"{name} ({other})"
        return name or other or f"line {self.line}"


@dataclass
class Match:
    """The outcome: each exported row with its student, and every row that was not."""

    by: str
    """The identity column matched on."""
    matched: list[tuple[StudentTotal, Person]] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)
    """(student of grades.csv, why it is not exported)."""
    ungraded: list[Person] = field(default_factory=list)
    """Students of the gradebook no row of grades.csv matched: left as they are."""
    restored: list[tuple[StudentTotal, Person]] = field(default_factory=list)
    """Rows matched only once their id's leading zeros were restored (in `matched` too)."""


_SECOND_SHEET = re.compile(r"(?P<base>.+)-(?P<n>[2-9]|[1-9][0-9]+)")
"""grade's file name for the n-th sheet of one id: kim, kim-2, kim-3."""


def loose_key(value: str, *, name: bool = False) -> tuple[str, ...]:
    """The forms of an id compared with grades.csv's student column: its file name, ignoring
    case; a name written "Last, First" also as "First Last", and run together either way
    ("김, 민준" as 김민준, as a Korean name is written)."""
    value = unicodedata.normalize("NFKC", value).strip()
    if not value:
        return ()
    forms = [value]
    if name and value.count(",") == 1:
        last, first = (part.strip() for part in value.split(","))
        forms += [f"{first} {last}", f"{last}{first}", f"{first}{last}"]
    return tuple(dict.fromkeys(file_name(form).casefold() for form in forms))


def match_students(
    totals: Sequence[StudentTotal],
    people: Sequence[Person],
    *,
    columns: dict[str, str],
    by: str | None,
    names: frozenset[str] = frozenset(),
    source: str,
) -> Match:
    """Each row of `totals` matched to one of `people` on one column of `columns` (key →
    the column's header, as messages name it): `by`, or the column matching the most rows.
    `names`: the columns holding people's names (compared in either order)."""
    indexes = {key: _index(people, key, key in names) for key in columns}
    if by is None:
        counts = {key: _count(totals, index, people, key) for key, index in indexes.items()}
        by = max(columns, key=lambda key: counts[key])  # first of the best: the listed order
    index = indexes[by]
    outcome = Match(by)
    found: dict[int, list[StudentTotal]] = {}
    nobody: list[StudentTotal] = []
    for total in totals:
        candidates = index.get(file_name(total.student).casefold(), [])
        if len(candidates) == 1:
            found.setdefault(id(candidates[0]), []).append(total)
        elif candidates:
            shown = ", ".join(p.shown() for p in candidates[:3])
            why = f"{len(candidates)} students of {source} have {columns[by]} {total.student!r}"
            outcome.unmatched.append((total.student, f"{why} ({shown}): not exported"))
        else:
            nobody.append(total)
    seconds = _second_sheets(totals, nobody)
    hints = _excel_forms(nobody, people, by, found, source, outcome)
    for total in nobody:
        if id(total) in hints and not hints[id(total)]:
            continue  # matched with its zeros restored
        why = f"no student of {source} has {columns[by]} {total.student!r}"
        if total.student in seconds:
            why += f" (grade's name for a second sheet of {seconds[total.student]!r})"
        outcome.unmatched.append((total.student, why + hints.get(id(total), "")))
    twice = {b.casefold(): [s for s, o in seconds.items() if o == b] for b in seconds.values()}
    for person in people:
        rows = found.get(id(person), [])
        if len(rows) == 1 and rows[0].student.casefold() in twice:
            others = ", ".join(twice[rows[0].student.casefold()])
            why = f"grade graded more sheets of this id ({others}): not exported; {_KEEP_ONE}"
            outcome.unmatched.append((rows[0].student, why))
        elif len(rows) == 1:
            outcome.matched.append((rows[0], person))
        elif rows:
            listed = ", ".join(f"{t.student} (line {t.line})" for t in rows)
            why = f"{len(rows)} rows of grades.csv are {person.shown()}'s: {listed}; none exported"
            outcome.unmatched += [(total.student, f"{why}; {_KEEP_ONE}") for total in rows]
        else:
            outcome.ungraded.append(person)
    order = {id(total): i for i, total in enumerate(totals)}
    outcome.matched.sort(key=lambda pair: order[id(pair[0])])
    return outcome


_KEEP_ONE = "keep the row that counts, under the student's id, and export again"
_EXCEL = "was probably opened in Excel, which"


def _excel_forms(
    nobody: list[StudentTotal],
    people: Sequence[Person],
    by: str,
    found: dict[int, list[StudentTotal]],
    source: str,
    outcome: Match,
) -> dict[int, str]:
    """Per row matched to nobody (by `id`) whose id is an Excel form of a student's, the
    sentence its reason adds — or "" where it is matched with its zeros restored (added to
    `found` and `outcome.restored`)."""
    column = [person.ids.get(by, "") for person in people]
    width = fixed_width(column)
    kept_zeros = any(theirs.startswith("0") for theirs in column)  # not opened in Excel, then
    forms: dict[int, list[tuple[Person, str, bool]]] = {}  # (student, how, grades.csv changed)
    same_digits: dict[str, list[Person]] = {}  # by the id without its leading zeros
    numbers: list[Person] = []  # ids of digits
    in_powers: list[Person] = []  # ids in powers of ten
    for person in people:
        theirs = person.ids.get(by, "")
        if digits_only(theirs):
            same_digits.setdefault(theirs.lstrip("0"), []).append(person)
            numbers.append(person)
        elif in_powers_of_ten(theirs):
            in_powers.append(person)
    for total in nobody:
        if digits_only(total.student):
            candidates = same_digits.get(total.student.lstrip("0"), []) + in_powers
        else:
            candidates = numbers if in_powers_of_ten(total.student) else []
        for person in candidates:
            theirs = person.ids.get(by, "")
            if how := excel_form(total.student, theirs):
                forms.setdefault(id(total), []).append((person, how, True))
            elif (how := excel_form(theirs, total.student)) and not kept_zeros:
                forms.setdefault(id(total), []).append((person, how, False))
    claimed: dict[int, int] = {}  # per student, the rows whose forms they are
    for candidates in forms.values():
        for person, _, _ in candidates:
            claimed[id(person)] = claimed.get(id(person), 0) + 1
    hints: dict[int, str] = {}
    for total in nobody:
        candidates = forms.get(id(total), [])
        if not candidates:
            continue
        if len(candidates) > 1:
            ids = ", ".join(repr(person.ids[by]) for person, _, _ in candidates[:3])
            hints[id(total)] = (
                f"; as an id Excel changed it could be any of {ids}: not matched, the teacher "
                "decides"
            )
            continue
        (person, how, ours), theirs = candidates[0], candidates[0][0].ids[by]
        if how == "powers":
            shown, digits, changed = (
                (total.student, theirs, "grades.csv") if ours else (theirs, total.student, source)
            )
            hints[id(total)] = (
                f"; {shown} is {digits} in powers of ten as Excel writes a long number: {changed} "
                f"{_EXCEL} loses its last digits; not matched (write the ids again from the "
                "sheets, or export again and open the file in no spreadsheet)"
            )
            continue
        if not ours:
            hints[id(total)] = (
                f"; {theirs} matches {total.student} with leading zeros restored: {source} "
                f"{_EXCEL} drops them; not matched (export the gradebook again and open it in no "
                "spreadsheet: an import file of its changed ids would not find them)"
            )
            continue
        hint = f"; {total.student} matches {theirs} with leading zeros restored: grades.csv"
        hint += f" {_EXCEL} drops them (or the sheet was written without them)"
        if width is None:
            hints[id(total)] = hint + (
                f"; not matched: the ids of {source} are not all one width, so {total.student} "
                "may be another student's id"
            )
        elif id(person) in found or claimed[id(person)] > 1:
            hints[id(total)] = hint + f"; not matched: another row is {person.shown()}'s too"
        else:
            hints[id(total)] = ""
            found.setdefault(id(person), []).append(total)
            outcome.restored.append((total, person))
    return hints


def _second_sheets(totals: Sequence[StudentTotal], nobody: list[StudentTotal]) -> dict[str, str]:
    """Rows matched to nobody that grade named as a second sheet of another row's id
    (kim-2 beside kim) → that id."""
    students = {total.student.casefold(): total.student for total in totals}
    seconds = {}
    for total in nobody:
        second = _SECOND_SHEET.fullmatch(total.student)
        if second and second["base"].casefold() in students:
            seconds[total.student] = students[second["base"].casefold()]
    return seconds


def _index(people: Sequence[Person], key: str, name: bool) -> dict[str, list[Person]]:
    index: dict[str, list[Person]] = {}
    for person in people:
        for form in loose_key(person.ids.get(key, ""), name=name):
            index.setdefault(form, []).append(person)
    return index


def _count(
    totals: Sequence[StudentTotal],
    index: dict[str, list[Person]],
    people: Sequence[Person],
    key: str,
) -> tuple[int, int]:
    """How many rows the column matches: exactly, then (to choose between columns matching
    none exactly: grades.csv's ids all changed by Excel) once leading zeros are restored."""
    exact = sum(len(index.get(file_name(t.student).casefold(), ())) == 1 for t in totals)
    digits: dict[str, int] = {}
    for person in people:
        theirs = person.ids.get(key, "")
        if theirs.isdigit():
            digits[theirs.lstrip("0")] = digits.get(theirs.lstrip("0"), 0) + 1
    restored = sum(t.student.isdigit() and digits.get(t.student, 0) == 1 for t in totals)
    return exact, restored
