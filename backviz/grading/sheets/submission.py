"""A student's submission, and how a sheet's entries make one: the id, repeats, problems."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..problem_text import problem_text
from .numbers import Answer, value_answer

__all__ = ["META_KEYS", "STUDENT_KEYS", "Attempt", "Sheet", "Submission", "field_key"]

STUDENT_KEYS = ("student", "student_id", "학번", "id")
"""Field or column names holding the student id, in order of preference (compared as `field_key`
makes them: "Student ID" and "student-id" are student_id)."""

META_KEYS = frozenset(
    {
        "name",
        "full_name",
        "student_name",
        "이름",
        "성명",
        "email",
        "e_mail",
        "email_address",
        "이메일",
        "이메일_주소",
        "timestamp",
        "타임스탬프",
        "exercise",
    }
)
"""Fields and columns that are obviously not quantities (forms and LMS exports add them),
in `field_key` form."""


@dataclass(frozen=True)
class Attempt:
    """What a quiz report's row says of the attempt it is (Moodle's Responses report)."""

    line: int
    """The row's line in the file: a student's attempts are listed in the order they were made."""
    state: str
    """finished | inprogress | overdue | abandoned (Moodle's "Never submitted") | none (the
    student's row without an attempt) | "" (not said)."""
    status: str = ""
    """The state as the file writes it, in the site's language ("Finished", "Beendet")."""
    moodle_grade: str = ""
    """Moodle's own grade of the attempt, as written ("38.00", "-")."""
    identities: tuple[tuple[str, str], ...] = ()
    """The row's ids, (column header, value), in the order the student is named by: ID number,
    e-mail, username, then the name; a roster may name students by another (`Roster`)."""


@dataclass(frozen=True)
class Submission:
    """One student's answers from one sheet (or one row of a wide CSV)."""

    student: str
    """From a `student` field or column, else the file name's stem."""
    source: str
    """The file as given, plus ":row N" for a row of a wide CSV."""
    answers: Mapping[str, Answer]
    """Quantity name as written (stripped) -> answer, in file order; blank values are left
    out (missing), unreadable ones kept (the grader reports what was read). A dict, or
    `WrittenAnswers` for a template sheet read quickly."""
    problems: tuple[str, ...] = ()
    """Sheet-level problems (file, line, what is wrong); empty when the sheet read cleanly."""
    cloze: str | None = None
    """A Moodle Cloze response (`moodle_responses.py`): answers keyed `part N`, and this the
    question drawn as the export gives it (its text, its right answer; "" when neither)."""
    attempt: Attempt | None = None
    """A quiz report's row: which attempt this is, and its state; None for a sheet."""


def field_key(name: str) -> str:
    """A field or column name as compared: NFKC, case-folded, spaces and '-' as one '_'."""
    return "_".join(unicodedata.normalize("NFKC", name).replace("-", " ").split()).casefold()


@dataclass
class Sheet:
    """Collects one submission: answers in file order, the first of duplicates, problems."""

    file: str  # the file's name, to open each message with
    source: str
    default_student: str
    student: str = ""
    student_line: int | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    first_line: dict[str, int | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    entries: int = 0  # quantity entries seen, blank ones included
    repeated_on: list[int | None] = field(default_factory=list)  # lines of names given again
    lang: str = "en"  # the language of the problems (`problem_text`)

    def problem(self, message: str, line: int | None = None) -> None:
        where = self.file if line is None else f"{self.file}:{line}"
        self.problems.append(f"{where}: {message}")

    def say(self, key: str, line: int | None = None, **fields: object) -> None:
        """The problem `key` of `problem_text`, in the sheet's language."""
        self.problem(problem_text(key, self.lang, **fields), line)

    def add(self, name: str, raw: object, line: int | None = None) -> None:
        """One `name = value` entry: blank values are missing, a repeated name keeps the first.
        `raw` is the value as the file gives it, or an `Answer` the reader made of it."""
        name = name.strip()
        answer = raw if isinstance(raw, Answer) else value_answer(raw)
        if not name:
            if answer is not None:
                self.say("no_name", line, text=answer.text)
            return
        if field_key(name) in META_KEYS:
            return
        self.entries += 1
        if answer is None:
            return
        if name in self.answers:
            first = self.first_line[name]
            where = problem_text("first_on_line", self.lang, line=first) if first else ""
            self.say("given_again", line, name=name, where=where)
            self.repeated_on.append(line)
            return
        self.answers[name] = answer
        self.first_line[name] = line

    def set_student(self, raw: object, line: int | None = None) -> None:
        """The student id; a second, different one is reported and the first kept."""
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            self.say("id_not_text", line, found=raw)
            return
        student = str(raw).strip()
        if not student or student == self.student:
            return
        if self.student:
            on = self.student_line
            where = problem_text("on_line", self.lang, line=on) if on is not None else ""
            self.say("second_id", line, student=student, first=self.student, where=where)
            return
        self.student, self.student_line = student, line

    def entry(self, name: str, raw: object, line: int | None = None) -> None:
        """A top-level entry of a sheet: the student id or a quantity."""
        if field_key(name) in STUDENT_KEYS:
            self.set_student(raw, line)
        else:
            self.add(name, raw, line)

    def submission(self) -> Submission:
        if not self.entries and not self.problems:
            self.say("no_answers")
        return Submission(
            self.student or self.default_student,
            self.source,
            dict(self.answers),
            tuple(self.problems),
        )
