"""Grading students' own forward/backward code, quantity by quantity, in the sandbox.

Each submission's function runs on the exercise's own numbers and on `cases` more drawn at
random, never inside the grader: in `backviz.sandbox`. The random cases come from a secret
made anew for each run (kept for the teacher in the reports' record.json; `grade --secret`
draws the same ones again), so a file that returns numbers recorded from an earlier run, or
the exercise's published ones, computes nothing it is given credit for. What each case returns
is judged by `code_verdicts.py` with the rules of answer sheets; a quantity is right only when
it is right in every case the file was run on.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.engine import run
from ..core.exercise import NetworkExercise
from ..errors import BackvizError
from .code_bias import stray_biases
from .code_training import TRAIN_DESCRIPTION, TRAIN_STYLES, TrainJudge, train_rows, train_stub
from .code_verdicts import KEYS, CaseJudge, worst
from .handed_in import MAX_BYTES, Handed, read_handed
from .mistakes import mistake_name
from .notebook import (
    NOTEBOOK_BYTES,
    NotebookError,
    notebook_module,
    running_cell,
    without_marks,
)
from .report_text import WORDS, status_text
from .table import CORRECT, WRONG, Graded, Verdict
from .variants import draw_numbers, seed_of

__all__ = [
    "DESCRIPTION",
    "KEYS",
    "case_arguments",
    "code_cases",
    "grade_code",
    "graded_rows",
    "new_secret",
    "starter_description",
    "starter_file",
    "starter_imports",
    "starter_stub",
]


def new_secret() -> str:
    """A secret for one grading run: the random cases no earlier run could have recorded."""
    return secrets.token_hex(16)


def code_cases(exercise: NetworkExercise, secret: str) -> list[NetworkExercise]:
    """The exercise itself, then `cases` variants drawn from the run's secret."""
    assert exercise.code is not None
    cases = [exercise]
    for k in range(exercise.code.cases):
        rng = np.random.default_rng(seed_of(exercise.id, f"code case {k + 1} of {secret}"))
        cases.append(draw_numbers(exercise, rng))
    return cases


def case_arguments(exercise: NetworkExercise) -> dict[str, Any]:
    """The exercise's numbers as the student's function gets them: numpy arrays (and, for a
    training loop, the number of steps)."""
    arguments = {
        "W": [w.copy() for w in exercise.W],
        "b": [None if v is None else v.copy() for v in exercise.b],
        "x": exercise.inputs.copy(),
        "t": exercise.targets.copy() if exercise.targets is not None else None,
        "learning_rate": exercise.training.learning_rate,
    }
    if _trains(exercise):
        arguments["steps"] = exercise.training.steps
    return arguments


def _trains(exercise: NetworkExercise) -> bool:
    """A training loop's exercise (`[code] contract = "train"`), graded on its weights."""
    return exercise.code is not None and exercise.code.contract == "train"


def graded_rows(exercise: NetworkExercise) -> list[tuple[tuple[str, int], str]]:
    """The graded rows: ((key, layer index), label), one per quantity returned."""
    if _trains(exercise):
        return train_rows(exercise)
    return [
        ((key, i), f"{key}({i + 2})")
        for key in KEYS
        for i in range(len(exercise.W))
        if not (key in ("db", "b_new") and exercise.b[i] is None)
    ]


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
                                                                            _before[k])]{cells}}}
"""

# For a notebook (`notebook.py`): the function looked for first, naming the cells that
# failed when no cell defined it, and those cells sent back with the value.
_NOTEBOOK_CHECK = """
    if {function!r} not in globals():
        raise NameError("no code cell defines {function}()" + "".join(
            "; " + line for line in __backviz_cells__[:3]))
