"""Names of quantities in the two notations, and the one number formatter.

sequential (the notes' 2-2-2 example): x1, x2; z1..z4 numbered across layers; hidden
activations h1, h2, outputs o1, o2; weights W1..W8 numbered row by row, layer by layer;
E_o1, E_total; dE/do1, dE/dh1 via z3, do1/dz3, delta_o1; dE/dW5, W5+; biases b1.., b1+.

layered (any size): x_1, z(2)_1, a(2)_1, W(2)_12, b(2)_1, E_1, E, dE/da(3)_1,
dE/da(2)_1 via z(3)_2, da(3)_1/dz(3)_1, delta(3)_1, dE/dW(2)_12, W(2)_12+.

Suffixes, in this order: `+` for a forward quantity recomputed after the update (z1+,
E_total+), `[n]` for sample n when there are several, `@s` for step s when there are several.
Indices are joined by a comma when any is ≥ 10: W(2)_10,3.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .quantities import Kind, Ref

__all__ = ["NOTATIONS", "Namer", "format_number", "normalize_name"]

NOTATIONS = ("layered", "sequential")


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
    text = unicodedata.normalize("NFKC", name).strip()
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
        before = sum(self.sizes[m] for m in range(1, layer - 1) if self.bias[m - 1])
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
        if bias:
            return f"b({layer})_{index[0]}"
        return f"W({layer})_{self._pair(*index)}"

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
            case Kind.LOSS_TERM:
                return f"E_o{j}" if seq else f"E_{j}"
            case Kind.SAMPLE_LOSS | Kind.LOSS:
                return "E_total" if seq else "E"
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
            case Kind.STATE:
                slot, param = ref.label
                return f"{slot}_" + self._weight(layer, ref.index, param == "b")
        raise ValueError(f"no name for {ref}")


# -- typeset forms of names (for the worked solution's math) --------------------------------
_SUFFIX = re.compile(r"(?P<base>.*?)(?P<plus>\+)?(?P<sample>\[\d+\])?(?P<step>@\d+)?$")
_ATOM = re.compile(r"(?P<letters>[A-Za-z]+)(?P<digits>\d*)(?:\((?P<layer>\d+)\))?(?:_(?P<sub>.+))?")
_GREEK = {"delta": r"\delta", "eta": r"\eta"}


def _latex_atom(atom: str) -> str:
    match = _ATOM.fullmatch(atom)
    if match is None:
        return rf"\mathrm{{{atom}}}"
    letters, digits, layer, sub = match.group("letters", "digits", "layer", "sub")
    head = _GREEK.get(letters, letters if len(letters) == 1 else rf"\mathrm{{{letters}}}")
    if layer:
        head += f"^{{({layer})}}"
    if digits:
        return f"{head}_{{{digits}}}"
    if sub:
        if sub.replace(",", "").isdigit():
            return f"{head}_{{{sub}}}"
        inner = _latex_atom(sub) if _ATOM.fullmatch(sub) else rf"\mathrm{{{sub}}}"
        return f"{head}_{{{inner}}}"
    return head


def _latex_base(base: str) -> str:
    if base.endswith(" (local)"):
        return _latex_base(base[: -len(" (local)")]) + r"\ (\text{local})"
    if " via " in base:
        term, through = base.split(" via ")
        return rf"\left.{_latex_base(term)}\right|_{{{_latex_base(through)}}}"
    if base.startswith("d") and "/d" in base:
        top, bottom = base[1:].split("/d", 1)
        return rf"\frac{{\partial {_latex_base(top)}}}{{\partial {_latex_base(bottom)}}}"
    return _latex_atom(base)


def latex_name(name: str) -> str:
    """A quantity's name typeset in LaTeX: dE/dW5 → \\frac{\\partial E}{\\partial W_{5}}."""
    match = _SUFFIX.fullmatch(name)
    assert match is not None
    text = _latex_base(match.group("base"))
    if match.group("plus"):
        text = f"{{{text}}}^{{+}}"
    if match.group("sample"):
        text += match.group("sample")
    if match.group("step"):
        text += r"\,@" + match.group("step")[1:]
    return text


def pretty_name(name: str) -> str:
    """A quantity's name for reading: dE/dW5 → ∂E/∂W5, delta_o1 → δ_o1, W5+ → W5⁺."""
    match = _SUFFIX.fullmatch(name)
    assert match is not None
    base = match.group("base")
    if base.startswith("d") and "/d" in base:
        top, bottom = base[1:].split("/d", 1)
        base = f"∂{top}/∂{bottom}"
    base = base.replace("delta", "δ")
    return (
        base
        + ("⁺" if match.group("plus") else "")
        + (match.group("sample") or "")
        + (match.group("step") or "")
    )


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
