"""Nothing a student writes reaches into the reports.

A class of hostile sheets (spreadsheet formulas, HTML, forged lines, terminal controls, NUL
and half surrogate pairs, ids too long for a file name, duplicate and lookalike ids) is
graded through `backviz grade`, and every report is read back by a real parser: the csv
module, markdown-it, xml.etree, json. `check-answers` prints no control. Then each escaping
function of `backviz.grading.escape` on its own, over any text (hypothesis).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from backviz.cli import main
from backviz.grading.escape import (
    GRADESCOPE_FORMAT,
    MAX_NAME_BYTES,
    csv_cell,
    csv_line,
    file_name,
    gradescope_text,
    markdown_text,
    read_csv,
    terminal_text,
    xml_text,
)
from backviz.grading.ids import unique_names
from tests.conftest import EXERCISES

SEED = EXERCISES / "seed-222.toml"
QUANTITIES = 39  # the quantities seed-222 asks

FORMULAS = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(A1:A9)",
    '=HYPERLINK("http://evil.example","regrade")',
    "=cmd|' /C calc'!A0",
    "'=1+2",
]
MARKUP = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "a|b",
    "`x`",
    "[regrade](http://evil.example)",
    "![pixel](http://evil.example/p.png)",
    "&lt;b&gt;",
    "\\|",
    "**A+**",
    "# Total: 39 / 39",
    "1. item",
]
FORGERIES = [
    "0.5\n\nTotal: 39 / 39",
    "0.5\n| `z1` | correct | 0.08 | 0.08000000 | 1 / 1 |",
    "0.5\r\nTotal: 39 / 39",
    "0.5\u2028Total: 39 / 39",
]
CONTROLS = [
    "\x1b[31mred\x1b[0m",
    "\x1b]0;owned\x07title",
    "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[Hclear",
    "a\x01b",
    "a\x0bb",
    "\x9b31mc1",
    "\u202eevil",
    "nul\x00",
    "half\ud800",
    "\t=1+2",
    "\r=1+2",
]
PAYLOADS = FORMULAS + MARKUP + FORGERIES + CONTROLS

FORMULA_START = tuple("=+-@\t\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every control but tab and line feed
MD = MarkdownIt("commonmark", {"html": True}).enable("table")  # raw HTML on: as GitHub reads


def json_sheet(folder: Path, name: str, student: str, answers: dict[str, str]) -> None:
    """A JSON sheet with exactly these strings (NUL and half pairs as JSON escapes)."""
    text = json.dumps({"student": student, "answers": answers})
    (folder / f"{name}.json").write_text(text, encoding="utf-8")


def grade(sheets: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["grade", str(SEED), str(sheets), "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each payload as a student id, as an answer (z1) and as a quantity name, in a JSON
    sheet of its own, and once more in a row of a wide CSV (as a form exports it); a correct
    h1 and a negative z2 beside it. The reports' folder."""
    tmp = tmp_path_factory.mktemp("hostile")
    sheets = tmp / "sheets"
    sheets.mkdir()
    for k, payload in enumerate(PAYLOADS):
        answers = {"z1": payload, "h1": "0.52", "z2": "-0.5", payload: "0.1"}
        json_sheet(sheets, f"p{k:02d}", payload, answers)
    with (sheets / "form.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student", "z1", "h1", "z2"])
        for payload in PAYLOADS:
            if "\x00" not in payload and "\ud800" not in payload:  # not in a text file
                writer.writerow([f"form {payload}", payload, "0.52", "-0.5"])
    grade(sheets, tmp / "out")
    return tmp / "out"


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_every_hostile_sheet_is_graded_once(hostile: Path) -> None:
    with (hostile / "grades.csv").open(encoding="utf-8", newline="") as stream:
        names = [row[0] for row in read_csv(stream)][1:]
    csv_rows = sum(1 for p in PAYLOADS if "\x00" not in p and "\ud800" not in p)
    assert len(names) == len(set(names)) == len(PAYLOADS) + csv_rows
    for name in names:
        for folder, suffix in (("feedback", ".md"), ("results", ".json"), ("diagrams", ".svg")):
            assert (hostile / folder / f"{name}{suffix}").is_file()


