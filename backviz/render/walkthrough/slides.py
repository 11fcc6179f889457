"""The walkthrough's slides: one per equation of the worked solution, in its order.

Each slide knows its quantity, the section it is in, the step and sample it belongs to and so
the diagram it is shown with (a quantity the same for every sample, ∂E/∂W of a batch, is shown
with the diagram of the sample before it). `revealed_at` says from which slide a quantity's
value may be shown: a given number from the start, a computed one from its own slide, a
number carried over (W5 of step 2 is W5⁺ of step 1) from the slide of what it copies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..document import Document, Equation, Heading
from ..words import word

if TYPE_CHECKING:
    from ...core.quantities import Ref
    from ...core.quantity_trace import QuantityTrace

__all__ = ["GIVEN", "NavEntry", "Slide", "revealed_at", "slides_of"]

GIVEN = -1  # revealed before the first slide


@dataclass(frozen=True)
class Slide:
    """One equation of the worked solution, with where it sits."""

    ref: Ref
    equation: Equation
    section: str  # the solution's heading: "Backward pass, output layer 3"
    step: int
    sample: int | None  # None: the same for every sample (∂E/∂W of a batch, E)
    diagram: tuple[int, int]  # the (step, sample) whose diagram is shown


@dataclass(frozen=True)
class NavEntry:
    """A line of the step list: a heading (slide None) or a slide's quantity."""

    text: str
    slide: int | None = None


def _plain_headings(trace: QuantityTrace, lang: str) -> set[str]:
    """Headings that only say the step, the sample or the whole batch: the slide says them
    itself."""
    samples = getattr(trace.exercise, "n_samples", 1)
    steps = {word("step", lang, s=s) for s in range(1, trace.n_steps + 1)}
    samples_of = {word("sample", lang, n=n) for n in range(1, samples + 1)}
    return steps | samples_of | {word("batch", lang)}


def slides_of(trace: QuantityTrace, document: Document) -> tuple[list[Slide], list[NavEntry]]:
    """The slides of a worked solution, and the step list (headings with slides under them)."""
    plain = _plain_headings(trace, document.lang)
    slides: list[Slide] = []
    nav: list[tuple[int, NavEntry]] = []  # (heading level, entry); 99 for a slide
    section, shown_sample = "", 1
    for block in document.blocks:
        if isinstance(block, Heading) and block.level > 1:
            nav.append((block.level, NavEntry(block.text)))
            if block.text not in plain:
                section = block.text
        elif isinstance(block, Equation):
            ref = trace.ref(block.name)
            step = ref.step or 1
            shown_sample = ref.sample or shown_sample
            slide = Slide(ref, block, section, step, ref.sample, (step, shown_sample))
            nav.append((99, NavEntry(block.lhs.text, len(slides))))
            slides.append(slide)
    return slides, _without_empty_headings(nav)


def _without_empty_headings(nav: list[tuple[int, NavEntry]]) -> list[NavEntry]:
    """Drop headings with no slide under them ("Given", whose numbers are on the diagram)."""
    kept: list[NavEntry] = []
    for i, (level, entry) in enumerate(nav):
        if entry.slide is None:
            following = (lv for lv, _ in nav[i + 1 :] if lv == 99 or lv <= level)
            if next(following, 0) != 99:
                continue
        kept.append(entry)
    return kept


def revealed_at(trace: QuantityTrace, slides: list[Slide], names: Iterable[str]) -> dict[str, int]:
    """From which slide each named quantity's value is shown (`GIVEN` for given numbers)."""
    own = {slide.equation.name: i for i, slide in enumerate(slides)}
    seen: dict[Ref, int] = {}

    def at(ref: Ref) -> int:
        if ref not in seen:
            name = trace.name(ref)
            if name in own:
                seen[ref] = own[name]
            else:  # given, or a copy of what its formula reads
                seen[ref] = max((at(r) for r in trace.inputs(ref)), default=GIVEN)
        return seen[ref]

    return {name: at(trace.ref(name)) for name in names}
