"""Each kind of quantity is described once (`KINDS`) and every table that reads kinds has it:
naming, wiring, where its arrays live, what `[ask]` names it by, the JSON contract's keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import backviz
from backviz.core.export import to_json
from backviz.core.quantities import ASK_KINDS, KIND_OF_ARRAY, KINDS, Kind, Ref, ask_group
from backviz.core.trace import LAYER_ARRAYS
from backviz.core.wiring import WIRING

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
EXPRESSION_KINDS = {Kind.NODE, Kind.LOCAL_GRAD, Kind.GRAD}


def test_every_kind_is_described() -> None:
    assert set(KINDS) == set(Kind)


def test_every_network_kind_is_wired() -> None:
    assert set(WIRING) == set(Kind) - EXPRESSION_KINDS


def test_the_array_kinds_are_the_per_layer_fields_of_the_json_contract() -> None:
    data = json.loads(to_json(backviz.solve(EXERCISES / "seed-222.toml")))
    fields = set(data["steps"][0]["layers"][0]) - {"layer"}
    assert fields == set(KIND_OF_ARRAY)
    assert set(LAYER_ARRAYS) == {kind for kind in KINDS if kind in KIND_OF_ARRAY.values()} | {
        Kind.DE_DA,
        Kind.DA_DZ,
    }


def test_ask_groups_are_what_an_exercise_may_name() -> None:
    assert ASK_KINDS == (
        "z",
        "a",
        "dropout",
        "loss",
        "penalty",
        "dE/da",
        "paths",
        "da/dz",
        "delta",
        "grad",
        "update",
        "state",
        "after",
    )
    assert ask_group(Ref(Kind.Z, 2, (1,), 1, 1, after=True)) == "after"
    assert ask_group(Ref(Kind.GRAD_B, 2, (1,), None, 1)) == "grad"
    with pytest.raises(ValueError, match="given"):
        ask_group(Ref(Kind.WEIGHT, 2, (1, 1), None, 1))


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_quantity_has_a_name_a_value_and_a_formula_or_is_given(path: Path) -> None:
    """Reading the trace through every table: nothing of any kind falls through."""
    trace = backviz.solve(path)
    seen = set()
    for ref in trace.refs():
        seen.add(ref.kind)
        name = trace.name(ref)
        assert trace.ref(name) == ref
        value = trace.value(ref)
        formula = trace.formula(ref)
        if formula is not None and ref.kind is not Kind.DA_DZ:
            inputs = [trace.value(r) for r in formula.inputs]
            assert formula.rule.evaluate(inputs) == pytest.approx(value, rel=1e-12, abs=1e-300)
    assert seen
