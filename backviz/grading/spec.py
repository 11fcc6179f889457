"""The marking spec: what the rules of marks need to know of one exercise's asked quantities,
as plain data — the one source that the grader here, the practice page's script and the
PrairieLearn question each apply.

Per asked quantity: its right value, what its step is measured from (the old weight of an
update), its marks, its `[ask]` group, its formula as evaluable expressions over named inputs
(`render/evaluable.py`: Python and JavaScript, printed from the trace's own formulas), how many
units its unasked inputs' unwritten rounding may move it by, and each catalogued mistake's
value and credit. Per computed
quantity the sheet does not ask but an asked one reads (the path terms of ∂E/∂h): its formula
and value. Plus the given numbers and the exercise's settings (least precision, credits).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..core.exercise import Ask
from ..core.quantities import Kind, Ref, ask_group
from ..core.trace import Trace
from ..render.evaluable import evaluable
from .mistakes import Mistake
from .precision import EXACT_TOLERANCE

__all__ = [
    "HELPER_DEPTH",
    "PLACEHOLDER_CELLS",
    "PLACEHOLDER_SHARE",
    "FormulaSpec",
    "MarkingSpec",
    "MistakeSpec",
    "QuantitySpec",
    "marking_spec",
    "step_base",
]

# A placeholder: one number written for at least this share of the quantities a sheet answers
# (and at least PLACEHOLDER_CELLS of them), mostly unexplained — "written everywhere"; honest
# coarse working repeats a small number (0.01) a few times, never across a quarter of a sheet.
PLACEHOLDER_SHARE = 0.25
PLACEHOLDER_CELLS = 3
HELPER_DEPTH = 2  # unasked quantities followed this far back (∂E/∂h1 → its path terms → δ, w)


@dataclass(frozen=True)
class FormulaSpec:
    """A formula over named inputs: `v[i]` is the value of `inputs[i]`, `S` the settings."""

    inputs: tuple[str, ...]
    python: str
    javascript: str
    settings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MistakeSpec:
    """A catalogued mistake's number for one quantity, its share of the marks, why."""

    id: str
    value: float
    credit: float
    explanation: dict[str, str]


@dataclass(frozen=True)
class QuantitySpec:
    """One quantity as the rules of marks see it."""

    name: str
    value: float
    base: float  # what the step is measured from (`step_base`): the old value, else 0
    marks: float
    group: str  # its `[ask]` group (z, a, loss, … update)
    formula: FormulaSpec | None
    # how many units u the formula moves when each unasked computed input (worked by hand,
    # never written) is rounded by a unit: Σ|∂f/∂x| over them — 1 a term of a sum (∂E/∂h1's
    # path terms), |h1| for δ in δ·h1, 0 when every input is asked or given
    terms: float
    mistakes: tuple[MistakeSpec, ...] = ()


@dataclass(frozen=True)
class MarkingSpec:
    """Everything the rules of marks need for one exercise (`to_json` for a page)."""

    exercise: str
    significant: int
    carried_credit: float
    imprecise_credit: float
    exact: float  # the part of a step within which a number of unknown decimals is right
    given: dict[str, float]
    asked: tuple[QuantitySpec, ...]
    helpers: dict[str, QuantitySpec]
    placeholder_share: float = PLACEHOLDER_SHARE
    placeholder_cells: int = PLACEHOLDER_CELLS

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["asked"] = list(data["asked"])
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, allow_nan=False)


def _unwritten_slack(trace: Trace, formula: Any, asked: Any) -> float:
    """Σ|∂f/∂x| over the formula's inputs that are computed but not asked: how far, in units
    of the student's last place, rounding each such unwritten intermediate by a unit moves the
    answer (central differences on the formula itself; 1 for each term of a sum, the other
    factor for a product — never a whole unit per factor, which let 0.023 pass for 0.0259)."""
    values = [float(trace.value(r)) for r in formula.inputs]
    total = 0.0
    with np.errstate(all="ignore"):  # √v a step below v = 0: that side is not used
        here = float(formula.evaluate(values))
        for i, r in enumerate(formula.inputs):
            if r in asked or trace.formula(r) is None:
                continue
            h = 1e-6 * max(1.0, abs(values[i]))
            up, down = list(values), list(values)
            up[i] += h
            down[i] -= h
            above, below = float(formula.evaluate(up)), float(formula.evaluate(down))
            if math.isfinite(above) and math.isfinite(below):
                slope = (above - below) / (2 * h)
            else:  # one side only, where the other leaves the formula's domain
                slope = (above - here) / h if math.isfinite(above) else (here - below) / h
            total += abs(slope) if math.isfinite(slope) else 1.0
    return round(total, 6)


