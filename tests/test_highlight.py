"""Highlights that are right: `draw --highlight` and the walkthrough light exactly what a
quantity's worked equation reads, every path of a sum over paths, and nothing else.

The expected elements are derived here from the trace's formula (`formula(ref).inputs`) with a
map of quantities to the drawing written out by hand for the notes' 2-2-2 network and for the
chain rule f = wx + b, never from backviz's highlight code; what is compared is the rendered
SVG (the red strokes and red texts Graphviz wrote) and the walkthrough page's data.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

import backviz
from backviz.core.quantities import Kind, Ref
from backviz.render import render_solution
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from backviz.render.walkthrough.page import page_data
from tests.conftest import EXERCISES

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="./run setup installs dot")

RED = "#d62728"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def seed():
    return backviz.solve(EXERCISES / "seed-222.toml")


@pytest.fixture(scope="module")
def chain():
    return backviz.solve(EXERCISES / "chain-rule.toml")


# -- reading the rendered SVG --------------------------------------------------------------------
def _groups(svg: str) -> Iterator[ET.Element]:
    root = ET.fromstring(svg[svg.index("<svg") :])
    for group in root.iter(f"{SVG}g"):
        if group.get("class") in ("node", "edge"):
            yield group


def red_elements(svg: str) -> set[str]:
    """Ids of the nodes and edges Graphviz stroked red."""
    lit = set()
    for group in _groups(svg):
        shapes = [c for c in group if c.tag.split("}")[1] in ("path", "polygon", "ellipse")]
        if any(shape.get("stroke") == RED for shape in shapes[:1]):
            lit.add(group.get("id"))
    return lit


def red_labels(svg: str) -> dict[str, set[str]]:
    """Per node or edge id, the heads (`δ_o1`) of its texts written in red."""
    found: dict[str, set[str]] = {}
    for group in _groups(svg):
        for text in group.iter(f"{SVG}text"):
            if text.get("fill") == RED and " = " in (text.text or ""):
                found.setdefault(group.get("id"), set()).add(text.text.split(" = ")[0])
    return found


def red_edges(svg: str) -> set[tuple[str, str]]:
    """The red edges as (tail, head) node ids, from each edge's <title>."""
    red = red_elements(svg)
    edges = set()
    for group in _groups(svg):
        if group.get("class") == "edge" and group.get("id") in red:
            tail, head = group.find(f"{SVG}title").text.split("->")
            edges.add((tail, head))
    return edges


# -- the notes' 2-2-2 network, mapped by hand ----------------------------------------------------
NODES = {(1, 1): "n_x1", (1, 2): "n_x2", (2, 1): "n_h1", (2, 2): "n_h2", (3, 1): "n_o1"}
NODES[(3, 2)] = "n_o2"


def seed_elements(ref: Ref) -> set[str]:
    """Where a quantity of seed-222 is drawn: a node's numbers in its node; a weight's on its
    edge W1…W8 (w_jk into node j from node k: W = 4·(layer − 2) + 2·(j − 1) + k), which feeds
    node j; one path of ∂E/∂h_j through o_i on h_j, the edge into o_i and o_i; the loss's in
    the loss node, an output's share E_o_j on its dashed edge into the loss."""
    if ref.kind in (Kind.LOSS, Kind.SAMPLE_LOSS):
        return {"n_loss"}
    if ref.kind is Kind.LOSS_TERM:
        return {f"e_loss_{ref.index[0]}", "n_loss"}
    if ref.kind in (Kind.WEIGHT, Kind.GRAD_W, Kind.UPDATE_W):
        j, k = ref.index
        return {f"e_W{4 * (ref.layer - 2) + 2 * (j - 1) + k}", NODES[(ref.layer, j)]}
    if ref.kind is Kind.DE_DA_TERM:
        j, i = ref.index
        weight = 4 * (ref.layer + 1 - 2) + 2 * (i - 1) + j
        return {NODES[(ref.layer, j)], f"e_W{weight}", NODES[(ref.layer + 1, i)]}
    return {NODES[(ref.layer, ref.index[0])]}


def worked_line(trace, ref: Ref) -> str:
    """The quantity's line of the worked solution, as a student reads it."""
    lhs = trace.symbol(ref, step=ref.step).text
    lines = render_solution(trace, "text").splitlines()
    found = [line.strip() for line in lines if line.strip().startswith(f"{lhs} = ")]
    return found[0] if found else f"{lhs} = given"


def _all_names(trace) -> list[str]:
    return [trace.name(ref) for ref in trace.refs()]


def test_every_quantity_of_the_notes_network_lights_what_its_formula_reads(seed) -> None:
    slides = {s["q"]: s for s in page_data(seed).data["slides"]}
    for name in _all_names(seed):
        ref = seed.ref(name)
        own = seed_elements(ref)
        reads = set().union(*(seed_elements(r) for r in seed.inputs(ref))) - own
        svg = render_graph(diagram(seed, stage="all", highlight=name, decimals=8), "svg").decode()
        assert red_elements(svg) == own | reads, name
        if name in slides:  # the walkthrough lights the same, its own elements apart
            assert set(slides[name]["lit"]) == reads, name
        # every red label is a symbol the worked equation writes, and each input is one
        line = worked_line(seed, ref)
        heads = set().union(*red_labels(svg).values())
        for head in heads:
            assert head in line, (name, head, line)
        for term in seed.inputs(ref):
            assert seed.symbol(term, step=ref.step).text in heads, (name, term)


