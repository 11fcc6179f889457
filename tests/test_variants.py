"""Per-student variants: reproducible from (exercise, student), numbers for hand work, and a
class graded against each student's own variant.

The variants' right answers are computed here by torch.autograd in float64 from each variant's
TOML (read with tomllib), independently of backviz.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from backviz.cli import main
from tests.test_grading import (
    ASKED_222,
    SEED,
    read_csv,
    sequential,
    template_sheet,
    torch_reference,
    written,
)

STUDENTS = ["20261234", "김민준", "s-03", "lee.j"]


def make_variants(tmp: Path, name: str = "variants") -> Path:
    roster = tmp / "roster.csv"
    if not roster.exists():
        roster.write_text("학번,이름\n" + "".join(f"{s},x\n" for s in STUDENTS), encoding="cp949")
    out = tmp / name
    result = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def variant_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def test_variants_are_reproducible_and_each_students_own(tmp_path: Path) -> None:
    one, two = make_variants(tmp_path, "one"), make_variants(tmp_path, "two")
    files = variant_files(one)
    assert len(files) == len(STUDENTS)
    weights = set()
    for path in files:
        assert path.read_bytes() == (two / path.name).read_bytes()  # the same numbers again
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        weights.add(str(spec["parameters"]["W"]))
        keys = one / "keys" / f"{path.stem}.csv"
        assert keys.read_bytes() == (two / "keys" / keys.name).read_bytes()
    assert len(weights) == len(STUDENTS)  # every student has numbers of their own


def test_variant_numbers_are_for_hand_work(tmp_path: Path) -> None:
    """One or two decimals; no saturated sigmoid (|z| ≤ 2.5); no gradient that vanishes or
    rounds to zero at 8 decimals — checked with torch on each variant."""
    for path in variant_files(make_variants(tmp_path)):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        numbers = [
            *_flat(spec["parameters"]["W"]),
            *_flat(spec["data"]["inputs"]),
            *_flat(spec["data"]["targets"]),
        ]
        assert all(round(x, 2) == x for x in numbers), path.name
        values = torch_reference(path)
        zs = [v for k, v in values.items() if k.startswith("z(")]
        grads = [v for k, v in values.items() if k.startswith("dE/dW")]
        assert zs and max(map(abs, zs)) <= 2.5, path.name
        assert grads and min(map(abs, grads)) >= 1e-5, path.name


def _flat(value: object) -> list[float]:
    if isinstance(value, list):
        return [x for item in value for x in _flat(item)]
    return [float(value)]  # type: ignore[arg-type]


def test_a_class_is_graded_against_each_students_own_variant(tmp_path: Path) -> None:
    folder = make_variants(tmp_path)
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for path in variant_files(folder):
        own_id = tomllib.loads(path.read_text(encoding="utf-8"))["student"]
        values = {sequential(k): v for k, v in torch_reference(path).items()}
        answers = {k: v for k, v in written(values).items() if k in ASKED_222}
        assert len(answers) == len(ASKED_222)
        (sheets / f"{path.stem}.csv").write_text(template_sheet(own_id, answers))
    (sheets / "stranger.csv").write_text(template_sheet("stranger", {"z1": "0.1"}))

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(folder), str(sheets), "--out", str(out)])
    assert result.exit_code == 0, result.output
    grades = {row[0]: row for row in read_csv(out / "grades.csv")[1:]}
    assert len(grades) == len(STUDENTS) + 1
    for path in variant_files(folder):
        row = grades[path.stem]
        assert row[1] == row[2] == str(len(ASKED_222)), row  # every answer right
    assert grades["stranger"][1] == "0"
    feedback = (out / "feedback" / "stranger.md").read_text(encoding="utf-8")
    assert "no variant for student 'stranger'" in feedback

    # the same sheets against the exercise everyone was not given: mostly wrong
    base = tmp_path / "base"
    result = CliRunner().invoke(main, ["grade", str(SEED), str(sheets), "--out", str(base)])
    assert result.exit_code == 0, result.output
    for row in read_csv(base / "grades.csv")[1:]:
        assert float(row[1]) < len(ASKED_222) / 2, row


def test_the_variants_roster_names_who_handed_nothing_in(tmp_path: Path) -> None:
    """The roster the variants were made from, given to `grade`: a student with no sheet gets
    their row (every verdict missing, 0 marks) with their own variant's expected numbers."""
    folder = make_variants(tmp_path)
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    first, absent = variant_files(folder)[:2]
    (sheets / "first.csv").write_text(
        template_sheet(tomllib.loads(first.read_text(encoding="utf-8"))["student"], {"z1": "0"})
    )
    out = tmp_path / "out"
    roster = tmp_path / "roster.csv"
    result = CliRunner().invoke(
        main, ["grade", str(folder), str(sheets), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(STUDENTS) - 1} student(s) on roster.csv handed nothing in" in result.output
    rows = [row for row in read_csv(out / "verdicts.csv")[1:] if row[0] == absent.stem]
    assert [row[2] for row in rows] == ["missing"] * len(ASKED_222)
    expected = {sequential(k): v for k, v in torch_reference(absent).items()}
    assert [float(row[4]) for row in rows] == pytest.approx([expected[q] for q in ASKED_222])
    feedback = (out / "feedback" / f"{absent.stem}.md").read_text(encoding="utf-8")
    assert "- no sheet handed in" in feedback and "no variant" not in feedback


@pytest.mark.parametrize(
    ("roster", "message"),
    [
        ("student\ns1\ns2\ns1\n", "expected each student once, found s1 twice"),
        ("\n\n", "expected a roster with one student id per row, found none"),
    ],
)
def test_a_bad_roster_is_refused_clearly(tmp_path: Path, roster: str, message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(roster)
    result = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(path), "--out", str(tmp_path / "v")]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "v").exists() or not any((tmp_path / "v").iterdir())


