"""Judging a student's training loop (`[code] contract = "train"`): the weights after each step.

The function is called as `train(W, b, x, t, learning_rate, steps)` and returns a list of
`steps` pairs (W, b), the weights after each step, W and b lists with one entry per non-input
layer as given — whether it is written with numpy and a hand-derived gradient, autograd,
`torch.optim` or an `nn.Module` (seeds/003's one model written five ways). It is judged step
by step, each step from the student's own previous weights (and, for an optimiser with a state
such as Adam's m and v, the state their own steps build up): a step is right when it is the
step of the exercise's optimiser from their step before it. So an error carried forward costs
nothing at the steps it is carried to (`carried`: right from their own wrong weights); a
step that is the step with a catalogued mistake made (`mistakes.py`: the engine's switches, the
update added, η left out, the batch summed …) is that mistake, at that step — `.grad`
never zeroed (`optimizer.zero_grad()` forgotten) too, its step from the sum of the gradients
at the student's weights before each of their steps so far (`_NeverZeroed`); and a
float32 run, whose rounding piles up over many steps (~3e-6 relative after seeds/001's 1000
epochs), is judged to float32's precision one step at a time, never against a float64
trajectory it could not follow. Each element must agree to 1e-6 of the step's own change
(what the step adds to the weight) plus 8 units of float64's precision of the weight; a
float32 answer to 16 times what float32 measurably changes in that step (`code_float32.py`:
the step taken again in float32) plus 2 units of float32's precision. A catalogued mistake is
looked for from the optimiser state of the right steps and from the state the mistake itself
builds when made at every step; the loop's own mistakes (the optimiser created anew each step)
are `loop_mistakes.py`'s. Every step returned holding the same numbers (one array appended and
updated in place) is said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.engine import train_step
from ..core.exercise import NetworkExercise
from ..core.trace import Trace
from .code_bias import bias_slots
from .code_float32 import FLOAT32_MARGIN, FLOAT32_ULPS, Float32Twin
from .loop_mistakes import LoopMistake, loop_mistakes
from .mistakes import Mistake, applicable
from .report_text import WORDS
from .table import CARRIED, CORRECT, WRONG

__all__ = [
    "RTOL",
    "TRAIN_DESCRIPTION",
    "TRAIN_STYLES",
    "TrainJudge",
    "blind_mistakes",
    "train_rows",
    "train_stub",
]

RTOL = 1e-6
"""Of the step's own change: what the step adds to each weight."""
ULPS = 8
"""Units of float64's precision (of the weight itself) also allowed."""
EPS64, EPS32 = float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps)

_WORDS = {
    "en": {
        "not_list": "train() should return a list of {steps} (W, b) pairs, one per step; "
        "found {found}",
        "not_pair": "step {step}: expected a pair (W, b) of lists, one entry per layer ({n}); "
        "found {found}",
        "no_previous": "your step {previous} cannot be read, so this step cannot be judged from it",
        "float32": "(float32: judged to float32's precision)",
        "carried": "computed right from your own step {previous}",
        "aliased": "every step you returned holds the same numbers: the list holds one array "
        "updated in place; append copies (W.copy(), .detach().clone())",
    },
    "ko": {
        "not_list": "train()은 단계마다 하나씩 (W, b) 쌍 {steps}개의 리스트를 돌려줘야 한다; "
        "돌려준 값: {found}",
        "not_pair": "{step}단계: 층마다 하나씩({n}) 든 리스트 (W, b) 쌍이어야 한다; "
        "돌려준 값: {found}",
        "no_previous": "{previous}단계의 값을 읽을 수 없어 이 단계를 그로부터 판정할 수 없다",
        "float32": "(float32: float32의 정밀도로 판정함)",
        "carried": "내가 계산한 {previous}단계에서 올바르게 계산함",
        "aliased": "돌려준 모든 단계가 같은 수다: 리스트에 제자리에서 갱신되는 같은 배열이 "
        "들어 있다. 복사본을 추가할 것 (W.copy(), .detach().clone())",
    },
}


def train_rows(exercise: NetworkExercise) -> list[tuple[tuple[str, int], str]]:
    """The graded rows, in order: ((key, layer index), label) of W and b of every layer after
    every step (`W(2)@3`: layer 2's weights after step 3)."""
    rows = []
    for step in range(1, exercise.training.steps + 1):
        for i, bias in enumerate(exercise.b):
            rows.append(((f"W@{step}", i), f"W({i + 2})@{step}"))
            if bias is not None:
                rows.append(((f"b@{step}", i), f"b({i + 2})@{step}"))
    return rows


