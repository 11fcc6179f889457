"""`backviz export moodle`: a Moodle XML question bank of Cloze questions, one per exercise or
per variant, in a category per exercise (a quiz's random question then draws one variant per
student).

Each question is the problem sheet as HTML: the task, the given numbers, the network drawn with
the given numbers only (an SVG file inside the XML, `@@PLUGINFILE@@`, as Moodle exports files),
the precision asked, and the questions, each asked quantity a NUMERICAL field (`cloze.py`) made
from the exercise's marking spec (grading/spec.py, the one source of marks):

- the right value, with the tolerance of backviz's precision rule at the least precision the
  exercise asks (`[ask] significant`): one unit of the last decimal it needs on the right value
  (on its step W⁺ − W for an update), one more for each unasked term the formula sums — a right
  answer rounded or truncated there is within it, as backviz judges;
- before it, 0 % answers for a 0 and for the old value (W for W⁺, a state's value before) where
  they are not right at that tolerance (rule 1 of the marks: Moodle takes the first match);
- each catalogued mistake distinguishable at that tolerance, as an answer worth its credit
  rounded to the nearest grade Moodle allows, its explanation as the feedback.

The worked solution is the general feedback. A tolerance cannot judge a student's own numbers
and Moodle cannot carry an earlier slip forward: the question says that its marks are
provisional and that backviz's regrade of the quiz's Responses export (`backviz grade`) counts.

The formats, read in Moodle's source (moodle/moodle): question/format/xml/format.php
(`import_multianswer`: a `cloze` question, its text with `<file>`s, `generalfeedback`, `penalty`;
categories as `$course$/top/…`), question/type/multianswer/questiontype.php (the Cloze syntax).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from ..core.api import trace_of
from ..core.exercise import NetworkExercise
from ..core.loading import load
from ..core.notation import format_number
from ..core.trace import Trace
from ..errors import BackvizError
from ..files import write_atomic
from ..grading.cloze_parts import MARKER
from ..grading.escape import file_name
from ..grading.marking import WORDS as MARKING_WORDS
from ..grading.precision import decimals_needed
from ..grading.spec import QuantitySpec
from ..grading.variants import question_id, variant_id
from ..grading.verdicts import ClassGrader
from ..render import render_solution
from ..render.diagrams import diagram
from ..render.document import Heading, Paragraph
from ..render.drawing import render_graph
from ..render.handout import Given, HandIn, Questions, problem_sheet
from ..render.words import word
from .cloze import Alternative, cloze_field, html_text, moodle_fraction

__all__ = [
    "MoodleQuestion",
    "field_tolerance",
    "moodle_question",
    "moodle_questions",
    "moodle_xml",
    "write_moodle",
]

_WORDS = {
    "task": {
        "en": "Compute each quantity below by hand from the given numbers, in order, and type "
        "it in its box.",
        "ko": "아래의 각 값을 주어진 값으로부터 순서대로 손으로 계산하여 칸에 입력한다.",
    },
    "provisional": {
        "en": "Moodle's marks for this question are provisional. One tolerance per box cannot "
        "apply backviz's marking rules (your own earlier numbers, rounding, the precision "
        "asked), and Moodle cannot carry an earlier slip forward. Your teacher regrades your "
        "answers with backviz, and backviz's marks are the ones that count.",
        "ko": "이 문제의 Moodle 점수는 임시 점수다. 칸마다 하나의 허용 오차로는 backviz의 채점 "
        "규칙(앞에서 구한 내 값, 반올림, 요구 정밀도)을 적용할 수 없고, Moodle은 앞 단계의 "
        "실수를 이어받아 채점하지 못한다. 선생님이 backviz로 다시 채점하며, backviz의 점수가 "
        "최종 점수다.",
    },
    "right": {"en": "Right (at the precision asked).", "ko": "정답 (요구 정밀도에서)."},
    "mistake": {
        "en": "{explanation} (backviz: mistake {id}, {percent} of the marks)",
        "ko": "{explanation} (backviz: 실수 {id}, 배점의 {percent})",
    },
    "solution": {"en": "Worked solution", "ko": "풀이"},
}


def _word(key: str, lang: str, **values: object) -> str:
    table = _WORDS[key]
    return table.get(lang, table["en"]).format(**values)


@dataclass(frozen=True)
class MoodleQuestion:
    """One Cloze question as written: its category, name, id, text (HTML with the fields), the
    diagram file, the general feedback (HTML), and the credits rounded to Moodle's grades."""

    category: str
    name: str
    idnumber: str
    text: str
    files: dict[str, bytes]
    feedback: str
    rounded: tuple[tuple[str, float, float], ...]  # (mistake id, backviz credit, Moodle grade)


