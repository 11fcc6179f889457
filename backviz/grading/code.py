"""Grading students' own forward/backward code, quantity by quantity, in the sandbox.

Each submission's function runs on the exercise's own numbers and on `cases` more drawn at
random (reproducibly), never inside the grader: in `backviz.sandbox`. What it returns is
compared with the engine, key by key and layer by layer (z, a, δ, ∂E/∂W, ∂E/∂b, W⁺, b⁺ of every
non-input layer); feedback names the first quantity that differs and recognises the classics:
NaN from uninitialised weights, a transposed array, and each catalogued mistake (σ′ left out,
weights updated before back-propagating, …), found by comparing with the engine run with that
mistake switched on.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ..core.engine import run
from ..core.exercise import NetworkExercise
from ..core.quantities import KIND_OF_ARRAY, KINDS, Kind, Ref
from ..core.trace import Trace
from .mistakes import applicable
from .variants import draw_numbers, seed_of
from .verdicts import CORRECT, Graded, Verdict

__all__ = ["KEYS", "code_cases", "grade_code", "starter_file"]

# What the student's function returns, in the order a person computes it: the JSON contract's
# per-layer arrays (`KINDS[kind].array`), the given W and b left out.
RETURNED = (Kind.Z, Kind.A, Kind.DELTA, Kind.GRAD_W, Kind.GRAD_B, Kind.UPDATE_W, Kind.UPDATE_B)
KEYS = tuple(str(KINDS[kind].array) for kind in RETURNED)
RTOL, ATOL = 1e-6, 1e-9


def code_cases(exercise: NetworkExercise) -> list[NetworkExercise]:
    """The exercise itself, then `cases` variants drawn from a seed of the exercise's id."""
    assert exercise.code is not None
    cases = [exercise]
    for k in range(exercise.code.cases):
        rng = np.random.default_rng(seed_of(exercise.id, f"code case {k + 1}"))
        cases.append(draw_numbers(exercise, rng))
    return cases


def _arrays(trace: Trace) -> dict[str, list[np.ndarray | None]]:
    """The reference of step 1, in the shape the student's function returns."""
    assert trace.steps[0].backward is not None
    return {str(KINDS[kind].array): list(trace.arrays(kind) or ()) for kind in RETURNED}


def _arguments(exercise: NetworkExercise) -> dict[str, Any]:
    """The exercise's numbers as the student's function gets them: numpy arrays."""
    return {
        "W": [w.copy() for w in exercise.W],
        "b": [None if v is None else v.copy() for v in exercise.b],
        "x": exercise.inputs.copy(),
        "t": exercise.targets.copy() if exercise.targets is not None else None,
        "learning_rate": exercise.training.learning_rate,
    }


# Appended to a copy of the student's file: calls their function on a deep copy's original
# and reports which arguments it changed in place (W -= … inside a training loop corrupts the
# next step). The student's own lines keep their numbers, so tracebacks point at them.
_WRAPPER = """


def __backviz_call__(**arguments):
    import copy as _copy

    import numpy as _np

    _before = _copy.deepcopy(arguments)
    _value = {function}(**arguments)

    def _same(a, b):
        if isinstance(a, _np.ndarray) or isinstance(b, _np.ndarray):
            return _np.array_equal(_np.asarray(a), _np.asarray(b), equal_nan=True)
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
        return a == b or (a != a and b != b)

    return {{"value": _value, "changed": [k for k in arguments if not _same(arguments[k],
                                                                            _before[k])]}}
"""


def _wrapped(source: Path, function: str, folder: Path) -> Path:
    """A copy of the student's file, same name, with the wrapper appended."""
    text = source.read_text(encoding="utf-8", errors="replace")
    target = folder / source.name
    target.write_text(text + _WRAPPER.format(function=function), encoding="utf-8")
    return target


