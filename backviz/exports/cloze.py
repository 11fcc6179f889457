"""Moodle's Cloze (embedded answers) syntax: one NUMERICAL field, its credits and its escaping.

A field is `{marks:NUMERICAL:=value:tolerance#feedback~%credit%value:tolerance#feedback}`. The
rules here are Moodle's own, read in its source (moodle/moodle):

- question/type/multianswer/questiontype.php, `qtype_multianswer_extract_question` and the
  regexes above it: an answer ends at `~`, `#` or `}` (not after `\\` or `&`), a feedback at
  `~` or `}` (not after `\\`); the feedback is then `html_entity_decode`d and `\\}`, `\\#`
  unescaped; a credit is `%number%` (decimals since Moodle 4.x; `=` is 100 %); a numerical
  answer is `number` or `number:tolerance` (NUMBER_REGEX), the tolerance absolute;
- question/engine/bank.php, `question_bank::fraction_options`: the grades an answer may carry;
- question/type/numerical/question.php: an answer matches a response within
  [value − tolerance, value + tolerance], the first matching answer in order wins.

So a text put in a field is written as HTML whose special characters are character references
(`}` as `&#125;`): Moodle decodes them only after splitting the field, and no escape can leak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

__all__ = [
    "MOODLE_FRACTIONS",
    "Alternative",
    "cloze_field",
    "cloze_text",
    "html_text",
    "moodle_fraction",
    "moodle_number",
]

MOODLE_FRACTIONS = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)  # fmt: skip
"""The grades Moodle lets an answer carry (question_bank::fraction_options, 0 being "None")."""

# What Moodle's regexes read specially: `{` opens a field (ANSWER_START_REGEX), `}` and `~` end
# an answer or a feedback, `#` ends an answer, `\` keeps the next one from ending it (and
# `\}`, `\#` are unescaped after decoding). Moodle's documentation also names `/` and `"`,
# which its current parser reads as any other character: they are left as they are.
_IN_TEXT = {"{": "&#123;", "}": "&#125;"}
_IN_FIELD = {"{": "&#123;", "}": "&#125;", "~": "&#126;", "#": "&#35;", "\\": "&amp;#92;"}


def html_text(text: str) -> str:
    """Plain text as HTML for a Cloze question's text: `<`, `>`, `&` escaped and braces as
    references, so nothing in it can open a field (or close one)."""
    return "".join(_IN_TEXT.get(c, c) for c in escape(text, quote=False))


def cloze_text(html: str) -> str:
    """HTML as it goes inside a field (an answer's feedback). Moodle `html_entity_decode`s what
    it reads there, so `&` is written `&amp;` first and the characters that would end or escape
    the feedback as references: what Moodle stores is `html`, but for a backslash, stored as
    `&#92;` (it shows as one): after decoding, Moodle turns a raw `\\}` or `\\#` into `}`, `#`."""
    return "".join(_IN_FIELD.get(c, c) for c in html.replace("&", "&amp;"))


def moodle_fraction(credit: float) -> float:
    """The grade of Moodle's list nearest to `credit` (a share of the marks, 0 … 1)."""
    return min(MOODLE_FRACTIONS, key=lambda f: (abs(f - credit), -f))


def _percent(fraction: float) -> str:
    """A fraction as Moodle writes its percentage: 5 decimals at most (format_float)."""
    return f"{100 * fraction:.5f}".rstrip("0").rstrip(".")


def moodle_number(value: float) -> str:
    """A number as NUMBER_REGEX reads it: Python's shortest exact form, no `+` before an
    exponent's digits needed (`1e-05`, `0.5199893401555818`, `-0.02`)."""
    if not math.isfinite(value):
        raise ValueError(f"Moodle cannot hold {value}")
    text = repr(float(value))
    return text.replace("e+", "e")


@dataclass(frozen=True)
class Alternative:
    """One answer of a NUMERICAL field: its value, tolerance, grade (a Moodle fraction) and
    feedback (HTML)."""

    value: float
    tolerance: float
    fraction: float
    feedback: str = ""

    def cloze(self) -> str:
        grade = "=" if self.fraction == 1.0 else f"%{_percent(self.fraction)}%"
        answer = f"{moodle_number(self.value)}:{moodle_number(self.tolerance)}"
        feedback = f"#{cloze_text(self.feedback)}" if self.feedback else ""
        return grade + answer + feedback


def cloze_field(marks: int, alternatives: list[Alternative]) -> str:
    """A NUMERICAL field worth `marks` (Moodle's weight: a whole number), its answers in order
    (the first that matches a response wins)."""
    return "{" + f"{marks}:NUMERICAL:" + "~".join(a.cloze() for a in alternatives) + "}"
