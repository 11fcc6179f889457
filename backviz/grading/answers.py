"""Reading students' answer sheets: numbers as people write them, in CSV, TOML, JSON or text.

A sheet maps quantity names (as written) to answers. Reading never fails on a bad sheet: what
cannot be read becomes a problem on the `Submission` (the file) or on the `Answer` (one value),
so one broken file never stops grading a class, and the report can say what was read.

Formats (chosen by the file's suffix):
- CSV `quantity,value` as `backviz template` writes it (`#` comment lines, optional header,
  a `student,<id>` row); delimiter `,`, `;` or tab. Quoted "0,5", and any comma under `;` or
  tab, is a decimal comma.
- wide CSV: a header with a student column (`student`, `student_id`, `학번`, `id`) and one
  column per quantity, one student per row, as exported from a form or an LMS.
- TOML: `student = "s01"` and an `[answers]` table or top-level `"dE/dW5" = 0.0259` entries.
- JSON: `{"student": "s01", "answers": {...}}` or a flat object.
- text: `name = value`, `name: value` or `name,value` lines.
Files are UTF-8 (with or without BOM) or CP949 (Korean Excel); larger than `MAX_BYTES` are not
read.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "MAX_BYTES",
    "META_KEYS",
    "SHEET_SUFFIXES",
    "STUDENT_KEYS",
    "Answer",
    "Submission",
    "WrittenAnswers",
    "parse_number",
    "read_entries",
    "read_numbers",
    "read_sheet",
    "read_submissions",
    "sheet_entries",
]

MAX_BYTES = 5 * 1024 * 1024
"""Sheets larger than this (5 MB) are reported, not read: no class's answers are that long."""

SHEET_SUFFIXES = (".csv", ".json", ".toml", ".txt")
"""What a folder is searched for (case-insensitive)."""

STUDENT_KEYS = ("student", "student_id", "학번", "id")
"""Field or column names holding the student id, in order of preference (compared as `_key`
makes them: "Student ID" and "student-id" are student_id)."""

META_KEYS = frozenset(
    {
        "name",
        "full_name",
        "student_name",
        "이름",
        "성명",
        "email",
        "e_mail",
        "email_address",
        "이메일",
        "이메일_주소",
        "timestamp",
        "타임스탬프",
        "exercise",
    }
)
"""Fields and columns that are obviously not quantities (forms and LMS exports add them),
in `_key` form."""

_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_MAX_NUMBER_LENGTH = 100  # longer text is prose, not a number
_MAX_EXPONENT = 400  # beyond ±400 a float64 is 0 or inf anyway; keeps `decimals` small
_APPROX = "≈~≒≃"  # a leading "about": ≒ is how Korean notes write it
_DASHES = str.maketrans(dict.fromkeys("\u2212\u2010\u2011\u2012\u2013", "-"))  # − ‐ ‑ ‒ –
_NON_FINITE = frozenset({"nan", "inf", "infinity", "∞"})
_DECIMAL = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?"
)
_FRACTION = re.compile(r"(?P<sign>[+-]?)(?P<num>[0-9]+)/(?P<den>[0-9]+)")


class Answer(NamedTuple):
    """One value a student wrote, read as a number when it can be (a tuple: a class makes
    hundreds of thousands)."""

    text: str
    """As written, stripped: what a report shows as "what was read"."""
    value: float | None
    """The number, or None when the text is not a readable finite number."""
    decimals: int | None
    """Decimal places written, in the value's own units ("50%" -> 2, "1.5e-3" -> 4); an answer
    given to d decimals is also right when it equals the reference rounded to d decimals.
    None for exact forms such as "1/2". Never negative ("1.5e3" -> 0)."""
    problem: str = ""
    """Why the text is unreadable; empty when `value` is not None."""


@dataclass(frozen=True)
class Submission:
    """One student's answers from one sheet (or one row of a wide CSV)."""

    student: str
    """From a `student` field or column, else the file name's stem."""
    source: str
    """The file as given, plus ":row N" for a row of a wide CSV."""
    answers: Mapping[str, Answer]
    """Quantity name as written (stripped) -> answer, in file order; blank values are left
    out (missing), unreadable ones kept (the grader reports what was read). A dict, or
    `WrittenAnswers` for a template sheet read quickly."""
    problems: tuple[str, ...] = ()
    """Sheet-level problems (file, line, what is wrong); empty when the sheet read cleanly."""


