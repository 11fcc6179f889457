"""`backviz export prairielearn`: the question folder is what PrairieLearn reads (info.json valid
against PrairieLearn's published schema, one pl-number-input per asked quantity, the diagram as
a client file), and its server.py — run in a Python where neither backviz nor numpy can be
imported, called as PrairieLearn calls it — gives `backviz grade`'s verdicts and marks on the
shared corpus of sheets (tests/test_marking_js.py), for one exercise and for a bank of variants.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import uuid
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import backviz
from backviz.cli import main
from backviz.core.notation import format_number
from backviz.grading.verdicts import ClassGrader
from tests.conftest import EXERCISES
from tests.test_marking_js import CORPUS, graded_corpus, worked

SCHEMA = Path(__file__).parent / "data" / "prairielearn" / "infoQuestion.json"

# Calls the exported question as PrairieLearn's Python worker does (apps/prairielearn/python/
# zygote.py: the question folder first on sys.path, cwd there, server.py's functions called
# with the data dict), in `python -I -S`: no site-packages, no environment, so neither backviz
# nor numpy is importable — as in a course without backviz installed.
RUNNER = r"""
import importlib, json, os, sys
folder = sys.argv[1]
sys.path.insert(0, folder)
os.chdir(folder)
for name in ("backviz", "numpy"):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
    else:
        raise SystemExit(f"{name} is importable: the test would prove nothing")
import server

def element_parse(data, key, text):
    # pl-number-input's own parse (elements/pl-number-input), before server.py's: blank is
    # allowed (blank-value ""), a float it reads is the submitted answer, else a format error
    data["raw_submitted_answers"][key] = text
    if text.strip() == "":
        data["submitted_answers"][key] = ""
        return
    try:
        data["submitted_answers"][key] = float(text)
    except ValueError:
        data["submitted_answers"][key] = None
        data["format_errors"][key] = "Invalid format."

job = json.load(sys.stdin)
out = {}
for student, (seed, typed) in job.items():
    data = {"params": {}, "correct_answers": {}, "submitted_answers": {},
            "raw_submitted_answers": {}, "format_errors": {}, "partial_scores": {},
            "score": 0, "feedback": {}, "variant_seed": seed, "options": {}}
    server.generate(data)
    for key, text in typed.items():
        element_parse(data, key, text)
    server.parse(data)
    errors = sorted(data["format_errors"])
    server.grade(data)  # PrairieLearn grades only when there are no errors; graded anyway here
    out[student] = {"errors": errors, "partial_scores": data["partial_scores"],
                    "score": data["score"], "params": data["params"],
                    "correct_answers": data["correct_answers"]}
