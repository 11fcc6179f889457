"""Write every output backviz makes for the project's exercises into one folder, so that two
versions of the code can be compared byte for byte (`diff -r before/ after/`).

    python tools/snapshot.py OUT

Covers: `solve` in every format and language, `draw` of every stage (with highlights),
`walkthrough`, `template`, `check`, `solutions`, `demo`, Jupyter's display bundles, a class of
answer sheets graded in English and Korean (with diagrams; right, rounded, mistaken, carried,
broken and foreign sheets), a variants folder and its class, and a class of code submissions.
Run it before a change that must not alter the output, and after; then compare the folders.
"""

from __future__ import annotations

import json
import shutil
import sys
import traceback
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted((ROOT / "exercises").glob("*.toml"))
OUT = Path()  # the snapshot's folder, set by main()
HIGHLIGHTS = {"seed-222": ["W1", "dE/dh1", "delta_o1", "z3"], "chain-rule": ["df/dw", "g"]}


def cli(out: Path, name: str, *args: str) -> None:
    """Run one command in-process; keep what it printed (stdout, stderr) and its exit status."""
    from backviz.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    text = f"exit {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    if result.exc_info and result.exit_code not in (0, 1, 2, 3):
        text += "".join(traceback.format_exception(*result.exc_info)[-1:])
    # snapshots made in different folders, or from different checkouts, compare equal
    text = text.replace(str(OUT), "<OUT>").replace(str(ROOT), "<ROOT>")
    (out / f"{name}.out").write_text(text, encoding="utf-8")


def solve_all(out: Path) -> None:
    for path in EXERCISES:
        folder = out / "solve" / path.stem
        folder.mkdir(parents=True)
        for fmt in ("text", "md", "latex", "html", "json", "csv"):
            for lang in ("en", "ko"):
                cli(folder, f"{fmt}.{lang}", "solve", path, "--format", fmt, "--lang", lang)
        cli(folder, "text.d3", "solve", path, "--decimals", "3")
        for name in HIGHLIGHTS.get(path.stem, []):
            safe = name.replace("/", "_")
            cli(folder, f"only-{safe}", "solve", path, "--only", name)
            cli(folder, f"only-{safe}.md", "solve", path, "--only", name, "--format", "md")
        cli(folder, "template", "template", path, "--student", "s01")


def draw_all(out: Path) -> None:
    for path in EXERCISES:
        folder = out / "draw" / path.stem
        folder.mkdir(parents=True)
        for stage in ("forward", "backward", "update", "all"):
            for fmt in ("svg", "dot"):
                target = folder / f"{stage}.{fmt}"
                cli(folder, f"{stage}.{fmt}", "draw", path, "--stage", stage, "-o", target)
        cli(folder, "all.ko.svg", "draw", path, "--lang", "ko", "-o", folder / "all.ko.svg")
        for name in HIGHLIGHTS.get(path.stem, []):
            safe = name.replace("/", "_")
            target = folder / f"highlight-{safe}.svg"
            cli(folder, f"highlight-{safe}", "draw", path, "--highlight", name, "-o", target)
        for lang in ("en", "ko"):
            page = folder / f"walkthrough.{lang}.html"
            cli(folder, f"walkthrough.{lang}", "walkthrough", path, "-o", page, "--lang", lang)


def check_all(out: Path) -> None:
    folder = out / "check"
    folder.mkdir()
    for path in EXERCISES:
        cli(folder, path.stem, "check", path)


def notebook(out: Path) -> None:
    import backviz
    from backviz.render.solution import worked_solution

    folder = out / "jupyter"
    folder.mkdir()
    shown = {
        "exercise-seed-222": backviz.load(ROOT / "exercises/seed-222.toml"),
        "exercise-chain-rule": backviz.load(ROOT / "exercises/chain-rule.toml"),
        "trace-seed-222": backviz.solve(ROOT / "exercises/seed-222.toml"),
        "trace-chain-rule": backviz.solve(ROOT / "exercises/chain-rule.toml"),
        "solution-ko": worked_solution(backviz.solve(ROOT / "exercises/seed-222.toml"), lang="ko"),
    }
    for name, thing in shown.items():
        bundle = thing._repr_mimebundle_()
        for mime, data in sorted(bundle.items()):
            suffix = mime.replace("/", "_").replace("+", "_")
            blob = data if isinstance(data, bytes) else str(data).encode("utf-8")
            (folder / f"{name}.{suffix}").write_bytes(blob)


