"""Grading: verdicts, carried errors, the catalogue of mistakes, the notes' own answers, bad
sheets, reports (atomic, deterministic, Gradescope's format), templates and `[ask]`.

Every expected number is computed here, independently of backviz: the right answers by
torch.autograd in float64 (read straight from the exercise's TOML), a student's wrong
arithmetic by hand, formula by formula, in plain Python / numpy.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import math
import os
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from backviz import BackvizError, files
from backviz.cli import main
from backviz.core.api import solve
from backviz.grading import reports
from backviz.grading.mistakes import CATALOGUE
from backviz.grading.run import grade_paths
from backviz.grading.sheets.numbers import parse_number
from backviz.grading.sheets.submission import Submission
from backviz.grading.student_reports import StudentReports
from backviz.grading.verdicts import ClassGrader, Verdict
from tests.conftest import EXERCISES, torch_seed_222

SEED = EXERCISES / "seed-222.toml"
NN221 = EXERCISES / "nn-221-regression.toml"
SOFTMAX = EXERCISES / "softmax-classification.toml"
F64 = torch.float64


# ── the right answers: torch.autograd, float64 ─────────────────────────────────────────


def _suffix(n: int, samples: int, steps: int) -> str:
    return (f"[{n + 1}]" if samples > 1 else "") + ("@1" if steps > 1 else "")


@cache
def torch_reference(path: Path) -> dict[str, float]:
    """Step 1 of a network exercise by torch.autograd, named as answer sheets name them
    (layered notation). The exercise is read from its TOML with tomllib, not by backviz.

    Per-sample ∂E/∂a, ∂a/∂z and δ are derivatives of that sample's own loss E[n];
    the gradients are those of the loss reduced over the samples.
    """
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    net, data, training = spec["network"], spec["data"], spec["training"]
    sizes = net["sizes"]
    layers = len(sizes) - 1
    names = net["activation"] if isinstance(net["activation"], list) else [net["activation"]]
    names = names * layers if len(names) == 1 else names
    functions = {"sigmoid": torch.sigmoid, "identity": lambda z: z * 1.0}
    X = torch.tensor(data["inputs"], dtype=F64)
    N = X.shape[0]
    Ws = [torch.tensor(w, dtype=F64, requires_grad=True) for w in spec["parameters"]["W"]]
    bias = net.get("bias", False)  # true/false, or one flag per layer (`variants` writes that)
    bs = (
        [torch.tensor(b, dtype=F64, requires_grad=True) for b in spec["parameters"]["b"]]
        if (any(bias) if isinstance(bias, list) else bias)
        else [None] * layers
    )
    zs, acts, a = [], [], X
    for W, b, name in zip(Ws, bs, names, strict=True):
        z = a @ W.T + (b if b is not None else 0.0)
        a = functions[name](z)
        zs.append(z)
        acts.append(a)
    o = a
    if net["loss"] == "ce":
        classes = torch.tensor(data["targets"])
        per_sample = torch.nn.functional.cross_entropy(o, classes, reduction="none")
        terms = None
    else:
        T = torch.tensor(data["targets"], dtype=F64)
        terms = {"half_sse": 0.5 * (T - o) ** 2, "mse": (o - T) ** 2 / o.shape[1]}[net["loss"]]
        per_sample = terms.sum(dim=1)
    E = per_sample.mean() if training.get("reduction", "mean") == "mean" else per_sample.sum()
    lr = training["learning_rate"]
    steps = training.get("steps", 1)
    per = torch.autograd.grad(per_sample.sum(), [*zs, *acts], retain_graph=True)
    delta, dE_da = per[:layers], per[layers:]
    da_dz = [
        torch.autograd.grad(a.sum(), z, retain_graph=True)[0] for z, a in zip(zs, acts, strict=True)
    ]
    params = [p for pair in zip(Ws, bs, strict=True) for p in pair if p is not None]
    grads = dict(zip(map(id, params), torch.autograd.grad(E, params), strict=True))

    values: dict[str, torch.Tensor] = {}
    at = "@1" if steps > 1 else ""
    for i in range(layers):
        m = i + 2  # the layer, counted as the notes do (inputs are layer 1)
        for n in range(N):
            for j in range(sizes[m - 1]):
                s = _suffix(n, N, steps)
                values[f"z({m})_{j + 1}{s}"] = zs[i][n, j]
                values[f"a({m})_{j + 1}{s}"] = acts[i][n, j]
                values[f"dE/da({m})_{j + 1}{s}"] = dE_da[i][n, j]
                values[f"da({m})_{j + 1}/dz({m})_{j + 1}{s}"] = da_dz[i][n, j]
                values[f"delta({m})_{j + 1}{s}"] = delta[i][n, j]
        gW = grads[id(Ws[i])]
        for j in range(sizes[m - 1]):
            for k in range(sizes[m - 2]):
                values[f"dE/dW({m})_{j + 1}{k + 1}{at}"] = gW[j, k]
                values[f"W({m})_{j + 1}{k + 1}+{at}"] = Ws[i][j, k] - lr * gW[j, k]
            if bs[i] is not None:
                gb = grads[id(bs[i])]
                values[f"dE/db({m})_{j + 1}{at}"] = gb[j]
                values[f"b({m})_{j + 1}+{at}"] = bs[i][j] - lr * gb[j]
    for n in range(N):
        s = _suffix(n, N, steps)
        if terms is not None:
            for j in range(sizes[-1]):
                values[f"E_{j + 1}{s}"] = terms[n, j]
        if N > 1:
            values[f"E{s}"] = per_sample[n]
    values[f"E{at}"] = E
    return {k: float(v.detach()) for k, v in values.items()}


def sequential(name: str) -> str:
    """A layered name of the 2-2-2 network in the notes' sequential notation."""
    name = re.sub(r"delta\((\d)\)_(\d)", lambda m: "delta_" + "--ho"[int(m[1])] + m[2], name)
    name = re.sub(
        r"W\((\d)\)_(\d)(\d)",
        lambda m: f"W{4 * (int(m[1]) - 2) + 2 * (int(m[2]) - 1) + int(m[3])}",
        name,
    )
    name = re.sub(r"z\((\d)\)_(\d)", lambda m: f"z{2 * (int(m[1]) - 2) + int(m[2])}", name)
    name = re.sub(r"a\((\d)\)_(\d)", lambda m: "--ho"[int(m[1])] + m[2], name)
    return {"E": "E_total"}.get(name, re.sub(r"^E_(\d)$", r"E_o\1", name))


@cache
def torch_222() -> dict[str, float]:
    return {sequential(k): v for k, v in torch_reference(SEED).items()}


def test_torch_reference_agrees_with_conftest() -> None:
    """The two independent torch computations of the notes' example agree."""
    reference = torch_222()
    for name, value in torch_seed_222().items():
        if name in reference:
            assert reference[name] == pytest.approx(value, rel=1e-14), name
    assert reference["z1"] == pytest.approx(0.08) and reference["W5+"] == pytest.approx(
        0.43703857, abs=5e-9
    )


# ── a student's arithmetic by hand (seed-222), formula by formula ───────────────────────


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


Formula = Callable[[dict[str, float]], float]

BY_HAND_222: tuple[tuple[str, Formula], ...] = (
    ("z1", lambda v: v["W1"] * v["x1"] + v["W2"] * v["x2"]),
    ("h1", lambda v: sigmoid(v["z1"])),
    ("z2", lambda v: v["W3"] * v["x1"] + v["W4"] * v["x2"]),
    ("h2", lambda v: sigmoid(v["z2"])),
    ("z3", lambda v: v["W5"] * v["h1"] + v["W6"] * v["h2"]),
    ("o1", lambda v: sigmoid(v["z3"])),
    ("z4", lambda v: v["W7"] * v["h1"] + v["W8"] * v["h2"]),
    ("o2", lambda v: sigmoid(v["z4"])),
    ("E_o1", lambda v: 0.5 * (v["t1"] - v["o1"]) ** 2),
    ("E_o2", lambda v: 0.5 * (v["t2"] - v["o2"]) ** 2),
    ("E_total", lambda v: v["E_o1"] + v["E_o2"]),
    ("dE/do1", lambda v: -(v["t1"] - v["o1"])),
    ("do1/dz3", lambda v: v["o1"] * (1 - v["o1"])),
    ("delta_o1", lambda v: v["dE/do1"] * v["do1/dz3"]),
    ("dE/do2", lambda v: -(v["t2"] - v["o2"])),
    ("do2/dz4", lambda v: v["o2"] * (1 - v["o2"])),
    ("delta_o2", lambda v: v["dE/do2"] * v["do2/dz4"]),
    ("dE/dW5", lambda v: v["delta_o1"] * v["h1"]),
    ("dE/dW6", lambda v: v["delta_o1"] * v["h2"]),
    ("dE/dW7", lambda v: v["delta_o2"] * v["h1"]),
    ("dE/dW8", lambda v: v["delta_o2"] * v["h2"]),
    *(
        (f"W{n}+", lambda v, n=n: v[f"W{n}"] - v["lr"] * v[f"dE/dW{n}"])  # type: ignore[misc]
        for n in (5, 6, 7, 8)
    ),
    ("dE/dh1", lambda v: v["delta_o1"] * v["W5"] + v["delta_o2"] * v["W7"]),
    ("dh1/dz1", lambda v: v["h1"] * (1 - v["h1"])),
    ("delta_h1", lambda v: v["dE/dh1"] * v["dh1/dz1"]),
    ("dE/dh2", lambda v: v["delta_o1"] * v["W6"] + v["delta_o2"] * v["W8"]),
    ("dh2/dz2", lambda v: v["h2"] * (1 - v["h2"])),
    ("delta_h2", lambda v: v["dE/dh2"] * v["dh2/dz2"]),
    ("dE/dW1", lambda v: v["delta_h1"] * v["x1"]),
    ("dE/dW2", lambda v: v["delta_h1"] * v["x2"]),
    ("dE/dW3", lambda v: v["delta_h2"] * v["x1"]),
    ("dE/dW4", lambda v: v["delta_h2"] * v["x2"]),
    *(
        (f"W{n}+", lambda v, n=n: v[f"W{n}"] - v["lr"] * v[f"dE/dW{n}"])  # type: ignore[misc]
        for n in (1, 2, 3, 4)
    ),
)
ASKED_222 = tuple(name for name, _ in BY_HAND_222)  # the sheet's quantities, in order
GIVEN_222 = dict(
    x1=0.1, x2=0.2, t1=0.4, t2=0.6, lr=0.5,
    W1=0.30, W2=0.25, W3=0.40, W4=0.35, W5=0.45, W6=0.40, W7=0.70, W8=0.60,
)  # fmt: skip


