"""Display math: a small expression tree that formulas build and printers typeset.

Each rule in `formulas/` (and each activation and loss in `functions.py`) builds its formula
once as one of these trees, from symbols or from numbers; `render/math_*.py` print the tree as
Unicode text, LaTeX or MathML. Nothing here computes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Add",
    "Call",
    "Expr",
    "Frac",
    "Mul",
    "Name",
    "Neg",
    "Num",
    "Paren",
    "Partial",
    "Pow",
    "Sigma",
    "Sym",
    "Symbol",
    "add",
    "binding",
    "mul",
]


@dataclass(frozen=True)
class Name:
    """A quantity's symbol in the parts a textbook sets it in: w⁽²⁾₁₁⁺[3]@2.

    letter: W, z, a, x, h, o, t, b, E, δ, m, v (or an expression node's name, set as written);
    layer: the superscript (l) of the layered notation;
    index: the subscript numbers (node j; j, k of a weight w_jk);
    subscript: a subscript that is itself a name (δ with o₁, E with o₁, m with W₅) or a word
    (E with "total");
    after: the ⁺ of an updated weight or of a quantity recomputed with it;
    sample, step: the [n] of sample n and the @s of step s, where there are several;
    compact: the sequential notation's plain text, digits right after the letter (W5, x1),
    where the layered one writes an underscore (x_1, W(2)_11);
    transposed: a layer's matrix or vector transposed, W⁽ˡ⁾ᵀ (a big network's matrix form).
    """

    letter: str
    layer: int | None = None
    index: tuple[int, ...] = ()
    subscript: Name | str | None = None
    after: bool = False
    sample: int | None = None
    step: int | None = None
    compact: bool = False
    transposed: bool = False


@dataclass(frozen=True)
class Partial:
    """∂top/∂bottom, drawn as a fraction; `via` the node it is taken through (∂E/∂h₁ via z₃,
    written ∂E/∂h₁|_z₃), `local` an edge's own derivative in an expression graph."""

    top: Name
    bottom: Name
    via: Name | None = None
    local: bool = False
    sample: int | None = None
    step: int | None = None


Symbol = Name | Partial


@dataclass(frozen=True)
class Sym:
    """A named symbol: a quantity (W5, ∂E/∂o1) or a setting (η).

    `text` is its one-line Unicode form (δ_o1, ∂E/∂W5, W5⁺). A quantity carries its `parts`,
    which every typeset format prints (subscripts, superscripts, fractions); a setting carries
    its LaTeX form in `latex` instead.
    """

    text: str
    latex: str = ""
    parts: Symbol | None = None


@dataclass(frozen=True)
class Num:
    """A number. `given` numbers (inputs, initial weights, settings) print as written."""

    value: float
    given: bool = False


@dataclass(frozen=True)
class Add:
    """A sum; a `Neg` term prints as a subtraction."""

    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Mul:
    """A product; `elementwise` the Hadamard product of vectors, a ⊙ b."""

    factors: tuple[Expr, ...]
    elementwise: bool = False


@dataclass(frozen=True)
class Neg:
    """−x."""

    operand: Expr


@dataclass(frozen=True)
class Frac:
    """numerator / denominator."""

    numerator: Expr
    denominator: Expr


@dataclass(frozen=True)
class Pow:
    """base ** exponent."""

    base: Expr
    exponent: Expr


@dataclass(frozen=True)
class Call:
    """f(x) for a named function: σ, tanh, exp, log, max, √ …"""

    function: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Paren:
    """Explicit grouping the printer keeps even where precedence would not need it."""

    inner: Expr


@dataclass(frozen=True)
class Sigma:
    """Σ_index body, a sum over an index a note speaks of (Σ_k t_k = 1); `index` "" for a sum
    over everything there is (λ₁Σ|w|). Written in prose, never computed."""

    index: str
    body: Expr


Expr = Sym | Num | Add | Mul | Neg | Frac | Pow | Call | Paren | Sigma


def add(*terms: Expr) -> Expr:
    """A sum, flattened; a single term is itself."""
    flat: list[Expr] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, Add) else (term,))
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def mul(*factors: Expr) -> Expr:
    """A product, flattened; a single factor is itself."""
    flat: list[Expr] = []
    for factor in factors:
        flat.extend(factor.factors if isinstance(factor, Mul) else (factor,))
    return flat[0] if len(flat) == 1 else Mul(tuple(flat))


def binding(expr: Expr, *, fractions_delimited: bool = True) -> int:
    """How tightly an expression binds, for the printers' parentheses: sums 1, products and
    negatives (a negative number too) 2, quotients 3, powers 4, atoms 5. Where quotients are
    drawn as fractions (LaTeX, MathML) they are delimited already, so they bind as atoms."""
    if isinstance(expr, Add):
        return 1
    if isinstance(expr, Mul | Neg) or (isinstance(expr, Num) and expr.value < 0):
        return 2
    if isinstance(expr, Frac | Sigma):  # Σ_k reaches over the product after it
        return 5 if fractions_delimited else 3
    if isinstance(expr, Pow):
        return 4
    return 5
