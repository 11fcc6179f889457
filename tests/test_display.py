"""The worked solution's formulas say what the numbers are.

An evaluator written here, independent of backviz's own arithmetic, computes every displayed
formula: the numbers form must give the equation's value, and so must every symbolic form
when each symbol is replaced by the value of the quantity it names (and each setting, η, μ,
β₁ …, by the exercise's setting). The Unicode text of each numbers form is parsed back and
must mean the same expression, so no missing parenthesis changes what a reader computes.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import pytest

import backviz
from backviz.core.expression import ExpressionTrace
from backviz.core.mathexpr import Add, Call, Expr, Frac, Mul, Neg, Num, Paren, Pow, Sym
from backviz.core.notation import format_given, format_number
from backviz.core.quantities import Kind, Ref
from backviz.core.trace import Trace
from backviz.render.math_latex import math_latex
from backviz.render.math_mathml import math_mathml
from backviz.render.math_text import math_text
from backviz.render.solution import DETAILED_STEPS, equation, worked_solution
from tests.conftest import EXERCISES

RTOL, ATOL = 1e-9, 1e-12


# -- an independent evaluator of display math ------------------------------------------------
class SymbolInNumbers(Exception):
    """A symbol where only numbers may be."""


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _calls(slope: float) -> dict[str, Callable[..., float]]:
    return {
        "σ": _sigmoid,
        "tanh": math.tanh,
        "exp": math.exp,
        "log": _log,
        "√": math.sqrt,
        "max": max,
        "|": abs,
        "sign": lambda x: math.copysign(1.0, x) if x else 0.0,  # sign(0) = 0, as torch's abs′
        "sin": math.sin,
        "cos": math.cos,
        "relu′": lambda x: 1.0 if x > 0 else 0.0,
        # the tree shows the slope as the second argument; it must be the exercise's own
        "leaky_relu": lambda x, shown: x if x > 0 else _same(shown, slope) * x,
        "leaky_relu′": lambda x, shown: 1.0 if x > 0 else _same(shown, slope),
        "relu": lambda x: max(x, 0.0),
        "step": lambda x: 1.0 if x > 0 else 0.0,
    }


def _log(x: float) -> float:
    """log, with log 0 = −∞ (its limit; a clamped log shows as max(log 0, −100))."""
    return -math.inf if x == 0 else math.log(x)


def _same(shown: float, slope: float) -> float:
    assert shown == slope, f"leaky_relu shown with slope {shown}, the exercise's is {slope}"
    return shown


def no_symbols(sym: Sym) -> float:
    raise SymbolInNumbers(sym.text)


def evaluate(expr: Expr, lookup: Callable[[Sym], float] = no_symbols, slope: float = 0.01) -> float:
    """The value of a display tree; `lookup` gives each symbol's value."""
    calls = _calls(slope)

    def ev(e: Expr) -> float:
        match e:
            case Num(value=value):
                return float(value)
            case Sym():
                return lookup(e)
            case Add(terms=terms):
                return math.fsum(ev(t) for t in terms)
            case Mul(factors=factors):
                return math.prod(ev(f) for f in factors)
            case Neg(operand=operand):
                return -ev(operand)
            case Frac(numerator=numerator, denominator=denominator):
                return ev(numerator) / ev(denominator)
            case Pow(base=base, exponent=exponent):
                return ev(base) ** ev(exponent)
            case Paren(inner=inner):
                return ev(inner)
            case Call(function=function, args=args):
                return calls[function](*(ev(a) for a in args))
        raise TypeError(f"not display math: {e!r}")

    return ev(expr)


def symbols_in(expr: Expr) -> list[Sym]:
    match expr:
        case Sym():
            return [expr]
        case Num():
            return []
        case Add(terms=parts) | Mul(factors=parts) | Call(args=parts):
            return [s for p in parts for s in symbols_in(p)]
        case Neg(operand=inner) | Paren(inner=inner):
            return symbols_in(inner)
        case Frac(numerator=a, denominator=b) | Pow(base=a, exponent=b):
            return symbols_in(a) + symbols_in(b)
    raise TypeError(expr)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


