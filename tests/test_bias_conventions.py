"""Biases as worked examples elsewhere have them: one shared by a layer's nodes, and frozen.

The reference case is the much-copied blog example (Matt Mazur, "A Step by Step Backpropagation
Example", exercises/mazur-222.toml): b1 = 0.35 shared by both hidden nodes, b2 = 0.60 by both
outputs, neither updated. Every number is checked twice, against torch float64 (a network built
here from scalar bias parameters broadcast over the layer, requires_grad False when frozen) and
against the blog's printed figures to the digits it prints. The blog's error after the update
and its figures after 10,000 steps are checked against the `updated-weights-in-backprop`
mistake, which reproduces them, and against the right computation, which does not.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

import backviz
from backviz.core.engine import Mistakes, run
from backviz.core.quantities import Kind, Ref
from backviz.core.writing import exercise_toml as to_toml
from backviz.render import render_solution

torch = pytest.importorskip("torch")

EXERCISE = Path(__file__).resolve().parent.parent / "exercises" / "mazur-222.toml"
F64 = torch.float64

# The blog's printed figures, under backviz's sequential names (its net_h1 is z1, out_h1 is h1,
# ∂E_total/∂out_o1 is dE/do1, ∂E_o1/∂out_h1 is the path of h1 through z3, …), as printed.
BLOG = {
    "z1": "0.3775",
    "h1": "0.593269992",
    "h2": "0.596884378",
    "z3": "1.105905967",
    "o1": "0.75136507",
    "o2": "0.772928465",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E_total": "0.298371109",
    "dE/do1": "0.74136507",
    "do1/dz3": "0.186815602",
    "delta_o1": "0.138498562",
    "dE/dW5": "0.082167041",
    "W5+": "0.35891648",
    "W6+": "0.408666186",
    "W7+": "0.511301270",
    "W8+": "0.561370121",
    "dE/dh1 via z3": "0.055399425",
    "dE/dh1 via z4": "-0.019049119",
    "dE/dh1": "0.036350306",
    "dh1/dz1": "0.241300709",
    "dE/dW1": "0.000438568",
    "W1+": "0.149780716",
    "W2+": "0.19956143",
    "W3+": "0.24975114",
    "W4+": "0.29950229",
}
# A figure the blog computed from an intermediate it had rounded to its 9 printed decimals
# (−0.019049119 = δ_o2 as −0.038098237, times w7 = 0.5, rounded half up; from the unrounded
# δ_o2 = −0.0380982365… it is −0.0190491183): the figure → (the intermediate, the factor).
CARRIED = {"dE/dh1 via z4": ("delta_o2", "W7")}
BLOG_ERROR_AFTER_ONE_STEP = "0.291027924"
BLOG_ERROR_AFTER_10000 = "0.0000351085"
BLOG_OUTPUTS_AFTER_10000 = ("0.015912196", "0.984065734")


def _decimals(printed: str) -> int:
    return -Decimal(printed).as_tuple().exponent  # type: ignore[operator]


def _rounded(value: Decimal, decimals: int) -> Decimal:
    """Rounded half up, as by hand."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def as_printed(value: float, printed: str) -> bool:
    """Whether `value` rounds to the printed figure at the digits printed."""
    return f"{value:.{_decimals(printed)}f}" == f"{Decimal(printed):.{_decimals(printed)}f}"


class BlogNet:
    """The blog's network in torch: each layer's one bias a scalar parameter broadcast over
    its nodes, frozen (requires_grad False), trained by torch.optim.SGD."""

    def __init__(self, *, train_bias: bool = False) -> None:
        self.W = [
            torch.tensor([[0.15, 0.20], [0.25, 0.30]], dtype=F64, requires_grad=True),
            torch.tensor([[0.40, 0.45], [0.50, 0.55]], dtype=F64, requires_grad=True),
        ]
        self.b = [torch.tensor(v, dtype=F64, requires_grad=train_bias) for v in (0.35, 0.60)]
        self.x = torch.tensor([[0.05, 0.10]], dtype=F64)
        self.t = torch.tensor([[0.01, 0.99]], dtype=F64)
        params = self.W + (self.b if train_bias else [])
        self.optimizer = torch.optim.SGD(params, lr=0.5)

    def forward(self) -> dict[str, torch.Tensor]:
        z2 = self.x @ self.W[0].T + self.b[0]
        h = torch.sigmoid(z2)
        z3 = h @ self.W[1].T + self.b[1]
        o = torch.sigmoid(z3)
        h.retain_grad()
        z2.retain_grad()
        z3.retain_grad()
        o.retain_grad()
        terms = 0.5 * (self.t - o) ** 2
        return {"z2": z2, "h": h, "z3": z3, "o": o, "terms": terms, "E": terms.sum()}

    def step(self) -> dict[str, torch.Tensor]:
        fwd = self.forward()
        self.optimizer.zero_grad()
        fwd["E"].backward()
        self.optimizer.step()
        return fwd


