"""A plain listing of every quantity and its value, in computing order, with stage headings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..notation import format_number
from ..quantities import Kind, Ref
from ..trace import Trace

if TYPE_CHECKING:
    from ..expression import ExpressionTrace

__all__ = ["listing"]

_STAGE = {
    Kind.INPUT: "given",
    Kind.TARGET: "given",
    Kind.WEIGHT: "weights",
    Kind.BIAS: "weights",
    Kind.Z: "forward",
    Kind.A: "forward",
    Kind.LOSS_TERM: "loss",
    Kind.SAMPLE_LOSS: "loss",
    Kind.LOSS: "loss",
    Kind.DE_DA: "backward",
    Kind.DE_DA_TERM: "backward",
    Kind.DA_DZ: "backward",
    Kind.DELTA: "backward",
    Kind.GRAD_W: "backward",
    Kind.GRAD_B: "backward",
    Kind.STATE: "update",
    Kind.UPDATE_W: "update",
    Kind.UPDATE_B: "update",
    Kind.NODE: "forward",
    Kind.LOCAL_GRAD: "backward",
    Kind.GRAD: "backward",
}


def _stage(ref: Ref) -> str:
    stage = _STAGE[ref.kind]
    if ref.after:
        return "after the update"
    if stage in ("backward", "update") and ref.layer is not None:
        return f"{stage}, layer {ref.layer}"
    return stage


def _sections(trace: Trace | ExpressionTrace) -> Iterator[tuple[str, list[tuple[str, float]]]]:
    current: tuple[int | None, str] | None = None
    rows: list[tuple[str, float]] = []
    for ref in trace.refs():
        key = (ref.step, _stage(ref))
        if key != current and rows:
            assert current is not None
            yield _heading(trace, current), rows
            rows = []
        current = key
        rows.append((trace.name(ref), trace.value(ref)))
    if rows and current is not None:
        yield _heading(trace, current), rows


def _heading(trace: Trace | ExpressionTrace, key: tuple[int | None, str]) -> str:
    step, stage = key
    if isinstance(trace, Trace) and step is not None and len(trace.steps) > 1:
        return f"step {step}: {stage}"
    return stage


def listing(trace: Trace | ExpressionTrace, *, decimals: int = 8) -> str:
    """Every quantity as `name = value` under headings (given, forward, loss, backward, …)."""
    lines = [f"{trace.exercise.id}: {trace.exercise.title.get('en', trace.exercise.id)}"]
    for heading, rows in _sections(trace):
        width = max(len(name) for name, _ in rows)
        lines.append("")
        lines.append(f"[{heading}]")
        lines.extend(
            f"  {name.ljust(width)} = {format_number(value, decimals)}" for name, value in rows
        )
    return "\n".join(lines) + "\n"
