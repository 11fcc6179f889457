"""The fonts of diagrams and plots, per language: one sans-serif, and real math symbols.

NanumGothic, the Hangul font, draws ∂ as a tiny raised glyph (∂E/∂a reads like ᵊE/ᵊa) and has
no minus sign (−). So Korean text is set in a list of fonts: DejaVu Sans first, for the Latin
letters, digits and math symbols (∂, −, δ, σ, ⊙, ⁺), then NanumGothic for the Hangul DejaVu
lacks. Graphviz passes the list to Pango, which takes each character from the first font
that has it, and writes it into SVG as a CSS `font-family` list, which browsers read the
same way; matplotlib falls back along `font.family` the same way.
"""

from __future__ import annotations

__all__ = ["DIAGRAM_FONTS", "PLOT_FONTS", "diagram_font", "plot_fonts"]

DIAGRAM_FONTS: dict[str, str] = {"en": "Helvetica", "ko": "DejaVu Sans,NanumGothic"}
"""Graphviz's `fontname` of every diagram (a comma-separated list: Pango's fallback order)."""

PLOT_FONTS: dict[str, list[str]] = {"en": ["DejaVu Sans"], "ko": ["DejaVu Sans", "NanumGothic"]}
"""matplotlib's `font.family` of every plot, in fallback order."""


def diagram_font(lang: str) -> str:
    """The `fontname` of a diagram's title, nodes and edges in `lang`."""
    return DIAGRAM_FONTS.get(lang, DIAGRAM_FONTS["en"])


def plot_fonts(lang: str) -> list[str]:
    """The `font.family` list of a plot in `lang`."""
    return PLOT_FONTS.get(lang, PLOT_FONTS["en"])
