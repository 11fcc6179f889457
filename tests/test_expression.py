"""Expression exercises: values, local derivatives and gradients against sympy and torch."""

from __future__ import annotations

import pytest
import sympy as sp
import torch

import backviz

CASES = [
    # (inputs, nodes)
    ({"w": -2.0, "x": 5.0, "b": 3.0}, ["g = w * x", "f = g + b"]),
    ({"w": 2.0}, ["y = w**2", "z = 2*y + 5"]),
    (
        {"x": 0.7, "y": -1.3},
        ["p = x * y", "q = exp(p) + sin(x)", "r = q / (1 + y**2)", "s = log(r) * p"],
    ),
    (
        {"a": 1.5, "b": 0.5},
        ["c = a ** b", "d = sqrt(c) - cos(a)", "e = tanh(d) * sigmoid(a) + relu(b - a)"],
    ),
    ({"x": 0.3}, ["u = x * x", "v = u + x", "f = u * v - x"]),  # x reaches f along three paths
]

TORCH = {
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
}


def exercise_text(inputs: dict[str, float], nodes: list[str]) -> str:
    table = ", ".join(f"{k} = {v!r}" for k, v in inputs.items())
    return (
        f'id = "e"\nkind = "expression"\n[expression]\ninputs = {{ {table} }}\n'
        f"nodes = {nodes!r}\n".replace("'", '"')
    )


@pytest.mark.parametrize(("inputs", "nodes"), CASES)
def test_gradients_match_torch_autograd(inputs: dict[str, float], nodes: list[str]) -> None:
    trace = backviz.trace_of(backviz.loads(exercise_text(inputs, nodes)))
    env = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in inputs.items()}
    for node in nodes:
        name, expression = (part.strip() for part in node.split("=", 1))
        env[name] = eval(expression, {"__builtins__": {}, **TORCH}, env)
        env[name].retain_grad()
    output = nodes[-1].split("=")[0].strip()
    env[output].backward()
    for name, tensor in env.items():
        assert trace.value(trace.ref(name)) == pytest.approx(float(tensor.detach()), rel=1e-14)
        assert trace.value(trace.ref(f"d{output}/d{name}")) == pytest.approx(
            float(tensor.grad), rel=1e-12, abs=1e-15
        )


@pytest.mark.parametrize(("inputs", "nodes"), CASES)
def test_local_derivatives_match_sympy(inputs: dict[str, float], nodes: list[str]) -> None:
    trace = backviz.trace_of(backviz.loads(exercise_text(inputs, nodes)))
    values = dict(trace.values)
    for node in trace.nodes:
        symbols = {name: sp.Symbol(name) for name in node.reads}
        functions = {
            "exp": sp.exp,
            "log": sp.log,
            "sqrt": sp.sqrt,
            "sin": sp.sin,
            "cos": sp.cos,
            "tanh": sp.tanh,
            "sigmoid": lambda t: 1 / (1 + sp.exp(-t)),
            "relu": lambda t: sp.Max(t, 0),
        }
        expression = sp.sympify(node.source, locals={**symbols, **functions})
        for name in node.reads:
            exact = sp.diff(expression, symbols[name]).subs(
                {symbols[k]: values[k] for k in symbols}
            )
            ours = trace.value(trace.ref(f"d{node.name}/d{name} (local)"))
            assert ours == pytest.approx(float(exact), rel=1e-12, abs=1e-15)


def test_every_quantity_has_a_formula_that_reproduces_it() -> None:
    trace = backviz.trace_of(backviz.loads(exercise_text(*CASES[4])))
    for ref in trace.refs():
        formula = trace.formula(ref)
        if formula is None:
            assert ref.label[0] == "x"
            continue
        recomputed = formula.rule.evaluate([trace.value(r) for r in formula.inputs])
        assert recomputed == pytest.approx(trace.value(ref), rel=1e-15)


def test_nodes_after_the_output_do_not_change_its_gradients() -> None:
    text = exercise_text({"w": 2.0}, ["y = w**2", "z = 2*y + 5", "unused = z * 3"])
    text += 'output = "z"\n'
    trace = backviz.trace_of(backviz.loads(text))
    assert trace.value(trace.ref("dz/dw")) == 8
    assert "dz/dunused" not in {trace.name(r) for r in trace.refs()}
