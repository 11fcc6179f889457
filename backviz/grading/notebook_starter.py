"""The starter notebook of a coding exercise (`template --format ipynb`): nbformat 4.5 JSON,
as Jupyter saves it, written without nbformat (which only the tests need).

Its cells: what to write and hand in (Markdown), the modules it may import included;
`import numpy as np` under a comment naming them; the function, not yet written; the
exercise's own numbers, ready to call the function on. The student hands the notebook in as
it is (`notebook.py` reads it back).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..core.exercise import NetworkExercise
from .code import starter_description, starter_imports, starter_stub

__all__ = ["starter_notebook"]

NBFORMAT = (4, 5)
"""The notebook format written: 4.5, whose cells carry an `id`."""

_HAND_IN = {
    "en": """
**Hand in this notebook** (the `.ipynb` file, saved). backviz runs its code cells from the
top, as *Restart & Run All* does, in its sandbox, and grades `{function}`: magics (`%…`,
`%%…`) and shell lines (`!…`) are left out, and a cell that raises is reported with its
number while the cells after it still run. Every code cell runs again for each case
graded, so keep long experiments out of the notebook you hand in: a case has {seconds} s, and
a cell still running when they are up is named in your feedback.
""",
    "ko": """
**이 노트북(저장한 `.ipynb` 파일)을 그대로 제출한다.** backviz는 *Restart & Run All*처럼 코드
셀을 위에서부터 차례로 샌드박스에서 실행하고 `{function}` 함수를 채점한다. 매직(`%…`, `%%…`)과 셸
명령(`!…`)은 실행하지 않으며, 오류가 난 셀은 번호와 함께 알려 주고 그 뒤의 셀은 계속 실행한다.
채점하는 경우마다 모든 코드 셀이 다시 실행되므로, 오래 걸리는 실험은 제출하는 노트북에서 뺀다:
한 경우에 {seconds}초가 주어지며, 시간이 다 됐을 때 실행 중인 셀은 피드백에 번호로 알려 준다.
""",
}
_ALLOWED = {
    "en": "# Where this notebook is graded only {modules} and Python's standard library are there",
    "ko": "# 이 노트북을 채점하는 곳에는 {modules}와(과) 파이썬 표준 라이브러리만 있다",
}
"""The imports cell's first line: what `[code] modules` lets the code import."""
_TRY = {
    "en": "# The exercise's own numbers: run this cell to try your function",
    "ko": "# 예제의 숫자로 함수를 실행해 본다",
}


def _cell(kind: str, number: int, source: str) -> dict[str, Any]:
    """A cell as nbformat 4.5 writes it: its source as lines, an id of its own."""
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": f"backviz-{number}",
        "metadata": {},
        "source": source.splitlines(keepends=True),
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _array(values: np.ndarray | None) -> str:
    """An array as Python that makes it again (every float to full precision)."""
    if values is None:
        return "None"
    return f"np.array({np.asarray(values, dtype=float).tolist()!r})"


def _given(exercise: NetworkExercise, lang: str) -> str:
    """A cell calling the function on the exercise's own numbers."""
    function = exercise.code.function  # type: ignore[union-attr]
    lines = [
        _TRY[lang],
        f"W = [{', '.join(_array(w) for w in exercise.W)}]",
        f"b = [{', '.join(_array(v) for v in exercise.b)}]",
        f"x = {_array(exercise.inputs)}",
        f"t = {_array(exercise.targets)}",
        f"learning_rate = {exercise.training.learning_rate!r}",
        f"result = {function}(W, b, x, t, learning_rate)",
        'result["W_new"]',
    ]
    if exercise.code.contract == "train":  # type: ignore[union-attr]
        lines[-2:] = [
            f"steps = {exercise.training.steps}",
            f"history = {function}(W, b, x, t, learning_rate, steps)",
            "history[-1]  # (W, b) after the last step",
        ]
    return "\n".join(lines)


def starter_notebook(exercise: NetworkExercise, *, lang: str = "en") -> str:
    """The starter notebook of a coding exercise, as JSON text: its title and how to hand it
    in in `lang` (en, ko), what to write as the .py starter says it (the code's names)."""
    assert exercise.code is not None
    description = starter_description(exercise, handed="this_notebook.ipynb", lang=lang)
    intro = f"# {exercise.title_in(lang)}\n\n```text\n{description.strip()}\n```\n" + _HAND_IN[
        lang
    ].format(function=f"{exercise.code.function}()", seconds=f"{exercise.code.wall_seconds:g}")
    allowed = _ALLOWED[lang].format(modules=", ".join(exercise.code.modules))
    cells = [
        _cell("markdown", 1, intro),
        _cell("code", 2, f"{allowed}\n{starter_imports(exercise)}"),
        _cell("code", 3, starter_stub(exercise, lang=lang).rstrip("\n")),
        _cell("code", 4, _given(exercise, lang)),
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": NBFORMAT[0],
        "nbformat_minor": NBFORMAT[1],
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
