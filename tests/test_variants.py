"""Per-student variants: reproducible from (exercise, student), numbers for hand work, and a
class graded against each student's own variant.

The variants' right answers are computed here by torch.autograd in float64 from each variant's
TOML (read with tomllib), independently of backviz.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

import backviz
from backviz.cli import main
from backviz.core.exercise import NetworkExercise
from tests.test_grading import (
    ASKED_222,
    SEED,
    read_csv,
    sequential,
    template_sheet,
    torch_reference,
    written,
)

STUDENTS = ["20261234", "김민준", "s-03", "lee.j"]


def make_variants(tmp: Path, name: str = "variants") -> Path:
    roster = tmp / "roster.csv"
    if not roster.exists():
        roster.write_text("학번,이름\n" + "".join(f"{s},x\n" for s in STUDENTS), encoding="cp949")
    out = tmp / name
    result = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def variant_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def test_variants_are_reproducible_and_each_students_own(tmp_path: Path) -> None:
    one, two = make_variants(tmp_path, "one"), make_variants(tmp_path, "two")
    files = variant_files(one)
    assert len(files) == len(STUDENTS)
    weights = set()
    for path in files:
        assert path.read_bytes() == (two / path.name).read_bytes()  # the same numbers again
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        weights.add(str(spec["parameters"]["W"]))
        keys = one / "keys" / f"{path.stem}.csv"
        assert keys.read_bytes() == (two / "keys" / keys.name).read_bytes()
    assert len(weights) == len(STUDENTS)  # every student has numbers of their own


def test_variant_numbers_are_for_hand_work(tmp_path: Path) -> None:
    """One or two decimals; no saturated sigmoid (|z| ≤ 2.5); no gradient that vanishes or
    rounds to zero at 8 decimals — checked with torch on each variant."""
    for path in variant_files(make_variants(tmp_path)):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        numbers = [
            *_flat(spec["parameters"]["W"]),
            *_flat(spec["data"]["inputs"]),
            *_flat(spec["data"]["targets"]),
        ]
        assert all(round(x, 2) == x for x in numbers), path.name
        values = torch_reference(path)
        zs = [v for k, v in values.items() if k.startswith("z(")]
        grads = [v for k, v in values.items() if k.startswith("dE/dW")]
        assert zs and max(map(abs, zs)) <= 2.5, path.name
        assert grads and min(map(abs, grads)) >= 1e-5, path.name


def _flat(value: object) -> list[float]:
    if isinstance(value, list):
        return [x for item in value for x in _flat(item)]
    return [float(value)]  # type: ignore[arg-type]


def test_a_class_is_graded_against_each_students_own_variant(tmp_path: Path) -> None:
    folder = make_variants(tmp_path)
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for path in variant_files(folder):
        own_id = tomllib.loads(path.read_text(encoding="utf-8"))["student"]
        values = {sequential(k): v for k, v in torch_reference(path).items()}
        answers = {k: v for k, v in written(values).items() if k in ASKED_222}
        assert len(answers) == len(ASKED_222)
        (sheets / f"{path.stem}.csv").write_text(template_sheet(own_id, answers))
    (sheets / "stranger.csv").write_text(template_sheet("stranger", {"z1": "0.1"}))

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(folder), str(sheets), "--out", str(out)])
    assert result.exit_code == 0, result.output
    grades = {row[0]: row for row in read_csv(out / "grades.csv")[1:]}
    assert len(grades) == len(STUDENTS) + 1
    for path in variant_files(folder):
        row = grades[path.stem]
        assert row[1] == row[2] == str(len(ASKED_222)), row  # every answer right
    assert grades["stranger"][1] == "0"
    feedback = (out / "feedback" / "stranger.md").read_text(encoding="utf-8")
    assert "no variant for student 'stranger'" in feedback

    # the same sheets against the exercise everyone was not given: mostly wrong
    base = tmp_path / "base"
    result = CliRunner().invoke(main, ["grade", str(SEED), str(sheets), "--out", str(base)])
    assert result.exit_code == 0, result.output
    for row in read_csv(base / "grades.csv")[1:]:
        assert float(row[1]) < len(ASKED_222) / 2, row


def test_the_variants_roster_names_who_handed_nothing_in(tmp_path: Path) -> None:
    """The roster the variants were made from, given to `grade`: a student with no sheet gets
    their row (every verdict missing, 0 marks) with their own variant's expected numbers."""
    folder = make_variants(tmp_path)
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    first, absent = variant_files(folder)[:2]
    (sheets / "first.csv").write_text(
        template_sheet(tomllib.loads(first.read_text(encoding="utf-8"))["student"], {"z1": "0"})
    )
    out = tmp_path / "out"
    roster = tmp_path / "roster.csv"
    result = CliRunner().invoke(
        main, ["grade", str(folder), str(sheets), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(STUDENTS) - 1} student(s) on roster.csv handed nothing in" in result.output
    rows = [row for row in read_csv(out / "verdicts.csv")[1:] if row[0] == absent.stem]
    assert [row[2] for row in rows] == ["missing"] * len(ASKED_222)
    expected = {sequential(k): v for k, v in torch_reference(absent).items()}
    assert [float(row[4]) for row in rows] == pytest.approx([expected[q] for q in ASKED_222])
    feedback = (out / "feedback" / f"{absent.stem}.md").read_text(encoding="utf-8")
    assert "- no sheet handed in" in feedback and "no variant" not in feedback


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("student\ns1\ns2\ns1\n", "expected each student once, found s1 twice"),
        ("\n\n", "expected a roster with one student id per row, found none"),
    ],
)
def test_a_bad_roster_is_refused_clearly(tmp_path: Path, roster: str, message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(roster)
    result = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(path), "--out", str(tmp_path / "v")]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "v").exists() or not any((tmp_path / "v").iterdir())


