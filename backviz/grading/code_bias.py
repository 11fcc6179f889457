"""A layer without bias in what a student's function returns: what its slot may hold.

The exercise gives None where a layer has no bias. A student whose model has none writes
None there, or [] (as README writes it), or an empty array (np.zeros(0), torch.empty(0)); one
whose whole network has no bias may return `b = []` for all of them at once. Those are all
"no bias". Anything else in the slot (zeros, a bias the model trained anyway, junk) is never
graded and never read: a training step is judged from the student's W and the exercise's
absent bias, and the other verdicts stand. It is told once, as a problem of the file: which
slot, what it holds, and what to return instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.exercise import NetworkExercise

__all__ = ["absent", "bias_slots", "stray_biases"]

_WORDS = {
    "en": "{where}layer {layer} has no bias, but your {key}[{index}] holds {what}: it is not "
    "graded, and nothing is computed from it; return None there (or [])",
    "ko": "{where}{layer}층에는 편향이 없는데 {key}[{index}]에 {what}을(를) 돌려주었다: 채점하지 "
    "않으며 그것으로 계산하지도 않는다; 그 자리에는 None(또는 [])을 돌려줄 것",
}
_STEP = {"en": "step {step}: ", "ko": "{step}단계: "}
_WHAT = {
    "en": ("{n} number(s), shape {shape}", "a {kind}"),
    "ko": ("수 {n}개(모양 {shape})", "{kind}"),
}


def absent(value: Any) -> bool:
    """Whether a returned bias slot says "no bias": None, an empty list or tuple, or an array
    with no element."""
    if value is None:
        return True
    if isinstance(value, list | tuple):
        return len(value) == 0
    size = getattr(value, "size", None)
    return isinstance(size, int) and size == 0


def bias_slots(exercise: NetworkExercise, entries: Any) -> list[Any] | None:
    """The returned biases as one slot per layer: `entries` itself when it is a list or tuple
    of one per layer, one absent slot per layer when the exercise has no bias anywhere and
    `entries` is empty (`b = []`), else None (not a list of the layers' biases)."""
    n = len(exercise.b)
    if isinstance(entries, list | tuple):
        if len(entries) == n:
            return list(entries)
        if not entries and all(v is None for v in exercise.b):
            return [None] * n
    return None


def _what(value: Any, lang: str) -> str:
    """What a slot holds, in a few words: its numbers and shape, or its type."""
    number, other = _WHAT.get(lang, _WHAT["en"])
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return other.format(kind=type(value).__name__)
    return number.format(n=array.size, shape=tuple(array.shape))


def stray_biases(exercise: NetworkExercise, value: Any, lang: str = "en") -> list[str]:
    """What a function returned in the slots of layers without bias, when that is not "no
    bias": one line each, the first step it is found at for a training loop (`[(W, b), …]`),
    `db` and `b_new` for one step's every number (a dict)."""
    words = _WORDS.get(lang, _WORDS["en"])
    seen: set[tuple[str, int]] = set()  # (key, layer index): each slot told once
    if isinstance(value, dict):
        places = [("", key, value.get(key)) for key in ("db", "b_new")]
    elif isinstance(value, list | tuple):
        step_words = _STEP.get(lang, _STEP["en"])
        places = [
            (step_words.format(step=step), "b", pair[1])
            for step, pair in enumerate(value, start=1)
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
    else:
        return []
    lines = []
    for where, key, entries in places:
        slots = bias_slots(exercise, entries)
        if slots is None:
            continue
        for i, own in enumerate(exercise.b):
            if own is None and not absent(slots[i]) and (key, i) not in seen:
                seen.add((key, i))
                what = _what(slots[i], lang)
                lines.append(words.format(where=where, layer=i + 2, key=key, index=i, what=what))
    return lines
