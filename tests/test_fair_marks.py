"""Fair marks: the grader's verdicts on hand-worked answer sheets, against the principles.

Black box: sheets go in through `backviz grade` (and `check-answers`), verdicts and marks come
out of the reports; nothing here reads backviz's own numbers or verdict rules. Every expected
value is computed in this file from the exercise's TOML (read with tomllib) by a model of a
person working by hand, in exact decimal arithmetic (60 digits):

- forward pass, loss, backward pass and update, each asked quantity computed from the
  student's own *written* values of its inputs, then rounded (half up) or truncated toward
  zero to d decimals and used onward; the path terms of a hidden ∂E/∂h are computed, rounded
  and summed as a person writes them, but not written on the sheet;
- a catalogued mistake is the same working with that one formula replaced (σ′ left out,
  W⁺ = W + η·g …), applied to the student's own inputs;
- a slip is one digit of one written answer changed, everything after computed from it.

The expected verdict of each cell follows from the principles (u is one unit of the last
written place; the floor is the unit of the right value's s-th significant digit, of the
right step W⁺ − W for an update):

1. a written 0 (an update: W⁺ = W) is `wrong` when |right| ≥ u (|step| ≥ u); an answer
   exactly right as written is `correct`; otherwise u above the floor is `imprecise`;
2. within one unit of the right value, rounded or truncated alike, is `correct`;
3. honest hand working is `correct` or `carried`, full marks; the formula on a slipped value
   gives `carried`, never `wrong`;
4. `mistake:<id>` only where the right formula on the student's own inputs cannot give the
   number and the mistake's formula does;
5. a zero δ earns no carried credit for the ∂E/∂W and W⁺ it makes trivial; a placeholder
   earns nothing;
7. the notes' printed answers: 24 / 39, z4 wrong (z3's value), W1+ = 0.29960429 the
   updated-weights mistake.

The right values of the model are checked against torch.autograd in float64.

Readings of the principles this file commits to (where they leave room):
- the floor applies to every answer, so a carried answer below it is `imprecise` too;
- "correct" is judged against the right value with the band u·(1 + unasked path terms),
  2 for seed-222's ∂E/∂h; elsewhere (xor-221's batch means) no extra band is assumed: the
  model sums a batch mean exactly and rounds once, so it never needs one;
- rule 1 against rule 3: on xor-221, truncating honest 2-decimal working can write
  ∂E/∂b(2)_2 = 0.00 where the right value is −0.011 (|right| ≥ u); rule 1 calls that
  `wrong`, so such a sheet is not "honest working" here: the generator rounds that
  quantity instead (seed-222 never meets the case).
"""

from __future__ import annotations

import csv
import random
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from backviz.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
SEED = EXERCISES / "seed-222.toml"
XOR = EXERCISES / "xor-221.toml"
NOTES = ROOT / "examples" / "notes-answers.csv"

PREC = 60
ONE = Decimal(1)
HALF = Decimal("0.5")
DECIMALS = (2, 3, 4, 6, 8)  # the hand working of rule 3
SEED_MISTAKES = (
    "update-added",
    "no-learning-rate",
    "sign-flipped",
    "no-activation-derivative",
    "derivative-of-z",
    "updated-weights-in-backprop",
    "one-path-only",
    "weights-swapped",
    "half-forgotten",
    "derivative-doubled",
)  # batch-summed needs several samples: not applicable to seed-222


# ── the hand-working model ──────────────────────────────────────────────────────────────


@cache
def spec(path: Path) -> dict:
    """The exercise's TOML, numbers as exact decimals."""
    return tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def sigmoid(z: Decimal) -> Decimal:
    return ONE / (ONE + (-z).exp())


@dataclass(frozen=True)
class Hand:
    """How one person writes: to `d` decimals (None: exactly), rounding half up, truncating
    toward zero the quantities in `truncate`; with one catalogued `mistake`; writing the
    values in `override` instead of what they computed (a slip, a zero …)."""

    d: int | None = None
    truncate: frozenset[str] = frozenset()
    mistake: str | None = None
    override: tuple[tuple[str, Decimal], ...] = ()


@dataclass
class Work:
    """One sheet worked by hand: for every asked quantity, what was written, what its right
    formula gives on the written inputs (`own`), what each mistake's formula gives on them
    (`alts`), its inputs (`deps`), the unasked terms it sums, and the old value of an update."""

    hand: Hand
    written: dict[str, Decimal] = field(default_factory=dict)
    own: dict[str, Decimal] = field(default_factory=dict)
    alts: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    deps: dict[str, tuple[str, ...]] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    old: dict[str, Decimal] = field(default_factory=dict)

    def rnd(self, name: str, value: Decimal) -> Decimal:
        if self.hand.d is None:
            return value
        mode = ROUND_DOWN if name in self.hand.truncate else ROUND_HALF_UP
        written = value.quantize(ONE.scaleb(-self.hand.d), rounding=mode)
        return abs(written) if written == 0 else written  # nobody writes -0.00

    def put(
        self,
        name: str,
        value: Decimal,
        deps: Iterable[str] = (),
        alts: Mapping[str, Decimal] | None = None,
        terms: int = 0,
        old: Decimal | None = None,
    ) -> Decimal:
        alts = dict(alts or {})
        self.own[name], self.alts[name], self.deps[name] = value, alts, tuple(deps)
        self.terms[name] = terms
        if old is not None:
            self.old[name] = old
        overrides = dict(self.hand.override)
        # "derivative-of-z@2": the mistake made in layer 2 alone
        mistake, _, layer = (self.hand.mistake or "").partition("@")
        if layer and not in_layer(name, layer):
            mistake = ""
        written = overrides.get(name)
        if written is None:
            written = self.rnd(name, alts.get(mistake, value))
        self.written[name] = written
        return written

    def text(self, name: str) -> str:
        return format(self.written[name], "f")

    def sheet(self) -> dict[str, str]:
        return {name: self.text(name) for name in self.written}

    def descendants(self, name: str) -> set[str]:
        found: set[str] = set()
        for other, deps in self.deps.items():  # computing order: inputs come first
            if name in deps or found.intersection(deps):
                found.add(other)
        return found


def in_layer(name: str, layer: str) -> bool:
    """Whether a quantity belongs to layer 2 or 3 (z(2)_1, or the notes' h1, dh1/dz1, δ_h1
    for the hidden layer and o1, do1/dz3, δ_o1 for the output layer)."""
    if f"({layer})" in name:
        return True
    head = name.split("/")[0].replace("delta_", "")
    return {"2": "h", "3": "o"}[layer] in head and "(" not in name


def exact(model: Callable[[Hand], Work]) -> Callable[[Hand], Work]:
    def run(hand: Hand) -> Work:
        with localcontext() as ctx:
            ctx.prec = PREC
            return model(hand)

    run.__name__ = model.__name__
    return run


def _update(w: Work, name: str, old: Decimal, lr: Decimal, grad: str) -> None:
    g = w.written[grad]
    w.put(
        name,
        old - lr * g,
        [grad],
        {"update-added": old + lr * g, "no-learning-rate": old - g},
        old=old,
    )


