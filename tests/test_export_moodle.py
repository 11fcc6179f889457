"""`backviz export moodle` and the regrade of Moodle's quiz Responses export.

The XML is read back as Moodle reads it: the Cloze fields by a port of Moodle's own regexes and
extraction loop (moodle/moodle, question/type/multianswer/questiontype.php:
`qtype_multianswer_extract_question`, ANSWER_REGEX, NUMERICAL_ALTERNATIVE_REGEX), the allowed
grades from question/engine/bank.php (`question_bank::fraction_options`). Every number is
compared with the answer key computed by torch.autograd in float64 (tests/test_grading.py) or
by the notes' formulas with one slip (`by_hand_222`), and each tolerance with the precision rule
worked out here from the README ("How marks are given"): one significant figure of the right
value (of W⁺ − W for an update), one unit more per unasked term the formula sums.

The Responses CSVs are written in the report's real layout (mod/quiz/report/responses:
user columns, state, times, "Grade/<max>", "Question N", "Response N", "Right answer N"; a
Cloze response `part 1: …; part 2: …` as qtype_multianswer's summarise_response writes it,
"-" where there is no response; a UTF-8 BOM as Moodle's CSV writer puts).
"""

from __future__ import annotations

import base64
import csv
import html
import math
import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.grading.mistakes import CATALOGUE
from tests.test_grading import ASKED_222, GIVEN_222, SEED, by_hand_222, sequential, torch_222
from tests.test_variants import STUDENTS, make_variants

# ── Moodle's Cloze parser, ported (PHP's (?<!a|b|c) as three fixed-width look-behinds) ──────

FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
ALTERNATIVE = f"({FRACTION})?({ANSWER})(#({FEEDBACK}))?"
NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE = f"^({NUMBER})(:{NUMBER})?$"
TYPES = (
    "(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|"
    "(SHORTANSWER|SA|MW)|(SHORTANSWER_C|SAC|MWC)|"
    "(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
    "(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)"
)
ANSWER_REGEX = r"\{([0-9]*):(" + TYPES + "):(" + ALTERNATIVE + "(~" + ALTERNATIVE + r")*)\}"
NORM, TYPE_NUMERICAL, ALTERNATIVES = 1, 3, 16  # ANSWER_REGEX_NORM, …_NUMERICAL, …_ALTERNATIVES

MOODLE_FRACTIONS = {1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
                    0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
                    0.0}  # fmt: skip


@dataclass
class Answer:
    text: str  # as stored: what "Right answer N" shows
    value: float
    tolerance: float
    fraction: float
    feedback: str  # the HTML Moodle stores


@dataclass
class Field:
    marks: int
    answers: list[Answer]


def right_of(field: Field) -> Answer:
    """The field's right answer: the one worth 100 % (what "Right answer N" shows)."""
    (right,) = [a for a in field.answers if a.fraction == 1.0]
    return right


def extract_question(text: str) -> tuple[str, list[Field]]:
    """What Moodle makes of a Cloze question's text: the text with `{#k}` for each field, and
    the fields (only NUMERICAL ones are expected here)."""
    fields = []
    k = 1
    while (match := re.search(ANSWER_REGEX, text, re.S)) is not None:
        assert match.group(TYPE_NUMERICAL), match.group(0)
        marks = int(match.group(NORM)) if match.group(NORM) != "" else 1
        answers = []
        remaining = match.group(ALTERNATIVES)
        while (alt := re.match("~?" + ALTERNATIVE, remaining, re.S)) is not None:
            fraction = 1.0 if alt.group(1) == "=" else 0.01 * float(alt.group(2).replace(",", "."))
            feedback = html.unescape(alt.group(5) or "").replace("\\}", "}").replace("\\#", "#")
            number = re.search(NUMERICAL_ALTERNATIVE, alt.group(3), re.S)
            assert number is not None, f"not a NUMERICAL answer: {alt.group(3)!r}"
            tolerance = float(number.group(6)) if number.group(6) is not None else 0.0
            answers.append(
                Answer(number.group(1), float(number.group(1)), tolerance, fraction, feedback)
            )
            remaining = remaining.split(alt.group(0), 1)[1]
            if not remaining:
                break
        fields.append(Field(marks, answers))
        text = text.replace(match.group(0), f"{{#{k}}}", 1)
        k += 1
    return text, fields