# ── numbers ────────────────────────────────────────────────────────────────────────────


# A plain decimal in ASCII, at most 17 significant digits so float() reads it exactly as
# Decimal would round it: no exponent, percent, comma or fraction to interpret.
_PLAIN = re.compile(r"-?\d{1,17}(?:\.(?P<frac>\d{0,17}))?")


def parse_number(text: str, *, decimal_comma: bool = False) -> Answer:
    """Read a number as people write it: 0.5, .5, 5e-1, 1/2, 50%, ≈ 0.5, −0.5, full-width digits.

    With `decimal_comma`, one comma is the decimal mark ("0,5"); without it a comma makes the
    text unreadable, since a thousands separator is never needed here and guessing could
    turn 0,5 into 5. NaN and infinities are unreadable: no step of backpropagation asks for
    one, and the grader could not compare them.
    """
    written = text.strip()
    plain = _PLAIN.fullmatch(written)
    if plain is not None:  # the common case, 0.51998934 or -0.5 or 3: read directly
        value = float(written)
        return Answer(written, value, len(plain["frac"]) if plain["frac"] is not None else 0)

    def unreadable(problem: str) -> Answer:
        return Answer(written, None, None, problem)

    number = unicodedata.normalize("NFKC", written).translate(_DASHES).strip()
    number = number.lstrip(_APPROX + " \t")
    number = re.sub(r"(?:\.\.\.|…)$", "", number)  # "0.333..." trails off, digits as written
    number = re.sub(r"\s*([/%])\s*", r"\1", number)  # "1 / 2", "50 %"
    number = re.sub(r"^([+-])\s+", r"\1", number)  # "- 0.5"
    if not number:
        return unreadable("nothing written")
    if len(number) > _MAX_NUMBER_LENGTH:
        return unreadable("too long to be a number")
    if number.lower().lstrip("+-") in _NON_FINITE:
        return unreadable("not a finite number")
    if "," in number:
        if not decimal_comma:
            return unreadable("a comma: write the decimal mark as a point (0.5)")
        if "." in number or number.count(",") > 1:
            return unreadable("both ',' and '.' or several commas: write one decimal mark")
        number = number.replace(",", ".")

    if fraction := _FRACTION.fullmatch(number):
        denominator = int(fraction["den"])
        if denominator == 0:
            return unreadable("division by zero")
        exact = Fraction(int(fraction["num"]), denominator)
        return _finite(written, -exact if fraction["sign"] == "-" else exact, None)

    percent = number.endswith("%")
    decimal = _DECIMAL.fullmatch(number[:-1] if percent else number)
    if decimal is None or not (decimal["int"] or decimal["frac"]):
        return unreadable("not a number")
    exponent = int(decimal["exp"] or 0)
    if abs(exponent) > _MAX_EXPONENT:
        return unreadable("not a finite number" if exponent > 0 else "exponent out of range")
    places = len(decimal["frac"] or "") - exponent + (2 if percent else 0)
    exact = Decimal(decimal.group()).scaleb(-2 if percent else 0)  # exact, then rounded once
    return _finite(written, exact, max(places, 0))


def _finite(written: str, exact: Decimal | Fraction, decimals: int | None) -> Answer:
    """The Answer for an exactly read number, or unreadable when it overflows a float."""
    try:
        value = float(exact)
    except OverflowError:
        value = float("inf")
    if value in (float("inf"), float("-inf")):
        return Answer(written, None, None, "not a finite number")
    return Answer(written, value, decimals)


