"""Problem sheets (`backviz handout`): the given numbers and never an answer, read as a reader
sees them (pdftotext, the HTML's text, the SVG's <text> elements, the Markdown); the answer
template's questions in its order; PDF, HTML and Markdown, English and Korean; one sheet per
student of a variants folder; a missing pdflatex or dot explained with exit status 3."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import backviz
from backviz.core.notation import format_given
from backviz.grading.handout import handouts, write_handouts
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from tests.conftest import EXERCISES, ROOT

TOOLS = ("dot", "pdflatex", "pdftotext", "pdftoppm")
needs_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="./run setup installs Graphviz, pdflatex and poppler-utils",
)
pytestmark = needs_tools

EXERCISE_FILES = sorted(EXERCISES.glob("*.toml"))
FORMATS = ("pdf", "html", "md")
SUFFIX = {"pdf": ".pdf", "html": ".html", "md": ".md"}


def backviz_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backviz", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


# -- what a reader sees ----------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text of an HTML page as a browser shows it (styles and scripts are not shown)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [f"{k}={v}" for k, v in attrs]
        self.hidden += tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def svg_text(svg: str) -> str:
    return "\n".join(unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))


def pdf_text(path: Path, *options: str) -> str:
    command = ["pdftotext", *options, str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout.decode("utf-8")


def seen(path: Path) -> str:
    """The text of a sheet a reader sees: a PDF's, an HTML page's, or Markdown with the
    <text> of the SVG drawing beside it."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".html":
        return html_text(path.read_text(encoding="utf-8"))
    svg = path.with_suffix(".svg").read_text(encoding="utf-8")
    return path.read_text(encoding="utf-8") + "\n" + svg_text(svg)


# -- no answer anywhere ----------------------------------------------------------------------------


def _printed(value: float, decimals: int) -> set[str]:
    """|value| as printed with `decimals` decimals, rounded and truncated."""
    exact, unit = Decimal(abs(value)), Decimal(1).scaleb(-decimals)
    return {str(exact.quantize(unit, rounding=mode)) for mode in (ROUND_HALF_EVEN, ROUND_DOWN)}


def leaks(trace, text: str) -> list[str]:
    """Every computed value of the trace in the steps asked (a superset of what is asked) found
    printed in the text with 3 to 8 decimals, rounded or truncated. Exempt: values equal to a
    given number (an input carried through), and printed tokens that are a given number as the
    sheet writes it."""
    exercise = trace.exercise
    steps = {None, *exercise.ask.steps} if exercise.kind == "network" else {None}
    refs = [ref for ref in trace.refs() if ref.step in steps]
    given = [trace.value(r) for r in refs if trace.formula(r) is None]
    if exercise.kind == "network" and exercise.trains:
        given.append(exercise.training.learning_rate)
        reg = exercise.regularization  # λ₁ and λ₂, printed with the network as given
        given += [reg.strength(norm) for norm in reg.norms]
    written = {format_given(v).lstrip("-") for v in given}
    tokens = {
        t for t in re.findall(r"\d+\.\d+", text) if len(t.split(".")[1]) >= 3 and t not in written
    }
    found = []
    for ref in refs:
        if trace.formula(ref) is None:
            continue
        value = trace.value(ref)
        if value != value or any(abs(value - g) <= 1e-12 * max(1.0, abs(g)) for g in given):
            continue
        for decimals in range(3, 9):
            for printed in _printed(value, decimals) & tokens:
                found.append(f"{trace.name(ref)} = {value!r} printed as {printed}")
    return found


