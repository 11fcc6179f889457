"""The `server.py` of a PrairieLearn question that `backviz export prairielearn` writes (copied
verbatim): it runs in PrairieLearn's own Python, where backviz is not installed.

`generate` picks the variant from the question's bank (`bank.json`, written by the export: each
variant's marking spec and what its page shows) with PrairieLearn's variant seed; `parse`
reads what the student typed as backviz reads numbers (an answer backviz cannot read is a
format error, which PrairieLearn shows and does not grade); `grade` applies backviz's rules of
marks to the digits typed (`raw_submitted_answers`) — `backviz_marking.py`, beside this file, is
backviz's own `grading/marking.py`, pinned to `backviz grade`'s verdicts — and gives each field
its share of the marks, its verdict and its feedback.
"""

import importlib.util
import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def _bank() -> dict:
    return json.loads((HERE / "bank.json").read_text(encoding="utf-8"))


@cache
def _marking():
    """backviz's rules of marks, loaded from this question's own copy (by path: another
    question's copy, of another backviz version, is never taken for it)."""
    spec = importlib.util.spec_from_file_location("backviz_marking", HERE / "backviz_marking.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _variant(data: dict) -> dict:
    """The variant this PrairieLearn variant was generated with, by its name in the bank (an
    export made again with other variants cannot grade it with another's numbers)."""
    name = data["params"]["variant_name"]
    for variant in _bank()["variants"]:
        if variant["name"] == name:
            return variant
    raise LookupError(
        f"variant '{name}' is no longer in bank.json (exported again with other variants): "
        "this variant cannot be graded; start a new variant of the question"
    )


def generate(data: dict) -> None:
    """This variant's numbers: the bank's entry the variant seed picks."""
    variants = _bank()["variants"]
    k = int(data["variant_seed"]) % len(variants)
    data["params"]["variant"] = k
    data["params"]["variant_name"] = variants[k]["name"]
    data["params"].update(variants[k]["params"])
    values = {q["name"]: q["value"] for q in variants[k]["spec"]["asked"]}
    for key, name in _bank()["fields"]:
        data["correct_answers"][key] = values[name]


def parse(data: dict) -> None:
    """Each field read as backviz reads numbers (0.5, .5, 5e-1, 1/2, 50%, ≈0.5, −0.5, 0,5):
    what it reads is no format error, even where the input element did not read it."""
    for key, _ in _bank()["fields"]:
        raw = data["raw_submitted_answers"].get(key)
        text = "" if raw is None else str(raw).strip()
        if not text:
            data["format_errors"].pop(key, None)  # a blank is a missing answer, graded 0
            continue
        answer = _marking().parse_number(text, decimal_comma=True)
        if answer.value is None:
            data["format_errors"][key] = f"{text}: {answer.problem}"
        else:
            data["format_errors"].pop(key, None)
            data["submitted_answers"][key] = answer.value


def grade(data: dict) -> None:
    """backviz's verdict for every field, from the digits the student typed: the field's share
    of its marks as its score (weighted by its marks), the verdict and why as its feedback."""
    bank = _bank()
    spec = _variant(data)["spec"]
    names = dict(bank["fields"])
    answers = {name: data["raw_submitted_answers"].get(key) for key, name in names.items()}
    result = _marking().grade(spec, answers, bank["lang"])
    marks = {q["name"]: q["marks"] for q in spec["asked"]}
    for key, name in names.items():
        verdict = result["verdicts"][name]
        label = bank["labels"].get(verdict["verdict"].split(":")[0], verdict["verdict"])
        feedback = f"{label}: {verdict['detail']}" if verdict["detail"] else label
        data["partial_scores"][key] = {
            "score": verdict["marks"] / marks[name] if marks[name] else 0.0,
            "weight": marks[name],
            "feedback": feedback,
            "verdict": verdict["verdict"],
        }
    data["score"] = result["total"] / result["max"] if result["max"] else 0.0