def field_tolerance(quantity: QuantitySpec, significant: int) -> float:
    """The tolerance of backviz's precision rule at the least precision asked: one unit of the
    last decimal the right value needs (of its step from the old value for an update or an
    optimiser's state, `spec.step_base`), one more for each
    unasked term the formula sums. A step of 0 asks no decimals: the value itself (tolerance 0)."""
    step = quantity.value - quantity.base
    if step == 0 or not math.isfinite(step):
        return 0.0
    unit = 10.0 ** -decimals_needed(step, significant)
    return unit * (1 + quantity.terms)


def _nothing_said(quantity: QuantitySpec, tolerance: float, lang: str) -> list[Alternative]:
    """The answers that say nothing — a 0, and the old value (W for W⁺, a state's value before)
    — as 0 % answers, where the box's tolerance does not make them right: Moodle takes the first
    answer that matches, so these, put first, keep a lazy 0 or a copied old value from a
    mistake's (or the right answer's) credit, as rule 1 of backviz's marks does. Each one's own
    tolerance stops short of the right answer's, so no right response is caught by it."""
    said = []
    for value, key in ((0.0, "zero"), (quantity.base, "not_updated")):
        gap = abs(quantity.value - value) - tolerance
        if gap <= 0 or any(a.value == value for a in said):
            continue  # right at the box's tolerance (or said already: a base of 0)
        words = MARKING_WORDS[key]
        feedback = words.get(lang, words["en"]).format(step=format_number(quantity.value - value))
        said.append(Alternative(value, min(tolerance, gap / 2), 0.0, html_text(feedback)))
    return said


def _alternatives(quantity: QuantitySpec, significant: int, lang: str) -> list[Alternative]:
    """The answers that say nothing (`_nothing_said`), the right answer, then each mistake
    Moodle can tell from them at the same tolerance."""
    tolerance = field_tolerance(quantity, significant)
    first = _nothing_said(quantity, tolerance, lang)
    right = Alternative(quantity.value, tolerance, 1.0, html_text(_word("right", lang)))
    answers = [*first, right]
    for mistake in quantity.mistakes:
        if not math.isfinite(mistake.value) or any(
            abs(mistake.value - a.value) <= tolerance for a in answers
        ):  # indistinguishable from the right value, or from an earlier mistake (the first
            continue  # answer that matches wins, in Moodle as in backviz)
        fraction = moodle_fraction(mistake.credit)
        explanation = mistake.explanation.get(lang, mistake.explanation["en"])
        percent = f"{100 * fraction:.5g} %"
        feedback = _word("mistake", lang, explanation=explanation, id=mistake.id, percent=percent)
        answers.append(Alternative(mistake.value, tolerance, fraction, html_text(feedback)))
    return answers


def _rounded(quantities: tuple[QuantitySpec, ...]) -> tuple[tuple[str, float, float], ...]:
    """The mistakes whose credit Moodle cannot carry: (id, credit, the grade it becomes)."""
    found = {
        (m.id, m.credit, moodle_fraction(m.credit))
        for q in quantities
        for m in q.mistakes
        if not math.isclose(moodle_fraction(m.credit), m.credit, abs_tol=1e-7)
    }
    return tuple(sorted(found))


def _whole_marks(quantities: tuple[QuantitySpec, ...]) -> list[int]:
    """Each field's weight: Moodle's is a whole number, so marks of 0.5 are scaled by the
    smallest power of ten that makes every one whole (the shares stay backviz's); marks no
    power up to 1000 makes whole are rounded, to 1 at least."""
    for scale in (1, 10, 100, 1000):
        scaled = [q.marks * scale for q in quantities]
        if all(abs(m - round(m)) < 1e-9 for m in scaled):
            return [round(m) for m in scaled]
    return [max(1, round(q.marks)) for q in quantities]