# -- the settings a formula may name -----------------------------------------------------------
def settings(trace: Trace | ExpressionTrace) -> dict[str, float]:
    if isinstance(trace, ExpressionTrace):
        return {}
    opt = trace.exercise.training.optimizer
    b1, b2 = opt.betas
    return {
        "η": opt.learning_rate,
        "μ": opt.momentum,
        "(1 − τ)": 1 - opt.dampening,
        "λ": opt.weight_decay,
        "β₁": b1,
        "β₂": b2,
        "(1 − β₁)": 1 - b1,
        "(1 − β₂)": 1 - b2,
        "ε": opt.eps,
        "α": opt.alpha,
        "(1 − α)": 1 - opt.alpha,
        "s₀": opt.initial_accumulator_value,
        "λ_decay": opt.lr_decay,
        "λ₁": trace.exercise.regularization.l1,  # the penalty's strengths, from the exercise
        "λ₂": trace.exercise.regularization.l2,
        **dropout_rates(trace),
    }


def dropout_rates(trace: Trace) -> dict[str, float]:
    """Dropout's p of each hidden layer, from the exercise: p in the notes' one-hidden-layer
    network of the sequential notation, p(l) (p⁽ˡ⁾) otherwise."""
    dropout, sizes = trace.exercise.dropout, trace.exercise.sizes
    if dropout is None:
        return {}
    one = trace.exercise.notation == "sequential" and len(sizes) == 3
    return {"p" if one else f"p({layer})": dropout.rate(layer) for layer in range(2, len(sizes))}


def slope_of(trace: Trace | ExpressionTrace) -> float:
    if isinstance(trace, Trace):
        for f in trace.exercise.activations:
            if f.slope is not None:
                return f.slope
    return 0.01


# -- which quantity a symbol names --------------------------------------------------------------
AMBIGUOUS = object()


@dataclass
class Names:
    """Symbol → value of the quantity it names, within one step's section (names lose @s)."""

    table: dict[Sym, object]
    settings: dict[str, float]

    def lookup(self, extra: dict[Sym, float] | None = None) -> Callable[[Sym], float]:
        def find(sym: Sym) -> float:
            if extra and sym in extra:
                return extra[sym]
            if sym in self.table:
                value = self.table[sym]
                assert value is not AMBIGUOUS, f"{sym.text} names two different quantities"
                return value  # type: ignore[return-value]
            assert sym.text in self.settings, f"unknown symbol {sym.text!r}"
            return self.settings[sym.text]

        return find


def names_of(trace: Trace | ExpressionTrace, refs: list[Ref], step: int | None) -> Names:
    table: dict[Sym, object] = {}
    for ref in refs:
        sym = trace.symbol(ref, step=step)
        value = trace.value(ref)
        if sym in table and table[sym] is not AMBIGUOUS and table[sym] != value:
            table[sym] = AMBIGUOUS
        else:
            table.setdefault(sym, value)
    return Names(table, settings(trace))


def chain_symbols(trace: Trace | ExpressionTrace, ref: Ref) -> dict[Sym, float]:
    """∂z/∂w = the activation w multiplies, ∂z_i/∂a_j = w_ij: the last factor of a chain."""
    if not isinstance(trace, Trace):
        return {}
    s, n = ref.step, ref.sample
    if ref.kind in (Kind.GRAD_W, Kind.DATA_GRAD_W):  # the data term, with regularisation
        layer, (j, k) = ref.layer, ref.index
        z = Ref(Kind.Z, layer, (j,), 1, s)
        w = Ref(Kind.WEIGHT, layer, (j, k), step=s)
        below = Ref(Kind.INPUT, 1, (k,), 1) if layer == 2 else Ref(Kind.A, layer - 1, (k,), 1, s)
        if layer > 2 and trace.exercise.dropout_mask(layer - 1) is not None:
            below = Ref(Kind.DROPPED, layer - 1, (k,), 1, s)  # w multiplies ã = a·m/(1 − p)
        return {trace.derivative_symbol(z, w): trace.value(below)}
    if ref.kind is Kind.DE_DA_TERM:
        layer, (j, i) = ref.layer, ref.index
        z = Ref(Kind.Z, layer + 1, (i,), n, s)
        a = Ref(Kind.A, layer, (j,), n, s)
        if trace.exercise.dropout_mask(layer) is not None:
            a = Ref(Kind.DROPPED, layer, (j,), n, s)  # z_i reads ã_j: ∂z_i/∂ã_j = w_ij
        return {
            trace.derivative_symbol(z, a): trace.value(Ref(Kind.WEIGHT, layer + 1, (i, j), step=s))
        }
    return {}