def test_a_roster_of_plain_ids_without_a_header(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="") as stream:
        csv.writer(stream).writerows([["a1"], ["a2"]])
    result = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(roster), "--out", str(tmp_path / "v")]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in variant_files(tmp_path / "v")] == ["a1.toml", "a2.toml"]


def test_variants_never_replace_a_file_backviz_did_not_write(tmp_path: Path) -> None:
    """A teacher's own file where a variant or a key would go is refused before anything is
    written; files beside them are left alone; a second run replaces only its own files."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    out = tmp_path / "variants"
    (out / "keys").mkdir(parents=True)
    (out / "s02.toml").write_text("# the teacher's own s02\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "keys" / "mine.csv").write_text("a,b\n", encoding="utf-8")
    args = ["variants", str(SEED), "--roster", str(roster), "--out", str(out)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    assert "s02.toml" in refused.output and "never replaced" in refused.output
    assert (out / "s02.toml").read_text(encoding="utf-8") == "# the teacher's own s02\n"
    assert not (out / "s01.toml").exists() and not (out / "keys" / "s01.csv").exists()
    (out / "s02.toml").unlink()
    (out / "keys" / "s01.csv").write_text("the teacher's key\n", encoding="utf-8")
    refused = CliRunner().invoke(main, args)  # a key of the teacher's where one would go
    assert refused.exit_code == 2 and "s01.csv" in refused.output
    assert not (out / "s01.toml").exists()
    (out / "keys" / "s01.csv").unlink()
    for _ in range(2):  # and again over its own files
        done = CliRunner().invoke(main, args)
        assert done.exit_code == 0, done.output
    assert {p.name for p in out.glob("*.toml")} == {"s01.toml", "s02.toml"}
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / "keys" / "mine.csv").read_text(encoding="utf-8") == "a,b\n"
    assert {p.name for p in (out / "keys").glob("s0*.csv")} == {"s01.csv", "s02.csv"}


def test_a_variant_never_repeats_what_its_exercise_says_of_its_own_numbers(tmp_path: Path) -> None:
    """mazur-222's description quotes the blog's figures (0.291027924 …): true of its numbers,
    false of a variant's, so a student reading their variant must not be told them."""
    exercise = SEED.parent / "mazur-222.toml"
    figure = "0.291027924"
    assert figure in exercise.read_text(encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("id\ns1\n", encoding="utf-8")
    out = tmp_path / "variants"
    result = CliRunner().invoke(
        main, ["variants", str(exercise), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (variant,) = variant_files(out)
    spec = tomllib.loads(variant.read_text(encoding="utf-8"))
    assert figure not in variant.read_text(encoding="utf-8")
    assert "mazur-222" in spec["description"]["en"] and "mazur-222" in spec["description"]["ko"]
    assert spec["title"] == tomllib.loads(exercise.read_text(encoding="utf-8"))["title"]
    args = ["handout", str(variant), "-o", str(tmp_path / "sheets"), "--format", "md"]
    sheet = CliRunner().invoke(main, args)
    assert sheet.exit_code == 0, sheet.output
    (page,) = (tmp_path / "sheets").glob("*.md")
    assert figure not in page.read_text(encoding="utf-8")
    assert "A variant of exercise mazur-222" in page.read_text(encoding="utf-8")


# -- what a variant keeps: the form of each target, every option --------------------------------

EXERCISES_DIR = SEED.parent
EVERY_OPTION = EXERCISES_DIR.parent / "tests" / "data" / "every-option.toml"
SOFT_TARGETS = """
id = "soft-targets"
[network]
sizes = [2, 3]
activation = "softmax"
bias = true
loss = "ce"
[parameters]
W = [ [[0.1, -0.2], [0.3, 0.2], [-0.1, 0.4]] ]
b = [ [0.0, 0.1, -0.1] ]
[data]
inputs  = [[1.0, 2.0], [0.5, -1.0], [0.2, 0.3], [0.4, 0.1]]
targets = [[0.1, 0.2, 0.7], [0, 0, 1], 2, [1]]
[training]
learning_rate = 0.5
"""


def _variants_of(tmp_path: Path, exercise: Path, students: list[str]) -> list[dict]:
    roster = tmp_path / f"roster-{exercise.stem}.csv"
    roster.write_text("student\n" + "".join(f"{s}\n" for s in students), encoding="utf-8")
    out = tmp_path / f"variants-{exercise.stem}"
    args = ["variants", str(exercise), "--roster", str(roster), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return [tomllib.loads((out / f"{s}.toml").read_text(encoding="utf-8")) for s in students]


def _form(target: object) -> str:
    """How a cross-entropy target is written: an index, a one-hot row, or a probability row."""
    if isinstance(target, int) or (isinstance(target, list) and len(target) == 1):
        return "index"
    assert isinstance(target, list)
    return "one-hot" if sorted(target) == [0] * (len(target) - 1) + [1] else "probabilities"


def test_each_target_keeps_its_form_in_a_variant(tmp_path: Path) -> None:
    """Soft targets stay probabilities (one decimal, ≥ 0, summing to exactly 1 in decimal, on
    two classes at least), a one-hot row stays a one-hot row, an index an index."""
    exercise = tmp_path / "soft.toml"
    exercise.write_text(SOFT_TARGETS, encoding="utf-8")
    original = tomllib.loads(SOFT_TARGETS)["data"]["targets"]
    for spec in _variants_of(tmp_path, exercise, ["kim", "lee", "s-03", "park"]):
        targets = spec["data"]["targets"]
        assert [_form(t) for t in targets] == [_form(t) for t in original], targets
        soft = targets[0]
        tenths = [Fraction(str(p)) * 10 for p in soft]
        assert all(t.denominator == 1 and t >= 0 for t in tenths), soft
        assert sum(Fraction(str(p)) for p in soft) == 1 and max(soft) < 1, soft
        for target in targets[1:]:
            hot = target if isinstance(target, list) and len(target) == 3 else None
            assert hot is None or sorted(hot) == [0, 0, 1]
            index = target[0] if isinstance(target, list) and len(target) == 1 else target
            assert hot is not None or index in (0, 1, 2)


def _options(exercise: NetworkExercise) -> dict[str, object]:
    """Everything of an exercise but its numbers (W, b, inputs, targets) and who it is for: what
    a variant must keep. Arrays as lists and activations by name, to compare by value."""
    numbers = {"W", "b", "inputs", "targets", "classes", "id", "student", "description", "source"}
    kept: dict[str, object] = {}
    for field in dataclasses.fields(exercise):
        if field.name in numbers:
            continue
        value = getattr(exercise, field.name)
        if field.name == "activations":
            value = [(f.name, f.slope) for f in value]
        if field.name == "dropout" and value is not None:
            masks = [None if m is None else m.tolist() for m in value.masks]
            value = (value.rates, masks, value.seed)
        kept[field.name] = value
    return kept


@pytest.mark.parametrize(
    "path",
    [
        EVERY_OPTION,
        *(
            EXERCISES_DIR / f"{name}.toml"
            for name in (
                "dropout-seed",
                "mazur-222",
                "optimizer-rmsprop",  # their [ask] has no E: the ½ left out of E shows nowhere
                "optimizer-adagrad",
                "optimizer-amsgrad",
                "nn-221-regularized",
                "softmax-classification",
                "code-xor-221",
                "code-train-sgd",
            )
        ),
    ],
    ids=lambda p: p.stem,
)
def test_a_variant_keeps_every_option_of_its_exercise(tmp_path: Path, path: Path) -> None:
    """Only the numbers are drawn anew: dropout (rates, masks or seed), shared and frozen
    biases, regularisation, the optimiser and its settings, the reduction, the notation, the
    questions, a coding exercise's [code], the form of each target — every other field of the
    exercise — load back equal."""
    exercise = backviz.load(path)
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nkim\nlee\n", encoding="utf-8")
    out = tmp_path / "v"
    result = CliRunner().invoke(
        main, ["variants", str(path), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for student in ("kim", "lee"):
        variant = backviz.load(out / f"{student}.toml")
        assert _options(variant) == _options(exercise)
        assert variant.W[0].shape == exercise.W[0].shape
        assert [v is None or v.shape for v in variant.b] == [
            v is None or v.shape for v in exercise.b
        ]
    if path == EVERY_OPTION:  # the soft target stays one, the class index a class index
        spec = tomllib.loads((out / "kim.toml").read_text(encoding="utf-8"))
        assert [_form(t) for t in spec["data"]["targets"]] == ["probabilities", "index"]


# -- no gradient vanishes where one is taught; nothing on L1's kink --------------------------------


def _torch_data_gradients(spec: dict) -> list[np.ndarray]:
    """∂E_data/∂W of a 2-2-2 sigmoid variant with ½Σ(t − o)², by torch.autograd in float64, the
    hidden layer's mask applied as inverted dropout (p from the file)."""
    f64 = torch.float64
    W = [torch.tensor(w, dtype=f64, requires_grad=True) for w in spec["parameters"]["W"]]
    x = torch.tensor(spec["data"]["inputs"], dtype=f64)
    t = torch.tensor(spec["data"]["targets"], dtype=f64)
    h = torch.sigmoid(x @ W[0].T)
    if "dropout" in spec["network"]:
        p = spec["network"]["dropout"][0]
        h = h * torch.tensor(spec["data"]["dropout_mask"][0], dtype=f64) / (1 - p)
    o = torch.sigmoid(h @ W[1].T)
    E = 0.5 * ((t - o) ** 2).sum()
    return [g.numpy() for g in torch.autograd.grad(E, W)]


STUDENTS_20 = ["kim", "lee", *(f"s{n:02d}" for n in range(18))]


def test_no_taught_gradient_vanishes_under_dropout(tmp_path: Path) -> None:
    """dropout-222 drops h2: W3, W4 (into h2) and W6, W8 (out of it) get no gradient, by
    design. Every other weight's must not vanish: an input x = 0 (kim's variant once drew
    x2 = 0, so ∂E/∂W2 = 0) is as bad a draw with dropout as without."""
    cut = [np.array([[False, False], [True, True]]), np.array([[False, True], [False, True]])]
    for spec in _variants_of(tmp_path, EXERCISES_DIR / "dropout-222.toml", STUDENTS_20):
        assert spec["data"]["dropout_mask"] == [[[1.0, 0.0]]]
        for g, dropped in zip(_torch_data_gradients(spec), cut, strict=True):
            assert np.all(g[dropped] == 0)
            assert np.min(np.abs(g[~dropped])) >= 1e-5, (spec["student"], g)


def test_no_l1_penalised_weight_is_drawn_on_the_kink(tmp_path: Path) -> None:
    """|w| has no slope at w = 0 (sign(0) = 0 by convention): there λ₁·sign(w) is 0 and a
    wrong rule (forgetting L1, the l2-factor slip) can give the right number. kim's variant of
    seed-222-regularized once drew W6 = 0.0."""
    for spec in _variants_of(tmp_path, EXERCISES_DIR / "seed-222-regularized.toml", STUDENTS_20):
        weights = _flat(spec["parameters"]["W"])
        assert 0.0 not in weights, (spec["student"], weights)
        grads = _torch_data_gradients(spec)
        assert min(float(np.min(np.abs(g))) for g in grads) >= 1e-5


@pytest.mark.parametrize("name", ["code-train-sgd", "code-train-adam"])
def test_a_training_loop_has_variants_that_show_grad_never_zeroed(
    tmp_path: Path, name: str
) -> None:
    """A training-loop exercise gets variants: `.grad never zeroed`, which changes nothing at
    step 1 whatever the numbers, does not fail every draw; from step 2 on each variant shows
    it: its step 2 changes the weights by other amounts than the right step (by over 0.1 %)."""
    from backviz.core.engine import run
    from backviz.core.loading import load
    from backviz.grading.mistakes import applicable

    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    exercise = Path(__file__).resolve().parent.parent / "exercises" / f"{name}.toml"
    out = tmp_path / "v"
    result = CliRunner().invoke(
        main, ["variants", str(exercise), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(variant_files(out)) == 2
    for path in variant_files(out):
        variant = load(path)
        (mistake,) = [m for m in applicable(variant) if m.id == "gradients-accumulated"]
        made, right = run(variant, mistake.mistakes).steps, run(variant).steps
        assert all(
            (a == b).all() for a, b in zip(made[0].W_new, right[0].W_new, strict=True)
        )  # step 1: nothing held over
        change = [b - w for b, w in zip(right[1].W_new, right[1].W, strict=True)]
        off = [a - b for a, b in zip(made[1].W_new, right[1].W_new, strict=True)]
        assert any(abs(o).max() > 1e-3 * abs(c).max() for o, c in zip(off, change, strict=True))


def test_a_refused_variant_says_which_constraint_the_draws_broke(tmp_path: Path) -> None:
    """xor-deep-relu's ReLU nodes die in most draws (their weights then get no gradient): the
    refusal names that constraint and how often, not the sigmoids it does not have."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nkim\n", encoding="utf-8")
    exercise = SEED.parent / "xor-deep-relu.toml"
    args = ["variants", str(exercise), "--roster", str(roster), "--out", str(tmp_path / "v")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "a gradient vanishing" in line and "dead ReLU" in line
    counts = [int(n) for n in re.findall(r" in (\d+)(?:;|\))", line)]
    assert sum(counts) == 500, line  # every draw and the constraint it broke first
    assert not (tmp_path / "v").exists()