json.dump(out, sys.stdout)
"""


def run_question(folder: Path, job: dict[str, tuple[int, dict[str, str]]]) -> dict:
    """Each (variant seed, typed answers by field) through generate, parse and grade."""
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(folder)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def export(source: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(source), "-o", str(out), *args]
    )
    assert result.exit_code == 0, result.output


def fields(folder: Path) -> dict[str, str]:
    """Quantity name → the field (answers-name) of it."""
    bank = json.loads((folder / "bank.json").read_text(encoding="utf-8"))
    return {name: key for key, name in bank["fields"]}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str, tag: str) -> list[dict[str, str | None]]:
    parser = _Elements()
    parser.feed(html)
    return [attrs for name, attrs in parser.found if name == tag]


@pytest.mark.parametrize("name", CORPUS)
def test_the_question_gives_the_graders_verdicts_without_backviz(name: str, tmp_path: Path) -> None:
    """generate → parse → grade in a Python without backviz: every field's verdict and marks
    are `backviz grade`'s, the score is its total over the marks possible, an answer backviz
    cannot read is a format error (not graded, as PrairieLearn does), and nothing else is."""
    shared = graded_corpus(name, tmp_path)
    folder = tmp_path / "questions" / name
    export(shared.exercise, folder)
    key = fields(folder)
    job = {
        student: (random.Random(student).getrandbits(32), {key[q]: t for q, t in sheet.items()})
        for student, sheet in shared.sheets.items()
    }
    answered = run_question(folder, job)
    most = sum(q.marks for q in shared.spec.asked)
    differ = []
    for student in shared.sheets:
        mine = answered[student]
        total = 0.0
        for q in shared.spec.asked:
            verdict, marks, _ = shared.graded[(student, q.name)]
            field = mine["partial_scores"][key[q.name]]
            assert field["weight"] == q.marks
            got = (field["verdict"], round(field["score"] * field["weight"], 9))
            if got != (verdict, round(marks, 9)):
                differ.append((student, q.name, shared.sheets[student].get(q.name), got, verdict))
            assert (key[q.name] in mine["errors"]) == (verdict == "unreadable"), (student, q.name)
            total += marks
        assert mine["score"] == pytest.approx(total / most, abs=1e-12)
    assert not differ, f"{len(differ)} differ, e.g. {differ[:5]}"
    verdicts = {v[0].split(":")[0] for v in shared.graded.values()}
    assert {"correct", "carried", "imprecise", "mistake", "wrong", "missing"} <= verdicts


def test_feedback_per_field_says_why(tmp_path: Path) -> None:
    """A slip in h1 used onward: h1 earns nothing and is wrong; z3, computed from it, is
    carried — the exercise's carried credit, the feedback naming the student's h1; a blank is
    missing; the right values go to PrairieLearn's correct_answers."""
    exercise = EXERCISES / "seed-222.toml"
    folder = tmp_path / "seed-222"
    export(exercise, folder)
    key = fields(folder)
    # the notes' numbers (seed 004): h1 = 0.51998934; written 0.6 and used onward by hand
    typed = {key["z1"]: "0.08", key["h1"]: "0.6", key["z2"]: "0.11", key["h2"]: "0.5275"}
    typed[key["z3"]] = "0.481"  # W5·h1 + W6·h2 from their own h1: 0.45·0.6 + 0.4·0.5275
    answered = run_question(folder, {"s": (7, typed)})["s"]
    scores = answered["partial_scores"]
    assert scores[key["z1"]]["score"] == 1.0 and scores[key["z1"]]["feedback"] == "correct"
    assert scores[key["h1"]]["verdict"] == "wrong" and scores[key["h1"]]["score"] == 0.0
    z3 = scores[key["z3"]]
    assert z3["verdict"] == "carried", z3
    bank = json.loads((folder / "bank.json").read_text(encoding="utf-8"))
    assert z3["score"] == bank["variants"][0]["spec"]["carried_credit"]  # [ask] carried_credit
    assert z3["feedback"] == "carried: from your h1 = 0.6"
    assert scores[key["o1"]]["verdict"] == "missing" and scores[key["o1"]]["score"] == 0.0
    assert answered["correct_answers"][key["h1"]] == pytest.approx(0.5199893401555818, abs=1e-15)


def test_info_json_is_valid_against_prairielearns_schema(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for lang in ("en", "ko"):
        folder = tmp_path / lang / "seed-222"
        export(EXERCISES / "seed-222.toml", folder, "--lang", lang)
        info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(info)
        assert info["type"] == "v3" and info["partialCredit"] is True and info["singleVariant"]
    broken = dict(info, type="v4")  # the schema is really checked
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_question_html_asks_every_quantity_and_gives_no_answer_away(tmp_path: Path) -> None:
    """One pl-number-input per asked quantity, in the sheet's order, the fields of bank.json;
    the diagram a client file; no asked value in the page, its parameters or the diagram."""
    exercise = EXERCISES / "seed-222.toml"
    folder = tmp_path / "seed-222"
    export(exercise, folder, "--lang", "ko")
    trace = backviz.solve(exercise)
    spec = ClassGrader(trace).spec
    html = (folder / "question.html").read_text(encoding="utf-8")
    inputs = elements(html, "pl-number-input")
    key = fields(folder)
    assert [i["answers-name"] for i in inputs] == [key[q.name] for q in spec.asked]
    assert all(i["allow-blank"] == "true" and i["blank-value"] == "" for i in inputs)
    bank = json.loads((folder / "bank.json").read_text(encoding="utf-8"))
    params = bank["variants"][0]["params"]
    assert "주어진 값" in params["statement"] or "입력" in params["statement"]
    (figure,) = elements(html, "pl-figure")
    assert figure["directory"] == "clientFilesQuestion"
    svg = (folder / "clientFilesQuestion" / params["diagram"]).read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:500]
    shown = html + json.dumps(params, ensure_ascii=False) + svg
    package = Path(backviz.__file__).parent  # the rules travel verbatim: one source
    assert (folder / "backviz_marking.py").read_bytes() == (
        package / "grading" / "marking.py"
    ).read_bytes()
    assert (folder / "server.py").read_bytes() == (
        package / "exports" / "prairielearn_server.py"
    ).read_bytes()
    for q in spec.asked:
        assert format_number(q.value) not in shown, q.name