def parse_xml(path: Path) -> tuple[list[str], list[ET.Element]]:
    """The categories and the cloze questions of a Moodle XML file."""
    root = ET.parse(path).getroot()
    assert root.tag == "quiz"
    categories = [
        q.findtext("category/text") or "" for q in root.findall("question[@type='category']")
    ]
    return categories, root.findall("question[@type='cloze']")


def export(tmp: Path, source: Path, *args: str, name: str = "quiz.xml"):
    out = tmp / name
    result = CliRunner().invoke(main, ["export", "moodle", str(source), "-o", str(out), *args])
    return result, out


def question_of(path: Path) -> tuple[str, list[Field]]:
    _, questions = parse_xml(path)
    assert len(questions) == 1
    return extract_question(questions[0].findtext("questiontext/text") or "")


# ── the precision rule, worked out from the README ────────────────────────────────────────

UNASKED_TERMS = {"dE/dh1": 2, "dE/dh2": 2}  # ∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1, neither asked


def base_of(name: str, given: dict[str, float]) -> float:
    """What a quantity's step is measured from: the old weight for W⁺, else 0."""
    return given[name[:-1]] if name.endswith("+") else 0.0


def expected_tolerance(name: str, value: float, given: dict[str, float]) -> float:
    """One unit of the first significant figure of the step (the least precision asked, rounded
    or truncated, is within it), and one per unasked term summed."""
    step = value - base_of(name, given)
    decimals = max(0, -math.floor(math.log10(abs(step))))
    return 10.0**-decimals * (1 + UNASKED_TERMS.get(name, 0))


# ── the export ─────────────────────────────────────────────────────────────────────────────


def test_every_field_is_the_answer_key_with_the_precision_rules_tolerance(tmp_path: Path) -> None:
    result, out = export(tmp_path, SEED)
    assert result.exit_code == 0, result.output
    categories, _ = parse_xml(out)
    assert categories == ["$course$/top/backviz/seed-222"]
    text, fields = question_of(out)
    key = torch_222()
    assert len(fields) == len(ASKED_222) == 39
    for name, field in zip(ASKED_222, fields, strict=True):
        right = right_of(field)
        assert field.marks == 1, name
        assert right.value == pytest.approx(key[name], rel=1e-12, abs=1e-15), name
        tolerance = expected_tolerance(name, key[name], GIVEN_222)
        assert right.tolerance == pytest.approx(tolerance, rel=1e-12), name
        # every other answer is one Moodle can tell from the right one at that tolerance; those
        # before it (worth 0 %) never reach a response the right one takes
        k = field.answers.index(right)
        for other in field.answers[k + 1 :]:
            assert abs(other.value - right.value) > right.tolerance, name
            assert other.tolerance == right.tolerance and other.fraction in MOODLE_FRACTIONS
        for other in field.answers[:k]:
            assert other.fraction == 0.0, name
            assert abs(other.value - right.value) > right.tolerance + other.tolerance, name
    # the precision the rule asks, on some numbers a teacher would check by hand
    tolerances = dict(zip(ASKED_222, (right_of(f).tolerance for f in fields), strict=True))
    assert tolerances["h1"] == pytest.approx(0.1)  # 0.52: h1 = 0.5 is right
    assert tolerances["dE/dW1"] == pytest.approx(1e-4)  # 0.00080888
    assert tolerances["W1+"] == pytest.approx(1e-4)  # its step −0.00040444, not W1's 0.3
    assert tolerances["dE/dh1"] == pytest.approx(0.03)  # 0.0324, two unasked path terms
    # the fields sit in the questions' table, in order, each after its quantity's name
    shown = html.unescape(text)
    for k, name in enumerate(ASKED_222, start=1):
        assert re.search(rf"<code>{re.escape(name)}</code>\)</td><td>\{{#{k}\}}", shown), name


MISTAKES_222 = {  # a mistake's number for one quantity, by the notes' formulas with the slip
    ("W5+", "update-added"): {"W5+": lambda v: v["W5"] + v["lr"] * v["dE/dW5"]},
    ("W1+", "update-added"): {"W1+": lambda v: v["W1"] + v["lr"] * v["dE/dW1"]},
    ("W5+", "no-learning-rate"): {"W5+": lambda v: v["W5"] - v["dE/dW5"]},
    ("dE/do1", "sign-flipped"): {"dE/do1": lambda v: v["t1"] - v["o1"]},
    ("dE/do1", "derivative-doubled"): {"dE/do1": lambda v: -2 * (v["t1"] - v["o1"])},
    ("E_o1", "half-forgotten"): {"E_o1": lambda v: (v["t1"] - v["o1"]) ** 2},
}