@pytest.fixture(scope="module")
def trace():
    return backviz.trace_of(backviz.load(EXERCISE))


def test_exercise_reads_one_bias_a_layer_and_frozen(trace) -> None:
    ex = trace.exercise
    assert ex.bias == (True, True)
    assert ex.shared_bias == (True, True)
    assert [b.tolist() for b in ex.b] == [[0.35], [0.6]]
    assert not ex.trains_bias
    names = [trace.name(ref) for ref in trace.refs()]
    assert [n for n in names if n.startswith("b")] == ["b1", "b2"]  # one each, frozen: no b⁺
    assert not [n for n in names if n.startswith("dE/db")]


def test_first_step_is_torchs_and_the_blogs(trace) -> None:
    net = BlogNet()
    fwd = net.step()
    h, o, terms = fwd["h"][0], fwd["o"][0], fwd["terms"][0]
    delta_o = fwd["z3"].grad[0]
    W_new = [w.detach() for w in net.W]
    dE_dh1_via = [delta_o[0] * 0.40, delta_o[1] * 0.50]  # the paths of h1 through z3, z4
    torch_values = {
        "z1": fwd["z2"][0, 0],
        "h1": h[0],
        "h2": h[1],
        "z3": fwd["z3"][0, 0],
        "o1": o[0],
        "o2": o[1],
        "E_o1": terms[0],
        "E_o2": terms[1],
        "E_total": fwd["E"],
        "dE/do1": fwd["o"].grad[0, 0],
        "do1/dz3": o[0] * (1 - o[0]),
        "delta_o1": delta_o[0],
        "dE/dW5": (0.40 - W_new[1][0, 0]) / 0.5,
        "W5+": W_new[1][0, 0],
        "W6+": W_new[1][0, 1],
        "W7+": W_new[1][1, 0],
        "W8+": W_new[1][1, 1],
        "dE/dh1 via z3": dE_dh1_via[0],
        "dE/dh1 via z4": dE_dh1_via[1],
        "dE/dh1": fwd["h"].grad[0, 0],
        "dh1/dz1": h[0] * (1 - h[0]),
        "dE/dW1": (0.15 - W_new[0][0, 0]) / 0.5,
        "W1+": W_new[0][0, 0],
        "W2+": W_new[0][0, 1],
        "W3+": W_new[0][1, 0],
        "W4+": W_new[0][1, 1],
    }
    for name, printed in BLOG.items():
        ours = trace.value(trace.ref(name))
        theirs = float(torch_values[name].detach())
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15), name
        if name in CARRIED:
            first, factor = (trace.value(trace.ref(n)) for n in CARRIED[name])
            carried = _rounded(Decimal(repr(first)), 9) * Decimal(repr(factor))
            assert _rounded(carried, _decimals(printed)) == Decimal(printed), name
            assert not as_printed(ours, printed)  # not without the rounding carried
            continue
        assert as_printed(ours, printed), f"{name} = {ours!r}, the blog prints {printed}"
    assert [b.item() for b in net.b] == [0.35, 0.60]  # frozen: torch did not move them


def test_blog_error_after_the_update_is_the_updated_weights_mistake(trace) -> None:
    """The blog's 0.291027924 is what hidden deltas through w5⁺..w8⁺ give; its own weights
    (and torch) give 0.29102777."""
    net = BlogNet()
    net.step()
    torch_after = net.forward()["E"].item()
    right = trace.value(trace.ref("E_total+"))
    assert right == pytest.approx(torch_after, rel=1e-12)
    assert not as_printed(right, BLOG_ERROR_AFTER_ONE_STEP)
    mistaken = run(trace.exercise, Mistakes(updated_weights_backward=True))
    after = mistaken.steps[0].after.loss
    assert as_printed(after, BLOG_ERROR_AFTER_ONE_STEP)
    # the mistake leaves the output layer's numbers, and so w5⁺..w8⁺, as printed
    W_out = mistaken.steps[0].W_new[1].ravel()
    assert all(as_printed(w, BLOG[f"W{k}+"]) for k, w in zip(range(5, 9), W_out, strict=True))


