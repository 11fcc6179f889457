"""Latency of the worked solution: `backviz solve exercises/seed-222.toml` as text and Markdown.

Wall time of the whole command, start-up included (target ≤ 0.5 s), against the rival a user
has anyway: printing the answer key (`--format csv`), measured in the same run.

Run: .venv/bin/python benchmarks/solution.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 10


def wall(*args: str) -> float:
    backviz = ROOT / ".venv" / "bin" / "backviz"
    command = [str(backviz)] if backviz.exists() else [sys.executable, "-m", "backviz"]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([*command, *args], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    seed = "exercises/seed-222.toml"
    csv = wall("solve", seed, "--format", "csv")
    print(f"solve {seed}: median wall time of {RUNS} runs, start-up included")
    for fmt in ("text", "md", "html", "latex"):
        t = wall("solve", seed, "--format", fmt)
        ratio = t / csv
        print(f"  --format {fmt:5s} {t:.3f} s  ({ratio:.2f}x the csv answer key; target <= 0.5 s)")
    print(f"  --format csv   {csv:.3f} s")


if __name__ == "__main__":
    main()
