"""The walkthrough in practice mode: the student types each asked value before it is shown, and
the page answers with the grader's verdicts — the marking spec (`spec.py`) applied by
`marking.js`, which `tests/test_marking_js.py` pins to `backviz grade`'s verdicts."""

from __future__ import annotations

from importlib.resources import files

from ..core.trace import Trace
from ..render.evaluable import JS_FUNCTIONS
from ..render.walkthrough import PageExtension, walkthrough_page
from .report_text import VERDICTS
from .verdicts import ClassGrader

__all__ = ["practice_page"]

WORDS = {
    "en": {
        "check": "Check",
        "show": "Show me",
        "revealed": "shown: no marks for it",
        "score": "score {marks} / {max}",
        "verdicts": {
            "correct": "correct",
            "carried": "carried",
            "imprecise": "imprecise",
            "mistake": "mistake",
            "wrong": "wrong",
            "unreadable": "not a number",
            "missing": "",
        },
    },
    "ko": {
        "check": "확인",
        "show": "답 보기",
        "revealed": "답을 봄: 점수 없음",
        "score": "점수 {marks} / {max}",
        "verdicts": {**VERDICTS["ko"], "unreadable": "수가 아님", "missing": ""},
    },
}

STYLE = """
#practice { margin: .4rem 0; padding: .4rem .6rem; border: 1px solid #d6e2f0;
            border-radius: 6px; background: #fff; }
#practice input { width: 10rem; font: inherit; }
#practice-verdict { margin-top: .3rem; }
#practice-verdict.verdict-correct, #practice-verdict.verdict-carried { color: #1a7f37; }
#practice-verdict.verdict-imprecise, #practice-verdict.verdict-mistake { color: #b7791f; }
#practice-verdict.verdict-wrong, #practice-verdict.verdict-unreadable { color: #c62828; }
#practice-score { color: #55606e; font-size: .9rem; }
#formula .part.practice-hidden { visibility: hidden; }
svg text.practice-hidden .v { visibility: hidden; }
"""


def _asset(name: str) -> str:
    return (files(__package__) / name).read_text(encoding="utf-8")


def practice_page(trace: Trace, *, lang: str = "en", decimals: int = 8) -> str:
    """The walkthrough page of the exercise, in practice mode."""
    spec = ClassGrader(trace, lang=lang).spec
    extension = PageExtension(
        "practice",
        {"spec": spec.to_data(), "lang": lang, "words": WORDS.get(lang, WORDS["en"])},
        "\n".join([JS_FUNCTIONS, _asset("marking.js"), _asset("practice.js")]),
        STYLE,
    )
    return walkthrough_page(trace, lang=lang, decimals=decimals, extensions=(extension,))