@pytest.mark.parametrize(("quantity", "mistake"), list(MISTAKES_222))
def test_a_catalogued_mistake_is_a_half_credit_answer_with_its_explanation(
    tmp_path: Path, quantity: str, mistake: str
) -> None:
    _, out = export(tmp_path, SEED)
    _, fields = question_of(out)
    field = fields[ASKED_222.index(quantity)]
    value = by_hand_222(MISTAKES_222[quantity, mistake])[quantity]
    explanation = next(m for m in CATALOGUE if m.id == mistake).explanation["en"]
    found = [a for a in field.answers if a.value == pytest.approx(value, rel=1e-12)]
    assert len(found) == 1, [a.value for a in field.answers]
    assert found[0].fraction == 0.5  # the catalogue's default credit, a grade Moodle allows
    assert found[0].feedback.startswith(html.escape(explanation, quote=False))
    assert html.unescape(found[0].feedback).startswith(explanation)


def test_a_credit_moodle_does_not_allow_is_rounded_to_the_nearest_and_said(tmp_path: Path) -> None:
    exercise = tmp_path / "credits.toml"
    text = SEED.read_text(encoding="utf-8").replace('id = "seed-222"', 'id = "credits"')
    exercise.write_text(text + '\n[ask]\nmistake_credit = { "update-added" = 0.34 }\n')
    result, out = export(tmp_path, exercise)
    assert result.exit_code == 0, result.output
    assert "update-added's credit 34 % is 33.333 % in Moodle" in result.output
    _, fields = question_of(out)
    field = fields[ASKED_222.index("W5+")]
    added = by_hand_222(MISTAKES_222["W5+", "update-added"])["W5+"]
    answer = next(a for a in field.answers if a.value == pytest.approx(added, rel=1e-12))
    assert answer.fraction == pytest.approx(0.3333333)  # %33.33333%: bank.php's 0.3333333
    assert "33.333 %" in html.unescape(answer.feedback)


def test_the_question_says_its_marks_are_provisional_and_carries_the_worked_solution(
    tmp_path: Path,
) -> None:
    _, out = export(tmp_path, SEED)
    (question,) = parse_xml(out)[1]
    text = html.unescape(question.findtext("questiontext/text") or "")
    assert "[backviz seed-222]" in text
    assert "provisional" in text and "backviz's marks are the ones that count" in text
    feedback = html.unescape(question.findtext("generalfeedback/text") or "")
    assert "δ_o1 = ∂E/∂o1·∂o1/∂z3 = 0.20944600 × 0.23802157 = 0.04985267" in feedback
    assert question.find("generalfeedback").get("format") == "html"
    assert question.findtext("idnumber") == "seed-222"


def test_korean(tmp_path: Path) -> None:
    result, out = export(tmp_path, SEED, "--lang", "ko")
    assert result.exit_code == 0, result.output
    (question,) = parse_xml(out)[1]
    text = html.unescape(question.findtext("questiontext/text") or "")
    assert "임시 점수" in text and "순전파" in text and "주어진 값" in text
    _, fields = extract_question(question.findtext("questiontext/text") or "")
    field = fields[ASKED_222.index("W5+")]
    explanation = next(m for m in CATALOGUE if m.id == "update-added").explanation["ko"]
    assert any(html.unescape(a.feedback).startswith(explanation) for a in field.answers)
    feedback = html.unescape(question.findtext("generalfeedback/text") or "")
    assert "풀이" in feedback and "역전파" in feedback


def test_the_diagram_is_embedded_as_a_valid_svg_file_with_the_given_numbers_only(
    tmp_path: Path,
) -> None:
    _, out = export(tmp_path, SEED)
    (question,) = parse_xml(out)[1]
    (file,) = question.findall("questiontext/file")
    assert file.get("path") == "/" and file.get("encoding") == "base64"
    name = file.get("name")
    assert name == "seed-222.svg"
    assert f'src="@@PLUGINFILE@@/{name}"' in (question.findtext("questiontext/text") or "")
    svg = ET.fromstring(base64.b64decode(file.text or "", validate=True))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    labels = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "0.45" in labels  # W5, given
    for name_, value in torch_222().items():  # no computed number, at 3 to 8 decimals
        for d in range(3, 9):
            assert f"{value:.{d}f}" not in labels, (name_, d)


