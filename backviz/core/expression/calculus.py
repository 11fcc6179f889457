"""A node's value and its local derivatives (forward mode, rule by rule), and its exact value in
sympy arithmetic."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .parse import FUNCTIONS, Node, sympy_module

__all__ = ["evaluate", "symbolic_value", "to_sympy"]


def evaluate(tree: ast.expr, env: dict[str, float]) -> tuple[float, dict[str, float]]:
    """Value and partial derivatives w.r.t. the names read (forward mode, rule by rule)."""
    if isinstance(tree, ast.Constant):
        return float(tree.value), {}
    if isinstance(tree, ast.Name):
        return env[tree.id], {tree.id: 1.0}
    if isinstance(tree, ast.UnaryOp):
        value, partials = evaluate(tree.operand, env)
        if isinstance(tree.op, ast.UAdd):
            return value, partials
        return -value, {k: -d for k, d in partials.items()}
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        function = FUNCTIONS[tree.func.id]
        x, partials = evaluate(tree.args[0], env)
        with np.errstate(all="ignore"):
            y = float(function.value(np.float64(x)))
            dy = float(function.derivative(np.float64(x), np.float64(y)))
        return y, {k: dy * d for k, d in partials.items()}
    assert isinstance(tree, ast.BinOp)
    # numpy float64 arithmetic: ÷0 gives ±inf and log of a negative nan, as in the engine,
    # instead of Python's exceptions (the loader reports non-finite values by node)
    a, da = evaluate(tree.left, env)
    b, db = evaluate(tree.right, env)
    a, b = np.float64(a), np.float64(b)
    names = list(dict.fromkeys([*da, *db]))
    with np.errstate(all="ignore"):
        if isinstance(tree.op, ast.Add):
            return a + b, {k: da.get(k, 0.0) + db.get(k, 0.0) for k in names}
        if isinstance(tree.op, ast.Sub):
            return a - b, {k: da.get(k, 0.0) - db.get(k, 0.0) for k in names}
        if isinstance(tree.op, ast.Mult):
            return a * b, {k: da.get(k, 0.0) * b + a * db.get(k, 0.0) for k in names}
        if isinstance(tree.op, ast.Div):
            return a / b, {k: (da.get(k, 0.0) * b - a * db.get(k, 0.0)) / (b * b) for k in names}
        value = a**b
        # d(a^b) = b·a^(b−1)·da + a^b·ln(a)·db (the second only where b depends on a name)
        partials = {}
        for k in names:
            d = b * a ** (b - 1) * da[k] if da.get(k) else np.float64(0.0)
            if db.get(k):
                d += value * np.log(a) * db[k]
            partials[k] = d
        return value, partials


def to_sympy(tree: ast.expr, env: dict[str, Any]) -> Any:
    if isinstance(tree, ast.Constant):
        return sympy_module().nsimplify(tree.value)
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        value = to_sympy(tree.operand, env)
        return value if isinstance(tree.op, ast.UAdd) else -value
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        return FUNCTIONS[tree.func.id].symbolic(to_sympy(tree.args[0], env))
    assert isinstance(tree, ast.BinOp)
    a, b = to_sympy(tree.left, env), to_sympy(tree.right, env)
    match tree.op:
        case ast.Add():
            return a + b
        case ast.Sub():
            return a - b
        case ast.Mult():
            return a * b
        case ast.Div():
            return a / b
    return a**b


def symbolic_value(node: Node, env: dict[str, Any]) -> Any:
    """The node's value in sympy arithmetic, the names it reads taken from `env` (for checks)."""
    return to_sympy(node.tree, env)