def _answer(raw: object) -> Answer | None:
    """An Answer for a value read from a file; None for a blank one (the answer is missing).

    Strings are parsed with a decimal comma: inside a quoted CSV cell, a TOML or JSON
    string or after `=` the comma cannot mean anything else.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):  # before int: bool is an int in Python
        return Answer(str(raw).lower(), None, None, "true/false, not a number")
    if isinstance(raw, int):
        return _finite(str(raw), Fraction(raw), 0)
    if isinstance(raw, float):
        return parse_number(repr(raw))
    if isinstance(raw, str):
        return parse_number(raw, decimal_comma=True) if raw.strip() else None
    kind = "a list" if isinstance(raw, list) else f"a {type(raw).__name__}"
    return Answer(str(raw).strip(), None, None, f"{kind}, not a number")


class WrittenAnswers(Mapping[str, Answer]):
    """A sheet's answers as written (names and stripped texts, blanks left out), read as
    numbers only when asked. The grader reads a class's sheets a column at a time with
    `read_numbers` instead: no object per answer for a class of thousands."""

    __slots__ = ("_read", "names", "texts")

    def __init__(self, names: tuple[str, ...], texts: tuple[str, ...]) -> None:
        self.names, self.texts = names, texts
        self._read: dict[str, Answer] | None = None

    def _answers(self) -> dict[str, Answer]:
        if self._read is None:
            self._read = {
                name: parse_number(text, decimal_comma=True)
                for name, text in zip(self.names, self.texts, strict=True)
            }
        return self._read

    def __getitem__(self, name: str) -> Answer:
        return self._answers()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"WrittenAnswers({dict(zip(self.names, self.texts, strict=True))!r})"


_PLAIN_NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"  # one way to match: no backtracking
_ALL_PLAIN = re.compile(rf"(?:{_PLAIN_NUMBER}\n)*{_PLAIN_NUMBER}")
_NOT_PLAIN = re.compile(rf"^(?!{_PLAIN_NUMBER}$).*$", re.MULTILINE)


def read_numbers(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`parse_number(text, decimal_comma=True)` for many one-line texts at once, as arrays:
    the value (nan where unreadable), the decimals written (-1 where not known) and whether
    it is readable.

    Plain decimals in ASCII (-0.5, 3, .25) — nearly every answer a class writes — are found
    by one regular expression over the texts joined and read together by `_plain_numbers`;
    the rest one by one by `parse_number`.
    """
    n = len(texts)
    if not n:
        return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
    joined = "\n".join(texts)
    lengths = np.fromiter(map(len, texts), dtype=int, count=n)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    odd: list[int] = []
    if _ALL_PLAIN.fullmatch(joined) is None:
        found = [match.start() for match in _NOT_PLAIN.finditer(joined)]
        odd = (np.searchsorted(starts, found, side="right") - 1).tolist()
    if lengths.max() > _MAX_NUMBER_LENGTH:  # too long to be a number: parse_number says so
        odd = sorted(set(odd) | set(np.flatnonzero(lengths > _MAX_NUMBER_LENGTH).tolist()))
    values, decimals = _plain_numbers(joined, starts, lengths)
    readable = np.ones(n, dtype=bool)
    for i in odd:
        answer = parse_number(texts[i], decimal_comma=True)
        values[i] = np.nan if answer.value is None else answer.value
        decimals[i] = -1 if answer.decimals is None else answer.decimals
        readable[i] = answer.value is not None
    long = np.flatnonzero(np.isnan(values))  # more digits than a float holds exactly
    for i in set(long.tolist()) - set(odd):
        values[i] = float(texts[i])
    return values, decimals, readable


_MAX_EXACT_DIGITS = 15
"""Up to 15 digits, the digits read as an integer are exact in a float64 (< 2^53), and that
integer divided by 10**decimals (exact up to 10**22) rounds once: the value float() reads."""