def sheets(folder: Path) -> None:
    """A class of seed-222 answer sheets: every way a sheet can be right, wrong or broken."""
    import backviz
    from backviz.core.engine import Mistakes, run

    folder.mkdir(parents=True)
    exercise = backviz.load(ROOT / "exercises/seed-222.toml")
    right = dict(run(exercise).items())
    asked = [line.split(",")[0] for line in template(exercise).splitlines()[6:]]

    def write(student: str, values: dict[str, str], suffix: str = ".csv") -> None:
        rows = "\n".join(f"{q},{values.get(q, '')}" for q in asked)
        (folder / f"{student}{suffix}").write_text(
            f"quantity,value\nstudent,{student}\n{rows}\n", encoding="utf-8"
        )

    for decimals in (1, 2, 3, 4, 6, 8, 12):
        write(f"round-{decimals}", {q: f"{right[q]:.{decimals}f}" for q in asked})
    write("zeros", dict.fromkeys(asked, "0"))
    write("blank", {})
    write("truncated", {q: str(int(right[q] * 1e4) / 1e4) for q in asked})
    switches = [name for name, f in Mistakes.__dataclass_fields__.items() if f.type == "bool"]
    for field in switches:
        mistaken = dict(run(exercise, mistakes=Mistakes(**{field: True})).items())
        write(f"mistake-{field}", {q: f"{mistaken.get(q, 0):.8f}" for q in asked})
    slipped = {q: f"{right[q]:.8f}" for q in asked}
    slipped["h1"] = "0.52998934"
    write("early-slip", slipped)
    shutil.copy(ROOT / "examples/notes-answers.csv", folder / "notes.csv")
    (folder / "binary.csv").write_bytes(b"\x00\x01\x02garbage")
    (folder / "empty.csv").write_text("", encoding="utf-8")
    (folder / "unknown.csv").write_text("quantity,value\nstudent,u\nzz9,1\n", encoding="utf-8")
    (folder / "cp949.csv").write_bytes(
        "quantity,value\n학번,김민준\nz1,0.08\nh1,0.52\n".encode("cp949")
    )
    (folder / "toml-sheet.toml").write_text(
        'student = "t1"\nz1 = 0.08\n"dE/dW5" = 0.0259\n', encoding="utf-8"
    )
    (folder / "json-sheet.json").write_text(
        json.dumps({"student": "j1", "z1": 0.08, "W5+": 0.437}), encoding="utf-8"
    )
    (folder / "text-sheet.txt").write_text("student = x1\nz1 = 0.08\nh1 = 52%\n", encoding="utf-8")


def template(exercise: object) -> str:
    from backviz.core.api import trace_of
    from backviz.grading.template import answer_sheet

    return answer_sheet(trace_of(exercise))  # type: ignore[arg-type]


def grade_all(out: Path) -> None:
    folder = out / "grade"
    folder.mkdir()
    work = out.parent / f"{out.name}-work"
    shutil.rmtree(work, ignore_errors=True)
    sheets(work / "sheets")
    seed = ROOT / "exercises/seed-222.toml"
    for lang in ("en", "ko"):
        reports = folder / f"class.{lang}"
        cli(
            folder,
            f"class.{lang}",
            "grade",
            seed,
            work / "sheets",
            "--out",
            reports,
            "--lang",
            lang,
        )
    cli(folder, "notes-check", "check-answers", seed, ROOT / "examples/notes-answers.csv")
    roster = work / "roster.csv"
    roster.write_text("student\ns01\ns02\n김민준\n", encoding="utf-8")
    variants = folder / "variants"
    cli(folder, "variants", "variants", seed, "--roster", roster, "--out", variants)
    (work / "vsheets").mkdir()
    for key in sorted((variants / "keys").glob("*.csv")):
        lines = key.read_text(encoding="utf-8").splitlines()
        student = key.stem
        body = "\n".join(lines[1:])
        (work / "vsheets" / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\n{body}\n", encoding="utf-8"
        )
    cli(folder, "variants-class", "grade", variants, work / "vsheets", "--out", folder / "vclass")
    code = ROOT / "exercises/code-xor-221.toml"
    submissions = sorted((ROOT / "tests/data/code").glob("*.py"))
    (work / "code").mkdir()
    for path in submissions:
        if path.stem != "loops":
            shutil.copy(path, work / "code" / path.name)
    secret = "5eed" * 8  # the random cases of a fixed run, so two snapshots compare
    args = ("grade", code, work / "code", "--out", folder / "code-class", "--secret", secret)
    cli(folder, "code-class", *args)
    record = folder / "code-class" / "record.json"
    if record.exists():  # when it was made differs from run to run
        data = json.loads(record.read_text(encoding="utf-8"))
        data.pop("graded_at", None)
        record.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    cli(folder, "code-template", "template", code)
    shutil.rmtree(work)


def publishing(out: Path) -> None:
    cli(out, "solutions", "solutions", ROOT / "exercises", "-o", out / "solutions")
    for lang in ("en", "ko"):
        cli(out, f"demo.{lang}", "demo", "-o", out / f"demo.{lang}", "--lang", lang)
    helps = out / "help"
    helps.mkdir()
    cli(helps, "main", "--help")
    for command in (
        "solve",
        "demo",
        "solutions",
        "draw",
        "walkthrough",
        "plot",
        "template",
        "grade",
        "check-answers",
        "variants",
        "check",
    ):
        cli(helps, command, command, "--help")


def main() -> None:
    global OUT
    out = OUT = Path(sys.argv[1]).resolve()
    if out.exists():
        sys.exit(f"snapshot: {out} exists; give a new folder")
    out.mkdir(parents=True)
    for part in (solve_all, draw_all, notebook, grade_all, publishing, check_all):
        print(f"snapshot: {part.__name__}", file=sys.stderr)
        part(out)


if __name__ == "__main__":
    main()
