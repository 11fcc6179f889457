"""Drawing time: every stage of the notes' 2-2-2 example to SVG, and the walkthrough page.

Target: all four stages in ≤ 1 s in all. The rival is Graphviz itself: the same DOT sources
laid out by `dot -Tsvg` alone, so the ratio is what building the graphs in Python adds.

Run: .venv/bin/python benchmarks/diagrams.py
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

import backviz
from backviz.render.diagrams import diagram
from backviz.render.drawing import render_graph
from backviz.render.walkthrough import walkthrough_page

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("forward", "backward", "update", "all")
RUNS = 5


def main() -> None:
    trace = backviz.solve(ROOT / "exercises" / "seed-222.toml")
    ours, rival, pages = [], [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        sources = []
        for stage in STAGES:
            graph = diagram(trace, stage=stage)
            render_graph(graph, "svg")
            sources.append(graph.source)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for source in sources:
            subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True)
        rival.append(time.perf_counter() - start)
        start = time.perf_counter()
        walkthrough_page(trace)
        pages.append(time.perf_counter() - start)
    b, r = statistics.median(ours), statistics.median(rival)
    print("diagrams: every stage of seed-222 to SVG (median of 5)")
    print(f"  backviz draw, 4 stages      {b:.3f} s  (target <= 1 s)")
    print(f"  dot -Tsvg alone, same DOT   {r:.3f} s")
    print(f"  ratio backviz / dot: {b / r:.2f}x")
    print(f"  walkthrough page (its diagram inside, 54 slides): {statistics.median(pages):.3f} s")


if __name__ == "__main__":
    main()