def test_cloze_characters_in_the_exercises_text_are_escaped(tmp_path: Path) -> None:
    exercise = tmp_path / "tricky.toml"
    tricky = r'Braces {1:NUMERICAL:=5:0} and } # ~ / " \ & <b>'
    text = SEED.read_text(encoding="utf-8").replace('id = "seed-222"', 'id = "tricky"')
    text = text.replace(
        'notation = "sequential"',
        f'notation = "sequential"\ndescription = {tomllib_string(tricky)}',
    )
    exercise.write_text(text, encoding="utf-8")
    result, out = export(tmp_path, exercise)
    assert result.exit_code == 0, result.output
    (question,) = parse_xml(out)[1]
    text, fields = extract_question(question.findtext("questiontext/text") or "")
    assert len(fields) == 39  # the description opened no field of its own
    assert tricky in html.unescape(re.sub(r"<[^>]+>", "", text))  # shown as written


def tomllib_string(text: str) -> str:
    """A TOML literal string (no escapes), checked by tomllib."""
    literal = f"'{text}'"
    assert tomllib.loads(f"x = {literal}")["x"] == text
    return literal


def test_feedback_with_every_cloze_character_reads_back_exactly() -> None:
    from backviz.exports.cloze import Alternative, cloze_field

    feedback = 'a } b # c ~ d / e " f \\ g &amp; h &lt;b&gt; ~} \\} \\# end\\'
    field = cloze_field(2, [Alternative(0.5, 0.01, 1.0, feedback), Alternative(-1e-05, 0, 0.5)])
    _, (parsed,) = extract_question(f"before {field} after")
    assert parsed.marks == 2
    stored = parsed.answers[0].feedback  # a backslash is stored as &#92;: it shows as one
    assert stored == feedback.replace("\\", "&#92;")
    assert html.unescape(stored) == html.unescape(feedback)
    assert parsed.answers[1].feedback == ""
    assert [(a.value, a.tolerance, a.fraction) for a in parsed.answers] == [
        (0.5, 0.01, 1.0),
        (-1e-05, 0.0, 0.5),
    ]


def variant_question(questions: list[ET.Element], key: dict[str, float]) -> ET.Element:
    """The one question whose right answers are this answer key (torch's, of one variant)."""
    found = []
    for question in questions:
        _, fields = extract_question(question.findtext("questiontext/text") or "")
        values = [right_of(field).value for field in fields]
        if values == pytest.approx([key[name] for name in ASKED_222], rel=1e-12, abs=1e-15):
            found.append(question)
    (question,) = found
    return question


def test_variants_are_one_category_with_a_question_each(tmp_path: Path) -> None:
    folder = make_variants(tmp_path)
    result, out = export(tmp_path, folder)
    assert result.exit_code == 0, result.output
    categories, questions = parse_xml(out)
    assert categories == ["$course$/top/backviz/seed-222"]  # a random question draws from it
    files = sorted(folder.glob("*.toml"))
    assert len(questions) == len(files) == 4
    # no roster id reaches the students: not in a question's name, id, text or feedback
    xml = out.read_text(encoding="utf-8")
    assert not any(student in xml for student in STUDENTS)
    for path in files:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        key = {sequential(k): v for k, v in torch_reference_of(path).items()}
        question = variant_question(questions, key)
        _, fields = extract_question(question.findtext("questiontext/text") or "")
        given = {f"W{n + 1}": w for n, w in enumerate(flat(spec["parameters"]["W"]))}
        for name, field in zip(ASKED_222, fields, strict=True):
            assert right_of(field).value == pytest.approx(key[name], rel=1e-12, abs=1e-15)
            tolerance = expected_tolerance(name, key[name], given)
            assert right_of(field).tolerance == pytest.approx(tolerance, rel=1e-12), name


def torch_reference_of(path: Path) -> dict[str, float]:
    from tests.test_grading import torch_reference

    return torch_reference(path)


def flat(nested: list) -> list[float]:
    return [x for item in nested for x in (flat(item) if isinstance(item, list) else [item])]


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    result, _ = export(tmp_path, SEED, name="quiz.txt")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"backviz: {tmp_path / 'quiz.txt'}: export moodle writes a Moodle XML file, expected a "
        "name ending .xml, found .txt"
    ]
    result, out = export(tmp_path, SEED.parent / "chain-rule.toml")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "needs a network exercise with [training]" in result.output and not out.exists()