# -- the Unicode text, parsed back --------------------------------------------------------------
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-", strict=True))
_FUNCTIONS = sorted(
    [*_calls(0.01)],
    key=len,
    reverse=True,
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[−+-]?\d+)?|nan|inf")


class TextParser:
    """Reads a numbers form as printed: + − × · / ^ ², ½, f(…), unary −, parentheses.

    Products and quotients are one left-associative level (a / b × c = (a / b)·c), as a reader
    takes them; a power binds tighter than a unary minus (−a² = −(a²)).
    """

    def __init__(self, text: str, slope: float) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0
        self.calls = _calls(slope)

    def parse(self) -> float:
        value = self.sum()
        assert self.pos == len(self.text), f"left over: {self.text[self.pos :]!r} in {self.text!r}"
        return value

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def take(self, token: str) -> bool:
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def sum(self) -> float:
        value = self.product()
        while True:
            if self.take("+"):
                value += self.product()
            elif self.take("−"):
                value -= self.product()
            else:
                return value

    def product(self) -> float:
        value = self.unary()
        while True:
            if self.take("×") or self.take("·"):
                value *= self.unary()
            elif self.take("/"):
                value /= self.unary()
            else:
                return value

    def unary(self) -> float:
        if self.take("−"):
            assert self.peek() != "−", f"two minus signs in a row in {self.text!r}"
            return -self.unary()
        if self.take("½"):
            return 0.5 * self.power()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.peek() and self.peek() in _SUPERSCRIPTS:
            digits = ""
            while self.peek() and self.peek() in _SUPERSCRIPTS:
                digits += _SUPERSCRIPTS[self.text[self.pos]]
                self.pos += 1
            assert self.peek() not in ("^",) and self.peek() not in _SUPERSCRIPTS
            return base ** int(digits)
        if self.take("^"):
            return base ** self.atom()
        return base

    def atom(self) -> float:
        if self.take("("):
            value = self.sum()
            assert self.take(")"), self.text
            return value
        if self.take("|"):  # |w|: an absolute value
            value = self.sum()
            assert self.take("|"), self.text
            return abs(value)
        for name in _FUNCTIONS:
            if self.take(name + "("):
                args = [self.sum()]
                while self.take(","):
                    args.append(self.sum())
                assert self.take(")"), self.text
                return self.calls[name](*args)
        match = _NUMBER.match(self.text, self.pos)
        assert match, f"expected a number at {self.text[self.pos :]!r} in {self.text!r}"
        self.pos = match.end()
        return float(match.group().replace("−", "-"))


def as_printed(expr: Expr, decimals: int) -> Expr:
    """The tree with each number rounded as the text prints it."""
    match expr:
        case Num(value=value, given=given):
            text = format_given(value) if given else format_number(value, decimals)
            return Num(float(text))
        case Add(terms=terms):
            return Add(tuple(as_printed(t, decimals) for t in terms))
        case Mul(factors=factors):
            return Mul(tuple(as_printed(f, decimals) for f in factors))
        case Neg(operand=inner):
            return Neg(as_printed(inner, decimals))
        case Paren(inner=inner):
            return Paren(as_printed(inner, decimals))
        case Frac(numerator=a, denominator=b):
            return Frac(as_printed(a, decimals), as_printed(b, decimals))
        case Pow(base=a, exponent=b):
            return Pow(as_printed(a, decimals), as_printed(b, decimals))
        case Call(function=function, args=args):
            return Call(function, tuple(as_printed(a, decimals) for a in args))
    return expr


def check_text(expr: Expr, slope: float, decimals: int = 8) -> None:
    """The printed text of a numbers form means the tree: parsed back, the same value."""
    text = math_text(expr, decimals)
    assert "−−" not in text and "− −" not in text and "+ −" not in text, text
    assert "·" not in text, f"numbers are multiplied with ×: {text}"
    read = TextParser(text, slope).parse()
    meant = evaluate(as_printed(expr, decimals), slope=slope)
    if math.isfinite(meant):
        assert math.isclose(read, meant, rel_tol=1e-12, abs_tol=1e-15), (text, read, meant)


