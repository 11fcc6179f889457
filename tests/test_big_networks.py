"""Big networks drawn readably: bare edges and every edge's number in a matrix beside them,
a picture of a readable size whose text is tall enough, and numbers as a student writes them.

Expected numbers come from torch (`verify.torch_trace`, float64) and from the exercise file
read with tomllib; sizes and text heights are measured on the PNG Graphviz rendered.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import backviz
from backviz.render.diagram_numbers import diagram_given, diagram_number
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from backviz.verify import torch_trace
from tests.conftest import EXERCISES, ROOT

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs dot")

IRIS = EXERCISES / "iris-4883.toml"
SVG = "{http://www.w3.org/2000/svg}"
SCREEN = (1920, 1080)


def draw(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backviz", "draw", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def written(value: float) -> str:
    """A computed number as a student writes it at 4 decimals: −0.0084; a tiny one to two
    significant digits (0.000032)."""
    if value != 0 and abs(value) < 0.00005:
        digits = 1 - int(np.floor(np.log10(abs(value))))
        return f"{value:.{digits}f}".replace("-", "−")
    text = f"{value:.4f}"
    return ("0.0000" if float(text) == 0 else text).replace("-", "−")


def cells(svg: str) -> dict[str, str]:
    """The matrices' cells: id (a_m_…) → the text written in it."""
    root = ET.fromstring(svg[svg.index("<svg") :])
    found = {}
    for group in root.iter(f"{SVG}g"):
        ident = group.get("id") or ""
        if ident.startswith("a_m_"):
            texts = [t.text for t in group.iter(f"{SVG}text")]
            found[ident] = " ".join(t for t in texts if t)
    return found


def edge_texts(svg: str) -> dict[str, list[str]]:
    """Per edge id, the texts written on it."""
    root = ET.fromstring(svg[svg.index("<svg") :])
    return {
        g.get("id"): [t.text for t in g.iter(f"{SVG}text")]
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "edge"
    }