@exact
def seed222(hand: Hand) -> Work:
    """The notes' 2-2-2 example worked as the notes write it."""
    s = spec(SEED)
    (W1, W2), (W3, W4) = s["parameters"]["W"][0]
    (W5, W6), (W7, W8) = s["parameters"]["W"][1]
    W = {"W1": W1, "W2": W2, "W3": W3, "W4": W4, "W5": W5, "W6": W6, "W7": W7, "W8": W8}
    (x1, x2), (t1, t2) = s["data"]["inputs"][0], s["data"]["targets"][0]
    lr = s["training"]["learning_rate"]
    w = Work(hand)
    put = w.put
    swap = "weights-swapped"  # z_j = Σ_k w_kj·a_k
    z1 = put("z1", W1 * x1 + W2 * x2, alts={swap: W1 * x1 + W3 * x2})
    h1 = put("h1", sigmoid(z1), ["z1"])
    z2 = put("z2", W3 * x1 + W4 * x2, alts={swap: W2 * x1 + W4 * x2})
    h2 = put("h2", sigmoid(z2), ["z2"])
    z3 = put("z3", W5 * h1 + W6 * h2, ["h1", "h2"], {swap: W5 * h1 + W7 * h2})
    o1 = put("o1", sigmoid(z3), ["z3"])
    z4 = put("z4", W7 * h1 + W8 * h2, ["h1", "h2"], {swap: W6 * h1 + W8 * h2})
    o2 = put("o2", sigmoid(z4), ["z4"])
    for o, t, n in ((o1, t1, "1"), (o2, t2, "2")):
        put(f"E_o{n}", HALF * (t - o) ** 2, [f"o{n}"], {"half-forgotten": (t - o) ** 2})
    put("E_total", w.written["E_o1"] + w.written["E_o2"], ["E_o1", "E_o2"])
    delta = {}
    for o, t, z, n, zn in ((o1, t1, z3, "1", "3"), (o2, t2, z4, "2", "4")):
        dEdo = put(
            f"dE/do{n}",
            -(t - o),
            [f"o{n}"],
            {"sign-flipped": t - o, "derivative-doubled": -2 * (t - o)},
        )
        dodz = put(f"do{n}/dz{zn}", o * (1 - o), [f"o{n}"], {"derivative-of-z": z * (1 - z)})
        delta[n] = put(
            f"delta_o{n}",
            dEdo * dodz,
            [f"dE/do{n}", f"do{n}/dz{zn}"],
            {"no-activation-derivative": dEdo},
        )
    put("dE/dW5", delta["1"] * h1, ["delta_o1", "h1"])
    put("dE/dW6", delta["1"] * h2, ["delta_o1", "h2"])
    put("dE/dW7", delta["2"] * h1, ["delta_o2", "h1"])
    put("dE/dW8", delta["2"] * h2, ["delta_o2", "h2"])
    for k in ("W5", "W6", "W7", "W8"):
        _update(w, f"{k}+", W[k], lr, f"dE/d{k}")
    hidden = {}
    for n, h, z, (wa, wb) in (("1", h1, z1, ("W5", "W7")), ("2", h2, z2, ("W6", "W8"))):
        name = f"dE/dh{n}"

        def path(d: Decimal, weight: Decimal, name: str = name) -> Decimal:
            return w.rnd(name, d * weight)  # each path term rounded as the person writes it

        updated = path(delta["1"], w.written[f"{wa}+"]) + path(delta["2"], w.written[f"{wb}+"])
        dEdh = put(
            name,
            path(delta["1"], W[wa]) + path(delta["2"], W[wb]),
            ["delta_o1", "delta_o2"],
            {"one-path-only": path(delta["1"], W[wa]), "updated-weights-in-backprop": updated},
            terms=2,
        )
        dhdz = put(f"dh{n}/dz{n}", h * (1 - h), [f"h{n}"], {"derivative-of-z": z * (1 - z)})
        hidden[n] = put(
            f"delta_h{n}",
            dEdh * dhdz,
            [name, f"dh{n}/dz{n}"],
            {"no-activation-derivative": dEdh},
        )
    put("dE/dW1", hidden["1"] * x1, ["delta_h1"])
    put("dE/dW2", hidden["1"] * x2, ["delta_h1"])
    put("dE/dW3", hidden["2"] * x1, ["delta_h2"])
    put("dE/dW4", hidden["2"] * x2, ["delta_h2"])
    for k in ("W1", "W2", "W3", "W4"):
        _update(w, f"{k}+", W[k], lr, f"dE/d{k}")
    return w


@exact
def xor221(hand: Hand) -> Work:
    """xor-221: biases, 4 samples, binary cross-entropy, mean over the samples, η = 1.

    A batch gradient is the mean of the per-sample products, summed exactly and rounded once
    (its terms are not written); a hidden ∂E/∂a has a single path here."""
    s = spec(XOR)
    W2, W3 = s["parameters"]["W"]
    b2, b3 = s["parameters"]["b"]
    X = [[Decimal(v) for v in row] for row in s["data"]["inputs"]]
    T = [Decimal(row[0]) for row in s["data"]["targets"]]
    lr = Decimal(s["training"]["learning_rate"])
    N = len(X)
    samples = range(1, N + 1)
    w = Work(hand)
    put = w.put
    a2, z3, a3 = {}, {}, {}
    for n in samples:
        x = X[n - 1]
        for j in (1, 2):
            z = f"z(2)_{j}[{n}]"
            swapped = W2[0][j - 1] * x[0] + W2[1][j - 1] * x[1] + b2[j - 1]
            zw = put(
                z,
                W2[j - 1][0] * x[0] + W2[j - 1][1] * x[1] + b2[j - 1],
                alts={"weights-swapped": swapped},
            )
            a2[j, n] = put(f"a(2)_{j}[{n}]", sigmoid(zw), [z])
        z3[n] = put(
            f"z(3)_1[{n}]",
            W3[0][0] * a2[1, n] + W3[0][1] * a2[2, n] + b3[0],
            [f"a(2)_1[{n}]", f"a(2)_2[{n}]"],
        )
        a3[n] = put(f"a(3)_1[{n}]", sigmoid(z3[n]), [f"z(3)_1[{n}]"])
    for n in samples:
        a, t = a3[n], T[n - 1]
        term = put(f"E_1[{n}]", -(t * a.ln() + (1 - t) * (1 - a).ln()), [f"a(3)_1[{n}]"])
        put(f"E[{n}]", term / 1, [f"E_1[{n}]"])
    total = sum(w.written[f"E[{n}]"] for n in samples)
    put("E", total / N, [f"E[{n}]" for n in samples], {"batch-summed": total})
    d3 = {}
    for n in samples:
        a, t = a3[n], T[n - 1]
        dEda = put(
            f"dE/da(3)_1[{n}]",
            ((a - t) / (a * (1 - a))) / 1,
            [f"a(3)_1[{n}]"],
            {"sign-flipped": ((t - a) / (a * (1 - a))) / 1},
        )
        dadz = put(
            f"da(3)_1/dz(3)_1[{n}]",
            a * (1 - a),
            [f"a(3)_1[{n}]"],
            {"derivative-of-z": z3[n] * (1 - z3[n])},
        )
        d3[n] = put(
            f"delta(3)_1[{n}]",
            dEda * dadz,
            [f"dE/da(3)_1[{n}]", f"da(3)_1/dz(3)_1[{n}]"],
            {"no-activation-derivative": dEda},
        )
    deltas3 = [f"delta(3)_1[{n}]" for n in samples]
    for k in (1, 2):
        total = sum(d3[n] * a2[k, n] for n in samples)
        put(
            f"dE/dW(3)_1{k}",
            total / N,
            [*deltas3, *(f"a(2)_{k}[{n}]" for n in samples)],
            {"batch-summed": total},
        )
    total = sum(d3[n] for n in samples)
    put("dE/db(3)_1", total / N, deltas3, {"batch-summed": total})
    for k in (1, 2):
        _update(w, f"W(3)_1{k}+", W3[0][k - 1], lr, f"dE/dW(3)_1{k}")
    _update(w, "b(3)_1+", b3[0], lr, "dE/db(3)_1")
    d2 = {}
    for n in samples:
        for j in (1, 2):
            name = f"dE/da(2)_{j}[{n}]"
            dEda = put(
                name,
                d3[n] * W3[0][j - 1],
                [f"delta(3)_1[{n}]"],
                {"updated-weights-in-backprop": d3[n] * w.written[f"W(3)_1{j}+"]},
            )
            a, z = a2[j, n], w.written[f"z(2)_{j}[{n}]"]
            dadz = put(
                f"da(2)_{j}/dz(2)_{j}[{n}]",
                a * (1 - a),
                [f"a(2)_{j}[{n}]"],
                {"derivative-of-z": z * (1 - z)},
            )
            d2[j, n] = put(
                f"delta(2)_{j}[{n}]",
                dEda * dadz,
                [name, f"da(2)_{j}/dz(2)_{j}[{n}]"],
                {"no-activation-derivative": dEda},
            )
    for j in (1, 2):
        for k in (1, 2):
            total = sum(d2[j, n] * X[n - 1][k - 1] for n in samples)
            deltas2 = [f"delta(2)_{j}[{n}]" for n in samples]
            put(f"dE/dW(2)_{j}{k}", total / N, deltas2, {"batch-summed": total})
    for j in (1, 2):
        total = sum(d2[j, n] for n in samples)
        deltas2 = [f"delta(2)_{j}[{n}]" for n in samples]
        put(f"dE/db(2)_{j}", total / N, deltas2, {"batch-summed": total})
    for j in (1, 2):
        for k in (1, 2):
            _update(w, f"W(2)_{j}{k}+", W2[j - 1][k - 1], lr, f"dE/dW(2)_{j}{k}")
    for j in (1, 2):
        _update(w, f"b(2)_{j}+", b2[j - 1], lr, f"dE/db(2)_{j}")
    return w