@pytest.mark.parametrize("report", ["grades.csv", "verdicts.csv"])
def test_no_csv_cell_is_a_formula(hostile: Path, report: str) -> None:
    """OWASP's rule: a cell a spreadsheet would run (=, +, -, @, tab, CR first) is a plain
    number, or it is neutralised with a leading '."""
    for row in rows(hostile / report):
        for cell in row:
            assert not cell.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(cell), cell
    given = {(r[0], r[1]): r[3] for r in rows(hostile / "verdicts.csv")[1:]}
    assert {v for (_, q), v in given.items() if q == "z2"} == {"-0.5"}  # numbers stay numbers


def test_report_csvs_read_back_as_written(hostile: Path) -> None:
    """What a student wrote is in verdicts.csv exactly as the grader read it (the ends of the
    cell trimmed), through backviz's reader; grades.csv's students are the reports' names."""
    with (hostile / "verdicts.csv").open(encoding="utf-8", newline="") as stream:
        verdicts = list(read_csv(stream))
    z1 = [r[3] for r in verdicts[1:] if r[1] == "z1"]
    for payload in PAYLOADS:
        written = payload.replace("\ud800", "\ufffd").strip()  # half a pair is not text
        assert written in z1, payload
    names = {p.stem for p in (hostile / "feedback").iterdir() if not p.name.startswith(".")}
    with (hostile / "grades.csv").open(encoding="utf-8", newline="") as stream:
        assert {row[0] for row in list(read_csv(stream))[1:]} == names


def reports_in(folder: Path) -> list[Path]:
    """The reports of a folder (not backviz's own record of them, `.backviz-files`)."""
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


def markdown_checked(text: str) -> list:
    """The tokens of a report's Markdown, checked: no raw HTML, link, image or control."""
    tokens = MD.parse(text)
    for token in tokens:
        assert token.type not in ("html_block", "html_inline"), token
        for child in token.children or []:
            assert child.type not in ("html_inline", "link_open", "image"), child
    html = MD.render(text)
    assert re.search(r"<(script|img|a)\b", html) is None
    assert CONTROL.search(text) is None
    return tokens


def test_feedback_renders_as_what_was_written(hostile: Path) -> None:
    """Every feedback: one Total paragraph, the table's rows the exercise's quantities with
    five cells each, and each payload shown as text, never as HTML, a link or a new line."""
    shown: set[str] = set()
    for path in reports_in(hostile / "feedback"):
        tokens = markdown_checked(path.read_text(encoding="utf-8"))
        inline = [t for t in tokens if t.type == "inline"]
        totals = [t for t in inline if t.content.startswith("Total:")]
        assert len(totals) == 1, path
        body = [t for t in tokens if t.type == "tbody_open"]
        assert len(body) == 1
        cells: list[list[str]] = []
        for token in tokens[tokens.index(body[0]) :]:
            if token.type == "tr_open":
                cells.append([])
            elif token.type == "inline":
                cells[-1].append("".join(c.content for c in token.children or []))
            elif token.type == "tbody_close":
                break
        assert len(cells) == QUANTITIES, path
        assert {len(row) for row in cells} == {5}
        shown.update(row[2] for row in cells)
    for payload in FORMULAS + MARKUP:  # no controls: shown exactly
        assert payload in shown, payload
    forged = {"0.5  Total: 39 / 39", "0.5 Total: 39 / 39", "0.5 " + FORGERIES[1][4:]}
    assert forged <= shown  # on one line, inside its cell
    controls = {"red", "title", "click", "clear", "ab", "a b", "c1", "evil", "nul", "half\ufffd"}
    assert controls | {"=1+2"} <= shown


def test_summary_renders_as_text(hostile: Path) -> None:
    markdown_checked((hostile / "summary.md").read_text(encoding="utf-8"))