def test_the_leak_check_finds_a_printed_answer() -> None:
    """The check itself: an answer printed at 3 or 8 decimals, rounded or truncated, is found;
    given numbers are not."""
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    assert leaks(trace, "h1 = 0.520") != []  # 0.51998934 rounded to 3 decimals
    assert leaks(trace, "∂E/∂W1 = 0.0008") != []  # 0.00080888 truncated to 4
    assert leaks(trace, "∂E/∂W1 = 0.000808") != []  # truncated to 6
    assert leaks(trace, "o2 = 0.66384491") != []  # 8 decimals
    assert leaks(trace, "z1 = 0.08, h1 = 0.52") == []  # 2 decimals: not checked
    assert leaks(trace, "x1 = 0.1, W4 = 0.35, η = 0.5, 0.350") == []  # given numbers


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> Path:
    """Every exercise's sheet in every format (English), written as the command writes them."""
    out = tmp_path_factory.mktemp("sheets")
    for path in EXERCISE_FILES:
        for fmt in FORMATS:
            write_handouts(path, out / fmt, fmt=fmt)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_no_answer_appears_in_any_sheet(sheets: Path, path: Path, fmt: str) -> None:
    trace = backviz.solve(path)
    sheet = sheets / fmt / f"{trace.exercise.id}{SUFFIX[fmt]}"
    text = seen(sheet)
    assert trace.exercise.title_in("en") in text.replace("’", "'")
    assert leaks(trace, text) == []
    if fmt != "pdf":  # nor in the source: attributes, titles, the SVG file beside
        source = sheet.read_text(encoding="utf-8")
        if fmt == "md":
            source += sheet.with_suffix(".svg").read_text(encoding="utf-8")
        assert leaks(trace, source) == []


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Path:
    """Three students' variants of the notes' example, made by `backviz variants`."""
    folder = tmp_path_factory.mktemp("variants")
    roster = folder / "roster.csv"
    roster.write_text("student\ns01\n2024 김민수\ns/03\n", encoding="utf-8")
    result = backviz_cli(
        "variants", str(EXERCISES / "seed-222.toml"), "--roster", str(roster), "--out",
        str(folder / "v"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder / "v"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sheet_per_student_of_a_variants_folder(variants: Path, tmp_path: Path, fmt: str) -> None:
    result = backviz_cli("handout", str(variants), "-o", str(tmp_path), "--format", fmt)
    assert result.returncode == 0, result.stderr
    names = {"s01": "s01", "2024 김민수": "2024_김민수", "s/03": "s_03"}  # safe file names
    for student, stem in names.items():
        sheet = tmp_path / f"{stem}{SUFFIX[fmt]}"
        trace = backviz.solve(variants / f"{stem}.toml")
        assert trace.exercise.student == student
        text = seen(sheet)
        assert leaks(trace, text) == []
        assert f"student {student}" in text
        # their own numbers, and their own file names in the commands to hand in
        for ref in trace.refs():
            if trace.formula(ref) is None:
                assert format_given(trace.value(ref)).lstrip("-") in text
        flat = re.sub(r"\s+", " ", text)
        quoted = student if re.fullmatch(r"[\w./-]+", student) else f'"{student}"'
        assert f"backviz template {stem}.toml --student {quoted} -o {stem}.csv" in flat
        assert f"backviz check-answers {stem}.toml {stem}.csv" in flat
    produced = sorted(p.name for p in tmp_path.iterdir())
    expected = sorted(f"{stem}{suffix}" for stem in names.values() for suffix in (
        [SUFFIX[fmt], ".svg"] if fmt == "md" else [SUFFIX[fmt]]))  # fmt: skip
    assert produced == expected


# -- the questions are the template's --------------------------------------------------------------


def template_names(path: Path) -> list[str]:
    result = backviz_cli("template", str(path))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    return [row[0] for row in rows if row and not row[0].startswith("#")][2:]  # header, student


SHEET_EXERCISES = [
    p for p in EXERCISE_FILES if backviz.load(p).kind == "network" and "[code]" not in p.read_text()
]


@pytest.mark.parametrize("path", SHEET_EXERCISES, ids=lambda p: p.stem)
def test_questions_are_the_templates_quantities_in_order(sheets: Path, path: Path) -> None:
    expected = template_names(path)
    exercise_id = backviz.load(path).id
    (handout,) = handouts(path)
    assert [q.name for q in handout.sheet.questions()] == expected
    page = (sheets / "html" / f"{exercise_id}.html").read_text(encoding="utf-8")
    assert [unescape(n) for n in re.findall(r"<td><code>(.*?)</code></td>", page)] == expected
    markdown = (sheets / "md" / f"{exercise_id}.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| \d+ \| .* \| `(.*)` \| \|$", markdown, re.M) == expected
    numbers = re.findall(r"^\| (\d+) \|", markdown, re.M)
    assert numbers == [str(i) for i in range(1, len(expected) + 1)]
    # the PDF shows each name, in the same order (read row by row)
    text, at = pdf_text(sheets / "pdf" / f"{exercise_id}.pdf", "-layout"), 0
    for name in expected:
        at = text.index(name, at)


def test_what_the_ask_table_chooses_and_the_precision_it_asks(tmp_path: Path) -> None:
    source = (EXERCISES / "seed-222.toml").read_text(encoding="utf-8")
    ko = "은닉 노드 두 개, 한 번의 학습."
    description = f'description = {{ en = "Two hidden units, one step.", ko = "{ko}" }}\n'
    source = source.replace("notation =", description + "notation =")
    source += '\n[ask]\nnames = ["W5+", "dE/dW5", "delta_h1"]\nsignificant = 2\n'
    path = tmp_path / "asked.toml"
    path.write_text(source, encoding="utf-8")
    (handout,) = handouts(path)
    assert [q.name for q in handout.sheet.questions()] == template_names(path)
    assert template_names(path) == ["dE/dW5", "W5+", "delta_h1"]  # in computing order
    write_handouts(path, tmp_path / "en", fmt="pdf")
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "en" / "seed-222.pdf"))
    assert "Two hidden units, one step." in text
    assert "at least 2 significant figures of the right value" in text
    assert "W+ − W" in text or "W⁺ − W" in text  # an updated weight is asked
    write_handouts(path, tmp_path / "ko", fmt="html", lang="ko")
    page = html_text((tmp_path / "ko" / "seed-222.html").read_text(encoding="utf-8"))
    assert "은닉 노드 두 개, 한 번의 학습." in page
    assert "유효숫자 2자리 이상" in page


