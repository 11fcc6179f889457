"""Exercises as typed, validated data: a fully connected network or a scalar expression.

An `Exercise` is what `load` (in `loading/`) returns after validating a TOML file; nothing
here computes. Layers are counted from 1 as in the course notes: layer 1 is the input layer,
so `W[0]` holds W⁽²⁾, the weights into layer 2, with shape (n₂, n₁): row j, column k is
w_jk⁽²⁾, the weight into node j of layer 2 from node k of layer 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .display import Displayable
from .dropout import Dropout
from .functions import LOSSES, Activation, Loss
from .optimizers import Optimizer
from .quantities import ASK_KINDS, KINDS, Ref, ask_group
from .regularization import Regularization

__all__ = [
    "ASK_KINDS",
    "Ask",
    "CodeSpec",
    "Exercise",
    "ExpressionExercise",
    "NetworkExercise",
    "Training",
]

# What is asked when an exercise says nothing (`[ask] kinds` may name any of ASK_KINDS);
# "dropout" (ã) only where an exercise has dropout, "penalty" only where it has regularisation.
DEFAULT_ASK_KINDS = (
    "z", "a", "dropout", "loss", "penalty", "dE/da", "da/dz", "delta", "grad", "update"
)  # fmt: skip


@dataclass(frozen=True)
class CodeSpec:
    """A coding exercise (the optional `[code]` table): students write `function` themselves.

    The function is called as `function(W, b, x, t, learning_rate)` with the exercise's
    numbers (W: one (n_l, n_{l-1}) array per non-input layer; b: one array or None per
    layer; x: (N, n_1); t: (N, n_L), one-hot for cross-entropy) and returns a dict with
    one entry per non-input layer under each of "z", "a", "delta", "dW", "db", "W_new",
    "b_new" (the JSON contract of `solve`). It is graded on the exercise's own numbers and on
    `cases` more drawn at random, in the sandbox.

    With `contract = "train"` the function trains instead: `function(W, b, x, t,
    learning_rate, steps)` runs `steps` steps of the exercise's optimiser and returns the
    weights after each, a list of `steps` pairs (W, b), W and b lists as given
    (`grading/code_training.py`).
    """

    function: str = "backward"
    contract: str = "backward"  # "backward": one step's every number; "train": k steps' weights
    cases: int = 3
    modules: tuple[str, ...] = ("numpy",)
    wall_seconds: float = 20.0


@dataclass(frozen=True)
class Ask:
    """What an answer sheet asks, and the marks (the exercise's optional `[ask]` table)."""

    kinds: tuple[str, ...] = DEFAULT_ASK_KINDS
    names: tuple[str, ...] = ()  # exactly these quantities, when given (overrides kinds)
    steps: tuple[int, ...] = (1,)
    marks: dict[str, float] = field(default_factory=dict)  # by name or kind; default 1
    carried_credit: float = 1.0  # share of the marks for an error carried forward
    mistake_credit: dict[str, float] = field(default_factory=dict)  # by mistake id
    significant: int = 1  # the least precision: significant figures of the right value (step)
    imprecise_credit: float = 0.0  # share of the marks for a right answer below that precision

    def covers(self, ref: Ref) -> bool:
        """Whether `kinds` and `steps` ask the quantity (given numbers never are; `names`, when
        given, is matched by name instead)."""
        if ref.step not in self.steps or KINDS[ref.kind].ask is None:
            return False
        return ask_group(ref) in self.kinds


@dataclass(frozen=True)
class Training:
    """How the weights are trained: the optimiser, the number of steps, the sample reduction."""

    optimizer: Optimizer
    steps: int = 1
    reduction: str = "mean"  # over samples: "mean" (as torch) or "sum"
    # False: the biases are frozen (given, never updated); or one per non-input layer, as the
    # file says it ([false, true]: layer 2's frozen, layer 3's trained)
    train_bias: bool | tuple[bool, ...] = True

    @property
    def learning_rate(self) -> float:
        return self.optimizer.learning_rate

    def trains_bias_in(self, layer: int) -> bool:
        """Whether layer l's biases (l ≥ 2) are trained: the one setting, or the layer's own."""
        if isinstance(self.train_bias, bool):
            return self.train_bias
        return self.train_bias[layer - 2]


class _Described(Displayable):
    """What every kind of exercise shows: its title and description in a language."""

    id: str
    title: dict[str, str]
    description: dict[str, str]

    def title_in(self, lang: str, fallback: str | None = None) -> str:
        """The title in `lang`, else in English, else `fallback` (the exercise's id)."""
        return self.title.get(lang) or self.title.get(
            "en", self.id if fallback is None else fallback
        )

    def description_in(self, lang: str) -> list[str]:
        """The description's paragraphs (split at blank lines) in `lang`, else in English;
        none without a description."""
        text = self.description.get(lang) or self.description.get("en") or ""
        return [part.strip() for part in text.split("\n\n") if part.strip()]


@dataclass(frozen=True)
class NetworkExercise(_Described):
    """A fully connected network with its weights, samples and training settings."""

    id: str
    title: dict[str, str]
    notation: str  # "layered" | "sequential"
    sizes: tuple[int, ...]  # nodes per layer, input first
    activations: tuple[Activation, ...]  # one per non-input layer
    bias: tuple[bool, ...]  # one per non-input layer
    loss_name: str  # as written in the file: half_sse | sse | mse | bce | ce
    W: tuple[np.ndarray, ...]  # W[l-2]: (n_l, n_{l-1})
    b: tuple[np.ndarray | None, ...]  # b[l-2]: (n_l,) or None without bias
    inputs: np.ndarray  # (N, n_1)
    targets: np.ndarray | None  # (N, n_L); one-hot rows for ce; None for forward-only
    classes: np.ndarray | None  # (N,) class indices for ce, else None
    training: Training
    source: str = ""  # the file it was read from
    description: dict[str, str] = field(default_factory=dict)
    ask: Ask = field(default_factory=Ask)
    student: str | None = None  # set in a per-student variant: whose exercise this is
    code: CodeSpec | None = None  # a coding exercise: students write the function
    # per non-input layer: one bias shared by all its nodes (b[l-2] then has shape (1,));
    # () when no layer shares one
    shared_bias: tuple[bool, ...] = ()
    dropout: Dropout | None = None  # dropout on the hidden layers (rates and masks)
    regularization: Regularization = field(default_factory=Regularization)  # λ₁Σ|w| + λ₂Σw² in E
    # cross-entropy: how the file wrote each sample's target, "index" (2 or [2]) or "row" (a
    # one-hot or probability row), so that a variant writes it back the same way; () otherwise
    target_forms: tuple[str, ...] = ()

    kind = "network"

    def shares_bias(self, layer: int) -> bool:
        """Whether layer l's nodes share one bias b⁽ˡ⁾ (z_j = Σ_k w_jk·a_k + b for every j)."""
        return bool(self.shared_bias) and self.shared_bias[layer - 2]

    def bias_count(self, layer: int) -> int:
        """How many biases layer l has: none, one shared, or one per node."""
        if not self.bias[layer - 2]:
            return 0
        return 1 if self.shares_bias(layer) else self.sizes[layer - 1]

    def bias_index(self, layer: int, j: int) -> int:
        """The index of the bias node j of layer l adds: its own, or the shared one (1)."""
        return 1 if self.shares_bias(layer) else j

    @property
    def n_layers(self) -> int:
        return len(self.sizes)

    @property
    def n_samples(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def output_loss(self) -> Loss:
        """The loss as applied to the output layer: `ce` after a softmax output layer is the
        negative log of the softmax's output ("nll"), otherwise the loss as written."""
        if self.loss_name == "ce" and self.activations[-1].vector:
            return LOSSES["nll"]
        return LOSSES[self.loss_name]

    def dropout_mask(self, layer: int) -> np.ndarray | None:
        """The dropout mask m of `layer` (N, n_l), None where nothing is dropped."""
        return None if self.dropout is None else self.dropout.mask(layer)

    @property
    def trains(self) -> bool:
        """False for a forward-only exercise (steps = 0, e.g. the notes' step-function gates)."""
        return self.training.steps > 0

    def trains_bias_of(self, layer: int) -> bool:
        """Whether layer l's bias gets gradients and updates (False without one, when frozen,
        or forward-only)."""
        return self.trains and self.bias[layer - 2] and self.training.trains_bias_in(layer)

    @property
    def trains_bias(self) -> bool:
        """Whether any layer's bias gets gradients and updates."""
        return any(self.trains_bias_of(layer) for layer in range(2, self.n_layers + 1))

    @property
    def freezes_bias(self) -> bool:
        """Whether some layer has a bias that is not trained (in an exercise that trains)."""
        return self.trains and any(
            self.bias[layer - 2] and not self.trains_bias_of(layer)
            for layer in range(2, self.n_layers + 1)
        )


@dataclass(frozen=True)
class ExpressionExercise(_Described):
    """A scalar computational graph: named inputs, then assignments `name = expression`."""

    id: str
    title: dict[str, str]
    inputs: dict[str, float]
    nodes: tuple[tuple[str, str], ...]  # (name, expression source) in order
    output: str
    source: str = ""
    description: dict[str, str] = field(default_factory=dict)

    kind = "expression"


Exercise = NetworkExercise | ExpressionExercise