def test_results_declare_text_and_keep_to_their_lines(hostile: Path) -> None:
    """Gradescope's results.json: `output_format` "text" for the whole and every test; a
    test's output one line, the whole's one Total line; no control but line feeds."""
    for path in reports_in(hostile / "results"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["output_format"] == GRADESCOPE_FORMAT == "text"
        lines = data["output"].split("\n")
        assert [line for line in lines if line.startswith("Total:")] == [lines[0]]
        assert CONTROL.search(data["output"]) is None
        assert len(data["tests"]) == QUANTITIES
        for test in data["tests"]:
            assert test["output_format"] == "text"
            assert CONTROL.search(test["output"]) is None and "\n" not in test["output"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_diagrams_are_xml(hostile: Path) -> None:
    for path in reports_in(hostile / "diagrams"):
        ET.parse(path)  # raises on anything XML 1.0 forbids


def test_check_answers_prints_no_control(hostile: Path) -> None:
    """A sheet's escape sequences never reach the terminal (colours on: click strips only
    some of them, and only when it is not a terminal)."""
    sheets = hostile.parent / "sheets"
    for sheet in sorted(sheets.glob("*.json")):
        result = CliRunner().invoke(
            main, ["check-answers", str(SEED), str(sheet)], color=True, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x9b" not in result.output
        assert CONTROL.search(result.output) is None, sheet
        assert result.output.count("\nTotal:") == 1


# ── ids: file names, duplicates, lookalikes ─────────────────────────────────────────────


def test_ids_too_long_for_a_file_name_do_not_stop_the_class(tmp_path: Path) -> None:
    """File names are cut by bytes (a 4-byte character is 4 of the 255), between characters."""
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    ids = ["𝓐" * 100, "𝓐" * 100, "가" * 300, "a" * 400, "CON", "../../etc/passwd", "."]
    for k, student in enumerate(ids):
        json_sheet(sheets, f"s{k}", student, {"z1": "0.08"})
    grade(sheets, tmp_path / "out")
    names = [p.name for p in reports_in(tmp_path / "out" / "feedback")]
    assert len(names) == len(ids)
    assert all(len(name.encode("utf-8")) <= 255 for name in names)
    assert {"_CON.md", "etc_passwd.md", "student.md"} <= set(names)  # no device, no path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "sheets"]


def problems(feedback: Path) -> str:
    text = feedback.read_text(encoding="utf-8")
    return text.split("## Problems with the sheet", 1)[1].split("| quantity", 1)[0]


def test_a_repeated_id_is_reported_on_both_sheets(tmp_path: Path) -> None:
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    json_sheet(sheets, "first", "dupid", {"z1": "0.08"})
    json_sheet(sheets, "second", "dupid", {"z1": "0.5"})
    grade(sheets, tmp_path / "out")
    feedback = tmp_path / "out" / "feedback"
    one, two = problems(feedback / "dupid.md"), problems(feedback / "dupid-2.md")
    assert "second.json as dupid-2" in one and "student id 'dupid'" in one
    assert "first.json as dupid" in two and "student id 'dupid'" in two


def test_lookalike_ids_are_never_two_rows_that_look_the_same(tmp_path: Path) -> None:
    """'김민준' composed and decomposed, 'Kim' and 'kim', full-width 'ｋｉｍ': graded each on
    its own, every one of them told so; grades.csv's students differ however they are read."""
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    ids = [unicodedata.normalize(form, "김민준") for form in ("NFC", "NFD")] + [
        "Kim",
        "kim",
        "ｋｉｍ",
    ]
    for k, student in enumerate(ids):
        json_sheet(sheets, f"s{k}", student, {"z1": "0.08"})
    grade(sheets, tmp_path / "out")
    students = [row[0] for row in rows(tmp_path / "out" / "grades.csv")[1:]]
    assert len(students) == len(ids)
    shown = {unicodedata.normalize("NFKC", s).casefold() for s in students}
    assert len(shown) == len(ids)
    for name in students:
        told = problems(tmp_path / "out" / "feedback" / f"{name}.md")
        assert "expected on one sheet only" in told, name
    hangul = problems(tmp_path / "out" / "feedback" / f"{students[0]}.md")
    assert "the same student id" in hangul  # one id, in two Unicode forms


# ── each escaping function on its own ─────────────────────────────────────────────────

SEQUENCES = ["\x1b[31m", "\x1b[0m", "\x1b]0;t\x07", "\x1b]8;;http://e.example\x1b\\"]
"""Terminal escape sequences, whole: any text below holds ESC only inside one of these."""
SPECIAL = list("\\`*_~[]()<>&|#!-+=.:'\"1 a\n\r\t\x0b\x00\x85\x9c\u2028\u202e\u3000\ufffe")
SPECIAL += ["&lt;", "<img src=x>", "1. ", "- ", "---", "\ud800", *SEQUENCES]
letters = st.characters(  # neither a bare ESC nor half a pair: those come from SPECIAL
    blacklist_categories=("Cs",), blacklist_characters="\x1b\x90\x98\x9b\x9d\x9e\x9f"
)
texts = st.lists(st.one_of(st.sampled_from(SPECIAL), letters), max_size=12).map("".join)
valid_texts = texts.map(lambda t: t.replace("\ud800", ""))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
BREAKS = re.compile(r"\r\n|[\t\n\x0b\x0c\r\x1c-\x1e\x85\u2028\u2029]")
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def without_sequences(text: str) -> str:
    text = text.replace("\ud800", "\ufffd")  # half a pair is shown as a reader shows it
    for sequence in SEQUENCES:
        text = text.replace(sequence, "")
    return text


def shown_in_line(text: str) -> str:
    """What a one-line format shows of a text: its escape sequences and controls gone, its
    line breaks and tabs spaces (worked out here, independently of the module)."""
    return CONTROLS.sub("", BREAKS.sub(" ", without_sequences(text)))


def shown_on_terminal(text: str) -> str:
    """What a terminal is sent: the lines, each without escape sequences or controls."""
    return "\n".join(CONTROLS.sub("", without_sequences(line)) for line in text.split("\n"))


@FAST
@given(st.lists(valid_texts, min_size=1, max_size=4))
def test_csv_reads_back_what_it_wrote(cells: list[str]) -> None:
    assert next(read_csv(io.StringIO(csv_line(cells), newline=""))) == cells


@FAST
@given(texts)
def test_csv_cell_is_never_a_formula(text: str) -> None:
    (cell,) = next(csv.reader(io.StringIO(csv_line([text]), newline="")))
    assert not cell.startswith(FORMULA_START) or PLAIN_NUMBER.fullmatch(cell)


@pytest.mark.parametrize("number", ["-0.5", "+0.5", "-1e-3", ".5", "-7", "0"])
def test_csv_numbers_stay_numbers(number: str) -> None:
    assert csv_cell(number) == number


@FAST
@given(texts)
def test_markdown_text_renders_as_written(text: str) -> None:
    """In a table cell and after a list's "- ": one cell, one paragraph, whose text is the
    student's (HTML, links, emphasis, headings and lists only as the characters typed)."""
    expected = shown_in_line(text).strip()
    escaped = markdown_text(text)
    inline = [
        t for t in MD.parse(f"| a | b |\n|---|---|\n| x | {escaped} |\n") if t.type == "inline"
    ]
    assert len(inline) == 4
    assert [c.type for c in inline[3].children or []] in ([], ["text"])
    assert "".join(c.content for c in inline[3].children or []) == expected
    tokens = MD.parse(f"- {escaped}\n")
    paragraphs = [t for t in tokens if t.type == "inline"]
    assert len([t for t in tokens if t.type == "list_item_open"]) == 1
    if expected:
        assert len(paragraphs) == 1 and [c.type for c in paragraphs[0].children] == ["text"]
        assert paragraphs[0].children[0].content == expected


@FAST
@given(texts)
def test_xml_text_is_xml(text: str) -> None:
    element = ET.fromstring(f'<text title="{xml_text(text)}">{xml_text(text)}</text>')
    assert (element.text or "") == element.get("title") == shown_in_line(text)


@FAST
@given(texts)
def test_gradescope_text_is_one_line(text: str) -> None:
    assert gradescope_text(text) == shown_in_line(text)


@FAST
@given(texts)
def test_terminal_text_keeps_lines_and_drops_controls(text: str) -> None:
    assert terminal_text(text) == shown_on_terminal(text)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;owned\x07title", "title"),
        ("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("\x1b[2J\x1b[Hclear", "clear"),
        ("\x9b31mc1", "c1"),
        ("\x1b(0line", "line"),
        ("bell\x07", "bell"),
        ("over\rwrite", "overwrite"),
        ("esc\x1b", "esc"),
        ("two\nlines", "two\nlines"),
    ],
)
def test_terminal_text_drops_whole_sequences(sent: str, shown: str) -> None:
    """A sequence goes whole, never leaving its parameters (`[31m`) behind as text."""
    assert terminal_text(sent) == shown


@FAST
@given(texts)
def test_file_name_fits_any_file_system(student: str) -> None:
    name = file_name(student)
    assert 0 < len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert re.fullmatch(r"[\w.\-]+", name) and not name.startswith(".")
    assert unicodedata.is_normalized("NFKC", name)
    assert name.split(".")[0].casefold() not in ("con", "nul", "aux", "prn", "com1", "lpt1")


def test_file_names_are_unique_ignoring_case() -> None:
    """On a file system that does not tell case apart, no two reports are one file."""
    names = unique_names(
        ["kim", "Kim", "KIM", "kim-2", "김민준", unicodedata.normalize("NFD", "김민준")]
    )
    assert len({name.casefold() for name in names}) == len(names)
    assert names[:2] == ["kim", "Kim-2"] and names[4:] == ["김민준", "김민준-2"]
