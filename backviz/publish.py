"""Writing a set of generated files: the `solutions/` folder and the demo's output folder.

Each exercise's worked solution in Markdown, English and Korean, generated from the exercise
file; `backviz solutions exercises -o solutions` rewrites them, and the test suite fails when a
committed file differs from what the current code generates. Both folders keep the record of
what backviz wrote in them (`files.Written`): a later run replaces or deletes only that.
"""

from __future__ import annotations

from pathlib import Path

from .core.api import trace_of
from .core.loading import load
from .errors import BackvizError
from .files import Written, folder_lock, write_atomic
from .render import render_solution

__all__ = ["DEMO_FILES", "solution_files", "write_demo", "write_solutions"]

LANGS = ("en", "ko")


def solution_files(exercise_path: Path) -> dict[str, str | bytes]:
    """File name → content of one exercise's generated files: the worked solution in Markdown
    (e.g. seed-222.en.md, seed-222.ko.md), the diagram of every stage (seed-222.svg) and the
    walkthrough page (seed-222.walkthrough.html)."""
    from .render.diagrams import diagram
    from .render.drawing import render_graph
    from .render.walkthrough import walkthrough_page

    exercise = load(exercise_path)
    trace = trace_of(exercise)
    files: dict[str, str | bytes] = {
        f"{exercise.id}.{lang}.md": render_solution(trace, "md", lang=lang) for lang in LANGS
    }
    files[f"{exercise.id}.svg"] = render_graph(diagram(trace, stage="all"), "svg")
    files[f"{exercise.id}.walkthrough.html"] = walkthrough_page(trace)
    return files


def write_solutions(exercises: Path, out: Path) -> list[Path]:
    """Every exercise's solutions into `out`. Of what `out` holds already, only the files an
    earlier run wrote there are replaced, and those no exercise generates any more deleted
    (`files.Written`): anything else in it (notes, a syllabus, a logo) is left alone."""
    if not exercises.is_dir():
        raise BackvizError(
            f"{exercises}: no such folder; give the folder of exercise files "
            "(backviz solutions EXERCISES -o OUT)"
        )
    contents: dict[str, str | bytes] = {}
    made_by: dict[str, Path] = {}
    for path in sorted(exercises.glob("*.toml")):
        for name, content in solution_files(path).items():
            if name in made_by:
                raise BackvizError(
                    f"{path}: writes {name} as {made_by[name]} does; give each exercise its own id"
                )
            contents[name], made_by[name] = content, path
    if not contents:
        raise BackvizError(f"{exercises}: no exercise files (*.toml) in this folder")
    _write_files(out, contents)
    return [out / name for name in contents]


def _write_files(out: Path, contents: dict[str, str | bytes]) -> None:
    """`contents` into `out`, each file atomically, by the one rule of `files.Written`: what
    an earlier run wrote there and this one does not is deleted, nothing else."""
    with folder_lock(out):
        written = Written.read(out).claim(contents)
        for name, content in contents.items():
            write_atomic(out / name, content)
        written.settle(contents)


DEMO_FILES = (
    "solution.en.md",
    "solution.ko.md",
    "solution.html",
    "solution.tex",
    "answer-key.csv",
    "trace.json",
    "network-forward.svg",
    "network-backward.svg",
    "network-update.svg",
    "network-all.svg",
    "walkthrough.html",
    "handout.html",
)


def write_demo(exercise_path: Path, out: Path) -> list[Path]:
    """The demo's files: the worked solution (md en/ko, html, LaTeX), answer key, JSON, the
    diagram of each stage, the walkthrough page and the students' problem sheet (HTML)."""
    from .core.export import to_csv, to_json
    from .grading.handout import handout_files, handouts
    from .render.diagrams import diagram
    from .render.drawing import render_graph
    from .render.walkthrough import walkthrough_page

    trace = trace_of(load(exercise_path))
    contents: dict[str, str | bytes] = {
        "solution.en.md": render_solution(trace, "md", lang="en"),
        "solution.ko.md": render_solution(trace, "md", lang="ko"),
        "solution.html": render_solution(trace, "html", lang="en"),
        "solution.tex": render_solution(trace, "latex", lang="en"),
        "answer-key.csv": to_csv(trace),
        "trace.json": to_json(trace),
        "walkthrough.html": walkthrough_page(trace),
    }
    (sheet,) = handouts(exercise_path)
    contents["handout.html"] = handout_files(sheet, "html")[f"{sheet.stem}.html"]
    for stage in ("forward", "backward", "update", "all"):
        contents[f"network-{stage}.svg"] = render_graph(diagram(trace, stage=stage), "svg")
    _write_files(out, {name: contents[name] for name in DEMO_FILES})
    return [out / name for name in DEMO_FILES]
