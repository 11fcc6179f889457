#!/usr/bin/env python3
"""The external grader of the PrairieLearn coding question `backviz export prairielearn` writes
(`tests/backviz_grade.py`, copied verbatim; the question's `info.json` names it as the
`entrypoint` of PrairieLearn's `prairielearn/grader-python` image, where backviz is not
installed).

PrairieLearn lays out a grading job in `/grade` (docs/externalGrading.md): the question's
`tests/` in `/grade/tests`, the student's files in `/grade/student`, the question's `data` in
`/grade/data/data.json`, and reads `/grade/results/results.json`. This script, run as root:

1. makes `/grade/tests`, `/grade/data`, `/grade/student`, `/grade/serverFilesCourse` and
   `/grade/results` readable by root alone — they hold the cases' expected values;
2. reads which variant the student was given (`data.json`'s `params.variant_name`, set by
   `server.py`) and that variant's cases from `cases.json.gz` (the exercise's own numbers and
   the cases drawn at export from a secret: each case's arguments and its marking spec);
3. runs the student's function on each case in turn (`backviz_child.py`) as a uid of its own
   no file belongs to, in an empty folder, with limits (time, memory, processes, file size),
   given only that case's arguments and the modules it may import besides the standard
   library (`[code] modules` with their dependencies, as backviz's sandbox shows them), its
   value sent back as JSON; after each case every
   process of that uid is killed; a case that does not run ends the runs, as in
   `backviz grade`;
4. judges what came back by backviz's own rules, the same modules `backviz grade` applies
   (`backviz_code_marking.py` = `grading/code_marking.py`, `backviz_marking.py` =
   `grading/marking.py`), and writes results.json itself (any file of that name the
   student's code left anywhere is replaced): one test per returned array (z(2), dW(3) …)
   with its points, verdict and why, the score as `backviz grade`'s marks.

A training loop (`contract` "train" in the bank) is judged by backviz itself: the question's
`tests/` holds the wheel of the backviz that exported it (`bank["wheel"]`), imported from its
zip (pure Python; numpy is all it needs here), and each case holds its exercise as TOML; the
weights the loop returned after each step are judged by `backviz grade`'s own
`grading.code_training.TrainJudge`, each step from the student's own previous weights by
backviz's engine. The wheel is only ever imported here, as root: the student's code runs in a
folder of its own that holds none of it.

`BACKVIZ_PRAIRIELEARN_ROOT` puts /grade elsewhere (backviz's tests lay a job out in a
temporary folder).
"""

import contextlib
import gzip
import importlib.util
import json
import math
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT_VARIABLE = "BACKVIZ_PRAIRIELEARN_ROOT"
UID_RANGE = (1_900_000_000, 1_950_000_000)
"""The uids the students' cases run as: far from accounts and subuid ranges."""
MEMORY_BYTES = 3 * 2**30
FILE_BYTES = 8 * 2**20
"""The largest file the student's code may write: the value sent back included."""
PROCESSES = 64
"""Processes and threads of the case's uid at once (numpy's own threads included)."""
SHOWN_OUTPUT = 2000
"""Characters of what a case printed shown to the student."""
PRIVATE = ("tests", "data", "student", "serverFilesCourse", "results")


def _module(name: str):
    """A module of this folder, loaded by path (never one of the same name elsewhere on
    sys.path, such as the course's serverFilesCourse/, which the image puts on PYTHONPATH)."""
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _backviz(bank: dict):
    """backviz, imported from the wheel in this folder (zipimport): its loader, engine and
    training judge. Refused when another backviz (a course's serverFilesCourse/ on PYTHONPATH)
    would be judging instead."""
    wheel = str(HERE / bank["wheel"])
    if wheel not in sys.path:
        sys.path.insert(0, wheel)
    from backviz.core.engine import run
    from backviz.core.loading import loads
    from backviz.grading.code_training import TrainJudge

    found = str(getattr(sys.modules["backviz"], "__file__", ""))
    if not found.startswith(wheel + os.sep):
        raise ImportError(f"backviz was imported from {found}, not from {wheel}")
    return run, loads, TrainJudge


