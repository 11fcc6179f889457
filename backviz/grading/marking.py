"""backviz's rules of marks for one student, applied to a marking spec — in plain Python.

Why this module imports nothing from backviz, nor numpy: it is copied verbatim into what
backviz exports for systems that run their own Python without backviz (a PrairieLearn
question's `server.py` imports it from the course's `serverFilesCourse/`). So it is written
against the marking spec's data (`grading/spec.py` `MarkingSpec.to_data()`: plain JSON) and the
standard library alone. It is the same rules as the class grader (`grading/verdicts.py`, numpy
over a class, README "How marks are given") and the practice page's script
(`grading/marking.js`); `tests/test_marking_js.py` pins all three to `backviz grade`'s verdicts
and marks on one shared corpus of sheets. The rules' inputs that are not the spec's live here
once and the grader reads them from here: how a number as people write it is read
(`parse_number`), and the feedback's words (`WORDS`).

Floating point: the spec's Python expressions are evaluated with `math` over floats, the
grader evaluates the same expressions with numpy; both are IEEE double, and the corpus finds
no difference (a value within 1e-12 of a unit's boundary could fall either side).
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

__all__ = [
    "EXACT_TOLERANCE",
    "FUNCTIONS",
    "MAX_NUMBER_LENGTH",
    "WORDS",
    "Answer",
    "carried_from",
    "computed_answer",
    "exact_answer",
    "grade",
    "parse_number",
]

EXACT_TOLERANCE = 1e-4  # relative, on the quantity's own step, for numbers of unknown decimals
_MAX_CORNERS_INPUTS = 8  # as grading/ranges.py: more varying inputs take the linear bound

# The feedback's words, by key and language (str.format fields); the grader reads them too.
WORDS: dict[str, dict[str, str]] = {
    "yours": {"en": "your {name} = {text}", "ko": "내 답 {name} = {text}"},
    "carried": {"en": "from {sources}", "ko": "{sources}에서 이어받음"},
    "zero": {
        "en": "0 says nothing here: the right value is not 0 to the decimals you wrote",
        "ko": "0은 아무 정보도 주지 않는다: 쓴 자릿수에서 정답은 0이 아니다",
    },
    "zero_places": {
        "en": "0 says nothing here: the right value is {value}, not 0 to the {places} "
        "decimal(s) you write elsewhere; is a term left out?",
        "ko": "0은 아무 정보도 주지 않는다: 정답은 {value}이고, 다른 답에 쓴 소수점 아래 "
        "{places}자리에서는 0이 아니다; 빠뜨린 항이 있나?",
    },
    "not_updated": {
        "en": "the old value, not updated: the update changes it by {step}",
        "ko": "갱신하지 않은 원래 값이다: 갱신하면 {step}만큼 바뀐다",
    },
    "trivial": {
        "en": "follows from {sources}, but a zero there makes this trivial: no carried credit",
        "ko": "{sources}에서 나오지만, 그 0이 이 계산을 무의미하게 만든다: 이어받은 점수 없음",
    },
    "nought": {
        "en": "a 0, right only to the decimals written: it earns nothing; write at least "
        "{decimals} decimal(s)",
        "ko": "쓴 자릿수에서만 맞는 0이다: 점수가 없다; 소수점 아래 {decimals}자리 이상 쓸 것",
    },
    "unchanged": {
        "en": "the old value, right only to the decimals written: it earns nothing; write at "
        "least {decimals} decimal(s)",
        "ko": "쓴 자릿수에서만 맞는 원래 값이다: 점수가 없다; "
        "소수점 아래 {decimals}자리 이상 쓸 것",
    },
    "placeholder": {
        "en": "the same number is written for {count} quantities: a placeholder earns nothing",
        "ko": "같은 수를 {count}개 항목에 썼다: 자리 채우기 값은 점수가 없다",
    },
    "imprecise": {
        "en": "right, but too coarse: write at least {decimals} decimal(s) "
        "({significant} significant figure(s) of {what} = {step})",
        "ko": "맞지만 너무 거칠다: 소수점 아래 {decimals}자리 이상 쓸 것 "
        "({what} = {step}의 유효숫자 {significant}자리)",
    },
    "imprecise_carried": {"en": "carried from {sources}; ", "ko": "{sources}에서 이어받음; "},
    "the_step": {
        "en": "its step from the old value (W⁺ − W; a state's from its value before)",
        "ko": "이전 값에서 바뀐 양 (W⁺ − W; 옵티마이저 상태는 직전 값에서)",
    },
    "the_value": {"en": "the right value", "ko": "정답"},
    "float32": {
        "en": "float32's value: right to float32's precision (about 7 significant figures), "
        "as torch computes by default; this exercise's numbers are float64 ({value})",
        "ko": "float32의 값이다: float32의 정밀도(유효숫자 약 7자리)에서는 맞다 (torch의 "
        "기본 자료형); 이 연습의 수는 float64다 ({value})",
    },
    "lookalike": {
        "en": "this is the value of {name}: a mislabelled answer?",
        "ko": "{name}의 값이다: 이름을 잘못 붙였나?",
    },
    "unknown": {
        "en": "unknown quantity '{written}' (not graded)",
        "ko": "모르는 값 이름 '{written}' (채점하지 않음)",
    },
    "not_asked": {
        "en": "not asked in this exercise, so not marked: {names}",
        "ko": "이 연습에서 묻지 않는 값이라 채점하지 않음: {names}",
    },
    "again": {
        "en": "'{written}' is '{first}' again; the first is graded",
        "ko": "'{written}'은(는) 앞의 '{first}'와 같은 값이다: 처음 것을 채점한다",
    },
}


def _word(lang: str, key: str, **fields: object) -> str:
    words = WORDS[key]
    return words.get(lang, words["en"]).format(**fields)


def carried_from(detail: str, lang: str) -> list[str]:
    """The names of the student's own answers a detail in `lang` says it was computed from
    ("from your h1 = 0.5225, your h2 = 0.5275" → h1, h2): the words are this module's own."""
    words = WORDS["yours"]
    before, _, after = words.get(lang, words["en"]).partition("{name}")
    between = after.partition("{text}")[0]
    return re.findall(re.escape(before) + r"(\S+)" + re.escape(between), detail)


