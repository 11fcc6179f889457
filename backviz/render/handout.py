"""A problem sheet as plain data: what a student is given, what is asked, how to hand it in.

Sentences (paragraphs and steps) mark names to type, such as `ID.csv`, with backticks, as
Markdown does; each printer sets them in its typewriter type.

`problem_sheet` builds it from a trace and the questions (the caller chooses them: the answer
template's quantities, in its order); `handout_formats.py` prints it as LaTeX, HTML or
Markdown, beside the network drawn with `blank=True`. The sheet reads the value of given
quantities only (inputs, targets, weights, biases, η): no computed number can reach it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.mathexpr import Sym
from ..core.notation import format_given
from ..core.quantities import Kind, Ref
from .document import Heading, Paragraph
from .network_diagram import MAX_NODES, uses_matrices
from .solution_network import describe, section_heading, section_of
from .words import word

if TYPE_CHECKING:
    from ..core.quantity_trace import QuantityTrace

__all__ = [
    "Figure",
    "Given",
    "HandIn",
    "Question",
    "Questions",
    "Sheet",
    "SheetBlock",
    "Steps",
    "problem_sheet",
]


@dataclass(frozen=True)
class HandIn:
    """How the answers are handed in."""

    way: str  # "sheet": a CSV made by `template`; "code": a .py file; "paper": this sheet
    exercise_file: str = ""  # the exercise's file name, as the commands name it
    student: str | None = None  # None: the commands say ID
    file_stem: str = "ID"  # the answer file's name without its suffix (the student's, safe)
    checked: bool = True  # `check-answers` can check the sheet (exercises that train)
    function: str = ""  # a coding exercise's function
    cases: int = 0  # a coding exercise's random cases


@dataclass(frozen=True)
class Given:
    """The given numbers in groups: (label, ((symbol, number as written), …))."""

    groups: tuple[tuple[str, tuple[tuple[Sym, str], ...]], ...]


@dataclass(frozen=True)
class Figure:
    """Where the drawing goes, with its caption (and a name for readers who cannot see it)."""

    caption: str
    alt: str = ""


@dataclass(frozen=True)
class Question:
    number: int
    symbol: Sym
    name: str  # as the answer sheet names it


@dataclass(frozen=True)
class Questions:
    """The questions' section: its heading and a sentence, then the questions in order, with a
    heading row where a part (forward pass …) begins."""

    title: str
    intro: str
    columns: tuple[str, str, str, str]  # number, quantity, name, answer
    rows: tuple[Question | Heading, ...]


@dataclass(frozen=True)
class Steps:
    """Numbered steps: a sentence and, maybe, a command to type."""

    items: tuple[tuple[str, str | None], ...]


SheetBlock = Heading | Paragraph | Given | Figure | Questions | Steps


@dataclass(frozen=True)
class Sheet:
    title: str
    subtitle: str  # Problem sheet · exercise seed-222 · student s01
    lang: str
    student: str | None
    blocks: tuple[SheetBlock, ...]

    def questions(self) -> list[Question]:
        """The questions in the order the sheet asks them."""
        tables = [block for block in self.blocks if isinstance(block, Questions)]
        return [row for table in tables for row in table.rows if isinstance(row, Question)]


@dataclass(frozen=True)
class _SheetKind:
    """What differs between kinds of exercise on a sheet."""

    heading: str  # the drawing's section
    describe: Callable[[Any, str], str]
    settings: Callable[[Any, str], list[tuple[str, tuple[tuple[Sym, str], ...]]]]
    captions: Callable[[Any, str], list[str]]
    group: Callable[[Any, Ref, str], str]  # the section heading a question falls under


def _network_settings(trace: Any, lang: str) -> list[tuple[str, tuple[tuple[Sym, str], ...]]]:
    if not trace.exercise.trains:
        return []
    rate = format_given(trace.exercise.training.learning_rate)
    settings = [(word("learning_rate", lang), ((Sym("η", r"\eta"), rate),))]
    reg = trace.exercise.regularization
    if reg.active:  # λ₁, λ₂ of the penalty in the cost
        symbols = {"L1": Sym("λ₁", r"\lambda_1"), "L2": Sym("λ₂", r"\lambda_2")}
        strengths = tuple((symbols[n], format_given(reg.strength(n))) for n in reg.norms)
        settings.append((word("regularization", lang), strengths))
    dropout = trace.exercise.dropout
    if dropout is not None:  # p of each hidden layer, as the formulas name it
        rates = tuple(
            (trace.namer.rate(layer), format_given(p))
            for layer, p in enumerate(dropout.rates, start=2)
        )
        settings.append((word("dropout_rate", lang), rates))
    return settings


def _network_captions(trace: Any, lang: str) -> list[str]:
    exercise = trace.exercise
    captions = []
    if exercise.n_samples > 1:
        captions.append(word("sheet_caption_sample", lang, n=1, total=exercise.n_samples))
    if max(exercise.sizes) > MAX_NODES:
        captions.append(word("sheet_caption_more", lang, max=MAX_NODES))
    elif uses_matrices(trace):  # bare edges: too many to label each
        captions.append(word("sheet_caption_bare", lang))
    return captions


def _network_group(trace: Any, ref: Ref, lang: str) -> str:
    return section_heading(trace, section_of(trace, ref), lang)


def _expression_describe(trace: Any, lang: str) -> str:
    nodes = ", ".join(f"{name} = {source}" for name, source in trace.exercise.nodes)
    return word("sheet_nodes", lang, nodes=nodes, output=trace.exercise.output)


def _expression_group(trace: Any, ref: Ref, lang: str) -> str:
    return word("expression_forward" if ref.kind is Kind.NODE else "expression_backward", lang)


SHEET_KINDS = {
    "network": _SheetKind(
        "sheet_network", describe, _network_settings, _network_captions, _network_group
    ),
    "expression": _SheetKind(
        "sheet_graph", _expression_describe, lambda *_: [], lambda *_: [], _expression_group
    ),
}

GROUPS = {  # the heading of each kind of given number ({l}: its layer)
    Kind.INPUT: "inputs",
    Kind.NODE: "inputs",
    Kind.TARGET: "targets",
    Kind.WEIGHT: "sheet_weights",
    Kind.BIAS: "sheet_biases",
    Kind.MASK: "dropout_masks",
}


def _given(trace: QuantityTrace, lang: str) -> Given:
    """Every quantity without a formula (the exercise's own numbers), then the settings."""
    groups: dict[str, list[tuple[Sym, str]]] = {}
    for ref in trace.refs():
        if trace.formula(ref) is None:
            label = word(GROUPS.get(ref.kind, "given"), lang, l=ref.layer)
            number = format_given(trace.value(ref))
            groups.setdefault(label, []).append((trace.symbol(ref, step=ref.step), number))
    listed = [(label, tuple(items)) for label, items in groups.items()]
    listed += SHEET_KINDS[trace.exercise.kind].settings(trace, lang)
    return Given(tuple(listed))


def _questions(trace: QuantityTrace, questions: list[Ref], way: str, lang: str) -> Questions:
    kind = SHEET_KINDS[trace.exercise.kind]
    several_steps = len({ref.step for ref in questions}) > 1
    rows: list[Question | Heading] = []
    current = None
    for number, ref in enumerate(questions, start=1):
        group = kind.group(trace, ref, lang)
        if several_steps and ref.step is not None:
            group = f"{word('step', lang, s=ref.step)} · {group}"
        if group != current:
            current = group
            rows.append(Heading(group, 3))
        symbol = trace.symbol(ref) if several_steps else trace.symbol(ref, step=ref.step)
        rows.append(Question(number, symbol, trace.name(ref)))
    columns = tuple(word(f"sheet_col_{c}", lang) for c in ("number", "quantity", "name", "answer"))
    title, intro = word("sheet_questions", lang), word(f"sheet_questions_{way}", lang)
    return Questions(title, intro, columns, tuple(rows))  # type: ignore[arg-type]


def _precision(significant: int, questions: list[Ref], carried: bool, lang: str) -> list[str]:
    if significant == 1:
        lines = [word("sheet_precision_1", lang)]
    else:
        lines = [word("sheet_precision_n", lang, n=significant)]
    if any(ref.kind in (Kind.UPDATE_W, Kind.UPDATE_B) for ref in questions):
        lines.append(word("sheet_precision_update", lang))
    lines.append(word("sheet_precision_more", lang))
    if carried:
        lines.append(word("sheet_carried", lang))
    return lines


def _shell_word(text: str) -> str:
    """A word as typed in a shell: as it is when it is safe (Hangul too), else in double quotes
    (typewriter type has a straight double quote; its single one prints curly)."""
    if re.fullmatch(r"[\w.,:@%+=/-]+", text):
        return text
    return f'"{text}"' if not re.search(r'["$`\\!]', text) else shlex.quote(text)


def _hand_in(hand_in: HandIn, lang: str) -> list[SheetBlock]:
    if hand_in.way == "paper":
        return [Paragraph(word("sheet_paper", lang))]
    who = _shell_word(hand_in.student or "ID")
    file, answer = _shell_word(hand_in.exercise_file), hand_in.file_stem
    blocks: list[SheetBlock] = [Paragraph(word("sheet_needs", lang, file=hand_in.exercise_file))]
    if hand_in.student is None:
        blocks.append(Paragraph(word("sheet_your_id", lang)))
    own = "" if lang == "en" else f" --lang {lang}"  # the files they make: in its language
    if hand_in.way == "code":
        steps = [
            (word("sheet_starter", lang), f"backviz template {file}{own} -o {answer}.py"),
            (word("sheet_write_code", lang, function=hand_in.function), None),
            (word("sheet_try", lang), f"backviz grade {file} {answer}.py --out my-report{own}"),
            (word("sheet_submit", lang, file=f"{answer}.py"), None),
        ]
    else:
        template = f"backviz template {file} --student {who}{own} -o {answer}.csv"
        steps = [(word("sheet_make", lang), template), (word("sheet_fill", lang), None)]
        if hand_in.checked:
            check = f"backviz check-answers {file} {answer}.csv{own}"
            steps.append((word("sheet_check", lang), check))
        steps.append((word("sheet_submit", lang, file=f"{answer}.csv"), None))
    return [*blocks, Steps(tuple(steps))]


def problem_sheet(
    trace: QuantityTrace,
    questions: list[Ref],
    hand_in: HandIn,
    *,
    lang: str = "en",
    significant: int = 1,
    carried: bool = True,
) -> Sheet:
    """The sheet of one exercise (one student's, with `hand_in.student`): the task, the given
    numbers and the drawing, the precision asked, how to hand in, then the questions in order."""
    exercise = trace.exercise
    kind = SHEET_KINDS[exercise.kind]
    subtitle = [word("sheet", lang), word("sheet_exercise", lang, id=exercise.id)]
    if hand_in.student is not None:
        subtitle.append(word("sheet_student", lang, id=hand_in.student))
    code = getattr(exercise, "code", None)  # network exercises only
    trains = code is not None and code.contract == "train"
    task = f"sheet_task_{hand_in.way}" + ("_train" if trains and hand_in.way == "code" else "")
    blocks: list[SheetBlock] = [Paragraph(word(task, lang))]
    caption = "sheet_caption_code" if hand_in.way == "code" else "sheet_caption"
    blocks += [Paragraph(part) for part in exercise.description_in(lang)]
    blocks += [
        Heading(word(kind.heading, lang), 2),
        Paragraph(kind.describe(trace, lang)),
        Heading(word("given", lang), 3),
        _given(trace, lang),
        Figure(
            " ".join([word(caption, lang), *kind.captions(trace, lang)]),
            alt=f"{word(kind.heading, lang)}: {exercise.title_in(lang)}",
        ),
    ]
    if hand_in.way == "code":
        text = word(
            "sheet_code_text_train" if trains else "sheet_code_text",
            lang,
            function=hand_in.function,
            cases=hand_in.cases,
            steps=exercise.training.steps,
        )
        blocks += [Heading(word("sheet_code", lang), 2), Paragraph(text)]
    else:
        blocks += [
            Heading(word("sheet_precision", lang), 2),
            *(Paragraph(line) for line in _precision(significant, questions, carried, lang)),
        ]
    blocks += [Heading(word("sheet_hand_in", lang), 2), *_hand_in(hand_in, lang)]
    if hand_in.way != "code":
        blocks.append(_questions(trace, questions, hand_in.way, lang))
    return Sheet(
        title=exercise.title_in(lang),
        subtitle=" · ".join(subtitle),
        lang=lang,
        student=hand_in.student,
        blocks=tuple(blocks),
    )