def step_base(trace: Trace, ref: Ref) -> float:
    """What a quantity's step is measured from (rule 1 of the marks: the old value, not
    updated, earns nothing, and precision is counted on the step): the weight (bias) before
    the update for W⁺ (b⁺); an optimiser's state's value of the step before, or before the
    first step its initial value (0, Adagrad's s₀); 0 for everything else."""
    if ref.kind is Kind.UPDATE_W:
        return trace.value(Ref(Kind.WEIGHT, ref.layer, ref.index, step=ref.step))
    if ref.kind is Kind.UPDATE_B:
        return trace.value(Ref(Kind.BIAS, ref.layer, ref.index, step=ref.step))
    if ref.kind is Kind.STATE and ref.label is not None:
        s = ref.step or 1
        if s > 1:
            return trace.value(Ref(Kind.STATE, ref.layer, ref.index, None, s - 1, label=ref.label))
        optimizer = trace.exercise.training.optimizer  # type: ignore[union-attr]
        return optimizer.initial_state(ref.label[0])
    return 0.0


def _formula(trace: Trace, ref: Ref) -> FormulaSpec | None:
    formula = trace.formula(ref)
    if formula is None:
        return None
    e = evaluable(formula.rule, [trace.value(r) for r in formula.inputs])
    names = tuple(trace.name(r) for r in formula.inputs)
    return FormulaSpec(names, e.python, e.javascript, e.settings)


def marking_spec(
    trace: Trace,
    items: list[tuple[Ref, float]],
    ask: Ask,
    mistakes: list[tuple[Mistake, Trace]],
    *,
    exact: float = EXACT_TOLERANCE,
) -> MarkingSpec:
    """The spec of the asked quantities `items` (with their marks), `ask`'s settings and the
    catalogued `mistakes` (each with the trace the engine computes with it switched on)."""
    asked = {ref for ref, _ in items}
    given: dict[str, float] = {}
    helpers: dict[str, QuantitySpec] = {}

    def reads(ref: Ref, depth: int) -> None:
        """Note the given numbers and the unasked quantities `ref`'s formula reads."""
        formula = trace.formula(ref)
        for r in formula.inputs if formula is not None else ():
            name = trace.name(r)
            if trace.formula(r) is None or (r not in asked and depth >= HELPER_DEPTH):
                given[name] = trace.value(r)  # used as it is
            elif r not in asked and name not in helpers:
                helpers[name] = QuantitySpec(
                    name, trace.value(r), 0.0, 0.0, "", _formula(trace, r), 0
                )
                reads(r, depth + 1)

    quantities = []
    for ref, marks in items:
        reads(ref, 0)
        formula = trace.formula(ref)
        terms = _unwritten_slack(trace, formula, asked) if formula is not None else 0.0
        mistaken = tuple(
            MistakeSpec(m.id, value, ask.mistake_credit.get(m.id, m.credit), dict(m.explanation))
            for m, other in mistakes
            if math.isfinite(value := other.value(ref))
        )
        quantities.append(
            QuantitySpec(
                trace.name(ref),
                trace.value(ref),
                step_base(trace, ref),
                marks,
                ask_group(ref),
                _formula(trace, ref),
                terms,
                mistaken,
            )
        )
    return MarkingSpec(
        trace.exercise.id,
        ask.significant,
        ask.carried_credit,
        ask.imprecise_credit,
        exact,
        given,
        tuple(quantities),
        helpers,
    )