def test_a_variants_bank_is_picked_by_the_variant_seed(tmp_path: Path) -> None:
    """A `backviz variants` folder: one bank entry per variant, the variant seed picks one
    (never a roster id), its diagram and right answers are its own; a worked sheet with a
    slip gets the verdicts `backviz grade` gives it against that variant."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\ns03\n", encoding="utf-8")
    variants = tmp_path / "variants"
    result = CliRunner().invoke(
        main,
        [
            "variants",
            str(EXERCISES / "seed-222.toml"),
            "--roster",
            str(roster),
            "--out",
            str(variants),
        ],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "questions" / "seed-222-variants"
    export(variants, folder)
    info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    assert info["singleVariant"] is False
    bank = json.loads((folder / "bank.json").read_text(encoding="utf-8"))
    assert len(bank["variants"]) == 3
    for path in [folder / "bank.json", *(folder / "clientFilesQuestion").iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert not any(s in text for s in ("s01", "s02", "s03")), path  # no roster id
    key = fields(folder)
    sheets_folder = tmp_path / "sheets"
    sheets_folder.mkdir()
    job = {}
    specs = {}
    for k, student in enumerate(["s01", "s02", "s03"]):
        trace = backviz.solve(variants / f"{student}.toml")
        spec = ClassGrader(trace).spec
        specs[student] = spec
        sheet = worked(spec, 4, spec.asked[3].name, random.Random(student))
        rows = "".join(f"{n},{t}\n" for n, t in sheet.items())
        (sheets_folder / f"{student}.csv").write_text(
            f"quantity,value\nstudent,{student}\n{rows}", encoding="utf-8"
        )
        seed = 3 * 1000 + k  # seed mod 3 = k
        job[student] = (seed, {key[n]: t for n, t in sheet.items()})
    answered = run_question(folder, job)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main, ["grade", str(variants), str(sheets_folder), "--out", str(out), "--no-diagrams"]
    )
    assert result.exit_code == 0, result.output
    with (out / "verdicts.csv").open(encoding="utf-8") as stream:
        graded = {(r["student"], r["quantity"]): r for r in csv.DictReader(stream)}
    kinds = set()
    for k, student in enumerate(["s01", "s02", "s03"]):
        mine = answered[student]
        assert mine["params"]["variant"] == k
        assert mine["params"]["variant_name"] == bank["variants"][k]["name"]
        assert mine["params"]["diagram"] == f"diagram-{bank['variants'][k]['name']}.svg"
        for q in specs[student].asked:
            assert mine["correct_answers"][key[q.name]] == q.value
            field = mine["partial_scores"][key[q.name]]
            row = graded[(student, q.name)]
            assert field["verdict"] == row["verdict"], (student, q.name)
            assert field["score"] * field["weight"] == pytest.approx(float(row["marks"]))
            kinds.add(row["verdict"])
    assert {"correct", "carried", "wrong"} <= kinds
    statements = {v["params"]["statement"] for v in bank["variants"]}
    assert len(statements) == 3  # each variant shows its own numbers


def test_export_again_keeps_the_uuid_and_never_replaces_a_teachers_file(tmp_path: Path) -> None:
    folder = tmp_path / "seed-222"
    export(EXERCISES / "seed-222.toml", folder)
    info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    (folder / "notes.md").write_text("my notes\n", encoding="utf-8")
    export(EXERCISES / "seed-222.toml", folder)
    again = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    assert again["uuid"] == info["uuid"]
    assert (folder / "notes.md").read_text(encoding="utf-8") == "my notes\n"
    other = tmp_path / "theirs"
    other.mkdir()
    (other / "server.py").write_text("# the teacher's own\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(EXERCISES / "seed-222.toml"), "-o", str(other)]
    )
    assert result.exit_code != 0
    assert "server.py" in result.output and "not written by backviz" in result.output
    assert "Traceback" not in result.output
    assert (other / "server.py").read_text(encoding="utf-8") == "# the teacher's own\n"
    assert not (other / "info.json").exists() and not (other / "clientFilesQuestion").exists()


@pytest.mark.parametrize(
    ("exercise", "says"),
    [("chain-rule.toml", "expression exercise"), ("code-train-sgd.toml", "allows torch")],
)
def test_what_it_cannot_export_is_said_in_one_line(
    exercise: str, says: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(EXERCISES / exercise), "-o", str(tmp_path / "q")]
    )
    assert result.exit_code != 0
    assert says in result.output and "Traceback" not in result.output
    assert not (tmp_path / "q").exists()


def test_the_digits_typed_are_judged_not_the_parsed_float(tmp_path: Path) -> None:
    """h1 = 0.51998934: "0.52" is right to the 2 decimals written, "0.520000" claims 6 and is
    off by 1.1e-5 — the same float to PrairieLearn's input element, not the same answer."""
    folder = tmp_path / "seed-222"
    export(EXERCISES / "seed-222.toml", folder)
    key = fields(folder)
    answered = run_question(
        folder,
        {
            "two": (1, {key["z1"]: "0.08", key["h1"]: "0.52"}),
            "six": (1, {key["z1"]: "0.08", key["h1"]: "0.520000"}),
        },
    )
    assert answered["two"]["partial_scores"][key["h1"]]["verdict"] == "correct"
    assert answered["six"]["partial_scores"][key["h1"]]["verdict"] == "wrong"


