"""Turning a `graphviz.Digraph` into a file with Graphviz's `dot`, or saying how to get `dot`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DependencyError
from ..files import write_atomic

if TYPE_CHECKING:
    import graphviz

__all__ = ["FORMATS", "INSTALL_DOT", "render_graph", "write_graph"]

FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_DOT = (
    "Graphviz's dot is not installed. Install it: Debian/Ubuntu `sudo apt-get install graphviz`, "
    "macOS `brew install graphviz`, conda `conda install -c conda-forge graphviz`, Windows the "
    "installer from graphviz.org (and add its bin folder to PATH)."
)


def render_graph(graph: graphviz.Digraph, fmt: str, *, dpi: int | None = None) -> bytes:
    """The graph as `fmt` bytes (dot source for "dot"); `dpi` sets a PNG's pixels per inch
    (Graphviz's own default is 96)."""
    if fmt == "png" and dpi is not None:
        graph = graph.copy()
        graph.attr(dpi=str(dpi))
    if fmt == "dot":
        return graph.source.encode("utf-8")
    if shutil.which("dot") is None:
        raise DependencyError(INSTALL_DOT)
    return graph.pipe(format=fmt, engine="dot")


def write_graph(
    graph: graphviz.Digraph, fmt: str, out: Path, *, dpi: int | None = None
) -> list[Path]:
    """Write the graph to `out` (a PNG at `dpi`); without `dot`, write the .dot source beside
    it and say how to get dot (DependencyError, exit status 3)."""
    try:
        data = render_graph(graph, fmt, dpi=dpi)
    except DependencyError:
        source = out.with_suffix(".dot")
        write_atomic(source, graph.source)
        raise DependencyError(
            f"{INSTALL_DOT} The Graphviz source was written to {source}."
        ) from None
    write_atomic(out, data)
    return [out]