def by_hand_222(wrong: dict[str, Formula | float] | None = None) -> dict[str, float]:
    """The notes' 2-2-2 step as a student computes it, each quantity from the student's own
    earlier numbers; `wrong` replaces some formulas (or values) by the student's own."""
    wrong = wrong or {}
    v = dict(GIVEN_222)
    for name, formula in BY_HAND_222:
        rule = wrong.get(name, formula)
        v[name] = float(rule(v)) if callable(rule) else float(rule)
    return {name: v[name] for name in ASKED_222}


def test_by_hand_without_mistakes_is_torch() -> None:
    hand, reference = by_hand_222(), torch_222()
    assert set(hand) == set(reference)
    for name, value in hand.items():
        assert value == pytest.approx(reference[name], rel=1e-13, abs=1e-16), name


# ── grading helpers ────────────────────────────────────────────────────────────────────


@cache
def grader(path: Path) -> ClassGrader:
    return ClassGrader(solve(path))  # type: ignore[arg-type]


def written(values: dict[str, float], decimals: int | None = 8) -> dict[str, str]:
    """Numbers as a student writes them: to `decimals` places, or every digit (None)."""
    return {k: repr(v) if decimals is None else f"{v:.{decimals}f}" for k, v in values.items()}


def submission(answers: dict[str, str], student: str = "s") -> Submission:
    return Submission(student, f"{student}.csv", {k: parse_number(t) for k, t in answers.items()})


def grade(path: Path, answers: dict[str, str]) -> dict[str, Verdict]:
    (graded,) = grader(path).grade([submission(answers)])
    return {v.name: v for v in graded.verdicts}


def codes(verdicts: dict[str, Verdict]) -> dict[str, str]:
    return {name: v.verdict for name, v in verdicts.items()}


def exercise_with(tmp: Path, source: Path, ask: str, name: str = "exercise.toml") -> Path:
    """A copy of an exercise with an `[ask]` table appended."""
    path = tmp / name
    path.write_text(source.read_text(encoding="utf-8") + "\n[ask]\n" + ask, encoding="utf-8")
    return path


# ── 1. the right answers, at any precision ─────────────────────────────────────────────


def own_step(path: Path, reference: dict[str, float], name: str) -> float:
    """What a quantity's precision is counted on: an updated weight's step W⁺ − W (plain SGD:
    −η·∂E/∂W, from the exercise's learning rate), any other quantity's value."""
    base, plus, suffix = name.partition("+")
    if not plus:
        return reference[name]
    rate = tomllib.loads(path.read_text(encoding="utf-8"))["training"]["learning_rate"]
    return -rate * reference[f"dE/d{base}{suffix}"]


def precise_enough(value: float, step: float, decimals: int | None) -> bool:
    """README, "How marks are given", rule 1: the last written place at most the unit of the
    step's first significant digit, unless the number is exactly right as written."""
    if decimals is None or step == 0 or round(value, decimals) == pytest.approx(value, abs=1e-13):
        return True
    return 10.0**-decimals <= 10.0 ** math.floor(math.log10(abs(step))) * (1 + 1e-9)


@pytest.mark.parametrize("path", [SEED, NN221, SOFTMAX], ids=lambda p: p.stem)
@pytest.mark.parametrize("decimals", [None, 8, 4, 2, 1])
def test_torch_values_are_never_wrong_at_any_precision(path: Path, decimals: int | None) -> None:
    """The right values rounded to any number of decimals: correct where they carry one
    significant figure of the right value (of W⁺ − W for an update), else imprecise — never
    wrong, never a mistake; every cell judged so, none passed for being close."""
    reference = torch_222() if path == SEED else torch_reference(path)
    verdicts = grade(path, written(reference, decimals))
    assert set(verdicts) <= set(reference)  # every asked quantity was computed by torch
    assert len(verdicts) > 0
    for name, v in verdicts.items():
        step = own_step(path, reference, name)
        precise = precise_enough(reference[name], step, decimals)
        assert v.verdict == ("correct" if precise else "imprecise"), (name, v.given, step)
        assert v.marks == (v.max_marks if precise else 0.0), name
        assert v.expected == pytest.approx(reference[name], rel=1e-12, abs=1e-15), name
    if decimals in (None, 8, 4):
        assert all(v.verdict == "correct" for v in verdicts.values())


def test_two_decimals_of_the_notes_example_are_too_coarse_where_the_issue_says() -> None:
    """dE/dW1 = 0.00 and W1+ = 0.30 (the weight not updated) never earn marks at 2 decimals;
    0.0008 and 0.2996 (honest 4-decimal work) do."""
    reference = torch_222()
    coarse = grade(SEED, written(reference, 2))
    assert coarse["dE/dW1"].verdict == coarse["W1+"].verdict == "imprecise"
    assert coarse["dE/dW1"].marks == coarse["W1+"].marks == 0
    assert "at least 4 decimal" in coarse["dE/dW1"].detail
    fine = grade(SEED, {**written(reference, 2), "dE/dW1": "0.0008", "W1+": "0.2996"})
    assert fine["dE/dW1"].verdict == fine["W1+"].verdict == "correct"


def test_the_sheet_asks_exactly_the_hand_calculation() -> None:
    (graded,) = grader(SEED).grade([submission({})])
    assert tuple(v.name for v in graded.verdicts) == ASKED_222
    assert {v.verdict for v in graded.verdicts} == {"missing"}
    assert graded.total == 0 and graded.max_total == len(ASKED_222)


def test_a_class_is_graded_as_each_student_alone() -> None:
    """Grading column by column over the class gives each student their own verdicts."""
    reference = torch_222()
    sheets = {
        "right": written(reference),
        "z1": written(by_hand_222({"z1": 0.09})),
        "added": written(by_hand_222({f"W{n}+": update_added(n) for n in range(1, 9)})),
        "empty": {},
        "rough": written(reference, 2),
    }
    together = grader(SEED).grade([submission(a, s) for s, a in sheets.items()])
    for graded, answers in zip(together, sheets.values(), strict=True):
        assert codes({v.name: v for v in graded.verdicts}) == codes(grade(SEED, answers))


# ── 2. an early error carried forward ──────────────────────────────────────────────────


def test_early_error_is_carried_forward_with_full_marks() -> None:
    student = by_hand_222({"z1": 0.09})  # 0.3·0.1 + 0.3·0.2: W2 misread
    right = by_hand_222()
    verdicts = grade(SEED, written(student))
    expected = {
        n: "wrong" if n == "z1" else "correct" if math.isclose(student[n], right[n]) else "carried"
        for n in ASKED_222
    }
    assert without_paths(codes(verdicts)) == without_paths(expected)
    # only what does not depend on z1 is right: its own branch of the forward pass
    assert {n for n, c in expected.items() if c == "correct"} == {"z2", "h2", "dh2/dz2"}
    assert verdicts["z1"].marks == 0
    assert all(v.marks == 1.0 for n, v in without_paths(verdicts).items() if n != "z1")
    assert "z1" in verdicts["h1"].detail and "0.09" in verdicts["h1"].detail
    carried = [v for v in verdicts.values() if v.verdict == "carried"]
    assert len(carried) >= 30
    for v in carried:  # each names the student's own earlier answers it was computed from
        sources = re.findall(r"your (\S+) = ", v.detail)
        assert sources, v
        assert all(codes(verdicts)[s] != "correct" for s in sources), v


# ∂E/∂h1 = ∂E_o1/∂h1 + ∂E_o2/∂h1: the paths are not on the default sheet
PATHS = ("dE/dh1", "dE/dh2")


def without_paths(verdicts: dict) -> dict:
    return {n: v for n, v in verdicts.items() if n not in PATHS}


@pytest.mark.parametrize(
    "scenario",
    ["z1", "sign-flipped", "derivative-doubled", "derivative-of-z", "no-activation-derivative",
     "weights-swapped"],
)  # fmt: skip
def test_hidden_dE_dh_is_carried_from_own_deltas(scenario: str) -> None:
    formulas = {"z1": 0.09} if scenario == "z1" else MISTAKES_222[scenario][0]
    student = by_hand_222(formulas)  # type: ignore[arg-type]
    blank = LEFT_BLANK.get(scenario, set())
    verdicts = grade(SEED, written({n: x for n, x in student.items() if n not in blank}))
    assert not math.isclose(student["delta_o1"], by_hand_222()["delta_o1"])
    assert [verdicts[n].verdict for n in PATHS] == ["carried", "carried"]


def test_a_wrong_value_is_carried_forward_unless_it_trivialises_the_work() -> None:
    """h1 = 1 is wrong, and z3 = W5·1 + W6·h2 computed from it is carried (rule 3); a zero δ
    makes ∂E/∂W5 = 0 and W5⁺ = W5 trivial: no carried credit there (rule 5), but ∂E/∂h1, which
    still sums the other path, is carried."""
    verdicts = grade(SEED, written(by_hand_222({"h1": 1.0})))
    assert verdicts["h1"].verdict == "wrong"
    assert verdicts["z3"].verdict == "carried" and verdicts["z3"].detail.startswith("from your h1")
    verdicts = grade(SEED, written(by_hand_222({"delta_o1": 0.0})))
    assert verdicts["delta_o1"].verdict == "wrong"
    assert verdicts["dE/dW5"].verdict == verdicts["W5+"].verdict == "wrong"
    assert "trivial" in verdicts["dE/dW5"].detail and "trivial" in verdicts["W5+"].detail
    assert verdicts["dE/dh1"].verdict == "carried"


# ── 3. the catalogue of mistakes, each made by hand ───────────────────────────────────


def update_added(n: int) -> Formula:
    return lambda v: v[f"W{n}"] + v["lr"] * v[f"dE/dW{n}"]


def no_learning_rate(n: int) -> Formula:
    return lambda v: v[f"W{n}"] - v[f"dE/dW{n}"]


def sigma_prime_of_z(z: str) -> Formula:
    return lambda v: v[z] * (1 - v[z])