def _describe(value: Any) -> str:
    """What came back, in a few words."""
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {len(value)}"
    return type(value).__name__


@dataclass
class TrainJudge:
    """The judge of one case of a training exercise (as `code_verdicts.CaseJudge` for one
    step's every number): the same `judge` and `credit`, rows from `train_rows`."""

    exercise: NetworkExercise
    trace: Trace
    lang: str = "en"

    def __post_init__(self) -> None:
        self.words = WORDS[self.lang]
        self.mine = _WORDS.get(self.lang, _WORDS["en"])
        self.steps = self.exercise.training.steps
        self.layers = len(self.exercise.W)
        self.mistakes = applicable(self.exercise) + loop_mistakes(self.exercise)

    def judge(self, returned: list[Any]) -> list[dict[tuple[str, int], tuple[str, str]]]:
        """Per student's returned value: (verdict, detail) of every row."""
        with np.errstate(all="ignore"):  # their weights may overflow: inf, as torch gives
            return [self._aliasing_told(value, self._one(value)) for value in returned]

    def _aliasing_told(
        self, value: Any, verdicts: dict[tuple[str, int], tuple[str, str]]
    ) -> dict[tuple[str, int], tuple[str, str]]:
        """Where every step returned holds the same numbers (one array appended each step
        and updated in place, so the list holds the last weights `steps` times), each step
        not right says so, instead of its first difference."""
        if not _aliased(value):
            return verdicts
        why = self.mine["aliased"]
        return {
            row: (verdict, detail) if verdict in (CORRECT, CARRIED) else (WRONG, why)
            for row, (verdict, detail) in verdicts.items()
        }

    def credit(self, verdict: str) -> float:
        """The share of the marks a verdict earns, as on answer sheets."""
        if verdict == CORRECT:
            return 1.0
        if verdict == CARRIED:
            return self.exercise.ask.carried_credit
        if verdict.startswith("mistake:"):
            mistake_id = verdict.split(":", 1)[1]
            default = next((m.credit for m in self.mistakes if m.id == mistake_id), 0.0)
            return self.exercise.ask.mistake_credit.get(mistake_id, default)
        return 0.0

    def _one(self, value: Any) -> dict[tuple[str, int], tuple[str, str]]:
        verdicts: dict[tuple[str, int], tuple[str, str]] = {}
        if not isinstance(value, list | tuple) or len(value) != self.steps:
            why = self.mine["not_list"].format(steps=self.steps, found=_describe(value))
            return {key: (WRONG, why) for key, _ in train_rows(self.exercise)}
        W = tuple(w.copy() for w in self.exercise.W)
        b = tuple(None if v is None else v.copy() for v in self.exercise.b)
        state_W = state_b = None
        never_zeroed = [_NeverZeroed(m) for m in self.mistakes if m.switch == _ACCUMULATED]
        # what float32 changes at each step, measured: only for an answer in float32
        twin = Float32Twin(self.exercise) if _in_float32(value) else None
        no_rounding = tuple(tuple(None for _ in self.exercise.b) for _ in "Wb")
        chains: dict = {}  # each mistake's optimiser state, made at every step
        all_right = True  # every step so far right from the one before it
        for step in range(1, self.steps + 1):
            pair = value[step - 1]
            found = None
            if W is not None:
                before = (W, b, state_W, state_b)
                _, _, W_own, b_own, state_W, state_b = train_step(
                    self.exercise, step, W, b, before[2], before[3]
                )
                rounding = twin.difference(step, before, W_own, b_own) if twin else no_rounding
                slips = _Slips(self.exercise, step, before, rounding, chains)
                for track in never_zeroed:  # followed at every step, asked for or not
                    slips.follow(track.mistake, track.step(self.exercise, step, W, b))
                found = self._pair(pair, step, W_own, b_own, W, b, all_right, verdicts, slips)
                chains = slips.advance(self.mistakes)
            else:
                why = self.mine["no_previous"].format(previous=step - 1)
                for i in range(self.layers):
                    verdicts[(f"W@{step}", i)] = (WRONG, why)
                    verdicts[(f"b@{step}", i)] = (WRONG, why)
            if found is None:
                W = b = None  # later steps cannot be judged from this one
                all_right = False
                continue
            W, b, right = found
            all_right = all_right and right
        return verdicts

    def _pair(
        self,
        pair: Any,
        step: int,
        W_own: tuple,
        b_own: tuple,
        W_before: tuple,
        b_before: tuple,
        all_right: bool,
        verdicts: dict[tuple[str, int], tuple[str, str]],
        slips: _Slips,
    ) -> tuple[tuple, tuple, bool] | None:
        """Step `step`'s (W, b) judged against the step from the student's own previous
        weights; their weights (to judge the next step from) and whether all were right, or
        None when they cannot be read."""
        n = self.layers
        slots = None  # the biases, one slot per layer (b = [] when no layer has one)
        if isinstance(pair, list | tuple) and len(pair) == 2:
            slots = bias_slots(self.exercise, pair[1])
        if slots is None or not (isinstance(pair[0], list | tuple) and len(pair[0]) == n):
            why = self.mine["not_pair"].format(step=step, n=n, found=_describe(pair))
            for i in range(n):
                verdicts[(f"W@{step}", i)] = (WRONG, why)
                verdicts[(f"b@{step}", i)] = (WRONG, why)
            return None
        theirs_W, theirs_b = list(pair[0]), slots
        readable = True
        right = True
        judged = (("W", theirs_W, W_own, W_before), ("b", theirs_b, b_own, b_before))
        for key, theirs, own, before in judged:
            for i in range(n):
                verdict, array = self._element(
                    key, step, i, theirs[i], own[i], before[i], all_right, slips
                )
                verdicts[(f"{key}@{step}", i)] = verdict
                if own[i] is None:  # no bias: the next step never reads what is there
                    theirs[i] = None
                else:
                    if array is None:
                        readable = False
                    else:
                        theirs[i] = array
                    right = right and verdict[0] == CORRECT
        if not readable:
            return None
        return tuple(theirs_W), tuple(theirs_b), right

    def _element(
        self,
        key: str,
        step: int,
        i: int,
        theirs: Any,
        own: np.ndarray | None,
        before: np.ndarray | None,
        all_right: bool,
        slips: _Slips,
    ) -> tuple[tuple[str, str], np.ndarray | None]:
        """One layer's W or b after one step: (verdict, detail) and the array read (None
        when it cannot be read)."""
        layer = i + 2
        name = f"{key}({layer})@{step}"
        if own is None:  # no bias: not graded (code_bias.py tells what is there)
            return (CORRECT, ""), None
        try:
            raw = np.asarray(theirs)
            array = raw.astype(float)
        except (TypeError, ValueError, OverflowError):
            return (WRONG, self.words["code_not_numbers"].format(key=name, layer=layer)), None
        if array.shape != own.shape:
            what = "code_shape_transposed" if array.shape == own.shape[::-1] else "code_shape"
            detail = self.words[what].format(
                key=name, layer=layer, theirs=array.shape, ours=own.shape
            )
            return (WRONG, detail), None
        if np.isnan(array).any():
            return (WRONG, self.words["code_nan"].format(key=name, layer=layer)), array
        float32 = _float32(raw, array)
        assert before is not None
        measured = slips.rounding[0 if key == "W" else 1][i]
        allowed = measured if float32 else None  # float64 is allowed no float32 rounding
        if _close(array, own, before, allowed):
            note = self.mine["float32"] if float32 else ""
            if all_right:
                return (CORRECT, note), array
            carried = self.mine["carried"].format(previous=step - 1)
            return (CARRIED, f"{carried} {note}".strip()), array
        for mistake in self.mistakes:  # a catalogued slip made at this step
            made = slips.weights(mistake, key, i)
            if any(_close(array, one, before, allowed) for one in made if one is not None):
                return (f"mistake:{mistake.id}", mistake.explanation[self.lang]), array
        if (
            array.ndim == 2
            and array.shape[0] == array.shape[1] > 1
            and not np.array_equal(own, own.T)
            and _close(array.T, own, before, allowed)
        ):
            return (WRONG, self.words["code_transposed"].format(key=name, layer=layer)), array
        where = np.argwhere(~_within(array, own, before, None))[0]
        index = "".join(str(p + 1) for p in where)
        detail = self.words["code_first_difference"].format(
            name=f"{key}({layer})_{index}@{step}",
            yours=repr(float(array[tuple(where)])),
            expected=repr(float(own[tuple(where)])),
        )
        return (WRONG, detail), array


