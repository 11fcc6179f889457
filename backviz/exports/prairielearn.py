"""`backviz export prairielearn`: an answer-sheet exercise (or a folder of its variants) as a
PrairieLearn question folder that grades with backviz's own rules of marks.

The folder holds what PrairieLearn reads (its formats: PrairieLearn's repository,
`docs/question/server.md`, `docs/elements/pl-number-input.md`, the `infoQuestion` schema):

- `info.json` — a v3 question with partial credit;
- `question.html` — the problem sheet's statement (given numbers, precision asked) and one
  `<pl-number-input>` per asked quantity, under the sheet's headings;
- `clientFilesQuestion/diagram-v-<hash>.svg` — each variant's network drawn with its given
  numbers only, as the problem sheet draws it, named by the variant's bank name;
- `bank.json` — per variant, its marking spec (`grading/spec.py`) and what its page shows,
  named by its numbers (no roster id: PrairieLearn hands variants out by its variant seed);
  PrairieLearn never sends it to students (only `clientFilesQuestion/` is served);
- `server.py` — `prairielearn_server.py`, copied: picks a variant by PrairieLearn's variant
  seed, reads the typed digits, grades them;
- `backviz_marking.py` — `grading/marking.py`, copied verbatim: backviz's rules of marks for
  one student in the standard library, so the question runs without backviz installed.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..core.exercise import NetworkExercise
from ..errors import BackvizError
from ..files import StagedFolders, Written, content_digest, folder_lock, write_atomic
from ..grading.handout import Handout, handouts
from ..grading.practice import WORDS as PRACTICE_WORDS
from ..grading.variants import variant_id
from ..grading.verdicts import ClassGrader
from ..render.diagrams import diagram
from ..render.document import Heading
from ..render.drawing import render_graph
from ..render.handout import Figure, Question, Questions, Sheet, Steps
from ..render.handout_formats import html_block
from ..render.math_latex import math_latex
from ..render.words import word
from .prairielearn_code import TESTS, code_question

__all__ = [
    "PrairieLearnQuestion",
    "prairielearn_question",
    "write_prairielearn",
]

CLIENT_FILES = "clientFilesQuestion"
TOPIC = {"en": "Backpropagation", "ko": "역전파"}
# The sheet's given numbers in columns, as on the printed sheet (render/handout_formats.py)
STYLE = """<style>
.backviz-sheet .given p { margin: .3rem 0; }
.backviz-sheet .given .numbers { display: grid; column-gap: .8rem;
  grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); }
.backviz-sheet .given .n { white-space: nowrap; }
</style>"""


@dataclass(frozen=True)
class PrairieLearnQuestion:
    """The question folder's files: name → content (top level), the diagrams, and (a coding
    question's external grader) the files of `tests/`."""

    files: dict[str, str]
    client_files: dict[str, str]
    tests: dict[str, str | bytes] = field(default_factory=dict)


def _field_keys(names: list[str]) -> list[str]:
    """An `answers-name` per quantity: letters, digits and _ (`dE/dW5` → `dE_dW5`, `W5+` →
    `W5_new`), unique, so it is a safe key in PrairieLearn's data and its templates."""
    keys: list[str] = []
    for name in names:
        key = re.sub(r"[^A-Za-z0-9_]+", "_", name.replace("+", "_new").replace("⁺", "_new"))
        key = key.strip("_") or "q"
        if not key[0].isalpha():
            key = f"q_{key}"
        candidate, n = key, 2
        while candidate in keys:
            candidate, n = f"{key}_{n}", n + 1
        keys.append(candidate)
    return keys


def _exercise_id(exercise: NetworkExercise) -> str:
    """The exercise's own id, also for a variant (whose id adds its student's)."""
    if exercise.student is None:
        return exercise.id
    suffix = variant_id("", exercise.student)
    return exercise.id[: -len(suffix)] if exercise.id.endswith(suffix) else exercise.id


def _variant_name(spec: dict[str, Any]) -> str:
    """A variant's name in the bank: from its numbers, never from whose it was in a roster
    (PrairieLearn hands variants out by its seed), and the same when exported again."""
    given = json.dumps([spec["exercise"], spec["given"]], sort_keys=True, allow_nan=False)
    return "v-" + hashlib.sha256(given.encode("utf-8")).hexdigest()[:12]