def _first_difference(
    trace: Trace, key: str, layer: int, theirs: np.ndarray, ours: np.ndarray
) -> str:
    """The name of the first element that differs, with both values."""
    bad = np.argwhere(~np.isclose(theirs, ours, rtol=RTOL, atol=ATOL, equal_nan=False))
    position = tuple(int(i) for i in bad[0])
    kind = KIND_OF_ARRAY[key]
    if KINDS[kind].per_sample:
        ref = Ref(kind, layer, (position[1] + 1,), position[0] + 1, 1)
    else:
        ref = Ref(kind, layer, tuple(p + 1 for p in position), None, 1)
    return f"{trace.name(ref)}: yours {theirs[position]!r}, expected {ours[position]!r}"


def _judge(
    exercise: NetworkExercise,
    trace: Trace,
    mistaken: list[tuple[Any, Trace]],
    returned: Any,
    key: str,
    i: int,
) -> tuple[str, str]:
    """(verdict, detail) of one returned array against the reference of one case."""
    ours = _arrays(trace)[key][i]
    layer = i + 2
    if not isinstance(returned, dict) or key not in returned:
        return "missing", f"the returned dict has no '{key}'"
    entries = returned[key]
    if not isinstance(entries, list | tuple) or len(entries) != len(exercise.W):
        return "wrong", f"'{key}' should be a list with one entry per layer ({len(exercise.W)})"
    theirs = entries[i]
    if ours is None:
        return (CORRECT, "") if theirs is None else ("wrong", f"layer {layer} has no bias")
    try:
        theirs = np.asarray(theirs, dtype=float)
    except (TypeError, ValueError):
        return "wrong", f"{key} of layer {layer} is not an array of numbers"
    if theirs.shape != ours.shape:
        if theirs.shape == ours.shape[::-1]:
            return "wrong", (
                f"{key} of layer {layer} has shape {theirs.shape}, expected "
                f"{ours.shape}: transposed (w_jk is row j, column k)?"
            )
        return "wrong", f"{key} of layer {layer} has shape {theirs.shape}, expected {ours.shape}"
    if np.isnan(theirs).any():
        return "wrong", (
            f"{key} of layer {layer} holds NaN: were the weights uninitialised "
            "(torch.Tensor(n, m) or np.empty)? Use the W and b given."
        )
    if np.allclose(theirs, ours, rtol=RTOL, atol=ATOL):
        return CORRECT, ""
    for mistake, wrong in mistaken:
        other = _arrays(wrong)[key][i]
        if (
            other is not None
            and other.shape == theirs.shape
            and np.allclose(theirs, other, rtol=RTOL, atol=ATOL)
            and not np.allclose(other, ours, rtol=RTOL, atol=ATOL)
        ):
            return f"mistake:{mistake.id}", mistake.explanation["en"]
    return "wrong", "first difference at " + _first_difference(trace, key, layer, theirs, ours)