class _Slips:
    """The weights a step from the student's own previous ones gives with each catalogued
    mistake made at this step (`engine.Mistakes`: the update added, η left out, the batch
    summed, the ½'s 2 …), computed when first asked for: from the optimiser state of the right
    steps (a slip at this step alone), and from the state the mistake builds when made at
    every step before (a loop's mistake is made at every step: Adam's m and v of a summed
    batch are of the summed gradients)."""

    def __init__(
        self,
        exercise: NetworkExercise,
        step: int,
        before: tuple,
        rounding: tuple,
        chains: dict[tuple[str, int | None], tuple] | None = None,
    ) -> None:
        self.exercise, self.step, self.before = exercise, step, before
        self.rounding = rounding  # what float32 changes in this step (code_float32.py)
        self.chains = chains or {}  # (mistake id, layer) → (state of W, state of b) it built
        self.made: dict[tuple[str, int | None, bool], tuple | None] = {}

    def _made(self, mistake: Mistake, chained: bool) -> tuple | None:
        """(W⁺, b⁺, state of W, state of b) with `mistake` made at this step: from the right
        steps' state, or (`chained`) from the mistake's own (None where it has none)."""
        key = (mistake.id, mistake.layer, chained)  # σ′ left out in layer 2 or in layer 3
        if key not in self.made:
            W, b, state_W, state_b = self.before
            if isinstance(mistake, LoopMistake):
                found = (
                    None
                    if chained
                    else (*mistake.weights(self.exercise, self.step, self.before), None, None)
                )
            elif chained:
                state = self.chains.get((mistake.id, mistake.layer))
                found = (
                    None
                    if state is None
                    else train_step(self.exercise, self.step, W, b, *state, mistake.mistakes)[2:]
                )
            else:
                found = train_step(
                    self.exercise, self.step, W, b, state_W, state_b, mistake.mistakes
                )[2:]
            self.made[key] = found
        return self.made[key]

    def follow(self, mistake: Mistake, weights: tuple[tuple, tuple]) -> None:
        """The step with `mistake` made, as followed over every step (`_NeverZeroed`: .grad
        never zeroed holds every earlier step's gradient); it has no other way."""
        self.made[(mistake.id, mistake.layer, False)] = (*weights, None, None)
        self.made[(mistake.id, mistake.layer, True)] = None

    def weights(self, mistake: Mistake, key: str, i: int) -> list[np.ndarray | None]:
        """Layer i's W or b (key) after this step with `mistake` made, each way."""
        made = [self._made(mistake, chained) for chained in (False, True)]
        return [(one[0] if key == "W" else one[1])[i] for one in made if one is not None]

    def advance(self, mistakes: list[Mistake]) -> dict[tuple[str, int | None], tuple]:
        """Each mistake's optimiser state after this step, made at every step so far (only
        where the optimiser keeps a state)."""
        if not self.exercise.training.optimizer.slots:
            return {}
        chains = {}
        for mistake in mistakes:
            if isinstance(mistake, LoopMistake) or mistake.switch == _ACCUMULATED:
                continue  # followed over the steps by their own rules
            made = self._made(mistake, True) or self._made(mistake, False)
            assert made is not None
            chains[(mistake.id, mistake.layer)] = (made[2], made[3])
        return chains


