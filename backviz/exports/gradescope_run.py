"""What `run_autograder` runs on Gradescope for every submission: `python -m
backviz.exports.gradescope_run`.

It reads what Gradescope gives (gradescope-autograders.readthedocs.io/en/latest/specs/):
/autograder/source (the zip: backviz-autograder.json, the exercise or variants, the roster),
/autograder/submission (the student's files) and /autograder/submission_metadata.json (who
submitted); it finds the student (`gradescope_identity`), their exercise (their own variant
from a variants folder), grades the one answer sheet or .py file handed in with `backviz grade`
(`grading.run.grade_paths`: the same verdicts, marks and feedback), and writes
/autograder/results/results.json: the results/<student>.json `grade` writes (one test per
quantity; the verdict in each test's `tags` and `extra_data`; `output_format` "text"), with
whose submission it was and, for code, the sandbox level in the top-level output and
`extra_data`.

Whatever happens, a results.json is written and the exit status is 0: nothing handed in, an
unreadable file, a stranger, or a failure of the autograder itself give score 0 and a message
the student can act on (the details of a failure go to standard output, which Gradescope shows
the teacher only).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
import traceback
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..core.exercise import NetworkExercise
from ..core.loading import load
from ..errors import BackvizError
from ..files import write_atomic
from ..grading.escape import GRADESCOPE_FORMAT, file_name, gradescope_text
from ..grading.roster import roster_key
from ..grading.run import code_sources, grade_paths
from ..grading.sheets.folders import SHEET_SUFFIXES, sheet_entries
from .gradescope import CONFIG, AutograderConfig
from .gradescope_identity import Identity, identify, read_people, read_submitters
from .gradescope_scripts import ROOT_VARIABLE
from .gradescope_words import WORDS, identity_line

__all__ = ["grade_submission", "main", "zero"]

ENDINGS = {"sheets": ", ".join(SHEET_SUFFIXES), "code": ".py, .ipynb"}
"""Per kind of exercise, the endings of the file names a submission is read from."""


def zero(lines: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A results.json of score 0 with `lines` as its output: nothing was graded."""
    return {
        "score": 0.0,
        "output": "\n".join(lines),
        "output_format": GRADESCOPE_FORMAT,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": extra or {},
        "tests": [],
    }


def _close(root: Path) -> None:
    """What students' code must not read — the exercise, the roster, the submission, Gradescope's
    metadata (emails), the results — closed to every user but root (the sandbox runs each case
    as another uid). Best effort: a file system that refuses it changes nothing else."""
    with contextlib.suppress(OSError):
        (root / "results").mkdir(mode=0o700, exist_ok=True)  # before any student's code runs
    for path, mode in (
        (root / "source", 0o700),
        (root / "submission", 0o700),
        (root / "submission_metadata.json", 0o600),
        (root / "results", 0o700),
    ):
        with contextlib.suppress(OSError, NotImplementedError):
            os.chmod(path, mode, follow_symlinks=False)


def _variant(folder: Path, student: str) -> Path | None:
    """The variant of `student` in `folder` (its `student` field, compared as rosters are)."""
    guess = folder / f"{file_name(student)}.toml"
    candidates = [guess] if guess.is_file() else []
    candidates += [p for p in sorted(folder.glob("*.toml")) if p != guess]
    for path in candidates:
        exercise = load(path)
        owner = exercise.student if isinstance(exercise, NetworkExercise) else None
        if owner is not None and roster_key(owner) == roster_key(student):
            return path
    return None


def _handed(submission: Path, kind: str, lang: str) -> tuple[list[str], str]:
    """The names of what would be graded in the submission folder, or why there is nothing."""
    w = WORDS[lang]
    what, endings = w[kind], ENDINGS[kind]
    if not submission.is_dir():
        return [], w["no_folder"].format(what=what, endings=endings)
    try:
        found = sheet_entries([submission]) if kind == "sheets" else code_sources([submission])
    except BackvizError:
        names = sorted(p.name for p in submission.iterdir())
        shown = ", ".join(gradescope_text(n) for n in names[:10])
        return [], w["nothing"].format(what=what, endings=endings) + (
            w["found_only"].format(names=shown) if names else ""
        )
    return [gradescope_text(str(h.path.relative_to(submission))) for h in found], ""


