"""The Trace: every named quantity of a network exercise with its value, formula and inputs.

The engine fills the per-step arrays (`StepRecord`); the per-scalar view (`refs`, `value`,
`formula`, `name`) is derived from them on demand, so a 784-256-10 network costs no more than
its arrays. Solution text, diagrams, checks and grading read quantities from here only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .exercise import NetworkExercise
from .functions import Loss
from .mathexpr import Name, Partial, Sym
from .notation import Namer, normalize_name, symbol_of
from .quantities import KINDS, Kind, Ref
from .quantity_trace import QuantityTrace

if TYPE_CHECKING:
    from .formulas import Formula

__all__ = ["LAYER_ARRAYS", "Backward", "Forward", "StepRecord", "Trace"]


@dataclass(frozen=True)
class Forward:
    """One forward pass: z and a per non-input layer (N, n_l), and the loss (None w/o targets).

    With regularisation, `loss` is E = E_data + the penalty terms, `data_loss` is E_data and
    `penalty` holds each term by norm ("L1": λ₁Σ|w|, "L2": λ₂Σw²); without, they are unset.
    """

    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]
    terms: np.ndarray | None  # (N, J) loss term per output node; None for cross-entropy
    per_sample: np.ndarray | None  # (N,)
    loss: float | None
    dropped: tuple[np.ndarray | None, ...] = ()  # ã = a·m/(1 − p) per layer (training pass)
    dropout_factors: tuple[np.ndarray | None, ...] = ()  # m/(1 − p) per layer, as applied
    data_loss: float | None = None
    penalty: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Backward:
    """One backward pass: per non-input layer ∂E/∂a, ∂a/∂z (None for softmax), δ; gradients.

    With regularisation, `grad_W`/`grad_b` are the whole ∂E/∂w: the data term
    (`data_grad_W`/`data_grad_b`) plus each penalty's (`penalty_grad_W`/`penalty_grad_b`, per
    layer a dict by norm; a bias outside the penalty has none).
    """

    dE_da: tuple[np.ndarray, ...]
    da_dz: tuple[np.ndarray | None, ...]
    delta: tuple[np.ndarray, ...]
    grad_W: tuple[np.ndarray, ...]
    grad_b: tuple[np.ndarray | None, ...]
    data_grad_W: tuple[np.ndarray, ...] | None = None
    data_grad_b: tuple[np.ndarray | None, ...] | None = None
    penalty_grad_W: tuple[dict[str, np.ndarray], ...] | None = None
    penalty_grad_b: tuple[dict[str, np.ndarray], ...] | None = None


@dataclass(frozen=True)
class StepRecord:
    """Everything one training step computed. `after` is the forward pass with the new weights."""

    step: int
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray | None, ...]
    forward: Forward
    backward: Backward | None
    W_new: tuple[np.ndarray, ...] | None
    b_new: tuple[np.ndarray | None, ...] | None
    state_W: tuple[dict[str, np.ndarray], ...] | None
    state_b: tuple[dict[str, np.ndarray], ...] | None
    after: Forward | None


def _forward_field(name: str) -> Callable[[StepRecord, bool], Any]:
    def get(record: StepRecord, after: bool) -> Any:
        forward = record.after if after else record.forward
        return None if forward is None else getattr(forward, name)

    return get


def _backward_field(name: str) -> Callable[[StepRecord, bool], Any]:
    def get(record: StepRecord, after: bool) -> Any:
        return None if record.backward is None else getattr(record.backward, name)

    return get


def _step_field(name: str) -> Callable[[StepRecord, bool], Any]:
    def get(record: StepRecord, after: bool) -> Any:
        return getattr(record, name)

    return get


# Where each kind that is one array per layer lives in a step's record (`after`: the forward
# pass with the updated weights): z and a (N, n_l); W, ∂E/∂W, W⁺ (n_l, n_(l-1)); b, ∂E/∂b, b⁺
# (n_l,) or None without bias; ∂E/∂a, ∂a/∂z (None for softmax), δ (N, n_l).
LAYER_ARRAYS: dict[Kind, Callable[[StepRecord, bool], tuple[np.ndarray | None, ...] | None]] = {
    Kind.Z: _forward_field("z"),
    Kind.A: _forward_field("a"),
    Kind.WEIGHT: _step_field("W"),
    Kind.BIAS: _step_field("b"),
    Kind.DE_DA: _backward_field("dE_da"),
    Kind.DA_DZ: _backward_field("da_dz"),
    Kind.DELTA: _backward_field("delta"),
    Kind.GRAD_W: _backward_field("grad_W"),
    Kind.GRAD_B: _backward_field("grad_b"),
    Kind.UPDATE_W: _step_field("W_new"),
    Kind.UPDATE_B: _step_field("b_new"),
}


class Trace(QuantityTrace):
    """All quantities of a network exercise's training steps."""

    def __init__(self, exercise: NetworkExercise, steps: tuple[StepRecord, ...]) -> None:
        self.exercise = exercise
        self.steps = steps
        self.namer = Namer(
            exercise.notation,
            exercise.sizes,
            exercise.bias,
            exercise.n_samples,
            len(steps),
            shared_bias=exercise.shared_bias,
        )

    # -- structure ----------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return self.exercise.n_layers

    @property
    def n_steps(self) -> int:
        return len(self.steps)

    @property
    def loss(self) -> Loss:
        """The loss as applied to the output layer (see `NetworkExercise.output_loss`)."""
        return self.exercise.output_loss

    def summary(self) -> str:
        ex = self.exercise
        first, last = self.steps[0], self.steps[-1]
        sizes = "-".join(map(str, ex.sizes))
        text = f"{ex.id}: {sizes} network, {len(self.steps)} step(s)"
        if first.forward.loss is not None:
            text += f", E = {first.forward.loss:.8f}"
        if last.after is not None and last.after.loss is not None:
            text += f" → {last.after.loss:.8f}"
        return text

    def _has_loss(self) -> bool:
        return self.exercise.targets is not None

    # -- the quantities in the order a person computes them -------------------------------
    def refs(self) -> Iterator[Ref]:
        """Every quantity: given values, then per step forward, loss, backward, update, after."""
        ex = self.exercise
        N, sizes, L = ex.n_samples, ex.sizes, ex.n_layers
        for n in range(1, N + 1):
            for k in range(1, sizes[0] + 1):
                yield Ref(Kind.INPUT, 1, (k,), n)
        if self._has_loss():
            for n in range(1, N + 1):
                for j in range(1, sizes[-1] + 1):
                    yield Ref(Kind.TARGET, L, (j,), n)
        for n in range(1, N + 1):  # dropout's masks, given (or drawn from the exercise's seed)
            for layer in range(2, L):
                if ex.dropout_mask(layer) is not None:
                    yield from (
                        Ref(Kind.MASK, layer, (j,), n) for j in range(1, sizes[layer - 1] + 1)
                    )
        for record in self.steps:
            s = record.step
            yield from self._params(s, Kind.WEIGHT, Kind.BIAS)
            yield from self._forward_refs(s, after=False)
            if record.backward is None:
                continue
            for layer in range(L, 1, -1):
                yield from self._backward_refs(s, layer)
            yield from self._forward_refs(s, after=True)

    def _params(
        self,
        s: int,
        weight: Kind,
        bias: Kind,
        layers: range | None = None,
        *,
        trained: bool = False,
    ) -> Iterator[Ref]:
        """W and b (or their gradients, updates: `trained`, none for frozen biases) of layers."""
        ex = self.exercise
        sizes = ex.sizes
        for layer in layers or range(2, self.n_layers + 1):
            for j in range(1, sizes[layer - 1] + 1):
                for k in range(1, sizes[layer - 2] + 1):
                    yield Ref(weight, layer, (j, k), step=s)
            if not trained or ex.trains_bias_of(layer):
                for j in range(1, ex.bias_count(layer) + 1):
                    yield Ref(bias, layer, (j,), step=s)

    def _forward_refs(self, s: int, *, after: bool) -> Iterator[Ref]:
        ex = self.exercise
        N, sizes, L = ex.n_samples, ex.sizes, ex.n_layers
        for n in range(1, N + 1):
            for layer in range(2, L + 1):
                nodes = range(1, sizes[layer - 1] + 1)
                if ex.activations[layer - 2].vector:
                    yield from (Ref(Kind.Z, layer, (j,), n, s, after) for j in nodes)
                    yield from (Ref(Kind.A, layer, (j,), n, s, after) for j in nodes)
                else:
                    dropped = not after and ex.dropout_mask(layer) is not None
                    for j in nodes:
                        yield Ref(Kind.Z, layer, (j,), n, s, after)
                        yield Ref(Kind.A, layer, (j,), n, s, after)
                        if dropped:
                            yield Ref(Kind.DROPPED, layer, (j,), n, s)
        if not self._has_loss():
            return
        for n in range(1, N + 1):
            if self.loss.has_terms:
                for j in range(1, sizes[-1] + 1):
                    yield Ref(Kind.LOSS_TERM, L, (j,), n, s, after)
            if N > 1:
                yield Ref(Kind.SAMPLE_LOSS, None, (), n, s, after)
        if self.exercise.regularization.active:  # E = E_data + λ₁Σ|w| + λ₂Σw²
            yield Ref(Kind.DATA_LOSS, None, (), None, s, after)
            for norm in self.exercise.regularization.norms:
                yield Ref(Kind.PENALTY, None, (), None, s, after, label=(norm,))
        yield Ref(Kind.LOSS, None, (), None, s, after)

    def _backward_refs(self, s: int, layer: int) -> Iterator[Ref]:
        ex = self.exercise
        N, sizes = ex.n_samples, ex.sizes
        f = ex.activations[layer - 2]
        nodes = range(1, sizes[layer - 1] + 1)
        for n in range(1, N + 1):
            if f.vector:  # softmax: every ∂E/∂a_i enters every δ_j
                for j in nodes:
                    yield from self._dE_da_refs(layer, j, n, s)
                yield from (Ref(Kind.DELTA, layer, (j,), n, s) for j in nodes)
                continue
            for j in nodes:
                yield from self._dE_da_refs(layer, j, n, s)
                yield Ref(Kind.DA_DZ, layer, (j,), n, s)
                yield Ref(Kind.DELTA, layer, (j,), n, s)
        yield from self._gradient_refs(s, layer)
        here = range(layer, layer + 1)
        for slot in ex.training.optimizer.slots:
            for ref in self._params(s, Kind.WEIGHT, Kind.BIAS, here, trained=True):
                param = "b" if ref.kind is Kind.BIAS else "W"
                yield Ref(Kind.STATE, layer, ref.index, None, s, label=(slot, param))
        yield from self._params(s, Kind.UPDATE_W, Kind.UPDATE_B, here, trained=True)

    def _gradient_refs(self, s: int, layer: int) -> Iterator[Ref]:
        """∂E/∂W and ∂E/∂b of a layer; with regularisation, each penalised parameter's data
        term and penalty terms first, then their sum."""
        reg = self.exercise.regularization
        here = range(layer, layer + 1)
        for ref in self._params(s, Kind.GRAD_W, Kind.GRAD_B, here, trained=True):
            bias = ref.kind is Kind.GRAD_B
            if reg.active and reg.includes(bias):
                data = Kind.DATA_GRAD_B if bias else Kind.DATA_GRAD_W
                yield replace(ref, kind=data)
                for norm in reg.norms:
                    label = (norm, "b" if bias else "W")
                    yield replace(ref, kind=Kind.PENALTY_GRAD, label=label)
            yield ref

    def _dE_da_refs(self, layer: int, j: int, n: int, s: int) -> Iterator[Ref]:
        if self.exercise.dropout_mask(layer) is not None:  # ∂ã/∂a: the link of every path
            yield Ref(Kind.DROPPED_DA, layer, (j,), n, s)
        if layer < self.n_layers:
            for i in range(1, self.exercise.sizes[layer] + 1):
                yield Ref(Kind.DE_DA_TERM, layer, (j, i), n, s)
        yield Ref(Kind.DE_DA, layer, (j,), n, s)

    # -- values ----------------------------------------------------------------------------
    def value(self, ref: Ref) -> float:
        """The quantity's value (float64)."""
        return float(self._value(ref))

    def _value(self, ref: Ref) -> float | np.floating:
        ex = self.exercise
        kind = ref.kind
        n = (ref.sample or 1) - 1
        jk = tuple(x - 1 for x in ref.index)  # (j,) for a node or a bias, (j, k) for a weight
        if kind is Kind.INPUT:
            return ex.inputs[(n, *jk)]
        if kind is Kind.TARGET:
            assert ex.targets is not None
            return ex.targets[(n, *jk)]
        if kind is Kind.MASK:
            return ex.dropout_mask(ref.layer or 0)[(n, *jk)]  # type: ignore[index]
        record = self.steps[(ref.step or 1) - 1]
        i = (ref.layer or 0) - 2
        if kind is Kind.DROPPED:  # ã of the training pass (dropout is off after the update)
            return record.forward.dropped[i][(n, *jk)]  # type: ignore[index]
        if kind is Kind.DROPPED_DA:  # m/(1 − p), as the engine applied it
            return record.forward.dropout_factors[i][(n, *jk)]  # type: ignore[index]
        if kind in LAYER_ARRAYS:
            array = LAYER_ARRAYS[kind](record, ref.after)[i]  # type: ignore[index]
            return array[(n, *jk)] if KINDS[kind].per_sample else array[jk]
        if kind in (Kind.LOSS_TERM, Kind.SAMPLE_LOSS, Kind.LOSS, Kind.DATA_LOSS, Kind.PENALTY):
            fwd = record.after if ref.after else record.forward
            assert fwd is not None
            if kind is Kind.DATA_LOSS:
                return fwd.data_loss  # type: ignore[return-value]
            if kind is Kind.PENALTY:
                return fwd.penalty[ref.label[0]]
            if kind is Kind.LOSS_TERM:
                return fwd.terms[(n, *jk)]  # type: ignore[index]
            if kind is Kind.SAMPLE_LOSS:
                return fwd.per_sample[n]  # type: ignore[index]
            return fwd.loss  # type: ignore[return-value]
        if kind is Kind.STATE:
            slot, param = ref.label
            states = record.state_W if param == "W" else record.state_b
            return states[i][slot][jk]  # type: ignore[index]
        if kind in (Kind.DATA_GRAD_W, Kind.DATA_GRAD_B):  # with regularisation only
            assert record.backward is not None
            data = record.backward.data_grad_W if kind is Kind.DATA_GRAD_W else None
            data = record.backward.data_grad_b if data is None else data
            return data[i][jk]  # type: ignore[index]
        if kind is Kind.PENALTY_GRAD:
            assert record.backward is not None
            norm, param = ref.label
            grads = (
                record.backward.penalty_grad_W if param == "W" else record.backward.penalty_grad_b
            )
            return grads[i][norm][jk]  # type: ignore[index]
        if kind is Kind.DE_DA_TERM:  # δ_i⁽ˡ⁺¹⁾ · w_ij⁽ˡ⁺¹⁾: one path's share of ∂E/∂a_j
            assert record.backward is not None
            j, path = jk
            share = record.backward.delta[i + 1][n, path] * record.W[i + 1][path, j]
            factors = record.forward.dropout_factors
            if factors and factors[i] is not None:  # through ã_j: times ∂ã_j/∂a_j = m_j/(1 − p)
                return share * factors[i][n, j]  # type: ignore[index]
            return share
        raise KeyError(ref)

    def arrays(
        self, kind: Kind, step: int = 1, *, after: bool = False
    ) -> tuple[np.ndarray | None, ...] | None:
        """The kind's array of every non-input layer at `step` (index 0 is layer 2), as the
        engine computed them; None when the step has none (a forward-only step's gradients)."""
        return LAYER_ARRAYS[kind](self.steps[step - 1], after)

    # -- formulas --------------------------------------------------------------------------
    def formula(self, ref: Ref) -> Formula | None:
        """How the quantity is computed from others; None for given values (x, t, initial W)."""
        from .wiring import formula_of  # the rules load only when formulas are asked for

        return formula_of(self, ref)

    # -- names -----------------------------------------------------------------------------
    def name(self, ref: Ref) -> str:
        """The quantity's name in the exercise's notation."""
        return self.namer.name(ref)

    def _not_computed(self, name: str) -> str:
        """A frozen bias's gradient or update: the layer and the setting that freezes it."""
        ex = self.exercise
        wanted = normalize_name(name)
        for layer in range(2, self.n_layers + 1):
            if not ex.bias[layer - 2] or ex.trains_bias_of(layer) or not ex.trains:
                continue
            for s in range(1, ex.training.steps + 1):
                for kind in (Kind.GRAD_B, Kind.UPDATE_B):
                    for j in range(1, ex.bias_count(layer) + 1):
                        if normalize_name(self.name(Ref(kind, layer, (j,), step=s))) == wanted:
                            return (
                                f"layer {layer}'s biases are frozen ([training] train_bias): "
                                "given, with no gradient and no update"
                            )
        return ""

    def _aliases(self) -> Iterator[tuple[str, Ref]]:
        """The notes write the path of h1 through o1 as ∂E_o1/∂h1: accepted as its name too."""
        for ref in self.refs():
            notes = self._notes_spelling(ref)
            if notes is not None:
                yield notes, ref

    def _notes_spelling(self, ref: Ref) -> str | None:
        """dE_o1/dh1 (with the quantity's suffixes) for a path through an output node whose
        share of E is a loss term of its own, as the notes write it; None otherwise."""
        if (
            ref.kind is not Kind.DE_DA_TERM
            or self.namer.notation != "sequential"
            or ref.layer != self.n_layers - 1
            or not self._paths_are_loss_terms()
        ):
            return None
        term = self.namer.name(Ref(Kind.LOSS_TERM, self.n_layers, (ref.index[1],)))
        a_name = self.namer.name(Ref(Kind.A, ref.layer, (ref.index[0],)))
        suffixes = self.name(ref)[len(self.namer.name(Ref(ref.kind, ref.layer, ref.index))) :]
        return f"d{term}/d{a_name}{suffixes}"

    def symbol(self, ref: Ref, *, step: int | None = None) -> Sym:
        """The quantity as a display symbol; a path through an output node as the notes write
        it, ∂E_o1/∂h1. Within the section of `step`, that step's @s is left out."""
        if step is not None and ref.step == step:
            ref = replace(ref, step=None)
        parts = self.namer.parts(ref)
        if self._notes_spelling(ref) is not None:  # ∂E/∂h1 via z3 as the notes write it: ∂E_o1/∂h1
            assert isinstance(parts, Partial) and parts.via is not None
            term = self.namer.parts(Ref(Kind.LOSS_TERM, self.n_layers, (ref.index[1],)))
            assert isinstance(term, Name)
            parts = replace(parts, top=term, via=None)
        return symbol_of(parts)

    def _paths_are_loss_terms(self) -> bool:
        """Whether δ_o1·W5 is ∂E_o1/∂h1, as the notes write it: E is the plain sum of the
        output terms (½Σ or Σ, not a mean) and each term reaches h1 only through its own o."""
        return (
            self.loss.has_terms
            and self.loss.combine == "sum"
            and not self.exercise.activations[-1].vector
        )
