"""Reading one assignment `name = expression`: only numbers, names, + − × ÷ ** and the
functions in `FUNCTIONS` (each with its value, derivative and sympy form side by side)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..functions import activation

__all__ = ["FUNCTIONS", "Node", "NodeError", "compile_node", "sympy_module"]


def sympy_module() -> Any:
    import sympy

    return sympy


_sigmoid = activation("sigmoid")
_tanh = activation("tanh")
_relu = activation("relu")


@dataclass(frozen=True)
class _Function:
    value: Callable[[Any], Any]  # numeric
    derivative: Callable[[Any, Any], Any]  # (x, f(x)) -> f'(x)
    symbolic: Callable[[Any], Any]


FUNCTIONS: dict[str, _Function] = {
    "exp": _Function(np.exp, lambda x, y: y, lambda x: sympy_module().exp(x)),
    "log": _Function(np.log, lambda x, y: 1.0 / x, lambda x: sympy_module().log(x)),
    "sqrt": _Function(np.sqrt, lambda x, y: 0.5 / y, lambda x: sympy_module().sqrt(x)),
    "sin": _Function(np.sin, lambda x, y: np.cos(x), lambda x: sympy_module().sin(x)),
    "cos": _Function(np.cos, lambda x, y: -np.sin(x), lambda x: sympy_module().cos(x)),
    "tanh": _Function(_tanh.value, lambda x, y: _tanh.derivative(x, y), _tanh.symbolic),  # type: ignore[misc]
    "sigmoid": _Function(
        _sigmoid.value,
        lambda x, y: _sigmoid.derivative(x, y),
        _sigmoid.symbolic,  # type: ignore[misc]
    ),
    "relu": _Function(_relu.value, lambda x, y: _relu.derivative(x, y), _relu.symbolic),  # type: ignore[misc]
}

_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


class NodeError(ValueError):
    """A text that is not an assignment `compile_node` accepts: what is allowed, and what is not.

    `expected` and `found` are kept apart so that a caller can word its own message; the text
    of the error reads "<expected>, found <found>" (or only "<expected>" when nothing in
    particular is at fault).
    """

    def __init__(self, expected: str, found: str = "") -> None:
        super().__init__(f"{expected}, found {found}" if found else expected)
        self.expected = expected
        self.found = found


@dataclass(frozen=True)
class Node:
    """One assignment: its name, source text, parsed expression and the names it reads."""

    name: str
    source: str
    tree: ast.expr
    reads: tuple[str, ...]  # in first-use order


def compile_node(text: str) -> Node:
    """Parse `name = expression`; `NodeError` with a plain reason when it is not one."""
    try:
        module = ast.parse(text.strip(), mode="exec")
    except SyntaxError as error:
        raise NodeError(f"not a valid assignment ({error.msg})") from None
    if len(module.body) != 1 or not isinstance(module.body[0], ast.Assign):
        raise NodeError("one assignment 'name = expression'")
    statement = module.body[0]
    if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
        raise NodeError("a single name on the left of '='")
    reads: list[str] = []
    _check(statement.value, reads)
    source = ast.unparse(statement.value)
    return Node(statement.targets[0].id, source, statement.value, tuple(reads))


def _check(tree: ast.expr, reads: list[str]) -> None:
    if isinstance(tree, ast.Constant):
        if isinstance(tree.value, bool) or not isinstance(tree.value, int | float):
            raise NodeError("a number", repr(tree.value))
    elif isinstance(tree, ast.Name):
        if tree.id not in reads:
            reads.append(tree.id)
    elif isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub | ast.UAdd):
        _check(tree.operand, reads)
    elif isinstance(tree, ast.BinOp) and isinstance(tree.op, _BINARY):
        _check(tree.left, reads)
        _check(tree.right, reads)
    elif isinstance(tree, ast.Call):
        if not isinstance(tree.func, ast.Name) or tree.func.id not in FUNCTIONS:
            name = ast.unparse(tree.func)
            raise NodeError(f"one of the functions {', '.join(FUNCTIONS)}", f"'{name}'")
        if len(tree.args) != 1 or tree.keywords:
            raise NodeError(f"{tree.func.id}(x) takes exactly one argument")
        _check(tree.args[0], reads)
    else:
        raise NodeError("numbers, names, + - * / ** and functions", f"'{ast.unparse(tree)}'")
