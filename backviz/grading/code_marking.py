"""Judging the arrays a student's forward/backward function returned — in plain Python.

Why this module imports nothing from backviz, nor numpy: as `marking.py` is, it is copied
verbatim into what backviz exports for systems that run their own Python without backviz
(the PrairieLearn coding question's external grader, `backviz_code_marking.py`). It holds the
array-level rules of `backviz grade` on code once, and `code_verdicts.CaseJudge` applies them
from here: whether a returned value holds an array per key and layer (present, one per layer,
numbers, the right shape, no NaN, not the transpose of the right one); an array's verdict from
its elements' (correct when all are, carried when all are correct or carried, the one
catalogued mistake when its others are right, else wrong with the first difference); the worst
verdict over the cases; and the share of the marks a verdict earns. The elements themselves
are graded by the rules of answer sheets (`marking.py` for one student, `verdicts.py` for a
class), each number exact to `RTOL` of its own step (the spec's `exact`).

What came back is plain data (the sandbox's codec turns numpy arrays and tensors into nested
lists of floats): an array is a rectangular nesting of lists of numbers, read here as its
shape and its elements in row-major order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "KEYS",
    "RTOL",
    "WORDS",
    "array_verdict",
    "credit",
    "judge_case",
    "read_array",
    "worst",
]

KEYS = ("z", "a", "delta", "dW", "db", "W_new", "b_new")
"""What the function returns, in the order a person computes it (the JSON contract's arrays)."""
RTOL = 1e-6
"""Relative, on each quantity's own step: float64 summed in another order."""
ATOL = 1e-12
"""Absolute, in telling a transposed square array from a wrong one."""

CORRECT, CARRIED, WRONG, MISSING = "correct", "carried", "wrong", "missing"
_SEVERITY = {CORRECT: 0, CARRIED: 1, "mistake": 2, WRONG: 3, MISSING: 3}

# The feedback's words, by key and language (str.format fields); the grader's report reads
# them as `code_<key>` (report_text.py).
WORDS: dict[str, dict[str, str]] = {
    "no_key": {"en": "the returned dict has no '{key}'", "ko": "돌려준 dict에 '{key}'가 없다"},
    "not_list": {
        "en": "'{key}' should be a list with one entry per layer ({n})",
        "ko": "'{key}'는 층마다 하나씩 든 리스트여야 한다 ({n}개)",
    },
    "no_bias": {"en": "layer {layer} has no bias", "ko": "{layer}층에는 편향이 없다"},
    "unreadable": {"en": "{key} cannot be read ({error})", "ko": "{key}를 읽을 수 없다 ({error})"},
    "not_numbers": {
        "en": "{key} of layer {layer} is not an array of numbers",
        "ko": "{layer}층의 {key}가 수의 배열이 아니다",
    },
    "shape": {
        "en": "{key} of layer {layer} has shape {theirs}, expected {ours}",
        "ko": "{layer}층의 {key} 모양이 {theirs}이다. {ours}이어야 한다",
    },
    "shape_transposed": {
        "en": "{key} of layer {layer} has shape {theirs}, expected {ours}: "
        "transposed (w_jk is row j, column k)?",
        "ko": "{layer}층의 {key} 모양이 {theirs}이다. {ours}이어야 한다: "
        "전치했나? (w_jk는 j행 k열)",
    },
    "nan": {
        "en": "{key} of layer {layer} holds NaN: were the weights uninitialised "
        "(torch.Tensor(n, m) or np.empty)? Use the W and b given.",
        "ko": "{layer}층의 {key}에 NaN이 있다: 가중치를 초기화하지 않았나 "
        "(torch.Tensor(n, m)나 np.empty)? 주어진 W와 b를 쓸 것.",
    },
    "transposed": {
        "en": "{key} of layer {layer} is transposed: w_jk is row j, column k",
        "ko": "{layer}층의 {key}가 전치되었다: w_jk는 j행 k열이다",
    },
    "carried": {
        "en": "computed right from your own {sources}",
        "ko": "내가 앞서 계산한 {sources}에서 올바르게 계산함",
    },
    "first_difference": {
        "en": "first difference at {name}: yours {yours}, expected {expected}",
        "ko": "처음 다른 곳 {name}: 내 답 {yours}, 맞는 값 {expected}",
    },
}


def _say(lang: str, what: str, **fields: object) -> str:
    words = WORDS[what]
    return words.get(lang, words["en"]).format(**fields)


def plain(value: float) -> str:
    """A number as Python writes a float (never np.float64(…)): how a returned number is
    shown, and the text its element is graded as."""
    return repr(float(value))


def worst(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    """The worse of two (verdict, detail), the first on a tie: correct < carried < mistake <
    wrong."""
    rank = [_SEVERITY.get(v.split(":")[0], 3) for v, _ in (a, b)]
    return b if rank[1] > rank[0] else a


def credit(verdict: str, carried_credit: float, mistake_credits: Mapping[str, float]) -> float:
    """The share of the marks a verdict earns, as on answer sheets: all when correct, the
    carried credit when carried, a catalogued mistake's own credit, else nothing."""
    if verdict == CORRECT:
        return 1.0
    if verdict == CARRIED:
        return carried_credit
    if verdict.startswith("mistake:"):
        return mistake_credits.get(verdict.split(":", 1)[1], 0.0)
    return 0.0


def _nested(value: Any) -> tuple[tuple[int, ...], list[float]] | None:
    """A rectangular nesting of lists of numbers as (shape, elements row-major), or None (a
    numpy array, as a judge in the grader's own process may be given, read as its list)."""
    if type(value).__module__ == "numpy" and callable(getattr(value, "tolist", None)):
        value = value.tolist()
    if isinstance(value, bool | int | float):
        return (), [float(value)]
    if not isinstance(value, list | tuple):
        return None
    parts = [_nested(item) for item in value]
    if any(part is None for part in parts):
        return None
    shapes = {part[0] for part in parts}  # type: ignore[index]
    if len(shapes) > 1:
        return None  # ragged
    inner = shapes.pop() if shapes else ()
    return (len(value), *inner), [x for part in parts for x in part[1]]  # type: ignore[index]


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    """numpy's allclose(a, b, rtol=RTOL, atol=ATOL) on finite or infinite numbers."""
    return all(x == y or abs(x - y) <= ATOL + RTOL * abs(y) for x, y in zip(a, b, strict=True))


def read_array(
    value: Any,
    key: str,
    i: int,
    layers: int,
    shape: Sequence[int] | None,
    right: Sequence[float] | None,
    lang: str = "en",
) -> tuple[str, str] | list[float] | None:
    """The returned `key` of layer i + 2 as its elements (row-major), or (verdict, detail)
    when it is not an array an element-wise judgement can read; None where the layer has no
    such array (`shape` None: no bias), whatever the slot holds. `right`: the right elements."""
    layer = i + 2
    if not isinstance(value, dict) or key not in value:
        return MISSING, _say(lang, "no_key", key=key)
    entries = value[key]
    if shape is None and isinstance(entries, list | tuple) and not entries:
        return None  # b = [] from a network without any bias
    if not isinstance(entries, list | tuple) or len(entries) != layers:
        return WRONG, _say(lang, "not_list", key=key, n=layers)
    theirs = entries[i]
    if shape is None:  # never graded, never read: a layer without bias (grading/code_bias.py
        return None  # tells the teacher and student what its slot held, when not None or [])
    try:
        read = _nested(theirs)
    except (OverflowError, RecursionError):
        read = None
    if read is None:
        return WRONG, _say(lang, "not_numbers", key=key, layer=layer)
    found, elements = read
    ours = tuple(shape)
    if found != ours:
        what = "shape_transposed" if found == ours[::-1] else "shape"
        return WRONG, _say(lang, what, key=key, layer=layer, theirs=found, ours=ours)
    if any(math.isnan(x) for x in elements):
        return WRONG, _say(lang, "nan", key=key, layer=layer)
    if right is not None and len(ours) == 2 and ours[0] == ours[1]:
        n = ours[0]
        right_t = [right[k * n + j] for j in range(n) for k in range(n)]
        if not _close(elements, right) and _close(elements, right_t):
            return WRONG, _say(lang, "transposed", key=key, layer=layer)
    return elements


def array_verdict(
    found: Sequence[tuple[str, str, str, str]],
    carried_sources: Callable[[str], list[str]],
    labels: Mapping[str, str],
    expected: Mapping[str, float],
    lang: str = "en",
) -> tuple[str, str]:
    """An array's verdict from its elements' (name, verdict, detail, text given), in order:
    correct when all are; carried when all are correct or carried (from which of the
    student's arrays: `carried_sources` reads a detail's names, `labels` names their arrays);
    the one catalogued mistake when the others are right; else wrong, at the first element
    that is not right (its `expected` value)."""
    codes = {verdict for _, verdict, _, _ in found}
    if codes == {CORRECT}:
        return CORRECT, ""
    if codes <= {CORRECT, CARRIED}:
        sources = dict.fromkeys(
            labels.get(name, name)
            for _, verdict, detail, _ in found
            if verdict == CARRIED
            for name in carried_sources(detail)
        )
        return CARRIED, _say(lang, "carried", sources=", ".join(sources))
    mistakes = {c for c in codes if c.startswith("mistake:")}
    if len(mistakes) == 1 and codes - mistakes <= {CORRECT, CARRIED}:
        (mistake,) = mistakes
        return mistake, next(d for _, v, d, _ in found if v == mistake)
    name, _, _, given = next(f for f in found if f[1] not in (CORRECT, CARRIED))
    return WRONG, _say(
        lang, "first_difference", name=name, yours=given, expected=plain(expected[name])
    )


def judge_case(
    case: Mapping[str, Any],
    value: Any,
    grade: Callable[..., dict[str, Any]],
    carried_sources: Callable[[str], list[str]],
    lang: str = "en",
) -> dict[tuple[str, int], tuple[str, str]]:
    """(verdict, detail) of every returned (key, layer index) of one case, for one student:
    `case` holds the case's marking spec (`spec`), its number of layers, and per array its
    key, layer index, right shape (None: the layer has no such array), right elements and
    their names; `grade` is `marking.grade`, which judges the elements (given as numbers:
    exact, to the spec's `exact` of their step)."""
    layers = case["layers"]
    verdicts: dict[tuple[str, int], tuple[str, str]] = {}
    answers: dict[str, float] = {}
    labels: dict[str, str] = {}
    expected: dict[str, float] = {}
    for array in case["arrays"]:
        key, i = array["key"], array["layer"]
        try:
            checked = read_array(value, key, i, layers, array["shape"], array["right"], lang)
        except Exception as error:  # whatever came back, the case goes on
            checked = (WRONG, _say(lang, "unreadable", key=key, error=type(error).__name__))
        if isinstance(checked, tuple):
            verdicts[(key, i)] = checked
        elif checked is not None:
            answers.update(zip(array["names"], checked, strict=True))
        for name, right in zip(array["names"], array["right"] or (), strict=True):
            labels[name] = f"{key}({i + 2})"
            expected[name] = right
    result = grade(case["spec"], answers, lang)["verdicts"]
    for array in case["arrays"]:
        key, i = array["key"], array["layer"]
        if (key, i) in verdicts or array["shape"] is None:
            continue
        found = [
            (name, result[name]["verdict"], result[name]["detail"], plain(answers[name]))
            if name in answers
            else (name, result[name]["verdict"], result[name]["detail"], "")
            for name in array["names"]
        ]
        verdicts[(key, i)] = array_verdict(found, carried_sources, labels, expected, lang)
    return verdicts
