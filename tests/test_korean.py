"""A class graded with `--lang ko`: every word a person reads in its reports is Korean — the
verdicts in the feedback, the summary, Gradescope's results and the students' diagrams — while
verdicts.csv keeps the verdict ids (the contract). And the students' diagrams, read as SVG
and looked at: a legend of the verdict colours, the diagrams' own font, the given inputs and
the loss, in the report's language."""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from backviz.core.api import solve
from backviz.grading.diagram import COLOURS
from backviz.grading.mistakes import CATALOGUE
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from backviz.render.fonts import diagram_font
from tests.conftest import EXERCISES, torch_seed_222

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs dot")

SEED = EXERCISES / "seed-222.toml"
SVG = "{http://www.w3.org/2000/svg}"

VERDICT_IDS = ("correct", "carried", "imprecise", "mistake", "wrong", "missing", "unreadable")
ENGLISH = re.compile(
    r"\b(" + "|".join([*VERDICT_IDS, *(m.id for m in CATALOGUE)]) + r")\b", re.IGNORECASE
)
"""A verdict id or a mistake's id, as English reports show them."""

# The README's table of rules on seed-222 ("How marks are given"): each line one verdict.
SLIPS = {
    "h1": "0.5225",  # wrong: σ(0.08) is 0.51998934
    "z3": "0.4461",  # carried: 0.45 × 0.5225 + 0.4 × 0.5275 from the slipped h1
    "z4": "0.44498412",  # wrong: z3's value under z4's name
    "h2": "abc",  # unreadable
    "dE/dW1": "0.001",  # imprecise: right to 3 decimals, needs 4
    "W1+": "0.29960429",  # mistake:updated-weights-in-backprop (the notes' own slip)
}


