"""Fonts, looked at in what is rendered: a Korean diagram sets ∂ as tall as a capital letter
(NanumGothic alone draws it as a tiny raised glyph), every diagram names the same font list,
and a Korean plot finds a glyph for every character it draws (the minus of its ticks)."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import backviz
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from backviz.render.fonts import diagram_font, plot_fonts
from tests.conftest import EXERCISES

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs dot")


def glyph_heights(png: bytes) -> list[int]:
    """The ink height in pixels of each glyph of a one-line label, left to right: the image
    cut into runs of columns holding dark pixels (the glyphs are set apart by spaces)."""
    from PIL import Image

    ink = np.asarray(Image.open(io.BytesIO(png)).convert("L")) < 128
    columns = ink.any(axis=0)
    heights, start = [], None
    for x, dark in enumerate([*columns.tolist(), False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            rows = np.flatnonzero(ink[:, start:x].any(axis=1))
            heights.append(int(rows[-1] - rows[0] + 1))
            start = None
    return heights


def label_png(fontname: str, label: str) -> bytes:
    """A one-node graph drawn by `dot` with no border: the label's glyphs alone, large."""
    import graphviz

    graph = graphviz.Digraph(
        node_attr={"shape": "plaintext", "fontname": fontname, "fontsize": "60"}
    )
    graph.node("n", label=label)
    return render_graph(graph, "png")


@needs_dot
def test_korean_diagram_font_sets_the_partial_derivative_as_tall_as_a_capital() -> None:
    """∂ and E side by side, with a Hangul syllable so the whole list is in use: ∂ must be
    at least 90 % of E's height (93 % in DejaVu Sans); with NanumGothic
    alone — what Korean diagrams used — it is 56 %, so the measure can fail."""
    partial, capital, *hangul = glyph_heights(label_png(diagram_font("ko"), "∂  E  가"))
    assert partial >= 0.9 * capital, (partial, capital)
    assert max(hangul) >= 0.9 * capital  # 가 (ㄱ and ㅏ): drawn from a Hangul font
    assert len(hangul) == 2  # not one box standing for a missing glyph
    nanum_partial, nanum_capital, *_ = glyph_heights(label_png("NanumGothic", "∂  E  가"))
    assert nanum_partial < 0.7 * nanum_capital, (nanum_partial, nanum_capital)


@needs_dot
def test_korean_network_drawing_renders_with_the_font_list() -> None:
    """`draw --lang ko -o x.png`: the PNG's ∂ labels come through the same font list, and the
    SVG names it on every text (title, nodes, edges)."""
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    graph = diagram(trace, stage="backward", lang="ko")
    for attributes in (graph.graph_attr, graph.node_attr, graph.edge_attr):
        assert attributes["fontname"] == "DejaVu Sans,NanumGothic"
    svg = render_graph(graph, "svg").decode()
    families = set(re.findall(r'font-family="([^"]*)"', svg))
    assert families == {"DejaVu Sans,NanumGothic"}, families
    assert "∂E/∂" in svg and "역전파" in svg
    chain = backviz.solve(EXERCISES / "chain-rule.toml")
    svg = render_graph(diagram(chain, lang="ko"), "svg").decode()
    assert set(re.findall(r'font-family="([^"]*)"', svg)) == {"DejaVu Sans,NanumGothic"}


def _plot_messages(fonts: list[str] | None, fmt: str) -> list[str]:
    """Every warning and log record matplotlib gives while `plot --lang ko` draws (with
    `fonts` instead of backviz's own list when given)."""
    from backviz.render import plots

    exercise = backviz.load(EXERCISES / "xor-deep.toml")
    training = dataclasses.replace(exercise.training, steps=5)
    trace = backviz.trace_of(dataclasses.replace(exercise, training=training))
    records: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Catch()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    saved = plots.plot_fonts
    try:
        if fonts is not None:
            plots.plot_fonts = lambda lang: fonts  # type: ignore[assignment]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = plots.plot(trace, "deltas", fmt=fmt, lang="ko")
    finally:
        plots.plot_fonts = saved  # type: ignore[assignment]
        logger.removeHandler(handler)
    assert data
    return records + [str(w.message) for w in caught]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_korean_plot_has_a_glyph_for_every_character(fmt: str) -> None:
    """The log axis' ticks are 10⁻³ with a true minus (U+2212): NanumGothic has none, and
    matplotlib then draws a box and warns. The plot's font list finds one for each."""
    messages = _plot_messages(None, fmt)
    assert not [m for m in messages if "glyph" in m.lower()], messages


def test_the_plot_glyph_check_sees_a_missing_glyph() -> None:
    """The check above can fail: NanumGothic first, as before, gives the warning."""
    messages = _plot_messages(["NanumGothic", "DejaVu Sans"], "png")
    assert any("does not have a glyph for '\\u2212'" in m for m in messages), messages


def test_plot_command_in_korean_prints_no_glyph_warning(tmp_path) -> None:
    """The command itself, as a teacher runs it: only its "wrote" line on stderr."""
    out = tmp_path / "deltas.png"
    command = ["plot", str(EXERCISES / "xor-deep.toml"), "--what", "deltas", "--steps", "5"]
    done = subprocess.run(
        [sys.executable, "-m", "backviz", *command, "--lang", "ko", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"wrote {out}\n", done.stderr
    assert out.stat().st_size > 0


def test_plot_fonts_do_not_leak_into_later_plots() -> None:
    """A Korean plot sets its fonts for itself only (matplotlib's settings are the process')."""
    import matplotlib

    before = list(matplotlib.rcParams["font.family"])
    _plot_messages(None, "png")
    assert list(matplotlib.rcParams["font.family"]) == before
    assert plot_fonts("ko")[0] == "DejaVu Sans"
