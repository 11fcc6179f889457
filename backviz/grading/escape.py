"""What a student wrote, made safe for each kind of report: one function per output format.

Everything a sheet brings (an id, an answer, a quantity name, a file name, a message from a
student's code) reaches a report through exactly one of these. `csv_cell` (with `read_csv`
undoing it) for grades.csv and verdicts.csv, `markdown_text` for feedback/*.md and summary.md,
`xml_text` for diagrams/*.svg, `gradescope_text` for results/*.json (declared `"text"`),
`terminal_text` for what `check-answers` prints, `file_name` for the reports' file names.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

__all__ = [
    "GRADESCOPE_FORMAT",
    "MAX_NAME_BYTES",
    "csv_cell",
    "csv_line",
    "file_name",
    "gradescope_text",
    "markdown_text",
    "read_csv",
    "terminal_text",
    "xml_text",
]

GRADESCOPE_FORMAT = "text"
"""The `output_format` results/*.json declares: Gradescope shows the output as plain text."""

MAX_NAME_BYTES = 200
"""A report's file name from a student id is at most this many bytes of UTF-8: file systems
allow 255 bytes per name, and the rest is room for a `-2` suffix, the extension and a
temporary file's decoration while it is written."""

# ── what no format lets through ──────────────────────────────────────────────────────

_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erasing
    r"|(?:\x1b[]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS …
    r"|\x1b[ -/]*[0-~]?"  # any other escape (character sets, keypad modes, reset)
)
"""A terminal's escape sequences, whole (ECMA-48), so that none leaves its parameters behind."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
"""C0 and C1 controls, DEL, Unicode's line and paragraph separators, the bidirectional
embeddings, overrides and isolates (which reorder what is shown), the non-characters."""

_BREAKS = re.compile(r"\r\n|[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
"""Line breaks as any program may take them (str.splitlines' set), and tabs."""

_SURROGATE = re.compile(r"[\ud800-\udfff]")
"""Half a UTF-16 pair (JSON's "\\ud800"): not text, and not writable as UTF-8."""


def _whole(text: str) -> str:
    """The text with lone surrogates shown as U+FFFD, as a reader shows undecodable bytes."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def _one_line(text: str) -> str:
    """The text as one line: escape sequences and controls gone, line breaks and tabs spaces."""
    text = _whole(text)
    if text.isprintable():
        return text
    return _CONTROL.sub("", _BREAKS.sub(" ", _SEQUENCE.sub("", text)))


# ── CSV ──────────────────────────────────────────────────────────────────────────────

_FORMULA_START = frozenset("=+-@\t\r\n'")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection
list, and a line feed), and the quote that marks a neutralised cell (so it reads back)."""
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


@lru_cache(maxsize=4096)  # a class writes the same few cells: marks, answers, verdicts
def csv_cell(text: str) -> str:
    """A report CSV's cell: text a spreadsheet would run as a formula (=, +, -, @, tab, CR,
    LF or ' first, and not a plain number such as -0.5) prefixed with ' and quoted; any other
    cell as Python's csv module writes it (quoted only when it must be)."""
    text = _whole(text)
    if text[:1] in _FORMULA_START and _PLAIN_NUMBER.fullmatch(text) is None:
        return "\"'" + text.replace('"', '""') + '"'
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_line(cells: Iterable[str]) -> str:
    """One row of a report CSV, each cell written by `csv_cell`, with its line feed."""
    line = ",".join(map(csv_cell, cells))
    return (line or '""') + "\n"  # a row of one empty cell is not an empty line


def read_csv(lines: Iterable[str]) -> Iterator[list[str]]:
    """The rows of a report CSV (an open file, newline=""), each cell as it was before
    `csv_cell` wrote it: the ' of a neutralised cell taken off."""
    for row in csv.reader(lines):
        yield [cell[1:] if cell[:1] == "'" else cell for cell in row]


# ── Markdown ─────────────────────────────────────────────────────────────────────────

_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_MARKDOWN_SPECIAL = re.compile(
    r"(?P<first>^(?:[#\[]|[-+*](?=[-*\s]|$)|[0-9]{1,9}(?=[.)](?:\s|$))))"  # heading, list, rule
    r"|[\\|<>&]|\](?=\s*[(\[\]])"  # escapes, cells, HTML, entities; a link's text ended: ](
    r"|(?P<paired>[`*~]|(?<![^\W_])_|_(?![^\W_]))"  # code spans, emphasis (not '_' in a word)
)
_PAIRED = "`*_~"
"""What marks up only in pairs (a code span, emphasis, strikethrough): one alone is text."""


@lru_cache(maxsize=4096)  # the same answers, details and worked steps, student after student
def markdown_text(text: str) -> str:
    """Text for Markdown (GitHub's, an LMS's) that renders as written, on one line, as a table
    cell or after a list's "- ": < > & as entities; backslashes, | and whatever else would
    begin a code span, emphasis, a link or image, a heading, list or rule backslash-escaped;
    controls gone, line breaks and tabs spaces, spaces at the ends dropped."""
    text = _one_line(text).strip()
    paired = {mark for mark in _PAIRED if text.count(mark) > 1}

    def escaped(match: re.Match[str]) -> str:
        found = match.group()
        if found in _ENTITIES:
            return _ENTITIES[found]
        if match.lastgroup == "paired" and found not in paired:
            return found
        return f"{found}\\" if found[0].isdigit() else f"\\{found}"  # 1. → 1\.

    return _MARKDOWN_SPECIAL.sub(escaped, text)


# ── SVG ──────────────────────────────────────────────────────────────────────────────

_XML = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#x27;"}
_XML_SPECIAL = re.compile(r"[<>&\"']")


def xml_text(text: str) -> str:
    """Text for an SVG's text or attribute: only characters XML 1.0 allows (no controls, no
    surrogates, no U+FFFE/U+FFFF), on one line, with < > & " ' as references."""
    return _XML_SPECIAL.sub(lambda match: _XML[match.group()], _one_line(text))


# ── Gradescope ───────────────────────────────────────────────────────────────────────


@lru_cache(maxsize=4096)
def gradescope_text(text: str) -> str:
    """A piece of a results.json output, which declares `GRADESCOPE_FORMAT` ("text": shown as
    written, HTML included): on one line, controls gone, so it cannot forge another line."""
    return _one_line(text)


# ── the terminal ─────────────────────────────────────────────────────────────────────


def terminal_text(text: str) -> str:
    """Text for a terminal: escape sequences (colours, cursor moves, titles) and every other
    control but the line feed taken out, so it can neither restyle nor overwrite a line."""
    text = _whole(text)
    if text.isprintable():
        return text
    return "\n".join(_CONTROL.sub("", _SEQUENCE.sub("", line)) for line in text.split("\n"))


# ── file names ───────────────────────────────────────────────────────────────────────

_NOT_IN_NAMES = re.compile(r"[^\w.\-]+")
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))]
)
"""Names Windows keeps for devices, whatever their extension."""


def file_name(student: str) -> str:
    """A file name for a student id: its NFKC form (full-width letters as ASCII, Hangul
    composed), letters, digits, '-', '_' and '.' kept and anything else '_', no Windows device
    name, cut between characters to `MAX_NAME_BYTES` bytes."""
    name = _NOT_IN_NAMES.sub("_", unicodedata.normalize("NFKC", _whole(student))).strip("._")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip("._")
    if name.split(".")[0].casefold() in _RESERVED:
        name = f"_{name}"
    return name or "student"