@cache
def right(model: Callable[[Hand], Work]) -> Work:
    return model(Hand())


@cache
def mistaken(model: Callable[[Hand], Work], mistake: str) -> Work:
    """The whole working done exactly with one mistake (as a switch on the whole network)."""
    return model(Hand(mistake=mistake))


def honest(model: Callable[[Hand], Work], d: int, truncate: Iterable[str] = (), **kw) -> Work:
    return model(Hand(d=d, truncate=frozenset(truncate), **kw))


# ── the principles, as arithmetic on written text ──────────────────────────────────────


def unit(text: str) -> Decimal:
    """One unit of the last written place: 0.52 → 0.01, 0.5199 → 0.0001, 0 → 1, 0.00 → 0.01."""
    return ONE.scaleb(-len(text.split(".")[1])) if "." in text else ONE


def floor_unit(value: Decimal, significant: int = 1) -> Decimal:
    """The unit of the value's `significant`-th significant digit (0.0259 → 0.01 for 1)."""
    assert value != 0
    return ONE.scaleb(value.adjusted() - significant + 1)


def decimals_needed(name: str, significant: int = 1, model=seed222) -> int:
    return -floor_unit(measure(model, name), significant).adjusted()


def measure(model: Callable[[Hand], Work], name: str) -> Decimal:
    """What the floor is counted on: the right value, or the right step of an update."""
    r = right(model)
    return r.written[name] - r.old[name] if name in r.old else r.written[name]


@dataclass(frozen=True)
class Expect:
    verdicts: frozenset[str]
    credit: float
    why: str

    def __str__(self) -> str:
        return f"{'|'.join(sorted(self.verdicts))} ({self.why})"


def expect_cell(
    model: Callable[[Hand], Work],
    name: str,
    text: str,
    *,
    significant: int = 1,
    imprecise_credit: float = 0.0,
    at_precision: bool = False,
    finest: Decimal | None = None,
) -> Expect:
    """The verdict a value from honest working (or carried from an earlier wrong value) must
    get: rule 1's zero and floor, then rules 2–3. `at_precision`: the value is the right value
    rounded or truncated, so nothing but `correct` (or the floor's `imprecise`) is possible.
    `finest`: the smallest unit written anywhere on the sheet, the precision its student works
    at: a 0 (W⁺ = W) is read against it too, so a bare 0 on a sheet of 8 decimals is wrong."""
    r = right(model)
    value, rv = Decimal(text), r.written[name]
    u = unit(text) if finest is None else min(unit(text), finest)  # rule 1's unit
    old = r.old.get(name)
    if value == 0 and abs(rv) >= u:
        return Expect(frozenset({"wrong"}), 0.0, f"a written 0, |right| = {abs(rv):.3g} ≥ u")
    if old is not None and value == old and abs(rv - old) >= u:
        return Expect(frozenset({"wrong"}), 0.0, "W⁺ = W, the step is at least one unit")
    if value == rv:
        return Expect(frozenset({"correct"}), 1.0, "exactly right")
    u = unit(text)
    floor = floor_unit(measure(model, name), significant)
    if u > floor:
        # a 0 (or W⁺ = W) right only to its coarse precision is still no information: nothing
        nought = value == 0 or (old is not None and value == old)
        credit = 0.0 if nought else imprecise_credit
        return Expect(frozenset({"imprecise"}), credit, f"u = {u} > floor {floor}")
    band = (1 + r.terms[name]) * u
    off = abs(value - rv)
    made = {rv.quantize(u, rounding=mode) for mode in (ROUND_HALF_UP, ROUND_DOWN)}
    extra = r.terms[name] * u  # give or take u for each unasked term summed
    if at_precision or min(abs(value - m) for m in made) <= extra:
        return Expect(frozenset({"correct"}), 1.0, "the right value rounded or truncated")
    if off > 100 * band and off > abs(measure(model, name)) / 100:
        return Expect(frozenset({"carried"}), 1.0, "far from right: only carried explains it")
    return Expect(frozenset({"correct", "carried"}), 1.0, "honest working")


def expect_work(
    model: Callable[[Hand], Work],
    work: Work,
    *,
    significant: int = 1,
    imprecise_credit: float = 0.0,
    at_precision: bool = False,
    wrong: Iterable[str] = (),
    mistake_credit: float = 0.5,
) -> dict[str, Expect]:
    """Every cell of a hand-worked sheet: `wrong` for the listed slips, the mistake where the
    mistake's formula (not the right one) gave the written number, else `expect_cell`."""
    out = {}
    wrong = set(wrong)
    finest = min(unit(work.text(name)) for name in work.written)
    for name in work.written:
        text = work.text(name)
        m = work.hand.mistake
        if name in wrong:
            out[name] = Expect(frozenset({"wrong"}), 0.0, "the slip itself")
        elif m is not None and m in work.alts[name] and is_mistake_cell(work, name):
            out[name] = Expect(frozenset({f"mistake:{m}"}), mistake_credit, "made here")
        else:
            out[name] = expect_cell(
                model,
                name,
                text,
                significant=significant,
                imprecise_credit=imprecise_credit,
                at_precision=at_precision,
                finest=finest,
            )
    return out


def is_mistake_cell(work: Work, name: str) -> bool:
    """The mistake's formula, not the right one, gave this number (clearly, not by a unit)."""
    u = unit(work.text(name))
    gap = abs(work.alts[name][work.hand.mistake] - work.own[name])
    return gap > 10 * (1 + work.terms[name]) * u


