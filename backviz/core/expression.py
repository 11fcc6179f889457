"""Scalar computational graphs for chain-rule drills, e.g. the notes' g = w·x, f = g + b.

Each assignment `name = expression` is one node. Expressions are parsed with Python's `ast`
and only numbers, names of earlier nodes, + − × ÷ **, and the functions in `FUNCTIONS` are
accepted. Every function and operator has its value and its local derivative side by side,
as micrograd writes them. Quantities: every node's value, the local derivative ∂g/∂w of each
edge (named `dg/dw (local)`), and the upstream gradient ∂f/∂g of every node (named `df/dg`).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import formulas as F
from .exercise import ExpressionExercise
from .formulas import Formula
from .functions import activation
from .mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym, add, mul
from .notation import latex_name, pretty_name
from .quantities import Kind, Ref
from .quantity_trace import QuantityTrace

__all__ = [
    "FUNCTIONS",
    "ExpressionTrace",
    "Node",
    "NodeError",
    "NonFinite",
    "compile_node",
    "non_finite",
    "run",
    "symbolic_value",
]


def _sympy() -> Any:
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
    "exp": _Function(np.exp, lambda x, y: y, lambda x: _sympy().exp(x)),
    "log": _Function(np.log, lambda x, y: 1.0 / x, lambda x: _sympy().log(x)),
    "sqrt": _Function(np.sqrt, lambda x, y: 0.5 / y, lambda x: _sympy().sqrt(x)),
    "sin": _Function(np.sin, lambda x, y: np.cos(x), lambda x: _sympy().sin(x)),
    "cos": _Function(np.cos, lambda x, y: -np.sin(x), lambda x: _sympy().cos(x)),
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


def _forward(tree: ast.expr, env: dict[str, float]) -> tuple[float, dict[str, float]]:
    """Value and partial derivatives w.r.t. the names read (forward mode, rule by rule)."""
    if isinstance(tree, ast.Constant):
        return float(tree.value), {}
    if isinstance(tree, ast.Name):
        return env[tree.id], {tree.id: 1.0}
    if isinstance(tree, ast.UnaryOp):
        value, partials = _forward(tree.operand, env)
        if isinstance(tree.op, ast.UAdd):
            return value, partials
        return -value, {k: -d for k, d in partials.items()}
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        function = FUNCTIONS[tree.func.id]
        x, partials = _forward(tree.args[0], env)
        with np.errstate(all="ignore"):
            y = float(function.value(np.float64(x)))
            dy = float(function.derivative(np.float64(x), np.float64(y)))
        return y, {k: dy * d for k, d in partials.items()}
    assert isinstance(tree, ast.BinOp)
    # numpy float64 arithmetic: ÷0 gives ±inf and log of a negative nan, as in the engine,
    # instead of Python's exceptions (the loader reports non-finite values by node)
    a, da = _forward(tree.left, env)
    b, db = _forward(tree.right, env)
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


def _symbolic(tree: ast.expr, env: dict[str, Any]) -> Any:
    if isinstance(tree, ast.Constant):
        return _sympy().nsimplify(tree.value)
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        value = _symbolic(tree.operand, env)
        return value if isinstance(tree.op, ast.UAdd) else -value
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        return FUNCTIONS[tree.func.id].symbolic(_symbolic(tree.args[0], env))
    assert isinstance(tree, ast.BinOp)
    a, b = _symbolic(tree.left, env), _symbolic(tree.right, env)
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
    return _symbolic(node.tree, env)


_CALL_NAMES = {"sigmoid": "σ", "sqrt": "√"}


def _display(tree: ast.expr, env: dict[str, Expr]) -> Expr:
    """The node's expression as display math, names replaced by `env` (symbols or numbers)."""
    if isinstance(tree, ast.Constant):
        return Num(float(tree.value), given=True)
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        inner = _display(tree.operand, env)
        return inner if isinstance(tree.op, ast.UAdd) else Neg(inner)
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        name = tree.func.id
        return Call(_CALL_NAMES.get(name, name), (_display(tree.args[0], env),))
    assert isinstance(tree, ast.BinOp)
    a, b = _display(tree.left, env), _display(tree.right, env)
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


def _display_derivative(tree: ast.expr, wrt: str, env: dict[str, Expr]) -> Expr:
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
        inner = _display_derivative(tree.operand, wrt, env)
        return inner if isinstance(tree.op, ast.UAdd) else _neg(inner)
    if isinstance(tree, ast.Call):
        assert isinstance(tree.func, ast.Name)
        outer = _DERIVATIVES[tree.func.id](_display(tree.args[0], env))
        return _times(outer, _display_derivative(tree.args[0], wrt, env))
    assert isinstance(tree, ast.BinOp)
    a, b = _display(tree.left, env), _display(tree.right, env)
    da = _display_derivative(tree.left, wrt, env)
    db = _display_derivative(tree.right, wrt, env)
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