"""
_NOTEBOOK_CELLS = ', "cells": [str(line)[:300] for line in __backviz_cells__[:20]]'
MAX_CELL_LINES = 20
"""Lines about a notebook's cells sent back with a case's value, at most."""


def _wrapped(source: Handed, function: str, folder: Path, lang: str = "en") -> Path | str:
    """A copy of the student's file, same name, with the wrapper appended; or why it cannot
    be read (a link found in a folder is not followed, a FIFO never opened). A notebook is
    the module running its code cells (`notebook.py`), named as the notebook with .py."""
    name = source.path.name
    is_notebook = source.path.suffix.lower() == ".ipynb"
    limit = NOTEBOOK_BYTES if is_notebook else MAX_BYTES
    raw, problem = read_handed(
        source.path, follow=source.named, what="code_files", limit=limit, lang=lang
    )
    if raw is None:
        return f"{name}: {problem}"
    wrapper = _WRAPPER.format(function=function, cells="")
    if is_notebook:
        try:
            text = notebook_module(raw, name)
        except NotebookError as error:
            return f"{name}: {error}"
        check = _NOTEBOOK_CHECK.format(function=function)
        wrapper = _WRAPPER.format(function=function, cells=_NOTEBOOK_CELLS)
        wrapper = wrapper.replace(
            "    import copy as _copy\n", check + "    import copy as _copy\n", 1
        )
        # compiled under a name of its own, so a traceback shows the student's cells only
        wrapper = f"\n\nexec(compile({wrapper!r}, '<backviz>', 'exec'))\n"
        name = f"{source.path.stem}.py"
    else:
        text = raw.decode("utf-8", errors="replace")
    target = folder / name
    target.write_text(text + wrapper, encoding="utf-8")
    return target


@dataclass
class _Run:
    """One case of one submission: what came back, or why nothing did."""

    value: Any = None
    changed: list[str] = field(default_factory=list)  # arguments changed in place
    failure: str = ""  # the case did not run to a value: crash, timeout, refused …
    level: str = ""  # the sandbox level it ran at
    cells: list[str] = field(default_factory=list)  # a notebook's cells that raised


def grade_code(
    exercise: NetworkExercise,
    sources: Sequence[tuple[str, Path] | Handed],
    *,
    secret: str | None = None,
    require: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    lang: str = "en",
) -> list[Graded]:
    """Every (student, file) run in the sandbox on every case and judged quantity by quantity,
    the feedback in `lang`.

    One verdict per returned key and layer (z(2), delta(3), dW(2) …), the worst over the cases
    the file was run on: correct only when it is correct in every one of them. The random
    cases come from `secret` (a new one when None). A (student, file) pair is taken as named
    by the teacher; a `Handed` refused is not run: every quantity missing, the reason its
    problem.
    """
    spec = exercise.code
    assert spec is not None
    handed = [Handed(*source) for source in sources]
    cases = code_cases(exercise, secret or new_secret())
    words = WORDS[lang]
    judge_of = TrainJudge if _trains(exercise) else CaseJudge
    judges = [judge_of(case, run(case), lang) for case in cases]
    rows_of = graded_rows(exercise)
    ran_or_not = _run_all(exercise, cases, handed, require, progress, lang)
    runs, not_run = [r for r, _, _ in ran_or_not], [why for _, why, _ in ran_or_not]
    levels = [level for _, _, level in ran_or_not]
    verdicts: list[dict[tuple[str, int], tuple[str, str]]] = [{} for _ in handed]
    for number, judge in enumerate(judges):
        label = _case_label(number, lang)
        ran = [s for s, case_runs in enumerate(runs) if len(case_runs) > number]
        judged = _judge_each(judge, [runs[s][number].value for s in ran])
        for s, found in zip(ran, judged, strict=True):
            failure = runs[s][number].failure
            if isinstance(found, str):  # judging this one failed: the class goes on
                runs[s][number].failure = failure = found
                found = {}
            for row, _ in rows_of:
                if failure:
                    here = (WRONG, f"{label}: {status_text(failure.split(':')[0], lang)}")
                elif row in found:
                    verdict, detail = found[row]
                    here = (verdict, f"{label}: {detail}" if detail else "")
                else:
                    continue
                verdicts[s][row] = worst(verdicts[s].get(row, (CORRECT, "")), here)
    results = []
    for s, source in enumerate(handed):
        if not_run[s]:  # the level it would have run at, then why it did not
            problems = [f"sandbox: {levels[s]}" if levels[s] else "", not_run[s]]
            problems = [p for p in problems if p]
        else:
            problems = _problems(spec.function, runs[s], lang)
            if runs[s] and not runs[s][0].failure:  # a bias where a layer has none, told once
                problems += stray_biases(exercise, runs[s][0].value, lang)
        rows, explained = [], set()
        for row, name in rows_of:
            verdict, detail = verdicts[s].get(row, ("missing", words["code_not_run"]))
            if verdict.startswith("mistake:") and verdict in explained:
                detail = words["code_same_mistake"].format(mistake=mistake_name(verdict[8:], lang))
            explained.add(verdict)
            marks = judges[0].credit(verdict)
            rows.append(Verdict(name, verdict, "", float("nan"), marks, 1.0, detail))
        if source.note:  # which of several files was graded
            problems = [source.note, *problems]
        results.append(Graded(source.student, str(source.path), rows, problems))
    return results


def _judge_each(
    judge: CaseJudge | TrainJudge, values: list[Any]
) -> list[dict[tuple[str, int], tuple[str, str]] | str]:
    """The class's values judged at once; should that fail, each on its own, and a value that
    cannot be judged is a failure of that student's case (the reason), never of the class."""
    try:
        return list(judge.judge(values))
    except Exception:  # one value broke the class's judgement: find it, judge the rest
        pass
    judged: list[dict[tuple[str, int], tuple[str, str]] | str] = []
    for value in values:
        try:
            judged.append(judge.judge([value])[0])
        except Exception as error:
            judged.append(judge.words["code_not_judged"].format(reason=_reason(error)))
    return judged