@pytest.fixture(scope="module")
def iris_svg(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("iris") / "iris.svg"
    result = draw(str(IRIS), "--stage", "all", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_a_4_8_8_3_network_has_bare_edges_and_every_number_in_a_matrix(iris_svg) -> None:
    # no edge between two layers carries a label: the 64 stacked labels are gone
    layer_edges = {k: v for k, v in edge_texts(iris_svg).items() if not k.startswith("e_loss")}
    assert len(layer_edges) == 4 * 8 + 8 * 8 + 8 * 3
    assert all(texts == [] for texts in layer_edges.values())
    # W, ∂E/∂W and W⁺ of every layer: 120 cells each, torch's numbers at 4 decimals
    exercise = backviz.load(IRIS)
    given = tomllib.loads(IRIS.read_text(encoding="utf-8"))["parameters"]["W"]
    step = torch_trace(exercise).steps[0]
    shown = cells(iris_svg)
    assert len(shown) == 3 * 120
    names = {2: "W(2)_{j}{k}", 3: "W(3)_{j}{k}", 4: "W(4)_{j}{k}"}
    for layer in (2, 3, 4):
        grad, new = step.backward.grad_W[layer - 2], step.W_new[layer - 2]
        for j, row in enumerate(given[layer - 2], start=1):
            for k, w in enumerate(row, start=1):
                ident = re.sub(r"[^A-Za-z0-9]+", "_", names[layer].format(j=j, k=k))
                assert shown[f"a_m_{ident}"] == f"{w:g}".replace("-", "−")
                assert shown[f"a_m_d{'E_d'}{ident}"] == written(grad[j - 1, k - 1])
                assert shown[f"a_m_{ident}_new"] == written(new[j - 1, k - 1])


def test_the_matrices_name_their_rows_and_columns_by_node(iris_svg) -> None:
    texts = [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", iris_svg)]
    for head in ("W", "∂E/∂W", "W⁺", "x_1", "x_4", "a(2)_8", "a(3)_8", "a(4)_3"):
        assert head in texts
    assert "input layer → hidden layer 2" in texts
    assert "hidden layer 3 → output layer 4" in texts


def _png(*args: str, tmp: Path) -> Image.Image:
    out = tmp / "net.png"
    result = draw(str(IRIS), *args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return Image.open(io.BytesIO(out.read_bytes())).convert("L")


def _digit_height(tmp: Path, *args: str) -> float:
    """The height in pixels of the digits of the matrix cell W(2)_11 (0.38) in the PNG: its
    box read from the SVG of the same drawing, its dark pixels counted in the PNG."""
    svg_path, png_path = tmp / "m.svg", tmp / "m.png"
    for path in (svg_path, png_path):
        result = draw(str(IRIS), *args, "-o", str(path))
        assert result.returncode == 0, result.stderr
    svg = svg_path.read_text(encoding="utf-8")
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1])
    dx, dy = map(float, re.search(r"translate\(([\d.]+) ([\d.]+)\)", svg).groups())
    cell = re.search(r'id="a_m_W_2_11".*?points="([^"]+)"', svg, re.S)[1]
    xs, ys = zip(*(map(float, p.split(",")) for p in cell.split()), strict=True)
    image = Image.open(png_path).convert("L")
    scale = image.width / width_pt
    box = [round((min(xs) + dx) * scale) + 3, round((min(ys) + dy) * scale) + 3]
    box += [round((max(xs) + dx) * scale) - 3, round((max(ys) + dy) * scale) - 3]
    pixels = np.asarray(image.crop(box))
    rows = np.flatnonzero((pixels < 110).any(axis=1))
    assert rows.size, "no text found in the cell"
    return float(rows[-1] - rows[0] + 1)


def test_the_picture_is_a_readable_size_with_tall_enough_text(tmp_path) -> None:
    before = (2132, 5144)  # the same network with a label on every edge (the picture)
    for stage in ("forward", "backward", "update", "all"):
        image = _png("--stage", stage, tmp=tmp_path)
        # within two screens each way, and never taller than before
        assert image.width <= 2 * SCREEN[0] and image.height <= 2 * SCREEN[1], stage
        assert image.height < before[1] / 2, stage
    # the digits of a matrix cell at the default 96 dpi and 10 pt: at least 9 px tall (the
    # cap height of a 10 pt font on a screen); twice that at 192 dpi; more with --font-size
    normal = _digit_height(tmp_path)
    assert normal >= 9
    assert _digit_height(tmp_path, "--dpi", "192") >= 2 * normal - 2
    assert _digit_height(tmp_path, "--font-size", "14") > normal


def _sizes_toml(tmp: Path, sizes: list[int]) -> Path:
    W = [
        [[round(0.1 * (j + 1) - 0.05 * k, 2) for k in range(sizes[i])] for j in range(sizes[i + 1])]
        for i in range(len(sizes) - 1)
    ]
    path = tmp / f"net-{'-'.join(map(str, sizes))}.toml"
    path.write_text(
        f'id = "n"\ntitle = "n"\n[network]\nsizes = {sizes}\nactivation = "sigmoid"\n'
        f'bias = false\nloss = "half_sse"\n[parameters]\nW = {W}\n[data]\n'
        f"inputs = [{[0.1] * sizes[0]}]\ntargets = [{[0.5] * sizes[-1]}]\n"
        "[training]\nlearning_rate = 0.5\nsteps = 1\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("sizes", "matrices"),
    [([2, 2, 2], False), ([4, 3], False), ([4, 4, 4], False), ([4, 5, 3], True)],
)
def test_edges_are_labelled_up_to_16_between_two_layers(tmp_path, sizes, matrices) -> None:
    trace = backviz.solve(_sizes_toml(tmp_path, sizes))
    svg = render_graph(diagram(trace, stage="all"), "svg").decode()
    labelled = [k for k, v in edge_texts(svg).items() if v and not k.startswith("e_loss")]
    assert bool(cells(svg)) == matrices
    assert (labelled == []) == matrices


def test_the_view_can_be_chosen(tmp_path) -> None:
    seed = backviz.solve(EXERCISES / "seed-222.toml")
    svg = render_graph(diagram(seed, stage="backward", view="matrix"), "svg").decode()
    assert set(cells(svg)) == {f"a_m_dE_dW{n}" for n in range(1, 9)}
    iris = backviz.solve(IRIS)
    svg = render_graph(diagram(iris, view="labels"), "svg").decode()
    assert not cells(svg)
    assert all(v for k, v in edge_texts(svg).items() if not k.startswith("e_loss"))
    result = draw(str(IRIS), "--view", "table", "-o", str(tmp_path / "x.svg"))
    assert result.returncode == 2 and "'table' is not one of" in result.stderr


def test_a_highlight_outlines_the_matrix_cells_its_equation_reads() -> None:
    iris = backviz.solve(IRIS)
    svg = render_graph(diagram(iris, stage="backward", highlight="dE/dW(4)_21"), "svg").decode()
    # ∂E/∂W(4)_21 = δ(4)_2·a(3)_1: its own cell outlined red, and no other ∂E/∂W cell
    outlined = set(re.findall(r'id="(a_m_[^"]+)".*?stroke="#d62728"', svg.replace("\n", " ")))
    own = re.search(r'id="a_m_dE_dW_4_21">.*?</g>', svg, re.S)[0]
    assert 'stroke="#d62728"' in own
    other = re.search(r'id="a_m_dE_dW_4_22">.*?</g>', svg, re.S)[0]
    assert 'stroke="#d62728"' not in other
    assert outlined


# -- numbers as a student writes them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-0.0084, "−0.0084"),  # the issue's -8.40e-03
        (0.08, "0.0800"),
        (-0.00001, "−0.000010"),  # rounds to 0 at 4 decimals: two significant digits
        (3.2e-5, "0.000032"),
        (-3.2e-14, "−3.2×10⁻¹⁴"),  # a power of ten as a textbook writes it
        (2.5e13, "2.5×10¹³"),
        (-1.2e-7, "−0.00000012"),  # 8 decimals, the notes' own
        (-0.00000001, "−1.0×10⁻⁸"),  # past them zeros are counted, not read
        (-1e-9, "−1.0×10⁻⁹"),
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
    ],
)
def test_a_diagram_number(value: float, text: str) -> None:
    assert diagram_number(value, 4) == text