# id -> (the student's formulas, the quantities where the mistake shows first)
MISTAKES_222: dict[str, tuple[dict[str, Formula | float], set[str]]] = {
    "sign-flipped": (
        {"dE/do1": lambda v: v["t1"] - v["o1"], "dE/do2": lambda v: v["t2"] - v["o2"]},
        {"dE/do1", "dE/do2"},
    ),
    "no-activation-derivative": (  # δ = ∂E/∂a: σ′ never computed, its cells left blank
        {
            "delta_o1": lambda v: v["dE/do1"],
            "delta_o2": lambda v: v["dE/do2"],
            "delta_h1": lambda v: v["dE/dh1"],
            "delta_h2": lambda v: v["dE/dh2"],
        },
        {"delta_o1", "delta_o2", "delta_h1", "delta_h2"},
    ),
    "derivative-of-z": (
        {
            "do1/dz3": sigma_prime_of_z("z3"),
            "do2/dz4": sigma_prime_of_z("z4"),
            "dh1/dz1": sigma_prime_of_z("z1"),
            "dh2/dz2": sigma_prime_of_z("z2"),
        },
        {"do1/dz3", "do2/dz4", "dh1/dz1", "dh2/dz2"},
    ),
    "updated-weights-in-backprop": (
        {
            "dE/dh1": lambda v: v["delta_o1"] * v["W5+"] + v["delta_o2"] * v["W7+"],
            "dE/dh2": lambda v: v["delta_o1"] * v["W6+"] + v["delta_o2"] * v["W8+"],
        },
        {"dE/dh1", "dE/dh2"},
    ),
    "one-path-only": (  # only the path through o1
        {
            "dE/dh1": lambda v: v["delta_o1"] * v["W5"],
            "dE/dh2": lambda v: v["delta_o1"] * v["W6"],
        },
        {"dE/dh1", "dE/dh2"},
    ),
    "update-added": (
        {f"W{n}+": update_added(n) for n in range(1, 9)},
        {f"W{n}+" for n in range(1, 9)},
    ),
    "no-learning-rate": (
        {f"W{n}+": no_learning_rate(n) for n in range(1, 9)},
        {f"W{n}+" for n in range(1, 9)},
    ),
    "weights-swapped": (  # in the forward pass: z1 = W1·x1 + W3·x2 (w_kj read as w_jk)
        {
            "z1": lambda v: v["W1"] * v["x1"] + v["W3"] * v["x2"],
            "z2": lambda v: v["W2"] * v["x1"] + v["W4"] * v["x2"],
            "z3": lambda v: v["W5"] * v["h1"] + v["W7"] * v["h2"],
            "z4": lambda v: v["W6"] * v["h1"] + v["W8"] * v["h2"],
        },
        {"z1", "z2", "z3", "z4"},
    ),
    "half-forgotten": (
        {"E_o1": lambda v: (v["t1"] - v["o1"]) ** 2, "E_o2": lambda v: (v["t2"] - v["o2"]) ** 2},
        {"E_o1", "E_o2"},
    ),
    "derivative-doubled": (
        {
            "dE/do1": lambda v: -2 * (v["t1"] - v["o1"]),
            "dE/do2": lambda v: -2 * (v["t2"] - v["o2"]),
        },
        {"dE/do1", "dE/do2"},
    ),
}
LEFT_BLANK = {"no-activation-derivative": {"do1/dz3", "do2/dz4", "dh1/dz1", "dh2/dz2"}}
CREDITS = {m.id: round(0.05 * (i + 1), 2) for i, m in enumerate(CATALOGUE)}


def test_every_catalogued_mistake_is_made_here() -> None:
    # batch-summed needs several samples, shared-bias-one-node a shared bias (made in
    # tests/test_bias_conventions.py), dropout-unscaled a network with dropout (made by hand in
    # tests/test_dropout.py), l2-factor-forgotten an L2 penalty (tests/test_regularization.py)
    made_elsewhere = {
        "batch-summed",
        "shared-bias-one-node",
        "dropout-unscaled",
        "l2-factor-forgotten",
        "adam-no-bias-correction",  # Adam (tests/test_optimizer_marks.py)
        "gradients-accumulated",  # several steps (test_optimizer_marks, test_code_training)
        # a penalty, L1, AMSGrad, dropout (tests/test_catalogue_marks.py)
        "penalty-forgotten",
        "l1-sign-forgotten",
        "amsgrad-max-forgotten",
        "dropout-ignored",
    }
    assert set(MISTAKES_222) | made_elsewhere == {m.id for m in CATALOGUE}
    assert all(m.credit == 0.5 for m in CATALOGUE)