def _reason(error: BaseException) -> str:
    """An exception as one line for a student's feedback."""
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _case_label(number: int, lang: str) -> str:
    """Case 0 is the exercise's own numbers, the others are drawn at random."""
    words = WORDS[lang]
    return words["code_own_case"] if number == 0 else words["code_random_case"].format(n=number)


def _problems(function: str, case_runs: list[_Run], lang: str) -> list[str]:
    """The sandbox level, each case that did not run, notebook cells that raised, and
    arguments changed in place."""
    problems = [f"sandbox: {case_runs[0].level}"] if case_runs and case_runs[0].level else []
    for number, one in enumerate(case_runs):
        if one.failure:
            problems.append(f"{_case_label(number, lang)}: {status_text(one.failure, lang)}")
    problems += case_runs[0].cells if case_runs else []
    changed = case_runs[0].changed if case_runs else []
    if changed:
        problems.append(
            WORDS[lang]["code_changed"].format(function=function, names=", ".join(changed))
        )
    return problems


def _run_all(
    exercise: NetworkExercise,
    cases: list[NetworkExercise],
    sources: list[Handed],
    require: str | None,
    progress: Callable[[int, int], None] | None,
    lang: str = "en",
) -> list[tuple[list[_Run], str, str]]:
    """Each submission run on each case in turn (four submissions at a time), until a case
    does not run: the cases after it are not tried. One refused, or whose file cannot be
    read, is not run at all: no runs, and why. One sandbox session serves the class: its
    template imports the allowed modules once, and each case is a process of its own."""
    from ..sandbox import Limits, Session

    spec = exercise.code
    assert spec is not None
    limits = Limits(
        wall_seconds=spec.wall_seconds, memory_bytes=max(Limits().memory_bytes, 3 * 2**30)
    )

    def one(source: Handed) -> tuple[list[_Run], str, str]:
        runs, why = _one(source)
        return runs, why, session.level

    def _one(source: Handed) -> tuple[list[_Run], str]:
        if source.refused:
            return [], source.refused
        try:
            with tempfile.TemporaryDirectory(prefix="backviz-code-") as folder:
                try:
                    wrapped = _wrapped(source, spec.function, Path(folder), lang)
                except OSError as error:  # the copy could not be written
                    return [], f"{source.path.name}: cannot be copied: {error.strerror or error}"
                if isinstance(wrapped, str):
                    return [], wrapped
                notebook = source.path.suffix.lower() == ".ipynb"
                return _cases_of(wrapped, notebook), ""
        except Exception as error:  # whatever happened to this one, the class goes on
            return [_Run(failure=f"could not be run: {_reason(error)}", level=session.level)], ""

    def _cases_of(wrapped: Path, notebook: bool) -> list[_Run]:
        case_runs: list[_Run] = []
        for case in cases:
            arguments = case_arguments(case)
            try:
                result = session.run(wrapped, "__backviz_call__", arguments, limits=limits)
            except (OSError, ValueError, TypeError) as error:
                case_runs.append(_Run(failure=f"cannot be run: {error}", level=session.level))
                break
            if result.status != "ok":
                failure = f"{result.status}: {result.message}"
                if notebook and result.status in ("timeout", "crashed"):
                    failure = f"{result.status}: {without_marks(result.message)}"
                    cell = running_cell(result.stderr)
                    failure += _running(cell, spec.function, result.status, lang)
                case_runs.append(_Run(failure=failure, level=result.level))
                break
            run = _returned(result.values, set(arguments))
            run.level = result.level
            case_runs.append(run)
            if run.failure:
                break
        return case_runs

    results: list[tuple[list[_Run], str, str]] = []
    try:
        session = Session(spec.modules, require=require)
    except ValueError as error:  # an unknown level named
        raise BackvizError(f"--require-sandbox: {error}") from None
    with session, ThreadPoolExecutor(max_workers=max(1, min(4, len(sources)))) as pool:
        for result in pool.map(one, sources):
            results.append(result)
            if progress is not None:
                progress(len(results), len(sources))
    return results