# -- the check of one solution ----------------------------------------------------------------
def check_solution(trace: Trace | ExpressionTrace) -> int:
    """Every quantity's equation (as the worked solution or --only prints it); returns how many
    were checked. Big networks and late steps are summarised in the whole solution, so each
    quantity's equation is built as --only builds it."""
    shown = worked_solution(trace).equations()
    by_step: dict[int | None, list[Ref]] = {}
    for ref in trace.refs():
        by_step.setdefault(ref.step, []).append(ref)
    final = max((s for s in by_step if s is not None), default=None)
    steps = {None, *range(1, DETAILED_STEPS + 1), final}  # every rule, without 1000 steps of it
    refs = [ref for s in by_step if s in steps for ref in by_step[s]]
    equations = {ref: equation(trace, ref) for ref in refs}
    assert set(shown) <= set(equations.values())
    slope = slope_of(trace)
    names: dict[int | None, Names] = {}
    checked = 0
    for ref, eq in equations.items():
        if eq is None:
            continue
        assert trace.ref(eq.name) == ref
        value = trace.value(ref)
        assert eq.value == value or (math.isnan(eq.value) and math.isnan(value)), eq.name
        if not math.isfinite(value):
            continue
        where = f"{eq.name} = {' = '.join(math_text(f) for f in eq.forms)} = {value!r}"

        # the numbers form: the last form when it has no symbol, else the lone number it was
        formula = trace.formula(ref)
        assert formula is not None, eq.name
        values = [trace.value(r) for r in formula.inputs]
        given = [
            Num(v, given=trace.formula(r) is None)
            for v, r in zip(values, formula.inputs, strict=True)
        ]
        numeric = formula.rule.display(given, values, numbers=True)
        try:
            assert close(evaluate(numeric, slope=slope), value), where
        except SymbolInNumbers as error:
            pytest.fail(f"symbol {error} in the numbers form of {where}")
        last = eq.forms[-1]
        if symbols_in(last):
            assert isinstance(numeric, Num), f"no numbers form in {where}"
        else:
            assert close(evaluate(last, slope=slope), value), where
            check_text(last, slope)

        # the rule's symbolic form over symbols standing for its own inputs
        own = [Sym(f"#{i}", f"#{i}") for i in range(len(values))]
        by_input = dict(zip(own, values, strict=True))
        symbolic = formula.rule.display(own, values, numbers=False)
        lookup = Names({}, settings(trace)).lookup(by_input)
        assert close(evaluate(symbolic, lookup, slope), value), (where, symbolic)

        # every form shown, each symbol standing for the quantity it names
        if ref.step not in names:
            near = [r for s in (None, ref.step, (ref.step or 1) - 1) for r in by_step.get(s, [])]
            names[ref.step] = names_of(trace, near, ref.step)
        lookup = names[ref.step].lookup(chain_symbols(trace, ref))
        for form in eq.forms:
            assert close(evaluate(form, lookup, slope), value), (where, math_text(form))
        checked += 1
    return checked


# -- exercises: the project's, and generated ones covering every rule ---------------------------
PROJECT = sorted(p.stem for p in EXERCISES.glob("*.toml"))