def _exercise(
    config: AutograderConfig, source: Path, identity: Identity
) -> tuple[Path | None, str]:
    """The exercise to grade the submission on (the student's own variant, from a variants
    folder), or None and why not."""
    w = WORDS[config.lang]
    if not config.variants:
        return source / config.exercise, ""
    if identity.student is None:
        return None, w["variant_unknown"]
    exercise = _variant(source / config.exercise, identity.student)
    if exercise is None:
        return None, w["no_variant"].format(student=gradescope_text(identity.student))
    return exercise, ""


def _graded(exercise: Path, submission: Path, lang: str) -> tuple[dict[str, Any], str]:
    """`grade`'s results.json of the one submission, and the sandbox level it ran at (code)."""
    with tempfile.TemporaryDirectory(prefix="backviz-gradescope-") as folder:
        out = Path(folder)
        print(grade_paths(exercise, [submission], out, lang=lang, diagrams=False, jobs=1))
        (written,) = sorted((out / "results").glob("*.json"))
        results = json.loads(written.read_text(encoding="utf-8"))
        record = out / "record.json"
        if not record.exists():
            return results, ""
        text = record.read_text(encoding="utf-8")  # the run's secret: for the teacher only
        print(f"record.json (grade --secret draws its random cases again):\n{text}")
        return results, json.loads(text)["sandbox"]


def grade_submission(root: Path) -> dict[str, Any]:
    """The results.json of the submission in `root` (Gradescope's /autograder)."""
    source = root / "source"
    config = AutograderConfig.read(source / CONFIG)
    _close(root)
    submitters, problem = read_submitters(root / "submission_metadata.json")
    if problem:
        print(f"backviz: {problem}")
    people = read_people(source / config.roster) if config.roster else None
    identity = identify(submitters, people)
    w = WORDS[config.lang]
    line = identity_line(identity, config.roster or "", config.lang)
    extra: dict[str, Any] = {
        "backviz": version("backviz"),
        "student": identity.student,
        "identified": line,
    }
    exercise, why = _exercise(config, source, identity)
    if exercise is None:
        return zero([line, why], extra)
    extra["exercise"] = exercise.name
    found, nothing = _handed(root / "submission", config.kind, config.lang)
    if nothing:
        return zero([line, nothing], extra)
    if len(found) > 1:
        one = w["one"].format(what=w[config.kind], n=len(found), names=", ".join(found))
        return zero([line, one], extra)
    extra["graded"] = found[0]
    results, level = _graded(exercise, root / "submission", config.lang)
    if level:
        extra["sandbox"] = level
    for test in results["tests"]:
        test["visibility"] = config.visibility
    if config.visibility == "visible":
        results["output"] = "\n".join([line, results["output"]])
    else:  # the total goes too; the sheet's problems (and the sandbox level) stay
        _, _, problems = results["output"].partition("\n")  # StudentReports: total, problems
        results["output"] = "\n".join([line, *filter(None, [problems]), w[config.visibility]])
    results["extra_data"] = extra
    return results


def main() -> int:
    """Grade, write results.json, exit 0: Gradescope shows the student what results.json says."""
    root = Path(os.environ.get(ROOT_VARIABLE) or "/autograder")
    started = time.monotonic()
    try:
        results = grade_submission(root)
    except Exception as error:  # never without a results.json: the student is told, not left
        traceback.print_exc(file=sys.stdout)  # for the teacher (stdout is hidden from students)
        message = gradescope_text(str(error) if isinstance(error, BackvizError) else repr(error))
        results = zero(
            [
                f"The autograder could not grade this submission ({message}). "
                "This is not your fault: tell your teacher."
            ]
        )
    results["execution_time"] = round(time.monotonic() - started)  # seconds, as the spec shows
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, json.dumps(results, ensure_ascii=False) + "\n")
    print(f"backviz: score {results['score']:g}; wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