def test_every_export_is_a_question_of_its_own_uuid_kept_on_export_again(tmp_path: Path) -> None:
    """PrairieLearn's sync refuses two questions with one UUID: two courses (or two folders of
    one course) following the README get two UUIDs; the same folder exported again keeps its
    own, so the students' submissions stay attached to it."""
    made = []
    for course in ("course-a", "course-b"):
        folder = tmp_path / course / "questions" / "backprop" / "seed-222"
        export(EXERCISES / "seed-222.toml", folder)
        made.append(json.loads((folder / "info.json").read_text(encoding="utf-8"))["uuid"])
    other = tmp_path / "course-a" / "questions" / "backprop" / "seed-222-copy"
    export(EXERCISES / "seed-222.toml", other)
    made.append(json.loads((other / "info.json").read_text(encoding="utf-8"))["uuid"])
    assert len(set(made)) == 3
    assert all(uuid.UUID(u).version == 4 for u in made)
    folder = tmp_path / "course-a" / "questions" / "backprop" / "seed-222"
    export(EXERCISES / "seed-222.toml", folder)
    assert json.loads((folder / "info.json").read_text(encoding="utf-8"))["uuid"] == made[0]


def test_each_box_is_labelled_with_its_quantitys_name_typeset(tmp_path: Path) -> None:
    folder = tmp_path / "seed-222"
    export(EXERCISES / "seed-222.toml", folder)
    labels = {
        e["aria-label"]: e["label"]
        for e in elements((folder / "question.html").read_text(encoding="utf-8"), "pl-number-input")
    }
    assert labels["z1"] == "$z_{1} =$"
    assert labels["dE/do1"] == r"$\frac{\partial E}{\partial o_{1}} =$"


