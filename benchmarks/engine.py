"""Engine speed against torch.autograd, and the latency of `backviz solve … --format json`.

1. One full training step of an MLP 784-256-256-10 (relu, cross-entropy), batch 128, float64,
   with the complete trace kept (z, a, ∂E/∂a, ∂a/∂z, δ per layer, gradients, new weights, and
   the forward pass after the update), against torch doing the same job in the same process:
   forward, backward (autograd), the SGD step and the forward pass after it. Target ≤ 1.2×.
2. Peak memory of backviz's step (tracemalloc sees numpy's allocations).
3. Wall time of the CLI on the notes' 2-2-2 example with JSON output, start-up included
   (target ≤ 0.3 s), and a check that neither torch nor sympy is imported on that path.

Run: .venv/bin/python benchmarks/engine.py
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import torch

from backviz.core import engine
from backviz.core.exercise import NetworkExercise, Training
from backviz.core.functions import activation, one_hot
from backviz.core.optimizers import Optimizer

ROOT = Path(__file__).resolve().parent.parent
SIZES = (784, 256, 256, 10)
BATCH = 128
REPEATS = 15


def mlp_exercise() -> NetworkExercise:
    rng = np.random.default_rng(0)
    W = tuple(
        rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)
        for n_in, n_out in itertools.pairwise(SIZES)
    )
    b = tuple(rng.uniform(-0.1, 0.1, n_out) for n_out in SIZES[1:])
    x = rng.uniform(0, 1, (BATCH, SIZES[0]))
    classes = rng.integers(0, SIZES[-1], BATCH)
    return NetworkExercise(
        id="mlp-784-256-256-10",
        title={"en": "benchmark"},
        notation="layered",
        sizes=SIZES,
        activations=(activation("relu"), activation("relu"), activation("identity")),
        bias=(True, True, True),
        loss_name="ce",
        W=W,
        b=b,
        inputs=x,
        targets=one_hot(classes, SIZES[-1]),
        classes=classes,
        training=Training(Optimizer("sgd", learning_rate=0.1), steps=1),
    )


def torch_step(exercise: NetworkExercise) -> float:
    """The same step in torch: forward, autograd backward, SGD step, forward after."""
    params = []
    for w, b in zip(exercise.W, exercise.b, strict=True):
        params.append(torch.tensor(w, dtype=torch.float64, requires_grad=True))
        params.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    x = torch.tensor(exercise.inputs, dtype=torch.float64)
    y = torch.tensor(exercise.classes, dtype=torch.long)
    optimizer = torch.optim.SGD(params, lr=0.1)

    def forward() -> torch.Tensor:
        a = x
        for i in range(0, len(params), 2):
            a = a @ params[i].T + params[i + 1]
            if i < len(params) - 2:
                a = torch.relu(a)
        return torch.nn.functional.cross_entropy(a, y)

    loss = forward()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        return float(forward())


def backviz_step(exercise: NetworkExercise) -> float:
    trace = engine.run(exercise)
    return float(trace.steps[0].after.loss)


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def cli_latency() -> tuple[float, list[str]]:
    command = [
        str(ROOT / ".venv" / "bin" / "backviz"),
        "solve",
        "exercises/seed-222.toml",
        "--format",
        "json",
    ]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "backviz", *command[1:]]
    times = []
    for _ in range(10):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    probe = (
        "import sys, contextlib, io\n"
        "from backviz.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['solve', 'exercises/seed-222.toml', '--format', 'json'])\n"
        "    except SystemExit: pass\n"
        "print(','.join(m for m in ('torch', 'sympy') if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return statistics.median(times), [m for m in loaded.split(",") if m]


def main() -> None:
    torch.set_num_threads(torch.get_num_threads())
    exercise = mlp_exercise()
    # same numbers first: the benchmark compares equal work
    ours, theirs = backviz_step(exercise), torch_step(exercise)
    assert abs(ours - theirs) <= 1e-10 * abs(theirs), (ours, theirs)
    for _ in range(3):  # warm-up
        backviz_step(exercise)
        torch_step(exercise)
    backviz_times, torch_times = [], []
    for _ in range(REPEATS):  # interleaved, so both see the same machine load
        backviz_times.append(timed(backviz_step, exercise))
        torch_times.append(timed(torch_step, exercise))
    b, t = statistics.median(backviz_times), statistics.median(torch_times)

    tracemalloc.start()
    trace = engine.run(exercise)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    record = trace.steps[0]
    kept = sum(
        a.nbytes
        for group in (
            record.forward.z,
            record.forward.a,
            record.backward.dE_da,
            record.backward.delta,
            record.backward.grad_W,
            record.W_new,
            record.after.z,
            record.after.a,
        )
        for a in group
    )

    latency, loaded = cli_latency()
    print(f"engine: one training step, MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float64")
    print(f"  {'':28s} {'median':>10s}")
    print(f"  {'backviz (full trace kept)':28s} {b * 1e3:8.2f} ms")
    print(f"  {'torch.autograd + optim':28s} {t * 1e3:8.2f} ms")
    print(f"  ratio backviz / torch: {b / t:.2f}x (target <= 1.2x)")
    print(
        f"  peak memory of backviz's step (tracemalloc): {peak / 2**20:.1f} MiB; "
        f"trace arrays kept: {kept / 2**20:.1f} MiB"
    )
    print("latency: backviz solve exercises/seed-222.toml --format json")
    print(f"  median wall time of 10 runs: {latency:.3f} s (target <= 0.3 s)")
    print(f"  torch/sympy imported on that path: {', '.join(loaded) or 'neither'}")


if __name__ == "__main__":
    main()
