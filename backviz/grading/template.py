"""The blank answer sheet students fill in: CSV `quantity,value`, asked quantities in order."""

from __future__ import annotations

import csv
import io

from ..core.trace import Trace
from .verdicts import asked

__all__ = ["answer_sheet"]

INSTRUCTIONS = {
    "en": [
        "# backviz answer sheet for exercise {id}: {title}",
        "# Fill in the value column, one number per quantity, as you computed it (e.g. 0.51998934",
        "# or 0.52 or 5.2e-1 or 1/2). Write as many decimals as you worked with; leave a cell",
        "# empty when you did not compute it. Quantity names follow the exercise's notation.",
    ],
    "ko": [
        "# backviz 답안지: 예제 {id} ({title})",
        "# value 칸에 계산한 값을 하나씩 적는다 (예: 0.51998934, 0.52, 5.2e-1, 1/2).",
        "# 계산에 쓴 자릿수만큼 소수점 아래를 적고, 계산하지 않은 값은 비워 둔다.",
        "# 이름은 예제의 표기법을 따른다.",
    ],
}


def answer_sheet(trace: Trace, *, student: str | None = None, lang: str = "en") -> str:
    """The sheet as CSV text: instructions as # comments, a student row, then the quantities."""
    exercise = trace.exercise
    title = exercise.title_in(lang)
    lines = [line.format(id=exercise.id, title=title) for line in INSTRUCTIONS[lang]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["quantity", "value"])
    writer.writerow(["student", student or ""])
    for ref, _ in asked(trace, exercise.ask):
        writer.writerow([trace.name(ref), ""])
    return "\n".join(lines) + "\n" + buffer.getvalue()