# ── the regrade of Moodle's Responses export ───────────────────────────────────────────────

HEADER_4 = ["Last name", "First name", "Email address", "Status", "Started", "Completed",
            "Duration", "Grade/39.00"]  # fmt: skip
HEADER_3 = ["Surname", "First name", "ID number", "State", "Started on", "Completed",
            "Time taken", "Grade/10.00"]  # fmt: skip


def summary(question: ET.Element) -> str:
    """The "Question N" column: the question's text as plain text, each field `_____`
    (qtype_multianswer_question::get_question_summary)."""
    text, _ = extract_question(question.findtext("questiontext/text") or "")
    text = re.sub(r"\{#\d+\}", "_____", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


def right_answer(question: ET.Element) -> str:
    """The "Right answer N" column: each part's right answer as stored."""
    _, fields = extract_question(question.findtext("questiontext/text") or "")
    return "; ".join(f"part {k}: {right_of(f).text}" for k, f in enumerate(fields, start=1))


def response(answers: list[str]) -> str:
    return "; ".join(f"part {k}: {a}" for k, a in enumerate(answers, start=1))


def write_responses(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def grade(tmp: Path, exercise: Path, *files: Path):
    out = tmp / "reports"
    result = CliRunner().invoke(
        main, ["grade", str(exercise), *map(str, files), "--out", str(out), "--no-diagrams"]
    )
    return result, out


def verdicts(out: Path) -> dict[tuple[str, str], str]:
    with (out / "verdicts.csv").open(encoding="utf-8") as file:
        return {(r["student"], r["quantity"]): r["verdict"] for r in csv.DictReader(file)}


def rounded(values: dict[str, float], decimals: int = 4) -> list[str]:
    return [f"{values[name]:.{decimals}f}" for name in ASKED_222]


def test_a_responses_export_is_regraded_with_carried_verdicts(tmp_path: Path) -> None:
    _, xml = export(tmp_path, SEED)
    (question,) = parse_xml(xml)[1]
    right = rounded(torch_222())
    slipped = by_hand_222({"h1": 0.5225})  # h1 slipped, everything after it from the slip
    carried = rounded(slipped)
    mistaken = list(right)
    mistaken[ASKED_222.index("W5+")] = rounded(by_hand_222(MISTAKES_222["W5+", "update-added"]))[
        ASKED_222.index("W5+")
    ]
    blank = list(right)
    blank[ASKED_222.index("o1")] = ""
    comma = [value.replace(".", ",") for value in right]  # Moodle reads a decimal comma
    q, r = summary(question), right_answer(question)
    times = ["1 November 2026  10:00 AM", "1 November 2026  10:40 AM", "40 mins"]
    rows = [
        ["Kim", "Minjun", "s01@example.edu", "Finished", *times, "39.00", q, response(right), r],
        ["Lee", "Seoyeon", "s02@example.edu", "Finished", *times, "20.50", q, response(carried), r],
        ["Park", "Jiho", "s03@example.edu", "Finished", *times, "38.50", q, response(mistaken), r],
        ["Choi", "Yuna", "s04@example.edu", "Finished", *times, "38.00", q, response(blank), r],
        ["Jung", "Hana", "s05@example.edu", "Finished", *times, "0.00", q, "-", r],
        ["Kang", "Min", "s06@example.edu", "-", "-", "-", "-", "-", "-", "-", "-"],
        ["Yoon", "Ara", "s07@example.edu", "In progress", *times, "-", q, response(comma), r],
    ]
    csv_path = tmp_path / "responses.csv"
    write_responses(csv_path, [*HEADER_4, "Question 1", "Response 1", "Right answer 1"], rows)
    result, out = grade(tmp_path, SEED, csv_path)
    assert result.exit_code == 0, result.output
    v = verdicts(out)  # the reports name each student as their files do: s01_example.edu
    assert all(v["s01_example.edu", name] == "correct" for name in ASKED_222)
    assert v["s02_example.edu", "h1"] == "wrong"
    assert v["s02_example.edu", "z3"] == "carried"  # 0.45 × 0.5225 + 0.4 × h2
    assert v["s02_example.edu", "o1"] == "carried"
    assert sum(v["s02_example.edu", name] == "wrong" for name in ASKED_222) == 1
    assert v["s03_example.edu", "W5+"] == "mistake:update-added"
    assert v["s04_example.edu", "o1"] == "missing"
    assert v["s04_example.edu", "z4"] == "correct"
    assert all(v[s, name] == "missing" for s in ("s05_example.edu", "s06_example.edu")
               for name in ASKED_222)  # fmt: skip
    assert all(v["s07_example.edu", name] == "correct" for name in ASKED_222)
    with (out / "grades.csv").open(encoding="utf-8") as file:
        totals = {row["student"]: float(row["total"]) for row in csv.DictReader(file)}
    assert totals["s01_example.edu"] == 39 and totals["s02_example.edu"] == 38
    assert totals["s03_example.edu"] == 38.5
    feedback = (out / "feedback" / "s06_example.edu.md").read_text(encoding="utf-8")
    assert "no attempt at the quiz" in feedback
    feedback = (out / "feedback" / "s07_example.edu.md").read_text(encoding="utf-8")
    assert "'In progress', not Finished" in feedback


def test_variants_are_regraded_against_the_variant_each_student_drew(tmp_path: Path) -> None:
    folder = make_variants(tmp_path)
    _, xml = export(tmp_path, folder)
    questions = parse_xml(xml)[1]
    files = sorted(folder.glob("*.toml"))
    rows = []
    for k in range(len(files)):  # each student drew the next student's variant
        other = files[(k + 1) % len(files)]
        key = {sequential(n): v for n, v in torch_reference_of(other).items()}
        question = variant_question(questions, key)
        student = f"student{k}"
        rows.append(["X", "Y", student, "Finished", "", "", "", "39.00", summary(question),
                     response(rounded(key, 10)), right_answer(question)])  # fmt: skip
    with_question = tmp_path / "with-question.csv"
    write_responses(with_question, [*HEADER_3, "Question 1", "Response 1", "Right answer 1"], rows)
    result, out = grade(tmp_path, folder, with_question)
    assert result.exit_code == 0, result.output
    v = verdicts(out)
    assert all(v[f"student{k}", n] == "correct" for k in range(4) for n in ASKED_222)
    # without the question's text, its right answers tell the variant
    right_only = tmp_path / "right-only.csv"
    write_responses(
        right_only,
        [*HEADER_3, "Response 1", "Right answer 1"],
        [row[:8] + row[9:] for row in rows],
    )
    result, out = grade(tmp_path, folder, right_only)
    assert result.exit_code == 0, result.output
    assert all(verdicts(out)[f"student{k}", n] == "correct" for k in range(4) for n in ASKED_222)


def test_a_responses_export_of_another_quiz_or_without_its_columns_is_one_line(
    tmp_path: Path,
) -> None:
    _, xml = export(tmp_path, SEED)
    (question,) = parse_xml(xml)[1]
    right = rounded(torch_222())
    other = tmp_path / "other.csv"
    q = summary(question).replace("[backviz seed-222]", "[backviz xor-221]")
    write_responses(
        other,
        [*HEADER_4, "Question 1", "Response 1"],
        [["A", "B", "a@x", "Finished", "", "", "", "1", q, response(right)]],
    )
    result, _ = grade(tmp_path, SEED, other)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "backviz: other.csv: column 'Question N': expected the question of backviz exercise "
        "seed-222, found xor-221: a Responses export of another quiz?"
    )
    fewer = tmp_path / "fewer.csv"
    write_responses(
        fewer,
        [*HEADER_4, "Response 1"],
        [["A", "B", "a@x", "Finished", "", "", "", "1", response(right[:5])]],
    )
    result, _ = grade(tmp_path, SEED, fewer)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "backviz: fewer.csv: column 'Response N': expected 39 parts (the quantities exercise "
        "seed-222 asks), found 5: a Responses export of another quiz?"
    )
    two = tmp_path / "two.csv"
    write_responses(
        two,
        [*HEADER_4, "Response 1", "Response 2"],
        [["A", "B", "a@x", "Finished", "", "", "", "1", response(right), "-"]],
    )
    result, _ = grade(tmp_path, SEED, two)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "backviz: two.csv: column 'Response N': expected one (a quiz of one backviz Cloze "
        "question), found 'Response 1', 'Response 2'"
    )
    folder = make_variants(tmp_path)
    bare = tmp_path / "bare.csv"
    write_responses(
        bare,
        [*HEADER_4, "Response 1"],
        [["A", "B", "a@x", "Finished", "", "", "", "1", response(right)]],
    )
    result, _ = grade(tmp_path, folder, bare)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "backviz: bare.csv: column 'Question N': expected it (or 'Right answer N'), to tell "
        "which variant each student drew, found neither: tick 'Question text' in the "
        "Responses report's options before downloading"
    )