RIGHT = Mistakes()


def _after_steps(exercise, steps: int, mistakes: Mistakes = RIGHT):
    text = to_toml(exercise).replace("steps = 1\n", f"steps = {steps}\n")
    return run(backviz.loads(text), mistakes)


def test_blog_figures_after_10000_steps_mix_the_mistake_and_the_right_error(trace) -> None:
    mistaken = _after_steps(trace.exercise, 10_000, Mistakes(updated_weights_backward=True))
    outputs = mistaken.steps[-1].after.a[-1][0]
    assert all(
        as_printed(o, printed) for o, printed in zip(outputs, BLOG_OUTPUTS_AFTER_10000, strict=True)
    )
    assert not as_printed(mistaken.steps[-1].after.loss, BLOG_ERROR_AFTER_10000)

    right = _after_steps(trace.exercise, 10_000)
    net = BlogNet()
    for _ in range(10_000):
        before = net.step()["E"].item()  # the error the 10,000th step starts from, at the end
    assert right.steps[-1].forward.loss == pytest.approx(before, rel=1e-9)
    assert as_printed(right.steps[-1].forward.loss, BLOG_ERROR_AFTER_10000)
    assert not as_printed(right.steps[-1].after.loss, BLOG_ERROR_AFTER_10000)
    assert not all(
        as_printed(o, p)
        for o, p in zip(right.steps[-1].after.a[-1][0], BLOG_OUTPUTS_AFTER_10000, strict=True)
    )


def test_shared_bias_gradient_is_the_sum_of_the_layers_deltas() -> None:
    """∂E/∂b = Σ_j δ_j (one sample): torch's gradient of the one broadcast scalar; the worked
    solution writes it as that sum, in both notations."""
    text = EXERCISE.read_text(encoding="utf-8").replace("train_bias = false", "train_bias = true")
    for notation, grad_b2, deltas in (
        ("sequential", "dE/db2", ("delta_o1", "delta_o2")),
        ("layered", "dE/db(3)", ("delta(3)_1", "delta(3)_2")),
    ):
        ex = backviz.loads(text.replace('notation = "sequential"', f'notation = "{notation}"'))
        trace = backviz.trace_of(ex)
        net = BlogNet(train_bias=True)
        net.step()
        ref = trace.ref(grad_b2)
        assert [trace.name(r) for r in trace.inputs(ref)] == list(deltas)
        assert trace.value(ref) == pytest.approx(float(net.b[1].grad), rel=1e-12)
        b2_new = trace.value(Ref(Kind.UPDATE_B, 3, (1,), step=1))
        assert b2_new == pytest.approx(float(net.b[1].detach()), rel=1e-12)
        assert trace.exercise.b[1].shape == (1,)


def test_shared_bias_over_samples_sums_every_node_and_sample() -> None:
    """Two samples, mean reduction: ∂E/∂b = (1/N)·Σ_n Σ_j δ_j[n], as torch's broadcast scalar."""
    text = (
        EXERCISE.read_text(encoding="utf-8")
        .replace("train_bias = false", "train_bias = true")
        .replace("inputs  = [[0.05, 0.10]]", "inputs  = [[0.05, 0.10], [0.3, -0.2]]")
        .replace("targets = [[0.01, 0.99]]", "targets = [[0.01, 0.99], [0.5, 0.2]]")
    )
    trace = backviz.trace_of(backviz.loads(text))
    x = torch.tensor([[0.05, 0.10], [0.3, -0.2]], dtype=F64)
    t = torch.tensor([[0.01, 0.99], [0.5, 0.2]], dtype=F64)
    W = [torch.tensor(w, dtype=F64) for w in trace.exercise.W]
    b = [torch.tensor(v, dtype=F64, requires_grad=True) for v in (0.35, 0.60)]
    o = torch.sigmoid(torch.sigmoid(x @ W[0].T + b[0]) @ W[1].T + b[1])
    (0.5 * ((t - o) ** 2).sum(dim=1)).mean().backward()
    for layer, name in ((2, "dE/db1"), (3, "dE/db2")):
        ref = trace.ref(name)
        assert len(trace.inputs(ref)) == 4  # δ of 2 nodes × 2 samples
        assert trace.value(ref) == pytest.approx(float(b[layer - 2].grad), rel=1e-12)