def _statement(sheet: Sheet) -> tuple[str, str, str]:
    """The sheet's statement as HTML around its drawing — before it, its caption, after it —
    without how to hand in (PrairieLearn is how) nor the questions (the inputs are)."""
    before: list[str] = []
    after: list[str] = []
    caption = ""
    part = before
    skipping = False
    hand_in = word("sheet_hand_in", sheet.lang)
    for block in sheet.blocks:
        if isinstance(block, Heading) and block.level == 2:
            skipping = block.text == hand_in
        if skipping or isinstance(block, Questions | Steps):
            continue
        if isinstance(block, Figure):
            caption, part = block.caption, after
            continue
        part.append(html_block(block, ""))
    return "\n".join(before), caption, "\n".join(after)  # the caption: Mustache escapes it


def _inputs(sheet: Sheet, keys: dict[str, str]) -> list[str]:
    """The questions, in the sheet's order under its headings, one `pl-number-input` each."""
    lines = ['<table class="table table-sm backviz-questions">']
    for block in sheet.blocks:
        if not isinstance(block, Questions):
            continue
        for row in block.rows:
            if isinstance(row, Heading):
                lines.append(f'  <tr><th colspan="2">{escape(row.text)}</th></tr>')
                continue
            assert isinstance(row, Question)
            latex = math_latex(row.symbol).replace("{{", "{ {")  # never a Mustache tag
            label = escape(f"${latex} =$", quote=True)
            lines.append(
                f'  <tr><td class="text-muted">{row.number}</td><td>'
                f'<pl-number-input answers-name="{keys[row.name]}" label="{label}" '
                f'aria-label="{escape(row.name, quote=True)}" allow-blank="true" '
                f'blank-value="" show-help-text="false" size="24"></pl-number-input>'
                f" <code>{escape(row.name)}</code></td></tr>"
            )
    lines.append("</table>")
    return lines


def _question_html(sheet: Sheet, keys: dict[str, str]) -> str:
    return "\n".join(
        [
            STYLE,
            "<pl-question-panel>",
            '<div class="backviz-sheet">',
            "{{{params.statement}}}",
            '<pl-figure file-name="{{params.diagram}}" directory="clientFilesQuestion">'
            "</pl-figure>",
            '<p class="small text-muted">{{params.caption}}</p>',
            "{{{params.precision}}}",
            "</div>",
            "</pl-question-panel>",
            "",
            *_inputs(sheet, keys),
            "",
        ]
    )


def _variants(source: Path, lang: str) -> list[Handout]:
    """The exercise's sheet, or each variant's, checked: answer sheets of networks only."""
    found = handouts(source, lang=lang)
    for handout in found:
        exercise = handout.trace.exercise
        if not isinstance(exercise, NetworkExercise):
            raise BackvizError(
                f"{source}: exercise '{exercise.id}' is an expression exercise, answered on "
                "paper; export prairielearn takes a network exercise with an answer sheet"
            )
    return found