def _aliased(value: Any) -> bool:
    """Whether two steps or more were returned and all hold the same numbers, W and b."""
    if not isinstance(value, list | tuple) or len(value) < 2:
        return False
    try:
        first = value[0]
        return all(
            len(pair) == 2
            and all(
                len(mine) == len(theirs)
                and all(
                    (a is None and c is None)
                    or (a is not None and c is not None and np.array_equal(a, c))
                    for a, c in zip(mine, theirs, strict=True)
                )
                for mine, theirs in zip(pair, first, strict=True)
            )
            for pair in value[1:]
        )
    except (TypeError, ValueError):  # not pairs of lists of arrays: judged as it is
        return False


def _in_float32(value: Any) -> bool:
    """Whether any array a training loop returned was computed in float32 (`_float32`)."""
    sequence = list | tuple
    pairs = value if isinstance(value, sequence) else ()
    parts = [part for pair in pairs if isinstance(pair, sequence) for part in pair]
    for a in (a for part in parts if isinstance(part, sequence) for a in part):
        try:
            raw = np.asarray(a)
            if raw.dtype.kind == "f" and raw.size and _float32(raw, raw.astype(float)):
                return True
        except (TypeError, ValueError):  # not an array of numbers: judged as it is
            continue
    return False


_ACCUMULATED = "gradients_accumulated"
"""The switch of the one mistake whose step depends on every earlier step, not only the one
before it: .grad never zeroed."""


