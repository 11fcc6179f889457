"""Dropout (issue 17, the notes' 드롭아웃): the exercise format, the numbers, the check in
evaluation mode, the greyed nodes, the catalogued mistake and bad input.

Expected numbers are computed here by hand from the notes' 2-2-2 example (math.exp, the
definition of inverted dropout), never taken from backviz's output.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

import backviz
from backviz.core.engine import Mistakes, run
from backviz.core.loading import loads
from backviz.core.quantities import Kind, Ref, ask_group
from backviz.core.writing import exercise_toml
from backviz.errors import ExerciseError
from backviz.grading.handout import write_handouts
from backviz.render import render_solution
from backviz.render.diagrams import diagram, quantity_highlight
from backviz.render.equations import equation
from backviz.render.evaluable import compile_python, evaluable
from backviz.render.math_latex import math_latex
from backviz.render.math_mathml import math_mathml
from backviz.render.math_text import math_text
from backviz.verify import check, torch_trace

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
TEXT = (EXERCISES / "dropout-222.toml").read_text(encoding="utf-8")


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# -- the notes' 2-2-2 example with h2 dropped, p = 0.5 ---------------------------------------------
X = (0.1, 0.2)
T = (0.4, 0.6)
W1, W2, W3, W4, W5, W6, W7, W8 = 0.30, 0.25, 0.40, 0.35, 0.45, 0.40, 0.70, 0.60
P = 0.5


def by_hand() -> dict[str, float]:
    """One step of the example with the mask (1, 0), written out as a student would."""
    h1, h2 = sigmoid(W1 * X[0] + W2 * X[1]), sigmoid(W3 * X[0] + W4 * X[1])
    ht1, ht2 = h1 * 1 / (1 - P), h2 * 0 / (1 - P)  # inverted dropout
    o1, o2 = sigmoid(W5 * ht1 + W6 * ht2), sigmoid(W7 * ht1 + W8 * ht2)
    d_o1, d_o2 = (o1 - T[0]) * o1 * (1 - o1), (o2 - T[1]) * o2 * (1 - o2)
    dE_dh1 = (d_o1 * W5 + d_o2 * W7) * 1 / (1 - P)
    dE_dh2 = (d_o1 * W6 + d_o2 * W8) * 0 / (1 - P)
    d_h1, d_h2 = dE_dh1 * h1 * (1 - h1), dE_dh2 * h2 * (1 - h2)
    eta = 0.5
    new = {
        "W1": W1 - eta * d_h1 * X[0],
        "W2": W2 - eta * d_h1 * X[1],
        "W3": W3 - eta * d_h2 * X[0],
        "W4": W4 - eta * d_h2 * X[1],
        "W5": W5 - eta * d_o1 * ht1,
        "W6": W6 - eta * d_o1 * ht2,
        "W7": W7 - eta * d_o2 * ht1,
        "W8": W8 - eta * d_o2 * ht2,
    }
    # the check after the update: evaluation mode, nothing dropped or scaled
    a1 = sigmoid(new["W1"] * X[0] + new["W2"] * X[1])
    a2 = sigmoid(new["W3"] * X[0] + new["W4"] * X[1])
    p1 = sigmoid(new["W5"] * a1 + new["W6"] * a2)
    p2 = sigmoid(new["W7"] * a1 + new["W8"] * a2)
    return {
        "h~1": ht1,
        "h~2": ht2,
        "z3": W5 * ht1 + W6 * ht2,
        "E_total": 0.5 * ((T[0] - o1) ** 2 + (T[1] - o2) ** 2),
        "dE/dh1": dE_dh1,
        "dE/dh2": dE_dh2,
        "delta_h2": d_h2,
        "dE/dW5": d_o1 * ht1,
        "dE/dW1": d_h1 * X[0],
        **{f"{k}+": v for k, v in new.items()},
        "h1+": a1,
        "h2+": a2,
        "E_total+": 0.5 * ((T[0] - p1) ** 2 + (T[1] - p2) ** 2),
    }


@pytest.mark.parametrize(("name", "expected"), sorted(by_hand().items()))
def test_the_notes_example_with_dropout_by_hand(name: str, expected: float) -> None:
    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    assert trace.value(trace.ref(name)) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_a_dropped_node_passes_nothing_on_and_learns_nothing() -> None:
    """h2 dropped: ã = 0, so W6 and W8 get no gradient; δ_h2 = 0, so W3 and W4 stay put."""
    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    for name in ("h~2", "dE/dh2", "delta_h2", "dE/dW3", "dE/dW4", "dE/dW6", "dE/dW8"):
        assert trace.value(trace.ref(name)) == 0.0, name
    for name, given in (("W3", W3), ("W4", W4), ("W6", W6), ("W8", W8)):
        assert trace.value(trace.ref(name + "+")) == given


def test_the_names_in_both_notations() -> None:
    seq = backviz.solve(EXERCISES / "dropout-222.toml")
    assert seq.name(Ref(Kind.MASK, 2, (1,), 1)) == "m_h1"
    assert seq.name(Ref(Kind.DROPPED, 2, (2,), 1, 1)) == "h~2"
    assert seq.symbol(Ref(Kind.DROPPED, 2, (2,), 1, 1)).text == "h\u03032"
    assert seq.ref("h̃1") == seq.ref("h~1")  # the tilde typed or combined
    layered = backviz.trace_of(loads(TEXT.replace('"sequential"', '"layered"')))
    assert layered.name(Ref(Kind.MASK, 2, (1,), 1)) == "m(2)_1"
    assert layered.name(Ref(Kind.DROPPED, 2, (1,), 1, 1)) == "a~(2)_1"
    assert layered.ref("ã(2)_1") == layered.ref("a~(2)_1")


def test_masks_drawn_from_a_seed_are_numpys_default_rng_and_printed_as_given() -> None:
    text = TEXT.replace("dropout_mask = [ [[1, 0]] ]", "dropout_seed = 3")
    text = text.replace("inputs  = [[0.1, 0.2]]", "inputs  = [[0.1, 0.2], [0.3, 0.1], [1, 0]]")
    text = text.replace("targets = [[0.4, 0.6]]", "targets = [[0.4, 0.6], [1, 0], [0, 1]]")
    exercise = loads(text)
    keep = np.random.default_rng(3).random((3, 2)) >= P  # each node kept with probability 1 − p
    np.testing.assert_array_equal(exercise.dropout_mask(2), keep.astype(float))
    solution = render_solution(backviz.trace_of(exercise), "text")
    given = solution.split("Forward pass")[0]
    for n in range(3):
        for j in range(2):
            assert f"m_h{j + 1}[{n + 1}] = {int(keep[n, j])}" in given
    again = loads(exercise_toml(exercise))  # written back as the seed
    assert "dropout_seed = 3" in exercise_toml(exercise)
    np.testing.assert_array_equal(again.dropout_mask(2), exercise.dropout_mask(2))


def test_every_step_trains_with_dropout_and_every_check_evaluates_without() -> None:
    exercise = loads(TEXT.replace("steps = 1", "steps = 2"))
    trace = backviz.trace_of(exercise)
    second = trace.steps[1]
    assert second.forward.dropped and second.forward.dropped[0][0, 1] == 0.0
    assert not second.after.dropped  # type: ignore[union-attr]
    assert second.forward.loss != trace.steps[0].after.loss  # type: ignore[union-attr]


def test_the_scaling_forgotten_is_a_catalogued_mistake(tmp_path: Path) -> None:
    exercise = backviz.load(EXERCISES / "dropout-222.toml")
    right, wrong = run(exercise), run(exercise, Mistakes(dropout_unscaled=True))
    h1 = right.value(right.ref("h1"))
    assert wrong.value(wrong.ref("h~1")) == pytest.approx(h1)  # ã = a·m, not a·m/(1 − p)
    sheet = tmp_path / "kim.csv"
    sheet.write_text(f"quantity,value\nstudent,kim\nh1,{h1:.8f}\nh~1,{h1:.8f}\n")
    exercise_file = str(EXERCISES / "dropout-222.toml")
    done = subprocess.run(
        [sys.executable, "-m", "backviz", "check-answers", exercise_file, str(sheet)],
        capture_output=True,
        text=True,
        check=False,
    )
    line = next(row for row in done.stdout.splitlines() if row.startswith("| `h~1`"))
    assert "mistake:dropout-unscaled" in line, done.stdout + done.stderr


def test_dropped_nodes_are_greyed_in_the_diagram() -> None:
    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    source = diagram(trace, stage="all").source
    node = {line.split()[0]: line for line in source.splitlines() if "fillcolor" in line}
    greyed = [name for name, line in node.items() if "#dcdcdc" in line]
    assert len(greyed) == 1 and "h2" in greyed[0], greyed
    plain = backviz.solve(EXERCISES / "seed-222.toml")
    assert "#dcdcdc" not in diagram(plain, stage="all").source


def test_a_forward_only_exercise_refuses_dropout() -> None:
    """A model is evaluated without dropout: a forward pass alone has nothing to drop."""
    with pytest.raises(ExerciseError, match=r"network\.dropout.*exercise that trains"):
        loads(TEXT.replace("steps = 1", "steps = 0"), file="forward.toml")


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("dropout = [0.5]", "dropout = [1.0]", "network.dropout[0]", ["0 ≤ p < 1", "1.0"]),
        ("dropout = [0.5]", "dropout = [0.5, 0.5]", "network.dropout", ["1 rate", "2 rates"]),
        ("[[1, 0]] ]", "[[1, 2]] ]", "data.dropout_mask[0][0][1]", ["1 (kept) or 0", "found 2.0"]),
        ("[[1, 0]] ]", "[[1, 0, 1]] ]", "data.dropout_mask[0][0]", ["2 values"]),
        ("dropout_mask = [ [[1, 0]] ]", "", "data.dropout_mask", ["either", "neither"]),
        (
            "dropout_mask = [ [[1, 0]] ]",
            "dropout_mask = [[[1, 0]]]\ndropout_seed = 1",
            "",
            ["both"],
        ),
        ("dropout = [0.5]  # p of the hidden layer", "", "data.dropout_mask", ["network.dropout"]),
        # p = 0 drops nothing: a mask given would be silently ignored
        (
            "dropout = [0.5]",
            "dropout = [0.0]",
            "data.dropout_mask",
            ["[] for each layer", "ignored"],
        ),
        ("dropout = [0.5]", "dropout = 0", "data.dropout_mask", ["p = 0 in every layer"]),
        # one or two nesting levels short: the hint writes this network's nesting out
        (
            "dropout_mask = [ [[1, 0]] ]",
            "dropout_mask = [[1, 0]]",
            "data.dropout_mask[0]",
            ["one nesting level short", "[hidden layer][sample][node]", "[[[1, 1]]]"],
        ),
        (
            "dropout_mask = [ [[1, 0]] ]",
            "dropout_mask = [1, 0]",
            "data.dropout_mask",
            ["not of masks", "[hidden layer][sample][node]", "[[[1, 1]]]"],
        ),
    ],
)
def test_bad_dropout_gives_one_clear_line(old: str, new: str, where: str, words: list[str]) -> None:
    assert old in TEXT
    with pytest.raises(ExerciseError) as caught:
        loads(TEXT.replace(old, new), file="dropout.toml")
    message = str(caught.value)
    assert "\n" not in message and "dropout.toml" in message
    assert where in message
    for word in words:
        assert word in message, message
    assert "np." not in message, message  # the value as the teacher wrote it, not numpy's repr


def test_p_zero_everywhere_takes_empty_masks_and_no_seed() -> None:
    """[] per layer is what a layer with p = 0 takes, so it loads (and nothing is dropped);
    a seed would draw nothing and is refused as a mask is."""
    text = TEXT.replace("dropout = [0.5]", "dropout = [0.0]")
    assert loads(text.replace("[ [[1, 0]] ]", "[[]]"), file="d.toml").dropout is None
    with pytest.raises(ExerciseError, match=r"data.dropout_seed.*nothing is drawn"):
        loads(text.replace("dropout_mask = [ [[1, 0]] ]", "dropout_seed = 1"), file="d.toml")


def test_a_coding_exercise_refuses_dropout() -> None:
    """The student's function is called without the masks: it could not apply them."""
    text = (EXERCISES / "code-xor-221.toml").read_text(encoding="utf-8")
    text = text.replace("[network]\n", "[network]\ndropout = 0.5\n", 1)
    text = text.replace("[data]\n", "[data]\ndropout_seed = 0\n", 1)
    with pytest.raises(ExerciseError, match=r"network\.dropout.*no dropout in a coding exercise"):
        loads(text, file="code.toml")


