"""Text sheets: `name = value` lines (also `name: value`, `name,value`, tab or `;`)."""

from __future__ import annotations

import io
import re

from .submission import Sheet, Submission

__all__ = ["read_lines", "read_txt"]


def read_txt(text: str, sheet: Sheet) -> list[Submission]:
    """Lines `name = value`, `name: value` or `name,value` (tab or `;` too)."""
    read_lines(text, sheet)
    return [sheet.submission()]


def read_lines(text: str, sheet: Sheet) -> None:
    """Fill `sheet` from `name = value` lines; `#` comments and `[section]` lines are skipped."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        stripped = re.sub(r"\s+#.*$", "", line.strip())  # a trailing "# comment"
        if not stripped or stripped.startswith("#") or re.fullmatch(r"\[.*\]", stripped):
            continue
        match = re.match(r"([^=:]*)[=:](.*)", stripped) or re.match(r"([^\t;]*)[\t;](.*)", stripped)
        if match is None and stripped.count(",") == 1:
            match = re.match(r"([^,]*),(.*)", stripped)
        if match is None:
            shown = stripped if len(stripped) <= 40 else stripped[:40] + "…"
            sheet.say("not_name_value", number, found=shown)
            continue
        sheet.entry(_unquote(match[1]), _unquote(match[2]), number)


def _unquote(text: str) -> str:
    """Text without surrounding spaces and one pair of matching quotes."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text