def test_dE_dh1_lights_both_paths_and_not_dh1_dz1(seed) -> None:
    # the case: ∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1 (through o1 and through o2);
    # ∂h1/∂z1 is a factor of δ_h1, not of ∂E/∂h1
    svg = render_graph(diagram(seed, stage="backward", highlight="dE/dh1"), "svg").decode()
    assert red_elements(svg) == {"n_h1", "e_W5", "n_o1", "e_W7", "n_o2"}
    labels = red_labels(svg)
    assert labels["e_W5"] == {"∂E_o1/∂h1"} and labels["e_W7"] == {"∂E_o2/∂h1"}
    assert "∂h1/∂z1" not in str(labels) and "∂h1/∂z1" not in svg


def test_a_weight_gradient_writes_its_chain_factors_where_they_live(seed) -> None:
    svg = render_graph(diagram(seed, stage="forward", highlight="dE/dW1"), "svg").decode()
    # ∂E/∂W1 = ∂E/∂h1·∂h1/∂z1·∂z1/∂W1 = δ_h1·x1: h1's factors in h1, ∂z1/∂W1 = x1 on W1
    labels = red_labels(svg)
    assert {"δ_h1", "∂E/∂h1", "∂h1/∂z1"} <= labels["n_h1"]
    assert {"∂E/∂W1", "∂z1/∂W1"} <= labels["e_W1"]
    assert labels["n_x1"] == {"x1"}
    assert red_elements(svg) == {"e_W1", "n_h1", "n_x1"}


# -- the chain rule f = wx + b, mapped by hand ---------------------------------------------------
# g = w * x, f = g + b: the values' records v_*, the operations op_g and op_f, the edges
# e_<input>_<node> into an operation and e_<node> from it to its value.
GRAPH = {("v_w", "op_g"), ("v_x", "op_g"), ("op_g", "v_g"), ("v_g", "op_f"), ("v_b", "op_f")}
GRAPH |= {("op_f", "v_f")}
EDGE_IDS = {
    ("v_w", "op_g"): "e_w_g",
    ("v_x", "op_g"): "e_x_g",
    ("op_g", "v_g"): "e_g",
    ("v_g", "op_f"): "e_g_f",
    ("v_b", "op_f"): "e_b_f",
    ("op_f", "v_f"): "e_f",
}


def paths(start: str, end: str) -> list[list[tuple[str, str]]]:
    """Every path of edges from one element to another in the chain rule's graph."""
    if start == end:
        return [[]]
    return [[(a, b), *rest] for (a, b) in sorted(GRAPH) if a == start for rest in paths(b, end)]


def chain_elements(ref: Ref) -> set[str]:
    """A value or a gradient in its record; a local derivative ∂n/∂s on the edge from s to
    the operation of n, with s, the operation, its edge and n."""
    if ref.kind is Kind.LOCAL_GRAD:
        node, source = ref.label
        return {f"v_{source}", f"e_{source}_{node}", f"op_{node}", f"e_{node}", f"v_{node}"}
    return {f"v_{ref.label[0]}"}


def path_elements(start: str) -> set[str]:
    """The elements of every path from a value's record to f's."""
    found: set[str] = set()
    for path in paths(start, "v_f"):
        for edge in path:
            found |= {EDGE_IDS[edge], *edge}
    return found


def test_every_quantity_of_the_chain_rule_lights_its_formula_and_every_path(chain) -> None:
    slides = {s["q"]: s for s in page_data(chain).data["slides"]}
    for name in _all_names(chain):
        ref = chain.ref(name)
        own = chain_elements(ref)
        reads = set()
        for term in chain.inputs(ref):
            reads |= chain_elements(term)
            if term.kind is Kind.GRAD:  # ∂f/∂g is the sum over every path from g to f
                reads |= path_elements(f"v_{term.label[0]}")
        reads -= own
        svg = render_graph(diagram(chain, highlight=name), "svg").decode()
        assert red_elements(svg) == own | reads, name
        if name in slides:
            assert set(slides[name]["lit"]) == reads, name
        if ref.kind is Kind.GRAD and ref.label[0] != "f":
            # ∂f/∂v: every path from v to f is drawn red, edge by edge
            start = f"v_{ref.label[0]}"
            assert paths(start, "v_f"), name
            for path in paths(start, "v_f"):
                assert set(path) <= red_edges(svg), (name, path)


def test_df_dw_is_not_w_alone(chain) -> None:
    svg = render_graph(diagram(chain, highlight="df/dw"), "svg").decode()
    assert red_elements(svg) == {
        "v_w", "e_w_g", "op_g", "e_g", "v_g", "e_g_f", "op_f", "e_f", "v_f",
    }  # fmt: skip


def test_an_expression_is_drawn_by_stage(chain) -> None:
    whole = diagram(chain).source
    forward = diagram(chain, stage="forward").source
    backward = diagram(chain, stage="backward").source
    assert whole == diagram(chain, stage="all").source and forward != whole
    assert "w = −2" in forward and "∂f/∂w" not in forward and "∂g/∂w" not in forward
    assert "∂f/∂w = 5" in backward and "∂g/∂w = 5" in backward and "w = −2" not in backward
    with pytest.raises(backviz.BackvizError, match="no update"):
        diagram(chain, stage="update")
    # a highlighted term the stage does not write is written where it lives
    lit = render_graph(diagram(chain, stage="forward", highlight="df/dw"), "svg").decode()
    assert "∂g/∂w (local) = 5" in lit or re.search(r"∂g/∂w[^<]* = 5", lit)
