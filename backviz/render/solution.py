"""The worked solution of an exercise: every quantity as name = formula = numbers = value.

A `Document` of headings, paragraphs and equations (`equations.py` makes each equation from the
trace); each kind of exercise has its sections in `SECTIONS` (keyed by `exercise.kind`): a new
kind of exercise adds one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.notation import format_given
from .document import Document
from .equations import equation
from .solution_expression import expression_sections
from .solution_network import DETAILED_STEPS, MAX_DETAILED, network_sections

if TYPE_CHECKING:
    from ..core.quantity_trace import QuantityTrace

__all__ = ["DETAILED_STEPS", "MAX_DETAILED", "SECTIONS", "equation", "worked_solution"]

SECTIONS: dict[str, Callable[[Document, Any], None]] = {
    "network": network_sections,
    "expression": expression_sections,
}


def worked_solution(
    trace: QuantityTrace, *, lang: str = "en", decimals: int = 8, only: str | None = None
) -> Document:
    """The whole worked solution, the exercise's description under its title (or, with `only`,
    the one quantity named and its chain)."""
    title = trace.exercise.title_in(lang)
    document = Document(title, lang, decimals)
    document.heading(title, 1)
    if only is not None:
        ref = trace.ref(only)
        found = equation(trace, ref)
        if found is None:
            document.paragraph(f"{trace.name(ref)} = {format_given(trace.value(ref))}")
        else:
            document.equation(found)
        return document
    for paragraph in trace.exercise.description_in(lang):  # what the exercise is about
        document.paragraph(paragraph)
    SECTIONS[trace.exercise.kind](document, trace)
    return document
