"""Names of quantities in the two notations, and the one number formatter.

sequential (the notes' 2-2-2 example): x1, x2; z1..z4 numbered across layers; hidden
activations h1, h2, outputs o1, o2; weights W1..W8 numbered row by row, layer by layer;
E_o1, E_total; dE/do1, dE/dh1 via z3, do1/dz3, delta_o1; dE/dW5, W5+; biases b1.., b1+.

layered (any size): x_1, z(2)_1, a(2)_1, W(2)_12, b(2)_1, E_1, E, dE/da(3)_1,
dE/da(2)_1 via z(3)_2, da(3)_1/dz(3)_1, delta(3)_1, dE/dW(2)_12, W(2)_12+.

dropout: the rate p (the notes' one hidden layer) / p(2) of each hidden layer (set as p⁽²⁾), a
setting as η is; the mask m_h1 / m(2)_1, the dropped-out activation h~1 / a~(2)_1 (set as h̃₁,
ã⁽²⁾₁; ã and h̃ are accepted for a~ and h~) and its derivative dh~1/dh1 / da~(2)_1/da(2)_1
(∂h̃₁/∂h₁ = m/(1 − p), the link of a path through ã).
With regularisation, in both: E_data, the penalty terms E_L1 and E_L2, and each weight's
gradient in parts: dE_data/dW5, dE_L1/dW5, dE_L2/dW5 (dE/dW5 is their sum).

Suffixes, in this order: `+` for a forward quantity recomputed after the update (z1+,
E_total+), `[n]` for sample n when there are several, `@s` for step s when there are several.
Indices are joined by a comma when any is ≥ 10: W(2)_10,3.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from .mathexpr import Name, Partial, Sym, Symbol
from .quantities import Kind, Ref

__all__ = [
    "NOTATIONS",
    "TILDE",
    "Namer",
    "format_given",
    "format_number",
    "identifier_name",
    "normalize_name",
    "symbol_of",
    "symbol_text",
    "without_suffixes",
]

NOTATIONS = ("layered", "sequential")
TILDE = "\u0303"  # combining tilde: ã, h̃ (dropout's dropped-out activations)


def format_number(value: float, decimals: int = 8) -> str:
    """A value as people read it: fixed decimals (8 as the notes), scientific when tiny or huge."""
    if value != value:  # NaN
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 10 ** (-decimals) * 100 or magnitude >= 1e12):
        return f"{value:.{max(decimals - 2, 1)}e}"
    text = f"{value:.{decimals}f}"
    return "0." + "0" * decimals if text == "-0." + "0" * decimals else text


def normalize_name(name: str) -> str:
    """The form names are compared in: NFKC, no spaces, ∂ → d, δ → delta, lower case."""
    # ã and h̃ (a combining tilde) as a~ and h~, the names of dropped-out activations
    text = unicodedata.normalize("NFD", name).replace("\u0303", "~")
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.replace("∂", "d").replace("δ", "delta").replace("⁺", "+")
    text = re.sub(r"\s+", "", text).lower()
    # Accepted spellings of the same thing: E_total and Etotal in derivatives, dE_o1/dh1 paths.
    text = re.sub(r"^de_?total/", "de/", text)
    return text


@dataclass(frozen=True)
class Namer:
    """Names quantities of one network exercise (its sizes, biases, samples and steps)."""

    notation: str
    sizes: tuple[int, ...]
    bias: tuple[bool, ...]
    n_samples: int
    n_steps: int
    shared_bias: tuple[bool, ...] = ()  # per non-input layer: one bias for all its nodes

    # -- numbering for the sequential notation -------------------------------------------
    def _z_number(self, layer: int, j: int) -> int:
        return sum(self.sizes[1 : layer - 1]) + j

    def _a_name(self, layer: int, j: int) -> str:
        if layer == 1:
            return f"x{j}"
        if layer == len(self.sizes):
            return f"o{j}"
        return f"h{sum(self.sizes[1 : layer - 1]) + j}"

    def _w_number(self, layer: int, j: int, k: int) -> int:
        before = sum(self.sizes[m] * self.sizes[m - 1] for m in range(1, layer - 1))
        return before + (j - 1) * self.sizes[layer - 2] + k

    def _b_number(self, layer: int, j: int) -> int:
        before = sum(
            1 if self._shared(m + 1) else self.sizes[m]
            for m in range(1, layer - 1)
            if self.bias[m - 1]
        )
        return before + j

    # -- pieces shared by both notations -------------------------------------------------
    @staticmethod
    def _pair(j: int, k: int) -> str:
        return f"{j},{k}" if j >= 10 or k >= 10 else f"{j}{k}"

    def _weight(self, layer: int, index: tuple[int, ...], bias: bool) -> str:
        if self.notation == "sequential":
            if bias:
                return f"b{self._b_number(layer, index[0])}"
            return f"W{self._w_number(layer, *index)}"
        if bias:  # one bias shared by the layer's nodes: b(l), as b⁽ˡ⁾
            return f"b({layer})" if self._shared(layer) else f"b({layer})_{index[0]}"
        return f"W({layer})_{self._pair(*index)}"

    def _shared(self, layer: int) -> bool:
        return bool(self.shared_bias) and self.shared_bias[layer - 2]

    def _z(self, layer: int, j: int) -> str:
        if self.notation == "sequential":
            return f"z{self._z_number(layer, j)}"
        return f"z({layer})_{j}"

    def _a(self, layer: int, j: int) -> str:
        if self.notation == "sequential":
            return self._a_name(layer, j)
        return f"x_{j}" if layer == 1 else f"a({layer})_{j}"

    def _suffix(self, ref: Ref) -> str:
        text = "+" if ref.after else ""
        if ref.sample is not None and self.n_samples > 1:
            text += f"[{ref.sample}]"
        if ref.step is not None and self.n_steps > 1:
            text += f"@{ref.step}"
        return text

    def name(self, ref: Ref) -> str:
        """The quantity's name in this notation."""
        return self._base(ref) + self._suffix(ref)

    def _base(self, ref: Ref) -> str:
        seq = self.notation == "sequential"
        kind, layer = ref.kind, ref.layer or 0
        j = ref.index[0] if ref.index else 0
        match kind:
            case Kind.INPUT:
                return f"x{j}" if seq else f"x_{j}"
            case Kind.TARGET:
                return f"t{j}" if seq else f"t_{j}"
            case Kind.WEIGHT | Kind.BIAS:
                return self._weight(layer, ref.index, kind is Kind.BIAS)
            case Kind.UPDATE_W | Kind.UPDATE_B:
                return self._weight(layer, ref.index, kind is Kind.UPDATE_B) + "+"
            case Kind.Z:
                return self._z(layer, j)
            case Kind.A:
                return self._a(layer, j)
            case Kind.MASK:
                return f"m_{self._a(layer, j)}" if seq else f"m({layer})_{j}"
            case Kind.DROPPED:
                a = self._a(layer, j)
                return f"{a[0]}~{a[1:]}" if seq else f"a~({layer})_{j}"
            case Kind.DROPPED_DA:
                a = self._a(layer, j)
                return f"d{a[0]}~{a[1:]}/d{a}" if seq else f"da~({layer})_{j}/d{a}"
            case Kind.LOSS_TERM:
                return f"E_o{j}" if seq else f"E_{j}"
            case Kind.SAMPLE_LOSS | Kind.LOSS:
                return "E_total" if seq else "E"
            case Kind.DATA_LOSS:
                return "E_data"
            case Kind.PENALTY:
                return f"E_{ref.label[0]}"
            case Kind.DE_DA:
                return f"dE/d{self._a(layer, j)}"
            case Kind.DE_DA_TERM:
                return f"dE/d{self._a(layer, j)} via {self._z(layer + 1, ref.index[1])}"
            case Kind.DA_DZ:
                return f"d{self._a(layer, j)}/d{self._z(layer, j)}"
            case Kind.DELTA:
                return f"delta_{self._a(layer, j)}" if seq else f"delta({layer})_{j}"
            case Kind.GRAD_W | Kind.GRAD_B:
                return "dE/d" + self._weight(layer, ref.index, kind is Kind.GRAD_B)
            case Kind.DATA_GRAD_W | Kind.DATA_GRAD_B:
                return "dE_data/d" + self._weight(layer, ref.index, kind is Kind.DATA_GRAD_B)
            case Kind.PENALTY_GRAD:
                norm, param = ref.label
                return f"dE_{norm}/d" + self._weight(layer, ref.index, param == "b")
            case Kind.STATE:
                slot, param = ref.label
                return f"{slot}_" + self._weight(layer, ref.index, param == "b")
        raise ValueError(f"no name for {ref}")

    # -- the same quantity's symbol, in parts ------------------------------------------------
    def parts(self, ref: Ref) -> Symbol:
        """The quantity's symbol as a textbook sets it (`Name`/`Partial`); its text is
        `symbol_text`, which reads as the name does (δ_o1 for delta_o1, ∂E/∂W5 for dE/dW5)."""
        base = self._base_parts(ref)
        sample = ref.sample if ref.sample is not None and self.n_samples > 1 else None
        step = ref.step if ref.step is not None and self.n_steps > 1 else None
        if isinstance(base, Partial):
            return replace(base, sample=sample, step=step)
        return replace(base, after=base.after or ref.after, sample=sample, step=step)

    def _weight_parts(self, layer: int, index: tuple[int, ...], bias: bool) -> Name:
        letter = "b" if bias else "W"
        if self.notation == "sequential":
            number = self._b_number(layer, index[0]) if bias else self._w_number(layer, *index)
            return Name(letter, index=(number,), compact=True)
        if bias and self._shared(layer):
            return Name(letter, layer, ())
        return Name(letter, layer, index[:1] if bias else index)

    def _z_parts(self, layer: int, j: int) -> Name:
        if self.notation == "sequential":
            return Name("z", index=(self._z_number(layer, j),), compact=True)
        return Name("z", layer, (j,))

    def _a_parts(self, layer: int, j: int) -> Name:
        if self.notation == "sequential":
            text = self._a_name(layer, j)
            return Name(text[0], index=(int(text[1:]),), compact=True)
        return Name("x", index=(j,)) if layer == 1 else Name("a", layer, (j,))

    def _dropped_parts(self, layer: int, j: int) -> Name:
        a = self._a_parts(layer, j)
        return replace(a, letter=a.letter + TILDE)

    def rate(self, layer: int) -> Sym:
        """Dropout's rate p of a hidden layer as a setting's symbol (as η is): p in the
        sequential notation of one hidden layer, as the notes write it; p⁽ˡ⁾ otherwise, one
        per layer (the sequential notation numbers nodes across layers, not layers)."""
        one_hidden = self.notation == "sequential" and len(self.sizes) == 3
        return symbol_of(Name("p") if one_hidden else Name("p", layer))

    def _node_parts(self, letter: str, j: int) -> Name:
        return Name(letter, index=(j,), compact=self.notation == "sequential")

    def _base_parts(self, ref: Ref) -> Symbol:
        seq = self.notation == "sequential"
        kind, layer = ref.kind, ref.layer or 0
        j = ref.index[0] if ref.index else 0
        loss = Name("E")
        match kind:
            case Kind.INPUT:
                return self._node_parts("x", j)
            case Kind.TARGET:
                return self._node_parts("t", j)
            case Kind.WEIGHT | Kind.BIAS:
                return self._weight_parts(layer, ref.index, kind is Kind.BIAS)
            case Kind.UPDATE_W | Kind.UPDATE_B:
                weight = self._weight_parts(layer, ref.index, kind is Kind.UPDATE_B)
                return replace(weight, after=True)
            case Kind.Z:
                return self._z_parts(layer, j)
            case Kind.A:
                return self._a_parts(layer, j)
            case Kind.MASK:
                return (
                    Name("m", subscript=self._a_parts(layer, j)) if seq else Name("m", layer, (j,))
                )
            case Kind.DROPPED:  # ã, h̃: the letter with a tilde
                return self._dropped_parts(layer, j)
            case Kind.DROPPED_DA:  # ∂ã/∂a = m/(1 − p)
                return Partial(self._dropped_parts(layer, j), self._a_parts(layer, j))
            case Kind.LOSS_TERM:
                term = Name("E", subscript=self._node_parts("o", j))
                return term if seq else Name("E", index=(j,))
            case Kind.SAMPLE_LOSS | Kind.LOSS:
                return Name("E", subscript="total") if seq else loss
            case Kind.DATA_LOSS:
                return Name("E", subscript="data")
            case Kind.PENALTY:
                return Name("E", subscript=ref.label[0])
            case Kind.DE_DA:
                return Partial(loss, self._a_parts(layer, j))
            case Kind.DE_DA_TERM:
                through = self._z_parts(layer + 1, ref.index[1])
                return Partial(loss, self._a_parts(layer, j), via=through)
            case Kind.DA_DZ:
                return Partial(self._a_parts(layer, j), self._z_parts(layer, j))
            case Kind.DELTA:
                delta = Name("δ", subscript=self._a_parts(layer, j))
                return delta if seq else Name("δ", layer, (j,))
            case Kind.GRAD_W | Kind.GRAD_B:
                return Partial(loss, self._weight_parts(layer, ref.index, kind is Kind.GRAD_B))
            case Kind.DATA_GRAD_W | Kind.DATA_GRAD_B:
                bias = kind is Kind.DATA_GRAD_B
                return Partial(
                    Name("E", subscript="data"), self._weight_parts(layer, ref.index, bias)
                )
            case Kind.PENALTY_GRAD:
                norm, param = ref.label
                term = Name("E", subscript=norm)
                return Partial(term, self._weight_parts(layer, ref.index, param == "b"))
            case Kind.STATE:
                slot, param = ref.label
                return Name(slot, subscript=self._weight_parts(layer, ref.index, param == "b"))
        raise ValueError(f"no symbol for {ref}")


