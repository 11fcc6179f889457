"""Verdicts: every asked quantity of every student, judged column by column over the class.

The rules (README, "How marks are given"), for one quantity and all students at once, where u
is one unit of the last place a student wrote (rounding or truncating moves a number by less):

1. zero information: a written 0 — for an updated weight or bias, the old value — is `wrong`
   when the right value (step) is not 0 at that precision, never carried; a placeholder (one
   number written for many quantities, mostly wrongly) earns nothing, even where it fits;
2. `correct`: within u·(1 + what its unasked inputs' unwritten rounding moves it by) of what
   the quantity's own formula gives as each input the student got right varies between their
   written value and the right value — so honest hand working, rounded or truncated and used
   onward, is right;
   `imprecise` instead when the answer is coarser than `[ask] significant` figures of the
   right value (of W⁺ − W for an update), unless it is exactly right as written;
3. `carried`: within that band of the formula applied to the student's own wrong earlier
   answers (plausible ones: not a 0, 1 or placeholder standing in for a number), so a mistake
   costs marks once, where it was made;
4. `mistake:<id>`: within u of the engine's number with that mistake switched on, when the
   right formula on the student's own inputs cannot explain it;
5. `wrong` (with a hint when it is another quantity's right value), `missing`, `unreadable`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..core.exercise import Ask, NetworkExercise
from ..core.notation import format_number
from ..core.quantities import Ref, ask_group
from ..core.trace import Trace
from ..errors import BackvizError
from ..render.evaluable import compile_python
from .marking import WORDS, carried_from
from .mistakes import Mistake, applicable
from .precision import (
    EXACT_TOLERANCE,
    decimals_needed,
    float32_meets_floor,
    float32_value,
    meets_floor,
    slack,
    unit_of_last_place,
)
from .ranges import Interval, formula_range
from .sheets.numbers import WrittenAnswers, read_numbers
from .spec import (
    HELPER_DEPTH,
    PLACEHOLDER_CELLS,
    PLACEHOLDER_SHARE,
    MistakeSpec,
    QuantitySpec,
    marking_spec,
    step_base,
)
from .table import (
    CARRIED,
    CORRECT,
    IMPRECISE,
    MISSING,
    UNREADABLE,
    WRONG,
    Graded,
    Verdict,
    VerdictTable,
)

if TYPE_CHECKING:
    from .sheets.submission import Submission

__all__ = [
    "CORRECT",
    "ClassGrader",
    "Graded",
    "Verdict",
    "VerdictTable",
    "asked",
    "carried_from",
    "grade_class",
]


class _Formula(NamedTuple):
    """A formula as the grader evaluates it: its input quantities, and the spec's Python
    expression compiled (`evaluate` takes the inputs' columns, as `ranges.formula_range` asks)."""

    inputs: tuple[Ref, ...]
    compiled: Any
    settings: dict[str, float]

    def evaluate(self, values: list[np.ndarray]) -> Any:
        return self.compiled(values, self.settings)


class Column(NamedTuple):
    """A class's answers to one quantity: value (nan when missing or unreadable), decimals
    written (-1 when unknown), text as written, and whether it was read as a number."""

    values: np.ndarray
    decimals: np.ndarray
    texts: np.ndarray
    readable: np.ndarray


class Judged(NamedTuple):
    """What grading a column leaves for the columns after it: who got it right (correct), and
    how far each student's own number may be from what they computed before writing it (one
    unit of its last place when it is precise enough to have been rounded from a computation,
    else nothing: a coarse number is used onward as written)."""

    right: np.ndarray
    spread: np.ndarray


def asked(trace: Trace, ask: Ask) -> list[tuple[Ref, float]]:
    """The quantities an answer sheet asks, in computing order, with their marks."""
    if ask.names:
        refs = [trace.ref(name) for name in ask.names]
        order = {ref: i for i, ref in enumerate(trace.refs())}
        refs.sort(key=lambda r: order.get(r, 0))
    else:
        refs = [ref for ref in trace.refs() if ask.covers(ref)]
    marks = []
    for ref in refs:
        name = trace.name(ref)
        value = ask.marks.get(name, ask.marks.get(ask_group(ref), ask.marks.get("default", 1.0)))
        marks.append((ref, float(value)))
    return marks


def _rounds_to(values: np.ndarray, decimals: np.ndarray, target: np.ndarray | float) -> np.ndarray:
    """The value is `target` rounded to the decimals written (where decimals are known)."""
    half = 0.5 * np.power(10.0, -np.where(decimals >= 0, decimals, 0).astype(float))
    return (decimals >= 0) & (np.abs(values - target) <= half + slack(target))


def _inside(values: np.ndarray, interval: Interval, u: np.ndarray, terms: float) -> np.ndarray:
    """Whether each value is what rounding (by up to u/2) or truncating toward zero (by less
    than u) makes of a number in the interval, give or take u for each unasked term summed.
    Truncation never takes a whole unit off: 0.08 truncates to 0.08, not 0.07, so that side's
    bound is open (and float64's noise at it counted against the answer)."""
    low, high = interval
    with np.errstate(invalid="ignore"):
        toward_zero_below = low >= 0  # a positive number truncates downward
        toward_zero_above = high <= 0
        truncates_below = toward_zero_below | ~toward_zero_above
        truncates_above = toward_zero_above | ~toward_zero_below
        below = np.where(truncates_below, u, u / 2) + terms * u
        above = np.where(truncates_above, u, u / 2) + terms * u
        fuzz = slack(np.maximum(np.abs(low), np.abs(high)))
        whole = u > 2 * fuzz  # a unit above float64's noise: a whole unit off is no truncation
        lower = np.where(
            truncates_below & whole, values > low - below + fuzz, values >= low - below - fuzz
        )
        upper = np.where(
            truncates_above & whole, values < high + above - fuzz, values <= high + above + fuzz
        )
        return lower & upper


class ClassGrader:
    """Grades many submissions of one exercise at once."""

    def __init__(
        self,
        trace: Trace,
        *,
        lang: str = "en",
        ask: Ask | None = None,
        exact: float = EXACT_TOLERANCE,
    ) -> None:
        """`ask`: what is asked and the credits (default: the exercise's own [ask]); `exact`:
        the part of a quantity's step within which a number of unknown decimals is right."""
        from ..core.engine import run

        self.trace = trace
        self.lang = lang
        self.exact = exact
        exercise: NetworkExercise = trace.exercise
        self.ask = ask or exercise.ask
        self.items = asked(trace, self.ask)
        self._asked = {ref for ref, _ in self.items}
        self.mistakes: list[Mistake] = applicable(exercise)
        mistaken = [(m, run(exercise, m.mistakes)) for m in self.mistakes]
        self.spec = marking_spec(trace, self.items, self.ask, mistaken, exact=exact)
        self._quantities = {q.name: q for q in (*self.spec.asked, *self.spec.helpers.values())}
        self._formulas: dict[Ref, _Formula] = {}
        self._refs: dict[str, Ref | None] = {}

    def _word(self, key: str, **fields: object) -> str:
        words = WORDS[key]
        return words.get(self.lang, words["en"]).format(**fields)

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
        """What a quantity's step is measured from (`spec.step_base`)."""
        return step_base(self.trace, ref)

    def _spec(self, ref: Ref) -> QuantitySpec | None:
        """The marking spec of an asked quantity or of an unasked one an asked one reads."""
        return self._quantities.get(self.trace.name(ref))

    def _formula(self, ref: Ref) -> _Formula | None:
        """The quantity's formula as the spec gives it: its input quantities and its Python
        expression, compiled once (None for a number used as it is)."""
        if ref not in self._formulas:
            spec = self._spec(ref)
            if spec is None or spec.formula is None:
                return None
            formula = spec.formula
            inputs = tuple(self.trace.ref(name) for name in formula.inputs)
            self._formulas[ref] = _Formula(inputs, compile_python(formula.python), formula.settings)
        return self._formulas[ref]

    def grade(self, submissions: list[Submission]) -> list[Graded]:
        """Every submission's verdicts, one `Graded` each (sheets with problems too)."""
        return self.table(submissions).graded()

    def table(self, submissions: list[Submission]) -> VerdictTable:
        """Every submission's verdicts as one table, judged a quantity at a time."""
        trace = self.trace
        n = len(submissions)
        columns, problems = self._columns(submissions)
        self._places = self._sheet_places(columns, n)
        verdicts, given, details = [], [], []
        expected = np.empty((n, len(self.items)))
        marks = np.empty((n, len(self.items)))
        judged: dict[Ref, Judged] = {}
        self._echoes: dict[Ref, np.ndarray] = {}
        for j, (ref, max_marks) in enumerate(self.items):
            codes, notes, column_marks = self._grade_column(ref, max_marks, columns, judged, n)
            verdicts.append(codes.tolist())
            details.append(notes)
            given.append(columns[ref].texts.tolist() if ref in columns else [""] * n)
            expected[:, j] = trace.value(ref)
            marks[:, j] = column_marks
        self._placeholders(columns, verdicts, details, marks)
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
            attempts=(
                [s.attempt for s in submissions]
                if any(s.attempt is not None for s in submissions)
                else []
            ),
        )

    def _columns(self, submissions: list[Submission]) -> tuple[dict[Ref, Column], list[list[str]]]:
        """The class's answers as columns per quantity: value (nan when missing or unreadable),
        decimals written (-1 when unknown), text as written, readable; and each sheet's problems.

        Sheets naming the same quantities in the same order (a class filling in one template)
        are taken together, a column at a time.
        """
        n = len(submissions)
        problems: list[list[str]] = [list(s.problems) for s in submissions]
        columns: dict[Ref, Column] = {}
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
            unasked: list[str] = []
            for written, answers in zip(written_names, zip(*rows, strict=True), strict=True):
                ref = self._ref(written)
                problem = ""
                if ref is None:
                    problem = self._word("unknown", written=written)
                elif ref in seen:
                    problem = self._word("again", written=written, first=seen[ref])
                if problem:
                    for i in members:
                        problems[i].append(problem)
                    continue
                seen[ref] = written
                if ref not in self._asked and self.trace.formula(ref) is not None:
                    unasked.append(written)  # read (a formula may use it), never marked
                if ref not in columns:
                    columns[ref] = Column(
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
            if unasked:
                self._not_asked(columns, unasked, members, problems)
        return columns, problems

    def _not_asked(
        self,
        columns: dict[Ref, Column],
        unasked: list[str],
        members: list[int],
        problems: list[list[str]],
    ) -> None:
        """Say, on each sheet that answers them, which quantities the exercise does not ask:
        they are read (an asked formula may use them) but never marked."""
        for i in members:
            names = [w for w in unasked if columns[self.trace.ref(w)].texts[i]]
            if names:
                problems[i].append(self._word("not_asked", names=", ".join(names)))

    def _sheet_places(self, columns: dict[Ref, Column], n: int) -> np.ndarray:
        """The most decimals each sheet writes on an asked quantity (-1: none known): the
        precision its student works at, which rule 1 reads a 0 against."""
        places = np.full(n, -1)
        for ref, _ in self.items:
            if ref in columns:
                column = columns[ref]
                known = column.readable & np.isfinite(column.values)
                places = np.maximum(places, np.where(known, column.decimals, -1))
        return places

    def _placeholders(
        self,
        columns: dict[Ref, Column],
        verdicts: list[list[str]],
        details: list[list[str]],
        marks: np.ndarray,
    ) -> None:
        """A number a student wrote for a quarter of the quantities or more (PLACEHOLDER_SHARE),
        of more than one kind, fewer than half of them correct, the right value rounded or
        truncated, a catalogued mistake or carried from other numbers (not from itself: a
        placeholder is consistent with itself), is a placeholder: it earns nothing, even where
        it happens to fit. A 0 counts as explained only where rule 1 finds it right (the right
        value is 0 at that precision), never as a rounded value: a sheet of zeros earns
        nothing for the quantities that happen to be 0 (a dropped unit's, a zero weight's)."""
        refs = [(j, ref) for j, (ref, _) in enumerate(self.items) if ref in columns]
        if len(refs) < PLACEHOLDER_CELLS:
            return
        values = np.column_stack([columns[ref].values for _, ref in refs])
        answered = np.isfinite(values).sum(axis=1)
        codes = np.array([verdicts[j] for j, _ in refs], dtype=object).T
        explained = np.char.startswith(codes.astype(str), "mistake:") | (codes == CORRECT)
        echoes = np.column_stack(
            [self._echoes.get(ref, np.zeros(len(codes), bool)) for _, ref in refs]
        )
        explained |= (codes == CARRIED) & ~echoes
        for k, (_, ref) in enumerate(refs):  # the right value, rounded or truncated as written
            right = self.trace.value(ref)
            u = unit_of_last_place(columns[ref].decimals, right - self._base(ref), self.exact)
            explained[:, k] |= _inside(values[:, k], (np.full(len(u), right),) * 2, u, 0)
        zero = values == 0
        explained = np.where(zero, codes == CORRECT, explained)
        groups = np.array([ask_group(ref) for _, ref in refs])
        for k, (j, _) in enumerate(refs):
            same = values == values[:, [k]]
            count = same.sum(axis=1)
            rightly = (same & explained).sum(axis=1)
            enough = np.maximum(PLACEHOLDER_CELLS, PLACEHOLDER_SHARE * answered)
            cells = (count >= enough) & (2 * rightly < count)
            for i in np.flatnonzero(cells):
                if len(set(groups[same[i]])) < 2:
                    continue  # one kind of quantity throughout (σ′ = 1 in every layer)
                if zero[i, k] and marks[i, j] == 0:
                    continue  # a 0 rule 1 gave nothing keeps its own reason
                verdicts[j][i] = WRONG
                details[j][i] = self._word("placeholder", count=int(count[i]))
                marks[i, j] = 0.0

    def _input(
        self,
        ref: Ref,
        own: bool,
        columns: dict[Ref, Column],
        judged: dict[Ref, Judged],
        sources: list[list[str]] | None,
        n: int,
        depth: int = 0,
    ) -> tuple[Interval, np.ndarray, np.ndarray]:
        """A formula input as each student may have used it: its interval (between their
        answer and the right value where they got it right; at the right value, or with `own`
        around their own value, where they did not), their own value, and whether it is their
        own wrong number. An input the sheet does not ask is its own formula over its inputs
        (∂E/∂h1 reads the path terms δ_o·w)."""
        trace = self.trace
        reference = trace.value(ref)
        nothing = np.zeros(n, dtype=bool)
        fixed = np.full(n, reference)
        if ref in columns:
            values, decimals, texts, readable = columns[ref]
            use = readable & np.isfinite(values)
            # a quantity the sheet does not ask but the student wrote is judged here: right
            # when within a unit of its last place
            unit = unit_of_last_place(decimals, reference, self.exact)
            state = judged.get(ref) or Judged(np.abs(values - reference) <= unit, unit)
            right = use & state.right
            wrong = use & ~state.right
            mine = np.where(right | (wrong & own), values, reference)
            # their own wrong number is what they computed, rounded or truncated as written
            spread = np.where(wrong & own, state.spread, 0.0)
            low = np.where(right, np.minimum(values, reference), mine - spread)
            high = np.where(right, np.maximum(values, reference), mine + spread)
            if own and sources is not None:
                name = trace.name(ref)
                for i in np.flatnonzero(wrong):
                    sources[i].append(self._word("yours", name=name, text=texts[i]))
            return (low, high), mine, wrong & own
        formula = self._formula(ref)
        if formula is None or depth >= HELPER_DEPTH or ref in self._asked:
            return (fixed, fixed), fixed, nothing
        intervals, mine_inputs = [], []
        wrong = nothing.copy()
        for input_ref in formula.inputs:
            interval, mine, w = self._input(input_ref, own, columns, judged, sources, n, depth + 1)
            intervals.append(interval)
            mine_inputs.append(mine)
            wrong |= w
        interval = formula_range(formula, intervals, n, mine_inputs)
        mine = formula_range(formula, [(m, m) for m in mine_inputs], n)[0]
        return interval, mine, wrong

    def _ranges(
        self, ref: Ref, columns: dict[Ref, Column], judged: dict[Ref, Judged], n: int
    ) -> tuple[Interval | None, Interval | None, np.ndarray, list[list[str]], list]:
        """What the formula gives over the student's right inputs (the others at the right
        value), and over their own inputs (the others as they wrote them): who has an input of
        their own that is not right, which inputs those are, and their values."""
        formula = self._formula(ref)
        sources: list[list[str]] = [[] for _ in range(n)]
        nothing = np.zeros(n, dtype=bool)
        owned: list[tuple[np.ndarray, np.ndarray]] = []
        if formula is None:
            return None, None, nothing, sources, owned
        right_boxes, own_boxes, own_points = [], [], []
        wrong = nothing.copy()
        for input_ref in formula.inputs:
            interval, _, _ = self._input(input_ref, False, columns, judged, None, n)
            right_boxes.append(interval)
            interval, mine, w = self._input(input_ref, True, columns, judged, sources, n)
            own_boxes.append(interval)
            own_points.append(mine)
            owned.append((mine, w))
            wrong |= w
        rights = formula_range(formula, right_boxes, n)
        owns = formula_range(formula, own_boxes, n, own_points) if wrong.any() else None
        return rights, owns, wrong, sources, owned

    def _grade_column(self, ref, max_marks, columns, judged, n):
        trace = self.trace
        reference = trace.value(ref)
        base = self._base(ref)
        step = reference - base
        codes = np.array([MISSING] * n, dtype=object)
        details = [""] * n
        marks = np.zeros(n)
        nothing = np.zeros(n, dtype=bool)
        if ref not in columns:
            judged[ref] = Judged(nothing, np.zeros(n))
            return codes, details, marks
        values, decimals, texts, readable = columns[ref]
        codes[~readable & texts.astype(bool)] = UNREADABLE  # written, not read
        answered = readable & np.isfinite(values)
        u = unit_of_last_place(decimals, step, self.exact)
        spec = self._spec(ref)
        assert spec is not None
        terms = spec.terms
        rights, owns, has_wrong, sources, owned = self._ranges(ref, columns, judged, n)
        if rights is None:
            rights = (np.full(n, reference), np.full(n, reference))
        within_right = _inside(values, rights, u, terms)
        within_own = nothing if owns is None else _inside(values, owns, u, terms) & has_wrong
        # 1. zero information: a 0 (W⁺ = W) where the right value (step) is not 0 to the
        # precision written, or to the precision the sheet writes elsewhere, is wrong; where
        # it is 0 to both, it is an honest rounding, too coarse, and earns nothing either way
        nought = answered & (np.abs(values - base) <= slack(base)) & (step != 0)
        places = self._places
        fine = np.minimum(u, np.where(places >= 0, np.power(10.0, -np.maximum(places, 0)), u))
        zero = nought & (np.abs(step) >= fine)
        coarse = zero & (np.abs(step) < u)  # 0 only to its own few decimals: a term left out?
        if base:  # a 0 written for an updated weight says nothing either
            written_zero = answered & (values == 0) & (reference != 0)
            zero |= written_zero & (abs(reference) >= fine)
            nought |= written_zero
        # 2. right (correct, or imprecise below the floor)
        floor = meets_floor(values, decimals, reference, step, self.ask.significant)
        open_ = answered & ~zero
        right = open_ & within_right
        # float32's value (the right value rounded through float32, to the decimals written)
        # is right to float32's precision: right where that meets the floor
        single = float32_value(reference)
        float32 = open_ & ~right & (single != reference) & bool(np.isfinite(single))
        float32 &= _rounds_to(values, decimals, single)
        floor = np.where(float32, float32_meets_floor(reference, step, self.ask.significant), floor)
        right |= float32
        # 3. carried from their own earlier answers that are not right
        carried = open_ & ~right & within_own
        echo = carried.copy()  # carried only from the very number it repeats (a placeholder?)
        for mine, w in owned:
            echo &= ~w | (mine == values)
        self._echoes[ref] = echo
        precise = right | carried
        codes[precise & floor & right] = CORRECT
        marks[precise & floor] = max_marks
        codes[precise & floor & carried] = CARRIED
        marks[precise & floor & carried] = self.ask.carried_credit * max_marks
        imprecise = precise & ~floor
        codes[imprecise] = IMPRECISE
        marks[imprecise] = np.where(nought[imprecise], 0.0, self.ask.imprecise_credit * max_marks)
        if imprecise.any():
            what = self._word("the_step" if base else "the_value")
            note = self._word(
                "imprecise",
                decimals=decimals_needed(step, self.ask.significant),
                significant=self.ask.significant,
                what=what,
                step=format_number(step, decimals_needed(step, self.ask.significant) + 1),
            )
            needed = decimals_needed(step, self.ask.significant)
            nought_note = self._word("nought", decimals=needed)
            unchanged_note = self._word("unchanged", decimals=needed)
            for i in np.flatnonzero(imprecise):
                prefix = ""
                if carried[i]:
                    prefix = self._word("imprecise_carried", sources=", ".join(sources[i]))
                nothing = unchanged_note if values[i] != 0 else nought_note
                details[i] = prefix + (nothing if nought[i] else note)
        for i in np.flatnonzero(precise & floor & carried):
            details[i] = self._word("carried", sources=", ".join(sources[i]))
        for i in np.flatnonzero(float32):
            details[i] = self._word("float32", value=format_number(reference))
        # 4. a catalogued mistake, where the right formula on their inputs cannot explain it
        mistaken = np.zeros(n, dtype=bool)
        rest = open_ & ~precise & floor  # too coarse to tell a mistake from the right value
        for mistake in spec.mistakes:
            value = mistake.value
            if np.isclose(value, reference, rtol=1e-12, atol=0):
                continue
            band = u * (1 + terms) + slack(value)
            near = np.abs(values - value) <= band  # within a unit (and one per unasked term)
            hit = rest & ~mistaken & near & (np.abs(value - reference) > band)

            self._mark_mistake(codes, details, marks, hit, mistake, max_marks)
            mistaken |= hit
        # 5. wrong
        wrong = answered & ~precise & ~mistaken
        codes[wrong] = WRONG
        for i in np.flatnonzero(zero):
            if within_own[i]:
                details[i] = self._word("trivial", sources=", ".join(sources[i]))
            elif base and values[i] != 0:
                details[i] = self._word("not_updated", step=format_number(step))
            elif coarse[i]:
                value = format_number(reference)
                details[i] = self._word("zero_places", value=value, places=int(places[i]))
            else:
                details[i] = self._word("zero")
        others = np.flatnonzero(wrong & ~zero)
        notes = self._lookalikes(ref, values[others], decimals[others])
        for i, note in zip(others, notes, strict=True):
            details[i] = note  # a right number under the wrong name?
        judged[ref] = Judged(answered & right & floor, np.where(floor, u, 0.0))
        return codes, details, marks

    def _lookalikes(self, ref: Ref, values: np.ndarray, decimals: np.ndarray) -> list[str]:
        """'the value of z3' for each wrong answer that is another asked quantity's right
        value (at the precision written, or within the tolerance when that is unknown) — but
        not where a catalogued mistake's number for this quantity is the answer too: then the
        mistake explains it, and no mislabelling is suggested."""
        others = [other for other, _ in self.items if other != ref]
        if not others or not len(values):
            return [""] * len(values)
        spec = self._spec(ref)
        mistaken = [m.value for m in spec.mistakes] if spec is not None else []
        targets = np.array([self.trace.value(other) for other in others])[None, :]
        values, decimals = values[:, None], decimals[:, None]

        def matches(targets: np.ndarray) -> np.ndarray:
            return _rounds_to(values, decimals, targets) | (
                (decimals < 0) & (np.abs(values - targets) <= EXACT_TOLERANCE * np.abs(targets))
            )

        match = matches(targets)
        if mistaken:
            match &= ~matches(np.array(mistaken)[None, :]).any(axis=1, keepdims=True)
        first = match.argmax(axis=1)
        return [
            self._word("lookalike", name=self.trace.name(others[k])) if match[row, k] else ""
            for row, k in enumerate(first)
        ]

    def _mark_mistake(
        self, codes, details, marks, hit, mistake: MistakeSpec, max_marks: float
    ) -> None:
        codes[hit] = f"mistake:{mistake.id}"
        marks[hit] = mistake.credit * max_marks
        for i in np.flatnonzero(hit):
            details[i] = mistake.explanation.get(self.lang, mistake.explanation["en"])


def grade_class(trace: Trace, submissions: list[Submission], *, lang: str = "en") -> list[Graded]:
    """Grade every submission against the exercise's trace."""
    return ClassGrader(trace, lang=lang).grade(submissions)