def _running(cell: int | None, function: str, status: str, lang: str) -> str:
    """Where a notebook was when its time ran out or it crashed: "; " and a cell, its
    function, or (for a timeout) that it is not known."""
    words = WORDS[lang]
    kind = "timeout" if status == "timeout" else "crash"
    if cell is None:
        return "; " + words["code_timeout_unknown"] if kind == "timeout" else ""
    if cell == 0:
        return "; " + words[f"code_{kind}_function"].format(function=function)
    return "; " + words[f"code_{kind}_cell"].format(cell=cell)


def _returned(values: Any, names: set[str]) -> _Run:
    """What the wrapper sent back, checked to the letter: ``{"value": …, "changed": [argument
    names]}``. Anything else came from the student's code writing to the result channel
    itself, and is a failure of the case (never trusted, never a crash of the class)."""
    if not isinstance(values, dict) or set(values) - {"cells"} != {"value", "changed"}:
        found = sorted(values) if isinstance(values, dict) else type(values).__name__
        return _Run(failure=f"bad-output: the result channel held {found!s:.100}, not a result")
    changed = values["changed"]
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in names for c in changed):
        return _Run(failure=f"bad-output: 'changed' is {changed!r:.100}, not argument names")
    cells = values.get("cells", [])
    if (
        not isinstance(cells, list)
        or len(cells) > MAX_CELL_LINES
        or not all(isinstance(line, str) for line in cells)
    ):
        return _Run(failure=f"bad-output: 'cells' is {cells!r:.100}, not lines about cells")
    return _Run(values["value"], changed, cells=[line[:300] for line in cells])


DESCRIPTION = {
    "en": """{id}: write the forward and backward pass yourself.

Network {sizes}; activations {activations}; loss {loss}; reduction
{reduction} over samples; one step of plain gradient descent.
Biases: {biases}.

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

{modules}
Try it yourself with: backviz grade EXERCISE {handed} --out my-report
""",
    "ko": """{id}: 순전파와 역전파를 직접 작성한다.

신경망 {sizes}; 활성화 함수 {activations}; 오차 함수 {loss}; 샘플 오차 집계 방식(reduction)
{reduction}; 경사 하강법으로 한 번 갱신한다.
편향: {biases}.

인자 (float64 numpy 배열; 그 자리에서 바꾸지 말 것):
  W  입력층 다음의 층마다 행렬 하나, 모양 (n_l, n_(l-1)): W[l][j][k]는 이 층의 노드 k에서
     다음 층의 노드 j로 가는 가중치
  b  입력층 다음의 층마다 벡터 하나, 편향이 없는 층은 None
  x  입력, 모양 (N, n_1), 샘플마다 한 행
  t  정답(목표값), 모양 (N, n_L) (교차 엔트로피면 원-핫 행)
  learning_rate  학습률

돌려줄 값: dict, 각 값은 입력층 다음의 층마다 하나씩 든 리스트:
  "z", "a", "delta"  모양 (N, n_l)인 배열   (delta = 각 샘플 자신의 오차의 dE[n]/dz)
  "dW", "W_new"      모양 (n_l, n_(l-1))인 배열
  "db", "b_new"      모양 (n_l,)인 배열, 편향이 없는 층은 None

{modules}
직접 확인하기: backviz grade EXERCISE {handed} --out my-report --lang ko
""",
}
"""What the starter says of the function, per language: what it gets, what it returns."""

