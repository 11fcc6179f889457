"""The optional `[ask]` and `[code]` sections: what the answer sheet asks, and the code asked for.

Mistake ids in `[ask] mistake_credit` are checked against `core.engine.MISTAKE_IDS` (and
`LOOP_MISTAKE_IDS`, a training loop's own).
"""

from __future__ import annotations

from typing import Any

from ..engine import LOOP_MISTAKE_IDS, MISTAKE_IDS
from ..exercise import ASK_KINDS, Ask, CodeSpec, Training
from .fields import Reader, describe

__all__ = ["ASK_KEYS", "CODE_KEYS", "CONTRACTS", "read_ask", "read_code"]

CODE_KEYS = ("function", "contract", "cases", "modules", "wall_seconds")
CONTRACTS = ("backward", "train")
"""What the function does: one step's every number (backward), or k steps' weights (train)."""


def read_code(reader: Reader, data: dict, training: Training) -> CodeSpec | None:
    """The optional `[code]` table: the function students write, and how it is tried."""
    table = reader.table(data, "code", required=False)
    if table is None:
        return None
    reader.known_keys(table, CODE_KEYS, "code.")
    if training.steps < 1:
        raise reader.error("training.steps", "at least 1 step for a coding exercise", "0")
    fields: dict[str, Any] = {}
    if "contract" in table:
        fields["contract"] = reader.choice(table["contract"], "code.contract", CONTRACTS)
        fields["function"] = fields["contract"]  # the function's name, unless given
    if "function" in table:
        name = reader.string(table["function"], "code.function")
        if not name.isidentifier():
            raise reader.error("code.function", "a Python function name", repr(name))
        fields["function"] = name
    if "cases" in table:
        fields["cases"] = reader.integer(table["cases"], "code.cases", minimum=0)
    if "modules" in table:
        modules = table["modules"]
        if not isinstance(modules, list):
            raise reader.error(
                "code.modules", 'a list such as ["numpy", "torch"]', describe(modules)
            )
        fields["modules"] = tuple(
            reader.choice(m, f"code.modules[{i}]", ("numpy", "torch"))
            for i, m in enumerate(modules)
        )
    if "wall_seconds" in table:
        fields["wall_seconds"] = reader.number(
            table["wall_seconds"], "code.wall_seconds", positive=True
        )
    return CodeSpec(**fields)


ASK_KEYS = (
    "kinds",
    "names",
    "steps",
    "marks",
    "carried_credit",
    "mistake_credit",
    "significant",
    "imprecise_credit",
)


def read_ask(reader: Reader, data: dict, training: Training) -> Ask:
    """The optional `[ask]` table: what the answer sheet asks and the marks."""
    table = reader.table(data, "ask", required=False)
    if table is None:
        return Ask()
    reader.known_keys(table, ASK_KEYS, "ask.")
    fields: dict[str, Any] = {}
    if "kinds" in table:
        kinds = table["kinds"]
        if not isinstance(kinds, list) or not kinds:
            raise reader.error("ask.kinds", f"a list of: {', '.join(ASK_KINDS)}", describe(kinds))
        fields["kinds"] = tuple(
            reader.choice(kind, f"ask.kinds[{i}]", ASK_KINDS) for i, kind in enumerate(kinds)
        )
    if "names" in table:
        names = table["names"]
        if not isinstance(names, list) or not names:
            raise reader.error(
                "ask.names", 'a list of quantity names, e.g. ["dE/dW5", "W5+"]', describe(names)
            )
        fields["names"] = tuple(reader.string(n, f"ask.names[{i}]") for i, n in enumerate(names))
    if "steps" in table:
        steps = table["steps"]
        if not isinstance(steps, list) or not steps:
            raise reader.error("ask.steps", "a list of step numbers, e.g. [1]", describe(steps))
        fields["steps"] = tuple(
            reader.integer(n, f"ask.steps[{i}]", minimum=1) for i, n in enumerate(steps)
        )
        for i, n in enumerate(fields["steps"]):
            if n > max(training.steps, 1):
                raise reader.error(f"ask.steps[{i}]", f"a step from 1 to {training.steps}", str(n))
    for key in ("marks", "mistake_credit"):
        if key in table:
            raw = table[key]
            if not isinstance(raw, dict):
                raise reader.error(f"ask.{key}", "a table of name = number", describe(raw))
            fields[key] = {
                str(name): reader.number(v, f"ask.{key}.{name}", minimum=0)
                for name, v in raw.items()
            }
    for name in fields.get("mistake_credit", {}):
        reader.choice(name, f"ask.mistake_credit.{name}", (*MISTAKE_IDS, *LOOP_MISTAKE_IDS))
    for key in ("carried_credit", "imprecise_credit"):
        if key in table:
            fields[key] = reader.number(table[key], f"ask.{key}", minimum=0)
    if "significant" in table:
        fields["significant"] = reader.integer(table["significant"], "ask.significant", minimum=1)
    return Ask(**fields)
