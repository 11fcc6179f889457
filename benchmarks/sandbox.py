"""Code grading's speed: 100 correct submissions of code-xor-221 (4 cases each) graded by the
CLI, and the sandbox's cost per case against its rivals, measured here in the same run:

* the sandbox: one session, its template serving every case (as `backviz grade` does);
* the same template without isolation: a process that imported numpy once and forks a child
  per case that loads the file and calls the function — nothing else (the sandbox's own cost
  is the difference);
* one sandboxed process per case (the way before the template: bubblewrap, Python and numpy
  started again for every case — here a session per case);
* a bare subprocess per case (Python and numpy started again, no isolation at all).

Four cases at a time, as `backviz grade` runs them. Run: .venv/bin/python benchmarks/sandbox.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from backviz.sandbox import Session, available_level, run_function

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "data" / "code" / "good.py"
EXERCISE = ROOT / "exercises" / "code-xor-221.toml"
ARGS = {
    "W": [[[0.5, -0.4], [-0.3, 0.6]], [[0.7, -0.5]]],
    "b": [[0.1, -0.1], [0.2]],
    "x": [[0, 0], [0, 1], [1, 0], [1, 1]],
    "t": [[0], [1], [1], [0]],
    "learning_rate": 1.0,
}
RUN = (
    "import importlib.util, json, sys\n"
    "def run(path, arguments):\n"
    "    spec = importlib.util.spec_from_file_location('s', path)\n"
    "    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
    "    r = m.backward(**arguments)\n"
    "    return json.dumps({k: [None if v is None else v.tolist() for v in vs]"
    " for k, vs in r.items()})\n"
)
BARE = RUN + "print(run(sys.argv[1], json.loads(sys.argv[2])))\n"
# The template without isolation: numpy imported once, a fork per case, nothing else.
TEMPLATE = (
    RUN
    + "import os, numpy\n"
    + "for line in sys.stdin:\n"
    + "    out_r, out_w = os.pipe()\n"
    + "    if os.fork() == 0:\n"
    + "        os.close(out_r)\n"
    + "        os.write(out_w, run(line.strip(), json.loads(sys.argv[1])).encode())\n"
    + "        os._exit(0)\n"
    + "    os.close(out_w)\n"
    + "    while os.read(out_r, 1 << 16):\n"
    + "        pass\n"
    + "    os.close(out_r)\n"
    + "    os.wait()\n"
    + "    print('done', flush=True)\n"
)


def per_case(cases: int, one: Callable[[int], None]) -> float:
    """Seconds per case, `cases` of them run four at a time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, range(cases)))
    return (time.perf_counter() - start) / cases


def bare_template(cases: int) -> float:
    """The template without isolation: four of them (one per worker), as the grader's threads."""
    templates = [
        subprocess.Popen(
            [sys.executable, "-c", TEMPLATE, json.dumps(ARGS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for template in templates:  # started and numpy imported before the clock runs
        template.stdin.write(f"{GOOD}\n")
        template.stdin.flush()
        template.stdout.readline()

    def one(n: int) -> None:
        template = templates[n % 4]
        template.stdin.write(f"{GOOD}\n")
        template.stdin.flush()
        assert template.stdout.readline() == "done\n"

    try:
        # one worker per template, so no two threads share one
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda k: [one(k) for _ in range(cases // 4)], range(4)))
        return (time.perf_counter() - start) / (cases // 4 * 4)
    finally:
        for template in templates:
            template.stdin.close()
            template.wait()


def main() -> None:
    with Session(("numpy",)) as session:
        first = session.run(GOOD, "backward", ARGS)  # the template starts here
        assert first.status == "ok", first.message

        def sandboxed(_: int) -> None:
            result = session.run(GOOD, "backward", ARGS)
            assert result.status == "ok", result.message

        boxed = per_case(400, sandboxed)
    template = bare_template(400)

    def one_process(_: int) -> None:
        result = run_function(GOOD, "backward", ARGS)
        assert result.status == "ok", result.message

    separate = per_case(40, one_process)

    def bare_process(_: int) -> None:
        subprocess.run(
            [sys.executable, "-c", BARE, str(GOOD), json.dumps(ARGS)],
            check=True,
            capture_output=True,
        )

    bare = per_case(40, bare_process)
    wall = grade_class(100)
    print(f"sandbox level: {available_level()}; {os.cpu_count()} cores; four cases at a time")
    print("per case:")
    print(f"  the sandbox (one template for the class):     {boxed * 1e3:7.1f} ms")
    print(
        f"  the same template without isolation:          {template * 1e3:7.1f} ms"
        f"  (the sandbox costs {boxed / template:.2f}x it)"
    )
    print(
        f"  one sandboxed process per case (before):      {separate * 1e3:7.1f} ms"
        f"  ({separate / boxed:.1f}x the sandbox)"
    )
    print(
        f"  a bare subprocess per case (no isolation):    {bare * 1e3:7.1f} ms"
        f"  ({bare / boxed:.1f}x the sandbox)"
    )
    print(f"grade 100 correct submissions (4 cases each, CLI, startup included): {wall:.2f} s")


def grade_class(students: int) -> float:
    """Wall seconds of `backviz grade` on `students` copies of the correct submission."""
    work = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    try:
        for i in range(students):
            shutil.copy(GOOD, work / f"s{i:03d}.py")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "backviz", "grade", EXERCISE, work, "--out", work / "out"],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
        assert f"{students} fully right" in done.stderr + done.stdout, done.stderr
        return wall
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