_MODULES_WORDS = {
    "en": "Modules you may import: {modules} and Python's standard library. No other module\n"
    "is there where your code is graded: importing one raises ModuleNotFoundError.",
    "ko": "import할 수 있는 모듈: {modules}, 그리고 파이썬 표준 라이브러리. 코드를 채점하는\n"
    "곳에는 다른 모듈이 없어서, import하면 ModuleNotFoundError가 난다.",
}
"""The line of a starter naming the modules the sandbox lets the code import (`[code] modules`)."""

_BIAS_WORDS = {"en": ("layer {l}: {yes}", "yes", "no"), "ko": ("{l}층: {yes}", "있음", "없음")}
_NOT_WRITTEN = {
    "en": "write the forward and backward pass here",
    "ko": "여기에 순전파와 역전파를 작성한다",
}


def starter_file(exercise: NetworkExercise, *, lang: str = "en") -> str:
    """The file students start from: the signature, the shapes, what to return."""
    description = starter_description(exercise, lang=lang)
    stub = starter_stub(exercise, lang=lang)
    return f'"""{description}"""\n\n{starter_imports(exercise)}\n\n\n{stub}'


def starter_imports(exercise: NetworkExercise) -> str:
    """The starter's imports: numpy, and torch where the exercise allows it — for a training
    loop with float64 as torch's default dtype, as the weights given are (float32 would round
    each step to 1e-7, and after 1000 steps differ by ~3e-6)."""
    assert exercise.code is not None
    lines = ["import numpy as np"]
    if "torch" in exercise.code.modules:
        lines.append("import torch")
        if _trains(exercise):
            lines.append("\ntorch.set_default_dtype(torch.float64)  # as the W, b and x given")
    return "\n".join(lines)


def starter_description(
    exercise: NetworkExercise, *, handed: str = "this_file.py", lang: str = "en"
) -> str:
    """What the starter says of the function in `lang`: the network, the arguments and their
    shapes, what to return, how to try it (`handed`: the file's name there)."""
    assert exercise.code is not None
    layer, yes, no = _BIAS_WORDS.get(lang, _BIAS_WORDS["en"])
    biases = ", ".join(
        layer.format(l=i + 2, yes=yes if b else no) for i, b in enumerate(exercise.bias)
    )
    texts = TRAIN_DESCRIPTION if _trains(exercise) else DESCRIPTION
    styles, returns = TRAIN_STYLES.get(lang, TRAIN_STYLES["en"])["torch" in exercise.code.modules]
    return texts.get(lang, texts["en"]).format(
        styles=styles,
        returns=returns,
        optimizer=exercise.training.optimizer.describe(),
        steps=exercise.training.steps,
        id=exercise.id,
        sizes="-".join(map(str, exercise.sizes)),
        activations=", ".join(f.name for f in exercise.activations),
        loss=exercise.loss_name,
        reduction=exercise.training.reduction,
        biases=biases,
        handed=handed,
        modules=_MODULES_WORDS.get(lang, _MODULES_WORDS["en"]).format(
            modules=", ".join(exercise.code.modules)
        ),
    )


def starter_stub(exercise: NetworkExercise, *, lang: str = "en") -> str:
    """The function to write, not yet written."""
    assert exercise.code is not None
    if _trains(exercise):
        return train_stub(exercise, lang=lang)
    words = _NOT_WRITTEN.get(lang, _NOT_WRITTEN["en"])
    return f"""def {exercise.code.function}(W, b, x, t, learning_rate):
    raise NotImplementedError("{words}")
"""