def test_json_gives_the_masks_and_the_dropped_out_activations() -> None:
    import json

    from backviz.core.export import to_json

    layers = json.loads(to_json(backviz.solve(EXERCISES / "dropout-222.toml")))["steps"][0][
        "layers"
    ]
    hidden, output = layers
    assert hidden["dropout_mask"] == [[1.0, 0.0]]
    assert hidden["a_dropped"][0] == pytest.approx([by_hand()["h~1"], 0.0], rel=1e-12)
    assert output["dropout_mask"] is None and output["a_dropped"] is None
    plain = json.loads(to_json(backviz.solve(EXERCISES / "seed-222.toml")))
    assert "dropout_mask" not in plain["steps"][0]["layers"][0]  # others' JSON is unchanged


def test_variants_keep_the_rate_and_the_mask(tmp_path: Path) -> None:
    """A dropped node's weights get exactly 0 by design: not a vanishing gradient to redraw."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nkim\nlee\n")
    out = tmp_path / "variants"
    exercise_file = str(EXERCISES / "dropout-222.toml")
    command = ["variants", exercise_file, "--roster", str(roster), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "backviz", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    original = backviz.load(exercise_file)
    for student in ("kim", "lee"):
        variant = backviz.load(out / f"{student}.toml")
        assert variant.dropout is not None and variant.dropout.rates == (P,)
        np.testing.assert_array_equal(variant.dropout_mask(2), original.dropout_mask(2))
        assert not np.array_equal(variant.W[0], original.W[0])


# -- p as a symbol, the dropout derivative as a link of the chain ---------------------------------
def _numbers(text: str) -> float:
    """A numbers form as printed (0.2 × 0.45 × 2.00000000, (0.5 × 1) / (1 − 0.5)), read by
    sympy: an evaluation independent of backviz's printers and of its arithmetic."""
    return float(sympy.sympify(text.replace("×", "*").replace("−", "-").replace("·", "*")))


