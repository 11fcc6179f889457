"""Judging what students' functions returned: one verdict per returned array (z(2), delta(3),
dW(2) …), by the same rules as answer sheets.

Each case's returned arrays are first checked as arrays (present, one per layer, numbers, the
right shape, no NaN, not the transpose of the right one); every element of those that pass is
then a number on a sheet, named as the trace names it (z(2)_1[1], dE/dW(3)_11 …), and a class's
elements are graded at once by the sheet grader (`verdicts.ClassGrader`) — so error carried
forward and the catalogued mistakes work on code as on paper: σ′ left out in the output layer
is that mistake there, and every array computed from it is carried. An array's verdict is its
elements' (correct when all are, carried when all are correct or carried, a mistake when its
others are), and a quantity's verdict over the cases is its worst: right in every case the
file was run on, or not right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.exercise import Ask, NetworkExercise
from ..core.quantities import KINDS, Kind, Ref
from ..core.trace import Trace
from .code_bias import bias_slots
from .report_text import WORDS
from .sheets.numbers import Answer
from .sheets.submission import Submission
from .table import CARRIED, CORRECT, WRONG
from .verdicts import ClassGrader, carried_from

__all__ = ["KEYS", "RETURNED", "RTOL", "CaseJudge", "worst"]

# What the student's function returns, in the order a person computes it: the JSON contract's
# per-layer arrays (`KINDS[kind].array`), the given W and b left out.
RETURNED = (Kind.Z, Kind.A, Kind.DELTA, Kind.GRAD_W, Kind.GRAD_B, Kind.UPDATE_W, Kind.UPDATE_B)
KEYS = tuple(str(KINDS[kind].array) for kind in RETURNED)
RTOL = 1e-6  # relative, on each quantity's own step: float64 summed in another order
ASKED = Ask(kinds=("z", "a", "delta", "grad", "update"), steps=(1,))

_SEVERITY = {CORRECT: 0, CARRIED: 1, "mistake": 2, WRONG: 3, "missing": 3}


def worst(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    """The worse of two (verdict, detail), the first on a tie: correct < carried < mistake <
    wrong."""
    rank = [_SEVERITY.get(v.split(":")[0], 3) for v, _ in (a, b)]
    return b if rank[1] > rank[0] else a


def _plain(value: float) -> str:
    """A number as Python writes a float (never np.float64(…))."""
    return repr(float(value))


@dataclass
class CaseJudge:
    """The judge of one case (the exercise's own numbers, or one drawn from the run's secret)."""

    exercise: NetworkExercise
    trace: Trace
    lang: str = "en"

    def __post_init__(self) -> None:
        ask = self.exercise.ask
        self.words = WORDS[self.lang]
        self.grader = ClassGrader(
            self.trace,
            lang=self.lang,
            ask=Ask(
                kinds=ASKED.kinds,
                steps=ASKED.steps,
                carried_credit=ask.carried_credit,
                mistake_credit=ask.mistake_credit,
            ),
            exact=RTOL,
        )
        record = self.trace.steps[0]
        assert record.backward is not None
        self.right = {KINDS[k].array: list(self.trace.arrays(k) or ()) for k in RETURNED}
        self._labels = {  # each element's name → its array's label, z(2)
            self.trace.name(ref): f"{key}({i + 2})"
            for key in KEYS
            for i in range(len(self.exercise.W))
            if self.right[key][i] is not None
            for _, ref in self._refs(key, i)
        }

    def judge(self, returned: list[Any]) -> list[dict[tuple[str, int], tuple[str, str]]]:
        """Per student's returned value: (verdict, detail) of every (key, layer index)."""
        results: list[dict[tuple[str, int], tuple[str, str]]] = []
        submissions = []
        for value in returned:
            verdicts: dict[tuple[str, int], tuple[str, str]] = {}
            answers: dict[str, Answer] = {}
            for key in KEYS:
                for i in range(len(self.exercise.W)):
                    try:
                        checked = self._array(value, key, i)
                    except Exception as error:  # whatever came back, the class goes on
                        error_name = type(error).__name__
                        checked = (WRONG, self._say("unreadable", key=key, error=error_name))
                    if isinstance(checked, tuple):
                        verdicts[(key, i)] = checked
                    elif checked is not None:
                        answers.update(self._elements(key, i, checked))
            results.append(verdicts)
            submissions.append(Submission("", "", answers))
        table = self.grader.table(submissions)
        columns = {name: j for j, name in enumerate(table.names)}
        for row, verdicts in enumerate(results):
            for key in KEYS:
                for i in range(len(self.exercise.W)):
                    if (key, i) not in verdicts and self.right[key][i] is not None:
                        verdicts[(key, i)] = self._aggregate(table, columns, row, key, i)
        return results

    def _array(self, value: Any, key: str, i: int) -> tuple[str, str] | np.ndarray | None:
        """The returned array of `key` in layer i + 2, or (verdict, detail) when it is not one
        an element-wise judgement can read; None where the layer has no such array."""
        ours = self.right[key][i]
        layer = i + 2
        if not isinstance(value, dict) or key not in value:
            return "missing", self._say("no_key", key=key)
        entries = value[key]
        if key in ("db", "b_new"):  # b = [] for a network without any bias
            entries = bias_slots(self.exercise, entries)
        if not isinstance(entries, list | tuple) or len(entries) != len(self.exercise.W):
            return WRONG, self._say("not_list", key=key, n=len(self.exercise.W))
        theirs = entries[i]
        if ours is None:  # never graded; anything but "no bias" there is told (code_bias.py)
            return None
        try:
            theirs = np.asarray(theirs, dtype=float)
        except (TypeError, ValueError, OverflowError):
            return WRONG, self._say("not_numbers", key=key, layer=layer)
        if theirs.shape != ours.shape:
            shape = "shape_transposed" if theirs.shape == ours.shape[::-1] else "shape"
            return WRONG, self._say(
                shape, key=key, layer=layer, theirs=theirs.shape, ours=ours.shape
            )
        if np.isnan(theirs).any():
            return WRONG, self._say("nan", key=key, layer=layer)
        if (
            theirs.ndim == 2
            and theirs.shape[0] == theirs.shape[1]
            and not np.allclose(theirs, ours, rtol=RTOL, atol=1e-12)
            and np.allclose(theirs, ours.T, rtol=RTOL, atol=1e-12)
        ):
            return WRONG, self._say("transposed", key=key, layer=layer)
        return theirs

    def _say(self, what: str, **fields: object) -> str:
        """A sentence of the feedback, in the report's language."""
        return self.words[f"code_{what}"].format(**fields)

    def _refs(self, key: str, i: int) -> list[tuple[tuple[int, ...], Ref]]:
        """Each element's position in the returned array and the quantity it is."""
        kind = next(k for k in RETURNED if KINDS[k].array == key)
        shape = self.right[key][i].shape  # type: ignore[union-attr]
        refs = []
        for position in np.ndindex(*shape):
            if KINDS[kind].per_sample:  # (sample n, node j)
                ref = Ref(kind, i + 2, (position[1] + 1,), position[0] + 1, 1)
            else:
                ref = Ref(kind, i + 2, tuple(p + 1 for p in position), None, 1)
            refs.append((position, ref))
        return refs

    def _elements(self, key: str, i: int, theirs: np.ndarray) -> dict[str, Answer]:
        answers = {}
        for position, ref in self._refs(key, i):
            value = float(theirs[position])
            answers[self.trace.name(ref)] = Answer(_plain(value), value, None)
        return answers

    def _aggregate(self, table: Any, columns: dict[str, int], row: int, key: str, i: int):
        """An array's verdict from its elements': the first that is not right decides."""
        found = []
        for _, ref in self._refs(key, i):
            name = self.trace.name(ref)
            j = columns[name]
            found.append((name, table.verdicts[j][row], table.details[j][row], table.given[j][row]))
        codes = {verdict for _, verdict, _, _ in found}
        if codes == {CORRECT}:
            return CORRECT, ""
        if codes <= {CORRECT, CARRIED}:
            sources = dict.fromkeys(
                self._labels.get(name, name)
                for _, verdict, detail, _ in found
                if verdict == CARRIED
                for name in carried_from(detail, self.lang)
            )
            return CARRIED, self._say("carried", sources=", ".join(sources))
        mistakes = {c for c in codes if c.startswith("mistake:")}
        if len(mistakes) == 1 and codes - mistakes <= {CORRECT, CARRIED}:
            (mistake,) = mistakes
            return mistake, next(d for _, v, d, _ in found if v == mistake)
        name, _, _, given = next(f for f in found if f[1] not in (CORRECT, CARRIED))
        expected = self.trace.value(self.trace.ref(name))
        return WRONG, self._say(
            "first_difference", name=name, yours=given, expected=_plain(expected)
        )

    def credit(self, verdict: str) -> float:
        """The share of the marks a verdict earns, as on answer sheets."""
        ask = self.grader.ask
        if verdict == CORRECT:
            return 1.0
        if verdict == CARRIED:
            return ask.carried_credit
        if verdict.startswith("mistake:"):
            mistake_id = verdict.split(":", 1)[1]
            default = next((m.credit for m in self.grader.mistakes if m.id == mistake_id), 0.0)
            return ask.mistake_credit.get(mistake_id, default)
        return 0.0
