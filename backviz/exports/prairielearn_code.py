"""`backviz export prairielearn` of a coding exercise (`[code]`): a PrairieLearn question with
an external grader for PrairieLearn's Python image, grading as `backviz grade` grades code.

The folder (PrairieLearn's formats: docs/externalGrading.md, docs/elements/pl-file-editor.md,
pl-file-upload.md, pl-external-grader-results.md, the `infoQuestion` schema):

- `info.json` — a v3 question graded `External` by the image `prairielearn/grader-python`
  (Python 3.13 with numpy, no torch, no backviz), its entrypoint `tests/backviz_grade.py`;
- `question.html` — what the function gets and returns (the starter's description), an
  editor holding the starter file, an optional notebook upload, and the grader's results;
- `server.py` — picks the variant by PrairieLearn's variant seed (`params.variant_name`,
  which the grader reads back from `/grade/data/data.json`);
- `tests/` — what PrairieLearn copies to `/grade/tests` for each submission (never served
  to students): `cases.json.gz` (per variant, its cases — the exercise's own numbers and
  `[code] cases` more drawn at export from a secret made then — each case's arguments and
  marking spec, the expected values the grader alone reads), and, copied verbatim, the
  grader (`prairielearn_grader.py`), the harness that runs one case as another uid
  (`prairielearn_child.py`), the sandbox's value codec, backviz's rules of marks
  (`grading/marking.py`, `grading/code_marking.py`), the notebook reader, and the sandbox's
  view of the Python installation (`sandbox/python_view.py`: which modules `[code] modules`
  allows, with their dependencies).

A training loop (`[code] contract = "train"`) is judged step by step from the student's own
previous weights by backviz's engine (`grading/code_training.TrainJudge`), which no set of
expected values can stand in for: its question also ships backviz itself in `tests/`, the
wheel `export gradescope` builds of the running package (`wheel.py`; pure Python, importable
from its zip), and each case is the case's exercise as TOML (`core/writing.exercise_toml`,
which loads back to the same exercise); the grader imports backviz from the wheel and judges
with `backviz grade`'s own TrainJudge.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import uuid
from dataclasses import replace
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..core.engine import run
from ..core.exercise import NetworkExercise
from ..core.writing import exercise_toml
from ..errors import BackvizError
from ..grading.code import (
    case_arguments,
    code_cases,
    graded_rows,
    new_secret,
    starter_description,
    starter_file,
)
from ..grading.code_marking import KEYS
from ..grading.code_training import TrainJudge
from ..grading.code_verdicts import CaseJudge
from ..grading.handed_in import MAX_BYTES
from ..grading.mistakes import mistake_name
from ..grading.notebook import NOTEBOOK_BYTES
from ..grading.report_text import STATUSES, WORDS, verdict_text
from ..sandbox.codec import encode_value
from .wheel import build_wheel

__all__ = ["GRADER_IMAGE", "code_question"]

GRADER_IMAGE = "prairielearn/grader-python"
"""PrairieLearn's Python image: Python 3.13, numpy (graders/python/requirements.txt)."""
ENTRYPOINT = "/grade/tests/backviz_grade.py"
CASES = "cases.json.gz"
"""Every variant's cases, in tests/: what the grader alone reads."""
TESTS = "tests"
MAX_TIMEOUT = 600  # PrairieLearn's limit on a grading job (docs/externalGrading.md)
TOPIC = {"en": "Backpropagation", "ko": "역전파"}
_COPIED = {  # the tests/ file: backviz's own module it is, copied verbatim
    "backviz_grade.py": "exports/prairielearn_grader.py",
    "backviz_child.py": "exports/prairielearn_child.py",
    "backviz_codec.py": "sandbox/codec.py",
    "backviz_marking.py": "grading/marking.py",
    "backviz_code_marking.py": "grading/code_marking.py",
    "backviz_notebook.py": "grading/notebook.py",
    "backviz_python_view.py": "sandbox/python_view.py",
}
_WORDS = {
    "en": {
        "graded_notebook": "{name} was graded (a notebook uploaded is graded instead of the "
        "editor's file)",
        "no_file": "nothing was submitted: write {file} in the editor or upload {notebook}",
        "no_variant": "this variant is no longer in the question (it was exported again with "
        "other variants): start a new variant",
        "description": "{key} of layer {{layer}}, on every case the function was run on",
        "step_description": "{key} of layer {{layer}} after step {step}, on every case the "
        "function was run on",
        "editor": "Write the function in the editor below, or upload a Jupyter notebook "
        "<code>{notebook}</code> that defines it (a notebook uploaded is graded instead).",
        "cases": "It is run on the exercise's own numbers and on {cases} more cases drawn at "
        "random; each array is right only when it is right in every case. Only numpy is "
        "available.",
    },
    "ko": {
        "graded_notebook": "{name}을(를) 채점했다 (노트북을 올리면 편집기의 파일 대신 노트북을 "
        "채점한다)",
        "no_file": "제출한 것이 없다: 편집기에 {file}을(를) 작성하거나 {notebook}을(를) 올릴 것",
        "no_variant": "이 변형 문제는 더 이상 문제에 없다 (다른 변형으로 다시 내보냈다): "
        "새 변형을 시작할 것",
        "description": "{{layer}}층의 {key}, 함수를 실행한 모든 사례에서",
        "step_description": "{step}단계 뒤 {{layer}}층의 {key}, 함수를 실행한 모든 사례에서",
        "editor": "아래 편집기에 함수를 작성하거나, 그 함수를 정의하는 Jupyter 노트북 "
        "<code>{notebook}</code>을(를) 올린다 (노트북을 올리면 노트북을 채점한다).",
        "cases": "예제 자체의 값과 무작위로 뽑은 사례 {cases}개에서 실행한다. 각 배열은 모든 "
        "사례에서 맞아야 맞다. numpy만 쓸 수 있다.",
    },
}


