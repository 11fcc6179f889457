"""Per-student variants of an exercise: new numbers a person can compute by hand.

Each student's variant is drawn from a random generator seeded by (exercise id, student id),
so running `variants` again gives every student the same numbers. A draw is kept only when it
teaches well:

- numbers of one or two decimals (inputs, targets, weights, biases), targets of the same form
  as the exercise's (cross-entropy: a class stays a class, a row of class probabilities a row
  of probabilities with one decimal, summing to 1);
- no saturated sigmoid or tanh: |z| ≤ 2.5 wherever they apply;
- no data gradient that rounds to zero at 8 decimals, nor a vanishing one (|∂E_data/∂w| ≥
  1e-5), for every parameter dropout's masks leave a path to the loss (`_reachable`);
- under an L1 penalty, no penalised parameter exactly 0 at any step (|w| has no slope there);
- every catalogued mistake that can happen in the exercise gives numbers distinguishable from
  the right ones at the grading tolerance (relative difference ≥ 1e-3 on some asked quantity),
  but one the exercise's own numbers do not show either (the ½ left out of E, where no E is
  asked: no draw can show it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..core.api import trace_of
from ..core.engine import run
from ..core.exercise import NetworkExercise
from ..core.functions import one_hot
from ..core.loading import load
from ..core.trace import Backward, StepRecord
from ..core.writing import exercise_toml
from ..errors import BackvizError
from ..files import StagedFolders, Written, folder_lock, write_atomic
from .escape import file_name
from .handed_in import read_handed
from .mistakes import Mistake, applicable
from .verdicts import asked

KEYS = "keys"  # the answer keys' folder inside a variants folder

__all__ = [
    "draw_numbers",
    "make_variant",
    "question_id",
    "read_roster",
    "seed_of",
    "variant_id",
    "write_variants",
]

MAX_TRIES = 500
SATURATING = {"sigmoid", "tanh"}


def seed_of(exercise_id: str, student: str) -> int:
    """A 64-bit seed of (exercise, student): the same numbers for them every time."""
    digest = hashlib.sha256(f"{exercise_id}\x00{student}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _round(values: np.ndarray, decimals: int) -> np.ndarray:
    return np.round(values, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def draw_numbers(exercise: NetworkExercise, rng: np.random.Generator) -> NetworkExercise:
    """New inputs, targets, weights and biases with one or two decimals; every other option of
    the exercise (dropout's masks or seed, shared or frozen biases, regularisation, the
    optimiser and its settings, what is asked) is kept as it is."""
    W = tuple(_round(rng.uniform(-0.9, 0.9, w.shape), 2) for w in exercise.W)
    b = tuple(None if v is None else _round(rng.uniform(-0.5, 0.5, v.shape), 1) for v in exercise.b)
    inputs = _round(rng.uniform(-1.0, 1.0, exercise.inputs.shape), 1)
    targets, classes = exercise.targets, exercise.classes
    if exercise.loss_name == "ce" and targets is not None:
        targets, classes = _class_targets(targets, rng)
    elif targets is not None:
        if exercise.activations[-1].name in ("sigmoid", "softmax") or exercise.loss_name == "bce":
            low, high = 0.1, 0.9
        else:
            low, high = -1.0, 1.0
        targets = _round(rng.uniform(low, high, targets.shape), 1)
        if exercise.loss_name == "bce" and set(np.unique(exercise.targets)) <= {0.0, 1.0}:
            targets = rng.integers(0, 2, targets.shape).astype(float)
    return replace(exercise, W=W, b=b, inputs=inputs, targets=targets, classes=classes)


def _is_class(row: np.ndarray) -> bool:
    """Whether a target row is one class (one-hot), not a spread of class probabilities."""
    hot = np.flatnonzero(row)
    return len(hot) == 1 and row[hot[0]] == 1.0


def _class_targets(
    targets: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray | None]:
    """Cross-entropy's targets drawn in the exercise's form: a class for each sample that has
    one (an index or a one-hot row), a row of class probabilities for each sample that has
    one; the rows, and the classes when every sample has one (as the loader gives them)."""
    n_samples, n_classes = targets.shape
    classes = rng.integers(0, n_classes, n_samples)
    drawn = one_hot(classes, n_classes)
    soft = [n for n in range(n_samples) if not _is_class(targets[n])]
    for n in soft:
        drawn[n] = _probabilities(n_classes, rng)
    return drawn, None if soft else classes


def _probabilities(n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """A row of class probabilities in tenths that sum to exactly 1 (ten tenths shared among
    the classes), spread over at least two classes: a soft target, not a class."""
    while True:
        tenths = rng.multinomial(10, np.full(n_classes, 1.0 / n_classes))
        if np.max(tenths) < 10:
            return tenths / 10.0


def _reachable(exercise: NetworkExercise) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Which weights and biases the samples reach through dropout's masks: per non-input layer,
    (n_l, n_{l−1}) and (n_l,) (or (1,) for a shared bias), True where some sample's loss
    depends on the parameter. Node j of layer l is connected in sample n when it is kept and
    connected to a node of layer l + 1 (every output node is); w_jk⁽ˡ⁾ is reached when node j
    is connected and node k of layer l − 1 kept (its ã_k, what w_jk multiplies, is 0 when
    dropped). Everything is reached without dropout."""
    sizes, n = exercise.sizes, exercise.n_samples

    def kept(layer: int) -> np.ndarray:
        mask = exercise.dropout_mask(layer) if layer > 1 else None
        return np.ones((n, sizes[layer - 1]), bool) if mask is None else mask != 0

    connected = [np.ones((n, sizes[-1]), bool)]  # the output layer's nodes, then down
    for layer in range(len(sizes) - 1, 1, -1):
        onward = np.any(connected[0], axis=1, keepdims=True)
        connected.insert(0, kept(layer) & onward)
    weights, biases = [], []
    for i, nodes in enumerate(connected):
        weights.append(np.any(nodes[:, :, None] & kept(i + 1)[:, None, :], axis=0))
        reached = np.any(nodes, axis=0)
        biases.append(np.array([reached.any()]) if exercise.shares_bias(i + 2) else reached)
    return weights, biases


