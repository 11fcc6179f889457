"""A node's expression, and its derivative by each name it reads, as display math (for the
worked solution), with the 0s, 1s and double signs of the rules simplified away."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym, add, mul

__all__ = ["display_derivative", "display_of", "substitute"]


_CALL_NAMES = {"sigmoid": "σ", "sqrt": "√"}


def display_of(tree: ast.expr, env: dict[str, Expr]) -> Expr:
    """The node's expression as display math, names replaced by `env` (symbols or numbers)."""
    if isinstance(tree, ast.Constant):
        return Num(float(tree.value), given=True)
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        inner = display_of(tree.operand, env)
        return inner if isinstance(tree.op, ast.UAdd) else Neg(inner)
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        name = tree.func.id
        return Call(_CALL_NAMES.get(name, name), (display_of(tree.args[0], env),))
    assert isinstance(tree, ast.BinOp)
    a, b = display_of(tree.left, env), display_of(tree.right, env)
    match tree.op:
        case ast.Add():
            return add(a, b)
        case ast.Sub():
            return add(a, Neg(b))
        case ast.Mult():
            return mul(a, b)
        case ast.Div():
            return Frac(a, b)
    return Pow(a, b)


def _is(expr: Expr, number: float) -> bool:
    return isinstance(expr, Num) and expr.value == number


def _neg(expr: Expr) -> Expr:
    """−x, with −(−x) = x, −0 = 0 and −(−a / b) = a / b."""
    if isinstance(expr, Neg):
        return expr.operand
    if _is(expr, 0):
        return expr
    if isinstance(expr, Frac) and isinstance(expr.numerator, Neg):
        return Frac(expr.numerator.operand, expr.denominator)
    return Neg(expr)


def _over(numerator: Expr, denominator: Expr) -> Expr:
    """numerator / denominator, a minus sign in front: −a / b rather than (−a) / b."""
    if isinstance(numerator, Neg):
        return _neg(Frac(numerator.operand, denominator))
    return Frac(numerator, denominator)


def _times(*factors: Expr) -> Expr:
    """A product with the 1s dropped and the signs in front; 0 if any factor is 0."""
    if any(_is(f, 0) for f in factors):
        return Num(0, given=True)
    negative = False
    kept: list[Expr] = []
    for factor in factors:
        while isinstance(factor, Neg):
            negative, factor = not negative, factor.operand
        if not _is(factor, 1):
            kept.append(factor)
    if not kept:
        product: Expr = Num(1, given=True)
    else:
        product = mul(*(Paren(f) if isinstance(f, Add) and len(kept) > 1 else f for f in kept))
    return _neg(product) if negative else product


def _plus(*terms: Expr) -> Expr:
    kept = [t for t in terms if not _is(t, 0)]
    return add(*kept) if kept else Num(0, given=True)


def _constant(tree: ast.expr) -> float | None:
    """The value of a number written in the source (2, −1.5), else None."""
    if isinstance(tree, ast.Constant):
        return float(tree.value)
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.operand, ast.Constant):
        value = float(tree.operand.value)
        return -value if isinstance(tree.op, ast.USub) else value
    return None


_DERIVATIVES: dict[str, Callable[[Expr], Expr]] = {
    "exp": lambda u: Call("exp", (u,)),
    "log": lambda u: Frac(Num(1, given=True), u),
    "sqrt": lambda u: Frac(Num(1, given=True), mul(Num(2, given=True), Call("√", (u,)))),
    "sin": lambda u: Call("cos", (u,)),
    "cos": lambda u: Neg(Call("sin", (u,))),
    "tanh": lambda u: add(Num(1, given=True), Neg(Pow(Call("tanh", (u,)), Num(2, given=True)))),
    "sigmoid": lambda u: mul(Call("σ", (u,)), Paren(add(Num(1, given=True), Neg(Call("σ", (u,)))))),
    "relu": lambda u: Call("relu′", (u,)),
}


def display_derivative(tree: ast.expr, wrt: str, env: dict[str, Expr]) -> Expr:
    """∂(expression)/∂wrt as display math, rule by rule, 0s, 1s and double signs simplified.

    The simplification looks at the expression's structure only (the 0s and 1s of the rules
    and the numbers written in the source): `env` should hold symbols, so that the numbers form
    is the symbolic form with the values put in (see `NodeLocalGrad.display`).
    """
    if isinstance(tree, ast.Constant):
        return Num(0, given=True)
    if isinstance(tree, ast.Name):
        return Num(1 if tree.id == wrt else 0, given=True)
    if isinstance(tree, ast.UnaryOp):
        inner = display_derivative(tree.operand, wrt, env)
        return inner if isinstance(tree.op, ast.UAdd) else _neg(inner)
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        outer = _DERIVATIVES[tree.func.id](display_of(tree.args[0], env))
        return _times(outer, display_derivative(tree.args[0], wrt, env))
    assert isinstance(tree, ast.BinOp)
    a, b = display_of(tree.left, env), display_of(tree.right, env)
    da = display_derivative(tree.left, wrt, env)
    db = display_derivative(tree.right, wrt, env)
    match tree.op:
        case ast.Add():
            return _plus(da, db)
        case ast.Sub():
            return _plus(da, _neg(db))
        case ast.Mult():
            return _plus(_times(da, b), _times(a, db))
        case ast.Div():
            if _is(db, 0):
                return _over(da, b) if not _is(da, 0) else da
            numerator = _plus(_times(da, b), _neg(_times(a, db)))
            return _over(numerator, Pow(b, Num(2, given=True)))
    # a ** b: b·a^(b−1)·da (+ a^b·log(a)·db when b depends on wrt); a written exponent
    # is lowered in place: w**3 gives 3·w², w**2 gives 2·w
    c = _constant(tree.right)
    if c is None:
        lowered: Expr = Pow(a, _plus(b, Num(-1, given=True)))
    elif c - 1 == 1:
        lowered = a
    else:
        lowered = Pow(a, Num(c - 1, given=True)) if c != 1 else Num(1, given=True)
    power = _times(b, lowered, da)
    if _is(db, 0):
        return power
    return _plus(power, _times(Pow(a, b), Call("log", (a,)), db))


def substitute(expr: Expr, values: dict[Sym, Expr]) -> Expr:
    """The expression with each symbol in `values` replaced."""
    if isinstance(expr, Sym):
        return values.get(expr, expr)
    if isinstance(expr, Add):
        return Add(tuple(substitute(t, values) for t in expr.terms))
    if isinstance(expr, Mul):
        return Mul(tuple(substitute(f, values) for f in expr.factors))
    if isinstance(expr, Neg):
        return Neg(substitute(expr.operand, values))
    if isinstance(expr, Paren):
        return Paren(substitute(expr.inner, values))
    if isinstance(expr, Frac):
        return Frac(substitute(expr.numerator, values), substitute(expr.denominator, values))
    if isinstance(expr, Pow):
        return Pow(substitute(expr.base, values), substitute(expr.exponent, values))
    if isinstance(expr, Call):
        return Call(expr.function, tuple(substitute(a, values) for a in expr.args))
    return expr
