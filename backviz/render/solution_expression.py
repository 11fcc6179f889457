"""The sections of an expression exercise's worked solution: the values, then the gradients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.mathexpr import Num
from ..core.quantities import Kind, Ref
from .document import Document
from .equations import add_equation
from .words import word

if TYPE_CHECKING:
    from ..core.expression import ExpressionTrace

__all__ = ["expression_sections"]


def expression_sections(document: Document, trace: ExpressionTrace) -> None:
    lang = document.lang
    given = [
        (trace.symbol(Ref(Kind.NODE, label=(name,))), Num(value, given=True))
        for name, value in trace.exercise.inputs.items()
    ]
    document.values(word("given", lang), given)
    document.heading(word("expression_forward", lang))
    refs = list(trace.refs())
    for ref in refs:
        if ref.kind is Kind.NODE:
            add_equation(document, trace, ref)
    document.heading(word("expression_backward", lang))
    for ref in refs:
        if ref.kind is not Kind.NODE:
            add_equation(document, trace, ref)