def _gradients_vanish(exercise: NetworkExercise, backward: Backward) -> bool:
    """Whether a parameter the samples reach (`_reachable`) has a data gradient below 1e-5:
    one a student would compute as 0 (an input x = 0 under it, a dead node). The data term's
    own: a penalty's λ·sign(w) or 2λw would hide it."""
    grad_W = backward.data_grad_W or backward.grad_W
    grad_b = backward.data_grad_b or backward.grad_b
    weights, biases = _reachable(exercise)
    pairs = [*zip(grad_W, weights, strict=True), *zip(grad_b, biases, strict=True)]
    return any(g is not None and np.any(np.abs(g[on]) < 1e-5) for g, on in pairs)


def _on_a_kink(exercise: NetworkExercise, record: StepRecord) -> bool:
    """Under an L1 penalty, whether a penalised parameter is exactly 0 at this step: |w| has no
    slope there (sign(0) = 0 by convention), where wrong rules give the right number."""
    reg = exercise.regularization
    if not reg.l1:
        return False
    params = [*record.W, *(v for v in record.b if v is not None and reg.includes(bias=True))]
    return any(np.any(p == 0) for p in params)


def _hidden_mistakes(exercise: NetworkExercise) -> Iterator[Mistake]:
    """The catalogued mistakes the exercise's asked quantities cannot tell from the right
    answer (relative difference < 1e-3 on every one), one after another."""
    trace = run(exercise)
    items = [ref for ref, _ in asked(trace, exercise.ask)]
    reference = np.array([trace.value(ref) for ref in items])
    for mistake in applicable(exercise):
        if mistake.switch == "gradients_accumulated" and max(exercise.ask.steps) < 2:
            continue  # .grad never zeroed shows from step 2 on: at step 1 it is no mistake
        mistaken = run(exercise, mistake.mistakes)
        values = np.array([mistaken.value(ref) for ref in items])
        difference = np.abs(values - reference) / np.maximum(np.abs(reference), 1e-12)
        if not np.any(difference >= 1e-3):
            yield mistake


# Each teaching constraint a draw may break, as the refusal names it
_FAULTS = {
    "saturated": "a sigmoid or tanh saturated (|z| > 2.5)",
    "vanishing": "a gradient vanishing (|∂E/∂w| < 1e-5: a dead ReLU node's weights get none)",
    "kink": "a weight on L1's kink (w = 0)",
    "hidden": "a catalogued mistake giving the right numbers",
}


def _fault(exercise: NetworkExercise, hidden_anyway: Collection[str] = ()) -> str | None:
    """The first rule of the module's docstring a draw breaks (a `_FAULTS` key), None when it
    keeps them all; `hidden_anyway`: ids of the mistakes the exercise's own numbers do not show
    either, which no draw can show (the ½ left out of E changes E alone, and
    optimizer-adagrad's [ask] asks no E), so a draw need not show them."""
    trace = run(exercise)
    for record in trace.steps:
        for z, f in zip(record.forward.z, exercise.activations, strict=True):
            if f.name in SATURATING and np.max(np.abs(z)) > 2.5:
                return "saturated"
        if record.backward is not None and _gradients_vanish(exercise, record.backward):
            return "vanishing"
        if _on_a_kink(exercise, record):
            return "kink"
    if all(mistake.id in hidden_anyway for mistake in _hidden_mistakes(exercise)):
        return None
    return "hidden"


def make_variant(exercise: NetworkExercise, student: str) -> NetworkExercise:
    """The student's own variant (the same for the same exercise and student, every time)."""
    rng = np.random.default_rng(seed_of(exercise.id, student))
    hidden_anyway = {mistake.id for mistake in _hidden_mistakes(exercise)}
    faults: Counter[str] = Counter()
    for _ in range(MAX_TRIES):
        candidate = draw_numbers(exercise, rng)
        fault = _fault(candidate, hidden_anyway)
        faults[fault or ""] += 1
        if fault is None:
            return replace(
                candidate,
                id=variant_id(exercise.id, student),
                student=student,
                description=_variant_description(exercise),
            )
    broken = "; ".join(f"{_FAULTS[key]} in {n}" for key, n in faults.most_common())
    raise BackvizError(
        f"{exercise.source or exercise.id}: no variant for student {student} met the teaching "
        f"constraints in {MAX_TRIES} draws ({broken}); try a smaller network, fewer steps, or "
        "activations that do not die (a ReLU network's draws often leave a node dead)"
    )


