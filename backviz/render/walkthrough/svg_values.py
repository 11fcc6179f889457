"""A diagram's SVG made ready for the walkthrough: every value text named by its quantity.

Graphviz writes `z1 = 0.08000000` as one `<text>`; here it becomes
`<text class="q" id="value_z1" data-q="z1">z1 = <tspan class="v">0.08000000</tspan></text>`, so
the page can leave the number blank until its step (the label stays) and colour it when a
formula reads it. Which quantity a label names comes from the drawing
(`diagrams.value_labels`). Graphviz's tooltips (the node ids) and comments are dropped, and
the fixed size gives way to the page's zoom.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape, unescape

__all__ = ["mark_values", "value_id"]

# A node's or an edge's group (which says where the texts after it are), a text, or what
# the page does not want (a tooltip, a comment)
_TOKEN = re.compile(
    r'<g id="[^"]*" class="(?P<scope>[a-z]+)">'
    r"|<text(?P<attrs>[^>]*)>(?P<content>[^<]*)</text>"
    r"|<title>[^<]*</title>\n?|<!--.*?-->\n?",
    re.S,
)
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')


def value_id(name: str) -> str:
    """The id of a quantity's value text: value_z1, value_dE_dW5, value_W5_new (for W5+)."""
    return "value_" + re.sub(r"[^A-Za-z0-9]+", "_", name.replace("+", "_new")).strip("_")


def mark_values(svg: str, labels: Mapping[tuple[str, str], str]) -> tuple[str, list[str]]:
    """The SVG with each `LABEL = value` text that `labels` knows named by its quantity, and
    the names found, in order. A quantity written twice (∂E/∂o1 in o1 and on its loss edge)
    has ids value_dE_do1 and value_dE_do1_2."""
    scope = "graph"
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        nonlocal scope
        if match["scope"]:
            scope = match["scope"]
            return match[0]
        if match["content"] is None:
            return ""  # a tooltip or a comment
        label, equals, value = unescape(match["content"]).partition(" = ")
        name = labels.get((scope, label)) if equals else None
        if name is None:
            return match[0]
        ident = value_id(name)
        if name in found:
            ident += f"_{found.count(name) + 1}"
        found.append(name)
        return (
            f'<text{match["attrs"]} class="q" id="{ident}" data-q="{escape(name)}">'
            f'{escape(label, quote=False)} = <tspan class="v">{escape(value, quote=False)}'
            "</tspan></text>"
        )

    marked = _TOKEN.sub(replace, svg[svg.index("<svg") :])
    return _SIZE.sub('<svg class="drawing"', marked, count=1), list(dict.fromkeys(found))
