"""Grading speed: 10,000 answer sheets of seed-222 graded by the CLI from files on disk.

The sheets are a realistic mix made here from the answer key: exact values, values rounded to
2–8 decimals, an early error carried forward, each catalogued mistake, blank and garbage cells,
and a few broken files. Target: ≤ 3 s wall for `backviz grade` in all, start-up included. The
rival is the naive way — one `ClassGrader.grade` call per student instead of one per class —
measured in the same run on a sample and scaled.

Run: .venv/bin/python benchmarks/grading.py [N]
"""

from __future__ import annotations

import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import backviz
from backviz.engine import run
from backviz.grading.answers import read_submissions
from backviz.grading.mistakes import applicable
from backviz.grading.verdicts import ClassGrader

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = ROOT / "exercises" / "seed-222.toml"


def make_sheets(folder: Path, n: int) -> None:
    rng = random.Random(0)
    exercise = backviz.load(EXERCISE)
    key = dict(backviz.trace_of(exercise).items())
    mistaken = [dict(run(exercise, m.mistakes).items()) for m in applicable(exercise)]
    asked = [
        line.split(",")[0]
        for line in subprocess.run(
            [sys.executable, "-m", "backviz", "template", str(EXERCISE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        if line and not line.startswith("#")
    ][2:]
    for i in range(n):
        kind = rng.random()
        values = dict(key)
        if 0.6 <= kind < 0.8:
            values = dict(rng.choice(mistaken))
        lines = ["quantity,value", f"student,s{i:05d}"]
        decimals = rng.choice([2, 4, 6, 8, 8, 17])
        early_error = 0.8 <= kind < 0.9
        for name in asked:
            value = values[name]
            if early_error and name == "z1":
                value *= 1.1
            if early_error and name == "h1":
                value = 1 / (1 + math.exp(-values["z1"] * 1.1))
            text = repr(value) if decimals == 17 else f"{value:.{decimals}f}"
            if kind >= 0.97:
                text = rng.choice(["", "abc", "1/0", "0,5", "≈0.5", "nan"])
            lines.append(f"{name},{text}")
        path = folder / f"s{i:05d}.csv"
        if kind >= 0.995:
            path.write_bytes(b"\x00\x01binary")
        else:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    (ROOT / ".bench").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="grading-", dir=ROOT / ".bench"))
    try:
        sheets = work / "sheets"
        sheets.mkdir()
        make_sheets(sheets, n)
        backviz_cli = ROOT / ".venv" / "bin" / "backviz"
        command = [str(backviz_cli)] if backviz_cli.exists() else [sys.executable, "-m", "backviz"]
        start = time.perf_counter()
        result = subprocess.run(
            [
                *command,
                "grade",
                str(EXERCISE),
                str(sheets),
                "--out",
                str(work / "out"),
                "--no-diagrams",
            ],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        assert result.returncode == 0, result.stderr
        graded = len((work / "out" / "grades.csv").read_text().splitlines()) - 1
        assert graded == n, (graded, n)
        sample = work / "sample"
        sample.mkdir()
        for path in sorted(sheets.iterdir())[:200]:
            shutil.copy(path, sample / path.name)
        start = time.perf_counter()
        subprocess.run(
            [*command, "grade", str(EXERCISE), str(sample), "--out", str(work / "out-d")],
            capture_output=True,
            text=True,
            check=True,
        )
        with_diagrams = (time.perf_counter() - start) / 200 * n
        # the naive rival: one grading call per student, on a sample, scaled to n
        trace = backviz.solve(EXERCISE)
        submissions = read_submissions(sorted(sheets.iterdir())[:200])
        grader = ClassGrader(trace)
        start = time.perf_counter()
        grader.grade(submissions)
        class_at_once = (time.perf_counter() - start) / len(submissions) * n
        start = time.perf_counter()
        for submission in submissions:
            grader.grade([submission])
        one_by_one = (time.perf_counter() - start) / len(submissions) * n
        print(f"grading: {n} answer sheets of seed-222 from files on disk")
        print(
            f"  backviz grade (CLI, start-up included), no diagrams: {wall:.2f} s (target <= 3 s)"
        )
        print(
            f"  backviz grade with diagrams/<student>.svg:          {with_diagrams:.2f} s "
            "(scaled from 200)"
        )
        print(f"  verdicts only, the class at once:   {class_at_once:.2f} s (scaled from 200)")
        print(f"  verdicts only, one student a call:  {one_by_one:.2f} s (the naive way)")
        print(f"  ratio class-at-once / naive: {class_at_once / one_by_one:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
