"""Code grading: 100 correct submissions of code-xor-221 graded by the CLI, and the sandbox's
cost per run against a bare subprocess running the same function (the naive, unsafe way).

Run: .venv/bin/python benchmarks/sandbox.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backviz.sandbox import available_level, run_function

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
BARE = (
    "import importlib.util, json, sys\n"
    "spec = importlib.util.spec_from_file_location('s', sys.argv[1])\n"
    "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
    "r = m.backward(**json.loads(sys.argv[2]))\n"
    "out = {k: [None if v is None else v.tolist() for v in vs] for k, vs in r.items()}\n"
    "print(json.dumps(out))\n"
)


def main() -> None:
    import json

    bare, boxed = [], []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", BARE, str(GOOD), json.dumps(ARGS)],
            check=True,
            capture_output=True,
        )
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = run_function(GOOD, "backward", ARGS)
        boxed.append(time.perf_counter() - start)
        assert result.status == "ok", result.message
    work = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    try:
        for i in range(100):
            shutil.copy(GOOD, work / f"s{i:03d}.py")
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "backviz",
                "grade",
                str(EXERCISE),
                str(work),
                "--out",
                str(work / "out"),
            ],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)
    b, s = statistics.median(bare), statistics.median(boxed)
    print(f"sandbox level: {available_level()}")
    print(f"  one run, bare subprocess (no isolation): {b * 1e3:7.1f} ms")
    print(f"  one run in the sandbox:                  {s * 1e3:7.1f} ms  ({s / b:.2f}x bare)")
    print(f"grade 100 correct submissions (4 cases each, CLI): {wall:.1f} s")


if __name__ == "__main__":
    main()
