"""Every formula printed as a program (Python for the grader, JavaScript for the page) gives the
quantity's value: the expressions of the marking spec are the trace's formulas, not a second
copy of them. Checked on every exercise and on networks that reach every rule (leaky_relu,
softmax with cross-entropy, momentum and Nesterov, Adam, AdamW, several samples and steps)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import backviz
from backviz.render.evaluable import JS_FUNCTIONS, compile_python, evaluable
from tests.conftest import EXERCISES

EXTRA = {
    "leaky-adam": """
id = "leaky-adam"
[network]
sizes = [2, 3, 2]
activation = ["leaky_relu", "sigmoid"]
negative_slope = 0.05
bias = true
loss = "mse"
[parameters]
W = [ [[0.3, -0.2], [-0.5, 0.4], [0.1, 0.7]], [[0.2, -0.3, 0.5], [0.6, 0.1, -0.4]] ]
b = [ [0.1, -0.2, 0.05], [0.0, 0.1] ]
[data]
inputs = [[0.5, -1.0], [1.5, 0.2]]
targets = [[0.2, 0.8], [0.9, 0.1]]
[training]
learning_rate = 0.1
optimizer = "adam"
steps = 2
""",
    "tanh-nesterov": """
id = "tanh-nesterov"
[network]
sizes = [2, 2, 3]
activation = ["tanh", "softmax"]
loss = "ce"
[parameters]
W = [ [[0.3, -0.2], [-0.5, 0.4]], [[0.2, -0.3], [0.6, 0.1], [-0.4, 0.5]] ]
[data]
inputs = [[0.5, -1.0], [1.0, 2.0]]
targets = [2, 0]
[training]
learning_rate = 0.2
optimizer = "sgd"
momentum = 0.9
nesterov = true
weight_decay = 0.01
steps = 2
""",
    "relu-adamw-sum": """
id = "relu-adamw-sum"
[network]
sizes = [2, 2, 1]
activation = ["relu", "identity"]
bias = true
loss = "half_sse"
[parameters]
W = [ [[0.3, -0.2], [-0.5, 0.4]], [[0.2, -0.3]] ]
b = [ [0.1, 0.3], [0.0] ]
[data]
inputs = [[0.5, -1.0], [1.0, 2.0], [-1.0, 0.5]]
targets = [[0.2], [0.9], [-0.3]]
[training]
learning_rate = 0.05
optimizer = "adamw"
reduction = "sum"
steps = 2
""",
}


def traces() -> list[tuple[str, object]]:
    found = [(p.stem, backviz.solve(p)) for p in sorted(EXERCISES.glob("*.toml"))]
    found += [(name, backviz.trace_of(backviz.loads(text))) for name, text in EXTRA.items()]
    return found


def formulas(trace, limit: int = 4000):
    """(name, value, evaluable, input values) of the trace's first `limit` computed quantities."""
    rows = []
    for ref in trace.refs():
        formula = trace.formula(ref)
        if formula is None:
            continue
        values = [trace.value(r) for r in formula.inputs]
        rows.append((trace.name(ref), trace.value(ref), evaluable(formula.rule, values), values))
        if len(rows) >= limit:
            break
    return rows


def close(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize(
    ("exercise", "trace"), traces(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_python_expressions_are_the_formulas(exercise: str, trace) -> None:
    rows = formulas(trace)
    assert rows
    wrong = [
        (name, e.python, got, want)
        for name, want, e, values in rows
        if not close(float(got := compile_python(e.python)(values, e.settings)), want)
    ]
    assert not wrong, wrong[:3]


def test_settings_are_named_not_baked() -> None:
    """η and the optimisers' settings are symbols of the expression, with their values beside:
    a page can change the learning rate and recompute."""
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    formula = trace.formula(trace.ref("W5+"))
    e = evaluable(formula.rule, [trace.value(r) for r in formula.inputs])
    assert e.settings == {"η": 0.5} and 'S["η"]' in e.python and "0.5" not in e.python
    halved = compile_python(e.python)([0.45, 0.02592286], {"η": 0.25})
    assert halved == pytest.approx(0.45 - 0.25 * 0.02592286)


def test_javascript_expressions_are_the_formulas(tmp_path: Path) -> None:
    """All of them evaluated in Chromium (one page), against the trace's values."""
    from playwright.sync_api import sync_playwright

    cases = []
    for _, trace in traces():
        for name, want, e, values in formulas(trace, 600):
            cases.append(
                {"name": name, "js": e.javascript, "S": e.settings, "v": values, "want": want}
            )
    script = (
        JS_FUNCTIONS
        + """
        window.check = (cases) => cases.map((c) => {
          const v = c.v, S = c.S;
          return eval(c.js);
        });"""
    )
    page_file = tmp_path / "evaluate.html"
    page_file.write_text(f"<!doctype html><script>{script}</script>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(page_file.as_uri())
        got = page.evaluate("(cases) => window.check(cases)", cases)
        browser.close()
    wrong = [
        (c["name"], c["js"], g, c["want"])
        for c, g in zip(cases, got, strict=True)
        if not close(float("nan") if g is None else g, c["want"])
    ]
    assert not wrong, wrong[:3]