def _forms(trace, name: str) -> list[str]:

    found = equation(trace, trace.ref(name))
    assert found is not None
    return [math_text(form) for form in found.forms]


def test_p_is_written_as_a_symbol_then_as_its_number() -> None:
    """ã = a·m/(1 − p) first, then the numbers with p = 0.5, as η is written then 0.5."""
    seq = backviz.solve(EXERCISES / "dropout-222.toml")
    symbols, numbers = _forms(seq, "h~1")
    assert symbols == "(h1·m_h1) / (1 − p)"
    assert _numbers(numbers) == pytest.approx(by_hand()["h~1"], rel=1e-8)
    assert "1 − 0.5" in numbers
    layered = backviz.solve(EXERCISES / "dropout-seed.toml")  # p per hidden layer: p⁽²⁾
    symbols, _ = _forms(layered, "a~(2)_1[1]@1")
    assert symbols.endswith("/ (1 − p(2))")

    form = equation(layered, layered.ref("a~(2)_1[1]@1")).forms[0]  # type: ignore[union-attr]
    assert "1 - p^{(2)}" in math_latex(form)
    superscript = '<mrow><mo stretchy="false">(</mo><mn>2</mn><mo stretchy="false">)</mo></mrow>'
    assert f"<msup><mi>p</mi>{superscript}</msup>" in math_mathml(form)