def test_frozen_biases_carry_over_unchanged_from_step_to_step(trace) -> None:
    many = _after_steps(trace.exercise, 3)
    for record in many.steps:
        assert [v.tolist() for v in record.b] == [[0.35], [0.6]]
        assert record.backward.grad_b == (None, None)
        assert [v.tolist() for v in record.b_new] == [[0.35], [0.6]]
    again = backviz.trace_of(
        backviz.loads(to_toml(trace.exercise).replace("steps = 1", "steps = 2"))
    )
    b1_at_2 = again.ref("b1@2")
    assert [again.name(r) for r in again.inputs(b1_at_2)] == ["b1@1"]


def test_exercise_written_back_keeps_shared_and_frozen(trace) -> None:
    text = to_toml(trace.exercise)
    assert 'bias = ["shared", "shared"]' in text
    assert "train_bias = false" in text
    back = backviz.loads(text)
    assert back.shared_bias == (True, True) and not back.training.train_bias
    assert np.array_equal(back.b[0], trace.exercise.b[0])


def test_blogs_error_after_the_update_graded_as_the_mistake(tmp_path: Path) -> None:
    """A sheet copying the blog's figures: its w5⁺ and w1⁺ right, its 0.291027924 the
    catalogued mistake (the grader's mistaken engine gives it), not merely wrong."""
    from backviz.grading.run import check_sheet

    exercise = tmp_path / "mazur-ask.toml"
    exercise.write_text(
        EXERCISE.read_text(encoding="utf-8") + '\n[ask]\nnames = ["W5+", "W1+", "E_total+"]\n',
        encoding="utf-8",
    )
    sheet = tmp_path / "blog.csv"
    sheet.write_text(
        "quantity,value\nstudent,blog\nW5+,0.35891648\nW1+,0.149780716\n"
        f"E_total+,{BLOG_ERROR_AFTER_ONE_STEP}\n",
        encoding="utf-8",
    )
    report = check_sheet(exercise, sheet)
    verdicts = {
        cells[1].strip("` "): cells[2].strip()
        for line in report.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) > 3
    }
    assert verdicts == {
        "W5+": "correct",
        "W1+": "correct",
        "E_total+": "mistake:updated-weights-in-backprop",
    }


@pytest.mark.parametrize(
    ("edit", "found"),
    [
        (("bias = true", 'bias = "shared"'), "shared biases"),
        (("steps = 1", "steps = 1\ntrain_bias = false"), "train_bias = false"),
        (("steps = 1", "steps = 1\ntrain_bias = [false, true]"), "train_bias = [false, true]"),
    ],
)
def test_coding_exercise_refuses_shared_or_frozen_biases(edit, found) -> None:
    """A student's `backward` returns db per node and b_new: refused with a clear message."""
    text = (EXERCISE.parent / "code-xor-221.toml").read_text(encoding="utf-8")
    if "shared" in edit[1]:
        text = re.sub(r"(?m)^b = .*$", "b = [ 0.1, 0.2 ]", text)
    assert text.count(edit[0]) == 1
    with pytest.raises(backviz.ExerciseError) as caught:
        backviz.loads(text.replace(edit[0], edit[1]))
    assert caught.value.field == "code"
    assert found in str(caught.value)


def test_shared_bias_from_one_nodes_delta_is_a_catalogued_mistake(tmp_path: Path) -> None:
    """∂E/∂b1 written as δ_h1 alone (torch's ∂E/∂z1) instead of δ_h1 + δ_h2: the mistake
    shared-bias-one-node, and b1⁺ from it carried."""
    from backviz.grading.run import check_sheet

    net = BlogNet(train_bias=True)
    fwd = net.step()
    delta_h1 = fwd["z2"].grad[0, 0].item()
    b1_carried = 0.35 - 0.5 * round(delta_h1, 8)
    exercise = tmp_path / "mazur-trained.toml"
    exercise.write_text(
        EXERCISE.read_text(encoding="utf-8").replace("train_bias = false", "train_bias = true")
        + '\n[ask]\nnames = ["dE/db1", "dE/db2", "b1+"]\n',
        encoding="utf-8",
    )
    sheet = tmp_path / "one-node.csv"
    sheet.write_text(
        f"quantity,value\nstudent,x\ndE/db1,{delta_h1:.8f}\n"
        f"dE/db2,{net.b[1].grad.item():.8f}\nb1+,{b1_carried:.8f}\n",
        encoding="utf-8",
    )
    report = check_sheet(exercise, sheet)
    verdicts = {
        cells[1].strip("` "): cells[2].strip().split(" ")[0]
        for line in report.splitlines()
        if line.startswith("| `") and len(cells := line.split("|")) > 3
    }
    assert verdicts == {
        "dE/db1": "mistake:shared-bias-one-node",
        "dE/db2": "correct",
        "b1+": "carried",
    }