@pytest.mark.parametrize("name", PROJECT)
def test_project_exercises(name: str) -> None:
    assert check_solution(backviz.solve(EXERCISES / f"{name}.toml")) > 0


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def network(
    *,
    sizes: tuple[int, ...] = (2, 3, 3),
    activation: str | list[str] = "sigmoid",
    loss: str = "half_sse",
    bias: bool = True,
    samples: int = 1,
    reduction: str = "mean",
    steps: int = 3,
    notation: str = "layered",
    slope: float | None = None,
    seed: int = 0,
    **training: object,
) -> str:
    """A small exercise with hand-sized random numbers."""
    rng = random.Random(seed)

    def matrix(rows: int, cols: int, scale: float = 1.0) -> list[list[float]]:
        return [[round(rng.uniform(-scale, scale), 2) for _ in range(cols)] for _ in range(rows)]

    W = [matrix(sizes[i + 1], sizes[i]) for i in range(len(sizes) - 1)]
    b = [[round(rng.uniform(-0.5, 0.5), 2) for _ in range(n)] for n in sizes[1:]]
    inputs = matrix(samples, sizes[0], 2.0)
    if loss == "ce":
        targets: list = [rng.randrange(sizes[-1]) for _ in range(samples)]
    elif loss == "bce":
        targets = [[rng.choice([0.0, 1.0, 0.3]) for _ in range(sizes[-1])] for _ in range(samples)]
    else:
        targets = matrix(samples, sizes[-1])
    lines = [
        f'id = "generated-{seed}"',
        f'notation = "{notation}"',
        "[network]",
        f"sizes = {_toml(list(sizes))}",
        f"activation = {_toml(activation)}",
        f"bias = {_toml(bias)}",
        f'loss = "{loss}"',
    ]
    if slope is not None:
        lines.append(f"negative_slope = {slope!r}")
    lines += ["[parameters]", f"W = {_toml(W)}"]
    if bias:
        lines.append(f"b = {_toml(b)}")
    lines += ["[data]", f"inputs = {_toml(inputs)}", f"targets = {_toml(targets)}"]
    lines += [
        "[training]",
        f"learning_rate = {training.pop('learning_rate', 0.3)!r}",
        f"steps = {steps}",
        f'reduction = "{reduction}"',
    ]
    lines += [f"{key} = {_toml(value)}" for key, value in training.items()]
    return "\n".join(lines) + "\n"


HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
OUTPUT_LOSS = [
    ("sigmoid", "half_sse"),
    ("tanh", "sse"),
    ("identity", "mse"),
    ("relu", "half_sse"),
    ("leaky_relu", "mse"),
    ("sigmoid", "bce"),
    ("identity", "ce"),
    ("softmax", "ce"),
    ("softmax", "half_sse"),
    ("softmax", "mse"),
]
# (bias, samples, reduction, notation), taken in turn
SHAPES = [
    (True, 3, "mean", "layered"),
    (False, 1, "mean", "sequential"),
    (True, 1, "sum", "sequential"),
    (False, 3, "sum", "layered"),
    (True, 3, "sum", "sequential"),
]
ACTIVATION_CASES = [
    (hidden, output, loss, *SHAPES[i % len(SHAPES)])
    for i, (hidden, (output, loss)) in enumerate((h, ol) for h in HIDDEN for ol in OUTPUT_LOSS)
]


@pytest.mark.parametrize(
    ("hidden", "output", "loss", "bias", "samples", "reduction", "notation"), ACTIVATION_CASES
)
def test_activations_and_losses(
    hidden: str, output: str, loss: str, bias: bool, samples: int, reduction: str, notation: str
) -> None:
    text = network(
        activation=[hidden, output],
        loss=loss,
        bias=bias,
        samples=samples,
        reduction=reduction,
        notation=notation,
        slope=0.2 if "leaky_relu" in (hidden, output) else None,
        steps=2,
        seed=len(hidden) * 31 + len(output) * 7 + len(loss),
    )
    assert check_solution(backviz.trace_of(backviz.loads(text))) > 0


OPTIMISERS = [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "dampening": 0.3},
    {"momentum": 0.8, "nesterov": True},
    {"weight_decay": 0.05},
    {"momentum": 0.9, "dampening": 0.1, "weight_decay": 0.05},
    {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    {"optimizer": "adam", "learning_rate": 0.05},
    {"optimizer": "adam", "learning_rate": 0.05, "weight_decay": 0.1, "betas": [0.8, 0.99]},
    {"optimizer": "adamw", "learning_rate": 0.05},
    {"optimizer": "adamw", "learning_rate": 0.05, "weight_decay": 0.0},
    {"optimizer": "adamw", "learning_rate": 0.05, "weight_decay": 0.2, "eps": 1e-6},
]


@pytest.mark.parametrize("samples", [1, 3])
@pytest.mark.parametrize("training", OPTIMISERS, ids=lambda t: "-".join(map(str, t.items())))
def test_optimisers(training: dict, samples: int) -> None:
    text = network(
        activation=["tanh", "sigmoid"],
        sizes=(2, 2, 2),
        samples=samples,
        reduction="sum" if samples == 1 else "mean",
        steps=3,
        notation="sequential" if samples == 1 else "layered",
        seed=samples,
        **training,
    )
    assert check_solution(backviz.trace_of(backviz.loads(text))) > 0