def test_hand_in_names_the_template_file_and_the_commands(sheets: Path) -> None:
    text = re.sub(r"\s+", " ", pdf_text(sheets / "pdf" / "seed-222.pdf"))
    assert "backviz template seed-222.toml --student ID -o ID.csv" in text
    assert "backviz check-answers seed-222.toml ID.csv" in text
    assert "Hand in ID.csv." in text
    assert "at least one significant figure of the right value" in text
    # a forward-only exercise cannot be checked with check-answers (it is not graded)
    gate = re.sub(r"\s+", " ", pdf_text(sheets / "pdf" / "and-gate.pdf"))
    assert "backviz template and-gate.toml --student ID -o ID.csv" in gate
    assert "check-answers" not in gate


def test_a_coding_exercise_asks_for_its_function(sheets: Path) -> None:
    text = re.sub(r"\s+", " ", html_text((sheets / "html" / "code-xor-221.html").read_text()))
    assert "backviz template code-xor-221.toml -o ID.py" in text
    assert "backviz grade code-xor-221.toml ID.py --out my-report" in text
    assert "The function backward(W, b, x, t, learning_rate)" in text
    assert "Questions" not in text


def test_an_expression_sheet_asks_every_computed_quantity_of_its_graph(sheets: Path) -> None:
    trace = backviz.solve(EXERCISES / "chain-rule.toml")
    (handout,) = handouts(EXERCISES / "chain-rule.toml")
    computed = [trace.name(r) for r in trace.refs() if trace.formula(r) is not None]
    assert [q.name for q in handout.sheet.questions()] == computed
    svg = (sheets / "md" / "chain-rule.svg").read_text(encoding="utf-8")
    shown = svg_text(svg)
    for given in ("−2", "5", "3"):  # the inputs, and nothing else numeric (a true minus)
        assert given in shown
    assert re.findall(r"\d", shown.replace("−2", "").replace("5", "").replace("3", "")) == []
    text = html_text((sheets / "html" / "chain-rule.html").read_text(encoding="utf-8"))
    assert "Write your answers in the boxes and hand in this sheet." in text


# -- the drawing -----------------------------------------------------------------------------------


def test_the_blank_drawing_has_the_given_numbers_and_a_box_for_each_computed_one() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    svg = render_graph(diagram(trace, stage="all", blank=True), "svg").decode("utf-8")
    shown = svg_text(svg)
    for text in ("x1 = 0.1", "x2 = 0.2", "0.4", "0.6", "0.45", "learning rate η = 0.5"):
        assert text in shown
    for label in ("z1 =", "h1 =", "δ_o1 =", "∂E/∂W5 =", "W5⁺ =", "E_total ="):
        assert label in shown
    # one empty box (a bordered cell) per computed number drawn: 4 per hidden node, 4 per
    # output node, 2 per weight (∂E/∂W, W⁺), 2 per loss edge (E_o, ∂E/∂o), E_total
    boxes = svg.count('<polygon fill="white"') - 1  # the page's own background is white too
    assert boxes == 2 * 4 + 2 * 4 + 8 * 2 + 2 * 2 + 1
    assert leaks(trace, shown) == []
    # without `blank`, the same drawing as ever
    drawn = render_graph(diagram(trace, stage="all", decimals=8), "svg").decode()
    assert "z1 = 0.08000000" in svg_text(drawn)


def test_draw_blank_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "chain.svg"
    result = backviz_cli("draw", str(EXERCISES / "chain-rule.toml"), "--blank", "-o", str(out))
    assert result.returncode == 0, result.stderr
    shown = svg_text(out.read_text(encoding="utf-8"))
    assert "w =" in shown and "∂f/∂w =" in shown and "∂g/∂w =" in shown and "g =" in shown
    assert sorted(re.findall(r"−?\d+", shown)) == ["3", "5", "−2"]  # the inputs alone


