"""Diagrams: the DOT source and the SVG text carry torch's numbers, highlights follow the chain
rule, big layers are summarised, a missing `dot` is explained; Jupyter bundles; plots."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import backviz
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from backviz.verify import torch_trace
from tests.conftest import EXERCISES, ROOT, torch_seed_222

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs dot")


@pytest.fixture(scope="module")
def seed():
    return backviz.solve(EXERCISES / "seed-222.toml")


def attributes(source: str, element: str) -> str:
    """The attribute list of the DOT statement of a node or edge id."""
    match = re.search(rf"\[([^\]]*\bid={re.escape(element)}\b[^\]]*)\]", source)
    assert match, element
    return match.group(1)


def test_forward_stage_shows_z_a_and_weights(seed) -> None:
    source = diagram(seed, stage="forward", decimals=8).source
    expected = torch_seed_222()
    assert "h1 = " + f"{expected['h1']:.8f}" in attributes(source, "n_h1")
    assert "o2 = " + f"{expected['o2']:.8f}" in attributes(source, "n_o2")
    assert "z1 = 0.08000000" in attributes(source, "n_h1")
    assert "t1 = 0.4" in attributes(source, "n_o1")
    assert "x1 = 0.1" in attributes(source, "n_x1")
    assert "W5 = 0.45" in attributes(source, "e_W5")
    assert "E_total = " + f"{expected['E_total']:.8f}" in attributes(source, "n_loss")
    # W5 is the edge from h1 into o1, as w_jk: into node j from node k
    assert re.search(r"n_h1 -> n_o1 \[[^\]]*id=e_W5", source)


def test_backward_stage_shows_deltas_and_gradients(seed) -> None:
    source = diagram(seed, stage="backward", decimals=8).source
    expected = torch_seed_222()
    for n in range(1, 9):
        assert f"∂E/∂W{n} = {expected[f'dE/dW{n}']:.8f}" in attributes(source, f"e_W{n}")
    assert "δ_o1 = 0.04985267" in attributes(source, "n_o1")
    assert "∂E/∂h1 = 0.03240681" in attributes(source, "n_h1")


def test_update_stage_shows_old_and_new_weights_and_the_loss(seed) -> None:
    source = diagram(seed, stage="update", decimals=8).source
    expected = torch_seed_222()
    assert f"W5: 0.45 → {expected['W5+']:.8f}" in attributes(source, "e_W5")
    assert f"W1: 0.3 → {expected['W1+']:.8f}" in attributes(source, "e_W1")
    assert f"E_total⁺ = {expected['E_total+']:.8f}" in attributes(source, "n_loss")


def test_big_layers_are_summarised() -> None:
    trace = backviz.solve(EXERCISES / "xor-deep.toml")
    source = diagram(trace, stage="all", view="labels").source
    assert source.count("… 5 more") == 3  # three hidden layers of 10, five drawn each
    nodes = re.findall(r"\bid=n_a_\d_\d+\b", source)
    assert len(nodes) == 3 * 5 + 1


def test_layered_names_with_samples_and_steps() -> None:
    trace = backviz.solve(EXERCISES / "nn-221-regression.toml")
    reference = torch_trace(trace.exercise)
    source = diagram(trace, stage="forward", step=2, sample=3, decimals=8).source
    a = reference.steps[1].forward.a[0][2, 0]  # step 2, sample 3, node 1 of layer 2
    assert f"a(2)_1[3] = {a:.8f}" in source
    assert "Step 2" in source and "Sample 3" in source


def test_expression_graph_as_micrograd_draws_it() -> None:
    trace = backviz.solve(EXERCISES / "chain-rule.toml")
    source = diagram(trace).source
    assert "w = −2 | ∂f/∂w = 5" in source  # w: value and gradient (the notes: ∂f/∂w = 5)
    assert "x = 5 | ∂f/∂x = −2" in source
    assert "∂g/∂w = 5" in source and "∂g/∂x = −2" in source  # local derivatives on the edges
    assert "∂f/∂g = 1" in source


@needs_dot
def test_svg_text_has_the_labels(seed) -> None:
    svg = render_graph(diagram(seed, stage="all", lang="ko", decimals=8), "svg").decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "W5⁺ = 0.43703857" in texts
    assert "δ_h1 = 0.00808875" in texts
    assert "출력층 (3층)" in texts
    assert 'id="n_h1"' in svg and 'id="e_W5"' in svg


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "dot"])
def test_draw_command_writes_each_format(tmp_path, fmt: str) -> None:
    out = tmp_path / f"net.{fmt}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "draw",
            str(EXERCISES / "seed-222.toml"),
            "--stage",
            "all",
            "--highlight",
            "W1",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    magic = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph"}[fmt]
    assert data.startswith(magic)


def test_missing_dot_explains_and_keeps_the_source(tmp_path) -> None:
    env = dict(os.environ, PATH=str(tmp_path / "empty"))  # no dot on PATH
    out = tmp_path / "net.svg"
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "draw", str(EXERCISES / "seed-222.toml"), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 3
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install", "Windows"):
        assert hint in result.stderr
    assert (tmp_path / "net.dot").read_text().startswith("digraph")
    assert not out.exists()
    assert "Traceback" not in result.stderr


def test_unknown_highlight_is_a_clear_error() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "draw",
            str(EXERCISES / "seed-222.toml"),
            "--highlight",
            "W9",
            "-o",
            "/tmp/never.svg",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2 and "no quantity named 'W9'" in result.stderr


@needs_dot
def test_jupyter_bundles() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    bundle, metadata = trace._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/svg+xml", "image/png"}
    assert metadata == {"image/png": {"unconfined": True}}
    assert "0.02397190 → 0.02323634" in bundle["text/plain"]
    assert "<math" in bundle["text/html"] and "<svg" in bundle["text/html"]
    exercise = backviz.load(EXERCISES / "chain-rule.toml")
    assert {"text/plain", "text/html", "image/svg+xml", "image/png"} <= set(
        exercise._repr_mimebundle_()[0]
    )
    from backviz.render.solution import worked_solution

    assert set(worked_solution(trace)._repr_mimebundle_()) == {
        "text/plain",
        "text/markdown",
        "text/html",
    }


def test_plot_of_the_loss_and_of_vanishing_deltas(tmp_path) -> None:
    for what in ("loss", "deltas"):
        out = tmp_path / f"{what}.png"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "backviz",
                "plot",
                str(EXERCISES / "xor-deep.toml"),
                "--what",
                what,
                "--steps",
                "5",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(b"\x89PNG")
    # the lesson the plot shows, checked on torch's numbers: with sigmoid in every layer the
    # mean |δ| shrinks layer by layer towards the input
    reference = torch_trace(backviz.load(EXERCISES / "xor-deep.toml"))
    sizes = [float(np.mean(np.abs(d))) for d in reference.steps[0].backward.delta]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1] / 100