def _html_block(block: Any, fields: list[str]) -> str:
    """A block of the problem sheet as Moodle HTML; the questions' table with its fields."""
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)  # Moodle's page has its own h1, h2
        return f"<h{level}>{html_text(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{html_text(block.text.replace('`', ''))}</p>"
    if isinstance(block, Given):
        return "".join(
            f"<p><b>{html_text(label)}:</b> "
            + ", ".join(f"{html_text(sym.text)} = {html_text(value)}" for sym, value in items)
            + "</p>"
            for label, items in block.groups
        )
    assert isinstance(block, Questions)
    rows = []
    for row in block.rows:
        if isinstance(row, Heading):
            rows.append(f'<tr><th colspan="3">{html_text(row.text)}</th></tr>')
        else:
            rows.append(
                f"<tr><td>{row.number}</td><td>{html_text(row.symbol.text)} "
                f"(<code>{html_text(row.name)}</code>)</td><td>{fields[row.number - 1]}</td></tr>"
            )
    head = "".join(f"<th>{html_text(c)}</th>" for c in (*block.columns[:2], block.columns[3]))
    return (
        f"<h3>{html_text(block.title)}</h3>"
        f'<table class="generaltable"><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def moodle_question(trace: Trace, category: str, *, lang: str = "en") -> MoodleQuestion:
    """The Cloze question of one exercise (or variant)."""
    exercise: NetworkExercise = trace.exercise
    grader = ClassGrader(trace, lang=lang)
    spec = grader.spec
    significant = spec.significant
    weights = _whole_marks(spec.asked)
    fields = [
        cloze_field(marks, _alternatives(q, significant, lang))
        for marks, q in zip(weights, spec.asked, strict=True)
    ]
    questions = [ref for ref, _ in grader.items]
    sheet = problem_sheet(
        trace,
        questions,
        HandIn("paper"),
        lang=lang,
        significant=significant,
        carried=spec.carried_credit > 0,
    )
    shown_id = question_id(exercise)  # a variant's by its numbers: no roster id shown
    image = f"{file_name(shown_id)}.svg"
    svg = render_graph(diagram(trace, stage="all", lang=lang, blank=True), "svg")
    blocks = list(sheet.blocks)
    hand_in = blocks.index(Heading(word("sheet_hand_in", lang), 2))
    body = [
        f"<p>{html_text(MARKER.format(id=shown_id))} <b>{html_text(sheet.title)}</b></p>",
        f"<p><i>{html_text(_word('provisional', lang))}</i></p>",
        f"<p>{html_text(_word('task', lang))}</p>",
    ]
    for block in blocks[1:hand_in]:  # the sheet's own task sentence is for paper
        if isinstance(block, Paragraph | Heading | Given):
            body.append(_html_block(block, fields))
        else:  # the figure
            alt = html_text(block.alt).replace('"', "&quot;")
            body.append(
                f'<p><img src="@@PLUGINFILE@@/{image}" alt="{alt}" role="img" '
                'style="max-width: 100%; height: auto"></p>'
            )
            body.append(f"<p><small>{html_text(block.caption)}</small></p>")
    body.append(_html_block(blocks[-1], fields))
    solution = render_solution(trace, "text", lang=lang)
    feedback = (
        f"<h3>{html_text(_word('solution', lang))}</h3>"
        f'<pre style="white-space: pre-wrap">{html_text(solution)}</pre>'
    )
    name = f"{shown_id} · {exercise.title_in(lang)}"
    return MoodleQuestion(
        category, name, shown_id, "\n".join(body), {image: svg}, feedback, _rounded(spec.asked)
    )


def _exercise_category(exercise: NetworkExercise) -> str:
    """The exercise a question belongs to: a variant's own id less its student's part."""
    if exercise.student is None:
        return exercise.id
    suffix = variant_id("", exercise.student)  # "-<student>", as the variant's id ends
    return exercise.id[: -len(suffix)] if exercise.id.endswith(suffix) else exercise.id


def _traces(source: Path) -> list[Trace]:
    """The exercise's trace, or each variant's of a `variants` folder (by file name)."""
    paths = sorted(source.glob("*.toml")) if source.is_dir() else [source]
    traces = []
    for path in paths:
        exercise = load(path)
        if not isinstance(exercise, NetworkExercise) or not exercise.trains:
            if source.is_dir():
                continue
            raise BackvizError(
                f"{path}: a Moodle quiz needs a network exercise with [training] (its answer "
                "sheet), found a"
                + (" forward-only one" if isinstance(exercise, NetworkExercise) else "n expression")
            )
        if exercise.code is not None:
            raise BackvizError(
                f"{path}: a coding exercise asks for a function; export its answer-sheet "
                "exercise to Moodle instead"
            )
        if source.is_dir() and exercise.student is None:
            continue  # a folder of variants: only the variants
        traces.append(trace_of(exercise))
    if not traces:
        raise BackvizError(f"{source}: no variants found (files written by `backviz variants`)")
    return traces  # type: ignore[return-value]


def moodle_questions(source: Path, *, lang: str = "en") -> list[MoodleQuestion]:
    """The question of the exercise file `source`, or of each variant of a variants folder."""
    return [
        moodle_question(trace, _exercise_category(trace.exercise), lang=lang)
        for trace in _traces(source)
    ]


def _cdata(text: str) -> str:
    """Text in a CDATA section, as Moodle's own export writes HTML (a `]]>` in it split)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, text: str, indent: str, *, fmt: str | None = None, inner: str = "") -> str:
    """`<tag format=…><text>…</text>…</tag>`, the text as CDATA when it holds markup."""
    attribute = "" if fmt is None else f' format="{fmt}"'
    body = _cdata(text) if any(c in text for c in "<>&") else text
    return f"{indent}<{tag}{attribute}>\n{indent}  <text>{body}</text>\n{inner}{indent}</{tag}>\n"


def _file(name: str, data: bytes, indent: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'{indent}<file name="{xml_escape(name)}" path="/" encoding="base64">{encoded}</file>\n'


def moodle_xml(questions: list[MoodleQuestion]) -> bytes:
    """The questions as a Moodle XML file: each category once, then its questions."""
    categories: dict[str, list[MoodleQuestion]] = {}
    for question in questions:
        categories.setdefault(question.category, []).append(question)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    for category, members in categories.items():
        out.append(f"<!-- question: category {xml_escape(category)} -->\n")
        out.append('  <question type="category">\n')
        out.append(_text("category", xml_escape(f"$course$/top/backviz/{category}"), "    "))
        out.append(_text("info", f"backviz exercise {html_text(category)}", "    ", fmt="html"))
        out.append("  </question>\n")
        for question in members:
            files = "".join(_file(n, d, "      ") for n, d in question.files.items())
            out += [
                f"<!-- question: {xml_escape(question.idnumber)} -->\n",
                '  <question type="cloze">\n',
                _text("name", xml_escape(question.name), "    "),
                _text("questiontext", question.text, "    ", fmt="html", inner=files),
                _text("generalfeedback", question.feedback, "    ", fmt="html"),
                "    <penalty>0.3333333</penalty>\n",
                "    <hidden>0</hidden>\n",
                f"    <idnumber>{xml_escape(question.idnumber)}</idnumber>\n",
                "  </question>\n",
            ]
    out.append("</quiz>\n")
    return "".join(out).encode("utf-8")


def write_moodle(source: Path, out: Path, *, lang: str = "en") -> list[str]:
    """Write the Moodle XML of `source` (an exercise, or a variants folder) to `out` (.xml),
    atomically; return what to tell the teacher (what was written, credits rounded)."""
    if out.suffix.lower() != ".xml":
        raise BackvizError(
            f"{out}: export moodle writes a Moodle XML file, expected a name ending .xml, "
            f"found {out.suffix or 'no suffix'}"
        )
    questions = moodle_questions(source, lang=lang)
    data = moodle_xml(questions)
    try:
        write_atomic(out, data)
    except OSError as error:
        raise BackvizError(f"{out}: could not be written ({error.strerror or error})") from None
    categories = sorted({q.category for q in questions})
    fields = sum(q.text.count(":NUMERICAL:") for q in questions)
    lines = [
        f"wrote {out}: {len(questions)} Cloze question(s), {fields} NUMERICAL field(s), in "
        + ", ".join(f"category backviz/{c}" for c in categories)
    ]
    seen = set()
    for question in questions:
        for mistake, credit, fraction in question.rounded:
            if (mistake, credit) not in seen:
                seen.add((mistake, credit))
                lines.append(
                    f"note: mistake {mistake}'s credit {100 * credit:g} % is "
                    f"{100 * fraction:.5g} % in Moodle (the nearest grade Moodle allows)"
                )
    return lines