def test_a_roster_of_plain_ids_without_a_header(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="") as stream:
        csv.writer(stream).writerows([["a1"], ["a2"]])
    result = CliRunner().invoke(
        main, ["variants", str(SEED), "--roster", str(roster), "--out", str(tmp_path / "v")]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in variant_files(tmp_path / "v")] == ["a1.toml", "a2.toml"]


def test_variants_never_replace_a_file_backviz_did_not_write(tmp_path: Path) -> None:
    """A teacher's own file where a variant or a key would go is refused before anything is
    written; files beside them are left alone; a second run replaces only its own files."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    out = tmp_path / "variants"
    (out / "keys").mkdir(parents=True)
    (out / "s02.toml").write_text("# the teacher's own s02\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "keys" / "mine.csv").write_text("a,b\n", encoding="utf-8")
    args = ["variants", str(SEED), "--roster", str(roster), "--out", str(out)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    assert "s02.toml" in refused.output and "never replaced" in refused.output
    assert (out / "s02.toml").read_text(encoding="utf-8") == "# the teacher's own s02\n"
    assert not (out / "s01.toml").exists() and not (out / "keys" / "s01.csv").exists()
    (out / "s02.toml").unlink()
    (out / "keys" / "s01.csv").write_text("the teacher's key\n", encoding="utf-8")
    refused = CliRunner().invoke(main, args)  # a key of the teacher's where one would go
    assert refused.exit_code == 2 and "s01.csv" in refused.output
    assert not (out / "s01.toml").exists()
    (out / "keys" / "s01.csv").unlink()
    for _ in range(2):  # and again over its own files
        done = CliRunner().invoke(main, args)
        assert done.exit_code == 0, done.output
    assert {p.name for p in out.glob("*.toml")} == {"s01.toml", "s02.toml"}
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (out / "keys" / "mine.csv").read_text(encoding="utf-8") == "a,b\n"
    assert {p.name for p in (out / "keys").glob("s0*.csv")} == {"s01.csv", "s02.csv"}


def test_a_variant_never_repeats_what_its_exercise_says_of_its_own_numbers(tmp_path: Path) -> None:
    """mazur-222's description quotes the blog's figures (0.291027924 …): true of its numbers,
    false of a variant's, so a student reading their variant must not be told them."""
    exercise = SEED.parent / "mazur-222.toml"
    figure = "0.291027924"
    assert figure in exercise.read_text(encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("id\ns1\n", encoding="utf-8")
    out = tmp_path / "variants"
    result = CliRunner().invoke(
        main, ["variants", str(exercise), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (variant,) = variant_files(out)
    spec = tomllib.loads(variant.read_text(encoding="utf-8"))
    assert figure not in variant.read_text(encoding="utf-8")
    assert "mazur-222" in spec["description"]["en"] and "mazur-222" in spec["description"]["ko"]
    assert spec["title"] == tomllib.loads(exercise.read_text(encoding="utf-8"))["title"]
    args = ["handout", str(variant), "-o", str(tmp_path / "sheets"), "--format", "md"]
    sheet = CliRunner().invoke(main, args)
    assert sheet.exit_code == 0, sheet.output
    (page,) = (tmp_path / "sheets").glob("*.md")
    assert figure not in page.read_text(encoding="utf-8")
    assert "A variant of exercise mazur-222" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["code-train-sgd", "code-train-adam"])
def test_a_training_loop_has_variants_that_show_grad_never_zeroed(
    tmp_path: Path, name: str
) -> None:
    """A training-loop exercise gets variants: `.grad never zeroed`, which changes nothing at
    step 1 whatever the numbers, does not fail every draw; from step 2 on each variant shows
    it: its step 2 changes the weights by other amounts than the right step (by over 0.1 %)."""
    from backviz.core.engine import run
    from backviz.core.loading import load
    from backviz.grading.mistakes import applicable

    roster = tmp_path / "roster.csv"
    roster.write_text("student\ns01\ns02\n", encoding="utf-8")
    exercise = Path(__file__).resolve().parent.parent / "exercises" / f"{name}.toml"
    out = tmp_path / "v"
    result = CliRunner().invoke(
        main, ["variants", str(exercise), "--roster", str(roster), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(variant_files(out)) == 2
    for path in variant_files(out):
        variant = load(path)
        (mistake,) = [m for m in applicable(variant) if m.id == "gradients-accumulated"]
        made, right = run(variant, mistake.mistakes).steps, run(variant).steps
        assert all(
            (a == b).all() for a, b in zip(made[0].W_new, right[0].W_new, strict=True)
        )  # step 1: nothing held over
        change = [b - w for b, w in zip(right[1].W_new, right[1].W, strict=True)]
        off = [a - b for a, b in zip(made[1].W_new, right[1].W_new, strict=True)]
        assert any(abs(o).max() > 1e-3 * abs(c).max() for o, c in zip(off, change, strict=True))