def _substitute(expr: Expr, values: dict[Sym, Expr]) -> Expr:
    """The expression with each symbol in `values` replaced."""
    if isinstance(expr, Sym):
        return values.get(expr, expr)
    if isinstance(expr, Add):
        return Add(tuple(_substitute(t, values) for t in expr.terms))
    if isinstance(expr, Mul):
        return Mul(tuple(_substitute(f, values) for f in expr.factors))
    if isinstance(expr, Neg):
        return Neg(_substitute(expr.operand, values))
    if isinstance(expr, Paren):
        return Paren(_substitute(expr.inner, values))
    if isinstance(expr, Frac):
        return Frac(_substitute(expr.numerator, values), _substitute(expr.denominator, values))
    if isinstance(expr, Pow):
        return Pow(_substitute(expr.base, values), _substitute(expr.exponent, values))
    if isinstance(expr, Call):
        return Call(expr.function, tuple(_substitute(a, values) for a in expr.args))
    return expr


@dataclass(frozen=True)
class NodeValue(F.Rule):
    """A node's value from the values of the names it reads (inputs in `Node.reads` order)."""

    node: Node

    def evaluate(self, args: Any) -> Any:
        return _forward(self.node.tree, dict(zip(self.node.reads, map(float, args), strict=True)))[
            0
        ]

    def symbolic(self, args: Any) -> Any:
        return _symbolic(self.node.tree, dict(zip(self.node.reads, args, strict=True)))

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        return _display(self.node.tree, dict(zip(self.node.reads, args, strict=True)))


@dataclass(frozen=True)
class NodeLocalGrad(F.Rule):
    """∂node/∂name from the values of the names the node reads."""

    node: Node
    wrt: str

    def evaluate(self, args: Any) -> Any:
        env = dict(zip(self.node.reads, map(float, args), strict=True))
        return _forward(self.node.tree, env)[1].get(self.wrt, 0.0)

    def symbolic(self, args: Any) -> Any:
        sp = _sympy()
        symbols = {name: sp.Symbol(f"_{name}") for name in self.node.reads}
        derivative = sp.diff(_symbolic(self.node.tree, symbols), symbols[self.wrt])
        return derivative.subs({symbols[n]: v for n, v in zip(self.node.reads, args, strict=True)})

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        # built over placeholders, then filled in: an input that happens to be 0 or 1 is
        # shown, not simplified away, so the numbers form matches the symbolic one
        names = {name: Sym(f"\0{name}", name) for name in self.node.reads}
        derivative = _display_derivative(self.node.tree, self.wrt, names)
        return _substitute(
            derivative, {names[n]: a for n, a in zip(self.node.reads, args, strict=True)}
        )


@dataclass(frozen=True)
class One(F.Rule):
    """∂f/∂f = 1 at the output."""

    def evaluate(self, args: Any) -> Any:
        return 1.0

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        return Num(1, given=True)


@dataclass(frozen=True)
class ChainSum(F.Rule):
    """∂f/∂w = Σ over the nodes c that read w of ∂f/∂c · ∂c/∂w. Inputs: pairs (∂f/∂c, ∂c/∂w)."""

    def evaluate(self, args: Any) -> Any:
        total = args[0] * args[1]
        for i in range(2, len(args), 2):
            total = total + args[i] * args[i + 1]
        return total

    def display(self, args: Any, values: Any, *, numbers: bool) -> Expr:
        return add(*(mul(args[i], args[i + 1]) for i in range(0, len(args), 2)))


