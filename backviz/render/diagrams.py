"""The diagram of any trace: the network drawing, or the computational graph of an expression."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import BackvizError

if TYPE_CHECKING:
    import graphviz

    from ..core.expression import ExpressionTrace
    from ..core.quantities import Ref
    from ..core.trace import Trace

__all__ = ["diagram", "resolve"]


def diagram(
    trace: Trace | ExpressionTrace,
    *,
    stage: str = "forward",
    highlight: str | None = None,
    lang: str = "en",
    step: int = 1,
    sample: int = 1,
    decimals: int = 8,
) -> graphviz.Digraph:
    """A `graphviz.Digraph` of the trace (stage, step and sample apply to networks)."""
    from ..core.trace import Trace

    if not isinstance(trace, Trace):
        from .expression_graph import expression_graph

        return expression_graph(trace, highlight=highlight, lang=lang)
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
        highlight=target,
        lang=lang,
        decimals=decimals,
    )


def resolve(trace: Trace, name: str, *, step: int, sample: int) -> Ref:
    """The quantity `name` names, read at the drawn step and sample when it leaves them out
    (W1 in a 3-step exercise is W1@step; z1 with several samples is z1[sample])."""
    from ..errors import NameError_

    candidates = [name, f"{name}@{step}", f"{name}[{sample}]", f"{name}[{sample}]@{step}"]
    for candidate in candidates:
        try:
            return trace.ref(candidate)
        except NameError_:
            continue
    return trace.ref(name)  # raises the usual message
