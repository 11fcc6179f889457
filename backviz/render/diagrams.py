"""The diagram of any trace: the network drawing, or the computational graph of an expression.

Each kind of exercise has its drawing in `DRAWINGS` (keyed by `exercise.kind`): how it is
drawn, on which SVG elements a quantity lives (what the walkthrough highlights) and which
quantity each value text names (what the walkthrough reveals step by step). A new kind of
exercise adds one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.quantities import Kind
from ..errors import BackvizError, NameError_
from .diagram_numbers import DEFAULT_DECIMALS
from .highlight import Highlight, highlight_of

if TYPE_CHECKING:
    import graphviz

    from ..core.expression import ExpressionTrace
    from ..core.quantities import Ref
    from ..core.quantity_trace import QuantityTrace
    from ..core.trace import Trace

__all__ = [
    "DEFAULT_STAGE",
    "DRAWINGS",
    "Drawing",
    "ValueLabels",
    "diagram",
    "element_ids",
    "quantity_highlight",
    "resolve",
    "value_labels",
]


# Which quantity a value text `LABEL = value` names, in a node or on an edge of a drawing:
# ("node" | "edge", LABEL) → the quantity's name.
ValueLabels = dict[tuple[str, str], str]


@dataclass(frozen=True)
class Drawing:
    """How one kind of exercise is drawn (`draw` takes the options of `diagram`); `labels`
    gives its `ValueLabels` at a step and sample; `paths` the elements a term read by an
    equation stands for besides its own (none, or an expression's ∂f/∂g: every path g → f)."""

    draw: Callable[..., graphviz.Digraph]
    element_ids: Callable[[Any, Ref], list[str]]
    labels: Callable[[Any, int, int], ValueLabels]
    paths: Callable[[Any, Ref], list[str]]


def _draw_network(
    trace: Trace,
    *,
    stage: str,
    highlight: str | None,
    lang: str,
    step: int,
    sample: int,
    decimals: int,
    blank: bool,
    view: str,
    fontsize: float,
) -> graphviz.Digraph:
    from .network_diagram import network_diagram

    if step > len(trace.steps):
        raise BackvizError(f"--step {step}: the exercise has {len(trace.steps)} step(s)")
    if sample > trace.exercise.n_samples:
        raise BackvizError(
            f"--sample {sample}: the exercise has {trace.exercise.n_samples} sample(s)"
        )
    target = resolve(trace, highlight, step=step, sample=sample) if highlight else None
    return network_diagram(
        trace,
        stage=stage,
        step=step,
        sample=sample,
        highlight=quantity_highlight(trace, target) if target else None,
        lang=lang,
        decimals=decimals,
        blank=blank,
        view=view,
        fontsize=fontsize,
    )


def _draw_expression(
    trace: ExpressionTrace,
    *,
    stage: str,
    highlight: str | None,
    lang: str,
    decimals: int,
    blank: bool,
    **_: object,
) -> graphviz.Digraph:
    """An expression is drawn whole by default: every value, gradient and local derivative."""
    from .expression_graph import expression_graph

    target = quantity_highlight(trace, trace.ref(highlight)) if highlight else None
    return expression_graph(
        trace, stage=stage, highlight=target, lang=lang, decimals=decimals, blank=blank
    )


def _network_ids(trace: Trace, ref: Ref) -> list[str]:
    from .network_diagram import element_ids as ids

    return ids(trace, ref)


def _expression_ids(trace: ExpressionTrace, ref: Ref) -> list[str]:
    from .expression_graph import element_ids as ids

    return ids(trace, ref)


def _no_paths(trace: QuantityTrace, ref: Ref) -> list[str]:
    """A network's trace writes each path of a sum as a quantity of its own (∂E_o1/∂h1)."""
    return []


def _expression_paths(trace: ExpressionTrace, ref: Ref) -> list[str]:
    """∂f/∂g, read by a chain-rule step, is the sum over every path from g to f."""
    from .expression_graph import path_ids

    return path_ids(trace, ref.label[0]) if ref.kind is Kind.GRAD else []


def _network_labels(trace: Trace, step: int, sample: int) -> ValueLabels:
    """Every quantity of the step and sample, as the drawing writes it (`z1 = …`, `W5⁺ = …`):
    one label names one quantity in the drawing of a step and a sample."""
    labels: ValueLabels = {}
    for ref in trace.refs():
        if ref.step in (None, step) and ref.sample in (None, sample):
            label, name = trace.symbol(ref, step=step).text, trace.name(ref)
            labels[("node", label)] = labels[("edge", label)] = name
    return labels


def _expression_labels(trace: ExpressionTrace, step: int, sample: int) -> ValueLabels:
    """A record holds `w = …` and `∂f/∂w = …`, an edge the local `∂g/∂w = …`."""
    labels: ValueLabels = {}
    for ref in trace.refs():
        if ref.kind is Kind.LOCAL_GRAD:
            node, source = ref.label
            labels[("edge", f"∂{node}/∂{source}")] = trace.name(ref)
        else:
            labels[("node", trace.symbol(ref).text)] = trace.name(ref)
    return labels


DEFAULT_STAGE = {"network": "forward", "expression": "all"}
DRAWINGS = {
    "network": Drawing(_draw_network, _network_ids, _network_labels, _no_paths),
    "expression": Drawing(_draw_expression, _expression_ids, _expression_labels, _expression_paths),
}


def diagram(
    trace: QuantityTrace,
    *,
    stage: str | None = None,
    highlight: str | None = None,
    lang: str = "en",
    step: int = 1,
    sample: int = 1,
    decimals: int = DEFAULT_DECIMALS,
    blank: bool = False,
    view: str = "auto",
    fontsize: float = 10,
) -> graphviz.Digraph:
    """A `graphviz.Digraph` of the trace. `stage` defaults to "forward" for a network and
    "all" for an expression; step, sample, `view` (labels on the edges, or matrices) and
    `fontsize` apply to networks; `blank` writes only the given numbers and leaves an empty box
    for each computed one; `highlight` names a quantity to show with what its equation reads."""
    return DRAWINGS[trace.exercise.kind].draw(
        trace,
        stage=stage or DEFAULT_STAGE[trace.exercise.kind],
        highlight=highlight,
        lang=lang,
        step=step,
        sample=sample,
        decimals=decimals,
        blank=blank,
        view=view,
        fontsize=fontsize,
    )


def element_ids(trace: QuantityTrace, ref: Ref) -> list[str]:
    """The ids of the SVG elements (in `diagram`'s drawing) that the quantity lives on."""
    return DRAWINGS[trace.exercise.kind].element_ids(trace, ref)


def quantity_highlight(trace: QuantityTrace, ref: Ref) -> Highlight:
    """What highlighting `ref` shows in `diagram`'s drawing (`highlight.highlight_of`): the
    same for `draw --highlight` and the walkthrough."""
    drawing = DRAWINGS[trace.exercise.kind]
    return highlight_of(trace, ref, drawing.element_ids, drawing.paths)


def value_labels(trace: QuantityTrace, *, step: int = 1, sample: int = 1) -> ValueLabels:
    """Which quantity each value text of `diagram`'s drawing at a step and sample names."""
    return DRAWINGS[trace.exercise.kind].labels(trace, step, sample)


def resolve(trace: QuantityTrace, name: str, *, step: int, sample: int) -> Ref:
    """The quantity `name` names, read at the drawn step and sample when it leaves them out
    (W1 in a 3-step exercise is W1@step; z1 with several samples is z1[sample])."""
    candidates = [name, f"{name}@{step}", f"{name}[{sample}]", f"{name}[{sample}]@{step}"]
    for candidate in candidates:
        try:
            return trace.ref(candidate)
        except NameError_:
            continue
    return trace.ref(name)  # raises the usual message
