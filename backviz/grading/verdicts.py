"""Verdicts: every asked quantity of every student, judged column by column over the class.

For one quantity and all students at once (numpy arrays over students):

- correct: the reference rounded to the decimals the student wrote, or within the relative
  tolerance (1e-4) of the quantity's own step — an updated weight is judged on W⁺ − W;
- mistake:<id>: the engine's number with that mistake switched on, at the precision the student
  wrote (even inside the default tolerance, when the reference does not match at that
  precision: the digits a student writes are evidence of how they computed), or within the
  tolerance otherwise;
- carried: wrong against the reference, but right when the quantity's own formula (the trace's)
  is applied to the student's own earlier answers — only answers that are plausible (finite,
  not a 0 or 1 standing in for a number that is neither) and not themselves right;
- wrong, missing, unreadable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..core.exercise import Ask, NetworkExercise
from ..core.quantities import KINDS, Kind, Ref, ask_group
from ..core.trace import Trace
from ..errors import BackvizError
from .mistakes import Mistake, applicable
from .sheets.numbers import WrittenAnswers, read_numbers
from .table import CARRIED, CORRECT, MISSING, UNREADABLE, WRONG, Graded, Verdict, VerdictTable

if TYPE_CHECKING:
    from .sheets.submission import Submission

__all__ = ["CORRECT", "ClassGrader", "Graded", "Verdict", "VerdictTable", "asked", "grade_class"]

TOLERANCE = 1e-4  # relative, on each quantity's own step


def asked(trace: Trace, ask: Ask) -> list[tuple[Ref, float]]:
    """The quantities an answer sheet asks, in computing order, with their marks."""
    if ask.names:
        refs = [trace.ref(name) for name in ask.names]
        order = {ref: i for i, ref in enumerate(trace.refs())}
        refs.sort(key=lambda r: order.get(r, 0))
    else:
        refs = []
        for ref in trace.refs():
            if ref.step not in ask.steps or KINDS[ref.kind].ask is None:
                continue  # given numbers are never asked
            if ask_group(ref) in ask.kinds:
                refs.append(ref)
    marks = []
    for ref in refs:
        name = trace.name(ref)
        value = ask.marks.get(name, ask.marks.get(ask_group(ref), ask.marks.get("default", 1.0)))
        marks.append((ref, float(value)))
    return marks


def _plausible(values: np.ndarray, reference: float) -> np.ndarray:
    """Finite, and not a 0 or 1 standing in for a number that is neither."""
    placeholder = np.isin(values, (0.0, 1.0)) & (reference not in (0.0, 1.0))
    return np.isfinite(values) & ~placeholder


def _rounds_to(values: np.ndarray, decimals: np.ndarray, target: np.ndarray | float) -> np.ndarray:
    """The value is `target` rounded to the decimals written (where decimals are known)."""
    half = 0.5 * np.power(10.0, -np.where(decimals >= 0, decimals, 0).astype(float))
    slack = 1e-12 * np.maximum(1.0, np.abs(target))
    return (decimals >= 0) & (np.abs(values - target) <= half + slack)


def _within(values: np.ndarray, target: np.ndarray | float, base: float | np.ndarray) -> np.ndarray:
    """Within the relative tolerance on the step from `base` (0 except for updated weights)."""
    step = np.abs(np.asarray(target, dtype=float) - base)
    return np.abs(values - target) <= TOLERANCE * step + 1e-12


class ClassGrader:
    """Grades many submissions of one exercise at once."""

    def __init__(self, trace: Trace, *, lang: str = "en") -> None:
        from ..core.engine import run

        self.trace = trace
        self.lang = lang
        exercise: NetworkExercise = trace.exercise
        self.ask = exercise.ask
        self.items = asked(trace, self.ask)
        self.mistakes: list[Mistake] = applicable(exercise)
        self.mistake_traces = [run(exercise, m.mistakes) for m in self.mistakes]
        self._refs: dict[str, Ref | None] = {}
        self._mistaken: dict[Ref, np.ndarray] = {}  # per quantity: whose answer was a mistake

    def _ref(self, written: str) -> Ref | None:
        """The quantity a name written on a sheet names (None if none); sheets of a class use
        the same names, so each spelling is looked up once."""
        if written not in self._refs:
            try:
                self._refs[written] = self.trace.ref(written)
            except BackvizError:
                self._refs[written] = None
        return self._refs[written]

    def _base(self, ref: Ref) -> float:
        """What an updated weight's step is measured from: the weight before the update."""
        if ref.kind is Kind.UPDATE_W:
            return self.trace.value(Ref(Kind.WEIGHT, ref.layer, ref.index, step=ref.step))
        if ref.kind is Kind.UPDATE_B:
            return self.trace.value(Ref(Kind.BIAS, ref.layer, ref.index, step=ref.step))
        return 0.0

    def grade(self, submissions: list[Submission]) -> list[Graded]:
        """Every submission's verdicts, one `Graded` each (sheets with problems too)."""
        return self.table(submissions).graded()

    def table(self, submissions: list[Submission]) -> VerdictTable:
        """Every submission's verdicts as one table, judged a quantity at a time."""
        trace = self.trace
        n = len(submissions)
        columns, problems = self._columns(submissions)
        verdicts, given, details = [], [], []
        expected = np.empty((n, len(self.items)))
        marks = np.empty((n, len(self.items)))
        correct_so_far: dict[Ref, np.ndarray] = {}
        for j, (ref, max_marks) in enumerate(self.items):
            codes, notes, column_marks = self._grade_column(
                ref, max_marks, columns, correct_so_far, n
            )
            verdicts.append(codes.tolist())
            details.append(notes)
            given.append(columns[ref][2].tolist() if ref in columns else [""] * n)
            expected[:, j] = trace.value(ref)
            marks[:, j] = column_marks
        return VerdictTable(
            names=[trace.name(ref) for ref, _ in self.items],
            max_marks=[max_marks for _, max_marks in self.items],
            students=[s.student for s in submissions],
            sources=[s.source for s in submissions],
            problems=problems,
            verdicts=verdicts,
            given=given,
            details=details,
            expected=expected,
            marks=marks,
        )

    def _columns(
        self, submissions: list[Submission]
    ) -> tuple[dict[Ref, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], list[list[str]]]:
        """The class's answers as columns per quantity: value (nan when missing or unreadable),
        decimals written (-1 when unknown), text as written, readable; and each sheet's problems.

        Sheets naming the same quantities in the same order (a class filling in one template)
        are taken together, a column at a time.
        """
        n = len(submissions)
        problems: list[list[str]] = [list(s.problems) for s in submissions]
        columns: dict[Ref, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        groups: dict[tuple[tuple[str, ...], bool], list[int]] = {}
        for i, submission in enumerate(submissions):
            answers = submission.answers
            if isinstance(answers, WrittenAnswers):  # numbers still as written
                groups.setdefault((answers.names, True), []).append(i)
            else:
                groups.setdefault((tuple(answers), False), []).append(i)
        for (written_names, as_written), members in groups.items():
            if as_written:
                rows = [submissions[i].answers.texts for i in members]  # type: ignore[attr-defined]
            else:
                rows = [tuple(submissions[i].answers.values()) for i in members]
            at = np.array(members)
            seen: dict[Ref, str] = {}
            for written, answers in zip(written_names, zip(*rows, strict=True), strict=True):
                ref = self._ref(written)
                problem = ""
                if ref is None:
                    problem = f"unknown quantity '{written}' (not graded)"
                elif ref in seen:
                    problem = f"'{written}' is '{seen[ref]}' again; the first is graded"
                if problem:
                    for i in members:
                        problems[i].append(problem)
                    continue
                seen[ref] = written
                if ref not in columns:
                    columns[ref] = (
                        np.full(n, np.nan),
                        np.full(n, -1),
                        np.full(n, "", dtype=object),
                        np.zeros(n, dtype=bool),
                    )
                values, decimals, texts, readable = columns[ref]
                if as_written:
                    texts[at] = answers
                    values[at], decimals[at], readable[at] = read_numbers(answers)
                    continue
                texts[at] = [answer.text for answer in answers]
                values[at] = [np.nan if a.value is None else a.value for a in answers]
                decimals[at] = [-1 if a.decimals is None else a.decimals for a in answers]
                readable[at] = [a.value is not None for a in answers]
        return columns, problems

    def _grade_column(self, ref, max_marks, columns, correct_so_far, n):
        trace = self.trace
        reference = trace.value(ref)
        base = self._base(ref)
        codes = np.array([MISSING] * n, dtype=object)
        details = [""] * n
        marks = np.zeros(n)
        if ref not in columns:
            correct_so_far[ref] = np.zeros(n, dtype=bool)
            return codes, details, marks
        values, decimals, texts, readable = columns[ref]
        codes[~readable & texts.astype(bool)] = UNREADABLE  # written, not read
        open_ = readable.copy()
        # 1. the reference at the precision written
        right = open_ & _rounds_to(values, decimals, reference)
        # 2. carried: the quantity's own formula on the student's own (wrong) earlier answers,
        # before any mistake, so that a mistake costs marks once, where it was made
        rest = open_ & ~right
        carried = np.zeros(n, dtype=bool)
        if rest.any():
            carried, sources = self._carried(ref, values, decimals, columns, correct_so_far, rest)
            credit = self.ask.carried_credit
            for i in np.flatnonzero(carried):
                codes[i] = CARRIED
                marks[i] = credit * max_marks
                details[i] = "from " + ", ".join(sources[i])
        # 3. a mistake at the precision written (where the reference is not)
        mistaken = np.zeros(n, dtype=bool)
        candidates = [
            (mistake, value)
            for mistake, mistake_trace in zip(self.mistakes, self.mistake_traces, strict=True)
            if np.isfinite(value := mistake_trace.value(ref))
            and not np.isclose(value, reference, rtol=1e-12, atol=0)
        ]
        for mistake, m_value in candidates:
            hit = open_ & ~right & ~carried & ~mistaken & _rounds_to(values, decimals, m_value)
            self._mark_mistake(codes, details, marks, hit, mistake, max_marks)
            mistaken |= hit
        # 4. within the tolerance of the reference
        right |= open_ & ~carried & ~mistaken & _within(values, reference, base)
        codes[right] = CORRECT
        marks[right] = max_marks
        # 5. within the tolerance of a mistake
        for mistake, m_value in candidates:
            hit = open_ & ~right & ~carried & ~mistaken & _within(values, m_value, base)
            self._mark_mistake(codes, details, marks, hit, mistake, max_marks)
            mistaken |= hit
        rest = open_ & ~right & ~carried & ~mistaken
        self._mistaken[ref] = mistaken
        codes[rest] = WRONG
        wrong = np.flatnonzero(rest)
        notes = self._lookalikes(ref, values[wrong], decimals[wrong])
        for i, note in zip(wrong, notes, strict=True):
            details[i] = note  # a right number under the wrong name?
        correct_so_far[ref] = right
        return codes, details, marks

    def _lookalikes(self, ref: Ref, values: np.ndarray, decimals: np.ndarray) -> list[str]:
        """'the value of z3' for each wrong answer that is another asked quantity's right
        value (at the precision written, or within the tolerance when that is unknown)."""
        others = [other for other, _ in self.items if other != ref]
        if not others or not len(values):
            return [""] * len(values)
        targets = np.array([self.trace.value(other) for other in others])[None, :]
        values, decimals = values[:, None], decimals[:, None]
        match = _rounds_to(values, decimals, targets) | (
            (decimals < 0) & (np.abs(values - targets) <= TOLERANCE * np.abs(targets))
        )
        first = match.argmax(axis=1)
        return [
            f"this is the value of {self.trace.name(others[k])}: a mislabelled answer?"
            if match[row, k]
            else ""
            for row, k in enumerate(first)
        ]

    def _mark_mistake(self, codes, details, marks, hit, mistake: Mistake, max_marks: float) -> None:
        credit = self.ask.mistake_credit.get(mistake.id, mistake.credit)
        codes[hit] = f"mistake:{mistake.id}"
        marks[hit] = credit * max_marks
        for i in np.flatnonzero(hit):
            details[i] = mistake.explanation.get(self.lang, mistake.explanation["en"])

    def _carried(self, ref, values, decimals, columns, correct_so_far, rest):
        """Who is right by the formula applied to their own answers, and from which answers."""
        trace = self.trace
        formula = trace.formula(ref)
        n = len(values)
        carried = np.zeros(n, dtype=bool)
        sources: list[list[str]] = [[] for _ in range(n)]
        if formula is None:
            return carried, sources
        own_wrong = np.zeros(n, dtype=bool)
        implausible = np.zeros(n, dtype=bool)
        inputs = []
        for input_ref in formula.inputs:
            column, wrong, odd = self._own_value(input_ref, columns, correct_so_far, rest, sources)
            inputs.append(column)
            own_wrong |= wrong
            implausible |= odd
        with np.errstate(all="ignore"):
            expected = np.asarray(formula.rule.evaluate(inputs), dtype=float)
        if expected.ndim == 0:
            expected = np.full(n, float(expected))
        base = self._base(ref)
        step = np.abs(expected - base)
        written = np.where(decimals >= 0, 0.5 * np.power(10.0, -np.maximum(decimals, 0)), 0.0)
        # the student's inputs were rounded too: allow a little more than for the reference
        tolerance = np.maximum(1e-3 * step, written) + 1e-12
        carried = rest & own_wrong & ~implausible & (np.abs(values - expected) <= tolerance)
        return carried, sources

    def _own_value(self, ref, columns, correct_so_far, rest, sources, depth: int = 0):
        """A formula input as each student has it: their own answer where they gave one (and
        whether it is their own wrong number, and whether it is implausible); where they did
        not, the input's own formula on their answers (∂E/∂h1 reads the path terms δ_o·w that
        no sheet asks for), else the reference."""
        trace = self.trace
        n = len(rest)
        reference = trace.value(ref)
        if ref in columns:
            given, _, texts, readable = columns[ref]
            use = readable & np.isfinite(given)
            column = np.where(use, given, reference)
            differs = use & ~correct_so_far.get(ref, np.zeros(n, dtype=bool))
            differs &= ~np.isclose(given, reference, rtol=TOLERANCE, atol=1e-12)
            # a 0 or 1 standing in for a number is not the student's own work, unless it is
            # exactly what a catalogued mistake gives there (σ′ written as 1)
            odd = use & ~_plausible(given, reference) & ~self._mistaken.get(ref, np.zeros(n, bool))
            name = trace.name(ref)
            for i in np.flatnonzero(differs & rest):
                sources[i].append(f"your {name} = {texts[i]}")
            return column, differs, odd
        formula = trace.formula(ref)
        nothing = np.zeros(n, dtype=bool)
        if (
            formula is None
            or depth >= 2
            or ref.kind not in (Kind.DE_DA_TERM, Kind.DE_DA, Kind.DA_DZ)
        ):
            return np.full(n, reference), nothing, nothing
        inputs, wrong, odd = [], nothing.copy(), nothing.copy()
        for input_ref in formula.inputs:
            column, w, o = self._own_value(
                input_ref, columns, correct_so_far, rest, sources, depth + 1
            )
            inputs.append(column)
            wrong |= w
            odd |= o
        with np.errstate(all="ignore"):
            value = np.asarray(formula.rule.evaluate(inputs), dtype=float)
        return (np.full(n, float(value)) if value.ndim == 0 else value), wrong, odd


def grade_class(trace: Trace, submissions: list[Submission], *, lang: str = "en") -> list[Graded]:
    """Grade every submission against the exercise's trace."""
    return ClassGrader(trace, lang=lang).grade(submissions)