# -- formats ---------------------------------------------------------------------------------------


def _dark_share(ppm: bytes) -> float:
    """The share of pixels that are not near-white in a binary PPM (P6) image."""
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", ppm)
    assert header, ppm[:20]
    pixels = memoryview(ppm)[header.end() :]
    dark = sum(1 for i in range(0, len(pixels), 3) if min(pixels[i : i + 3]) < 200)
    return dark / (len(pixels) // 3)


@pytest.mark.parametrize("page", [1, 2])
def test_the_pdf_renders(sheets: Path, tmp_path: Path, page: int) -> None:
    """Page 1 (the instructions) and page 2 (the drawing) are not blank."""
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), str(sheets / "pdf" /
         "seed-222.pdf"), str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    (image,) = tmp_path.glob("page*.ppm")
    assert 0.005 < _dark_share(image.read_bytes()) < 0.5


def test_korean_sheets_have_the_korean_headings_and_compile(tmp_path: Path) -> None:
    result = backviz_cli(
        "handout", str(EXERCISES / "seed-222.toml"), "-o", str(tmp_path), "--lang", "ko",
        "--format", "pdf",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "seed-222.pdf")
    headings = ("강의 노트의 2-2-2 역전파 예제", "문제지", "신경망", "주어진 값", "답의 정밀도")
    headings += ("제출 방법", "문제", "번호", "이름", "순전파", "입력층")
    for heading in headings:
        assert heading in text
    assert leaks(backviz.solve(EXERCISES / "seed-222.toml"), text) == []
    write_handouts(EXERCISES / "chain-rule.toml", tmp_path, fmt="html", lang="ko")
    page = (tmp_path / "chain-rule.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page
    assert "계산 그래프" in html_text(page)


def test_html_is_one_self_contained_page(sheets: Path) -> None:
    for path in (sheets / "html").glob("*.html"):
        page = path.read_text(encoding="utf-8")
        parser = _Text()
        parser.feed(page)
        assert "http://" not in page and "https://" not in page, path.name  # nothing fetched
        assert "script" not in parser.tags  # nothing runs, so nothing can fail in the console
        assert not [a for a in parser.attributes if a.startswith(("src=", "href="))]
        assert "svg" in parser.tags  # the drawing is inline


def test_markdown_has_its_drawing_beside_it(sheets: Path) -> None:
    markdown = (sheets / "md" / "xor-221.md").read_text(encoding="utf-8")
    assert "](xor-221.svg)" in markdown
    assert (sheets / "md" / "xor-221.svg").read_text().lstrip().startswith("<?xml")


def test_default_format_is_pdf_where_pdflatex_is(tmp_path: Path) -> None:
    result = backviz_cli("handout", str(EXERCISES / "chain-rule.toml"), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["chain-rule.pdf"]
    assert (tmp_path / "chain-rule.pdf").read_bytes().startswith(b"%PDF")


def _path_with(tmp_path: Path, *tools: str) -> dict[str, str]:
    """An environment whose PATH holds only these tools."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in tools:
        (folder / tool).symlink_to(shutil.which(tool))
    return dict(os.environ, PATH=str(folder))


@pytest.mark.parametrize(
    ("tools", "fmt", "hint"),
    [
        (("dot",), "pdf", "pdflatex is not installed"),
        (("pdflatex",), "html", "Graphviz's dot is not installed"),
    ],
)
def test_a_missing_tool_is_explained_with_exit_3(tmp_path, tools, fmt, hint) -> None:
    env = _path_with(tmp_path, *tools)
    out = tmp_path / "out"
    result = backviz_cli("handout", str(EXERCISES / "seed-222.toml"), "-o", str(out),
                         "--format", fmt, env=env)  # fmt: skip
    assert result.returncode == 3
    assert hint in result.stderr and "apt-get install" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_an_unwritable_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "sheets"  # below a file: no folder can be made there
    result = backviz_cli("handout", str(EXERCISES / "seed-222.toml"), "-o", str(out),
                         "--format", "html")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"backviz: {out}/seed-222.html: cannot be written")
    assert "Traceback" not in result.stderr


def test_the_demo_writes_the_handout(tmp_path: Path) -> None:
    result = backviz_cli("demo", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path}/handout.html" in result.stdout
    page = (tmp_path / "handout.html").read_text(encoding="utf-8")
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    assert leaks(trace, html_text(page)) == []
    assert "backviz template seed-222.toml --student ID -o ID.csv" in html_text(page)