# ---------------------------------------------------------------- numbers as people write them

MAX_NUMBER_LENGTH = 100  # longer text is prose, not a number
_MAX_EXPONENT = 400  # beyond ±400 a float64 is 0 or inf anyway; keeps `decimals` small
_APPROX = "≈~≒≃"  # a leading "about": ≒ is how Korean notes write it
_DASHES = str.maketrans(dict.fromkeys("\u2212\u2010\u2011\u2012\u2013", "-"))  # − ‐ ‑ ‒ –
_NON_FINITE = frozenset({"nan", "inf", "infinity", "∞"})
_DECIMAL = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?"
)
_FRACTION = re.compile(r"(?P<sign>[+-]?)(?P<num>[0-9]+)/(?P<den>[0-9]+)")
# A plain decimal in ASCII, at most 17 significant digits so float() reads it exactly as
# Decimal would round it: no exponent, percent, comma or fraction to interpret.
_PLAIN = re.compile(r"-?\d{1,17}(?:\.(?P<frac>\d{0,17}))?")


class Answer(NamedTuple):
    """One value a student wrote, read as a number when it can be (a tuple: a class makes
    hundreds of thousands)."""

    text: str
    """As written, stripped: what a report shows as "what was read"."""
    value: float | None
    """The number, or None when the text is not a readable finite number."""
    decimals: int | None
    """Decimal places written, in the value's own units ("50%" -> 2, "1.5e-3" -> 4); an answer
    given to d decimals is also right when it equals the reference rounded to d decimals.
    None for exact forms such as "1/2". Never negative ("1.5e3" -> 0)."""
    problem: str = ""
    """Why the text is unreadable; empty when `value` is not None."""


