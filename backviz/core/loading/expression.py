"""The `[expression]` section: the inputs, the assignments (nodes) and the output of a drill.

Each node is parsed by `core.expression.compile_node`; once every name is defined, the numbers
are computed once (`core.expression.non_finite`) so that a value, derivative or gradient that
is not finite at the inputs is reported against its node.
"""

from __future__ import annotations

import difflib
import keyword

from ..exercise import ExpressionExercise
from .fields import Reader, describe
from .heading import Heading

__all__ = ["EXPRESSION_KEYS", "read_expression"]

EXPRESSION_KEYS = ("inputs", "nodes", "output")


def read_expression(reader: Reader, data: dict, heading: Heading) -> ExpressionExercise:
    """The expression exercise of a file whose heading is read."""
    # the expression engine, imported here, is loaded only when an expression exercise is read
    from ..expression import NodeError, compile_node

    table = reader.table(data, "expression")
    assert table is not None
    reader.known_keys(table, EXPRESSION_KEYS, "expression.")
    inputs_raw = reader.table(table, "inputs", required=False, prefix="expression.")
    if inputs_raw is None:
        raise reader.error(
            "expression.inputs", "a table of input values, e.g. { w = -2, x = 5 }", "nothing"
        )
    inputs: dict[str, float] = {}
    for name, value in inputs_raw.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise reader.error(
                f"expression.inputs.{name}",
                "a name made of letters, digits and _ (not a Python keyword)",
                repr(name),
            )
        inputs[name] = reader.number(value, f"expression.inputs.{name}")
    nodes_raw = table.get("nodes")
    if not isinstance(nodes_raw, list) or not nodes_raw:
        found = "nothing" if nodes_raw is None else describe(nodes_raw)
        raise reader.error(
            "expression.nodes", 'an array of assignments, e.g. ["g = w*x", "f = g + b"]', found
        )
    defined = set(inputs)
    nodes: list[tuple[str, str]] = []
    for i, entry in enumerate(nodes_raw):
        path = f"expression.nodes[{i}]"
        if not isinstance(entry, str):
            raise reader.error(path, "an assignment 'name = expression'", describe(entry))
        try:
            node = compile_node(entry)
        except NodeError as error:
            found = f"{error.found} in {entry!r}" if error.found else repr(entry)
            raise reader.error(path, error.expected, found) from None
        if node.name in defined:
            where = "an input" if node.name in inputs else "an earlier node"
            raise reader.error(
                path,
                "a new name (each name is defined once)",
                f"{node.name!r} defined again in {entry!r}",
                f"{node.name!r} is already {where}",
            )
        for name in node.reads:
            if name not in defined:
                close = difflib.get_close_matches(name, sorted(defined), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "define it in inputs or an earlier node"
                )
                raise reader.error(
                    path, "names of inputs or earlier nodes", f"undefined name '{name}'", hint
                )
        defined.add(node.name)
        nodes.append((node.name, node.source))
    names = [n for n, _ in nodes]
    output = table.get("output", names[-1])
    if not isinstance(output, str) or output not in names:
        hint = ""
        if isinstance(output, str) and output in inputs:
            hint = f"'{output}' is an input, not a node"
        elif isinstance(output, str):
            close = difflib.get_close_matches(output, names, n=1)
            hint = f"did you mean '{close[0]}'?" if close else ""
        raise reader.error(
            "expression.output", f"the name of a node: {', '.join(names)}", describe(output), hint
        )
    exercise = ExpressionExercise(
        heading.id, heading.title, inputs, tuple(nodes), output, reader.file, heading.description
    )
    _check_finite(reader, exercise)
    return exercise


def _check_finite(reader: Reader, exercise: ExpressionExercise) -> None:
    """Every value, local derivative and gradient finite at the inputs, else name the first."""
    from ..expression import non_finite

    problem = non_finite(exercise)
    if problem is None:
        return
    names = [name for name, _ in exercise.nodes]
    field = (
        f"expression.nodes[{names.index(problem.name)}]"
        if problem.name in names
        else f"expression.inputs.{problem.name}"
    )
    raise reader.error(
        field,
        f"a finite {problem.what} at the given inputs",
        problem.equation,
        "log or sqrt of a negative number, or a division by 0?",
    )