def test_student_diagram_shows_a_shared_bias_once_in_its_own_layer(tmp_path: Path) -> None:
    """Sequential names number a shared bias per layer (b1 hidden, b2 output): the graded
    diagram shows dE/db1 once, in the hidden layer's first node, and dE/db2 once, in o1."""
    from click.testing import CliRunner

    from backviz.cli import main

    exercise = tmp_path / "mazur-trained.toml"
    exercise.write_text(
        EXERCISE.read_text(encoding="utf-8").replace("train_bias = false", "train_bias = true")
        + '\n[ask]\nkinds = ["grad", "update"]\n',
        encoding="utf-8",
    )
    (tmp_path / "sheets").mkdir()
    sheet = CliRunner().invoke(main, ["template", str(exercise), "--student", "k1"])
    (tmp_path / "sheets" / "k1.csv").write_text(sheet.output, encoding="utf-8")
    args = ["grade", str(exercise), str(tmp_path / "sheets"), "--out", str(tmp_path / "out")]
    assert CliRunner().invoke(main, args).exit_code == 0
    svg = (tmp_path / "out" / "diagrams" / "k1.svg").read_text(encoding="utf-8")
    nodes = re.findall(r"<g id=\"n_\w+\" class=\"node\">(.*?)</g>", svg, flags=re.S)
    holding = {
        name: [re.search(r"<title>(.*?)</title>", n).group(1) for n in nodes if name in n]
        for name in ("dE/db1", "dE/db2", "b1+", "b2+")
    }
    assert {name: len(titles) for name, titles in holding.items()} == dict.fromkeys(holding, 1)
    assert holding["dE/db1"] == holding["b1+"] == ["n_h1"]
    assert holding["dE/db2"] == holding["b2+"] == ["n_o1"]


@pytest.mark.parametrize("train_bias", [True, False])
def test_check_oracle_takes_a_shared_bias_as_one_broadcast_parameter(train_bias: bool) -> None:
    """`check`'s torch side: a shared bias one scalar (its gradient torch's, shape (1,) as
    backviz keeps it), frozen ones without gradient or update; every quantity agrees."""
    from backviz.verify import check, torch_trace

    text = EXERCISE.read_text(encoding="utf-8").replace(
        "train_bias = false", f"train_bias = {str(train_bias).lower()}"
    )
    exercise = backviz.loads(text)
    theirs = torch_trace(exercise).steps[0]
    net = BlogNet(train_bias=train_bias)
    net.step()
    if train_bias:
        assert [g.tolist() for g in theirs.backward.grad_b] == [[b.grad.item()] for b in net.b]
    else:
        assert theirs.backward.grad_b == (None, None)
        assert [b.tolist() for b in theirs.b_new] == [[0.35], [0.6]]
    report = check(backviz.trace_of(exercise))
    assert report.ok
    kinds = {c.kind for c in report.comparisons if c.source == "torch.autograd"}
    assert ("dE/db" in kinds) == train_bias and ("b+" in kinds) == train_bias


# -- one layer's biases frozen: train_bias = [false, true] ---------------------------------------

FROZEN_HIDDEN = EXERCISE.parent / "nn-221-frozen-hidden-bias.toml"