def parse_number(text: str, *, decimal_comma: bool = False) -> Answer:
    """Read a number as people write it: 0.5, .5, 5e-1, 1/2, 50%, ≈ 0.5, −0.5, full-width digits.

    With `decimal_comma`, one comma is the decimal mark ("0,5"); without it a comma makes the
    text unreadable, since a thousands separator is never needed here and guessing could
    turn 0,5 into 5. NaN and infinities are unreadable: no step of backpropagation asks for
    one, and the grader could not compare them.
    """
    written = text.strip()
    plain = _PLAIN.fullmatch(written)
    if plain is not None:  # the common case, 0.51998934 or -0.5 or 3: read directly
        value = float(written)
        return Answer(written, value, len(plain["frac"]) if plain["frac"] is not None else 0)

    def unreadable(problem: str) -> Answer:
        return Answer(written, None, None, problem)

    number = unicodedata.normalize("NFKC", written).translate(_DASHES).strip()
    number = number.lstrip(_APPROX + " \t")
    number = re.sub(r"(?:\.\.\.|…)$", "", number)  # "0.333..." trails off, digits as written
    number = re.sub(r"\s*([/%])\s*", r"\1", number)  # "1 / 2", "50 %"
    number = re.sub(r"^([+-])\s+", r"\1", number)  # "- 0.5"
    if not number:
        return unreadable("nothing written")
    if len(number) > MAX_NUMBER_LENGTH:
        return unreadable("too long to be a number")
    if number.lower().lstrip("+-") in _NON_FINITE:
        return unreadable("not a finite number")
    if "," in number:
        if not decimal_comma:
            return unreadable("a comma: write the decimal mark as a point (0.5)")
        if "." in number or number.count(",") > 1:
            return unreadable("both ',' and '.' or several commas: write one decimal mark")
        number = number.replace(",", ".")

    if fraction := _FRACTION.fullmatch(number):
        denominator = int(fraction["den"])
        if denominator == 0:
            return unreadable("division by zero")
        exact = Fraction(int(fraction["num"]), denominator)
        return exact_answer(written, -exact if fraction["sign"] == "-" else exact, None)

    percent = number.endswith("%")
    decimal = _DECIMAL.fullmatch(number[:-1] if percent else number)
    if decimal is None or not (decimal["int"] or decimal["frac"]):
        return unreadable("not a number")
    exponent = int(decimal["exp"] or 0)
    if abs(exponent) > _MAX_EXPONENT:
        return unreadable("not a finite number" if exponent > 0 else "exponent out of range")
    places = len(decimal["frac"] or "") - exponent + (2 if percent else 0)
    exact = Decimal(decimal.group()).scaleb(-2 if percent else 0)  # exact, then rounded once
    return exact_answer(written, exact, max(places, 0))


def computed_answer(value: float) -> Answer:
    """A number a program computed, not written by hand: exact, its decimals unknown (the text
    is Python's repr of the float, as the grader shows it)."""
    number = float(value)
    if math.isnan(number):
        return Answer(repr(number), None, None, "not a number")
    return Answer(repr(number), number, None)  # inf too, as the grader reads it: wrong


def exact_answer(written: str, exact: Decimal | Fraction, decimals: int | None) -> Answer:
    """The Answer for an exactly read number, or unreadable when it overflows a float."""
    try:
        value = float(exact)
    except OverflowError:
        value = math.inf
    if math.isinf(value):
        return Answer(written, None, None, "not a finite number")
    return Answer(written, value, decimals)


# ---------------------------------------------------------------- the spec's formulas


def _sigmoid(z: float) -> float:
    e = _exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf  # as numpy's exp: inf, not an error


def _log(x: float) -> float:
    if x == 0:
        return -math.inf
    return math.log(x) if x > 0 else math.nan


# The functions a spec's Python expression calls (`F[...]`), by the name its formula shows:
# the same as render/evaluable.py's PY_FUNCTIONS, for one student's floats.
FUNCTIONS: dict[str, Callable[..., float]] = {
    "σ": _sigmoid,
    "exp": _exp,
    "log": _log,
    "tanh": math.tanh,
    "√": lambda x: math.sqrt(x) if x >= 0 else math.nan,
    "sin": math.sin,
    "cos": math.cos,
    "max": lambda a, b: math.nan if math.isnan(a) or math.isnan(b) else max(a, b),
    "relu′": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z, slope: z if z > 0 else slope * z,
    "leaky_relu′": lambda z, slope: 1.0 if z > 0 else slope,
    "step": lambda z: 1.0 if z > 0 else 0.0,
    "|": abs,
    # sign(0) = 0, as torch's gradient of abs (the L1 penalty's)
    "sign": lambda x: math.nan if math.isnan(x) else 0.0 if x == 0 else math.copysign(1.0, x),
}