@pytest.fixture(scope="module")
def credited(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """seed-222 and nn-221 with `[ask] mistake_credit` set for every mistake, marks 2 each."""
    tmp = tmp_path_factory.mktemp("credited")
    table = ", ".join(f'"{k}" = {v}' for k, v in CREDITS.items())
    ask = f"marks = {{ default = 2 }}\nmistake_credit = {{ {table} }}\n"
    return {path: exercise_with(tmp, path, ask, path.name) for path in (SEED, NN221)}


def expected_verdicts(
    student: dict[str, float], right: dict[str, float], shows: set[str], mistake: str
) -> dict[str, str]:
    return {
        n: f"mistake:{mistake}"
        if n in shows
        else "correct"
        if math.isclose(student[n], right[n], rel_tol=1e-12)
        else "carried"
        for n in student
    }


@pytest.mark.parametrize("mistake", sorted(MISTAKES_222))
@pytest.mark.parametrize("decimals", [8, None])
def test_mistake_made_by_hand(
    mistake: str, decimals: int | None, credited: dict[Path, Path]
) -> None:
    formulas, shows = MISTAKES_222[mistake]
    student, right = by_hand_222(formulas), by_hand_222()
    blank = LEFT_BLANK.get(mistake, set())
    answers = written({n: x for n, x in student.items() if n not in blank}, decimals)
    expected = expected_verdicts(student, right, shows, mistake)
    expected.update(dict.fromkeys(blank, "missing"))
    assert all(not math.isclose(student[n], right[n]) for n in shows)
    if expected["dE/dh1"] == "carried":  # see test_hidden_dE_dh_is_carried_from_own_deltas
        expected = without_paths(expected)
    for path, marks, credit in ((SEED, 1.0, 0.5), (credited[SEED], 2.0, CREDITS[mistake])):
        verdicts = {n: v for n, v in grade(path, answers).items() if n in expected}
        assert codes(verdicts) == expected
        for name, v in verdicts.items():
            share = {"correct": 1.0, "carried": 1.0, "missing": 0.0}.get(v.verdict, credit)
            assert v.max_marks == marks and v.marks == pytest.approx(share * marks), name
        explanation = next(m for m in CATALOGUE if m.id == mistake).explanation["en"]
        assert all(verdicts[n].detail.startswith(explanation) for n in shows)  # (in layer l)


def test_sigma_prime_written_as_one_is_the_mistake_then_carried() -> None:
    formulas: dict[str, Formula | float] = {"do1/dz3": 1.0, "do2/dz4": 1.0}
    student = by_hand_222(formulas)
    verdicts = grade(SEED, written(student))
    assert verdicts["do1/dz3"].verdict == "mistake:no-activation-derivative"
    assert verdicts["delta_o1"].verdict == "carried"


# batch summed instead of averaged: nn-221-regression (4 samples, mean reduction), by hand


def by_hand_221(*, summed: bool = False) -> dict[str, float]:
    """Step 1 of nn-221-regression by hand in numpy; `summed`: the batch summed, not averaged
    (the loss and every gradient)."""
    spec = tomllib.loads(NN221.read_text(encoding="utf-8"))
    X = np.array(spec["data"]["inputs"], dtype=float)
    T = np.array(spec["data"]["targets"], dtype=float)
    (W2, W3), (b2, b3) = (
        map(np.array, spec["parameters"]["W"]),
        map(np.array, spec["parameters"]["b"]),
    )
    lr, N = spec["training"]["learning_rate"], len(X)
    z2 = X @ W2.T + b2
    a2 = 1 / (1 + np.exp(-z2))
    z3 = a2 @ W3.T + b3
    a3 = z3
    En = ((a3 - T) ** 2).mean(axis=1)
    E = En.sum() if summed else En.mean()
    dE_da3 = 2 * (a3 - T) / T.shape[1]
    d3 = dE_da3 * 1.0
    r = 1.0 if summed else 1.0 / N
    gW3, gb3 = r * d3.T @ a2, r * d3.sum(axis=0)
    dE_da2 = d3 @ W3
    da2 = a2 * (1 - a2)
    d2 = dE_da2 * da2
    gW2, gb2 = r * d2.T @ X, r * d2.sum(axis=0)
    v: dict[str, float] = {"E@1": E}
    for n in range(N):
        s = f"[{n + 1}]@1"
        v[f"E_1{s}"], v[f"E{s}"] = (a3[n, 0] - T[n, 0]) ** 2, En[n]
        v[f"dE/da(3)_1{s}"], v[f"da(3)_1/dz(3)_1{s}"], v[f"delta(3)_1{s}"] = (
            dE_da3[n, 0],
            1,
            d3[n, 0],
        )
        for layer, z, a in ((2, z2, a2), (3, z3, a3)):
            for j in range(z.shape[1]):
                v[f"z({layer})_{j + 1}{s}"], v[f"a({layer})_{j + 1}{s}"] = z[n, j], a[n, j]
        for j in range(2):
            v[f"dE/da(2)_{j + 1}{s}"] = dE_da2[n, j]
            v[f"da(2)_{j + 1}/dz(2)_{j + 1}{s}"] = da2[n, j]
            v[f"delta(2)_{j + 1}{s}"] = d2[n, j]
    for layer, W, b, gW, gb in ((2, W2, b2, gW2, gb2), (3, W3, b3, gW3, gb3)):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                v[f"dE/dW({layer})_{j + 1}{k + 1}@1"] = gW[j, k]
                v[f"W({layer})_{j + 1}{k + 1}+@1"] = W[j, k] - lr * gW[j, k]
            v[f"dE/db({layer})_{j + 1}@1"] = gb[j]
            v[f"b({layer})_{j + 1}+@1"] = b[j] - lr * gb[j]
    return {k: float(x) for k, x in v.items()}


def test_nn221_by_hand_without_mistakes_is_torch() -> None:
    hand, reference = by_hand_221(), torch_reference(NN221)
    assert set(hand) == set(reference)
    for name, value in hand.items():
        assert value == pytest.approx(reference[name], rel=1e-13, abs=1e-15), name


@pytest.mark.parametrize("decimals", [8, None])
def test_batch_summed_made_by_hand(decimals: int | None, credited: dict[Path, Path]) -> None:
    student, right = by_hand_221(summed=True), by_hand_221()
    shows = {n for n in student if n == "E@1" or n.startswith(("dE/dW", "dE/db"))}
    expected = expected_verdicts(student, right, shows, "batch-summed")
    assert {n for n, c in expected.items() if c == "carried"} == {
        n for n in student if n.endswith("+@1")
    }
    for path, marks, credit in ((NN221, 1.0, 0.5), (credited[NN221], 2.0, CREDITS["batch-summed"])):
        verdicts = grade(path, written(student, decimals))
        asked = {n: c for n, c in expected.items() if n in verdicts}
        assert set(verdicts) == set(asked)
        assert codes(verdicts) == asked
        for name, v in verdicts.items():
            share = {"correct": 1.0, "carried": 1.0}.get(v.verdict, credit)
            assert v.marks == pytest.approx(share * marks), name


# ── 4. the precision rule: digits are evidence ────────────────────────────────────────


def test_updated_weights_slip_is_told_apart_by_its_digits() -> None:
    right = torch_222()["W1+"]
    slip = by_hand_222(MISTAKES_222["updated-weights-in-backprop"][0])["W1+"]
    assert f"{right:.8f}" == "0.29959556" and f"{slip:.8f}" == "0.29960429"
    assert abs(slip - right) / right == pytest.approx(2.9e-5, rel=0.02)  # W⁺ itself: close
    assert abs((slip - 0.3) - (right - 0.3)) / abs(right - 0.3) == pytest.approx(0.022, rel=0.02)
    alone = grade(SEED, {"W1+": "0.29960429"})
    assert alone["W1+"].verdict == "mistake:updated-weights-in-backprop"
    assert alone["W1+"].marks == 0.5
    assert {v.verdict for n, v in alone.items() if n != "W1+"} == {"missing"}
    assert grade(SEED, {"W1+": "0.2996"})["W1+"].verdict == "correct"
    assert grade(SEED, {"W1+": "0.29959556"})["W1+"].verdict == "correct"
    # among the right answers everywhere else, too
    sheet = written(torch_222())
    assert grade(SEED, sheet | {"W1+": "0.29960429"})["W1+"].verdict.startswith("mistake:upd")
    assert grade(SEED, sheet | {"W1+": "0.2996"})["W1+"].verdict == "correct"


# ── 5. the notes' own printed answers ─────────────────────────────────────────────────

NOTES_222 = {  # seeds/004: what the notes print for the 2-2-2 example
    "z1": "0.08",
    "h1": "0.51998934",
    "z2": "0.11",
    "h2": "0.52747230",
    "z4": "0.44498412",  # z3's value, printed on the z4 line
    "o1": "0.60944600",
    "o2": "0.66384491",
    "E_o1": "0.02193381",
    "E_o2": "0.00203809",
    "E_total": "0.02397190",
    "dE/do1": "0.20944600",
    "do1/dz3": "0.23802157",
    "dE/dW5": "0.02592286",
    "W5+": "0.43703857",
    "W6+": "0.38685205",
    "W7+": "0.69629578",
    "W8+": "0.59624247",
    "dE_o1/dh1": "0.02243370",  # the paths: not asked by default
    "dE_o2/dh1": "0.00997311",
    "dE/dh1": "0.03240681",
    "dh1/dz1": "0.24960043",
    "dE/dW1": "0.00080888",
    "W1+": "0.29959556",
    "W2+": "0.24919112",
    "W3+": "0.39964496",
    "W4+": "0.34928991",
}


def test_the_notes_own_answers() -> None:
    verdicts = grade(SEED, NOTES_222)
    printed = {n for n in NOTES_222 if n in ASKED_222}
    expected = {
        n: "wrong" if n == "z4" else "correct" if n in printed else "missing" for n in ASKED_222
    }
    assert codes(verdicts) == expected
    (graded,) = grader(SEED).grade([submission(NOTES_222)])
    assert graded.total == len(printed) - 1
    assert graded.problems == ["not asked in this exercise, so not marked: dE_o1/dh1, dE_o2/dh1"]
    # the printed paths are the notes' own names for known quantities: right, just not asked
    reference = torch_222()
    assert float(NOTES_222["dE_o1/dh1"]) == pytest.approx(reference["delta_o1"] * 0.45, abs=5e-9)


# ── 6. a class with broken sheets, through `backviz grade` ─────────────────────────────


def template_sheet(student: str, values: dict[str, str]) -> str:
    rows = [["quantity", "value"], ["student", student], *values.items()]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def make_class(folder: Path) -> None:
    """A class: good sheets and every kind of broken one; 10 submissions in 8 files."""
    folder.mkdir(parents=True)
    right = written(torch_222())
    z1 = written(by_hand_222({"z1": 0.09}))
    files: dict[str, str | bytes] = {
        "alice.csv": template_sheet("alice", right),
        "bob.json": json.dumps({"student": "bob", "answers": z1}),
        "unknown.csv": template_sheet("unknown", {"z9": "0.1", "foo": "1", "z1": "0.08"}),
        "dupes.csv": template_sheet("dupes", {"z1": "0.08"}) + "z1,0.5\nh1,0.51998934\n",
        "unreadable.csv": template_sheet("unreadable", {"z1": "abc", "h1": "0.5.5", "z2": "1/0"}),
        "binary.csv": b"quantity,value\n\x00\x01\x02\xff\xfe",
        "empty.csv": b"",
        "class.csv": "student,z1,h1,W5+\n"
        "s01,0.08,0.51998934,0.43703857\n"
        "alice,0.09,0.52,x\n"  # a second "alice": must still appear on its own
        ",0.08,,\n",
    }
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)


def grade_cli(exercise: Path, out: Path, *sheets: Path, diagrams: bool = False) -> str:
    args = ["grade", str(exercise), *map(str, sheets), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, *([] if diagrams else ["--no-diagrams"])])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("class")
    make_class(tmp / "sheets")
    output = grade_cli(SEED, tmp / "out", tmp / "sheets", diagrams=True)
    return tmp / "out", output


def test_broken_sheets_never_stop_the_class(graded_class: tuple[Path, str]) -> None:
    out, output = graded_class
    grades = read_csv(out / "grades.csv")
    assert grades[0] == ["student", "total", "max", *ASKED_222]
    students = [row[0] for row in grades[1:]]
    assert len(students) == 10 == len(set(students))  # every submission exactly once
    assert sorted(students) == sorted(
        ["alice", "alice-2", "binary", "bob", "dupes", "empty", "s01", "class-row4",
         "unknown", "unreadable"]
    )  # fmt: skip
    assert all(len(row) == 3 + len(ASKED_222) for row in grades)
    totals = {row[0]: float(row[1]) for row in grades[1:]}
    assert totals["alice"] == len(ASKED_222)
    assert totals["bob"] == len(ASKED_222) - 1  # z1 only: everything after it is carried
    assert totals["binary"] == totals["empty"] == 0
    verdicts = read_csv(out / "verdicts.csv")
    assert verdicts[0] == ["student", "quantity", "verdict", "given", "expected", "marks"]
    rows = verdicts[1:]
    assert len(rows) == 10 * len(ASKED_222)
    for student in students:
        mine = [r for r in rows if r[0] == student]
        assert [r[1] for r in mine] == list(ASKED_222)
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "results" / f"{student}.json").is_file()
        assert (out / "diagrams" / f"{student}.svg").is_file()
    by = {(r[0], r[1]): r for r in rows}
    assert by["unreadable", "z1"][2:4] == ["unreadable", "abc"]
    assert by["unreadable", "h1"][2:4] == ["unreadable", "0.5.5"]
    assert by["unreadable", "z2"][2] == "unreadable"
    assert by["dupes", "z1"][2:4] == ["correct", "0.08"]  # the first of a repeat counts
    assert by["unknown", "z1"][2] == "correct"
    assert by["alice-2", "z1"][2] == "wrong" and by["alice-2", "W5+"][2] == "unreadable"
    assert by["bob", "h1"][2] == "carried"
    feedback = {s: (out / "feedback" / f"{s}.md").read_text(encoding="utf-8") for s in students}
    assert "unknown quantity 'z9'" in feedback["unknown"] and "'foo'" in feedback["unknown"]
    assert "given again" in feedback["dupes"]
    assert "binary" in feedback["binary"]
    assert "empty file" in feedback["empty"]
    assert "no student id" in feedback["class-row4"]
    assert "graded 10 submission(s)" in output
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "10 submissions" in summary
    assert "mistake" not in {r[2].split(":")[0] for r in rows}  # nobody made one here


def test_student_diagrams_colour_verdicts(graded_class: tuple[Path, str]) -> None:
    out, _ = graded_class
    svg = (out / "diagrams" / "bob.svg").read_text(encoding="utf-8")
    ET.fromstring(svg)  # whole, well-formed
    assert "z1 = 0.09000000" in svg and "#c62828" in svg and "#2f6fb0" in svg