def test_p_is_a_setting_a_page_can_change() -> None:
    """In the evaluable formula p is named, not baked in: p = 0.25 gives a·m/0.75."""

    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    for name, inputs in (("h~1", [0.52, 1.0]), ("dh~1/dh1", [1.0])):
        formula = trace.formula(trace.ref(name))
        e = evaluable(formula.rule, [trace.value(r) for r in formula.inputs])
        assert e.settings == {"p": P} and 'S["p"]' in e.python, e
        quarter = compile_python(e.python)(inputs, {"p": 0.25})
        assert quarter == pytest.approx((inputs[0] if name == "h~1" else 1.0) / 0.75)


def test_the_dropout_derivative_is_a_quantity_worked_out_and_checked_by_torch() -> None:
    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    assert trace.value(trace.ref("dh~1/dh1")) == 1 / (1 - P)  # kept: 1/(1 − p)
    assert trace.value(trace.ref("dh~2/dh2")) == 0.0  # dropped
    assert _forms(trace, "dh~1/dh1")[0] == "m_h1 / (1 − p)"
    assert trace.symbol(trace.ref("dh~1/dh1")).text == "∂h\u03031/∂h1"
    layered = backviz.solve(EXERCISES / "dropout-seed.toml")
    ref = layered.ref("da~(2)_1/da(2)_1[1]@1")
    assert layered.name(ref) == "da~(2)_1/da(2)_1[1]@1" and ref.kind is Kind.DROPPED_DA

    assert ask_group(ref) == "dropout"
    report = check(trace, skip=("fd", "sympy"))
    (torch,) = [
        c for c in report.comparisons if c.source == "torch.autograd" and c.kind == "da~/da"
    ]
    assert torch.count == 2 and torch.ok