class _Formula:
    """A spec formula compiled once: `evaluate(v)` at the inputs' values `v`."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.inputs: list[str] = list(data["inputs"])
        self.settings: dict[str, float] = dict(data.get("settings") or {})
        self.code = compile(data["python"], "<formula>", "eval")

    def evaluate(self, v: Sequence[float]) -> float:
        scope = {"F": FUNCTIONS, "S": self.settings, "v": v, "__builtins__": {}}
        try:
            return float(eval(self.code, scope))  # the spec's expression, printed by backviz
        except ZeroDivisionError:
            return math.nan  # numpy gives ±inf or nan; no honest answer sits there
        except (OverflowError, ValueError):
            return math.nan


def _slack(x: float) -> float:
    """What float64 arithmetic may add at a unit's boundary (0.1 + 0.2 is not 0.3)."""
    return 1e-12 * max(1.0, abs(x))


def _unit(decimals: int, step: float, exact: float) -> float:
    """One unit of the last written place; for unknown decimals, a part of the step."""
    return 10.0 ** (-decimals) if decimals >= 0 else exact * abs(step) + 1e-12


def _decimals_needed(step: float, significant: int) -> int:
    return max(0, -math.floor(math.log10(abs(step))) + significant - 1)


def _meets_floor(value: float, decimals: int, reference: float, step: float, sig: int) -> bool:
    if step == 0 or not math.isfinite(step):
        return True
    needed = 10.0 ** (math.floor(math.log10(abs(step))) - sig + 1)
    exact = abs(value - reference) <= _slack(reference)
    return decimals < 0 or exact or 10.0 ** (-decimals) <= needed * (1 + 1e-9)


def _float32(x: float) -> float:
    """x as float32 holds it (round to nearest even; ±inf beyond its range), as numpy's
    float32 and JavaScript's Math.fround."""
    try:
        return float(struct.unpack("f", struct.pack("f", x))[0])
    except OverflowError:
        return math.copysign(math.inf, x)


def _float32_meets_floor(reference: float, step: float, significant: int) -> bool:
    """float32's rounding of the right value is within the least precision asked."""
    if step == 0 or not math.isfinite(step):
        return True
    needed = 10.0 ** (math.floor(math.log10(abs(step))) - significant + 1)
    return abs(_float32(reference) - reference) <= needed * (1 + 1e-9)


def _inside(value: float, lo: float, hi: float, u: float, terms: float) -> bool:
    """Rounding (by up to u/2) or truncating toward zero (by less than u: that side's bound is
    open) a number in [lo, hi], give or take u for each unasked term summed."""
    if math.isnan(lo) or math.isnan(hi):
        return False
    truncates_below, truncates_above = lo >= 0 or not hi <= 0, hi <= 0 or not lo >= 0
    below = (u if truncates_below else u / 2) + terms * u
    above = (u if truncates_above else u / 2) + terms * u
    fuzz = _slack(max(abs(lo), abs(hi)))
    whole = u > 2 * fuzz  # a unit above float64's noise: a whole unit off is no truncation
    open_below, open_above = truncates_below and whole, truncates_above and whole
    lower = value > lo - below + fuzz if open_below else value >= lo - below - fuzz
    upper = value < hi + above - fuzz if open_above else value <= hi + above + fuzz
    return lower and upper


def _range(
    formula: _Formula, boxes: list[tuple[float, float]], own: list[float] | None = None
) -> tuple[float, float]:
    """The least and greatest value of a formula over a box of input intervals: at the box's
    corners when few inputs vary, else the two ends, `own` and the first-order bound around
    the middle (grading/ranges.py, for one student)."""
    varying = [i for i, (lo, hi) in enumerate(boxes) if lo != hi]
    found: list[float] = []
    if len(varying) <= _MAX_CORNERS_INPUTS:
        for corner in range(1 << len(varying)):
            point = [lo for lo, _ in boxes]
            for bit, i in enumerate(varying):
                point[i] = boxes[i][(corner >> bit) & 1]
            found.append(formula.evaluate(point))
    else:
        middle = [(lo + hi) / 2 for lo, hi in boxes]
        centre = formula.evaluate(middle)
        spread = 0.0
        for i in varying:
            up, down = list(middle), list(middle)
            up[i], down[i] = boxes[i][1], boxes[i][0]
            spread += abs(formula.evaluate(up) - formula.evaluate(down)) / 2
        found.append(formula.evaluate([lo for lo, _ in boxes]))
        found.append(formula.evaluate([hi for _, hi in boxes]))
        if own is not None:
            found.append(formula.evaluate(own))
        found += [centre - spread, centre + spread]
    found = [x for x in found if not math.isnan(x)]
    lo, hi = (min(found), max(found)) if found else (math.nan, math.nan)
    return (lo, hi) if math.isfinite(lo) and math.isfinite(hi) else (math.nan, math.nan)