def test_deep_network_with_relu_and_leaky_relu() -> None:
    text = network(
        sizes=(3, 4, 3, 2),
        activation=["relu", "leaky_relu", "identity"],
        slope=0.1,
        loss="ce",
        samples=3,
        steps=2,
        seed=11,
    )
    assert check_solution(backviz.trace_of(backviz.loads(text))) > 0


EXPRESSIONS = [
    (
        {"w": 0.7, "x": -1.3, "b": 0.4},
        [
            "u = w * x + b",
            "e1 = exp(u)",
            "l = log(e1 + w**2)",
            "s = sqrt(l * l + 1)",
            "c = sin(u) * cos(w) - tanh(x)",
            "g = sigmoid(c) + relu(u) + relu(-x)",
            "p = w ** 3 - x ** 2 / 2",
            "q = w ** b",
            "r = (s + 1) ** (w - b)",
            "d = (g - p) / (q + r)",
            "f = -d + c * s - l / e1 - 2 ** -x",
        ],
    ),
    (
        {"x": -0.5, "y": 2.0},
        [
            "a = -x ** 2 + (-x) ** 3",
            "b = -(a - y) / -(x * y)",
            "c = exp(a) ** 2 + exp(-a) / 2",
            "d = sqrt(c) ** y - 1 / (x * x + y)",
            "e = -sigmoid(d) * -tanh(x) - -x",
            "f = e / (a * b) / c - (b - c) * (d / y)",
        ],
    ),
    ({"w": 2.0, "x": -3.0}, ["h = 1 / (w * w + x)", "k = h ** w", "f = -k - -h"]),
]


@pytest.mark.parametrize(("inputs", "nodes"), EXPRESSIONS)
def test_expressions(inputs: dict[str, float], nodes: list[str]) -> None:
    table = ", ".join(f"{k} = {v!r}" for k, v in inputs.items())
    text = (
        f'id = "e"\nkind = "expression"\n[expression]\ninputs = {{ {table} }}\n'
        f"nodes = {_toml(nodes)}\n"
    )
    assert check_solution(backviz.trace_of(backviz.loads(text))) > 0


# -- printers: nestings that are easy to get wrong ----------------------------------------------
x, y = Sym("x", "x"), Sym("y", "y")
TWO = Num(2, given=True)


@pytest.mark.parametrize(
    "expr",
    [
        Add((Num(0.4, True), Neg(Num(-0.5, True)))),
        Neg(Num(-3, True)),
        Neg(Neg(Num(3, True))),
        Add((Num(1, True), Num(-2, True), Neg(Neg(Num(3, True))))),
        Mul((Num(2, True), Neg(Num(3, True)))),
        Mul((Num(-2, True), Num(-3, True))),
        Frac(Num(1, True), Frac(Num(2, True), Num(4, True))),
        Frac(Frac(Num(1, True), Num(2, True)), Num(4, True)),
        Frac(Mul((Num(2, True), Num(3, True))), Mul((Num(4, True), Num(5, True)))),
        Mul((Frac(Num(1, True), Num(2, True)), Frac(Num(3, True), Num(4, True)))),
        Mul((Num(3, True), Frac(Num(1, True), Num(2, True)), Num(5, True))),
        Pow(Frac(Num(1, True), Num(2, True)), TWO),
        Pow(Neg(Num(2, True)), TWO),
        Pow(Num(-2, True), TWO),
        Pow(Num(2, True), Neg(Num(1, True))),
        Pow(Num(2, True), Pow(Num(3, True), TWO)),
        Pow(Pow(Num(2, True), Num(3, True)), TWO),
        Pow(Num(2, True), Num(-1, True)),
        Pow(Num(2, True), Num(0.5, True)),
        Pow(Num(2, True), Add((Num(1, True), Num(0.5, True)))),
        Pow(Call("exp", (Num(0.3, True),)), TWO),
        Neg(Pow(Num(2, True), TWO)),
        Neg(Frac(Num(1, True), Num(4, True))),
        Frac(Neg(Num(1, True)), Num(4, True)),
        Frac(Num(1, True), Neg(Num(4, True))),
        Frac(Num(1, True), Num(-4, True)),
        Add((Num(1, True), Neg(Add((Num(2, True), Num(3, True)))))),
        Add((Num(1, True), Neg(Frac(Num(2, True), Num(3, True))))),
        Add((Num(1, True), Neg(Mul((Num(2, True), Num(3, True)))))),
        Mul((Frac(Num(1, True), TWO), Pow(Paren(Add((Num(1, True), Neg(Num(3, True))))), TWO))),
        Frac(Num(1, True), Pow(Num(2, True), Num(3, True))),
        Frac(Pow(Num(2, True), Num(3, True)), Num(5, True)),
        Call("max", (Num(0, True), Num(-1.5, True))),
        Mul((Frac(Num(1, True), TWO), Num(3, True))),
        Mul((Frac(Num(1, True), TWO), Paren(Add((Num(1, True), Num(2, True)))))),
        Call("√", (Frac(Num(1, True), Num(4, True)),)),
    ],
)
def test_text_of_nestings_reads_back(expr: Expr) -> None:
    check_text(expr, 0.01)