def prairielearn_question(
    source: Path,
    *,
    lang: str = "en",
    question_uuid: str | None = None,
    secret: str | None = None,
) -> PrairieLearnQuestion:
    """The question folder of `source`: an exercise file, or a `backviz variants` folder
    (every variant a bank entry). `question_uuid` is the question's UUID, kept from an earlier
    export; none gives a new random one (uuid4): PrairieLearn's sync refuses two questions of
    a course with one UUID, and a UUID made from names would be the same for every course and
    every folder that follows the README. A coding exercise (`[code]`) is a question with an
    external grader (`prairielearn_code.py`), its random cases drawn from `secret` (a new one
    when None)."""
    found = _variants(source, lang)
    first = found[0]
    if first.trace.exercise.code is not None:  # type: ignore[union-attr]
        exercise_id = _exercise_id(first.trace.exercise)  # type: ignore[arg-type]
        top, tests = code_question(
            found, source, exercise_id, lang=lang, question_uuid=question_uuid, secret=secret
        )
        return PrairieLearnQuestion(top, {}, tests)
    names = [row.name for row in first.sheet.questions()]
    for handout in found[1:]:
        if [row.name for row in handout.sheet.questions()] != names:
            raise BackvizError(
                f"{source}: variant '{handout.stem}' asks other quantities than "
                f"'{first.stem}'; a question's variants must ask the same"
            )
    keys = dict(zip(names, _field_keys(names), strict=True))
    bank: list[dict[str, Any]] = []
    client_files: dict[str, str] = {}
    for handout in found:
        spec = ClassGrader(handout.trace, lang=lang).spec  # type: ignore[arg-type]
        if [q.name for q in spec.asked] != names:
            raise BackvizError(f"{source}: the sheet and the grader ask different quantities")
        data = spec.to_data()
        data["exercise"] = _exercise_id(handout.trace.exercise)  # type: ignore[arg-type]
        name = _variant_name(data)
        graph = diagram(handout.trace, stage="all", lang=lang, blank=True)
        graph.name = _exercise_id(handout.trace.exercise)  # type: ignore[arg-type]  # no roster id
        # named by the variant's own numbers: exported again with other variants, an open
        # variant still finds its own drawing
        diagram_file = f"diagram-{name}.svg"
        client_files[diagram_file] = render_graph(graph, "svg").decode("utf-8")
        statement, caption, precision = _statement(handout.sheet)
        params = {
            "statement": statement,
            "diagram": diagram_file,
            "caption": caption,
            "precision": precision,
        }
        bank.append({"name": name, "params": params, "spec": data})
    exercise = first.trace.exercise
    exercise_id = _exercise_id(exercise)  # type: ignore[arg-type]
    info = {
        "uuid": question_uuid or str(uuid.uuid4()),
        "title": exercise.title_in(lang),
        "topic": TOPIC.get(lang, TOPIC["en"]),
        "tags": ["backviz", exercise_id],
        "type": "v3",
        "singleVariant": len(bank) == 1,
        "partialCredit": True,
        "showCorrectAnswer": True,
    }
    labels = dict(PRACTICE_WORDS.get(lang, PRACTICE_WORDS["en"])["verdicts"])
    bank_data = {
        "exercise": exercise_id,
        "lang": lang,
        "labels": labels,
        "fields": [[keys[name], name] for name in names],
        "variants": bank,
    }
    package = files("backviz")
    question_files = {
        "info.json": json.dumps(info, indent=2, ensure_ascii=False) + "\n",
        "question.html": _question_html(first.sheet, keys),
        "server.py": package.joinpath("exports/prairielearn_server.py").read_text("utf-8"),
        "backviz_marking.py": package.joinpath("grading/marking.py").read_text("utf-8"),
        "bank.json": json.dumps(bank_data, ensure_ascii=False, allow_nan=False) + "\n",
    }
    return PrairieLearnQuestion(question_files, client_files)


def write_prairielearn(
    source: Path, out: Path, *, lang: str = "en", secret: str | None = None
) -> list[Path]:
    """The question folder of `source` written into `out` (a folder under the course's
    `questions/`): each file atomically, the diagrams' folder put in place whole, and never
    over a file backviz did not write. A UUID written before (by backviz) is kept: it is what
    keeps the students' submissions attached to the question in PrairieLearn."""
    _check_out(source, out)
    question = prairielearn_question(
        source, lang=lang, question_uuid=_uuid_before(out), secret=secret
    )
    digests = {name: content_digest(content) for name, content in question.files.items()}
    try:
        with folder_lock(out):
            # refused before anything is written: a file of someone else's, or one backviz
            # wrote and the teacher edited since (its content is not the one on the record)
            written = Written.read(out).claim(question.files, digests)
            folders = {CLIENT_FILES: question.client_files, TESTS: question.tests}
            folders = {folder: found for folder, found in folders.items() if found}
            with StagedFolders(out, list(folders)) as staged:
                for folder, found in folders.items():
                    for name, content in found.items():
                        staged.write(folder, name, content)
            for name, content in question.files.items():
                write_atomic(out / name, content)
            written.settle(question.files, digests)
    except OSError as error:
        raise BackvizError(f"{out}: cannot be written ({error.strerror or error})") from None
    written = [out / name for name in question.files]
    written += [out / TESTS / name for name in question.tests]
    return written + [out / CLIENT_FILES / name for name in question.client_files]


def _check_out(source: Path, out: Path) -> None:
    """Refuse a question folder inside the variants folder exported, or inside any folder of
    `backviz variants` (its `*.toml` and `keys/`): the question would sit among, or be, the
    answer keys, and the variants folder would hold a question."""
    target = out.resolve()
    inside = [source.resolve()] if source.is_dir() else []
    for folder in (target, *target.parents):
        if folder in inside or (
            folder.is_dir() and (folder / "keys").is_dir() and any(folder.glob("*.toml"))
        ):
            raise BackvizError(
                f"-o {out}: is inside the variants folder {folder} (its exercises and keys/ "
                "answer keys); give a folder under your course's questions/ instead"
            )


def _uuid_before(out: Path) -> str | None:
    """The UUID of the info.json backviz wrote in `out` before, if any."""
    if not Written.read(out).ours("info.json"):
        return None
    try:
        value = json.loads((out / "info.json").read_text(encoding="utf-8")).get("uuid")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F-]{36}", value) else None