def grade_code(
    exercise: NetworkExercise,
    sources: list[tuple[str, Path]],
    *,
    require: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Graded]:
    """Every (student, file) run in the sandbox on every case and judged quantity by quantity.

    One verdict per returned key and layer (z(2), delta(3), dW(2) …): correct when it is right
    on every case; otherwise the verdict and feedback of the first case where it is not.
    """
    from ..sandbox import Limits, run_function

    spec = exercise.code
    assert spec is not None
    cases = code_cases(exercise)
    traces = [run(case) for case in cases]
    mistakes = applicable(exercise)
    mistaken = [[(m, run(case, m.mistakes)) for m in mistakes] for case in cases]
    limits = Limits(
        wall_seconds=spec.wall_seconds, memory_bytes=max(Limits().memory_bytes, 3 * 2**30)
    )

    def one(item: tuple[str, Path]) -> Graded:
        student, source = item
        with tempfile.TemporaryDirectory(prefix="backviz-code-") as folder:
            return _one(student, source, Path(folder))

    def _one(student: str, source: Path, folder: Path) -> Graded:
        verdicts: dict[tuple[str, int], tuple[str, str]] = {}
        problems: list[str] = []
        try:
            wrapped = _wrapped(source, spec.function, folder) if source.is_file() else source
        except OSError as error:
            wrapped = source
            problems.append(f"{source}: cannot be read: {error.strerror or error}")
        for number, (case, trace) in enumerate(zip(cases, traces, strict=True)):
            try:
                result = run_function(
                    wrapped,
                    "__backviz_call__",
                    _arguments(case),
                    limits=limits,
                    require=require,
                    modules=spec.modules,
                )
            except (OSError, ValueError, TypeError) as error:
                problems.append(f"{source}: cannot be run: {error}")
                break
            label = "the exercise's own numbers" if number == 0 else f"random case {number}"
            if number == 0:
                problems.append(f"sandbox: {result.level}")
            if result.status != "ok":
                problems.append(f"{label}: {result.status}: {result.message}")
                for key in KEYS:
                    for i in range(len(exercise.W)):
                        verdicts.setdefault((key, i), ("wrong", f"{label}: {result.status}"))
                break
            returned = result.values.get("value") if isinstance(result.values, dict) else None
            changed = result.values.get("changed") if isinstance(result.values, dict) else None
            if changed and number == 0:
                problems.append(
                    f"{spec.function}() changed its argument(s) {', '.join(map(str, changed))} in "
                    "place: in a training loop the next step would start from the wrong "
                    "numbers; work on copies (W = [w.copy() for w in W])"
                )
            for key in KEYS:
                for i in range(len(exercise.W)):
                    if (key, i) in verdicts and verdicts[(key, i)][0] != CORRECT:
                        continue
                    verdict, detail = _judge(case, trace, mistaken[number], returned, key, i)
                    if verdict != CORRECT:
                        detail = f"{label}: {detail}"
                    verdicts[(key, i)] = (verdict, detail)
        rows = []
        for key in KEYS:
            for i in range(len(exercise.W)):
                if key in ("db", "b_new") and exercise.b[i] is None:
                    continue
                verdict, detail = verdicts.get((key, i), ("missing", "not run"))
                marks = 1.0 if verdict == CORRECT else 0.0
                rows.append(
                    Verdict(f"{key}({i + 2})", verdict, "", float("nan"), marks, 1.0, detail)
                )
        return Graded(student, str(source), rows, problems)

    results: list[Graded] = []
    items = list(sources)
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(items)))) as pool:
        for graded in pool.map(one, items):
            results.append(graded)
            if progress is not None:
                progress(len(results), len(items))
    return results


def starter_file(exercise: NetworkExercise) -> str:
    """The file students start from: the signature, the shapes, what to return."""
    assert exercise.code is not None
    names = [f.name for f in exercise.activations]
    sizes = "-".join(map(str, exercise.sizes))
    bias = ", ".join(f"layer {i + 2}: {'yes' if b else 'no'}" for i, b in enumerate(exercise.bias))
    return f'''"""{exercise.id}: write the forward and backward pass yourself.

Network {sizes}; activations {", ".join(names)}; loss {exercise.loss_name}; reduction
{exercise.training.reduction} over samples; one step of plain gradient descent.
Biases: {bias}.

Arguments (numpy arrays of float64; do not change them in place):
  W  one matrix per non-input layer, shape (n_l, n_(l-1)): W[l][j][k] is the weight into
     node j of the next layer from node k of this one
  b  one vector per non-input layer, or None where the layer has no bias
  x  inputs, shape (N, n_1), one row per sample
  t  targets, shape (N, n_L) (one-hot rows for cross-entropy)
  learning_rate

Return a dict whose values are lists with one entry per non-input layer:
  "z", "a", "delta"  arrays of shape (N, n_l)   (delta = dE[n]/dz of each sample's own loss)
  "dW", "W_new"      arrays of shape (n_l, n_(l-1))
  "db", "b_new"      arrays of shape (n_l,), or None where the layer has no bias
Try it yourself with: backviz grade EXERCISE this_file.py --out my-report
"""

import numpy as np


def {exercise.code.function}(W, b, x, t, learning_rate):
    raise NotImplementedError("write the forward and backward pass here")
'''