def test_text_puts_a_derivative_symbol_in_parentheses_when_raised_to_a_power() -> None:
    d = Sym("∂E/∂W5", r"\frac{\partial E}{\partial W_{5}}")
    assert math_text(Pow(d, TWO)) == "(∂E/∂W5)²"
    assert math_text(Frac(Num(1, True), d)) == "1 / (∂E/∂W5)"


@pytest.mark.parametrize(
    ("expr", "latex"),
    [
        (Pow(Call("exp", (x,)), TWO), r"\left(e^{x}\right)^{2}"),
        (Pow(Sym("a(2)_1", "a^{(2)}_{1}"), TWO), r"\left(a^{(2)}_{1}\right)^{2}"),
        (Pow(Sym("W5⁺", "{W_{5}}^{+}"), TWO), r"\left({W_{5}}^{+}\right)^{2}"),
        (Pow(Sym("W5", "W_{5}"), TWO), r"W_{5}^{2}"),
        (Pow(Frac(x, y), TWO), r"\left(\frac{x}{y}\right)^{2}"),
        (Pow(Call("tanh", (x,)), TWO), r"\tanh\left(x\right)^{2}"),
        (Add((x, Neg(Num(-3, True)))), r"x - \left(-3\right)"),
        (Neg(Num(-3, True)), r"-\left(-3\right)"),
        (Add((x, Neg(Neg(y)))), r"x - \left(-y\right)"),
    ],
)
def test_latex_nestings(expr: Expr, latex: str) -> None:
    assert math_latex(expr) == latex


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        (Pow(Call("exp", (x,)), TWO), '<msup><mrow><mo stretchy="false">(</mo><msup><mi>e</mi>'),
        (Pow(Frac(x, y), TWO), "<msup><mrow><mo>(</mo><mfrac>"),
        (
            Add((x, Neg(Num(-3, True)))),
            '<mo>−</mo><mrow><mo stretchy="false">(</mo><mrow><mo>−</mo><mn>3</mn>',
        ),
    ],
)
def test_mathml_nestings(expr: Expr, fragment: str) -> None:
    assert fragment in math_mathml(expr)


def test_text_parenthesises_a_quotient_before_another_factor_and_over_another_quotient() -> None:
    one, b, c = Num(1, True), Sym("b", "b"), Sym("c", "c")
    assert math_text(Mul((Frac(one, b), c))) == "(1 / b)·c"
    assert math_text(Mul((c, Frac(one, b)))) == "c·1 / b"  # c·(1/b) = (c·1)/b: either reading
    assert math_text(Frac(Frac(one, b), c)) == "(1 / b) / c"
    assert math_text(Frac(Sym("∂E/∂o1", "x"), TWO)) == "(∂E/∂o1) / 2"


def test_numbers_are_multiplied_with_times_even_without_a_bare_number() -> None:
    product = Mul((Paren(Add((Num(1, True), Neg(Num(0.3, True))))), Call("log", (Num(0.4),))))
    assert math_text(product) == "(1 − 0.3) × log(0.40000000)"
    assert r"\times" in math_latex(product)
    assert "×" in math_mathml(product)


def solution_text(text: str) -> str:
    from backviz.render import render_solution

    return render_solution(backviz.trace_of(backviz.loads(text)), "text")