def test_a_path_through_dropout_writes_the_full_chain() -> None:
    """∂E_o1/∂h1 = ∂E/∂o1·∂o1/∂z3·∂z3/∂h̃1·∂h̃1/∂h1 = δ_o1·W5·∂h̃1/∂h1: the chain of a path
    without dropout (∂E/∂o1·∂o1/∂z3·∂z3/∂h1 = δ_o1·W5) with dropout's link after ∂z3/∂h̃1."""
    plain = backviz.solve(EXERCISES / "seed-222.toml")
    assert _forms(plain, "dE/dh1 via z3")[:2] == ["∂E/∂o1·∂o1/∂z3·∂z3/∂h1", "δ_o1·W5"]
    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    chain, formula, numbers = _forms(trace, "dE/dh1 via z3")
    assert chain == "∂E/∂o1·∂o1/∂z3·∂z3/∂h\u03031·∂h\u03031/∂h1"
    assert formula == "δ_o1·W5·∂h\u03031/∂h1"
    h1 = sigmoid(W1 * X[0] + W2 * X[1])
    o1 = sigmoid(W5 * h1 / (1 - P))
    by_hand_path = (o1 - T[0]) * o1 * (1 - o1) * W5 * 1 / (1 - P)
    assert _numbers(numbers) == pytest.approx(by_hand_path, rel=1e-7)
    assert numbers.endswith("× 0.45 × 2.00000000")  # ∂z3/∂h̃1 = W5, then ∂h̃1/∂h1


def test_a_path_through_dropout_lights_its_links_where_they_live() -> None:
    """What the equation reads, each where the drawing shows it: ∂h̃1/∂h1 in h1, ∂z3/∂h̃1 = W5
    on W5's edge, δ_o1's factors in o1; nothing else."""

    trace = backviz.solve(EXERCISES / "dropout-222.toml")
    found = quantity_highlight(trace, trace.ref("dE/dh1 via z3"))
    assert set(found.ids) == {"n_h1", "e_W5", "n_o1"}
    at = {label.text: label.at for label in found.labels}
    assert at["∂h\u03031/∂h1"] == "n_h1" and at["∂z3/∂h\u03031"] == "e_W5" and at["W5"] == "e_W5"
    assert at["δ_o1"] == at["∂E/∂o1"] == at["∂o1/∂z3"] == "n_o1"
    assert "dh~1/dh1" in found.reads and "m_h1" not in found.reads
    link = quantity_highlight(trace, trace.ref("dh~1/dh1"))
    assert set(link.ids) == {"n_h1"} and link.reads == ("m_h1",)


def test_the_matrix_form_of_a_big_network_goes_through_dropout() -> None:
    """δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾W⁽ˡ⁺¹⁾) ⊙ ∂ã⁽ˡ⁾/∂a⁽ˡ⁾ ⊙ f′(z⁽ˡ⁾), ∂E/∂W⁽ˡ⁺¹⁾ reads ã⁽ˡ⁾: the printed
    formula, evaluated with torch's own δ⁽³⁾, z⁽²⁾ and the mask, is torch's δ⁽²⁾."""

    text = """
id = "big-dropout"
notation = "layered"
[network]
sizes = [30, 40, 3]
activation = ["tanh", "sigmoid"]
loss = "mse"
dropout = 0.3
[parameters]
init = "uniform"
seed = 3
[data]
inputs = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.1, 0.2, 0.3, 0.4, 0.5,
           0.6, 0.7, 0.8, 0.9, 1.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]]
targets = [[0.2, 0.5, 0.9]]
dropout_seed = 1
[training]
learning_rate = 0.1
"""
    trace = backviz.trace_of(loads(text))
    solution = render_solution(trace, "text")
    assert "matrix form" in solution
    for line in (
        "a\u0303(2) = a(2) ⊙ m(2) / (1 − p(2))",
        "∂a\u0303(2)/∂a(2) = m(2) / (1 − p(2))",
        "δ(2) = (δ(3)·W(3)) ⊙ ∂a\u0303(2)/∂a(2) ⊙ f′(z(2))",
        "z(3) = a\u0303(2)·W(3)ᵀ",
        "∂E/∂W(3) = r·δ(3)ᵀ·a\u0303(2)",
    ):
        assert line in solution, line
    theirs = torch_trace(trace.exercise).steps[0]
    mask = trace.exercise.dropout_mask(2)
    assert 0 < mask.sum() < mask.size  # some kept, some dropped
    z2 = theirs.forward.z[0]
    written = (theirs.backward.delta[1] @ theirs.W[1]) * (mask / (1 - 0.3)) * (1 - np.tanh(z2) ** 2)
    np.testing.assert_allclose(written, theirs.backward.delta[0], rtol=1e-12, atol=1e-15)