class _Judges:
    """How each case of the variant judges what came back: per case, (verdict, detail) of
    every row, and the credit a verdict earns. The forward/backward contract by the copied
    rules (`backviz_code_marking.judge_case` with `backviz_marking`); a training loop by
    backviz's own TrainJudge, one per case, all made before any student's code runs (a backviz
    that cannot be imported, or a case that cannot be loaded, is the question's fault: never
    a verdict on the student)."""

    def __init__(self, bank: dict, variant: dict) -> None:
        self.bank, self.cases, self.lang = bank, variant["cases"], bank["lang"]
        self.trains = bank.get("contract") == "train"
        self.marking = _module("backviz_marking")
        self.rules = _module("backviz_code_marking")
        self.train_judges: list = []
        if self.trains:
            run, loads, TrainJudge = _backviz(bank)
            for number, case in enumerate(self.cases):
                exercise = loads(case["exercise"], file=f"case {number}")
                self.train_judges.append(TrainJudge(exercise, run(exercise), self.lang))

    def judge(self, number: int, value) -> dict:
        """Case `number`'s verdicts on `value`: {(key, layer): (verdict, detail)}."""
        if self.trains:
            return self.train_judges[number].judge([value])[0]
        return self.rules.judge_case(
            self.cases[number],
            value,
            self.marking.grade,
            lambda d: self.marking.carried_from(d, self.lang),
            self.lang,
        )

    def credit(self, verdict: str) -> float:
        """The share of the marks `verdict` earns (the exercise's own numbers' judge)."""
        if self.trains:
            return self.train_judges[0].credit(verdict)
        bank = self.bank
        return self.rules.credit(verdict, bank["carried_credit"], bank["mistake_credits"])


def _lock_down(root: Path) -> None:
    """The grading job's folders made root's alone, before any student's code runs."""
    (root / "results").mkdir(mode=0o700, exist_ok=True)
    for name in PRIVATE:
        if (root / name).is_dir():
            os.chmod(root / name, 0o700)


def _variant(bank: dict, root: Path) -> dict | None:
    """The student's variant: the one `server.py` named in the variant's params."""
    try:
        data = json.loads((root / "data" / "data.json").read_text(encoding="utf-8"))
        name = data["params"]["variant_name"]
    except (OSError, ValueError, KeyError, TypeError):
        name = None
    for variant in bank["variants"]:
        if variant["name"] == name:
            return variant
    return bank["variants"][0] if len(bank["variants"]) == 1 else None


