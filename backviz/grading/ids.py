"""Student ids across a class: a file name per submission, and the ids that look like one.

Ids are compared in NFC (so '김민준' typed composed and decomposed is one id) and file names
are unique ignoring case (so no two reports are one file where case is not told apart). Two
sheets with one id, or with ids that differ only in case or Unicode form, are both graded and
both told so: neither is dropped, and the teacher decides.
"""

from __future__ import annotations

import unicodedata

from .escape import file_name
from .problem_text import problem_text

__all__ = ["same_student_problems", "unique_names"]

SHOWN = 3
"""Other sheets named in a problem line; more are counted."""


def unique_names(students: list[str]) -> list[str]:
    """A file name per submission: the student id's `file_name`, made unique ignoring case
    (every submission once): the second 'kim' is 'kim-2', the third 'kim-3', skipping any
    name already taken."""
    taken: set[str] = set()
    tried: dict[str, int] = {}  # per base name, the last suffix tried: no search from -2 again
    names = []
    for student in students:
        base = name = file_name(student)
        key = base.casefold()
        k = tried.get(key, 1)
        while name.casefold() in taken:
            k += 1
            name = f"{base}-{k}"
        tried[key] = k
        taken.add(name.casefold())
        names.append(name)
    return names


def same_student_problems(
    students: list[str], sources: list[str], names: list[str], lang: str = "en"
) -> list[list[str]]:
    """Per submission, a problem line (in `lang`) when another sheet has the same id, or one
    that differs only in case or Unicode form (width, composed Hangul): the others (the first
    few), and the file name each is reported under."""
    groups: dict[str, list[int]] = {}
    for i, student in enumerate(students):
        groups.setdefault(_loose(student), []).append(i)
    problems: list[list[str]] = [[] for _ in students]
    for members in groups.values():
        if len(members) < 2:
            continue
        forms = {_nfc(students[i]) for i in members}
        found = problem_text("same_id_same" if len(forms) == 1 else "same_id_lookalike", lang)
        for i in members:
            others = [k for k in members[: SHOWN + 1] if k != i][:SHOWN]
            shown = ", ".join(
                _other(students[k], sources[k], names[k], students[i], lang) for k in others
            )
            more = len(members) - 1 - len(others)
            line = problem_text(
                "same_id",
                lang,
                student=students[i],
                found=found,
                shown=shown,
                more=problem_text("same_id_more", lang, n=more) if more else "",
                name=names[i],
            )
            problems[i].append(f"{sources[i]}: {line}")
    return problems


def _other(student: str, source: str, name: str, this: str, lang: str) -> str:
    """Another sheet of a lookalike id: where it is, its id when it differs, its file name."""
    if _nfc(student) == _nfc(this):
        return problem_text("same_id_as", lang, source=source, name=name)
    same_case = _nfc(student).casefold() == _nfc(this).casefold()
    how = problem_text("same_id_case" if same_case else "same_id_form", lang)
    return problem_text("same_id_other", lang, source=source, student=student, how=how, name=name)


def _nfc(student: str) -> str:
    return unicodedata.normalize("NFC", student)


def _loose(student: str) -> str:
    """An id as compared for lookalikes: compatibility forms (full-width letters) and case
    folded, spaces at its ends ignored."""
    return unicodedata.normalize("NFKC", student).casefold().strip()