# ---------------------------------------------------------------- one student's verdicts


class _Input(NamedTuple):
    box: tuple[float, float]  # where the input may lie as this student used it
    mine: float  # their own value of it
    wrong: bool  # their own wrong number


class _State(NamedTuple):
    right: bool  # right and precise enough: used onward between theirs and the right value
    spread: float  # how far their own number may be from what they computed
    value: float | None
    text: str
    decimals: int
    echo: bool = False  # carried only from the very number it repeats


def _computed(raw: object) -> bool:
    """Whether an answer is a number code computed (not text a person wrote)."""
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def grade(
    spec: Mapping[str, Any], answers: Mapping[str, str | float], lang: str = "en"
) -> dict[str, Any]:
    """Every asked quantity's verdict for one student, by the spec (`MarkingSpec.to_data()`):
    `answers` maps quantity names to what the student wrote (text; blank or absent: missing),
    or to a number their code computed (a float: exact, its decimals unknown, so right within
    the spec's `exact` part of its step — how `backviz grade` judges code).

    Returns {"verdicts": {name: {"verdict", "marks", "detail"}} in the spec's order,
    "total": marks earned, "max": marks possible}; verdicts as `backviz grade` names them
    (correct, carried, imprecise, mistake:<id>, wrong, missing, unreadable).
    """
    asked = {q["name"]: q for q in spec["asked"]}
    helpers = spec["helpers"]
    given = spec["given"]
    exact = spec["exact"]
    formulas: dict[str, _Formula] = {}

    def formula_of(q: Mapping[str, Any]) -> _Formula:
        if q["name"] not in formulas:
            formulas[q["name"]] = _Formula(q["formula"])
        return formulas[q["name"]]

    state: dict[str, _State] = {}
    result: dict[str, dict[str, Any]] = {}
    written: dict[str, Answer | None] = {}
    for q in spec["asked"]:
        raw = answers.get(q["name"])
        if _computed(raw):  # a number code returned: exact, its decimals unknown
            written[q["name"]] = computed_answer(raw)  # type: ignore[arg-type]
        else:
            text = "" if raw is None else str(raw).strip()
            written[q["name"]] = parse_number(text, decimal_comma=True) if text else None
    # the most decimals the sheet writes (-1: none known): rule 1 reads a 0 against it
    places = max(
        (a.decimals for a in written.values() if a is not None and a.decimals is not None),
        default=-1,
    )

    def read(name: str, own: bool, sources: list[str], depth: int) -> _Input:
        """A formula input as this student may have used it (verdicts.py `_input`)."""
        if name in asked:
            s, reference = state.get(name), asked[name]["value"]
            if s is None or s.value is None:
                return _Input((reference, reference), reference, False)
            if s.right:
                box = (min(s.value, reference), max(s.value, reference))
                return _Input(box, s.value, False)
            if not own:
                return _Input((reference, reference), reference, False)
            sources.append(_word(lang, "yours", name=name, text=s.text))
            return _Input((s.value - s.spread, s.value + s.spread), s.value, True)
        helper = helpers.get(name)
        if name in given and helper is None:  # a helper too when reached nearer: followed
            return _Input((given[name], given[name]), given[name], False)
        if helper is None or helper["formula"] is None or depth >= 2:
            x = helper["value"] if helper is not None else math.nan
            return _Input((x, x), x, False)
        formula = formula_of(helper)
        parts = [read(n, own, sources, depth + 1) for n in formula.inputs]
        mine = [p.mine for p in parts]
        box = _range(formula, [p.box for p in parts], mine)
        return _Input(box, formula.evaluate(mine), any(p.wrong for p in parts))

    for q in spec["asked"]:
        name = q["name"]
        raw = answers.get(name)
        answer = written[name]
        text = answer.text if _computed(raw) else "" if raw is None else str(raw).strip()  # type: ignore[union-attr]
        if answer is None or answer.value is None:
            state[name] = _State(False, 0.0, None, text, -1)
            verdict = "unreadable" if text else "missing"
            result[name] = {"verdict": verdict, "marks": 0.0, "detail": ""}  # why: parse_number
            continue
        value = answer.value
        decimals = -1 if answer.decimals is None else answer.decimals
        reference, base = q["value"], q["base"]
        step = reference - base
        u = _unit(decimals, step, exact)
        terms = q["terms"]
        rights, owns = (reference, reference), None
        sources: list[str] = []
        owned: list[_Input] = []
        if q["formula"] is not None:
            formula = formula_of(q)
            right_inputs = [read(n, False, [], 0) for n in formula.inputs]
            owned = [read(n, True, sources, 0) for n in formula.inputs]
            rights = _range(formula, [p.box for p in right_inputs])
            if any(p.wrong for p in owned):
                owns = _range(formula, [p.box for p in owned], [p.mine for p in owned])
        within_right = _inside(value, *rights, u, terms)
        within_own = owns is not None and _inside(value, *owns, u, terms)
        # 1. zero information: a 0 (W⁺ = W) where the step is not 0 to the decimals written,
        # or to those the sheet writes elsewhere
        nought = abs(value - base) <= _slack(base) and step != 0
        fine = min(u, 10.0 ** (-places)) if places >= 0 else u
        zero = nought and abs(step) >= fine
        coarse = zero and abs(step) < u  # 0 only to its own few decimals: a term left out?
        if base:  # a 0 written for an updated weight says nothing either
            written_zero = value == 0 and reference != 0
            zero = zero or (written_zero and abs(reference) >= fine)
            nought = nought or written_zero
        floor = _meets_floor(value, decimals, reference, step, spec["significant"])
        right = not zero and within_right  # 2. right
        single = _float32(reference)  # float32's value: right to float32's precision
        float32 = (
            not zero
            and not right
            and single != reference
            and math.isfinite(single)
            and decimals >= 0
            and abs(value - single) <= 0.5 * 10.0 ** (-decimals) + _slack(single)
        )
        if float32:
            right = True
            floor = _float32_meets_floor(reference, step, spec["significant"])
        carried = not zero and not right and within_own  # 3. carried
        echo = carried and all(not p.wrong or p.mine == value for p in owned)
        marks, detail = 0.0, ""
        if (right or carried) and floor:
            verdict = "correct" if right else "carried"
            marks = q["marks"] if right else spec["carried_credit"] * q["marks"]
            if carried:
                detail = _word(lang, "carried", sources=", ".join(sources))
        elif right or carried:
            verdict = "imprecise"
            marks = 0.0 if nought else spec["imprecise_credit"] * q["marks"]
            detail = _imprecise(lang, carried, sources, nought, value, base, step, spec)
        else:
            verdict = "wrong"
            if not zero and floor:  # 4. a catalogued mistake
                for m in q["mistakes"]:
                    if abs(m["value"] - reference) <= 1e-12 * abs(reference):
                        continue
                    band = u * (1 + terms) + _slack(m["value"])
                    if abs(value - m["value"]) <= band and abs(m["value"] - reference) > band:
                        verdict = f"mistake:{m['id']}"
                        marks = m["credit"] * q["marks"]
                        detail = m["explanation"].get(lang, m["explanation"]["en"])
                        break
            if verdict == "wrong":  # 5. wrong, with what may be said of it
                detail = (
                    _zero(lang, within_own, sources, value, base, step, (coarse, reference, places))
                    if zero
                    else _lookalike(lang, spec, name, value, decimals)
                )
        if float32:
            detail = _word(lang, "float32", value=_number(reference))
        state[name] = _State(right and floor, u if floor else 0.0, value, text, decimals, echo)
        result[name] = {"verdict": verdict, "marks": marks, "detail": detail}
    _placeholders(spec, result, state, lang)
    total = sum(result[q["name"]]["marks"] for q in spec["asked"])
    return {"verdicts": result, "total": total, "max": sum(q["marks"] for q in spec["asked"])}