def _words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def _exercises(found: list[Any], source: Path) -> list[NetworkExercise]:
    """The coding exercises of `found` (the handouts of `source`), checked: numpy only (the
    image has no torch), every variant the same function and contract."""
    exercises = [handout.trace.exercise for handout in found]
    first = exercises[0]
    for exercise in exercises:
        code = exercise.code
        if code is None:
            raise BackvizError(
                f"{source}: '{exercise.id}' has no [code] table while '{first.id}' has: a "
                "question's variants are all answer sheets or all code"
            )
        if "torch" in code.modules:
            raise BackvizError(
                f"{source}: exercise '{exercise.id}' allows torch ([code] modules), which "
                f"PrairieLearn's {GRADER_IMAGE} image does not have; allow numpy only, or use "
                "export gradescope"
            )
        if (code.function, code.contract, exercise.sizes, exercise.bias) != (
            first.code.function,  # type: ignore[union-attr]
            first.code.contract,  # type: ignore[union-attr]
            first.sizes,
            first.bias,
        ):
            raise BackvizError(
                f"{source}: variant '{exercise.id}' is another network or function than "
                f"'{first.id}'; a question's variants must differ in their numbers only"
            )
    return exercises


def _case(case: NetworkExercise, lang: str) -> dict[str, Any]:
    """One case as the exported grader needs it: the arguments the function is given, and
    the marking spec and right arrays it is judged by."""
    judge = CaseJudge(case, run(case), lang)
    arrays = []
    for key in KEYS:
        for i in range(len(case.W)):
            right = judge.right[key][i]
            if right is None:
                arrays.append({"key": key, "layer": i, "shape": None, "right": None, "names": []})
                continue
            names = judge.element_names(key, i)
            arrays.append(
                {
                    "key": key,
                    "layer": i,
                    "shape": list(right.shape),
                    "right": right.ravel().tolist(),
                    "names": names,
                }
            )
    return {
        "arguments": encode_value(case_arguments(case), tag_arrays=True),
        "layers": len(case.W),
        "spec": _trimmed(judge.grader.spec.to_data(), lang),
        "arrays": arrays,
    }


def _train_case(case: NetworkExercise) -> dict[str, Any]:
    """One case of a training loop: the arguments the function is given, and the case itself
    as TOML, which the grader loads with backviz to judge each step by backviz's engine."""
    return {
        "arguments": encode_value(case_arguments(case), tag_arrays=True),
        "exercise": exercise_toml(case, with_code=True),
    }


