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