def _number(value: float, decimals: int = 8) -> str:
    """A number in the feedback as backviz shows every number (core/notation.py's
    format_number, which this module cannot import; tests/test_marking_js.py pins the two
    together): fixed decimals, scientific when tiny or huge."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 10 ** (-decimals) * 100 or magnitude >= 1e12):
        return f"{value:.{max(decimals - 2, 1)}e}"
    text = f"{value:.{decimals}f}"
    return "0." + "0" * decimals if text == "-0." + "0" * decimals else text


def _imprecise(lang, carried, sources, nought, value, base, step, spec) -> str:
    needed = _decimals_needed(step, spec["significant"])
    prefix = _word(lang, "imprecise_carried", sources=", ".join(sources)) if carried else ""
    if nought:
        return prefix + _word(lang, "unchanged" if value != 0 else "nought", decimals=needed)
    what = _word(lang, "the_step" if base else "the_value")
    shown = _number(step, needed + 1)
    significant = spec["significant"]
    return prefix + _word(
        lang, "imprecise", decimals=needed, significant=significant, what=what, step=shown
    )


def _zero(lang, within_own, sources, value, base, step, coarse) -> str:
    """Why a 0 (or the old weight) earns nothing here; `coarse`: whether the 0 is right to its
    own decimals but not to the sheet's, the right value, and the sheet's decimals."""
    if within_own:
        return _word(lang, "trivial", sources=", ".join(sources))
    if base and value != 0:
        return _word(lang, "not_updated", step=_number(step))
    if coarse[0]:
        return _word(lang, "zero_places", value=_number(coarse[1]), places=coarse[2])
    return _word(lang, "zero")


def _lookalike(lang: str, spec: Mapping[str, Any], name: str, value: float, decimals: int) -> str:
    """'the value of z3' when a wrong answer is another asked quantity's right value (at the
    decimals written, or within EXACT_TOLERANCE when they are unknown), unless a catalogued
    mistake's number for this quantity is the answer too (the mistake explains it)."""

    def near(target: float) -> bool:
        if decimals >= 0:
            return abs(value - target) <= 0.5 * 10.0 ** (-decimals) + _slack(target)
        return abs(value - target) <= EXACT_TOLERANCE * abs(target)

    asked = {q["name"]: q for q in spec["asked"]}
    if any(near(m["value"]) for m in asked[name]["mistakes"]):
        return ""
    for other in spec["asked"]:
        if other["name"] != name and near(other["value"]):
            return _word(lang, "lookalike", name=other["name"])
    return ""