def ancestors(work: Work, name: str) -> set[str]:
    found: set[str] = set()
    todo = list(work.deps[name])
    while todo:
        dep = todo.pop()
        if dep not in found:
            found.add(dep)
            todo.extend(work.deps[dep])
    return found


def zero_info(work: Work, name: str) -> bool:
    v = work.written[name]
    return v == 0 or (name in work.old and v == work.old[name])


def conflicts(model: Callable[[Hand], Work], work: Work) -> list[str]:
    """Cells where honest working writes zero information although the right value is not 0
    at that precision: rule 1 makes them `wrong`, so rule 3's honest sheet cannot use them."""
    return [
        name
        for name in work.written
        if "wrong" in expect_cell(model, name, work.text(name)).verdicts
    ]


# ── grading through the command line ───────────────────────────────────────────────────


@dataclass
class Graded:
    verdict: dict[tuple[str, str], str]
    marks: dict[tuple[str, str], float]
    given: dict[tuple[str, str], str]
    total: dict[str, float]
    maximum: dict[str, float]
    reports: Path

    def feedback(self, student: str) -> str:
        return (self.reports / "feedback" / f"{student}.md").read_text(encoding="utf-8")


def write_sheet(path: Path, student: str, answers: Mapping[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["quantity", "value"])
        out.writerow(["student", student])
        out.writerows(answers.items())


def grade(exercise: Path, sheets: Mapping[str, Mapping[str, str]], folder: Path) -> Graded:
    """Grade a class of sheets in one `backviz grade` call; the reports, read back."""
    sheet_dir, reports = folder / "sheets", folder / "reports"
    sheet_dir.mkdir(parents=True)
    for student, answers in sheets.items():
        write_sheet(sheet_dir / f"{student}.csv", student, answers)
    args = ["grade", str(exercise), str(sheet_dir), "--out", str(reports), "--no-diagrams"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (
        f"backviz grade {exercise.name} exited {result.exit_code}: {result.output}"
        f"{result.exception!r}"
    )
    g = Graded({}, {}, {}, {}, {}, reports)
    with (reports / "verdicts.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (row["student"], row["quantity"])
            g.verdict[key] = row["verdict"]
            g.marks[key] = float(row["marks"])
            g.given[key] = row["given"]
    with (reports / "grades.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            g.total[row["student"]] = float(row["total"])
            g.maximum[row["student"]] = float(row["max"])
    return g


def disagreements(
    graded: Graded, student: str, expected: Mapping[str, Expect], note: str = ""
) -> list[str]:
    """Every cell whose verdict or marks differ from the expectation, and a wrong total."""
    problems = []
    for name, exp in expected.items():
        verdict = graded.verdict.get((student, name), "<no row>")
        marks = graded.marks.get((student, name))
        if verdict not in exp.verdicts or marks is None or abs(marks - exp.credit) > 1e-9:
            given = graded.given.get((student, name), "?")
            problems.append(
                f"{student}{note}: {name} = {given}: got {verdict} ({marks} marks), "
                f"expected {exp} for {exp.credit} marks"
            )
    total = sum(exp.credit for exp in expected.values())
    got = graded.total.get(student)
    if got is None or abs(got - total) > 1e-9:
        problems.append(f"{student}{note}: total {got}, expected {total:g}")
    return problems


def report(problems: list[str], limit: int = 40) -> str:
    more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} disagreement(s):\n" + "\n".join(problems[:limit]) + more


def check(graded: Graded, student: str, expected: Mapping[str, Expect]) -> None:
    problems = disagreements(graded, student, expected)
    assert not problems, report(problems)


def about(feedback: str, name: str) -> str:
    """What the feedback says about one quantity beyond its numbers: the verdict cell of its
    table row, and the explanation lines under its worked step."""
    said = []
    lines = feedback.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"| `{name}` |"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            said.append(cells[1] if len(cells) > 1 else "")
        if line.startswith(f"- `{name}` "):
            for follow in lines[i + 1 :]:
                if not follow.startswith("  "):
                    break
                said.append(follow.strip())
    return "\n".join(said)


# ── sheets ─────────────────────────────────────────────────────────────────────────────


def right_sheet(model, d: int | None, *, truncate: bool = False) -> dict[str, str]:
    """The right values, each rounded (or truncated toward zero) to d decimals on its own."""
    r = right(model)
    mode = ROUND_DOWN if truncate else ROUND_HALF_UP
    out = {}
    for name, value in r.written.items():
        v = value if d is None else value.quantize(ONE.scaleb(-d), rounding=mode)
        out[name] = format(abs(v) if v == 0 else v, "f")
    return out


def right_at_8(model=seed222, **changes: str) -> dict[str, str]:
    sheet = right_sheet(model, 8)
    sheet.update(changes)
    return sheet


def expect_right_sheet(model, sheet: Mapping[str, str], **kw) -> dict[str, Expect]:
    finest = min(unit(text) for text in sheet.values())
    return {
        name: expect_cell(model, name, text, at_precision=True, finest=finest, **kw)
        for name, text in sheet.items()
    }


def template_names(exercise: Path) -> list[str]:
    result = CliRunner().invoke(main, ["template", str(exercise)])
    assert result.exit_code == 0, result.output
    rows = [r for r in csv.reader(result.output.splitlines()) if r and not r[0].startswith("#")]
    return [r[0] for r in rows if r[0] not in ("quantity", "student")]


# ── slips ──────────────────────────────────────────────────────────────────────────────


def explanations(model, work: Work, name: str) -> list[Decimal]:
    """Every number a grader could explain the cell by other than a slip: the right value,
    the formula on the student's inputs, each mistake (on those inputs and on the whole
    network), their doublings and halvings, the old weight, 0, other quantities' values."""
    r = right(model)
    own = work.own[name]
    found = [r.written[name], own, Decimal(0), *work.alts[name].values()]
    found += [mistaken(model, m).written[name] for m in MODEL_MISTAKES[model.__name__]]
    for m in ("no-activation-derivative", "derivative-of-z"):  # made in one layer alone
        found += [mistaken(model, f"{m}@{layer}").written[name] for layer in "23"]
    for base in (own, r.written[name]):
        found += [-base, 2 * base, base / 2, 4 * base, base / 4]
    if name in work.old:
        found.append(work.old[name])
    found += [v for other, v in r.written.items() if other != name]
    return found


MODEL_MISTAKES = {
    "seed222": SEED_MISTAKES,
    "xor221": (
        "update-added",
        "sign-flipped",
        "no-activation-derivative",
        "derivative-of-z",
        "updated-weights-in-backprop",
        "weights-swapped",
        "batch-summed",
    ),
}


def slipped_digits(value: Decimal, rng: random.Random) -> list[Decimal]:
    """Values with one of the first two significant digits of `value` changed."""
    sign, digits, exponent = value.as_tuple()
    digits = list(digits)
    first = next(i for i, dg in enumerate(digits) if dg != 0)
    candidates = []
    for pos in (first, first + 1):
        if pos >= len(digits):
            continue
        for new in rng.sample(range(10), 10):
            if new == digits[pos] or (pos == first and new == 0):
                continue
            changed = [*digits[:pos], new, *digits[pos + 1 :]]
            candidates.append(Decimal((sign, tuple(changed), exponent)))
    rng.shuffle(candidates)
    return candidates


def clear_slip(model, work: Work, name: str, value: Decimal) -> bool:
    """Clearly wrong: far (8 units and 20 %) from every other explanation of the cell."""
    u = unit(work.text(name))
    return all(abs(value - c) > max(8 * u, abs(c) / 5) for c in explanations(model, work, name))


def with_slip(model, work: Work, rng: random.Random) -> tuple[Work, str] | None:
    """The same working with one clearly wrong digit in one answer and everything after it
    computed from that answer; None when no candidate keeps the later working honest (no
    later answer becomes zero information by it)."""
    hand = work.hand
    names = list(work.written)
    for name in rng.sample(names, len(names)):
        h = work.written[name]
        u = unit(work.text(name))
        if abs(h) < 10 * u or zero_info(work, name):
            continue
        for value in slipped_digits(h, rng)[:12]:
            if not clear_slip(model, work, name, value):
                continue
            slipped = model(
                Hand(hand.d, hand.truncate, hand.mistake, ((name, value), *hand.override))
            )
            later = slipped.descendants(name)
            if any(zero_info(slipped, n) and not zero_info(work, n) for n in later):
                continue
            if conflicts(model, slipped):
                continue
            return slipped, name
    return None


class Example:
    """One generated sheet (a plain class: hypothesis prints it by its short repr)."""

    def __init__(self, d: int, work: Work, slip: str | None) -> None:
        self.d, self.work, self.slip = d, work, slip

    def __repr__(self) -> str:
        return f"Example{self.label()}"

    def label(self) -> str:
        truncated = sorted(self.work.hand.truncate)
        slip = f", slip {self.slip} = {self.work.text(self.slip)}" if self.slip else ""
        return f" (d={self.d}, {len(truncated)} truncated{slip})"


def make_example(model, d: int, flags: list[bool], slip: bool, rng: random.Random) -> Example:
    names = list(right(model).written)
    truncate = {n for n, f in zip(names, flags, strict=True) if f}
    work = honest(model, d, truncate)
    # Rule 1 against rule 3: where honest truncation writes zero information although the
    # right value is not 0 at that precision (xor-221 at 2 decimals), round that cell, then
    # also what it was computed from, then everything.
    for widen in ("cell", "inputs", "all"):
        bad = conflicts(model, work)
        if not bad:
            break
        if widen == "all":
            truncate = set()
        else:
            truncate -= set(bad)
            if widen == "inputs":
                truncate -= set().union(*(ancestors(work, b) for b in bad))
        work = honest(model, d, truncate)
    assert not conflicts(model, work), f"honest working at d={d} writes zero information"
    if slip:
        done = with_slip(model, work, rng)
        if done is not None:
            return Example(d, done[0], done[1])
    return Example(d, work, None)


@st.composite
def hand_worked(draw, model) -> Example:
    """One person's sheet: d decimals, rounding or truncation drawn per quantity, and with
    even odds one slipped digit (the rest of the working follows from it)."""
    n = len(right(model).written)
    d = draw(st.sampled_from(DECIMALS))
    flags = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    slip = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return make_example(model, d, flags, slip, random.Random(seed))


def examples(model, size: int):
    return st.lists(hand_worked(model), min_size=size, max_size=size)


BATCH = settings(
    max_examples=10,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each try grades a class
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_batch(model, exercise: Path, batch: list[Example], folder: Path) -> None:
    sheets = {f"h{i:03d}": ex.work.sheet() for i, ex in enumerate(batch)}
    graded = grade(exercise, sheets, folder)
    problems = []
    for i, ex in enumerate(batch):
        slips = [ex.slip] if ex.slip else []
        expected = expect_work(model, ex.work, wrong=slips)
        problems += disagreements(graded, f"h{i:03d}", expected, ex.label())
    assert not problems, report(problems)


# ── fixtures: the classes graded once ─────────────────────────────────────────────────


def trivial_zero_sheet(text: str) -> dict[str, str]:
    """δ_o1 written as 0 at 8 decimals' working, everything after computed from it."""
    return honest(seed222, 8, override=(("delta_o1", Decimal(text)),)).sheet()


PLACEHOLDERS = ("0.5", "1", "0.1")
ZEROS = ("0", "0.00", "0.0000")
W1_UNCHANGED = ("0.3", "0.30", "0.300", "0.3000", "0.30000000")
SLIP_H1 = Decimal("0.57998934")
ALL = tuple(
    right(seed222).written
)  # truncate every quantity  # h1 = 0.51998934 with its second digit changed


def seed_sheets() -> dict[str, dict[str, str]]:
    names = list(right(seed222).written)
    sheets: dict[str, dict[str, str]] = {}
    for d in range(9):
        sheets[f"rounded-{d}"] = right_sheet(seed222, d)
        if d:
            sheets[f"truncated-{d}"] = right_sheet(seed222, d, truncate=True)
    for d in DECIMALS:
        sheets[f"honest-{d}"] = honest(seed222, d).sheet()
        sheets[f"honest-truncated-{d}"] = honest(seed222, d, names).sheet()
    for text in ZEROS:
        sheets[f"zeros-{text}"] = dict.fromkeys(names, text)
    for text in PLACEHOLDERS:
        sheets[f"placeholder-{text}"] = dict.fromkeys(names, text)
    sheets["trivial-zero-8"] = trivial_zero_sheet("0.00000000")
    sheets["trivial-zero-plain"] = trivial_zero_sheet("0")
    for text in W1_UNCHANGED:
        sheets[f"w1-unchanged-{text}"] = right_at_8(**{"W1+": text})
    sheets["notes-w1"] = right_at_8(**{"W1+": "0.29960429"})
    sheets["slip-h1"] = honest(seed222, 8, override=(("h1", SLIP_H1),)).sheet()
    for m in SEED_MISTAKES:
        sheets[f"mistake-{m}"] = honest(seed222, 8, mistake=m).sheet()
    return sheets


@pytest.fixture(scope="module")
def seed_class(tmp_path_factory) -> Graded:
    return grade(SEED, seed_sheets(), tmp_path_factory.mktemp("seed-class"))


def exercise_with_ask(folder: Path, ask: str) -> Path:
    path = folder / "seed-222-ask.toml"
    path.write_text(SEED.read_text(encoding="utf-8") + f"\n[ask]\n{ask}\n", encoding="utf-8")
    return path


# ── the model itself ───────────────────────────────────────────────────────────────────


def test_the_models_right_values_agree_with_torch_float64():
    torch = pytest.importorskip("torch")
    f64 = torch.float64
    r = right(seed222)
    x = torch.tensor([[0.1, 0.2]], dtype=f64)
    t = torch.tensor([[0.4, 0.6]], dtype=f64)
    W1 = torch.tensor([[0.30, 0.25], [0.40, 0.35]], dtype=f64, requires_grad=True)
    W2 = torch.tensor([[0.45, 0.40], [0.70, 0.60]], dtype=f64, requires_grad=True)
    z = x @ W1.T
    h = torch.sigmoid(z)
    h.retain_grad()
    zo = h @ W2.T
    zo.retain_grad()
    o = torch.sigmoid(zo)
    o.retain_grad()
    E = 0.5 * ((t - o) ** 2).sum()
    E.backward()
    ref = {"z1": z[0, 0], "h2": h[0, 1], "z4": zo[0, 1], "o1": o[0, 0], "E_total": E}
    ref |= {"dE/do1": o.grad[0, 0], "delta_o2": zo.grad[0, 1], "dE/dh1": h.grad[0, 0]}
    for i, W in enumerate((W1, W2)):
        for flat in range(4):
            n = 4 * i + flat + 1
            ref[f"dE/dW{n}"] = W.grad.reshape(-1)[flat]
            ref[f"W{n}+"] = W.detach().reshape(-1)[flat] - 0.5 * W.grad.reshape(-1)[flat]
    for name, value in ref.items():
        assert float(r.written[name]) == pytest.approx(
            float(value.detach()), abs=1e-13, rel=1e-12
        ), name

    rx = right(xor221)
    X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=f64)
    T = torch.tensor([[0], [1], [1], [0]], dtype=f64)
    A = torch.tensor([[0.5, -0.4], [-0.3, 0.6]], dtype=f64, requires_grad=True)
    a = torch.tensor([0.1, -0.1], dtype=f64, requires_grad=True)
    B = torch.tensor([[0.7, -0.5]], dtype=f64, requires_grad=True)
    b = torch.tensor([0.2], dtype=f64, requires_grad=True)
    out = torch.sigmoid(torch.sigmoid(X @ A.T + a) @ B.T + b)
    loss = torch.nn.functional.binary_cross_entropy(out, T)
    loss.backward()
    xref = {"E": loss, "a(3)_1[2]": out[1, 0], "dE/db(3)_1": b.grad[0]}
    xref |= {"dE/dW(2)_21": A.grad[1, 0], "dE/db(2)_2": a.grad[1], "W(3)_12+": -0.5 - B.grad[0, 1]}
    for name, value in xref.items():
        assert float(rx.written[name]) == pytest.approx(
            float(value.detach()), abs=1e-13, rel=1e-12
        ), name


def test_the_models_quantities_are_the_templates_in_computing_order():
    assert list(right(seed222).written) == template_names(SEED)
    assert len(right(seed222).written) == 39
    assert list(right(xor221).written) == template_names(XOR)


def test_the_models_floors_give_the_issues_own_numbers():
    """The issue's simulation: right values rounded to 1 decimal earn 12 / 39; 4-decimal
    honest working 39 / 39; its dE/dW1 = 0.0008 and W1+ = 0.2996 (a step of −0.0004)."""
    r1 = expect_right_sheet(seed222, right_sheet(seed222, 1))
    assert sum(e.credit for e in r1.values()) == 12
    h4 = honest(seed222, 4)
    assert h4.text("dE/dW1") == "0.0008" and h4.text("W1+") == "0.2996"
    assert sum(e.credit for e in expect_work(seed222, h4).values()) == 39
    h2 = honest(seed222, 2)
    assert h2.text("dE/dW1") == "0.00" and h2.text("W1+") == "0.30"
    assert expect_cell(seed222, "W1+", "0.30").verdicts == {"imprecise"}
    uw = mistaken(seed222, "updated-weights-in-backprop").written["W1+"]
    assert format(uw.quantize(Decimal("1e-8")), "f") == "0.29960429"


# ── rule 3: honest hand working, with or without one slip (property tests) ─────────────


@BATCH
@given(batch=examples(seed222, 50))
def test_honest_hand_working_with_at_most_one_slip_seed_222(batch, tmp_path_factory):
    """Random precision (2, 3, 4, 6, 8 decimals), rounding or truncation per quantity, zero or
    one slipped digit: no mistake named anywhere, `wrong` only for the slip, `imprecise`
    exactly where the floor fails, every later answer correct or carried, and the total."""
    check_batch(seed222, SEED, batch, tmp_path_factory.mktemp("hand-seed"))


@BATCH
@given(batch=examples(xor221, 30))
def test_honest_hand_working_with_at_most_one_slip_xor_221(batch, tmp_path_factory):
    """The same on xor-221: biases, four samples averaged, binary cross-entropy."""
    check_batch(xor221, XOR, batch, tmp_path_factory.mktemp("hand-xor"))


@pytest.mark.parametrize(("model", "exercise"), [(seed222, SEED), (xor221, XOR)])
def test_honest_hand_working_a_fixed_sample(model, exercise, tmp_path):
    """A seeded sample of the same: every precision, with and without a slip, half the
    quantities truncated at random (what the property tests draw, always covered)."""
    rng = random.Random(222)
    n = len(right(model).written)
    batch = [
        make_example(model, d, [rng.random() < 0.5 for _ in range(n)], slip, rng)
        for d in DECIMALS
        for slip in (False, True, True)
    ]
    assert sum(1 for ex in batch if ex.slip) == 2 * len(DECIMALS)
    check_batch(model, exercise, batch, tmp_path)


# ── rule 1: zero information, the floor ────────────────────────────────────────────────


@pytest.mark.parametrize("text", ZEROS)
def test_an_all_zeros_sheet_earns_nothing(seed_class, text):
    student = f"zeros-{text}"
    assert seed_class.total[student] == 0
    for name in right(seed222).written:
        verdict = seed_class.verdict[student, name]
        assert verdict not in ("correct", "carried") and not verdict.startswith("mistake:"), name
        if text != "0":  # 0.00 and 0.0000: rule 1 names each cell wrong or imprecise
            assert verdict == next(iter(expect_cell(seed222, name, text).verdicts)), name


@pytest.mark.parametrize("d", [0, 1, 2])
def test_right_values_rounded_to_few_decimals(seed_class, d):
    """0 decimals: everything below the floor (0 / 39); 1 decimal: 12 / 39; 2: 24 / 39."""
    sheet = right_sheet(seed222, d)
    expected = expect_right_sheet(seed222, sheet)
    assert sum(e.credit for e in expected.values()) == {0: 0, 1: 12, 2: 24}[d]
    check(seed_class, f"rounded-{d}", expected)


def test_right_values_truncated_to_four_decimals_earn_full_marks(seed_class):
    sheet = right_sheet(seed222, 4, truncate=True)
    assert sheet["h1"] == "0.5199" and sheet["W1+"] == "0.2995"
    expected = expect_right_sheet(seed222, sheet)
    assert sum(e.credit for e in expected.values()) == 39
    check(seed_class, "truncated-4", expected)


def test_more_correct_digits_never_score_less(seed_class):
    """Rule 2: rounded or truncated, each cell of the right values at d decimals scores at
    least what it scores at fewer decimals (0.5199 against 0.52, every quantity)."""
    names = list(right(seed222).written)
    problems = []
    for d in range(9):
        students = [f"rounded-{d}"] + ([f"truncated-{d}"] if d else [])
        for student in students:
            trunc = student.startswith("truncated")
            sheet = right_sheet(seed222, d, truncate=trunc)
            problems += disagreements(seed_class, student, expect_right_sheet(seed222, sheet))
    for fewer in range(8):
        for more in range(fewer + 1, 9):
            for a in (f"rounded-{fewer}", f"truncated-{fewer}"):
                for b in (f"rounded-{more}", f"truncated-{more}"):
                    if a == "truncated-0":
                        continue
                    for name in names:
                        low, high = seed_class.marks[a, name], seed_class.marks[b, name]
                        if high < low:
                            problems.append(f"{name}: {b} scores {high} < {a} {low}")
    assert not problems, report(problems)


def test_w1_not_updated_is_never_correct(seed_class):
    """W1+ = 0.3 is the old weight: on a sheet that writes 8 decimals elsewhere the step
    (0.0004) is at least one unit of the precision its student works at, so it is wrong
    however few decimals W1+ itself shows: "the old value, not updated"."""
    for text in W1_UNCHANGED:
        student = f"w1-unchanged-{text}"
        verdict = seed_class.verdict[student, "W1+"]
        assert verdict not in ("correct", "carried"), (text, verdict)
        expected = expect_right_sheet(seed222, right_at_8(**{"W1+": text}))
        assert expected["W1+"].verdicts == {"wrong"}
        check(seed_class, student, expected)
        assert "not updated" in about(seed_class.feedback(student), "W1+"), text


def test_a_zero_on_a_precise_sheet_asks_for_a_missing_term(seed_class):
    """δ_o1 = 0 (u = 1) on a sheet of 8 decimals: 0 is 0.0499 rounded to no decimals, but the
    student works at 8, where it is not 0: wrong, not "imprecise" (a 0 earns nothing either
    way), and the feedback asks whether a term was left out."""
    student = "trivial-zero-plain"
    assert seed_class.verdict[student, "delta_o1"] == "wrong"
    said = about(seed_class.feedback(student), "delta_o1")
    assert "not 0 to the 8 decimal(s) you write elsewhere" in said, said
    assert "is a term left out?" in said, said


@pytest.mark.parametrize("d", [2, 3])
def test_honest_coarse_working_is_imprecise_exactly_below_the_floor(seed_class, d):
    """Honest 2- and 3-decimal working: no wrong, no mistake; imprecise exactly where the
    floor fails (24 / 39 and 33 / 39), and the feedback says how many decimals are needed."""
    problems = []
    for student, truncate in ((f"honest-{d}", ()), (f"honest-truncated-{d}", ALL)):
        work = honest(seed222, d, truncate)
        assert not conflicts(seed222, work)
        expected = expect_work(seed222, work)
        assert sum(e.credit for e in expected.values()) == {2: 24, 3: 33}[d]
        problems += disagreements(seed_class, student, expected)
        feedback = seed_class.feedback(student)
        for name, exp in expected.items():
            if exp.verdicts != {"imprecise"}:
                continue
            n = decimals_needed(name)
            said = about(feedback, name)
            pattern = (
                rf"\b{n}\b[^|\n]*(decimal|digit|place)|(decimal|digit|place)[^|\n]*\b{n}\b"
                rf"|{re.escape(format(ONE.scaleb(-n), 'f'))}"
            )
            if not re.search(pattern, said, re.IGNORECASE):
                problems.append(f"{student}: {name}: feedback does not say {n} decimals: {said!r}")
    assert not problems, report(problems)


@pytest.mark.parametrize("d", [4, 6, 8])
def test_honest_precise_working_earns_full_marks(seed_class, d):
    for student, truncate in ((f"honest-{d}", ()), (f"honest-truncated-{d}", ALL)):
        work = honest(seed222, d, truncate)
        assert not conflicts(seed222, work)
        expected = expect_work(seed222, work)
        assert sum(e.credit for e in expected.values()) == 39
        check(seed_class, student, expected)


def test_significant_2_makes_more_cells_imprecise(tmp_path):
    """`[ask] significant = 2`: the floor moves to the second significant digit, so more cells
    are imprecise; an answer exactly right as written (z1 = 0.08) never is."""
    sheets = {f"rounded-{d}": right_sheet(seed222, d) for d in (2, 3, 4, 6)}
    sheets |= {f"honest-{d}": honest(seed222, d).sheet() for d in (4, 6, 8)}
    significant_class = grade(exercise_with_ask(tmp_path, "significant = 2"), sheets, tmp_path)
    problems = []
    for d in (2, 3, 4, 6):
        sheet = right_sheet(seed222, d)
        expected = expect_right_sheet(seed222, sheet, significant=2)
        problems += disagreements(significant_class, f"rounded-{d}", expected)
    more = {}
    for d in (4, 6, 8):
        work = honest(seed222, d)
        sig2 = expect_work(seed222, work, significant=2)
        problems += disagreements(significant_class, f"honest-{d}", sig2)
        sig1 = expect_work(seed222, work)
        imprecise1 = {n for n, e in sig1.items() if e.verdicts == {"imprecise"}}
        imprecise2 = {n for n, e in sig2.items() if e.verdicts == {"imprecise"}}
        assert imprecise1 <= imprecise2
        more[d] = imprecise2 - imprecise1
    assert {"dE/dW1", "W1+"} <= more[4]  # 0.0008 to 2 figures is 0.00081
    rounded2 = expect_right_sheet(seed222, right_sheet(seed222, 2), significant=2)
    assert rounded2["z1"].verdicts == {"correct"} and rounded2["z2"].verdicts == {"correct"}
    assert rounded2["E_o1"].verdicts == {"imprecise"}  # 0.02 for 0.0219: one figure only
    assert not problems, report(problems)


def test_imprecise_credit_half_gives_half_marks_where_imprecise(tmp_path):
    """`[ask] imprecise_credit = 0.5`: half marks exactly where the floor fails; a wrong zero
    stays at nothing, and so does a placeholder sheet."""
    sheets = {
        "honest-2": honest(seed222, 2).sheet(),
        "honest-3": honest(seed222, 3).sheet(),
        "rounded-1": right_sheet(seed222, 1),
        "zeros-0": dict.fromkeys(right(seed222).written, "0"),
        "placeholder-0.5": dict.fromkeys(right(seed222).written, "0.5"),
        "w1-unchanged-0.3": right_at_8(**{"W1+": "0.3"}),
        "w1-unchanged-0.3000": right_at_8(**{"W1+": "0.3000"}),
    }
    exercise = exercise_with_ask(tmp_path, "imprecise_credit = 0.5")
    half_credit_class = grade(exercise, sheets, tmp_path)
    problems = []
    for d in (2, 3):
        work = honest(seed222, d)
        expected = expect_work(seed222, work, imprecise_credit=0.5)
        assert sum(e.credit for e in expected.values()) == {2: 24 + 2, 3: 33 + 1.5}[d]
        problems += disagreements(half_credit_class, f"honest-{d}", expected)
    expected = expect_right_sheet(seed222, right_sheet(seed222, 1), imprecise_credit=0.5)
    problems += disagreements(half_credit_class, "rounded-1", expected)
    for text in ("0.3", "0.3000"):  # zero information: nothing (wrong on a sheet of 8 decimals)
        sheet = right_at_8(**{"W1+": text})
        expected = expect_right_sheet(seed222, sheet, imprecise_credit=0.5)
        problems += disagreements(half_credit_class, f"w1-unchanged-{text}", expected)
    for student in ("zeros-0", "placeholder-0.5"):  # rule 5: a placeholder earns nothing
        if half_credit_class.total[student] != 0:
            problems.append(f"{student}: total {half_credit_class.total[student]}, expected 0")
    assert not problems, report(problems)


# ── rule 5: no farming of carried credit ───────────────────────────────────────────────


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_a_placeholder_in_every_cell_earns_nothing(seed_class, text):
    """Even where the placeholder happens to be right at its precision (h1 = 0.5)."""
    student = f"placeholder-{text}"
    assert seed_class.total[student] == 0
    for name in right(seed222).written:
        verdict = seed_class.verdict[student, name]
        assert verdict not in ("correct", "carried") and not verdict.startswith("mistake:"), (
            name,
            verdict,
        )
        assert seed_class.marks[student, name] == 0, name


TRIVIALISED = ("dE/dW5", "dE/dW6", "W5+", "W6+")


def zero_delta_work() -> Work:
    return honest(seed222, 8, override=(("delta_o1", Decimal("0.00000000")),))


def test_a_zero_delta_earns_no_carried_credit_for_what_it_trivialises(seed_class):
    """δ_o1 = 0 at 8-decimal working: δ_o1, ∂E/∂W5, ∂E/∂W6 (written 0) and W5+, W6+ (= W) are
    wrong (rule 1), never carried, and the feedback says why they earn nothing."""
    student = "trivial-zero-8"
    work = zero_delta_work()
    assert {work.text(n) for n in ("dE/dW5", "dE/dW6")} == {"0.00000000"}
    assert (work.text("W5+"), work.text("W6+")) == ("0.45000000", "0.40000000")
    expected = expect_work(seed222, work, wrong=["delta_o1"])
    problems = []
    for name in ("delta_o1", *TRIVIALISED):
        assert expected[name].verdicts == {"wrong"}, name
        got = seed_class.verdict[student, name], seed_class.marks[student, name]
        if got != ("wrong", 0.0):
            problems.append(f"{name} = {work.text(name)}: got {got}, expected wrong, 0 marks")
    feedback = seed_class.feedback(student)
    for name in TRIVIALISED:
        said = about(feedback, name)
        why = re.search(r"\bzero\b|\b0\b|trivial|δ_o1|delta_o1", said, re.IGNORECASE)
        if not why:
            problems.append(f"{name}: the feedback does not say why: {said!r}")
    assert not problems, report(problems)


def test_a_zero_delta_leaves_the_work_it_does_not_trivialise_carried(seed_class):
    """Rule 5 takes carried credit away from the ∂E/∂W and W⁺ a zero δ makes trivial, and only
    from those: ∂E/∂h1 = 0·W5 + δ_o2·W7 = 0.00997311 is neither 0 nor an update, it is the
    right formula on the student's own numbers, so it and everything after it are carried
    (rules 3 and 4: the benefit of the doubt). 34 / 39."""
    work = zero_delta_work()
    expected = expect_work(seed222, work, wrong=["delta_o1"])
    for name in ("dE/dh1", "delta_h1", "dE/dW1", "W1+", "dE/dh2", "W4+"):
        assert expected[name].verdicts == {"carried"}, name
    assert work.text("dE/dh1") == "0.00997311"
    assert sum(e.credit for e in expected.values()) == 34
    check(seed_class, "trivial-zero-8", expected)


def test_a_plain_zero_delta_earns_nothing_for_what_it_trivialises(seed_class):
    """δ_o1 written as a bare 0 (wrong: the sheet works at 8 decimals): its cell and
    the four it trivialises earn nothing and none is carried; and the bare 0 does not make
    the later answers computed from it right — ∂E/∂h1 = 0.00997311 (right: 0.03240681) and
    all that follows are at best carried, never `correct`."""
    student = "trivial-zero-plain"
    work = honest(seed222, 8, override=(("delta_o1", Decimal("0")),))
    problems = []
    for name in ("delta_o1", *TRIVIALISED):
        verdict, marks = seed_class.verdict[student, name], seed_class.marks[student, name]
        if verdict in ("correct", "carried") or verdict.startswith("mistake:") or marks != 0:
            problems.append(f"{name} = {seed_class.given[student, name]}: {verdict}, {marks}")
    later = work.descendants("dE/dh1") | work.descendants("dE/dh2") | {"dE/dh1", "dE/dh2"}
    for name in sorted(later):
        exp = expect_cell(seed222, name, work.text(name))
        assert exp.verdicts == {"carried"}, (name, exp)  # at least 3x off the right value
        verdict = seed_class.verdict[student, name]
        if verdict == "correct":
            problems.append(f"{name} = {work.text(name)}: correct, but {exp.why}")
    assert not problems, report(problems)


# ── rule 3 and 7: one slip, the notes ──────────────────────────────────────────────────


def test_a_single_early_slip_costs_one_mark_and_the_rest_is_carried(seed_class):
    work = honest(seed222, 8, override=(("h1", SLIP_H1),))
    expected = expect_work(seed222, work, wrong=["h1"])
    later = work.descendants("h1")
    assert {"z3", "o2", "dE/dh1", "W1+", "W8+"} <= later
    for name in later:
        assert expected[name].verdicts in ({"carried"}, {"correct", "carried"}), name
    for name in set(work.written) - later - {"h1"}:
        assert expected[name].verdicts == {"correct"}, name
    assert sum(e.credit for e in expected.values()) == 38
    check(seed_class, "slip-h1", expected)


def test_the_notes_printed_answers(tmp_path):
    """The notes' sheet: z4 printed with z3's value is wrong with that hint, the printed
    answers are correct, the blank ones missing: 24 / 39 (check-answers and grade)."""
    with NOTES.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    sheet = {q: v for q, v in rows[2:]}
    expected = {}
    for name, text in sheet.items():
        if not text:
            expected[name] = Expect(frozenset({"missing"}), 0.0, "blank")
            continue
        cell = expect_cell(seed222, name, text, at_precision=True)
        off = abs(Decimal(text) - right(seed222).written[name]) > unit(text)
        expected[name] = Expect(frozenset({"wrong"}), 0.0, "not right") if off else cell
    assert [n for n, e in expected.items() if e.verdicts == {"wrong"}] == ["z4"]
    assert sum(e.credit for e in expected.values()) == 24
    assert sum(1 for e in expected.values() if e.verdicts == {"missing"}) == 14

    result = CliRunner().invoke(main, ["check-answers", str(SEED), str(NOTES)])
    assert result.exit_code == 0, result.output
    assert "Total: 24 / 39" in result.output
    z4 = next(line for line in result.output.splitlines() if line.startswith("| `z4` |"))
    assert "this is the value of z3" in z4

    graded = grade(SEED, {"notes": sheet}, tmp_path)
    check(graded, "notes", expected)
    assert "this is the value of z3" in about(graded.feedback("notes"), "z4")


def test_the_notes_w1_plus_is_the_updated_weights_mistake(seed_class):
    """W1+ = 0.29960429 (computed through W5+..W8+) at 8 decimals is 2.9e-5 from the right
    0.29959556, but no formula on the sheet's own numbers gives it: the mistake is named."""
    sheet = right_at_8(**{"W1+": "0.29960429"})
    expected = expect_right_sheet(seed222, sheet)
    expected["W1+"] = Expect(frozenset({"mistake:updated-weights-in-backprop"}), 0.5, "notes")
    assert sum(e.credit for e in expected.values()) == 38.5
    check(seed_class, "notes-w1", expected)


# ── rule 4: each catalogued mistake made by hand ───────────────────────────────────────

MISTAKE_CELLS = {
    "update-added": 8,
    "no-learning-rate": 8,
    "sign-flipped": 2,
    "no-activation-derivative": 4,
    "derivative-of-z": 4,
    "updated-weights-in-backprop": 2,
    "one-path-only": 2,
    "weights-swapped": 4,
    "half-forgotten": 2,
    "derivative-doubled": 2,
}


@pytest.mark.parametrize("mistake", SEED_MISTAKES)
def test_a_mistake_made_by_hand_is_named_where_it_was_made(seed_class, mistake):
    """8-decimal hand working with one catalogued mistake: the cells its formula gave are
    `mistake:<id>` (half marks); every later answer follows from the student's own numbers by
    the right formula, so it is carried (W5+ after a flipped sign is carried, not
    update-added: the benefit of the doubt), never a second mistake."""
    work = honest(seed222, 8, mistake=mistake)
    expected = expect_work(seed222, work)
    named = [n for n, e in expected.items() if e.verdicts == {f"mistake:{mistake}"}]
    assert len(named) == MISTAKE_CELLS[mistake], named
    for name in named:  # the sheet's number is the mistake's formula on its own inputs
        assert abs(work.written[name] - work.alts[name][mistake]) <= unit(work.text(name)) / 2
    check(seed_class, f"mistake-{mistake}", expected)