def _variant_description(exercise: NetworkExercise) -> dict[str, str]:
    """What a variant says of itself, in place of its exercise's description.

    Why not the description itself: a description is written about the exercise's own numbers
    (mazur-222's quotes the blog's figures, bce-saturated's says the output is exactly 1.0), and
    a variant's numbers are drawn anew, so copied it would tell a student things about their
    numbers that are false. The title is kept; this says where the variant comes from.
    """
    if not exercise.description:
        return {}
    return {
        "en": f"A variant of exercise {exercise.id}: the same network, options and questions, "
        "with numbers of its own (the original's description, written about its numbers, is "
        "left out).",
        "ko": f"{exercise.id} 예제의 변형이다: 신경망, 설정, 질문은 같고 수는 이 변형만의 것이다 "
        "(원래 예제의 수에 관해 쓴 설명은 뺐다).",
    }


def variant_id(exercise_id: str, student: str) -> str:
    """The variant's exercise id: the exercise's and the student's, in the letters an id may
    hold (ASCII); an id written otherwise (김민준) gets a short hash of it, to stay its own."""
    ascii_id = re.sub(r"[^A-Za-z0-9._-]", "_", student)[:40]
    if ascii_id != student:
        ascii_id += "-" + hashlib.sha256(student.encode()).hexdigest()[:8]
    return f"{exercise_id}-{ascii_id}"


def question_id(exercise: NetworkExercise) -> str:
    """The id a quiz question shows students for this exercise: its own id; for a variant, the
    exercise's id and a hash of the variant's numbers (`seed-222-v-3f9a0c1b2d4e`) — never the
    roster id its file is named by, which students would see in the question — the same for
    the same numbers at every export, so the regrade finds the variant by it."""
    if exercise.student is None:
        return exercise.id
    suffix = variant_id("", exercise.student)
    base = exercise.id[: -len(suffix)] if exercise.id.endswith(suffix) else exercise.id
    numbers = exercise_toml(replace(exercise, id=base, student=None))
    return f"{base}-v-{hashlib.sha256(numbers.encode('utf-8')).hexdigest()[:12]}"


def read_roster(path: Path) -> list[str]:
    """Student ids from a roster CSV: its `student` column (also 학번, id), else the first."""
    raw, problem = read_handed(path, follow=True, what="rosters")  # a FIFO would hang
    if raw is None:
        raise BackvizError(f"{path}: cannot read the roster ({problem})")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BackvizError(f"{path}: expected a CSV roster in UTF-8 or CP949")
    rows = [row for row in csv.reader(io.StringIO(text)) if row and any(c.strip() for c in row)]
    if not rows:
        raise BackvizError(f"{path}: expected a roster with one student id per row, found none")
    header = [c.strip().lower() for c in rows[0]]
    column = next(
        (header.index(k) for k in ("student", "student_id", "학번", "id") if k in header), None
    )
    body = rows[1:] if column is not None else rows
    column = column or 0
    students = [row[column].strip() for row in body if len(row) > column and row[column].strip()]
    duplicates = sorted({s for s in students if students.count(s) > 1})
    if duplicates:
        raise BackvizError(
            f"{path}: expected each student once, found {', '.join(duplicates)} twice"
        )
    return students


def write_variants(exercise_path: Path, roster: Path, out: Path) -> list[Path]:
    """One exercise file per student in `out` (named by student id), plus answer keys in
    `out/keys/`, by the one rule of `files.Written`: a file is written where there is none or
    where backviz wrote the one there; a file of anyone else's is never replaced (refused before
    anything is written), and what an earlier run wrote and this one does not is deleted."""
    from ..core.export import to_csv

    exercise = load(exercise_path)
    if not isinstance(exercise, NetworkExercise) or not exercise.trains:
        raise BackvizError(f"{exercise_path}: variants need a network exercise with [training]")
    files: dict[str, str] = {}
    keys: dict[str, str] = {}
    for student in read_roster(roster):
        variant = make_variant(exercise, student)
        comment = (
            f"Variant of {exercise.id} for student {student}, made by `backviz variants`.\n"
            "The same exercise and student id always give the same numbers."
        )
        name = file_name(student)
        files[f"{name}.toml"] = exercise_toml(
            variant, student=student, comment=comment, with_code=True
        )
        keys[f"{name}.csv"] = to_csv(trace_of(variant))
    with folder_lock(out):
        written = Written.read(out).claim(files)  # refused here: nothing is written
        with StagedFolders(out, [KEYS]) as staged:  # keys/ checked before it is put in place
            for name, content in keys.items():
                staged.write(KEYS, name, content)
        for name, content in files.items():
            write_atomic(out / name, content)
        written.settle(files)
    return [out / name for name in files]