def write_class(folder: Path) -> None:
    """Two sheets: torch's numbers (correct; the rest left out: missing), and the slips."""
    folder.mkdir(parents=True)
    right = torch_seed_222()
    for student, answers in (("s01", right), ("s02", {**right, **SLIPS})):
        with (folder / f"{student}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["quantity", "value"])
            for name, value in answers.items():
                if name != "E_total+":
                    writer.writerow([name, value if isinstance(value, str) else f"{value:.8f}"])


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same class graded in English and in Korean, with diagrams."""
    tmp = tmp_path_factory.mktemp("korean")
    write_class(tmp / "sheets")
    out = {}
    for lang in ("en", "ko"):
        out[lang] = tmp / lang
        args = ["grade", str(SEED), str(tmp / "sheets"), "--out", str(out[lang]), "--lang", lang]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


def shown_text(path: Path) -> str:
    """What a person reads in a report: Markdown less its code spans (quantity names), the
    outputs of Gradescope's results, an SVG's texts."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return re.sub(r"`[^`]*`", "", text)
    if path.suffix == ".json":
        results = json.loads(text)
        return "\n".join([results["output"], *(t["output"] for t in results["tests"])])
    return "\n".join("".join(e.itertext()) for e in ET.fromstring(text).iter(f"{SVG}text"))


def reports(out: Path) -> list[Path]:
    return [
        out / "summary.md",
        *sorted((out / "feedback").glob("*.md")),
        *sorted((out / "results").glob("*.json")),
        *sorted((out / "diagrams").glob("*.svg")),
    ]


def test_the_class_has_every_verdict(classes: dict[str, Path]) -> None:
    """verdicts.csv, the contract, keeps the ids in both languages: the same file."""
    for lang in ("en", "ko"):
        with (classes[lang] / "verdicts.csv").open(encoding="utf-8") as handle:
            verdicts = {row["verdict"] for row in csv.DictReader(handle)}
        assert {v.split(":")[0] for v in verdicts} == set(VERDICT_IDS)
        assert "mistake:updated-weights-in-backprop" in verdicts
    for name in ("verdicts.csv", "grades.csv"):
        assert (classes["ko"] / name).read_bytes() == (classes["en"] / name).read_bytes()


@needs_dot
def test_no_english_verdict_in_korean_reports(classes: dict[str, Path]) -> None:
    """Every report a person reads, in Korean: no verdict id, no mistake id — while the same
    reports in English show them (so the check can fail)."""
    korean = reports(classes["ko"])
    assert len(korean) == 1 + 3 * 2
    for path in korean:
        found = ENGLISH.findall(shown_text(path))
        assert not found, (path.name, found)
    english = "\n".join(shown_text(path) for path in reports(classes["en"]))
    assert {word.lower() for word in ENGLISH.findall(english)} >= {
        *VERDICT_IDS,
        "updated-weights-in-backprop",
    }


def test_korean_feedback_names_each_verdict_in_korean(classes: dict[str, Path]) -> None:
    feedback = (classes["ko"] / "feedback" / "s02.md").read_text(encoding="utf-8")
    assert "| `h1` | 오답 | 0.5225 |" in feedback
    assert "| `z3` | 이어받은 정답 (내 답 h1 = 0.5225에서 이어받음) |" in feedback
    assert "| `h2` | 읽을 수 없음 | abc |" in feedback
    assert "| `W1+` | 흔한 실수: 갱신된 가중치로 역전파 |" in feedback
    assert "| `z4` | 오답 (z3의 값이다: 이름을 잘못 붙였나?) |" in feedback
    assert "- `dE/dW1` (정밀도 부족): " in feedback
    summary = (classes["ko"] / "summary.md").read_text(encoding="utf-8")
    head = "| 값 | 정답 | 이어받은 정답 | 정밀도 부족 | 실수 | 오답 | 답 없음 | 읽을 수 없음 |"
    assert head in summary
    assert "| `W1+` | 50% | 0% | 0% | 갱신된 가중치로 역전파 50% |" in summary
    results = json.loads((classes["ko"] / "results" / "s01.json").read_text(encoding="utf-8"))
    tests = {t["name"]: t["output"] for t in results["tests"]}
    assert tests["z1"] == "답 없음: 내 답 (답 없음), 맞는 값 0.08000000"


def svg_texts(svg: str) -> list[str]:
    return ["".join(e.itertext()) for e in ET.fromstring(svg).iter(f"{SVG}text")]


@needs_dot
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_student_diagram_has_a_legend_the_font_the_inputs_and_the_loss(
    classes: dict[str, Path], lang: str
) -> None:
    svg = (classes[lang] / "diagrams" / "s02.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    texts = svg_texts(svg)
    legend = {
        "en": ["correct", "carried", "imprecise", "mistake", "wrong", "missing", "unreadable"],
        "ko": [
            *("정답", "이어받은 정답", "정밀도 부족", "흔한 실수"),
            *("오답", "답 없음", "읽을 수 없음"),
        ],
    }[lang]
    assert all(word in texts for word in legend), texts
    swatches = {e.get("fill") for e in root.iter(f"{SVG}polygon")}
    assert set(COLOURS.values()) <= swatches  # a coloured square beside each word
    # the font of every other diagram, on every text
    drawn = render_graph(diagram(solve(SEED), stage="all", lang=lang), "svg").decode()
    fonts = set(re.findall(r'font-family="([^"]*)"', svg))
    assert fonts == set(re.findall(r'font-family="([^"]*)"', drawn))
    assert diagram_font(lang).split(",")[0] in next(iter(fonts))
    # the given inputs and targets, the loss with the student's own number
    for given in ("x1 = 0.1", "x2 = 0.2", "t1 = 0.4", "t2 = 0.6"):
        assert given in texts, given
    loss = {"en": "Loss (half_sse)", "ko": "오차(손실) (half_sse)"}[lang]
    assert loss in texts
    assert f"E_total = {torch_seed_222()['E_total']:.8f}" in texts
    title = {"en": "The notes' 2-2-2 worked example", "ko": "강의 노트의 2-2-2 역전파 예제"}
    total = {"en": "s02 · Total: ", "ko": "s02 · 총점: "}[lang]
    assert title[lang] in texts and any(t.startswith(total) for t in texts)


# ── coding exercises ───────────────────────────────────────────────────────────

CODE_EXERCISE = EXERCISES / "code-xor-221.toml"
CODE = Path(__file__).resolve().parent / "data" / "code"
OUR_ENGLISH = re.compile(
    r"\b(layer|expected|yours?|random case|own numbers|computed right|same mistake|returned|"
    r"shape|transposed|changed|argument|weights|not run|should be|write|Try it)\b"
)
"""Words of the code feedback's and the starter file's own English sentences."""


def template(lang: str) -> str:
    result = CliRunner().invoke(main, ["template", str(CODE_EXERCISE), "--lang", lang])
    assert result.exit_code == 0, result.output
    return result.output


def test_korean_starter_file_is_the_same_program_explained_in_korean() -> None:
    import ast

    english, korean = ast.parse(template("en")), ast.parse(template("ko"))
    # the same code: the import and the function's name and arguments
    assert ast.dump(english.body[1]) == ast.dump(korean.body[1])
    (function,) = [node for node in korean.body if isinstance(node, ast.FunctionDef)]
    assert function.name == "backward"
    assert [a.arg for a in function.args.args] == ["W", "b", "x", "t", "learning_rate"]
    text = ast.get_docstring(korean) or ""
    assert "순전파와 역전파를 직접 작성한다" in text and "편향: 2층: 있음, 3층: 있음." in text
    prose = re.sub(r'"[^"]*"|\([^)]*\)|backviz grade .*', "", text + template("ko"))
    assert not OUR_ENGLISH.findall(prose), OUR_ENGLISH.findall(prose)
    assert OUR_ENGLISH.findall(template("en"))  # the check can fail


@pytest.fixture(scope="module")
def code_classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Five submissions of the tests (right; σ′ left out; W updated before backpropagating;
    uninitialised weights; arguments changed in place) graded in both languages, on the
    same random cases (one secret)."""
    tmp = tmp_path_factory.mktemp("code")
    (tmp / "code").mkdir()
    for name in ("good", "no_sigma_prime", "updated_first", "uninitialised", "in_place"):
        shutil.copy(CODE / f"{name}.py", tmp / "code")
    out = {}
    for lang in ("en", "ko"):
        out[lang] = tmp / lang
        args = ["grade", str(CODE_EXERCISE), str(tmp / "code"), "--out", str(out[lang])]
        args += ["--lang", lang, "--secret", "5eed" * 8]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


def test_code_feedback_in_korean(code_classes: dict[str, Path]) -> None:
    """The same verdicts (verdicts.csv); every sentence the feedback adds is Korean."""
    ko, en = code_classes["ko"], code_classes["en"]
    assert (ko / "verdicts.csv").read_bytes() == (en / "verdicts.csv").read_bytes()
    for path in reports(ko):
        shown = shown_text(path)
        shown = re.sub(r"sandbox: \S+", "", shown)  # the sandbox's level: its name
        assert not ENGLISH.findall(shown), (path.name, ENGLISH.findall(shown))
        assert not OUR_ENGLISH.findall(shown), (path.name, OUR_ENGLISH.findall(shown))
    english = "\n".join(shown_text(path) for path in reports(en))
    assert ENGLISH.findall(english) and OUR_ENGLISH.findall(english)
    feedback = {p.stem: p.read_text(encoding="utf-8") for p in (ko / "feedback").glob("*.md")}
    assert "| `delta(3)` | 흔한 실수: 활성화 함수 미분 빠짐 |" in feedback["no_sigma_prime"]
    assert "내가 앞서 계산한 delta(3)에서 올바르게 계산함" in feedback["no_sigma_prime"]
    assert "2층의 z에 NaN이 있다" in feedback["uninitialised"]
    assert "backward()이(가) 인자 W, b을(를) 그 자리에서 바꿨다" in feedback["in_place"]


# ── notebooks ──────────────────────────────────────────────────────────────────


@needs_dot
def test_notebook_display_in_korean() -> None:
    """`backviz.set_language("ko")`: a trace and an exercise show themselves in Korean — the
    plain text, the diagram (its title, its font list) and the worked solution."""
    import backviz
    from backviz.render.words import WORDS

    trace = solve(SEED)
    try:
        backviz.set_language("ko")
        bundle, _ = trace._repr_mimebundle_()
        shown, _ = trace.exercise._repr_mimebundle_()
    finally:
        backviz.set_language("en")
    assert bundle["text/plain"] == (
        "seed-222: 강의 노트의 2-2-2 역전파 예제, 오차 E 0.02397190 → 0.02323634"
    )
    texts = svg_texts(bundle["image/svg+xml"])
    assert "강의 노트의 2-2-2 역전파 예제 · 순전파 · 역전파 · 가중치 갱신" in texts
    assert set(re.findall(r'font-family="([^"]*)"', bundle["image/svg+xml"])) == {
        diagram_font("ko")
    }
    html = re.sub(r"<[^>]+>", " ", bundle["text/html"])
    assert "순전파" in html and "역전파: 출력층 (3층)" in html
    english = [
        w["en"] for key, w in WORDS.items() if key in ("forward", "given", "gradients", "after")
    ]
    assert not [phrase for phrase in english if phrase in html]
    assert shown["text/plain"] == "seed-222: 강의 노트의 2-2-2 역전파 예제"
    titles = [t for t in svg_texts(shown["image/svg+xml"]) if t.startswith("강의 노트의 2-2-2")]
    assert titles and "학습률" in titles[0]  # the exercise's own title line, in Korean
    # and back: English again
    assert trace._repr_mimebundle_()[0]["text/plain"].startswith("seed-222: 2-2-2 network")


def test_notebook_language_is_one_of_the_languages() -> None:
    import backviz

    with pytest.raises(ValueError, match="set_language: expected one of en, ko, found 'fr'"):
        backviz.set_language("fr")


def test_roster_lines_in_korean(tmp_path: Path) -> None:
    """Who handed nothing in, and who is not on the roster, told in Korean."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    out = tmp_path / "ko"
    args = ["grade", str(SEED), str(examples / "class"), "--out", str(out), "--lang", "ko"]
    args += ["--roster", str(examples / "roster.csv"), "--no-diagrams"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "- 낸 답안지 없음\n" in (out / "feedback" / "s03.md").read_text(encoding="utf-8")
    s09 = (out / "feedback" / "s09.md").read_text(encoding="utf-8")
    assert "- 's09'은(는) 명단(roster.csv)에 없다: 채점했지만 학급 통계에서는 뺐다." in s09
    assert "roster" not in s09.replace("roster.csv", "")


# ── what is wrong with a sheet's file ──────────────────────────────────────────

SHEET_ENGLISH = re.compile(
    r"not read|given again|expected|student id|no such|cannot|binary|empty file|workbook|"
    r"symbolic|folder|column|header|not valid|quote|decimal comma|no answers|answer sheet|"
    r"lookalike|graded on its own|unknown quantity|is kept",
    re.IGNORECASE,
)
"""Words of the English problem lines (`grading/problem_text.py`)."""


def broken_class(folder: Path) -> None:
    """A sheet of every kind of problem a file can have, and a sheet's rows and entries."""
    folder.mkdir(parents=True)
    files: dict[str, str | bytes] = {
        "comma.csv": "quantity,value\nz1,0.08\nh1,0,52\n",  # a decimal comma split the row
        "twice.csv": "quantity,value\nz1,0.08\nz1,0.09\nz9,1\n",  # a repeat, an unknown name
        "ids.csv": "quantity,value\nstudent,kim\nstudent,lee\nz1,0.08\n",  # two student ids
        "binary.csv": b"quantity,value\n\x00\x01\x02",
        "empty.csv": b"",
        "cp.csv": b"quantity,value\nz1,\xff\xfe\xfd\n",  # neither UTF-8 nor CP949
        "book.xlsx": b"PK\x03\x04",
        "bad.toml": 'student = "t"\nz1 = = 0.08\n',
        "list.json": "[1, 2]",
        "lines.txt": "z1 = 0.08\njust words here\n",
        "wide.csv": "student,z1,h1\n,0.08,0.52\np1,0.08,0,52\n",  # no id; a row split
        "same1.csv": "quantity,value\nstudent,park\nz1,0.08\n",
        "same2.csv": "quantity,value\nstudent,park\nz1,0.08\n",
    }
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    (folder / "linked.csv").symlink_to(folder / "same1.csv")
    (folder / "nothing").mkdir()


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """Each student's problem lines, graded in English and in Korean."""
    tmp = tmp_path_factory.mktemp("broken")
    broken_class(tmp / "sheets")
    problems: dict[str, dict[str, list[str]]] = {}
    for lang in ("en", "ko"):
        out = tmp / lang
        args = ["grade", str(SEED), str(tmp / "sheets"), "--out", str(out), "--lang", lang]
        result = CliRunner().invoke(main, [*args, "--no-diagrams"])
        assert result.exit_code == 0, result.output
        problems[lang] = {}
        for path in sorted((out / "feedback").glob("*.md")):
            text = path.read_text(encoding="utf-8").split("\n## ", 2)
            lines = text[1].splitlines()[2:] if len(text) > 1 and text[1] != "" else []
            problems[lang][path.stem] = [line for line in lines if line.startswith("- ")]
    return problems


def test_every_kind_of_broken_sheet_is_told_in_korean(broken) -> None:
    """Every problem line of every sheet is Korean; in English the same lines hold the English
    words, so the check can fail. The same students, with as many lines each."""
    assert broken["en"].keys() == broken["ko"].keys()
    assert len(broken["ko"]) >= 15
    for student, lines in broken["ko"].items():
        assert len(lines) == len(broken["en"][student]), student
        for line in lines:
            said = line.split(": ", 1)[-1]  # after "- file.csv:3: ", the file's own name
            assert not SHEET_ENGLISH.findall(said), (student, line)
    english = [line for lines in broken["en"].values() for line in lines]
    assert sum(bool(SHEET_ENGLISH.search(line)) for line in english) >= len(english) - 1


def test_korean_problem_lines_say_what_to_do(broken) -> None:
    ko = broken["ko"]
    assert any("소수점 쉼표인가? 0.52로 적거나 따옴표로 감쌀 것" in line for line in ko["comma"])
    again = "'z1'이(가) 다시 나왔다 (처음은 2번째 줄): 처음 것을 쓴다"
    assert any(again in line for line in ko["twice"])
    assert any("모르는 값 이름 'z9' (채점하지 않음)" in line for line in ko["twice"])
    assert any("두 번째 학번 'lee'" in line for line in ko["kim"])
    assert ko["binary"] == ["- binary.csv: 이진 파일(NUL 바이트가 있음)이라 답안지가 아니다"]
    assert ko["empty"] == ["- empty.csv: 빈 파일"]
    assert any("UTF-8도 CP949도 아니다" in line for line in ko["cp"])
    assert any("CSV(UTF-8)로 저장해서 채점할 것" in line for line in ko["book"])
    assert any("올바른 TOML이 아니다" in line for line in ko["bad"])
    assert any("꼴의 객체여야 하는데 리스트이다" in line for line in ko["list"])
    assert any("'이름 = 값' 꼴이어야 하는데 'just words here'이다" in line for line in ko["lines"])
    assert any("학번이 없다" in line for line in ko["wide-row2"])
    assert any("링크는 명령줄에 적은 것만 따라간다" in line for line in ko["linked"])
    assert ko["nothing"] == [  # Markdown: the stars escaped
        r"- nothing: 이 폴더에 답안지(\*.csv, \*.tsv, \*.toml, \*.json, \*.txt)이(가) 없다"
    ]
    assert any("학번 'park'은(는) 답안지 하나에만 있어야 하는데" in line for line in ko["park"])


def test_korean_problem_sheet_commands_make_korean_files(tmp_path: Path) -> None:
    """A Korean handout tells students the commands with --lang ko: their starter file, answer
    sheet and feedback are then Korean too."""
    for exercise, commands in (
        ("code-xor-221", ["backviz template code-xor-221.toml --lang ko -o ID.py"]),
        (
            "seed-222",
            [
                "backviz template seed-222.toml --student ID --lang ko -o ID.csv",
                "backviz check-answers seed-222.toml ID.csv --lang ko",
            ],
        ),
    ):
        out = tmp_path / exercise
        args = ["handout", str(EXERCISES / f"{exercise}.toml"), "-o", str(out)]
        result = CliRunner().invoke(main, [*args, "--format", "md", "--lang", "ko"])
        assert result.exit_code == 0, result.output
        sheet = (out / f"{exercise}.md").read_text(encoding="utf-8")
        for command in commands:
            assert command in sheet, (command, sheet)


@needs_dot
def test_student_diagram_of_a_big_network_says_what_it_leaves_out(tmp_path: Path) -> None:
    """Layers of 10 nodes are drawn as draw draws them: nodes 1, 2, 3, "… 5개 더", 9, 10."""
    exercise = EXERCISES / "xor-deep.toml"
    (tmp_path / "sheets").mkdir()
    sheet = CliRunner().invoke(main, ["template", str(exercise), "--student", "k1"])
    (tmp_path / "sheets" / "k1.csv").write_text(sheet.output, encoding="utf-8")
    args = ["grade", str(exercise), str(tmp_path / "sheets"), "--out", str(tmp_path / "out")]
    assert CliRunner().invoke(main, [*args, "--lang", "ko"]).exit_code == 0
    texts = svg_texts((tmp_path / "out" / "diagrams" / "k1.svg").read_text(encoding="utf-8"))
    assert texts.count("… 5개 더") == 3  # the three hidden layers of 2-10-10-10-1
    shown = [t for t in texts if re.fullmatch(r"a\(2\)_\d+", t)]
    assert shown == ["a(2)_1", "a(2)_2", "a(2)_3", "a(2)_9", "a(2)_10"]