# -- a name's symbol: its parts, and its one-line text ----------------------------------------
_SUPERSCRIPT_PLUS = "⁺"


def _pair(index: tuple[int, ...]) -> str:
    """Subscript numbers as names write them: 11, or 10,3 when one is ≥ 10."""
    return ("," if any(i >= 10 for i in index) else "").join(map(str, index))


def _suffixes(sample: int | None, step: int | None) -> str:
    return (f"[{sample}]" if sample is not None else "") + (f"@{step}" if step is not None else "")


def _name_text(name: Name) -> str:
    text = name.letter
    if name.layer is not None:
        text += f"({name.layer})"
    if name.index:
        text += ("" if name.compact else "_") + _pair(name.index)
    if isinstance(name.subscript, Name):
        text += "_" + _name_text(name.subscript)
    elif name.subscript is not None:
        text += "_" + name.subscript
    text += (_SUPERSCRIPT_PLUS if name.after else "") + ("ᵀ" if name.transposed else "")
    return text + _suffixes(name.sample, name.step)


def symbol_text(parts: Symbol) -> str:
    """A symbol as one line of Unicode text: δ_o1, ∂E/∂W5, W5⁺, δ(3)_1[2], ∂E/∂h1 via z3."""
    if isinstance(parts, Name):
        return _name_text(parts)
    text = f"∂{_name_text(parts.top)}/∂{_name_text(parts.bottom)}"
    if parts.via is not None:
        text += f" via {_name_text(parts.via)}"
    if parts.local:
        text += " (local)"
    return text + _suffixes(parts.sample, parts.step)