EXPORTABLE = [
    "linear-regression.toml",
    "logistic-regression.toml",
    "nn-221-regression.toml",
    "softmax-classification.toml",
    "softmax-classification-textbook.toml",
    "xor-221.toml",
    "xor-single-layer.toml",
]


@pytest.mark.parametrize("name", EXPORTABLE)
def test_every_exercise_with_an_answer_sheet_exports_a_box_per_template_row(
    tmp_path: Path, name: str
) -> None:
    """Part k of a Moodle response is the k-th row of the answer sheet: the regrade relies on
    the two orders being one."""
    exercise = SEED.parent / name
    result, out = export(tmp_path, exercise)
    assert result.exit_code == 0, result.output
    template = CliRunner().invoke(main, ["template", str(exercise)])
    rows = [line.split(",")[0] for line in template.output.splitlines() if line[:1] != "#"]
    names = [n for n in rows if n not in ("quantity", "student")]
    text, fields = question_of(out)
    shown = re.findall(r"<code>(.*?)</code>\)</td><td>\{#(\d+)\}", html.unescape(text))
    assert [n for n, _ in shown] == names
    assert [int(k) for _, k in shown] == list(range(1, len(names) + 1))
    for field in fields:
        right = right_of(field)
        assert all(a.fraction in MOODLE_FRACTIONS for a in field.answers)
        assert all(a.tolerance <= right.tolerance for a in field.answers)