def test_a_class_graded_in_korean(tmp_path: Path) -> None:
    """--lang ko: the same verdicts and marks, the reports' words in Korean."""
    make_class(tmp_path / "sheets")
    english, korean = tmp_path / "en", tmp_path / "ko"
    grade_cli(SEED, english, tmp_path / "sheets", diagrams=True)
    result = CliRunner().invoke(
        main, ["grade", str(SEED), str(tmp_path / "sheets"), "--out", str(korean), "--lang", "ko"]
    )
    assert result.exit_code == 0, result.output
    for name in ("grades.csv", "verdicts.csv"):
        assert (korean / name).read_bytes() == (english / name).read_bytes()
    feedback = (korean / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert feedback.startswith("# bob 피드백: 강의 노트의 2-2-2 역전파 예제")
    assert "| 값 | 판정 | 답 | 정답 | 점수 |" in feedback and "## 틀린 값의 풀이" in feedback
    summary = (korean / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("# 학급 요약") and "총점 분포" in summary
    results = json.loads((korean / "results" / "bob.json").read_text(encoding="utf-8"))
    assert results["output"].startswith("총점: ")
    svg = (korean / "diagrams" / "bob.svg").read_text(encoding="utf-8")
    assert "NanumGothic" in svg
    ET.fromstring(svg)


# ── 6b. nothing handed in vanishes; the roster says who should have ───────────────────


def test_every_file_handed_in_appears_and_a_fifo_never_hangs_the_run(tmp_path: Path) -> None:
    """A workbook, a FIFO nobody writes to, a link (to a sheet, to a folder), a student's
    folder without a sheet: each is its student's row with 0 marks and the reason in their
    feedback; the TSV is graded; the run finishes."""
    import subprocess
    import sys

    right = template_sheet("alice", written(torch_222()))
    sheets = tmp_path / "sheets"
    (sheets / "dan").mkdir(parents=True)
    (sheets / "alice.csv").write_text(right)
    (sheets / "bob.tsv").write_text(right.replace(",", "\t").replace("alice", "bob"))
    (sheets / "carol.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    (sheets / "dan" / "answers.pdf").write_bytes(b"%PDF-1.4")
    os.mkfifo(sheets / "erin.csv")
    (sheets / "frank.csv").symlink_to(sheets / "alice.csv")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "grace.csv").write_text(right.replace("alice", "grace"))
    (sheets / "grace").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "backviz", "grade", str(SEED), str(sheets), "--out", str(out),
         "--no-diagrams"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    grades = {row[0]: row for row in read_csv(out / "grades.csv")[1:]}
    assert sorted(grades) == ["alice", "bob", "carol", "dan", "erin", "frank", "grace"]
    assert grades["alice"][1] == grades["bob"][1] == str(len(ASKED_222))
    assert_graded_0_because(
        out,
        {
            "carol": "carol.xlsx: a spreadsheet workbook, not read: save it as CSV",
            "dan": "dan: no answer sheets",
            "erin": "erin.csv: a FIFO (named pipe), not a file: not read",
            "frank": "frank.csv: a symbolic link, not followed",
            "grace": "grace: a symbolic link, not followed",
        },
    )
    assert "graded 7 submission(s)" in result.stderr


def assert_graded_0_because(out: Path, reasons: dict[str, str]) -> None:
    """Each student's row has 0 marks, and their feedback's problems give the reason."""
    grades = {row[0]: row for row in read_csv(out / "grades.csv")[1:]}
    for student, reason in reasons.items():
        assert grades[student][1] == "0", student
        feedback = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        assert f"- {reason}" in feedback, student


@pytest.mark.parametrize("holding", [[], ["notes.md", ".hidden.csv", "~$lock.csv"]])
def test_grading_a_folder_with_nothing_to_grade_exits_2_in_one_line(
    tmp_path: Path, holding: list[str]
) -> None:
    """No student is invented from the folder's name: grading nothing is the command line's
    mistake, said in one line, nothing written."""
    from backviz.grading.sheets.reading import read_submissions

    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for name in holding:
        (sheets / name).write_text("W5+,0.3\n")
    with pytest.raises(BackvizError, match=r"no answer sheets .* in this folder"):
        read_submissions([sheets])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(SEED), str(sheets), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"backviz: {sheets}: no answer sheets (*.csv, *.tsv, *.toml, *.json, *.txt) in this "
        "folder, nor in its subfolders"
    ]
    assert not out.exists()  # no student invented, no reports


ROSTERS = {
    "column": "번호,student,이름\n1, s01 ,Kim\n2,{nfd},Lee\n3,s03,Park\n",
    "one id per row": "s01\n{nfd}\ns03\n",
}


@pytest.mark.parametrize("form", ROSTERS)
def test_the_roster_names_who_handed_nothing_in_and_who_is_not_on_it(
    tmp_path: Path, form: str
) -> None:
    """On the roster, nothing handed in: a row of missing verdicts, 0 marks, "no sheet handed
    in". A sheet of someone not on it: graded, told so, kept out of the class statistics.
    Ids are matched as written by people: NFC (a Mac writes 민준 decomposed) and stripped."""
    import unicodedata

    minjun = "김민준"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTERS[form].format(nfd=unicodedata.normalize("NFD", minjun)))
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    right = written(torch_222())
    for student in ("s01", minjun, "s99"):
        (sheets / f"{student}.csv").write_text(template_sheet(student, right))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["grade", str(SEED), str(sheets), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    grades = {row[0]: row for row in read_csv(out / "grades.csv")[1:]}
    assert sorted(grades) == sorted(["s01", minjun, "s99", "s03"])  # each once
    assert grades["s03"][1:] == ["0", str(len(ASKED_222)), *["0"] * len(ASKED_222)]
    assert grades["s99"][1] == grades["s01"][1] == str(len(ASKED_222))
    verdicts = [row for row in read_csv(out / "verdicts.csv") if row[0] == "s03"]
    assert [row[2] for row in verdicts] == ["missing"] * len(ASKED_222)
    assert "- no sheet handed in" in (out / "feedback" / "s03.md").read_text()
    assert "- 's99' is not on the roster (roster.csv)" in (out / "feedback" / "s99.md").read_text()
    assert "not on the roster" not in (out / "feedback" / f"{minjun}.md").read_text()
    summary = (out / "summary.md").read_text()
    assert "2 submissions; mean 39.00 / 39" in summary  # s01 and 김민준: s03 and s99 left out
    assert "Not counted here: 1 student(s) on the roster who handed nothing in" in summary
    assert "Not counted here: 1 submission(s) from students not on the roster" in summary
    assert "| `z1` | 100% | 0% |" in summary
    assert "1 student(s) on roster.csv handed nothing in, graded 0: s03" in result.output
    assert (
        "1 submission(s) from students not on roster.csv, left out of summary.md (see their "
        "feedback): s99" in result.output
    )


def test_the_ids_grade_lists_cannot_restyle_the_terminal(tmp_path: Path) -> None:
    """The ids of sheets not on the roster come from the students: printed, their escape
    sequences and line breaks are taken out."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\n")
    sheet = tmp_path / "x.json"
    sheet.write_text(json.dumps({"student": "\x1b[2J\x1b[31mkim\nlee", "answers": {"z1": 0.08}}))
    (tmp_path / "s01.csv").write_text(template_sheet("s01", {"z1": "0.08"}))
    result = CliRunner().invoke(
        main, ["grade", str(SEED), str(tmp_path / "s01.csv"), str(sheet), "--roster",
               str(roster), "--out", str(tmp_path / "out"), "--no-diagrams"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "left out of summary.md (see their feedback): kim lee\n" in result.output


def test_a_roster_naming_a_student_twice_is_refused(tmp_path: Path) -> None:
    """Twice after NFC is twice: which of the two sheets would count?"""
    import unicodedata

    roster = tmp_path / "roster.csv"
    roster.write_text(f"student\n민준\n{unicodedata.normalize('NFD', '민준')}\n")
    (tmp_path / "s.csv").write_text(template_sheet("s", {"z1": "0.08"}))
    result = CliRunner().invoke(
        main, ["grade", str(SEED), str(tmp_path / "s.csv"), "--roster", str(roster), "--out",
               str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == f"backviz: {roster}: expected each student once, found 민준 twice\n"


# ── 7. interrupted runs leave whole reports ───────────────────────────────────────────


class Interrupted(BaseException):
    """Stands for Ctrl-C or a crash in the middle of writing the reports."""


def report_files(out: Path) -> dict[Path, bytes]:
    """Every file in `out` and its folders — the reports and backviz's records of what it
    wrote there — but the lock (which names the last run's process)."""
    return {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != files.LOCK}


def assert_whole_reports(out: Path, n_students: int, *, staging: bool = False) -> None:
    """Every report whole and nothing else there but the lock and, in each folder, the record
    of what backviz wrote there, listing every report in it (in a report folder, exactly
    those); with `staging`, a staging folder left by a run stopped while cleaning up (the
    next run removes it) is not looked into."""
    paths = [
        p.relative_to(out)
        for p in report_files(out)
        if not (staging and p.relative_to(out).parts[0].startswith(".backviz-staging-"))
    ]
    records = {
        p.parent: set(json.loads((out / p).read_text())["files"])
        for p in paths
        if p.name == files.RECORD
    }
    reports_ = [p for p in paths if p.name != files.RECORD]
    for folder in {p.parent for p in reports_}:
        held = {p.name for p in reports_ if p.parent == folder}
        assert held <= records[folder] and (folder == Path(".") or held == records[folder])
    names = sorted(p.as_posix() for p in reports_)
    assert not [f for f in names if f.endswith(".tmp") or "/." in f or f.startswith(".")], names
    for name in names:
        path = out / name
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") or name.endswith((".json", ".svg")), name
        if name.endswith(".csv"):
            rows = read_csv(path)
            assert len({len(row) for row in rows}) == 1, name
            width = 3 + len(ASKED_222) if name == "grades.csv" else 6
            assert len(rows[0]) == width
            assert len(rows) == 1 + n_students * (1 if name == "grades.csv" else len(ASKED_222))
        elif name.endswith(".json"):
            data = json.loads(text)
            assert len(data["tests"]) == len(ASKED_222)
        elif name.endswith(".md"):
            assert text.startswith("# ")
        else:
            raise AssertionError(f"unexpected file {name}")


def two_classes(tmp: Path) -> tuple[Path, Path]:
    """Two sets of sheets of the same three students: every report differs between them."""
    first, second = tmp / "first", tmp / "second"
    first.mkdir()
    second.mkdir()
    for i in range(3):
        (first / f"s{i}.csv").write_text(template_sheet(f"s{i}", {"z1": "0.08"}))
        (second / f"s{i}.csv").write_text(template_sheet(f"s{i}", {"z1": "0.09", "h1": "0.5"}))
    return first, second


INTERRUPTIBLE = {
    "open": (os, "open"),
    "write": (os, "write"),
    "rename": (os, "rename"),
    "replace": (os, "replace"),
    "exchange": (files, "exchange"),
    "class file": (reports, "write_atomic"),
}
"""Where a run can be stopped: each system call that writes or moves a report, the atomic
exchange of a folder, and between the class-wide files."""


@contextlib.contextmanager
def wrapped(where: str, wrapper: Callable[[Callable[..., object]], Callable[..., object]]):
    """The call at `where` replaced by `wrapper(real call)` for the `with` block."""
    owner, name = INTERRUPTIBLE[where]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, name, wrapper(getattr(owner, name)))
        yield


def count_calls(where: str, run: Callable[[], object]) -> int:
    calls = 0

    def counting(real: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            return real(*args, **kwargs)

        return call

    with wrapped(where, counting):
        run()
    return calls


@contextlib.contextmanager
def interrupted(where: str, after: int) -> Iterator[None]:
    """The `after`+1-th call at `where` fails, as Ctrl-C would stop it there (a `write`
    half-way through); the cleaning up that follows runs as usual."""
    calls = 0

    def failing(real: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            if calls != after + 1:
                return real(*args, **kwargs)
            if where == "write":
                fd, data = args
                real(fd, bytes(data)[: len(data) // 2])  # type: ignore[arg-type]
            raise Interrupted

        return call

    with wrapped(where, failing), pytest.raises(Interrupted):
        yield


def folder_state(out: Path, old: dict[Path, bytes], new: dict[Path, bytes]) -> dict[str, str]:
    """Per report folder (and per class file): 'old' or 'new', never a mixture within one."""
    states: dict[str, set[str]] = {}
    for path in old:
        key = path.parent.name if path.parent != out else path.name
        data = path.read_bytes()
        assert data in (old[path], new[path]), path  # whole: the old file or the new one
        if old[path] == new[path]:  # a record of the same names: tells nothing apart
            continue
        states.setdefault(key, set()).add("old" if data == old[path] else "new")
    assert all(len(s) == 1 for s in states.values()), states
    return {key: s.pop() for key, s in states.items()}


@pytest.mark.parametrize("where", list(INTERRUPTIBLE))
def test_a_run_interrupted_anywhere_leaves_whole_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Stopped at every write, rename, exchange or class file in turn, a run leaves every
    report whole — each folder entirely the previous run's or entirely the new one's — and
    no temporary or staging file behind."""
    first, second = two_classes(tmp_path)
    if where == "rename":  # a system without an atomic exchange: two renames instead

        def no_exchange(a: Path, b: Path) -> None:
            raise OSError(errno.ENOSYS, "no renameat2")

        monkeypatch.setattr(files, "exchange", no_exchange)
    clean = tmp_path / "clean"
    grade_paths(SEED, [second], clean, diagrams=False, jobs=1)
    grade_paths(SEED, [first], tmp_path / "count", diagrams=False, jobs=1)
    calls = count_calls(
        where, lambda: grade_paths(SEED, [second], tmp_path / "count", jobs=1, diagrams=False)
    )
    assert calls >= 1
    seen = set()
    for after in range(calls):
        out = tmp_path / f"out-{after}"
        grade_paths(SEED, [first], out, diagrams=False, jobs=1)
        old = report_files(out)
        new = {out / p.relative_to(clean): data for p, data in report_files(clean).items()}
        assert set(old) == set(new) and len(old) == 2 * 3 + 3 + 3  # and 3 records
        assert all(old[p] != new[p] for p in old if p.name != files.RECORD)

        with interrupted(where, after):
            grade_paths(SEED, [second], out, diagrams=False, jobs=1)
        assert_whole_reports(out, 3, staging=True)
        assert {p for p in report_files(out) if ".backviz-staging" not in str(p)} == set(old)
        seen.add(tuple(sorted(folder_state(out, old, new).items())))
        grade_paths(SEED, [second], out, diagrams=False, jobs=1)  # the next run: all clean
        assert_whole_reports(out, 3)
        assert report_files(out) == new
    if where in ("exchange", "class file"):
        assert len(seen) == calls  # each stop leaves a different state


@pytest.mark.parametrize("where", list(INTERRUPTIBLE))
def test_an_interrupted_first_run_leaves_no_partial_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (tmp_path / "a.csv").write_text(template_sheet("a", {"z1": "0.08"}))
    calls = count_calls(
        where, lambda: grade_paths(SEED, [tmp_path / "a.csv"], tmp_path / "count", diagrams=False)
    )
    for after in range(calls):
        out = tmp_path / f"out-{after}"
        with interrupted(where, after):
            grade_paths(SEED, [tmp_path / "a.csv"], out, diagrams=False)
        if out.exists():
            assert_whole_reports(out, 1, staging=True)
        grade_paths(SEED, [tmp_path / "a.csv"], out, diagrams=False)
        assert_whole_reports(out, 1)


def test_short_write_never_truncates_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = two_classes(tmp_path)
    real = os.write

    def short(fd: int, data: bytes) -> int:
        return real(fd, bytes(data)[: max(1, len(data) // 2)])

    monkeypatch.setattr(os, "write", short)
    grade_paths(SEED, [first], tmp_path / "out", diagrams=False)
    monkeypatch.undo()
    assert_whole_reports(tmp_path / "out", 3)


def test_folders_with_other_files_are_never_replaced(tmp_path: Path) -> None:
    """A report folder holding only what backviz wrote (as its record lists) is
    replaced whole; one holding anything else — notes of the user's, even named like a
    report, or a link to elsewhere — keeps it, and the new reports are moved in beside."""
    first, second = two_classes(tmp_path)
    out = tmp_path / "out"
    grade_paths(SEED, [first], out, diagrams=False)
    (first / "s2.csv").unlink()
    grade_paths(SEED, [first], out, diagrams=False)  # s2 is gone: so is feedback/s2.md
    assert sorted(p.name for p in (out / "feedback").iterdir()) == [files.RECORD, "s0.md", "s1.md"]

    (out / "feedback" / "my notes.md").write_text("keep me")
    elsewhere = tmp_path / "elsewhere"
    (out / "results").rename(elsewhere)
    (out / "results").symlink_to(elsewhere, target_is_directory=True)
    grade_paths(SEED, [second], out, diagrams=False)
    assert (out / "feedback" / "my notes.md").read_text() == "keep me"
    assert (out / "results").is_symlink()
    for i in range(3):
        assert "| `h1` |" in (out / "feedback" / f"s{i}.md").read_text()
        assert json.loads((elsewhere / f"s{i}.json").read_text())["tests"]
    hidden = {p.name for p in out.iterdir() if p.name.startswith(".")}
    assert hidden == {files.LOCK, files.RECORD}  # no staging folder, no temporary file


# ── 7b. a big class shared over processes ────────────────────────────────────────────


def many_sheets(folder: Path, n: int) -> None:
    """A class of `n`: the 10 of `make_class` (broken ones included), the rest rounded right
    answers, early errors carried forward and one student id given twice."""
    make_class(folder)
    right, z1 = written(torch_222()), written(by_hand_222({"z1": 0.09}))
    for i in range(n - 10):
        values = z1 if i % 3 == 0 else {k: f"{float(v):.{4 + i % 5}f}" for k, v in right.items()}
        student = "twice" if i in (4, 7) else f"p{i:03d}"
        (folder / f"p{i:03d}.csv").write_text(template_sheet(student, values))


def test_shared_over_processes_the_reports_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import backviz.grading.run as run

    many_sheets(tmp_path / "sheets", 40)
    monkeypatch.setattr(run, "PARALLEL_FROM", 1)
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    grade_paths(SEED, [tmp_path / "sheets"], alone, jobs=1)
    summary = grade_paths(SEED, [tmp_path / "sheets"], shared, jobs=3)
    assert "graded 40 submission(s)" in summary
    files = sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
    assert sorted(p.relative_to(shared) for p in shared.rglob("*") if p.is_file()) == files
    # feedback, results, diagrams per submission; 3 class files; 4 records; the lock
    assert len(files) == 3 * 40 + 3 + 4 + 1
    for f in files:
        assert (alone / f).read_bytes() == (shared / f).read_bytes(), f
    assert (shared / "feedback" / "twice-2.md").exists()  # unique across the shares


def test_a_graded_share_comes_back_from_a_worker_whole() -> None:
    """A worker sends its share's table pickled, the texts written a column at a time as one
    string: every text must come back as it was, a NUL or a blank one included."""
    import pickle

    from backviz.grading.table import VerdictTable

    answers = [{"z1": "0.08", "h1": "0.5"}, {"z1": "abc"}, {}, {"z1": "0,5", "h1": "≈0.52"}]
    table = grader(SEED).table([submission(a, f"s{i}") for i, a in enumerate(answers)])
    table.given[0][2] = "a\0b"  # as a JSON sheet could spell it: \u0000
    back = pickle.loads(pickle.dumps(table))
    assert isinstance(back, VerdictTable)
    for field in ("names", "students", "sources", "problems", "verdicts", "given", "details"):
        assert getattr(back, field) == getattr(table, field), field
    assert (back.marks == table.marks).all() and back.totals == table.totals


def test_file_names_are_unique_even_against_ids_like_a_made_up_one() -> None:
    from backviz.grading.ids import unique_names

    assert unique_names(["a", "a", "a-2", "b/c", "b c"]) == ["a", "a-2", "a-2-2", "b_c", "b_c-2"]


def test_two_spellings_of_one_quantity_grade_the_first() -> None:
    """'z1' and 'Z1' name the same quantity: the first is graded and the sheet told so, as
    for a name given twice."""
    table = grader(SEED).table([submission({"z1": "0.5", "Z1": "0.08"})])
    (graded,) = table.graded()
    z1 = next(v for v in graded.verdicts if v.name == "z1")
    assert (z1.given, z1.verdict) == ("0.5", "wrong")
    assert "'Z1' is 'z1' again; the first is graded" in graded.problems


def test_negative_zero_is_written_as_itself() -> None:
    """-0.0 equals 0.0 but is not written like it: students' own variants may expect either."""
    from backviz.grading.student_reports import StudentReports
    from backviz.grading.table import VerdictTable

    table = VerdictTable(
        names=["z1"],
        max_marks=[1.0],
        students=["a", "b"],
        sources=["a", "b"],
        problems=[[], []],
        verdicts=[["correct", "correct"]],
        given=[["0", "0"]],
        details=[["", ""]],
        expected=np.array([[0.0], [-0.0]]),
        marks=np.array([[1.0], [1.0]]),
    )
    rows = StudentReports(table, [solve(SEED)] * 2, ["a", "b"]).verdict_rows(range(2))
    assert rows == "a,z1,correct,0,0.0,1\nb,z1,correct,0,-0.0,1\n"


def test_a_failing_worker_stops_the_run_and_keeps_the_old_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    import backviz.grading.run as run
    from backviz.errors import BackvizError

    many_sheets(tmp_path / "sheets", 30)
    monkeypatch.setattr(run, "PARALLEL_FROM", 1)
    out = tmp_path / "out"
    grade_paths(SEED, [tmp_path / "sheets"], out, diagrams=False, jobs=1)
    old = report_files(out)
    (tmp_path / "sheets" / "p000.csv").write_text(template_sheet("p000", {"z1": "0.5"}))
    parent = os.getpid()
    real_rows = StudentReports.verdict_rows

    def fails_in_a_worker(self: StudentReports, share: range) -> str:
        if os.getpid() != parent:
            raise ValueError("disk on fire")
        return real_rows(self, share)

    def dies_in_a_worker(self: StudentReports, share: range) -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_rows(self, share)

    for broken, message in ((fails_in_a_worker, "disk on fire"), (dies_in_a_worker, "signal 9")):
        monkeypatch.setattr(StudentReports, "verdict_rows", broken)
        with pytest.raises(BackvizError, match=message):
            grade_paths(SEED, [tmp_path / "sheets"], out, diagrams=False, jobs=2)
        assert report_files(out) == old
    monkeypatch.setattr(StudentReports, "verdict_rows", real_rows)
    grade_paths(SEED, [tmp_path / "sheets"], out, diagrams=False, jobs=2)
    assert (out / "feedback" / "p000.md").read_bytes() != old[out / "feedback" / "p000.md"]


def test_reports_that_cannot_be_written_say_so_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_classes(tmp_path)
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "results").write_text("not a folder")
    result = CliRunner().invoke(main, ["grade", str(SEED), str(first), "--out", str(blocked)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "results: a file where the reports need a folder" in result.output

    out = tmp_path / "out"
    grade_paths(SEED, [first], out, diagrams=False)
    old = report_files(out)

    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.StagedFolders, "write", disk_full)
    result = CliRunner().invoke(main, ["grade", str(SEED), str(second), "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "the reports could not be written (No space left on device)" in result.output
    assert report_files(out) == old


# ── 8. determinism ────────────────────────────────────────────────────────────────────


def test_same_input_gives_byte_identical_reports(tmp_path: Path) -> None:
    make_class(tmp_path / "sheets")
    one = tmp_path / "one"
    two = tmp_path / "two"
    grade_cli(SEED, one, tmp_path / "sheets")
    grade_cli(SEED, two, tmp_path / "sheets")
    files = sorted(p.relative_to(one) for p in report_files(one))
    assert sorted(p.relative_to(two) for p in report_files(two)) == files
    assert {"grades.csv", "verdicts.csv", "summary.md"} <= {f.as_posix() for f in files}
    assert len([f for f in files if f.parts[0] == "feedback"]) == 10 + 1  # and the record
    assert len([f for f in files if f.parts[0] == "results"]) == 10 + 1
    for f in files:
        assert (one / f).read_bytes() == (two / f).read_bytes(), f


def test_same_input_in_other_processes_gives_identical_reports(tmp_path: Path) -> None:
    """Nothing depends on the process: hash seeds (set and dict order) or the clock."""
    import subprocess
    import sys

    make_class(tmp_path / "sheets")
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        result = subprocess.run(
            [sys.executable, "-m", "backviz", "grade", str(SEED), str(tmp_path / "sheets"),
             "--out", str(out), "--no-diagrams"],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outs.append({p.relative_to(out): data for p, data in report_files(out).items()})
    assert outs[0] == outs[1] and len(outs[0]) == 2 * 10 + 3 + 3  # and 3 records


def test_summary_counts_the_class_mistakes(tmp_path: Path) -> None:
    """A mistake is counted once per student who made it, however many quantities it
    spoils: the question for the teacher is how many students to reach."""
    sheets = {
        "a": by_hand_222(MISTAKES_222["update-added"][0]),
        "b": by_hand_222(MISTAKES_222["update-added"][0]),
        "c": by_hand_222(MISTAKES_222["half-forgotten"][0]),
        "d": by_hand_222(),
    }
    for student, values in sheets.items():
        (tmp_path / f"{student}.csv").write_text(template_sheet(student, written(values)))
    grade_paths(SEED, [tmp_path / f"{s}.csv" for s in sheets], tmp_path / "out", diagrams=False)
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    common = summary.split("## Most common mistakes")[1].split("##")[0]
    assert common.strip().splitlines() == [
        "- mistake:update-added: 2 students",  # a and b, each on 8 updated weights
        "- mistake:half-forgotten: 1 student",  # c, on two quantities
    ]
    assert "| `W5+` | 50% | 0% | 0% | update-added 50% | 0% | 0% | 0% |" in summary
    assert "| `E_total` | 75% | 25% | 0% | — | 0% | 0% | 0% |" in summary
    assert "4 submissions; mean" in summary


# ── 9. Gradescope's results.json ──────────────────────────────────────────────────────

FORMATS = ["text", "html", "simple_format", "md", "ansi"]  # Gradescope's output formats
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "tests"],
    "properties": {
        "score": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": FORMATS},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["score", "max_score", "name", "output", "visibility"],
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": {"enum": FORMATS},
                    "visibility": {
                        "enum": ["hidden", "after_due_date", "after_published", "visible"]
                    },
                    "status": {"enum": ["passed", "failed"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "extra_data": {"type": "object"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def validate(instance: object, schema: dict, where: str = "$") -> None:
    """The few JSON Schema keywords used above (jsonschema is not installed here)."""
    types = {"object": dict, "array": list, "string": str}
    if "type" in schema:
        if schema["type"] == "number":
            ok = isinstance(instance, int | float) and not isinstance(instance, bool)
            assert ok and math.isfinite(instance), f"{where}: not a number: {instance!r}"  # type: ignore[arg-type]
        else:
            assert isinstance(instance, types[schema["type"]]), f"{where}: {instance!r}"
    if "enum" in schema:
        assert instance in schema["enum"], f"{where}: {instance!r}"
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            assert key in instance, f"{where}: no {key}"
        properties = schema.get("properties", {})
        for key, value in instance.items():
            if key in properties:
                validate(value, properties[key], f"{where}.{key}")
            else:
                assert schema.get("additionalProperties", True), f"{where}: unknown {key}"
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            validate(item, schema["items"], f"{where}[{i}]")


def test_results_json_is_gradescope_format(graded_class: tuple[Path, str]) -> None:
    out, _ = graded_class
    grades = {row[0]: row for row in read_csv(out / "grades.csv")[1:]}
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    for student, row in grades.items():
        data = json.loads((out / "results" / f"{student}.json").read_text(encoding="utf-8"))
        validate(data, GRADESCOPE_SCHEMA)
        if jsonschema is not None:
            jsonschema.validate(data, GRADESCOPE_SCHEMA)
        tests = data["tests"]
        assert [t["name"] for t in tests] == list(ASKED_222)
        assert data["score"] == pytest.approx(sum(t["score"] for t in tests))
        assert data["score"] == pytest.approx(float(row[1]))
        assert sum(t["max_score"] for t in tests) == pytest.approx(float(row[2]))
        assert all(0 <= t["score"] <= t["max_score"] for t in tests)
        assert len({t["number"] for t in tests}) == len(tests)
    alice = json.loads((out / "results" / "alice.json").read_text(encoding="utf-8"))
    assert {t["status"] for t in alice["tests"]} == {"passed"}


def test_validator_rejects_what_gradescope_rejects() -> None:
    good = {"score": 1, "tests": [{"score": 1, "max_score": 1, "name": "z1", "output": "",
                                   "visibility": "visible"}]}  # fmt: skip
    validate(good, GRADESCOPE_SCHEMA)
    for bad in (
        {"tests": []},
        {"score": "1", "tests": []},
        {"score": 1, "tests": [{**good["tests"][0], "visibility": "always"}]},  # type: ignore[dict-item]
        {"score": 1, "tests": [{**good["tests"][0], "status": "ok"}]},  # type: ignore[dict-item]
        {"score": 1, "tests": [], "visibility": "public"},
    ):
        with pytest.raises(AssertionError):
            validate(bad, GRADESCOPE_SCHEMA)


# ── 10. `backviz template` and `[ask]` ─────────────────────────────────────────────────


def template_rows(exercise: Path, *options: str) -> list[list[str]]:
    result = CliRunner().invoke(main, ["template", str(exercise), *options])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("#")]
    return list(csv.reader(lines))


def computing_order(path: Path, names: list[str]) -> None:
    """Each asked quantity comes after every asked quantity its formula reads."""
    trace = solve(path)
    position = {name: i for i, name in enumerate(names)}
    for name in names:
        formula = trace.formula(trace.ref(name))  # type: ignore[union-attr]
        for ref in formula.inputs if formula is not None else ():
            before = trace.name(ref)  # type: ignore[union-attr]
            assert position.get(before, -1) < position[name], (before, name)


def test_template_lists_the_asked_quantities_blank_in_computing_order() -> None:
    rows = template_rows(SEED, "--student", "s07")
    assert rows[0] == ["quantity", "value"] and rows[1] == ["student", "s07"]
    assert [r[0] for r in rows[2:]] == list(ASKED_222)
    assert all(r[1] == "" for r in rows[2:])
    for path in (NN221, SOFTMAX):
        rows = template_rows(path)
        names = [r[0] for r in rows[2:]]
        assert set(names) == set(torch_reference(path)) - {
            n for n in torch_reference(path) if "@2" in n or "@3" in n
        }
        assert len(names) == len(set(names)) and all(r[1] == "" for r in rows[2:])
        computing_order(path, names)


def test_filled_template_grades_all_correct(tmp_path: Path) -> None:
    sheet = tmp_path / "mine.csv"
    result = CliRunner().invoke(main, ["template", str(NN221), "--student", "kim", "-o", sheet])
    assert result.exit_code == 0
    reference = written(torch_reference(NN221), 6)
    lines = sheet.read_text(encoding="utf-8").splitlines()
    filled = [
        f"{line.split(',')[0]},{reference[line.split(',')[0]]}"
        if line.split(",")[0] in reference
        else line
        for line in lines
    ]
    sheet.write_text("\n".join(filled) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    grade_cli(NN221, out, sheet)
    (row,) = read_csv(out / "grades.csv")[1:]
    assert row[0] == "kim" and row[1] == row[2]


def test_ask_names_marks_kinds_and_carried_credit(tmp_path: Path) -> None:
    names = exercise_with(tmp_path, SEED, 'names = ["W1+", "z1", "dE/dW5", "E_total"]\n', "a.toml")
    assert [r[0] for r in template_rows(names)[2:]] == ["z1", "E_total", "dE/dW5", "W1+"]
    (graded,) = grader(names).grade([submission(written(torch_222()))])
    assert [v.name for v in graded.verdicts] == ["z1", "E_total", "dE/dW5", "W1+"]
    assert graded.total == graded.max_total == 4

    ask = (
        'kinds = ["grad", "update"]\n'
        'marks = { default = 2, update = 3, "dE/dW5" = 10 }\n'
        "carried_credit = 0.5\n"
    )
    marked = exercise_with(tmp_path, SEED, ask, "b.toml")
    expected_names = [n for n in ASKED_222 if n.startswith("dE/dW") or n.endswith("+")]
    assert [r[0] for r in template_rows(marked)[2:]] == expected_names
    student = by_hand_222({"dE/dW5": 0.03})  # wrong; W5+ = 0.45 − 0.5·0.03 carried from it
    (graded,) = grader(marked).grade([submission(written(student))])
    by = {v.name: v for v in graded.verdicts}
    assert [v.name for v in graded.verdicts] == expected_names
    assert {n: v.max_marks for n, v in by.items()} == {
        n: 10.0 if n == "dE/dW5" else 3.0 if n.endswith("+") else 2.0 for n in expected_names
    }
    assert graded.max_total == 10 + 2 * 7 + 3 * 8
    assert by["dE/dW5"].verdict == "wrong" and by["dE/dW5"].marks == 0
    assert by["W5+"].verdict == "carried" and by["W5+"].marks == 1.5
    assert graded.total == graded.max_total - 10 - 1.5


def test_ask_steps_asks_a_later_step(tmp_path: Path) -> None:
    later = exercise_with(tmp_path, NN221, 'kinds = ["update"]\nsteps = [2]\n')
    names = [r[0] for r in template_rows(later)[2:]]
    assert names and all(n.endswith("+@2") for n in names)


# ── 11. `backviz check-answers` ───────────────────────────────────────────────────────


def test_check_answers_prints_the_feedback(tmp_path: Path) -> None:
    sheet = tmp_path / "lee.csv"
    student = by_hand_222({"dE/dW5": 0.03, "W2+": update_added(2)})
    sheet.write_text(template_sheet("lee", written(student)), encoding="utf-8")
    result = CliRunner().invoke(main, ["check-answers", str(SEED), str(sheet)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("# Feedback for lee")
    assert f"Total: {len(ASKED_222) - 1.5:g} / {len(ASKED_222):g}" in text
    assert re.search(r"\| `dE/dW5` \| wrong \| 0\.03000000 \| 0\.02592286 \| 0 / 1 \|", text)
    assert re.search(r"\| `W5\+` \| carried \(from your dE/dW5 = 0\.03000000\) \|", text)
    assert re.search(r"\| `W2\+` \| mistake:update-added \| 0\.25080888 \|.*\| 0\.5 / 1 \|", text)
    assert re.search(r"\| `z1` \| correct \| 0\.08000000 \| 0\.08", text)
    worked = text.split("## Worked steps")[1]
    assert "`dE/dW5` (wrong)" in worked and "0.02592286" in worked and "`W5+`" not in worked
    assert "`W2+` (mistake:update-added)" in worked and "gradient descent subtracts" in worked
    korean = CliRunner().invoke(main, ["check-answers", str(SEED), str(sheet), "--lang", "ko"])
    assert korean.exit_code == 0 and "피드백" in korean.output


def test_check_answers_on_a_broken_sheet(tmp_path: Path) -> None:
    sheet = tmp_path / "broken.csv"
    sheet.write_bytes(b"\x00\x01")
    result = CliRunner().invoke(main, ["check-answers", str(SEED), str(sheet)])
    assert result.exit_code == 0
    assert "binary" in result.output and f"Total: 0 / {len(ASKED_222)}" in result.output


# ── the README's table of examples (How marks are given), row by row ───────────────────
def _with(changes: dict[str, str], base: dict[str, str] | None = None) -> dict[str, str]:
    return {**(base or written(torch_222())), **changes}


README_ROWS = [
    ({"z1": "0.08"}, "z1", "correct"),
    ({"h1": "0.52"}, "h1", "correct"),
    ({"h1": "0.5199"}, "h1", "correct"),
    ({"h1": "0.5"}, "h1", "correct"),
    ({"dE/dW1": "0.0008"}, "dE/dW1", "correct"),
    ({"dE/dW1": "0.00"}, "dE/dW1", "wrong"),  # among answers of 8 decimals
    ({"W1+": "0.2996"}, "W1+", "correct"),
    ({"W1+": "0.30"}, "W1+", "wrong"),
    ({"delta_o1": "0"}, "delta_o1", "wrong"),
    ({"dE/dW5": "0.0000", "W5+": "0.4500"}, "W5+", "wrong"),
    ({"h1": "0.5225", "z3": "0.4461"}, "z3", "carried"),
    ({"z4": "0.44498412"}, "z4", "wrong"),
    ({"W1+": "0.29960429"}, "W1+", "mistake:updated-weights-in-backprop"),
]
README_ROWS_AT_2 = [  # on a sheet of 2 decimals: the 0 and the old value are honest rounding
    ({"dE/dW1": "0.00"}, "dE/dW1", "imprecise"),
    ({"W1+": "0.30"}, "W1+", "imprecise"),
]


@pytest.mark.parametrize(("changes", "name", "verdict"), README_ROWS)
def test_the_readme_examples_of_how_marks_are_given(
    changes: dict[str, str], name: str, verdict: str
) -> None:
    """Each row of the README's table, on a sheet otherwise right to 8 decimals."""
    assert grade(SEED, _with(changes))[name].verdict == verdict


@pytest.mark.parametrize(("changes", "name", "verdict"), README_ROWS_AT_2)
def test_the_readme_examples_on_a_sheet_of_two_decimals(
    changes: dict[str, str], name: str, verdict: str
) -> None:
    """The rows the README gives on a sheet of 2 decimals (the right values rounded)."""
    base = written(torch_222(), 2)
    assert grade(SEED, _with(changes, base))[name].verdict == verdict


def test_the_readme_reasons_are_in_the_feedback() -> None:
    trivial = grade(SEED, _with({"dE/dW5": "0.0000", "W5+": "0.4500"}))["W5+"].detail
    assert "follows from your dE/dW5 = 0.0000" in trivial and "trivial" in trivial
    at_2 = written(torch_222(), 2)
    assert "at least 4 decimal" in grade(SEED, _with({"dE/dW1": "0.00"}, at_2))["dE/dW1"].detail
    assert "is a term left out?" in grade(SEED, _with({"delta_o1": "0"}))["delta_o1"].detail
    assert "not updated" in grade(SEED, _with({"W1+": "0.30"}))["W1+"].detail
    assert grade(SEED, _with({"h1": "0.5225", "z3": "0.4461"}))["z3"].detail == (
        "from your h1 = 0.5225"
    )
    lookalike = grade(SEED, _with({"z4": "0.44498412"}))["z4"].detail
    assert lookalike == "this is the value of z3: a mislabelled answer?"
    placeholder = grade(SEED, dict.fromkeys(ASKED_222, "0.5"))
    assert {v.verdict for v in placeholder.values()} == {"wrong"}
    assert "placeholder" in placeholder["h1"].detail


@pytest.mark.parametrize(
    ("exercise", "name", "exact", "answers"),
    [
        # z1 = W1·x1 + W2·x2 = 0.3·0.1 + 0.25·0.2 = 0.08 exactly
        (
            "seed-222",
            "z1",
            Fraction(3, 10) * Fraction(1, 10) + Fraction(1, 4) * Fraction(2, 10),
            {"0.08": "correct", "0.0800": "correct", "0.07": "not", "0.079": "not"},
        ),
        # ∂h̃1/∂h1 = m/(1 − p) = 1/(1 − 0.5) = 2 exactly
        ("dropout-222", "dh~1/dh1", Fraction(2), {"2": "correct", "1": "not", "1.9": "not"}),
    ],
)
def test_truncation_never_takes_a_whole_unit_off(
    exercise: str, name: str, exact: Fraction, answers: dict[str, str]
) -> None:
    """Truncating 0.08 to two decimals gives 0.08, never 0.07: a number a whole unit below an
    exact right value is no rounding nor truncating of it, and is not correct (it was, while
    the truncation bound was closed)."""
    trace = solve(EXERCISES / f"{exercise}.toml")
    assert Fraction(trace.value(trace.ref(name))) == Fraction(float(exact))
    grader = ClassGrader(trace)
    for text, expected in answers.items():
        table = grader.table([Submission("s", "s.csv", {name: parse_number(text)})])
        verdict = table.verdicts[table.names.index(name)][0]
        assert (verdict == "correct") == (expected == "correct"), (text, verdict)


def test_a_product_of_unwritten_factors_is_no_wider_than_their_rounding() -> None:
    """optimizer-amsgrad asks ∂E/∂W5 = δ_o1·h1 but neither δ_o1 nor h1: rounding each by a unit
    moves the product by u·(|h1| + |δ_o1|), not by a unit per factor. Two decimals places off
    (0.023 or 0.028 for 0.0259) were correct while each unasked input counted a whole unit."""
    right = torch_seed_222()["dE/dW5"]  # the same network and numbers at step 1
    assert round(right, 5) == 0.02592
    trace = solve(EXERCISES / "optimizer-amsgrad.toml")
    grader = ClassGrader(trace)
    name = "dE/dW5@1"
    assert math.isclose(trace.value(trace.ref(name)), right, rel_tol=1e-12)
    for text, fair in (
        ("0.0259", True),
        ("0.026", True),
        ("0.025", True),
        ("0.023", False),
        ("0.024", False),
        ("0.027", False),
        ("0.028", False),
    ):
        table = grader.table([Submission("s", "s.csv", {name: parse_number(text)})])
        verdict = table.verdicts[table.names.index(name)][0]
        assert (verdict == "correct") == fair, (text, verdict)
