"""A trace as a program a page runs: the given numbers, the settings, and every computed
quantity's formula as a JavaScript expression over earlier ones, in computing order.

Changing a given number (an input, a target, a weight, a bias) or a setting (the learning
rate η …) and running the program again recomputes every number of the exercise from the same
formulas the worked solution shows (`render/evaluable.py`): the walkthrough's "edit and
recompute". `tests/test_program.py` checks a changed program against `backviz solve` of the
exercise changed the same way.
"""

from __future__ import annotations

from typing import Any

from ..core.quantity_trace import QuantityTrace
from .evaluable import JS_FUNCTIONS, evaluable

__all__ = ["PROGRAM_RUNNER", "trace_program"]


def trace_program(trace: QuantityTrace) -> dict[str, Any]:
    """{"given": {name: value}, "settings": {name: value}, "steps": [[name, [input names],
    javascript], …]} for every quantity of the trace, in computing order."""
    given: dict[str, float] = {}
    settings: dict[str, float] = {}
    steps: list[list[Any]] = []
    for ref in trace.refs():
        name = trace.name(ref)
        formula = trace.formula(ref)
        if formula is None:
            given[name] = trace.value(ref)
            continue
        e = evaluable(formula.rule, [trace.value(r) for r in formula.inputs])
        for setting, value in e.settings.items():
            settings.setdefault(setting, value)
        steps.append([name, [trace.name(r) for r in formula.inputs], e.javascript])
    return {"given": given, "settings": settings, "steps": steps}


# Runs a program in a page: `runProgram(program, given, settings)` → {name: value} of every
# quantity (the given ones as passed, or the program's own where not).
PROGRAM_RUNNER = (
    JS_FUNCTIONS
    + """
const runProgram = (() => {
  const compiled = new WeakMap();
  return (program, given, settings) => {
    let steps = compiled.get(program);
    if (!steps) {
      steps = program.steps.map(([name, inputs, js]) =>
        [name, inputs, new Function("v", "S", "F", `return (${js});`)]);
      compiled.set(program, steps);
    }
    const values = Object.assign({}, program.given, given || {});
    const S = Object.assign({}, program.settings, settings || {});
    for (const [name, inputs, f] of steps) values[name] = f(inputs.map((n) => values[n]), S, F);
    return values;
  };
})();"""
)