class ExpressionTrace(QuantityTrace):
    """Every value, local derivative and gradient of an expression exercise."""

    def __init__(self, exercise: ExpressionExercise) -> None:
        self.exercise = exercise
        self.nodes = tuple(compile_node(f"{name} = {text}") for name, text in exercise.nodes)
        self.values: dict[str, float] = dict(exercise.inputs)
        self.local: dict[tuple[str, str], float] = {}
        for node in self.nodes:
            value, partials = _forward(node.tree, self.values)
            self.values[node.name] = value
            for name in node.reads:
                self.local[(node.name, name)] = partials.get(name, 0.0)
        # backward: ∂f/∂f = 1, then every node after all nodes that read it
        self.grads: dict[str, float] = dict.fromkeys(self.values, 0.0)
        self.grads[exercise.output] = 1.0
        for node in reversed(self._upstream_nodes()):
            for name in node.reads:
                self.grads[name] += self.grads[node.name] * self.local[(node.name, name)]

    def _upstream_nodes(self) -> list[Node]:
        """The nodes up to the output (nodes after it do not affect it)."""
        names = [n.name for n in self.nodes]
        return list(self.nodes[: names.index(self.exercise.output) + 1])

    @property
    def output(self) -> str:
        return self.exercise.output

    @property
    def n_steps(self) -> int:
        return 1

    def summary(self) -> str:
        ex = self.exercise
        return f"{ex.id}: {ex.output} = {self.values[ex.output]!r} ({len(self.nodes)} nodes)"

    def readers(self, name: str) -> list[Node]:
        return [node for node in self._upstream_nodes() if name in node.reads]

    def refs(self) -> Iterator[Ref]:
        """Values forward; then, backward from the output, each node's gradient and local ones."""
        for name in self.values:
            yield Ref(Kind.NODE, label=(name,))
        for node in reversed(self._upstream_nodes()):
            yield Ref(Kind.GRAD, label=(node.name,))
            for name in node.reads:
                yield Ref(Kind.LOCAL_GRAD, label=(node.name, name))
        for name in self.exercise.inputs:
            yield Ref(Kind.GRAD, label=(name,))

    def value(self, ref: Ref) -> float:
        if ref.kind is Kind.NODE:
            return float(self.values[ref.label[0]])
        if ref.kind is Kind.LOCAL_GRAD:
            return float(self.local[ref.label])  # type: ignore[index]
        return float(self.grads[ref.label[0]])

    def _node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def formula(self, ref: Ref) -> Any:
        name = ref.label[0]
        if ref.kind is Kind.NODE:
            if name in self.exercise.inputs:
                return None
            node = self._node(name)
            reads = tuple(Ref(Kind.NODE, label=(r,)) for r in node.reads)
            return Formula(NodeValue(node), reads)
        if ref.kind is Kind.LOCAL_GRAD:
            node = self._node(name)
            reads = tuple(Ref(Kind.NODE, label=(r,)) for r in node.reads)
            return Formula(NodeLocalGrad(node, ref.label[1]), reads)
        if name == self.output:
            return Formula(One(), ())
        pairs: list[Ref] = []
        for reader in self.readers(name):
            pairs += [
                Ref(Kind.GRAD, label=(reader.name,)),
                Ref(Kind.LOCAL_GRAD, label=(reader.name, name)),
            ]
        if not pairs:
            return Formula(F.Sum(), ())  # a node the output does not depend on
        return Formula(ChainSum(), tuple(pairs))

    def name(self, ref: Ref) -> str:
        if ref.kind is Kind.NODE:
            return ref.label[0]
        if ref.kind is Kind.LOCAL_GRAD:
            return f"d{ref.label[0]}/d{ref.label[1]} (local)"
        return f"d{self.output}/d{ref.label[0]}"

    def symbol(self, ref: Ref, *, step: int | None = None) -> Sym:
        """The quantity as a display symbol: ∂f/∂g, or g itself."""
        name = self.name(ref)
        return Sym(pretty_name(name), latex_name(name))


def run(exercise: ExpressionExercise) -> ExpressionTrace:
    """Every number of an expression exercise."""
    return ExpressionTrace(exercise)


@dataclass(frozen=True)
class NonFinite:
    """A number of an expression exercise that is not finite at its inputs, and where it is."""

    name: str  # the node it belongs to; for a gradient, the node or input it is taken for
    what: str  # "value", "derivative" (local) or "gradient"
    equation: str  # how it reads: "f = log(g) = nan", "df/dg = inf", "df/dx = nan"


def non_finite(exercise: ExpressionExercise) -> NonFinite | None:
    """The first number of the exercise that is not finite at its inputs; None when all are.

    Node by node, its value and then its local derivatives; then the gradients. The trace's
    numpy arithmetic gives inf or nan for ÷0 or log(−1) instead of Python's exceptions, so the
    loader can name the node at fault.
    """
    trace = ExpressionTrace(exercise)
    for name, source in exercise.nodes:
        value = trace.values[name]
        if not math.isfinite(value):
            return NonFinite(name, "value", f"{name} = {source} = {value}")
        for (node, wrt), local in trace.local.items():
            if node == name and not math.isfinite(local):
                return NonFinite(name, "derivative", f"d{name}/d{wrt} = {local}")
    for name, grad in trace.grads.items():
        if not math.isfinite(grad):
            return NonFinite(name, "gradient", f"d{exercise.output}/d{name} = {grad}")
    return None