def _plain_numbers(
    joined: str, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Value and decimals of each line of `joined` read as a plain decimal (-0.5, 3, .25),
    computed on the characters as an array. A line with more digits than a float holds
    exactly gets nan (the caller reads it with float()); lines that are not plain decimals
    get meaningless numbers (the caller reads them itself)."""
    chars = np.frombuffer((joined + "\n").encode("utf-32-le"), dtype=np.uint32)
    digit = (chars >= 48) & (chars <= 57)
    counted = np.cumsum(digit)  # digits up to and including each character
    ends = starts + lengths  # each line's end (its newline)
    digits = counted[ends] - counted[starts] + digit[starts]
    after = counted[ends][np.repeat(np.arange(len(starts)), lengths + 1)] - counted
    weights = np.where(digit, (chars - 48) * np.power(10.0, np.minimum(after, 22)), 0.0)
    mantissa = np.add.reduceat(weights, starts)
    point = np.zeros(len(chars), dtype=bool)
    point[:-1] = chars[:-1] == 46
    has_point = np.add.reduceat(point, starts) > 0
    where = np.maximum.reduceat(np.where(point, np.arange(len(chars)), -1), starts)
    decimals = np.where(has_point, ends - where - 1, 0)
    values = mantissa / np.power(10.0, np.minimum(decimals, 22))
    values = np.where(chars[starts] == 45, -values, values)  # a leading '-'
    values[(digits > _MAX_EXACT_DIGITS) | (decimals > 22)] = np.nan
    return values, decimals


def _key(name: str) -> str:
    """A field or column name as compared: NFKC, case-folded, spaces and '-' as one '_'."""
    return "_".join(unicodedata.normalize("NFKC", name).replace("-", " ").split()).casefold()


# ── one sheet ──────────────────────────────────────────────────────────────────────────


@dataclass
class _Sheet:
    """Collects one submission: answers in file order, the first of duplicates, problems."""

    file: str  # the file's name, to open each message with
    source: str
    default_student: str
    student: str = ""
    student_line: int | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    first_line: dict[str, int | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    entries: int = 0  # quantity entries seen, blank ones included

    def problem(self, message: str, line: int | None = None) -> None:
        where = self.file if line is None else f"{self.file}:{line}"
        self.problems.append(f"{where}: {message}")

    def add(self, name: str, raw: object, line: int | None = None) -> None:
        """One `name = value` entry: blank values are missing, a repeated name keeps the first."""
        name = name.strip()
        answer = _answer(raw)
        if not name:
            if answer is not None:
                self.problem(f"the value {answer.text!r} has no quantity name", line)
            return
        if _key(name) in META_KEYS:
            return
        self.entries += 1
        if answer is None:
            return
        if name in self.answers:
            first = self.first_line[name]
            where = f" (first on line {first})" if first is not None else ""
            self.problem(f"{name!r} is given again{where}; the first is kept", line)
            return
        self.answers[name] = answer
        self.first_line[name] = line

    def set_student(self, raw: object, line: int | None = None) -> None:
        """The student id; a second, different one is reported and the first kept."""
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            self.problem(f"the student id should be text, found {raw!r}", line)
            return
        student = str(raw).strip()
        if not student or student == self.student:
            return
        if self.student:
            first = f" on line {self.student_line}" if self.student_line is not None else ""
            self.problem(
                f"a second student id {student!r} (the first, {self.student!r}{first}, is kept)",
                line,
            )
            return
        self.student, self.student_line = student, line

    def entry(self, name: str, raw: object, line: int | None = None) -> None:
        """A top-level entry of a sheet: the student id or a quantity."""
        if _key(name) in STUDENT_KEYS:
            self.set_student(raw, line)
        else:
            self.add(name, raw, line)

    def submission(self) -> Submission:
        if not self.entries and not self.problems:
            self.problem("no answers found")
        return Submission(
            self.student or self.default_student,
            self.source,
            dict(self.answers),
            tuple(self.problems),
        )


def read_sheet(path: Path, *, default_student: str | None = None) -> list[Submission]:
    """Read one answer sheet; a wide CSV gives one Submission per row, anything else one.

    Never raises for a bad file: a missing, empty, binary, huge, undecodable or unparsable
    file gives one Submission with no answers and a problem saying why. `default_student`
    (else the file name's stem) names a sheet that does not name its student.
    """
    path = path if isinstance(path, Path) else Path(path)
    name, source = path.name, str(path)
    default = default_student or path.stem or source

    def failed(problem: str) -> list[Submission]:
        sheet = _Sheet(name, source, default)
        sheet.problem(problem)
        return [sheet.submission()]

    raw, problem = _read_bytes(source)
    if raw is None:
        return failed(problem)
    suffix = path.suffix.lower()
    if suffix in _WORKBOOKS:
        return failed("a spreadsheet workbook: save it as CSV (UTF-8) and grade that")
    reader = _READERS.get(suffix)
    if reader is None:
        return failed(
            f"not an answer sheet ({suffix or 'no suffix'}): use .csv, .toml, .json or .txt"
        )
    text, problem = _decode(raw)
    if text is None:
        return failed(problem)
    if not text or text.isspace():
        return failed("empty file")
    if suffix == ".csv" and (fast := _template_csv(text, source, default)) is not None:
        return fast
    return reader(text, _Sheet(name, source, default))


_NOT_TEMPLATE = re.compile(r'["\t;\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]')
"""Quotes, other delimiters, line breaks other than \\n: left to the full reader."""
_INDENTED_COMMENT = re.compile(r"^[^\S\n]+#", re.MULTILINE)
_CSV_FIELD_LIMIT = csv.field_size_limit()


def _template_csv(text: str, source: str, default_student: str) -> list[Submission] | None:
    """The common case read quickly: a filled-in `backviz template` sheet (`#` comments, a
    `quantity,value` header, a `student,<id>` row, then `name,value` rows, no quotes,
    semicolons, tabs, commas in values or repeated names), read a list at a time rather
    than a line at a time. The numbers are left as written (`WrittenAnswers`). None sends
    the sheet to the full reader, which gives the same answers for this case and handles
    everything else."""
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if (
        _NOT_TEMPLATE.search(text) is not None
        or _INDENTED_COMMENT.search(text) is not None
        or len(text) > _CSV_FIELD_LIMIT  # the full reader says when a cell is over the limit
    ):
        return None
    rows = [line.split(",") for line in text.split("\n") if line and line[0] != "#"]
    if {len(row) for row in rows} != {2}:
        return None  # no rows, or a row without its comma or with two
    names = [name.strip() for name, _ in rows]
    values = [value.strip() for _, value in rows]
    student = ""
    if "student" in names:
        k = names.index("student")
        student = values[k]
        del names[k], values[k]
        if not student or "student" in names:
            return None  # a blank id, or a second one
    if not names or names[0] != "quantity" or values[0] != "value":
        return None
    del names[0], values[0]
    written = set(names)
    if "" in values:  # blank answers are missing
        names = [name for name, value in zip(names, values, strict=True) if value]
        values = [value for value in values if value]
    if (
        not names
        or "" in written
        or "quantity" in written
        or len(set(names)) < len(names)
        or any(map(_is_meta, written))
    ):
        return None  # no answers, no name, the header again, a repeated name, a form's column
    answers = WrittenAnswers(tuple(names), tuple(values))
    return [Submission(student or default_student, source, answers)]


@lru_cache(maxsize=4096)
def _is_meta(name: str) -> bool:
    """A field that is not a quantity (a form's name, e-mail, timestamp, another spelling of
    the student id …); a class's sheets repeat the same few names, so each is looked at once."""
    key = _key(name)
    return key in META_KEYS or key in STUDENT_KEYS or key == "quantity"  # the header again


def _read_bytes(path: str | Path) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why not: missing, a folder, not a file, too large."""
    try:
        status = os.stat(path)  # before opening: says "a folder" even of one we may not read
        if stat.S_ISDIR(status.st_mode):
            return None, "a folder, not a file"
        if not stat.S_ISREG(status.st_mode):
            return None, "not a regular file"
        if status.st_size > MAX_BYTES:
            return None, _too_large(status.st_size)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since: a FIFO would block
                return None, "not a regular file"
            raw = _read_up_to(fd, MAX_BYTES + 1)  # bounded even if the file grows meanwhile
        finally:
            os.close(fd)
    except FileNotFoundError:
        return None, "no such file"
    except OSError as error:
        return None, f"cannot be read: {error.strerror or error}"
    if len(raw) > MAX_BYTES:
        return None, _too_large(len(raw))
    return raw, ""


def _read_up_to(fd: int, limit: int) -> bytes:
    """At most `limit` bytes of an open file, to its end."""
    chunks, size = [], 0
    while size < limit and (chunk := os.read(fd, min(limit - size, 1 << 20))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_large(size: int) -> str:
    return f"too large ({size / 1e6:.1f} MB; answer sheets are read up to 5 MB), not read"


def _decode(raw: bytes) -> tuple[str | None, str]:
    """The text of a sheet: UTF-8 (BOM or not), else CP949; None for binary or other text.

    A UTF-16 file with its BOM (Excel's "Unicode text") is read too: its NUL bytes are part
    of the encoding, not a sign of a binary file.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            text = "\0"
        if "\0" not in text:
            return text, ""
    if b"\0" in raw:
        return None, "a binary file (it holds NUL bytes), not an answer sheet"
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        return raw.decode("cp949"), ""
    except UnicodeDecodeError:
        pass
    line = raw[: utf8_error.start].count(b"\n") + 1
    byte = raw[utf8_error.start : utf8_error.start + 1].hex()
    return None, f"line {line}: byte 0x{byte} is neither UTF-8 nor CP949; save the file as UTF-8"


# ── CSV ────────────────────────────────────────────────────────────────────────────────


def _read_csv(text: str, sheet: _Sheet) -> list[Submission]:
    """A `quantity,value` sheet, or a wide CSV (one student per row) when its header says so."""
    numbered = [
        (number, line)
        for number, line in enumerate(io.StringIO(text, newline=""), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        return [sheet.submission()]  # only comments: no answers
    delimiter = _sniff(line for _, line in numbered)
    try:
        rows = _rows(numbered, delimiter)
    except csv.Error as error:  # e.g. a cell over csv's field size limit
        sheet.problem(f"not readable as CSV: {error}")
        return [sheet.submission()]
    if not rows:
        return [sheet.submission()]
    _, header = rows[0]
    keys = [_key(cell) for cell in header]
    if "quantity" in keys and "value" in keys:
        _read_long(rows[1:], sheet, keys.index("quantity"), keys.index("value"), headed=True)
        return [sheet.submission()]
    has_id = any(key in STUDENT_KEYS for key in keys)
    if len(header) >= 3 and (has_id or all(parse_number(c).value is None for c in header)):
        return _read_wide(rows, sheet)
    _read_long(rows, sheet, 0, 1, headed=False)
    return [sheet.submission()]


def _sniff(lines: Iterable[str]) -> str:
    """The delimiter: tab or `;` when most lines hold one, else `,`.

    `;` and tab are tested first because a comma may be a decimal mark in their files
    (Excel in a decimal-comma locale writes `;`).
    """
    lines = list(lines)
    for delimiter in ("\t", ";"):
        if 2 * sum(delimiter in line for line in lines) >= len(lines):
            return delimiter
    return ","


def _rows(numbered: list[tuple[int, str]], delimiter: str) -> list[tuple[int, list[str]]]:
    """CSV records with the file line each starts on; cells stripped, trailing blanks dropped."""
    reader = csv.reader((line for _, line in numbered), delimiter=delimiter)
    rows = []
    consumed = 0
    for cells in reader:
        line = numbered[consumed][0]
        consumed = reader.line_num
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            rows.append((line, [cell.strip() for cell in cells]))
    return rows


def _read_long(
    rows: list[tuple[int, list[str]]], sheet: _Sheet, name: int, value: int, *, headed: bool
) -> None:
    """`quantity,value` rows (columns `name` and `value`); `student,<id>` names the student.

    Without a header a third cell means a comma split a name or a value (W(2)_10,3 or 0,5),
    so the row is reported rather than guessed at; with one, other columns are ignored.
    """
    for line, cells in rows:
        if not headed and len(cells) > 2:
            sheet.problem(
                f"{len(cells)} cells where 2 (quantity, value) were expected, not read: quote a "
                'name or value holding a comma ("W(2)_10,3", "0,5") or separate columns by ";"',
                line,
            )
            continue
        quantity = cells[name] if name < len(cells) else ""
        if _key(quantity) == "quantity":
            continue  # a repeated header
        sheet.entry(quantity, cells[value] if value < len(cells) else "", line)


def _read_wide(rows: list[tuple[int, list[str]]], sheet: _Sheet) -> list[Submission]:
    """One Submission per row of a header-plus-rows sheet; the row numbers are file lines."""
    header_line, header = rows[0]
    keys = [_key(cell) for cell in header]
    id_column = next((keys.index(key) for key in STUDENT_KEYS if key in keys), None)
    columns: list[tuple[int, str]] = []  # (index, quantity name), first of each name
    column_notes: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        if keys[index] in STUDENT_KEYS or keys[index] in META_KEYS or not cell:
            continue
        if cell in seen:
            column_notes.append(
                f"column {index + 1}: {cell!r} is given again (first in column "
                f"{seen[cell] + 1}); the first is kept"
            )
            continue
        seen[cell] = index
        columns.append((index, cell))

    submissions = []
    for line, cells in rows[1:]:
        row = _Sheet(sheet.file, f"{sheet.source}:row {line}", f"{sheet.default_student}-row{line}")
        row.problems.extend(f"{sheet.file}:{header_line}: {note}" for note in column_notes)
        if id_column is not None and id_column < len(cells) and cells[id_column]:
            row.set_student(cells[id_column], line)
        else:
            row.problem(f"no student id; named {row.default_student!r}", line)
        for index, quantity in columns:
            row.add(quantity, cells[index] if index < len(cells) else "", line)
        if len(cells) > len(header):
            row.problem(f"{len(cells)} cells but the header has {len(header)}; extra ignored", line)
        submissions.append(row.submission())
    if not submissions:
        sheet.problem("a header but no rows of answers under it", header_line)
        return [sheet.submission()]
    return submissions


# ── TOML, JSON, text ───────────────────────────────────────────────────────────────────


def _read_toml(text: str, sheet: _Sheet) -> list[Submission]:
    """`student = "…"` and an `[answers]` table, or quantities at the top level.

    TOML forbids a key given twice; for that one error the sheet is read line by line
    instead, so that the first answer counts and the repeat is reported like elsewhere.
    """
    try:
        data = tomllib.loads(text, parse_float=lambda literal: literal.replace("_", ""))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = re.search(r"line (\d+)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        if "Cannot overwrite" in reason or "twice" in reason:
            lenient = _Sheet(sheet.file, sheet.source, sheet.default_student)
            _read_lines(text, lenient)
            if any("given again" in problem for problem in lenient.problems):
                return [lenient.submission()]
        sheet.problem(f"not valid TOML: {reason}", int(line.group(1)) if line else None)
        return [sheet.submission()]
    except (ValueError, RecursionError):  # an integer too long, or nesting too deep
        sheet.problem("not valid TOML: a value too long or nested too deep to read")
        return [sheet.submission()]
    _read_mapping(list(data.items()), sheet, "table")
    return [sheet.submission()]


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, repeats kept, so the first of a repeat can win."""


def _read_json(text: str, sheet: _Sheet) -> list[Submission]:
    """`{"student": "…", "answers": {…}}` or a flat object; numbers keep their written digits."""
    try:
        data = json.loads(
            text,
            parse_float=str,
            parse_int=str,
            parse_constant=str,
            object_pairs_hook=_Pairs,
        )
    except json.JSONDecodeError as error:
        sheet.problem(f"not valid JSON: {error.msg} (column {error.colno})", error.lineno)
        return [sheet.submission()]
    except (ValueError, RecursionError):
        sheet.problem("not valid JSON: a value too long or nested too deep to read")
        return [sheet.submission()]
    if not isinstance(data, _Pairs):
        found = "a list" if isinstance(data, list) else repr(data)[:40]
        sheet.problem(f'expected an object {{"student": …, "answers": {{…}}}}, found {found}')
        return [sheet.submission()]
    _read_mapping(data, sheet, "object")
    return [sheet.submission()]


def _read_mapping(pairs: list[tuple[str, Any]], sheet: _Sheet, kind: str) -> None:
    """Top-level pairs of a TOML table or JSON object: the student, then the answers."""
    answers = next((value for key, value in pairs if key == "answers"), None)
    for key, value in pairs:
        if _key(key) in STUDENT_KEYS:
            sheet.set_student(value)
    if answers is None:
        pairs = [(key, value) for key, value in pairs if _key(key) not in STUDENT_KEYS]
    elif isinstance(answers, dict | _Pairs):
        pairs = list(answers.items()) if isinstance(answers, dict) else answers
    else:
        sheet.problem(f"'answers' should be a {kind} of quantity = value, found {answers!r}")
        return
    for name, value in _flatten(pairs):
        sheet.add(name, value)


def _flatten(pairs: list[tuple[str, Any]], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Nested tables joined back with '.': TOML reads an unquoted `W1.1 = 0.3` as W1 → 1."""
    for key, value in pairs:
        if isinstance(value, dict | _Pairs):
            nested = list(value.items()) if isinstance(value, dict) else value
            yield from _flatten(nested, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _read_txt(text: str, sheet: _Sheet) -> list[Submission]:
    """Lines `name = value`, `name: value` or `name,value` (tab or `;` too)."""
    _read_lines(text, sheet)
    return [sheet.submission()]


def _read_lines(text: str, sheet: _Sheet) -> None:
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
            sheet.problem(f"expected 'name = value', found {shown!r}, not read", number)
            continue
        sheet.entry(_unquote(match[1]), _unquote(match[2]), number)


def _unquote(text: str) -> str:
    """Text without surrounding spaces and one pair of matching quotes."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


_READERS: dict[str, Callable[[str, _Sheet], list[Submission]]] = {
    ".csv": _read_csv,
    ".tsv": _read_csv,
    ".toml": _read_toml,
    ".json": _read_json,
    ".txt": _read_txt,
}


# ── many sheets ────────────────────────────────────────────────────────────────────────


SheetEntry = tuple[Path, str | None] | Submission
"""A sheet file to read and its default student, or a Submission already made (a folder
that could not be listed or holds no sheets)."""


def read_submissions(paths: Sequence[Path]) -> list[Submission]:
    """Every submission from files and folders, in the order given, folders' files sorted.

    A folder contributes its own sheet files and those of its immediate subfolders (one
    level, as LMS exports have one folder per student); hidden and `~$` lock files are
    skipped. A file alone in a subfolder takes the subfolder's name as its default student.
    Every path yields at least one Submission; a bad file gives one with a problem, never
    an exception, so one broken upload cannot stop a class's grading.
    """
    return read_entries(sheet_entries(paths))


def sheet_entries(paths: Sequence[Path]) -> list[SheetEntry]:
    """What `read_submissions` reads, in order: the files found, not yet opened (so that a
    big class's reading can be shared out)."""
    entries: list[SheetEntry] = []
    for given in paths:
        path = Path(given)
        try:
            if not path.is_dir():
                entries.append((path, None))
                continue
            found = _sheet_files(path)
        except OSError as error:
            name = path.name or str(path)
            problem = f"{name}: cannot be read: {error.strerror or error}"
            entries.append(Submission(name, str(path), {}, (problem,)))
            continue
        if not found:
            name = path.name or str(path)
            problem = f"{name}: no answer sheets (*.csv, *.toml, *.json, *.txt) in this folder"
            entries.append(Submission(name, str(path), {}, (problem,)))
        entries.extend(found)
    return entries


def read_entries(entries: Sequence[SheetEntry]) -> list[Submission]:
    """The submissions of `sheet_entries`' entries, in order."""
    submissions: list[Submission] = []
    for entry in entries:
        if isinstance(entry, Submission):
            submissions.append(entry)
        else:
            submissions.extend(_read_safely(*entry))
    return submissions


def _read_safely(path: Path, default_student: str | None) -> list[Submission]:
    """`read_sheet`, with any unforeseen error turned into the file's problem."""
    try:
        return read_sheet(path, default_student=default_student)
    except Exception as error:  # a bad file must never stop the batch
        student = default_student or path.stem or str(path)
        problem = f"{path.name}: could not be read ({type(error).__name__}: {error})"
        return [Submission(student, str(path), {}, (problem,))]


def _is(test: Callable[[], bool]) -> bool:
    """A folder entry's kind, False where it cannot be told (a symbolic link in a loop)."""
    try:
        return test()
    except OSError:
        return False


def _sheet_files(folder: Path) -> list[tuple[Path, str | None]]:
    """Sheet files in `folder` and its subfolders, sorted by relative path, each with the
    default student name it gets (the subfolder's name when it holds just that one sheet)."""

    def listing(directory: Path) -> tuple[list[str], list[str]]:
        """The visible sheet files' and subfolders' names (one directory read, no stat per
        file where the system reports the kind)."""
        sheets, folders = [], []
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith((".", "~$")):
                    continue
                if _is(entry.is_dir):
                    folders.append(entry.name)
                elif Path(entry.name).suffix.lower() in SHEET_SUFFIXES and _is(entry.is_file):
                    sheets.append(entry.name)
        return sheets, folders

    sheets, subfolders = listing(folder)
    found: list[tuple[str, Path, str | None]] = [(name, folder / name, None) for name in sheets]
    for subfolder in subfolders:
        inside, _ = listing(folder / subfolder)
        default = subfolder if len(inside) == 1 else None
        found.extend((f"{subfolder}/{name}", folder / subfolder / name, default) for name in inside)
    found.sort(key=lambda item: item[0])
    return [(path, default) for _, path, default in found]
