"""A class's verdicts as one table: a column per asked quantity, a row per submission.

Grading works column by column (one quantity, every student at once) and the reports read
row by row; keeping the verdicts as columns of plain lists and arrays, rather than as an
object per student per quantity, is what lets a class of ten thousand be graded in seconds.
`Graded` and `Verdict` are the per-student view of the same numbers, made on request for
code that wants one student at a time (the API, `check-answers`, the tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import NamedTuple

import numpy as np

from .sheets.submission import Attempt

__all__ = [
    "CARRIED",
    "CORRECT",
    "IMPRECISE",
    "MISSING",
    "UNREADABLE",
    "WRONG",
    "Graded",
    "Verdict",
    "VerdictTable",
]

CORRECT, CARRIED, IMPRECISE, WRONG, MISSING, UNREADABLE = (
    "correct",
    "carried",
    "imprecise",
    "wrong",
    "missing",
    "unreadable",
)


class Verdict(NamedTuple):
    """One student's result on one quantity."""

    name: str
    verdict: str  # correct | carried | imprecise | mistake:<id> | wrong | missing | unreadable
    given: str  # as written ("" when missing)
    expected: float
    marks: float
    max_marks: float
    detail: str = ""  # carried: from which answers; mistake: its explanation; wrong: a hint


@dataclass
class Graded:
    """One submission graded."""

    student: str
    source: str
    verdicts: list[Verdict]
    problems: list[str] = field(default_factory=list)

    @cached_property
    def total(self) -> float:
        return float(sum(v.marks for v in self.verdicts))

    @cached_property
    def max_total(self) -> float:
        return float(sum(v.max_marks for v in self.verdicts))


