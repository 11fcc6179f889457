"""Plots (matplotlib) where looking beats reading: the loss over the steps, and the size of δ per
layer over training — the vanishing-gradient lesson (sigmoid against relu on the notes'
2-10-10-10-1 XOR network)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from .fonts import plot_fonts
from .words import word

if TYPE_CHECKING:
    from ..core.trace import Trace

__all__ = ["WHAT", "delta_sizes", "plot"]

WHAT = ("loss", "deltas")


def delta_sizes(trace: Trace) -> np.ndarray:
    """mean |δ⁽ˡ⁾| over samples and nodes: (steps, non-input layers)."""
    return np.array(
        [
            [float(np.mean(np.abs(d))) for d in record.backward.delta]
            for record in trace.steps
            if record.backward is not None
        ]
    )


def plot(trace: Trace, what: str, *, fmt: str = "png", lang: str = "en") -> bytes:
    """The figure as `fmt` bytes (png, svg or pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # DejaVu Sans first: NanumGothic has no minus sign (−) for the tick labels
    with plt.rc_context({"font.family": plot_fonts(lang)}):
        return _figure(plt, trace, what, fmt, lang)


def _figure(plt: Any, trace: Trace, what: str, fmt: str, lang: str) -> bytes:
    """The figure drawn and saved (inside the plot's own font settings)."""
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=120)
    title = trace.exercise.title_in(lang)
    steps = np.arange(1, len(trace.steps) + 1)
    if what == "loss":
        losses = [r.forward.loss for r in trace.steps]
        axes.plot(steps, losses, marker="o" if len(steps) <= 30 else None, label="E")
        last = trace.steps[-1].after
        if last is not None and last.loss is not None:
            axes.plot([len(steps) + 1], [last.loss], marker="s", linestyle="", label="E⁺")
        axes.set_xlabel(word("plot_step", lang))
        axes.set_ylabel(word("plot_loss", lang))
        values = np.array([v for v in losses if v is not None])
        if len(values) and values.min() > 0 and values.max() / values.min() > 100:
            axes.set_yscale("log")
    else:
        sizes = delta_sizes(trace)
        layers = range(2, trace.n_layers + 1)
        if len(sizes) == 1:
            axes.bar([str(layer) for layer in layers], sizes[0], color="#3b6ea5")
            axes.set_xlabel(word("plot_layer", lang))
        else:
            for i, layer in enumerate(layers):
                axes.plot(
                    steps[: len(sizes)], sizes[:, i], label=word("plot_layer_n", lang, l=layer)
                )
            axes.set_xlabel(word("plot_step", lang))
            axes.legend()
        axes.set_yscale("log")
        axes.set_ylabel(word("plot_delta", lang))
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    plt.close(figure)
    return buffer.getvalue()