def _trains(exercise: NetworkExercise) -> bool:
    return exercise.code is not None and exercise.code.contract == "train"


def _trimmed(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """The spec without what the rules never read for this question: a catalogued mistake
    whose number is the right one (marking.grade passes over it), explanations in other
    languages than `lang` (and English, its fallback) — a case's spec is ~75 kB, not 300."""
    for q in spec["asked"]:
        reference = q["value"]
        q["mistakes"] = [
            dict(m, explanation={k: v for k, v in m["explanation"].items() if k in (lang, "en")})
            for m in q["mistakes"]
            if abs(m["value"] - reference) > 1e-12 * abs(reference)
        ]
    return spec


def _variant_name(exercise: NetworkExercise) -> str:
    """A variant's name from its numbers (never a roster id), as the sheet question names it."""
    given = json.dumps(
        [
            [w.tolist() for w in exercise.W],
            [None if b is None else b.tolist() for b in exercise.b],
            exercise.inputs.tolist(),
            None if exercise.targets is None else exercise.targets.tolist(),
            exercise.training.learning_rate,
        ],
        sort_keys=True,
    )
    return "v-" + hashlib.sha256(given.encode("utf-8")).hexdigest()[:12]


def _bank(
    exercises: list[NetworkExercise], exercise_id: str, lang: str, secret: str
) -> dict[str, Any]:
    """tests/cases.json: every variant's cases, and what the grader says and counts."""
    first = exercises[0]
    code = first.code
    assert code is not None
    trains = _trains(first)
    one_case = _train_case if trains else lambda c: _case(c, lang)
    variants = [
        {"name": _variant_name(e), "cases": [one_case(c) for c in code_cases(e, secret)]}
        for e in exercises
    ]
    if trains:
        train_judge = TrainJudge(first, run(first), lang)
        mistakes = {m.id: train_judge.credit(f"mistake:{m.id}") for m in train_judge.mistakes}
    else:
        judge = CaseJudge(first, run(first), lang)
        mistakes = {
            m.id: first.ask.mistake_credit.get(m.id, m.credit) for m in judge.grader.mistakes
        }
    rows = graded_rows(first)
    words = WORDS[lang]
    verdicts = ["correct", "carried", "wrong", "missing"] + [f"mistake:{m}" for m in mistakes]
    return {
        "exercise": exercise_id,
        "lang": lang,
        "contract": code.contract,
        "function": code.function,
        "modules": list(code.modules),
        "file": f"{code.function}.py",
        "notebook": f"{code.function}.ipynb",
        "file_bytes": MAX_BYTES,
        "notebook_bytes": NOTEBOOK_BYTES,
        "seconds": code.wall_seconds,
        "rows": [[key, i, label] for (key, i), label in rows],
        "carried_credit": first.ask.carried_credit,
        "mistake_credits": mistakes,
        "mistake_names": {m: mistake_name(m, lang) for m in mistakes},
        "verdicts": {v: verdict_text(v, lang) for v in verdicts},
        "descriptions": _descriptions([key for (key, _), _ in rows], lang),
        "words": {
            "own_case": words["code_own_case"],
            "random_case": words["code_random_case"],
            "not_run": words["code_not_run"],
            "same_mistake": words["code_same_mistake"],
            "not_judged": words["code_not_judged"],
            "changed": words["code_changed"],
            "statuses": STATUSES.get(lang, {}),
            **{k: _words(lang)[k] for k in ("graded_notebook", "no_file", "no_variant")},
        },
        "variants": variants,
    }


def _descriptions(keys: list[str], lang: str) -> dict[str, str]:
    """Per graded key (`dW`; `W@3` of a training loop: W after step 3), what its tests are,
    `{layer}` left to fill in."""
    words = _words(lang)
    described = {}
    for key in dict.fromkeys(keys):
        name, at, step = key.partition("@")
        text = words["step_description"] if at else words["description"]
        described[key] = text.format(key=name, step=step)
    return described


def _question_html(exercise: NetworkExercise, lang: str) -> str:
    code = exercise.code
    assert code is not None
    words = _words(lang)
    file, notebook = f"{code.function}.py", f"{code.function}.ipynb"
    description = starter_description(exercise, handed=file, lang=lang)
    description = "\n".join(
        line for line in description.splitlines() if "backviz grade" not in line
    ).replace("{{", "{ {")
    starter = "\n".join(  # backviz is not where the students are: no "try it with backviz"
        line
        for line in starter_file(exercise, lang=lang).splitlines()
        if "backviz grade" not in line
    )
    return "\n".join(
        [
            "<pl-question-panel>",
            f'<pre class="backviz-contract">{escape(description)}</pre>',
            f"<p>{words['editor'].format(notebook=escape(notebook))}</p>",
            f'<p class="small text-muted">{escape(words["cases"].format(cases=code.cases))}</p>',
            "</pl-question-panel>",
            "",
            f'<pl-file-editor file-name="{escape(file)}" ace-mode="ace/mode/python">',
            escape(starter.replace("{{", "{ {"), quote=False).rstrip(),
            "</pl-file-editor>",
            f'<pl-file-upload optional-file-names="{escape(notebook)}"></pl-file-upload>',
            "",
            "<pl-submission-panel>",
            "<pl-external-grader-results></pl-external-grader-results>",
            "<pl-file-preview></pl-file-preview>",
            "</pl-submission-panel>",
            "",
        ]
    )


SERVER = '''"""The `server.py` of a PrairieLearn coding question backviz exported: picks
the variant by PrairieLearn's variant seed; the external grader (tests/backviz_grade.py)
reads its name back from /grade/data/data.json and grades the student's function on that
variant's cases."""

import gzip
import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def _names() -> list:
    bank = json.loads(gzip.decompress((HERE / "tests" / "cases.json.gz").read_bytes()))
    return [variant["name"] for variant in bank["variants"]]


def generate(data: dict) -> None:
    """This variant's name: the bank's entry the variant seed picks."""
    names = _names()
    k = int(data["variant_seed"]) % len(names)
    data["params"]["variant"] = k
    data["params"]["variant_name"] = names[k]
'''


def code_question(
    found: list[Any],
    source: Path,
    exercise_id: str,
    *,
    lang: str = "en",
    question_uuid: str | None = None,
    secret: str | None = None,
) -> tuple[dict[str, str], dict[str, str | bytes]]:
    """(top-level files, tests/ files) of the coding question of `found` (the handouts of
    `source`: one exercise or its variants). `secret` draws the random cases (a new one when
    None: the cases are the export's own, written in tests/cases.json)."""
    exercises = _exercises(found, source)
    first = exercises[0]
    code = first.code
    assert code is not None
    bank = _bank(exercises, exercise_id, lang, secret or new_secret())
    cases = code.cases + 1
    # each case a process of its own (numpy's import ~0.2 s) within its wall time, plus margin
    timeout = min(MAX_TIMEOUT, math.ceil(cases * (code.wall_seconds + 2) + 10))
    info = {
        "uuid": question_uuid or str(uuid.uuid4()),
        "title": first.title_in(lang),
        "topic": TOPIC.get(lang, TOPIC["en"]),
        "tags": ["backviz", exercise_id, "code"],
        "type": "v3",
        "singleVariant": len(exercises) == 1,
        "partialCredit": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "image": GRADER_IMAGE,
            "entrypoint": ENTRYPOINT,
            "timeout": timeout,
            "enableNetworking": False,
        },
    }
    package = files("backviz")
    tests: dict[str, str | bytes] = {
        name: package.joinpath(path).read_text("utf-8") for name, path in _COPIED.items()
    }
    if _trains(first):  # judged by backviz's engine: backviz itself goes along
        wheel_name, tests[wheel_name] = build_wheel()
        bank["wheel"] = wheel_name
    text = json.dumps(bank, ensure_ascii=False, allow_nan=False) + "\n"
    # compressed (~10x): PrairieLearn copies tests/ into every grading job
    tests[CASES] = gzip.compress(text.encode("utf-8"), mtime=0)
    top = {
        "info.json": json.dumps(info, indent=2, ensure_ascii=False) + "\n",
        # the exercise's own id on the page, never a variant's (whose id names its student)
        "question.html": _question_html(replace(first, id=exercise_id, student=None), lang),
        "server.py": SERVER,
    }
    return top, tests