def test_a_given_number_is_as_the_exercise_wrote_it() -> None:
    assert diagram_given(0.45) == "0.45" and diagram_given(-2.0) == "−2"
    assert diagram_given(0.123456789) == "0.12345679"  # a seeded weight, as the Given list


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.toml")), ids=lambda p: p.stem)
def test_no_diagram_writes_e_notation_or_a_hyphen_for_minus(path: Path) -> None:
    trace = backviz.solve(path)
    for stage in ("forward", "all") if trace.exercise.kind == "network" else ("all",):
        svg = render_graph(diagram(trace, stage=stage), "svg").decode()
        texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
        assert not re.search(r"\d[eE][-+]?\d", texts), (path.stem, stage)
        assert not re.search(r"(?<![\w)])-\d", texts), (path.stem, stage)


def test_draw_defaults_to_4_decimals(tmp_path) -> None:
    out = tmp_path / "seed.svg"
    assert (
        draw(str(EXERCISES / "seed-222.toml"), "--stage", "backward", "-o", str(out)).returncode
        == 0
    )
    svg = out.read_text(encoding="utf-8")
    assert "∂E/∂W1 = 0.0008" in svg and "δ_h1 = 0.0081" in svg
    assert "0.00080888" not in svg


def test_a_big_networks_problem_sheet_has_bare_edges_and_says_where_the_weights_are(
    tmp_path,
) -> None:
    iris = backviz.solve(IRIS)
    svg = render_graph(diagram(iris, stage="all", blank=True), "svg").decode()
    assert not cells(svg)  # no matrices on a sheet: no computed number, the weights are listed
    assert all(not v for k, v in edge_texts(svg).items() if not k.startswith("e_loss"))
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "handout", str(IRIS), "--format", "md", "-o",
         str(tmp_path / "sheet")],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sheet = (tmp_path / "sheet" / "iris-4883.md").read_text(encoding="utf-8")
    assert "every weight is under Given" in sheet
    assert re.search(r"weights into layer 3\b.*0\.13", sheet)  # W(3)_88, the last of them


def test_the_matrices_in_korean(tmp_path) -> None:
    out = tmp_path / "iris.svg"
    assert draw(str(IRIS), "--lang", "ko", "-o", str(out)).returncode == 0
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text(encoding="utf-8"))
    assert "입력층에서 은닉층 (2층)으로" in texts
    assert "은닉층 (3층)에서 출력층 (4층)으로" in texts
    assert any(t.startswith("행 j: 노드 j로 들어가는 연결") for t in texts)