@dataclass
class VerdictTable:
    """Every submission's verdict on every asked quantity.

    The string columns are lists indexed [quantity][submission]; `expected` and `marks` are
    arrays indexed [submission, quantity] (each student's own expected number: variants
    differ). Every submission has a row, in the order the submissions were given.
    """

    names: list[str]
    max_marks: list[float]
    students: list[str]
    sources: list[str]
    problems: list[list[str]]
    verdicts: list[list[str]]
    given: list[list[str]]
    details: list[list[str]]
    expected: np.ndarray
    marks: np.ndarray
    attempts: list[Attempt | None] = field(default_factory=list)
    """Per submission, the quiz attempt it is (a row of Moodle's Responses report), else None;
    empty when no submission is one."""
    averaged: dict[int, float] = field(default_factory=dict)
    """Rows whose total is the mean of the student's attempts (`grade --attempts average`), not
    the sum of their marks: their verdicts are one attempt's."""

    def __len__(self) -> int:
        return len(self.students)

    def __getstate__(self) -> dict[str, object]:
        """For pickling (a worker process sends its share of a class back): the texts the
        students wrote, each a string of its own, are sent a column at a time as one string."""
        state = dict(self.__dict__)
        state.pop("totals", None)  # worked out again where needed
        state["given"] = [_joined(column) for column in self.given]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        state["given"] = [_split(column) for column in state["given"]]  # type: ignore[attr-defined]
        self.__dict__.update(state)

    @cached_property
    def totals(self) -> list[float]:
        """Each submission's total, summed in quantity order (as a person adds them up), or the
        mean of its attempts where `averaged` says so."""
        sums = [float(sum(row)) for row in self.marks.tolist()]
        return [self.averaged.get(i, total) for i, total in enumerate(sums)]

    @property
    def max_total(self) -> float:
        return float(sum(self.max_marks))

    def rows(self) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
        """Per submission: its verdicts, what it wrote and the details, each in quantity order."""
        return (
            list(
                zip(
                    zip(*self.verdicts, strict=True),
                    zip(*self.given, strict=True),
                    zip(*self.details, strict=True),
                    strict=True,
                )
            )
            if self.names
            else [((), (), ())] * len(self)
        )

    def graded(self) -> list[Graded]:
        """The per-student view: one `Graded` with its `Verdict`s per submission."""
        expected, marks = self.expected.tolist(), self.marks.tolist()
        return [
            Graded(
                self.students[i],
                self.sources[i],
                [
                    Verdict(*cells)
                    for cells in zip(
                        self.names,
                        verdicts,
                        given,
                        expected[i],
                        marks[i],
                        self.max_marks,
                        details,
                        strict=True,
                    )
                ],
                list(self.problems[i]),
            )
            for i, (verdicts, given, details) in enumerate(self.rows())
        ]

    def take(self, rows: list[int]) -> VerdictTable:
        """The table of these submissions only, in this order."""
        return VerdictTable(
            names=self.names,
            max_marks=self.max_marks,
            students=[self.students[i] for i in rows],
            sources=[self.sources[i] for i in rows],
            problems=[self.problems[i] for i in rows],
            verdicts=[[column[i] for i in rows] for column in self.verdicts],
            given=[[column[i] for i in rows] for column in self.given],
            details=[[column[i] for i in rows] for column in self.details],
            expected=self.expected[rows],
            marks=self.marks[rows],
            attempts=[self.attempts[i] for i in rows] if self.attempts else [],
            averaged={k: self.averaged[i] for k, i in enumerate(rows) if i in self.averaged},
        )

    @classmethod
    def of(cls, graded: list[Graded]) -> VerdictTable:
        """The table of submissions graded one by one (code exercises, per-student variants);
        they answer the same quantities in the same order."""
        first = graded[0].verdicts if graded else []
        columns = [list(column) for column in zip(*(g.verdicts for g in graded), strict=True)]

        def strings(field: str) -> list[list[str]]:
            return [[getattr(v, field) for v in column] for column in columns]

        def numbers(field: str) -> np.ndarray:
            return np.array(
                [[getattr(v, field) for v in g.verdicts] for g in graded], dtype=float
            ).reshape(len(graded), len(first))

        return cls(
            names=[v.name for v in first],
            max_marks=[v.max_marks for v in first],
            students=[g.student for g in graded],
            sources=[g.source for g in graded],
            problems=[list(g.problems) for g in graded],
            verdicts=strings("verdict"),
            given=strings("given"),
            details=strings("detail"),
            expected=numbers("expected"),
            marks=numbers("marks"),
        )

    @classmethod
    def concat(cls, tables: list[VerdictTable]) -> VerdictTable:
        """Tables of the same quantities, one after the other (a class graded in chunks)."""
        if len(tables) == 1:
            return tables[0]
        first = tables[0]

        def chained(lists: Iterable[list]) -> list:
            return list(chain.from_iterable(lists))

        def joined(column: str) -> list[list[str]]:
            return [
                chained(getattr(table, column)[j] for table in tables)
                for j in range(len(first.names))
            ]

        return cls(
            names=first.names,
            max_marks=first.max_marks,
            students=chained(t.students for t in tables),
            sources=chained(t.sources for t in tables),
            problems=chained(t.problems for t in tables),
            verdicts=joined("verdicts"),
            given=joined("given"),
            details=joined("details"),
            expected=np.concatenate([t.expected for t in tables]),
            marks=np.concatenate([t.marks for t in tables]),
            attempts=(
                chained(t.attempts or [None] * len(t) for t in tables)
                if any(t.attempts for t in tables)
                else []
            ),
        )


_SEPARATOR = "\0"  # never in a text read from a sheet (a NUL byte makes a file unreadable)


def _joined(texts: list[str]) -> tuple[str, int] | list[str]:
    """The texts as one string and their number, or the list itself when one of them holds
    the separator after all (a JSON string may spell it as \\u0000)."""
    joined = _SEPARATOR.join(texts)
    return (joined, len(texts)) if joined.count(_SEPARATOR) == len(texts) - 1 else texts


def _split(packed: tuple[str, int] | list[str]) -> list[str]:
    if isinstance(packed, list):
        return packed
    joined, n = packed
    return joined.split(_SEPARATOR) if n else []
