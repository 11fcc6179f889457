"""Notebook display, composed from above: the core's objects show themselves in Jupyter through
functions that a higher floor registers (`render/jupyter.py`, registered by `backviz/__init__`).

The core never imports the display: `Displayable._repr_mimebundle_` looks up the function
registered for the object's class, so drawing and typesetting stay above the core, as the
graphviz package composes its Jupyter integration into its classes from the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Displayable", "register_display"]

Bundle = dict[str, Any]
_SHOW: dict[type, Callable[[Any], Bundle]] = {}


def register_display(cls: type, show: Callable[[Any], Bundle]) -> None:
    """Show instances of `cls` (and its subclasses) in a notebook with `show(obj) -> bundle`."""
    _SHOW[cls] = show


class Displayable:
    """A core object that a notebook displays with the function registered for its class."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> Bundle:
        """Jupyter: what the registered display makes of this object (plain text without one)."""
        for cls in type(self).__mro__:
            if cls in _SHOW:
                return _SHOW[cls](self)
        return {"text/plain": repr(self)}