def _placeholders(
    spec: Mapping[str, Any], result: dict[str, dict[str, Any]], state: dict[str, _State], lang: str
) -> None:
    """One number written for a quarter of the quantities or more, of more than one kind,
    fewer than half of them explained (right, a mistake, carried from other numbers): a
    placeholder earns nothing, even where it fits; a 0 is explained only where it is right."""
    cells = [q for q in spec["asked"] if state[q["name"]].value is not None]
    if len(cells) < spec["placeholder_cells"]:
        return

    def explained(q: Mapping[str, Any]) -> bool:
        r, s = result[q["name"]], state[q["name"]]
        if s.value == 0:  # right only where rule 1 says so, never as a rounded value
            return bool(r["verdict"] == "correct")
        u = _unit(s.decimals, q["value"] - q["base"], spec["exact"])
        return (
            r["verdict"] == "correct"
            or r["verdict"].startswith("mistake:")
            or (r["verdict"] == "carried" and not s.echo)
            or _inside(s.value, q["value"], q["value"], u, 0)  # type: ignore[arg-type]
        )

    enough = max(spec["placeholder_cells"], spec["placeholder_share"] * len(cells))
    was_explained = {q["name"]: explained(q) for q in cells}  # before any is overruled
    for q in cells:
        value = state[q["name"]].value
        same = [o for o in cells if state[o["name"]].value == value]
        rightly = sum(1 for o in same if was_explained[o["name"]])
        kinds = {o["group"] for o in same}
        if value == 0 and result[q["name"]]["marks"] == 0:
            continue  # a 0 rule 1 gave nothing keeps its own reason
        if len(same) >= enough and 2 * rightly < len(same) and len(kinds) > 1:
            word = _word(lang, "placeholder", count=len(same))
            result[q["name"]] = {"verdict": "wrong", "marks": 0.0, "detail": word}