def symbol_of(parts: Symbol) -> Sym:
    """The display symbol of a quantity: its parts, and their text."""
    return Sym(symbol_text(parts), parts=parts)


def without_suffixes(parts: Symbol) -> Symbol:
    """The symbol with no ⁺, [n] or @s (as it is written inside a derivative)."""
    if isinstance(parts, Name):
        return replace(parts, after=False, sample=None, step=None)
    return replace(parts, sample=None, step=None)


def identifier_name(identifier: str) -> Name:
    """An expression node's name (a Python identifier) as a symbol: x1 and w_1 take their
    number as a subscript, x_in its word; others are set as written (g, loss)."""
    head, _, tail = identifier.partition("_")
    if tail:
        number = tail.isdigit() and (tail == "0" or not tail.startswith("0"))
        return Name(head, index=(int(tail),)) if number else Name(head, subscript=tail)
    letters = identifier.rstrip("0123456789")
    digits = identifier[len(letters) :]
    if letters and digits and (digits == "0" or not digits.startswith("0")):
        return Name(letters, index=(int(digits),), compact=True)
    return Name(identifier)


def format_given(value: float, decimals: int = 8) -> str:
    """A number as the exercise gave it (inputs, initial weights, η): 0.3, not 0.30000000.

    Numbers given with more digits than `decimals` (weights drawn from a seed) are rounded
    like computed ones.
    """
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    shortest = repr(float(value))
    if "e" not in shortest and len(shortest.split(".")[1]) > decimals:
        return format_number(value, decimals)
    text = format_number(value, 12)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return text.rstrip("0").rstrip(".")