def test_optimiser_settings_show_as_written() -> None:
    adam = solution_text(network(sizes=(2, 1), activation="sigmoid", optimizer="adam", steps=1))
    assert "m_W(2)_11 = (1 − β₁)·∂E/∂W(2)_11 = 0.1 × " in adam
    assert "v_W(2)_11 = (1 − β₂)·(∂E/∂W(2)_11)² = 0.001 × " in adam
    sgd = solution_text(network(sizes=(2, 1), momentum=0.9, dampening=0.1, steps=2))
    assert "m_W(2)_11 = μ·m_W(2)_11@1 + (1 − τ)·∂E/∂W(2)_11 = 0.9 × " in sgd
    assert " + 0.9 × " in sgd.split("m_W(2)_11 = μ")[1].splitlines()[0]


def expression_text(inputs: str, nodes: list[str]) -> str:
    return solution_text(
        f'id = "e"\nkind = "expression"\n[expression]\ninputs = {{ {inputs} }}\n'
        f"nodes = {_toml(nodes)}\n"
    )


def test_expression_derivatives_read_as_a_person_writes_them() -> None:
    text = expression_text(
        "w = 0.5, x = 2, b = 1", ["u = w * x * b", "v = w ** 3 - x / u", "f = 2 ** -v"]
    )
    # an input that is 1 still shows in the numbers form (simplified by structure, not by value)
    assert "∂u/∂w (local) = x·b = 2 × 1 = " in text
    assert "∂v/∂w (local) = 3 × w² = 3 × 0.5² = " in text  # a written exponent is lowered
    assert "∂v/∂u (local) = x / u² = " in text  # −(−x / u²), without the double minus
    assert "∂f/∂v (local) = −2^(−v)·log(2) = " in text  # no ·(−1)


def test_autograd_square_as_the_notes_write_it() -> None:
    text = render_solution_of("autograd-square")
    assert "∂y/∂w (local) = 2 × w = 2 × 2 = 4.00000000" in text


def render_solution_of(name: str, fmt: str = "text") -> str:
    from backviz.render import render_solution

    return render_solution(backviz.solve(EXERCISES / f"{name}.toml"), fmt)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is installed by ./run setup")
@pytest.mark.parametrize(
    "text",
    [
        # tanh′ = 1 − a⁽²⁾₁², Adam's v = (1 − β₂)·(∂E/∂W)², softmax, several samples and steps
        network(activation=["tanh", "softmax"], loss="mse", samples=2, steps=2, optimizer="adam"),
        network(
            activation=["leaky_relu", "sigmoid"],
            slope=0.1,
            loss="bce",
            momentum=0.9,
            dampening=0.2,
            weight_decay=0.01,
            steps=2,
            notation="sequential",
        ),
    ],
    ids=["layered-adam", "sequential-sgd"],
)
def test_latex_of_generated_exercises_compiles(tmp_path, text: str) -> None:
    from backviz.render import render_solution

    latex = render_solution(backviz.trace_of(backviz.loads(text)), "latex")
    (tmp_path / "s.tex").write_text(latex, encoding="utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize(("output", "loss"), [("sigmoid", "mse"), ("softmax", "half_sse")])
def test_sequential_path_symbol_means_what_it_says(output: str, loss: str) -> None:
    trace = backviz.trace_of(
        backviz.loads(
            network(
                activation=["sigmoid", output],
                loss=loss,
                sizes=(2, 2, 2),
                steps=1,
                notation="sequential",
                bias=False,
            )
        )
    )
    ref = trace.ref("dE/dh1 via z3")
    if trace.symbol(ref).text != "∂E_o1/∂h1":
        return
    v = {name: trace.value(trace.ref(name)) for name in ("o1", "o2", "t1", "W5", "W7")}
    # ∂E_o1/∂h1 with E_o1 = (t1 − o1)² or ½(t1 − o1)², through every path from h1 to o1
    d_term = (-2 if loss == "mse" else -1) * (v["t1"] - v["o1"])
    if output == "sigmoid":
        expected = d_term * v["o1"] * (1 - v["o1"]) * v["W5"]
    else:
        expected = d_term * v["o1"] * ((1 - v["o1"]) * v["W5"] - v["o2"] * v["W7"])
    assert close(trace.value(ref), expected)