def _read(path: Path, limit: int) -> bytes | str:
    """A submitted file's bytes (never through a link), or why it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        return f"{path.name}: cannot be read ({error.strerror or error})"
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO is never read from
            return f"{path.name}: not a file"
        raw = file.read(limit + 1)
    return raw if len(raw) <= limit else f"{path.name}: larger than {limit} bytes"


def _submission(bank: dict, root: Path) -> tuple[str, str | None, str] | None:
    """(name of the file run, its Python text, a note) of the student's submission: the
    notebook when one was uploaded, else the .py file; the Python text None and the note
    saying why when it cannot be read. None when nothing was submitted."""
    student = root / "student"
    notebook, module = student / bank["notebook"], student / bank["file"]
    if notebook.exists() or notebook.is_symlink():
        raw = _read(notebook, bank["notebook_bytes"])
        if isinstance(raw, str):
            return bank["file"], None, raw
        try:
            text = _module("backviz_notebook").notebook_module(raw, notebook.name)
        except ValueError as error:
            return bank["file"], None, f"{notebook.name}: {error}"
        return bank["file"], text, bank["words"]["graded_notebook"].format(name=notebook.name)
    if module.exists() or module.is_symlink():
        raw = _read(module, bank["file_bytes"])
        if isinstance(raw, str):
            return bank["file"], None, raw
        return bank["file"], raw.decode("utf-8", errors="replace"), ""
    return None


def _limits(seconds: float):
    def apply() -> None:
        cpu = math.ceil(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))  # the uid's own

    return apply


def _kill_all(uid: int, group: int) -> None:
    """Every process of the case: its process group, and every process of its uid (a process
    the student's code forked into a session of its own included)."""
    with contextlib.suppress(OSError):
        os.killpg(group, signal.SIGKILL)
    for _ in range(3):
        pid = os.fork()
        if pid == 0:  # as the uid, kill(-1) reaches exactly its processes (never itself)
            try:
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            os._exit(0)
        os.waitpid(pid, 0)


def allowed_modules(bank: dict) -> list[str] | None:
    """The top-level modules besides the standard library the student's code may import: the
    files and folders of the distributions `[code] modules` names and of their dependencies,
    as backviz's sandbox shows them (`backviz_python_view.py` = `sandbox/python_view.py`);
    None for a bank exported before it named its modules (nothing refused)."""
    if "modules" not in bank:
        return None
    view = _module("backviz_python_view").python_view(tuple(bank["modules"]))
    names = {os.path.basename(entry).partition(".")[0] for entry in view.entries}
    names |= {module.partition(".")[0] for module in bank["modules"]}  # found without metadata
    return sorted(name for name in names if name.isidentifier())


def run_case(
    name: str,
    text: str,
    function: str,
    arguments: dict,
    seconds: float,
    modules: list[str] | None = None,
) -> dict:
    """The student's function run on one case's arguments in a process of its own: {"value",
    "changed", "cells"} or {"failure"}, and "output", what it printed. `modules`: what it may
    import besides the standard library (None: anything)."""
    uid = random.randrange(*UID_RANGE)
    work = Path(tempfile.mkdtemp(prefix="backviz-case-"))
    try:
        (work / name).write_text(text, encoding="utf-8")
        for helper in ("backviz_child.py", "backviz_codec.py"):
            shutil.copyfile(HERE / helper, work / helper)
            os.chmod(work / helper, 0o644)
        os.chmod(work / name, 0o600)
        os.chown(work / name, uid, uid)
        os.chown(work, uid, uid)
        with (
            tempfile.TemporaryFile() as given,
            tempfile.TemporaryFile() as result,
            tempfile.TemporaryFile() as output,
        ):
            given.write(json.dumps({"arguments": arguments, "modules": modules}).encode("utf-8"))
            given.seek(0)
            command = [sys.executable, "-I", str(work / "backviz_child.py")]
            command += [str(result.fileno()), function, str(work / name)]
            environment = {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "HOME": str(work),
                "LANG": "C.UTF-8",
                "PYTHONIOENCODING": "utf-8",
                "OPENBLAS_NUM_THREADS": "1",
                "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
            }
            process = subprocess.Popen(
                command,
                stdin=given,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(result.fileno(),),
                cwd=work,
                env=environment,
                start_new_session=True,
                preexec_fn=_limits(seconds),
                umask=0o077,
                user=uid,
                group=uid,
                extra_groups=[],
            )
            try:
                status = process.wait(timeout=seconds)
                timed_out = False
            except subprocess.TimeoutExpired:
                status, timed_out = None, True
            _kill_all(uid, process.pid)
            process.wait()
            output.seek(0)
            printed = output.read(SHOWN_OUTPUT * 4).decode("utf-8", "replace")[:SHOWN_OUTPUT]
            result.seek(0)
            raw = result.read(FILE_BYTES + 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = _returned(raw, arguments, seconds, timed_out, status)
    found["output"] = printed
    return found


def _returned(raw: bytes, arguments: dict, seconds: float, timed_out: bool, status) -> dict:
    """What the case sent back, checked to the letter (as `backviz grade` checks its result
    channel): anything else is a failure of the case, never trusted."""
    if timed_out:
        return {"failure": f"timeout: over {seconds:g} s"}
    if not raw:
        how = f"signal {-status}" if status is not None and status < 0 else f"status {status}"
        return {"failure": f"crashed: ended without sending a value back ({how})"}
    codec = sys.modules.get("backviz_codec") or _module("backviz_codec")
    try:
        sent = codec.decode_value(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {"failure": "bad-output: what came back is not a value"}
    if not isinstance(sent, dict):
        return {"failure": "bad-output: what came back is not a result"}
    cells = sent.get("cells", [])
    if not isinstance(cells, list) or not all(isinstance(c, str) for c in cells):
        cells = []
    cells = [c[:300] for c in cells[:20]]
    if set(sent) <= {"error", "cells"} and isinstance(sent.get("error"), str):
        status_word = sent["error"].partition(":")[0]
        if status_word not in ("error", "too-much-output", "bad-output"):
            return {"failure": "bad-output: what came back is not a result", "cells": cells}
        return {"failure": sent["error"][:500], "cells": cells}
    if set(sent) - {"cells"} != {"value", "changed"}:
        return {"failure": f"bad-output: the result channel held {sorted(sent)!s:.100}"}
    changed = sent["changed"]
    if not isinstance(changed, list) or not all(
        isinstance(c, str) and c in arguments for c in changed
    ):
        return {"failure": f"bad-output: 'changed' is {changed!r:.100}, not argument names"}
    return {"value": sent["value"], "changed": changed, "cells": cells}


def _status_text(failure: str, words: dict) -> str:
    status, colon, rest = failure.partition(":")
    shown = words["statuses"].get(status)
    return f"{shown}{colon}{rest}" if shown else failure


def grade(bank: dict, variant: dict, name: str, text: str | None, note: str) -> dict:
    """results.json of one submission: the student's function run on the variant's cases
    and judged array by array, as `backviz grade` judges code."""
    judges = _Judges(bank, variant)
    rules = judges.rules
    words = bank["words"]
    rows = [((key, i), label) for key, i, label in bank["rows"]]
    runs: list[dict] = []
    modules = allowed_modules(bank)  # before any student's code: the question's, if it fails
    if text is not None:  # None: it could not be read (the note says why), so it is not run
        for case in variant["cases"]:
            runs.append(
                run_case(name, text, bank["function"], case["arguments"], bank["seconds"], modules)
            )
            if "failure" in runs[-1]:
                break
    verdicts: dict = {}
    for number, run in enumerate(runs):
        label = words["own_case"] if number == 0 else words["random_case"].format(n=number)
        found: dict = {}
        if "failure" not in run:
            try:
                found = judges.judge(number, run["value"])
            except Exception as error:  # what came back broke the judgement: this case fails
                reason = f"{type(error).__name__}: {str(error)[:200]}".rstrip(": ")
                run["failure"] = words["not_judged"].format(reason=reason)
        for row, _ in rows:
            if "failure" in run:
                status = _status_text(run["failure"].split(":")[0], words)
                here = ("wrong", f"{label}: {status}")
            elif row in found:
                verdict, detail = found[row]
                here = (verdict, f"{label}: {detail}" if detail else "")
            else:
                continue
            verdicts[row] = rules.worst(verdicts.get(row, ("correct", "")), here)
    problems = [note] if note else []
    for number, run in enumerate(runs):
        if "failure" in run:
            label = words["own_case"] if number == 0 else words["random_case"].format(n=number)
            problems.append(f"{label}: {_status_text(run['failure'], words)}")
    if runs:
        problems += runs[0].get("cells", [])
        if runs[0].get("changed"):
            changed = ", ".join(runs[0]["changed"])
            problems.append(words["changed"].format(function=bank["function"], names=changed))
    tests, explained, total = [], set(), 0.0
    for row, label in rows:
        verdict, detail = verdicts.get(row, ("missing", words["not_run"]))
        if verdict.startswith("mistake:") and verdict in explained:
            mistake = bank["mistake_names"].get(verdict[8:], verdict[8:])
            detail = words["same_mistake"].format(mistake=mistake)
        explained.add(verdict)
        points = judges.credit(verdict)
        total += points
        shown = bank["verdicts"].get(verdict, verdict)
        tests.append(
            {
                "name": label,
                "description": bank["descriptions"][row[0]].format(layer=row[1] + 2),
                "points": points,
                "max_points": 1.0,
                "message": f"{shown}: {detail}" if detail else shown,
                "verdict": verdict,
            }
        )
    printed = "\n".join(
        f"--- {words['own_case'] if n == 0 else words['random_case'].format(n=n)} ---\n"
        f"{run['output']}"
        for n, run in enumerate(runs)
        if run.get("output")
    )
    return {
        "gradable": True,
        "score": total / len(rows) if rows else 0.0,
        "message": "\n".join(problems),
        "output": printed,
        "tests": tests,
    }


def _write(root: Path, results: dict) -> None:
    """results.json written whole (a temporary file renamed over it)."""
    folder = root / "results"
    folder.mkdir(mode=0o700, exist_ok=True)
    temporary = folder / ".results.json.backviz"
    temporary.write_text(json.dumps(results, ensure_ascii=False, allow_nan=False), "utf-8")
    os.replace(temporary, folder / "results.json")
    # every process of the student's is gone by now: readable again for whoever collects it
    os.chmod(folder / "results.json", 0o644)
    os.chmod(folder, 0o755)


def main() -> None:
    root = Path(os.environ.get(ROOT_VARIABLE, "/grade"))
    if os.geteuid() != 0:  # without another uid the student's code could read the cases
        message = "backviz's grader must run as root (as PrairieLearn runs an entrypoint)"
        print(message, file=sys.stderr)
        _write(root, {"gradable": False, "message": message, "format_errors": [message]})
        return
    try:
        _lock_down(root)
        bank = json.loads(gzip.decompress((HERE / "cases.json.gz").read_bytes()))
        variant = _variant(bank, root)
        if variant is None:
            message = bank["words"]["no_variant"]
            _write(root, {"gradable": False, "message": message, "format_errors": [message]})
            return
        submitted = _submission(bank, root)
        if submitted is None:
            message = bank["words"]["no_file"].format(file=bank["file"], notebook=bank["notebook"])
            _write(root, {"gradable": False, "message": message, "format_errors": [message]})
            return
        _write(root, grade(bank, variant, *submitted))
    except Exception as error:  # never a traceback for the student: a job staff can look at
        message = f"backviz's grader could not grade this submission ({type(error).__name__})"
        print(f"{message}: {error}", file=sys.stderr)
        _write(root, {"gradable": False, "message": message, "format_errors": [message]})


if __name__ == "__main__":
    main()
