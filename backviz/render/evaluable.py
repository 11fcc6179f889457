"""Formulas as expressions a program evaluates: Python (numpy, over a whole class at once) and
JavaScript (in a page), printed from the same display trees as the worked solution.

A rule's display form over placeholder symbols v0, v1 … (its inputs) is printed by a small
subclass of the printer base; the settings it shows as symbols (η, μ, β₁ …) are read off the
same tree displayed with numbers, so an expression carries them by name (`S["η"]`) and a page
can change them. `tests/test_evaluable.py` pins every formula of every exercise: the printed
expression, evaluated at the inputs' values, is the quantity's value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..core.mathexpr import Expr, Num, Sym
from .printer import ATOM, POWER, Printer

__all__ = [
    "JS_FUNCTIONS",
    "PY_FUNCTIONS",
    "Evaluable",
    "JavaScriptPrinter",
    "PythonPrinter",
    "compile_python",
    "evaluable",
]


def _sigmoid(z: Any) -> Any:
    e = np.exp(-np.abs(z))
    return np.where(np.asarray(z) >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# The functions a display tree calls, by the name it shows (vectorised over a class).
PY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "σ": _sigmoid,
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "√": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "max": np.maximum,
    "relu′": lambda z: np.where(np.asarray(z) > 0, 1.0, 0.0),
    "leaky_relu": lambda z, slope: np.where(np.asarray(z) > 0, z, slope * np.asarray(z)),
    "leaky_relu′": lambda z, slope: np.where(np.asarray(z) > 0, 1.0, slope),
    "step": lambda z: np.where(np.asarray(z) > 0, 1.0, 0.0),
    "|": np.abs,
    "sign": np.sign,  # 0 at 0, as torch's gradient of abs
}

# The same functions for a page: `F` in the expressions printed by `JavaScriptPrinter`.
JS_FUNCTIONS = """var F = {  // var: several scripts of one page may each bring it
  "σ": (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))),
  "exp": Math.exp, "log": Math.log, "tanh": Math.tanh, "√": Math.sqrt,
  "sin": Math.sin, "cos": Math.cos, "max": Math.max,
  "relu′": (z) => (z > 0 ? 1 : 0),
  "leaky_relu": (z, s) => (z > 0 ? z : s * z),
  "leaky_relu′": (z, s) => (z > 0 ? 1 : s),
  "step": (z) => (z > 0 ? 1 : 0),
};"""


class _Evaluable(Printer):
    """What an evaluable format shares: full-precision numbers, written-out products."""

    times = dot = " * "
    plus, minus, negative, comma = " + ", " - ", "-", ", "
    fractions_delimited = False  # a / b binds as a quotient: a / (b * c)

    def __init__(self, placeholders: dict[str, int]) -> None:
        super().__init__(decimals=17)
        self.placeholders = placeholders  # placeholder symbol → input position

    def half(self) -> str | None:
        return None  # (1 / 2) * (t - o) ** 2

    def _print_Num(self, e: Num) -> str:
        text = repr(float(e.value))
        return f"({text})" if e.value < 0 else text

    def paren(self, text: str) -> str:
        return f"({text})"

    def fraction(self, numerator: Expr, denominator: Expr) -> str:
        return f"{self.parenthesize(numerator, POWER)} / {self.parenthesize(denominator, POWER)}"

    def number(self, text: str) -> str:
        return text

    def call(self, function: str, args: str) -> str:
        return f"F[{function!r}]({args})".replace("'", '"')

    def name(self, sym: Sym) -> str:
        if sym.text in self.placeholders:
            return f"v[{self.placeholders[sym.text]}]"
        return f'S["{sym.text}"]'  # a setting: η, μ, β₁ …


class PythonPrinter(_Evaluable):
    """A Python expression over `v` (the inputs), `S` (the settings) and `F` (the functions)."""

    def power(self, base: str, exponent: Expr) -> str:
        return f"{base} ** {self.parenthesize(exponent, ATOM)}"


# Functions a page calls from JavaScript's Math itself (regularisation's |w| and sign(w), whose
# Math.sign is 0 at 0, as numpy's): not in `F`, so pages without them stay as they were.
JS_MATH = {"|": "Math.abs", "sign": "Math.sign"}


class JavaScriptPrinter(_Evaluable):
    """A JavaScript expression over `v`, `S` and `F` (`JS_FUNCTIONS`), and `JS_MATH`."""

    def call(self, function: str, args: str) -> str:
        if function in JS_MATH:
            return f"{JS_MATH[function]}({args})"
        return super().call(function, args)

    def power(self, base: str, exponent: Expr) -> str:
        return f"Math.pow({base}, {self._print(exponent)})"


@dataclass(frozen=True)
class Evaluable:
    """One formula as programs evaluate it: over its inputs `v[0]`, `v[1]` … and `settings`."""

    python: str
    javascript: str
    settings: dict[str, float]


def _settings(symbolic: Expr, numeric: Expr, placeholders: dict[str, int]) -> dict[str, float]:
    """The settings a tree shows as symbols, read off the same tree displayed with numbers."""
    if isinstance(symbolic, Sym):
        if symbolic.text in placeholders or not isinstance(numeric, Num):
            return {}
        return {symbolic.text: float(numeric.value)}
    found: dict[str, float] = {}
    if type(symbolic) is not type(numeric):
        return found
    for field in fields(symbolic):  # type: ignore[arg-type]
        mine, theirs = getattr(symbolic, field.name), getattr(numeric, field.name)
        if isinstance(mine, tuple):
            for a, b in zip(mine, theirs, strict=False):
                if not isinstance(a, str):
                    found.update(_settings(a, b, placeholders))
        elif not isinstance(mine, str | float | int | bool):
            found.update(_settings(mine, theirs, placeholders))
    return found


def evaluable(rule: Any, values: Sequence[float]) -> Evaluable:
    """The rule's formula over placeholder inputs, printed for Python and JavaScript."""
    placeholders = {f"\0v{i}": i for i in range(len(values))}
    symbols = [Sym(name, name) for name in placeholders]
    symbolic = rule.display(symbols, list(values), numbers=False)
    numeric = rule.display(symbols, list(values), numbers=True)
    return Evaluable(
        PythonPrinter(placeholders).doprint(symbolic),
        JavaScriptPrinter(placeholders).doprint(symbolic),
        _settings(symbolic, numeric, placeholders),
    )


def compile_python(expression: str) -> Callable[[Sequence[Any], dict[str, float]], Any]:
    """A Python expression printed here as a function of (inputs, settings), numpy-vectorised."""
    code = compile(expression, "<formula>", "eval")

    def evaluate(v: Sequence[Any], settings: dict[str, float]) -> Any:
        with np.errstate(all="ignore"):
            return eval(code, {"F": PY_FUNCTIONS, "S": settings, "v": v, "__builtins__": {}})

    return evaluate
