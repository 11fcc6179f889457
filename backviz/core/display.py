"""Notebook display, composed from above: the core's objects show themselves in Jupyter through
functions that a higher floor registers (`render/jupyter.py`, registered by `backviz/__init__`).

The core never imports the display: `Displayable._repr_mimebundle_` looks up the function
registered for the object's class, so drawing and typesetting stay above the core, as the
graphviz package composes its Jupyter integration into its classes from the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Bundle", "Displayable", "Shown", "register_display"]

Bundle = dict[str, Any]  # MIME type → data
# What a display returns: the bundle, or (bundle, metadata) — metadata by MIME type, as
# IPython's `_repr_mimebundle_` allows (e.g. {"image/png": {"unconfined": True}})
Shown = Bundle | tuple[Bundle, Bundle]
_SHOW: dict[type, Callable[[Any], Shown]] = {}


def register_display(cls: type, show: Callable[[Any], Shown]) -> None:
    """Show instances of `cls` (and its subclasses) in a notebook with `show(obj)`, returning
    a bundle or (bundle, metadata)."""
    _SHOW[cls] = show


class Displayable:
    """A core object that a notebook displays with the function registered for its class."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> Shown:
        """Jupyter: what the registered display makes of this object (plain text without one)."""
        for cls in type(self).__mro__:
            if cls in _SHOW:
                return _SHOW[cls](self)
        return {"text/plain": repr(self)}