@dataclass
class _NeverZeroed:
    """A loop that never zeroes .grad (`optimizer.zero_grad()` forgotten), followed from the
    student's own weights: what .grad holds after each step (the sum of the gradients at their
    weights before each step so far) and the optimiser's state those sums built, as torch's
    `optimizer.step()` reads them (Adam's m and v, the momentum buffer)."""

    mistake: Mistake
    held: tuple[tuple, tuple] | None = None  # .grad of W and b after the step before
    state_W: tuple | None = None
    state_b: tuple | None = None

    def step(self, exercise: NetworkExercise, step: int, W: tuple, b: tuple) -> tuple[tuple, tuple]:
        """The weights after step `step` from the student's W and b before it, with .grad
        still holding the earlier steps' gradients; what .grad holds is kept for the next."""
        _, bwd, W_new, b_new, self.state_W, self.state_b = train_step(
            exercise, step, W, b, self.state_W, self.state_b, self.mistake.mistakes, held=self.held
        )
        self.held = (bwd.grad_W, bwd.grad_b)
        return W_new, b_new


def _float32(raw: np.ndarray, array: np.ndarray) -> bool:
    """Computed in float32: a float32 array, or (the sandbox sends numbers back as float64,
    a tensor as `.double()`) every element exactly a float32 number — which float64 weights
    after a step of gradient descent practically never all are."""
    if raw.dtype == np.float32:
        return True
    with np.errstate(over="ignore"):
        return bool(np.array_equal(array.astype(np.float32).astype(np.float64), array))


def _within(
    theirs: np.ndarray, own: np.ndarray, before: np.ndarray, rounding: np.ndarray | None
) -> np.ndarray:
    """Element-wise: theirs agrees with the step from `before` (own) to RTOL of the step's
    change plus ULPS units of float64's precision of the weight; a float32 answer (`rounding`:
    what float32 changes in this step, measured) to FLOAT32_MARGIN times that, plus ULPS
    units of float32's precision."""
    change = np.abs(own - before)
    scale = np.maximum(np.abs(own), np.abs(before))
    if rounding is None:
        tolerance = RTOL * change + ULPS * EPS64 * scale + 1e-300
    else:
        tolerance = RTOL * change + FLOAT32_MARGIN * rounding + FLOAT32_ULPS * EPS32 * scale
    return np.abs(theirs - own) <= tolerance


def _close(
    theirs: np.ndarray, own: np.ndarray, before: np.ndarray, rounding: np.ndarray | None
) -> bool:
    return bool(_within(theirs, own, before, rounding).all())


def blind_mistakes(exercise: NetworkExercise, trace: Trace) -> list[Mistake]:
    """The catalogued mistakes this training exercise cannot catch: a loop making one of them
    at every step, on the exercise's own numbers, has other weights, yet within the tolerance
    of the right step's at every step (Adam, RMSprop and Adagrad divide the gradient's scale
    away, up to ε: the batch summed, the ½ left out change almost nothing they let be seen)."""
    judge = TrainJudge(exercise, trace)
    blind = []
    for mistake in judge.mistakes:
        W, b, state_W, state_b = exercise.W, exercise.b, None, None
        loop = []
        for step in range(1, exercise.training.steps + 1):
            if isinstance(mistake, LoopMistake):
                W, b = mistake.weights(exercise, step, (W, b, None, None))
            else:
                _, _, W, b, state_W, state_b = train_step(
                    exercise, step, W, b, state_W, state_b, mistake.mistakes
                )
            loop.append((list(W), list(b)))
        same = all(  # a mistake of the loss's value alone: no mistake of a loop's
            np.array_equal(w, right)
            for (W_made, b_made), record in zip(loop, trace.steps, strict=True)
            for w, right in zip(
                (*W_made, *b_made), (*(record.W_new or ()), *(record.b_new or ())), strict=True
            )
            if w is not None and right is not None
        )
        (verdicts,) = judge.judge([loop])
        if not same and all(v in (CORRECT, CARRIED) for v, _ in verdicts.values()):
            blind.append(mistake)
    return blind