def test_a_file_the_teacher_edited_since_the_export_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "seed-222"
    export(EXERCISES / "seed-222.toml", folder)
    html = folder / "question.html"
    edited = html.read_text(encoding="utf-8").replace(
        "<pl-question-panel>", "<p>Hint!</p>\n<pl-question-panel>"
    )
    html.write_text(edited, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(EXERCISES / "seed-222.toml"), "-o", str(folder)]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"backviz: {html}: edited since backviz wrote it, so never replaced; move it away "
        "(keep your changes) or write to another folder"
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    html.rename(tmp_path / "my-question.html")  # as the message says: then it is written anew
    export(EXERCISES / "seed-222.toml", folder)
    assert "Hint!" not in html.read_text(encoding="utf-8")


def test_an_open_variant_keeps_its_own_drawing_when_other_variants_are_exported(
    tmp_path: Path,
) -> None:
    """A diagram is named by its variant's own numbers: exporting a different set of variants
    never gives a variant open in PrairieLearn another variant's picture."""
    first, second = tmp_path / "first", tmp_path / "second"
    for out, students in ((first, "s01\ns02\n"), (second, "s00\ns02\n")):
        roster = tmp_path / f"{out.name}.csv"
        roster.write_text(f"student\n{students}", encoding="utf-8")
        result = CliRunner().invoke(
            main,
            [
                "variants",
                str(EXERCISES / "seed-222.toml"),
                "--roster",
                str(roster),
                "--out",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
    folder = tmp_path / "questions" / "seed-222"
    export(first, folder)
    before = json.loads((folder / "bank.json").read_text(encoding="utf-8"))["variants"]
    pictures = {
        v["name"]: (folder / "clientFilesQuestion" / v["params"]["diagram"]).read_bytes()
        for v in before
    }
    export(second, folder)
    after = json.loads((folder / "bank.json").read_text(encoding="utf-8"))["variants"]
    common = {v["name"] for v in before} & {v["name"] for v in after}
    assert len(common) == 1  # s02's variant, in both
    for variant in after:
        picture = (folder / "clientFilesQuestion" / variant["params"]["diagram"]).read_bytes()
        if variant["name"] in common:
            assert picture == pictures[variant["name"]]
    names = [v["params"]["diagram"] for v in before + after]
    assert len(set(names)) == 3  # one file per variant, never a position


def test_a_refused_export_leaves_nothing_in_the_teachers_folder(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "server.py").write_text("# the teacher's own\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["export", "prairielearn", str(EXERCISES / "seed-222.toml"), "-o", str(theirs)]
    )
    assert result.exit_code == 2
    assert sorted(p.name for p in theirs.iterdir()) == ["server.py"]


def test_a_question_folder_inside_a_variants_folder_is_refused(tmp_path: Path) -> None:
    """The question would be written among the variants' answer keys (or be their folder)."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    variants = tmp_path / "variants"
    result = CliRunner().invoke(
        main,
        [
            "variants",
            str(EXERCISES / "seed-222.toml"),
            "--roster",
            str(roster),
            "--out",
            str(variants),
        ],
    )
    assert result.exit_code == 0, result.output
    listing = sorted(str(p.relative_to(variants)) for p in variants.rglob("*"))
    for source, out in (
        (variants, variants / "keys"),
        (variants, variants / "question"),
        (EXERCISES / "seed-222.toml", variants / "keys" / "q"),
    ):
        result = CliRunner().invoke(main, ["export", "prairielearn", str(source), "-o", str(out)])
        assert result.exit_code == 2, (source, out)
        assert result.output.strip().splitlines()[-1] == (
            f"backviz: -o {out}: is inside the variants folder {variants} (its exercises and "
            "keys/ answer keys); give a folder under your course's questions/ instead"
        )
    assert sorted(str(p.relative_to(variants)) for p in variants.rglob("*")) == listing
