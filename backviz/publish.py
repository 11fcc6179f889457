"""Writing a set of generated files: the `solutions/` folder and the demo's output folder.

Each exercise's worked solution in Markdown, English and Korean, generated from the exercise
file; `backviz solutions exercises -o solutions` rewrites them, and the test suite fails when a
committed file differs from what the current code generates.
"""

from __future__ import annotations

from pathlib import Path

from .api import trace_of
from .files import write_atomic
from .loading import load
from .render import render_solution

__all__ = ["DEMO_FILES", "solution_files", "write_demo", "write_solutions"]

LANGS = ("en", "ko")


def solution_files(exercise_path: Path) -> dict[str, str]:
    """File name → content of one exercise's generated solutions (e.g. seed-222.en.md)."""
    exercise = load(exercise_path)
    trace = trace_of(exercise)
    return {f"{exercise.id}.{lang}.md": render_solution(trace, "md", lang=lang) for lang in LANGS}


def write_solutions(exercises: Path, out: Path) -> list[Path]:
    """Every exercise's solutions into `out`; files no exercise generates any more are removed."""
    written: list[Path] = []
    for path in sorted(exercises.glob("*.toml")):
        for name, content in solution_files(path).items():
            target = out / name
            write_atomic(target, content)
            written.append(target)
    for stale in out.glob("*.md"):
        if stale not in written and stale.name != "README.md":
            stale.unlink()
    return written


DEMO_FILES = (
    "solution.en.md",
    "solution.ko.md",
    "solution.html",
    "solution.tex",
    "answer-key.csv",
    "trace.json",
)


def write_demo(exercise_path: Path, out: Path) -> list[Path]:
    """The demo's files: the worked solution (md en/ko, html, LaTeX), answer key and JSON."""
    from .export import to_csv, to_json

    trace = trace_of(load(exercise_path))
    contents = {
        "solution.en.md": render_solution(trace, "md", lang="en"),
        "solution.ko.md": render_solution(trace, "md", lang="ko"),
        "solution.html": render_solution(trace, "html", lang="en"),
        "solution.tex": render_solution(trace, "latex", lang="en"),
        "answer-key.csv": to_csv(trace),
        "trace.json": to_json(trace),
    }
    paths = []
    for name in DEMO_FILES:
        write_atomic(out / name, contents[name])
        paths.append(out / name)
    return paths
