"""The starter notebook of a coding exercise (`template --format ipynb`): nbformat 4.5 JSON,
as Jupyter saves it, written without nbformat (which only the tests need).

Its cells: what to write and hand in (Markdown); `import numpy as np`; the function, not yet
written; the exercise's own numbers, ready to call the function on. The student hands the
notebook in as it is (`notebook.py` reads it back).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..core.exercise import NetworkExercise
from .code import starter_description, starter_stub

__all__ = ["starter_notebook"]

NBFORMAT = (4, 5)
"""The notebook format written: 4.5, whose cells carry an `id`."""

_HAND_IN = """
**Hand in this notebook** (the `.ipynb` file, saved). backviz runs its code cells from the
top, as *Restart & Run All* does, in its sandbox, and grades `{function}`: magics (`%…`,
`%%…`) and shell lines (`!…`) are left out, and a cell that raises is reported with its
number while the cells after it still run. Every code cell runs again for each case
graded, so keep long experiments out of the notebook you hand in.
"""


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


def _given(exercise: NetworkExercise) -> str:
    """A cell calling the function on the exercise's own numbers."""
    function = exercise.code.function  # type: ignore[union-attr]
    lines = [
        "# The exercise's own numbers: run this cell to try your function",
        f"W = [{', '.join(_array(w) for w in exercise.W)}]",
        f"b = [{', '.join(_array(v) for v in exercise.b)}]",
        f"x = {_array(exercise.inputs)}",
        f"t = {_array(exercise.targets)}",
        f"learning_rate = {exercise.training.learning_rate!r}",
        f"result = {function}(W, b, x, t, learning_rate)",
        'result["W_new"]',
    ]
    return "\n".join(lines)


def starter_notebook(exercise: NetworkExercise) -> str:
    """The starter notebook of a coding exercise, as JSON text."""
    assert exercise.code is not None
    description = starter_description(exercise, handed="this_notebook.ipynb")
    title, _, rest = description.partition("\n")
    intro = f"# {title}\n\n```text\n{rest.strip()}\n```\n" + _HAND_IN.format(
        function=f"{exercise.code.function}()"
    )
    cells = [
        _cell("markdown", 1, intro),
        _cell("code", 2, "import numpy as np"),
        _cell("code", 3, starter_stub(exercise).rstrip("\n")),
        _cell("code", 4, _given(exercise)),
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