def test_a_batch_over_several_steps_is_torchs_answer_key(tmp_path: Path) -> None:
    """nn-221-regression: 2-2-1, sigmoid then identity, MSE over a batch, three steps."""
    exercise = SEED.parent / "nn-221-regression.toml"
    _, out = export(tmp_path, exercise)
    text, fields = question_of(out)
    names = re.findall(r"<code>(.*?)</code>\)</td><td>\{#\d+\}", html.unescape(text))
    key = torch_reference_of(exercise)
    assert len(names) == len(fields) > 40
    for name, field in zip(names, fields, strict=True):
        assert right_of(field).value == pytest.approx(key[name], rel=1e-12, abs=1e-15), name


HEADER_KO = ["성", "이름", "이메일 주소", "상태", "시작 일시", "완료", "소요 시간", "성적/39.00"]


@pytest.mark.parametrize(
    ("header", "delimiter", "decimal", "state", "label"),
    [
        ([*HEADER_4, "Question 1", "Response 1", "Right answer 1"], "\t", ".", "Finished", "part"),
        ([*HEADER_4, "Question 1", "Response 1", "Right answer 1"], ";", ",", "Finished", "part"),
        ([*HEADER_KO, "문제 1", "응답 1", "정답 1"], ",", ".", "종료됨", "부분"),
        ([*HEADER_KO, "문제 1", "응답 1", "정답 1"], "\t", ".", "종료됨", "부분"),
    ],
    ids=["tsv", "excel-semicolon", "korean", "korean-tsv"],
)
def test_a_responses_export_is_read_in_every_format_moodle_and_excel_write(
    tmp_path: Path, header: list[str], delimiter: str, decimal: str, state: str, label: str
) -> None:
    """Moodle's "Tab separated values" download, a CSV re-saved by Excel with `;` and decimal
    commas, and a Korean site's columns are the same report: a right answer is right in each."""
    _, xml = export(tmp_path, SEED)
    (question,) = parse_xml(xml)[1]
    right = [value.replace(".", decimal) for value in rounded(torch_222())]
    answers = "; ".join(f"{label} {k}: {a}" for k, a in enumerate(right, start=1))
    h1 = ASKED_222.index("h1")
    slipped = list(right)
    slipped[h1] = "0,5225" if decimal == "," else "0.5225"
    wrong = "; ".join(f"{label} {k}: {a}" for k, a in enumerate(slipped, start=1))
    times = ["1 November 2026  10:00 AM", "1 November 2026  10:40 AM", "40 mins"]
    q, r = summary(question), right_answer(question)
    path = tmp_path / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(header)
        writer.writerow(["Kim", "Minjun", "s01@example.edu", state, *times, "39", q, answers, r])
        writer.writerow(["Lee", "Seoyeon", "s02@example.edu", state, *times, "1", q, wrong, r])
    result, out = grade(tmp_path, SEED, path)
    assert result.exit_code == 0, result.output
    v = verdicts(out)
    assert all(v["s01_example.edu", name] == "correct" for name in ASKED_222)
    assert v["s02_example.edu", "h1"] == "wrong"
    assert sum(v["s02_example.edu", name] == "correct" for name in ASKED_222) == len(ASKED_222) - 1
    feedback = (out / "feedback" / "s01_example.edu.md").read_text(encoding="utf-8")
    assert "not Finished" not in feedback