def _torch_frozen_hidden(steps: int) -> list[dict[str, list]]:
    """nn-221-frozen-hidden-bias trained by torch itself: two nn.Linear, the hidden one's bias
    with requires_grad False (left out of the optimiser), MSE, SGD; per step the gradients and
    the parameters after it."""
    import tomllib

    data = tomllib.loads(FROZEN_HIDDEN.read_text(encoding="utf-8"))
    hidden, output = (torch.nn.Linear(2, 2).double(), torch.nn.Linear(2, 1).double())
    with torch.no_grad():
        for linear, W, b in zip(
            (hidden, output), data["parameters"]["W"], data["parameters"]["b"], strict=True
        ):
            linear.weight.copy_(torch.tensor(W, dtype=F64))
            linear.bias.copy_(torch.tensor(b, dtype=F64))
    hidden.bias.requires_grad_(False)
    x = torch.tensor(data["data"]["inputs"], dtype=F64)
    t = torch.tensor(data["data"]["targets"], dtype=F64)
    params = [p for p in (*hidden.parameters(), *output.parameters()) if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=data["training"]["learning_rate"])
    history = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(output(torch.sigmoid(hidden(x))), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(
            {
                "grad_b": [hidden.bias.grad, output.bias.grad.numpy().copy()],
                "W_new": [
                    hidden.weight.detach().numpy().copy(),
                    output.weight.detach().numpy().copy(),
                ],
                "b_new": [hidden.bias.detach().numpy().copy(), output.bias.detach().numpy().copy()],
            }
        )
    return history


def test_one_layers_frozen_bias_trains_as_torch_with_that_bias_not_requiring_grad() -> None:
    trace = backviz.solve(FROZEN_HIDDEN)
    ex = trace.exercise
    assert ex.training.train_bias == (False, True)
    assert [ex.trains_bias_of(layer) for layer in (2, 3)] == [False, True]
    for record, theirs in zip(trace.steps, _torch_frozen_hidden(2), strict=True):
        assert record.backward.grad_b[0] is None and theirs["grad_b"][0] is None
        np.testing.assert_allclose(record.backward.grad_b[1], theirs["grad_b"][1], rtol=1e-12)
        torchs_all = theirs["W_new"] + theirs["b_new"]
        for ours, torchs in zip(record.W_new + record.b_new, torchs_all, strict=True):
            np.testing.assert_allclose(ours, torchs, rtol=1e-12, atol=1e-15)
        assert record.b_new[0].tolist() == [0.1, -0.1]  # the frozen layer's b stays
        assert record.state_b[0] == {}
    # step 2 reads the frozen b as given and the trained b as step 1's b⁺
    assert [trace.name(r) for r in trace.inputs(trace.ref("b(2)_1@2"))] == ["b(2)_1@1"]
    assert [trace.name(r) for r in trace.inputs(trace.ref("b(3)_1@2"))] == ["b(3)_1+@1"]


def test_a_frozen_layers_bias_is_never_asked_and_its_freezing_is_said() -> None:
    from backviz.grading.verdicts import ClassGrader

    trace = backviz.solve(FROZEN_HIDDEN)
    asked = [trace.name(ref) for ref, _ in ClassGrader(trace).items]
    assert [n for n in asked if "b(" in n] == [
        "dE/db(3)_1@1",
        "b(3)_1+@1",
        "dE/db(3)_1@2",
        "b(3)_1+@2",
    ]
    for name in ("b(2)_1+@1", "dE/db(2)_2@2"):  # a frozen layer's: said why
        with pytest.raises(backviz.BackvizError) as caught:
            trace.ref(name)
        assert str(caught.value) == (
            f"no quantity named '{name}' in exercise nn-221-frozen-hidden-bias: layer 2's "
            "biases are frozen ([training] train_bias): given, with no gradient and no update"
        )
    with pytest.raises(backviz.BackvizError) as caught:
        trace.ref("b(4)_1+@1")  # no such layer: nothing more to say
    assert str(caught.value).endswith("in exercise nn-221-frozen-hidden-bias")
    with pytest.raises(backviz.BackvizError, match="layer 3's biases are frozen"):
        backviz.solve(EXERCISE).ref("b2+")  # the blog's, every bias frozen
    english = render_solution(trace, "md", lang="en")
    korean = render_solution(trace, "md", lang="ko")
    assert "with biases; biases of layer 2 frozen (not updated); loss mse" in english
    assert "편향 있음; 2층 편향 고정 (갱신하지 않음); 오차 함수 mse" in korean


def test_per_layer_train_bias_is_written_back_and_the_scalar_form_stays_as_it_was() -> None:
    trace = backviz.solve(FROZEN_HIDDEN)
    text = to_toml(trace.exercise)
    assert "train_bias = [false, true]" in text
    assert backviz.loads(text).training.train_bias == (False, True)
    # every layer frozen, written per layer or once: the same numbers and the same solution
    blog = EXERCISE.read_text(encoding="utf-8")
    once = backviz.trace_of(backviz.loads(blog))
    listed = backviz.trace_of(
        backviz.loads(blog.replace("train_bias = false", "train_bias = [false, false]"))
    )
    assert render_solution(once, "md") == render_solution(listed, "md")
    assert "train_bias = false\n" in to_toml(once.exercise)