TRAIN_DESCRIPTION = {
    "en": """{id}: train the network for `steps` steps, in any style you like.

Network {sizes}; activations {activations}; loss {loss}; reduction {reduction} over samples;
optimiser {optimizer}; {steps} steps on the whole batch. Biases: {biases}.
{styles}

Arguments (numpy arrays of float64; do not change them in place):
  W  one matrix per non-input layer, shape (n_l, n_(l-1)) — nn.Linear's weight
  b  one vector per non-input layer, or None where the layer has no bias
  x  inputs, shape (N, n_1), one row per sample
  t  targets, shape (N, n_L)
  learning_rate, steps

{returns}

{modules}
Try it yourself with: backviz grade EXERCISE {handed} --out my-report
""",
    "ko": """{id}: 신경망을 `steps` 단계 학습시킨다. 방식은 자유.

신경망 {sizes}; 활성화 함수 {activations}; 오차 함수 {loss}; 샘플 오차 집계 방식(reduction)
{reduction}; 옵티마이저 {optimizer}; 배치 전체로 {steps}단계. 편향: {biases}.
{styles}

인자 (float64 numpy 배열; 그 자리에서 바꾸지 말 것):
  W  입력층 다음의 층마다 행렬 하나, 모양 (n_l, n_(l-1)) — nn.Linear의 weight
  b  입력층 다음의 층마다 벡터 하나, 편향이 없는 층은 None
  x  입력, 모양 (N, n_1), 샘플마다 한 행
  t  정답(목표값), 모양 (N, n_L)
  learning_rate  학습률, steps  단계 수

{returns}

{modules}
직접 확인하기: backviz grade EXERCISE {handed} --out my-report --lang ko
""",
}
"""What the starter of a training exercise says, per language; `{styles}` and `{returns}`
from `TRAIN_STYLES`, as torch is allowed or not."""

TRAIN_STYLES = {
    "en": {
        True: (
            "Write it with numpy and a gradient you derived, with autograd (loss.backward()), "
            "with\ntorch.optim, or with an nn.Module: only the weights after each step are "
            "graded.",
            "Return a list of `steps` pairs (W, b): the weights after each step, as numpy arrays "
            "in lists\nshaped as the arguments (W[l].copy(), or "
            "linear.weight.detach().numpy().copy()).\nKeep float64 (torch.float64, "
            "torch.from_numpy(W[0]) keeps it): float32 is judged to float32's\nprecision. Each "
            "step is judged from your own previous step.",
        ),
        False: (
            "Write it with numpy and a gradient you derived: only the weights after each step "
            "are graded.",
            "Return a list of `steps` pairs (W, b): the weights after each step, as numpy arrays "
            "in lists\nshaped as the arguments (W[l].copy()). Keep float64: float32 is judged "
            "to float32's\nprecision. Each step is judged from your own previous step.",
        ),
    },
    "ko": {
        True: (
            "numpy와 직접 유도한 기울기, autograd(loss.backward()), torch.optim, nn.Module 어느 "
            "것으로\n작성해도 된다: 각 단계 뒤의 가중치만 채점한다.",
            "돌려줄 값: (W, b) 쌍 `steps`개의 리스트: 각 단계 뒤의 가중치, 인자와 같은 모양의 "
            "리스트에 든\nnumpy 배열 (W[l].copy(), 또는 linear.weight.detach().numpy().copy())."
            "\nfloat64를 유지할 것 (torch.float64; torch.from_numpy(W[0])는 float64를 유지한다): "
            "float32는\nfloat32의 정밀도로 판정한다. 각 단계는 내가 계산한 바로 앞 단계로부터 "
            "판정한다.",
        ),
        False: (
            "numpy와 직접 유도한 기울기로 작성한다: 각 단계 뒤의 가중치만 채점한다.",
            "돌려줄 값: (W, b) 쌍 `steps`개의 리스트: 각 단계 뒤의 가중치, 인자와 같은 모양의 "
            "리스트에 든\nnumpy 배열 (W[l].copy()). float64를 유지할 것: float32는 float32의 "
            "정밀도로\n판정한다. 각 단계는 내가 계산한 바로 앞 단계로부터 판정한다.",
        ),
    },
}
"""Per language and whether torch is allowed: (how it may be written, what it returns)."""

_NOT_WRITTEN = {
    "en": "train the network here: return the (W, b) after each step",
    "ko": "여기서 신경망을 학습시킨다: 각 단계 뒤의 (W, b)를 돌려준다",
}


def train_stub(exercise: NetworkExercise, *, lang: str = "en") -> str:
    """The training function to write, not yet written."""
    assert exercise.code is not None
    words = _NOT_WRITTEN.get(lang, _NOT_WRITTEN["en"])
    return f"""def {exercise.code.function}(W, b, x, t, learning_rate, steps):
    history = []
    raise NotImplementedError("{words}")
    return history
"""