def test_the_dropout_notes_set_their_math_as_the_equations_do() -> None:
    """The notes under the forward and backward headings are words and math: the math typeset
    (LaTeX $…$ in Markdown and LaTeX, MathML in HTML) from the notation's symbols, the text
    form the same symbols in Unicode; h_j in the notes' names, a⁽²⁾_j with p⁽²⁾ in layered."""
    seq = backviz.solve(EXERCISES / "dropout-222.toml")
    text = render_solution(seq, "text")
    assert "so the next layer reads h\u0303_j = (h_j·m_h_j) / (1 − p) and" in text
    assert "one more link in its chain, ∂h\u0303_j/∂h_j = m_h_j / (1 − p), and is" in text
    md = render_solution(seq, "md", lang="ko")
    link = (
        r"\frac{\partial \tilde{h}_{j}}{\partial h_{j}}"  # index letters italic: j, not \mathrm{j}
    )
    assert f"고리 ${link} = \\frac{{m_{{h_{{j}}}}}}{{1 - p}}$가 하나 더" in md
    english = render_solution(seq, "md")
    assert r"gets $\frac{\partial E}{\partial h_{j}} = 0$ (and $\delta_{h_{j}} = 0$, so" in english
    html = render_solution(seq, "html")
    note = next(line for line in html.splitlines() if line.startswith("<p>Back through"))
    assert note.count("<math>") == 6 and "∂" in note and "<mfrac>" in note
    layered = render_solution(backviz.solve(EXERCISES / "dropout-seed.toml"), "latex")
    assert r"$\frac{1}{1 - p^{(2)}}$" in layered  # p of the layer the note is about


def test_the_problem_sheet_gives_p_as_the_formulas_name_it(tmp_path: Path) -> None:
    """p is given beside η on a problem sheet, named as the worked formulas name it."""
    for exercise, shown in (("dropout-222", "$p = 0.5$"), ("dropout-seed", "$p^{(2)} = 0.5$")):
        for lang, label in (("en", "**dropout rate:**"), ("ko", "**드롭아웃 비율:**")):
            write_handouts(EXERCISES / f"{exercise}.toml", tmp_path / lang, fmt="md", lang=lang)
            sheet = (tmp_path / lang / f"{exercise}.md").read_text(encoding="utf-8")
            assert f"{label} {shown}" in sheet, (exercise, lang)


def test_the_link_without_its_scaling_is_the_catalogued_mistake(tmp_path: Path) -> None:
    """∂h̃1/∂h1 written m (1), not m/(1 − p) (2): the same forgotten 1/(1 − p) as ã = a·m."""
    wrong = run(backviz.load(EXERCISES / "dropout-222.toml"), Mistakes(dropout_unscaled=True))
    assert wrong.value(wrong.ref("dh~1/dh1")) == 1.0
    sheet = tmp_path / "lee.csv"
    sheet.write_text("quantity,value\nstudent,lee\ndh~1/dh1,1.0000\ndh~2/dh2,0.0000\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "backviz",
            "check-answers",
            str(EXERCISES / "dropout-222.toml"),
            str(sheet),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.splitlines()
    rows = {row.split("|")[1].strip(): row for row in lines if row.startswith("| `dh~")}
    assert "mistake:dropout-unscaled" in rows["`dh~1/dh1`"], done.stdout + done.stderr
    assert "| correct |" in rows["`dh~2/dh2`"]  # a dropped node's link is 0 either way
