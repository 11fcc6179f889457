"""`backviz export gradescope`: the zip a teacher uploads as a Gradescope programming
assignment's autograder, for an answer-sheet exercise, a coding exercise or a variants folder.

The zip's root (Gradescope's specification, gradescope-autograders.readthedocs.io/en/latest/
specs/, wants `setup.sh` and `run_autograder` there, not in a folder):

    setup.sh                         installs Python ≥ 3.11, Graphviz, bubblewrap, backviz
    run_autograder                   grades /autograder/submission (gradescope_run.py)
    backviz-VERSION-py3-none-any.whl the running backviz (wheel.py)
    backviz-autograder.json          what to grade: the exercise or variants, roster, language
    exercise/ID.toml                 the exercise, or
    variants/STUDENT.toml …          each student's variant (`backviz variants`; no keys/)
    roster.csv                       the roster, when given
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..core.exercise import NetworkExercise
from ..core.loading import load
from ..errors import BackvizError
from ..files import write_atomic
from ..grading.roster import roster_key
from .gradescope_identity import Person, read_people
from .gradescope_scripts import RUN_AUTOGRADER, SETUP_SH, TORCH, VENV
from .wheel import build_wheel

__all__ = ["CONFIG", "VISIBILITIES", "AutograderConfig", "write_autograder"]

CONFIG = "backviz-autograder.json"
"""The file in the zip that tells run_autograder what to grade."""

VISIBILITIES = ("after_due_date", "after_published", "visible", "hidden")
"""Gradescope's visibility settings of a test (specs: Controlling Test Case Visibility)."""

_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same inputs give the same zip


@dataclass(frozen=True)
class AutograderConfig:
    """What run_autograder grades, as backviz-autograder.json holds it (paths inside the zip)."""

    kind: str
    """"sheets" (answer sheets) or "code" (a coding exercise's .py file)."""
    exercise: str
    """The exercise file, or the variants folder ("variants")."""
    variants: bool
    roster: str | None
    lang: str
    visibility: str
    """When students see each quantity's test (Gradescope's visibility): they hold the expected
    numbers, the answer key, so by default only after the due date."""
    backviz: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, path: Path) -> AutograderConfig:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{key: data[key] for key in cls.__dataclass_fields__})


def _exercise(path: Path) -> NetworkExercise:
    exercise = load(path)
    if not isinstance(exercise, NetworkExercise) or not exercise.trains:
        raise BackvizError(
            f"{path}: a Gradescope autograder grades a network exercise with [training] "
            "(answer sheets, or code with a [code] table)"
        )
    return exercise


def _variants(folder: Path) -> list[tuple[Path, NetworkExercise]]:
    """The variants `backviz variants` wrote into `folder` (its keys/ left out)."""
    found = []
    for path in sorted(folder.glob("*.toml")):
        exercise = _exercise(path)
        if exercise.student is not None:
            found.append((path, exercise))
    if not found:
        raise BackvizError(f"{folder}: no variants found (files written by `backviz variants`)")
    return found


def _setup(version: str, wheel: str, exercises: list[NetworkExercise]) -> str:
    """setup.sh: with torch installed where students' code may import it."""
    torch = any(e.code is not None and "torch" in e.code.modules for e in exercises)
    return SETUP_SH.format(version=version, venv=VENV, wheel=wheel, torch=TORCH if torch else "")


def _kind(exercise: NetworkExercise) -> str:
    return "code" if exercise.code is not None else "sheets"


@dataclass(frozen=True)
class _Graded:
    """What the zip grades: the files it carries for it and how the CLI names them."""

    kind: str
    where: str
    """The exercise file in the zip, or "variants"."""
    exercises: list[NetworkExercise]
    files: list[tuple[str, bytes, int]]
    """Name in the zip, content, permissions."""
    subject: str
    listed: str


def _one_exercise(path: Path) -> _Graded:
    exercise = _exercise(path)
    where = f"exercise/{path.name}"
    return _Graded(
        _kind(exercise), where, [exercise], [(where, path.read_bytes(), 0o644)], exercise.id, where
    )


def _student_variants(folder: Path, people: list[Person] | None, roster: Path | None) -> _Graded:
    variants = _variants(folder)
    kinds = {_kind(e) for _, e in variants}
    if len(kinds) > 1:
        raise BackvizError(f"{folder}: variants of coding and of answer-sheet exercises mixed")
    if people is not None and roster is not None:
        have = {roster_key(e.student or "") for _, e in variants}
        lacking = [p.student for p in people if roster_key(p.student) not in have]
        if lacking:
            raise BackvizError(
                f"{folder}: no variant for {len(lacking)} student(s) of {roster.name}: "
                + ", ".join(lacking[:5])
                + (" …" if len(lacking) > 5 else "")
                + f"; make them with backviz variants EXERCISE --roster {roster} --out {folder}"
            )
    return _Graded(
        kinds.pop(),
        "variants",
        [e for _, e in variants],
        [(f"variants/{p.name}", p.read_bytes(), 0o644) for p, _ in variants],
        f"the variants in {folder}",
        f"variants/ ({len(variants)} students)",
    )


def _zip(files: list[tuple[str, bytes, int]]) -> bytes:
    """The zip of `files`, with fixed timestamps and each file's permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, mode in files:
            entry = zipfile.ZipInfo(name, _EPOCH)
            entry.external_attr = (0o100000 | mode) << 16  # a regular file and its permissions
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content)
    return buffer.getvalue()


def write_autograder(
    exercise_or_variants: Path,
    out: Path,
    *,
    roster: Path | None = None,
    lang: str = "en",
    visibility: str = "after_due_date",
) -> str:
    """Write the autograder zip to `out`; return what the CLI says of it. `visibility`: when
    students see the per-quantity tests (and so the expected numbers) and their score."""
    if out.suffix.lower() != ".zip":
        raise BackvizError(f"{out}: Gradescope takes the autograder as a .zip file; name it so")
    people = read_people(roster) if roster is not None else None
    if exercise_or_variants.is_dir():
        graded = _student_variants(exercise_or_variants, people, roster)
    else:
        graded = _one_exercise(exercise_or_variants)
    wheel_name, wheel = build_wheel()
    version = wheel_name.split("-")[1]
    config = AutograderConfig(
        kind=graded.kind,
        exercise=graded.where,
        variants=graded.where == "variants",
        roster="roster.csv" if roster is not None else None,
        lang=lang,
        visibility=visibility,
        backviz=version,
    )
    files = [
        ("setup.sh", _setup(version, wheel_name, graded.exercises).encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.format(version=version, venv=VENV).encode(), 0o755),
        (wheel_name, wheel, 0o644),
        (CONFIG, config.to_json().encode(), 0o644),
        *graded.files,
        *([("roster.csv", roster.read_bytes(), 0o644)] if roster is not None else []),
    ]
    try:
        write_atomic(out, _zip(files))
    except OSError as error:
        raise BackvizError(f"{out}: could not be written ({error.strerror or error})") from None
    how = {"code": "a .py file per submission, run in the sandbox",
           "sheets": "an answer sheet per submission"}[graded.kind]  # fmt: skip
    return (
        f"wrote {out}: the Gradescope autograder of {graded.subject} ({how}): setup.sh, "
        f"run_autograder, {wheel_name}, {graded.listed}"
        + (f", roster.csv ({len(people)} students)" if people is not None else "")
        + f"; students see their marks and each quantity's test: {visibility.replace('_', ' ')}"
        + "\nupload it in Gradescope: the assignment's Configure Autograder, Zip file upload"
    )
