"""Worked solutions: the numbers printed are torch's, the notes' 2-2-2 lines appear as the notes
write them, every format is well formed, and English and Korean carry the same numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

import backviz
from backviz.core.notation import format_number
from backviz.render import render_solution
from backviz.render.solution import worked_solution
from backviz.verify import torch_trace
from tests.conftest import EXERCISES, ROOT

ALL = sorted(p.stem for p in EXERCISES.glob("*.toml"))
# Every exercise, and a 4-8-8-3 network over two samples (the widest sums written out in full).
WIDE = [
    *sorted(EXERCISES.glob("*.toml")),
    ROOT / "tests" / "data" / "net-4883.toml",
    ROOT / "tests" / "data" / "every-option.toml",  # soft targets: −(Σ t log p) broken too
]
NETWORKS = [name for name in ALL if "expression" not in (EXERCISES / f"{name}.toml").read_text()]


@pytest.fixture(scope="module")
def seed_text() -> str:
    return render_solution(backviz.solve(EXERCISES / "seed-222.toml"), "text")


# The notes' own lines (seeds/004), as backviz must print them: chain rule written out.
NOTES_LINES = [
    "z1 = W1·x1 + W2·x2 = 0.3 × 0.1 + 0.25 × 0.2 = 0.08000000",
    "h1 = σ(z1) = σ(0.08000000) = 0.51998934",
    "E_total = E_o1 + E_o2 = 0.02193381 + 0.00203809 = 0.02397190",
    "∂E/∂o1 = −(t1 − o1) = −(0.4 − 0.60944600) = 0.20944600",
    "∂o1/∂z3 = o1·(1 − o1) = 0.60944600 × (1 − 0.60944600) = 0.23802157",
    "∂E/∂W5 = ∂E/∂o1·∂o1/∂z3·∂z3/∂W5 = δ_o1·h1 = 0.20944600 × 0.23802157 × 0.51998934 = 0.02592286",
    "W5⁺ = W5 − η·∂E/∂W5 = 0.45 − 0.5 × 0.02592286 = 0.43703857",
    "∂E_o1/∂h1 = ∂E/∂o1·∂o1/∂z3·∂z3/∂h1 = δ_o1·W5 = 0.20944600 × 0.23802157 × 0.45 = 0.02243370",
    "∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1 = 0.02243370 + 0.00997311 = 0.03240681",
    "∂h1/∂z1 = h1·(1 − h1) = 0.51998934 × (1 − 0.51998934) = 0.24960043",
    "∂E/∂W1 = ∂E/∂h1·∂h1/∂z1·∂z1/∂W1 = δ_h1·x1 = 0.03240681 × 0.24960043 × 0.1 = 0.00080888",
    # the notes misprint this one as 0.1 − 0.5 × 0.00080888
    "W1⁺ = W1 − η·∂E/∂W1 = 0.3 − 0.5 × 0.00080888 = 0.29959556",
    "E_total⁺ = E_o1⁺ + E_o2⁺ = 0.02125445 + 0.00198189 = 0.02323634",
]


@pytest.mark.parametrize("line", NOTES_LINES)
def test_notes_lines_appear_as_the_notes_write_them(seed_text: str, line: str) -> None:
    assert "  " + line + "\n" in seed_text


def test_z4_is_labelled_right_where_the_notes_mislabel_it(seed_text: str) -> None:
    # the notes print "z4 = … = 0.44498412" (z3's value); z4 is 0.68047592
    assert "z4 = W7·h1 + W8·h2 = 0.7 × 0.51998934 + 0.6 × 0.52747230 = 0.68047592" in seed_text


@pytest.mark.parametrize("name", NETWORKS)
def test_every_printed_value_is_torchs(name: str) -> None:
    """Each equation's printed value equals torch.autograd's value rounded to 8 decimals."""
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    reference = torch_trace(trace.exercise)
    text = render_solution(trace, "text")
    document = worked_solution(trace)
    lines = [line for line in text.splitlines() if line.startswith("  ")]
    equations = document.equations()
    assert len(lines) == len(equations)
    for eq, line in zip(equations, lines, strict=True):
        assert line.startswith(f"  {eq.lhs.text} = ")
        shown = float(line.rsplit(" = ", 1)[1].replace("−", "-"))
        expected = reference.value(trace.ref(eq.name))
        # the printed digits are torch's value to 8 decimals (±1 in the last digit for a value
        # that sits on a rounding boundary)
        assert abs(shown - expected) <= 0.6e-8 * max(1.0, abs(expected)), (eq.name, shown, expected)


def numbers_of(markdown: str) -> list[str]:
    return re.findall(r"-?\d+\.\d+(?:e-?\d+)?", markdown)


@pytest.mark.parametrize("name", ALL)
def test_korean_has_the_same_numbers_as_english(name: str) -> None:
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    english = render_solution(trace, "md", lang="en")
    korean = render_solution(trace, "md", lang="ko")
    assert numbers_of(english) == numbers_of(korean)
    assert numbers_of(english)
    assert re.search("[가-힣]", korean) and not re.search("[가-힣]", english)


@pytest.mark.parametrize("name", ALL)
def test_markdown_renders_with_math(name: str) -> None:
    markdown = render_solution(backviz.solve(EXERCISES / f"{name}.toml"), "md")
    parser = MarkdownIt("commonmark").use(dollarmath_plugin)
    tokens = [t for t in parser.parse(markdown)]
    inline = [child for t in tokens if t.children for child in t.children]
    maths = [t for t in inline if t.type == "math_inline"]
    texts = " ".join(t.content for t in inline if t.type == "text")
    equations = [t for t in tokens if t.type == "inline" and t.content.startswith("$")]
    assert len(equations) >= markdown.count("\n- $")  # each equation one $…$ (+ the given)
    blocks = [t for t in tokens if t.type == "math_block"]  # $$ … $$: a long equation's
    assert len(maths) + 2 * len(blocks) == markdown.count("$") // 2
    assert all(b.content.strip().startswith(r"\begin{aligned}") for b in blocks)
    assert "$" not in texts  # every $…$ became math, none is left raw
    html = parser.render(markdown)
    assert "<h1>" in html and "<h2>" in html


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.maths = 0
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.maths += 1
        for key, value in attrs:
            if key in ("src", "href") and value and "://" in value:
                self.external.append(value)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


@pytest.mark.parametrize("name", ["seed-222", "chain-rule", "softmax-classification", "xor-deep"])
def test_html_is_self_contained_and_well_formed(name: str) -> None:
    trace = backviz.solve(EXERCISES / f"{name}.toml")
    page = render_solution(trace, "html", lang="ko")
    checker = _Checker()
    checker.feed(page)
    assert checker.stack == []
    assert checker.external == []  # no CDN: works offline in a classroom
    # each equation a block of its own, set as math (one <math> per part it may break at)
    assert page.count('<div class="eq">') == len(worked_solution(trace).equations())
    assert checker.maths >= len(worked_solution(trace).equations())
    assert '<html lang="ko">' in page


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by ./run setup")
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("path", WIDE, ids=lambda p: p.stem)
def test_latex_compiles_within_its_margins(tmp_path, path: Path, lang: str) -> None:
    """Every exercise's solution compiles, and no line (a long sum, a row of given numbers)
    runs into the margin: pdflatex logs no overfull box wider than 1 pt."""
    trace = backviz.solve(path)
    (tmp_path / "s.tex").write_text(render_solution(trace, "latex", lang=lang), encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "s.pdf").stat().st_size > 1000
    log = (tmp_path / "s.log").read_text(encoding="utf-8", errors="replace")
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert all(width <= 1.0 for width in overfull), f"overfull boxes of {overfull} pt"


def test_only_prints_one_quantity() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "solve",
            str(EXERCISES / "seed-222.toml"),
            "--only",
            "dE/dW5",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0
    equations = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert equations == ["  " + NOTES_LINES[5]]


def test_decimals_option() -> None:
    text = render_solution(backviz.solve(EXERCISES / "seed-222.toml"), "text", decimals=4)
    assert "W5⁺ = W5 − η·∂E/∂W5 = 0.45 − 0.5 × 0.0259 = 0.4370" in text
    assert format_number(0.43703857, 4) == "0.4370"


def _comparable(path) -> str:
    """A generated file as it must match: exactly, except each SVG (whose bytes vary across
    Graphviz versions) reduced to its element ids and texts."""
    text = path.read_text(encoding="utf-8")

    def content(match: re.Match) -> str:
        svg = match.group(0)
        ids = re.findall(r'\bid="([^"]*)"', svg)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        return f"<svg ids={ids} texts={texts}>"

    return re.sub(r"<svg.*?</svg>", content, text, flags=re.S)


@pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs graphviz")
def test_solutions_folder_is_up_to_date(tmp_path) -> None:
    """solutions/ is what `./run solutions` (backviz solutions exercises -o solutions) writes."""
    from backviz.files import LOCK, RECORD
    from backviz.publish import write_solutions

    written = write_solutions(EXERCISES, tmp_path)
    committed = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.name != LOCK)
    assert committed == sorted([RECORD, *(p.name for p in written)])
    # the record of what backviz wrote there: what `./run solutions` may replace or delete
    assert (ROOT / "solutions" / RECORD).read_text() == (tmp_path / RECORD).read_text()
    for path in written:
        assert _comparable(ROOT / "solutions" / path.name) == _comparable(path), (
            f"solutions/{path.name} is out of date: run ./run solutions"
        )


def test_demo_writes_its_files(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "demo", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert NOTES_LINES[5] in result.stdout
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    from backviz.files import LOCK, RECORD
    from backviz.publish import DEMO_FILES

    assert names == sorted([*DEMO_FILES, LOCK, RECORD])


def test_demo_exercise_is_the_projects_seed_222() -> None:
    packaged = ROOT / "backviz" / "data" / "seed-222.toml"
    assert packaged.read_text() == (EXERCISES / "seed-222.toml").read_text()