def test_a_responses_export_that_cannot_be_read_stops_with_one_line(tmp_path: Path) -> None:
    """A file with the report's columns but none naming the student is not graded as a sheet
    of numbers: it stops, naming the file, the column, what was expected and what was found."""
    path = tmp_path / "responses.tsv.csv"
    path.write_text(
        "번호\t상태\t성적/39.00\t응답 1\n1\t종료됨\t39\tpart 1: 0.1\n", encoding="utf-8"
    )
    result, _ = grade(tmp_path, SEED, path)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == (
        "backviz: responses.tsv.csv: the student's column: expected 'Last name', 'First name', "
        "'Email address', 'ID number' or 'Username' (in any of Moodle's languages: Nachname, "
        "Vorname, 성, 이름, …) or a column of e-mail addresses, found '번호', '상태', "
        "'성적/39.00', '응답 1'"
    )


def moodle_grade(field: Field, response: float) -> float:
    """The marks Moodle gives a response in a NUMERICAL field: the first answer it lies within
    (question/type/numerical/question.php), its fraction of the field's marks."""
    for answer in field.answers:
        if abs(response - answer.value) <= answer.tolerance:
            return answer.fraction * field.marks
    return 0.0


def test_a_lazy_zero_or_old_value_earns_no_moodle_marks_where_it_is_not_right(
    tmp_path: Path,
) -> None:
    """Rule 1 of the marks in Moodle too: a 0, or W⁺ = W, earns a box's marks only where it is
    the right answer at the box's tolerance (the precision rule's, worked out here), never by
    lying within a catalogued mistake's."""
    _, out = export(tmp_path, SEED)
    _, fields = question_of(out)
    key = torch_222()
    by_name = dict(zip(ASKED_222, fields, strict=True))
    right_zero = {
        name
        for name in ASKED_222
        if abs(key[name]) <= expected_tolerance(name, key[name], GIVEN_222)
    }
    for name, field in by_name.items():
        assert moodle_grade(field, 0.0) == (field.marks if name in right_zero else 0.0), name
    for name in [n for n in ASKED_222 if n.endswith("+")]:
        old = GIVEN_222[name[:-1]]
        assert moodle_grade(by_name[name], old) == 0.0, name  # the old value, not updated
        assert moodle_grade(by_name[name], key[name]) == by_name[name].marks, name
    adagrad = SEED.parent / "optimizer-adagrad.toml"
    _, out = export(tmp_path / "adagrad", adagrad)
    text, fields = question_of(out)
    names = re.findall(r"<code>(.*?)</code>\)</td><td>\{#\d+\}", html.unescape(text))
    s0 = tomllib.loads(adagrad.read_text(encoding="utf-8"))["training"]["initial_accumulator_value"]
    by_name = dict(zip(names, fields, strict=True))
    key = torch_reference_states(adagrad)
    states = [n for n in names if n.startswith("s_")]
    assert len(states) == 16
    for name in states:  # the old value: s₀ before step 1, the state of step 1 before step 2
        old = s0 if name.endswith("@1") else key[name.replace("@2", "@1")]
        right = right_of(by_name[name])
        if abs(old - key[name]) > right.tolerance:  # the step is more than the box's tolerance
            assert moodle_grade(by_name[name], old) == 0.0, name
        assert moodle_grade(by_name[name], key[name]) == by_name[name].marks, name
    assert all(moodle_grade(by_name[n], s0) == 0.0 for n in states if n.endswith("@1"))


def torch_reference_states(path: Path) -> dict[str, float]:
    """Adagrad's sums of squares as torch.optim.Adagrad keeps them (its `state_sum`)."""
    from tests.test_optimizer_marks import torch_states

    assert path.name == "optimizer-adagrad.toml"
    return torch_states()
