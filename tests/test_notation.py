"""Names in both notations: the notes' 2-2-2 names, layered names, suffixes, and parsing back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import backviz
from backviz.cli import main
from backviz.core.notation import Namer, format_number, normalize_name
from backviz.core.quantities import Kind, Ref
from tests.conftest import EXERCISES

SEQ = Namer("sequential", (2, 2, 2), (False, False), 1, 1)
LAY = Namer("layered", (12, 11, 2), (True, True), 3, 2)


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        (Ref(Kind.INPUT, 1, (2,), 1), "x2"),
        (Ref(Kind.WEIGHT, 2, (1, 1), step=1), "W1"),
        (Ref(Kind.WEIGHT, 2, (1, 2), step=1), "W2"),
        (Ref(Kind.WEIGHT, 2, (2, 1), step=1), "W3"),
        (Ref(Kind.WEIGHT, 3, (1, 1), step=1), "W5"),
        (Ref(Kind.WEIGHT, 3, (2, 2), step=1), "W8"),
        (Ref(Kind.Z, 3, (2,), 1, 1), "z4"),
        (Ref(Kind.A, 2, (1,), 1, 1), "h1"),
        (Ref(Kind.A, 3, (2,), 1, 1), "o2"),
        (Ref(Kind.LOSS_TERM, 3, (1,), 1, 1), "E_o1"),
        (Ref(Kind.LOSS, None, (), None, 1), "E_total"),
        (Ref(Kind.DE_DA, 3, (1,), 1, 1), "dE/do1"),
        (Ref(Kind.DE_DA_TERM, 2, (1, 2), 1, 1), "dE/dh1 via z4"),
        (Ref(Kind.DA_DZ, 3, (1,), 1, 1), "do1/dz3"),
        (Ref(Kind.DELTA, 2, (2,), 1, 1), "delta_h2"),
        (Ref(Kind.GRAD_W, 3, (1, 1), step=1), "dE/dW5"),
        (Ref(Kind.UPDATE_W, 3, (1, 1), step=1), "W5+"),
        (Ref(Kind.Z, 2, (1,), 1, 1, after=True), "z1+"),
        (Ref(Kind.LOSS, None, (), None, 1, after=True), "E_total+"),
    ],
)
def test_sequential_names_of_the_notes(ref: Ref, name: str) -> None:
    assert SEQ.name(ref) == name


@pytest.mark.parametrize(
    ("ref", "name"),
    [
        (Ref(Kind.INPUT, 1, (12,), 3), "x_12[3]"),
        (Ref(Kind.WEIGHT, 2, (1, 2), step=1), "W(2)_12@1"),
        (Ref(Kind.WEIGHT, 2, (10, 3), step=2), "W(2)_10,3@2"),
        (Ref(Kind.BIAS, 3, (2,), step=1), "b(3)_2@1"),
        (Ref(Kind.Z, 2, (1,), 3, 2), "z(2)_1[3]@2"),
        (Ref(Kind.A, 3, (1,), 1, 1, after=True), "a(3)_1+[1]@1"),
        (Ref(Kind.SAMPLE_LOSS, None, (), 2, 1), "E[2]@1"),
        (Ref(Kind.LOSS, None, (), None, 2), "E@2"),
        (Ref(Kind.DE_DA_TERM, 2, (4, 2), 1, 1), "dE/da(2)_4 via z(3)_2[1]@1"),
        (Ref(Kind.DA_DZ, 3, (1,), 1, 1), "da(3)_1/dz(3)_1[1]@1"),
        (Ref(Kind.DELTA, 3, (1,), 1, 1), "delta(3)_1[1]@1"),
        (Ref(Kind.GRAD_B, 2, (11,), step=1), "dE/db(2)_11@1"),
        (Ref(Kind.STATE, 2, (1, 2), None, 1, label=("m", "W")), "m_W(2)_12@1"),
        (Ref(Kind.UPDATE_W, 2, (1, 12), step=1), "W(2)_1,12+@1"),
    ],
)
def test_layered_names(ref: Ref, name: str) -> None:
    assert LAY.name(ref) == name


def test_sequential_biases_are_numbered_across_layers() -> None:
    namer = Namer("sequential", (2, 2, 1), (True, True), 1, 1)
    assert namer.name(Ref(Kind.BIAS, 2, (2,), step=1)) == "b2"
    assert namer.name(Ref(Kind.BIAS, 3, (1,), step=1)) == "b3"
    assert namer.name(Ref(Kind.A, 3, (1,), 1, 1)) == "o1"


@pytest.mark.parametrize("exercise", sorted(p.name for p in EXERCISES.glob("*.toml")))
def test_every_name_parses_back_to_its_quantity(exercise: str) -> None:
    trace = backviz.solve(EXERCISES / exercise)
    names = set()
    for count, ref in enumerate(trace.refs()):
        name = trace.name(ref)
        assert name not in names, f"two quantities named {name}"
        names.add(name)
        assert trace.ref(name) == ref
        if count > 3000:
            break


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("∂E/∂W5", "dE/dW5"),
        ("dE_total/dW5", "dE/dW5"),
        (" w5 + ", "W5+"),
        ("δ_o1", "delta_o1"),
        ("ｚ１", "z1"),  # full-width
        ("W5⁺", "W5+"),
    ],
)
def test_normalized_spellings(written: str, canonical: str) -> None:
    assert normalize_name(written) == normalize_name(canonical)


def test_notes_spelling_of_a_path_term() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    assert trace.ref("dE_o1/dh1") == trace.ref("dE/dh1 via z3")
    assert trace.ref("∂E_o2/∂h1") == trace.ref("dE/dh1 via z4")


def test_unknown_name_is_a_clear_error() -> None:
    trace = backviz.solve(EXERCISES / "seed-222.toml")
    with pytest.raises(backviz.BackvizError, match="no quantity named 'W9'") as caught:
        trace.ref("W9")
    assert "steps" not in str(caught.value)


def test_a_name_without_its_step_lists_the_steps_it_has() -> None:
    """optimizer-rmsprop trains 3 steps, so W1+ is W1+@1, W1+@2 or W1+@3 (README: Notation):
    a name written without its step is told each, here through `solve --only`."""
    result = CliRunner().invoke(
        main, ["solve", str(EXERCISES / "optimizer-rmsprop.toml"), "--only", "W1+"]
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "backviz: no quantity named 'W1+' in exercise optimizer-rmsprop "
        "(it has 3 steps: name the step, W1+@1, W1+@2, W1+@3)"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.5199893401555818, "0.51998934"),
        (-0.0, "0.00000000"),
        (-1e-12, "-1.000000e-12"),
        (29661.8, "29661.80000000"),
        (float("nan"), "nan"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
