"""CSV sheets: long (`quantity,value`) or wide (a student a row); template sheets read fast."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

from ..problem_text import problem_text
from .moodle_responses import read_responses, responses_delimiter
from .numbers import Answer, WrittenAnswers, parse_number
from .submission import META_KEYS, STUDENT_KEYS, Sheet, Submission, field_key

__all__ = ["read_csv", "read_template_csv"]


def read_csv(text: str, sheet: Sheet) -> list[Submission]:
    """A `quantity,value` sheet, or a wide CSV (one student per row) when its header says so,
    or Moodle's quiz Responses report (`moodle_responses.py`)."""
    delimiter = responses_delimiter(text)
    if delimiter is not None:  # a quiz report, readable or stopped with a one-line reason
        return read_responses(text, sheet.file, sheet.source, delimiter, sheet.lang)
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
        sheet.say("not_csv", error=error)
        return [sheet.submission()]
    if not rows:
        return [sheet.submission()]
    _, header = rows[0]
    keys = [field_key(cell) for cell in header]
    if "quantity" in keys and "value" in keys:
        _read_long(rows[1:], sheet, keys.index("quantity"), keys.index("value"), len(header))
        return [sheet.submission()]
    has_id = any(key in STUDENT_KEYS for key in keys)
    if len(header) >= 3 and (has_id or all(parse_number(c).value is None for c in header)):
        return _read_wide(rows, sheet)
    _read_long(rows, sheet, 0, 1, 2)
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
    rows: list[tuple[int, list[str]]], sheet: Sheet, name: int, value: int, width: int
) -> None:
    """`quantity,value` rows (columns `name` and `value` of `width`); `student,<id>` names the
    student.

    A row with more cells than the columns (2, or the header's) is reported, and its answer
    unreadable: a comma split a value or a name (`h1,0,52`, `W(2)_10,3`) or put the value in a
    column of its own, and a number guessed from the pieces would be graded as if the student
    had written it.
    """
    for line, cells in rows:
        quantity = cells[name] if name < len(cells) else ""
        if len(cells) > width:  # written, not read: unreadable, with what was written
            sheet.problem(_split_row(cells, name, value, width, sheet.lang), line)
            if field_key(quantity) not in STUDENT_KEYS:
                written = ",".join(cells[:name] + cells[name + 1 :])
                sheet.add(quantity, Answer(written, None, None, "split by a comma"), line)
            continue
        if field_key(quantity) == "quantity":
            continue  # a repeated header
        sheet.entry(quantity, cells[value] if value < len(cells) else "", line)


def _split_row(cells: list[str], name: int, value: int, width: int, lang: str) -> str:
    """Why a `quantity,value` row of too many cells is not read, and what was probably meant."""
    quantity = cells[name] if name < len(cells) else ""
    others = cells[:name] + cells[name + 1 :]
    hint = _decimal_comma(others, lang) or (
        problem_text("own_column", lang, column=value + 1)
        if not cells[value]
        else problem_text("quote", lang)
    )
    shown = ", ".join(map(repr, cells))
    return problem_text(
        "split_row", lang, quantity=quantity, cells=len(cells), shown=shown, width=width, hint=hint
    )


_WHOLE, _DIGITS = re.compile(r"[-+−]?[0-9]+"), re.compile(r"[0-9]+")


def _decimal_comma(cells: list[str], lang: str) -> str | None:
    """What a comma between two of these cells most likely was, when it was a decimal comma
    (0 | 52 → 0.52): the first such pair; None when there is none."""
    for whole, fraction in pairwise(cells):
        if _WHOLE.fullmatch(whole) and _DIGITS.fullmatch(fraction):
            return problem_text("decimal_comma", lang, whole=whole, fraction=fraction)
    return None


def _read_wide(rows: list[tuple[int, list[str]]], sheet: Sheet) -> list[Submission]:
    """One Submission per row of a header-plus-rows sheet; the row numbers are file lines."""
    header_line, header = rows[0]
    keys = [field_key(cell) for cell in header]
    id_column = next((keys.index(key) for key in STUDENT_KEYS if key in keys), None)
    columns: list[tuple[int, str]] = []  # (index, quantity name), first of each name
    column_notes: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        if keys[index] in STUDENT_KEYS or keys[index] in META_KEYS or not cell:
            continue
        if cell in seen:
            column_notes.append(
                problem_text(
                    "column_again", sheet.lang, column=index + 1, name=cell, first=seen[cell] + 1
                )
            )
            continue
        seen[cell] = index
        columns.append((index, cell))

    submissions = []
    for line, cells in rows[1:]:
        row = Sheet(
            sheet.file,
            f"{sheet.source}:row {line}",
            f"{sheet.default_student}-row{line}",
            lang=sheet.lang,
        )
        row.problems.extend(f"{sheet.file}:{header_line}: {note}" for note in column_notes)
        if id_column is not None and id_column < len(cells) and cells[id_column]:
            row.set_student(cells[id_column], line)
        else:
            row.say("no_id", line, name=row.default_student)
        if len(cells) > len(header):  # every column after a split is shifted: none is read
            answers = [cell for index, cell in enumerate(cells) if index != id_column]
            hint = _decimal_comma(answers, row.lang) or problem_text("quote", row.lang)
            row.say("shifted", line, cells=len(cells), header=len(header), hint=hint)
        else:
            for index, quantity in columns:
                row.add(quantity, cells[index] if index < len(cells) else "", line)
        submissions.append(row.submission())
    if not submissions:
        sheet.say("no_rows", header_line)
        return [sheet.submission()]
    return submissions


_NOT_TEMPLATE = re.compile(r'["\t;\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]')
"""Quotes, other delimiters, line breaks other than \\n: left to the full reader."""
_INDENTED_COMMENT = re.compile(r"^[^\S\n]+#", re.MULTILINE)
_CSV_FIELD_LIMIT = csv.field_size_limit()


def read_template_csv(text: str, source: str, default_student: str) -> list[Submission] | None:
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
    key = field_key(name)
    return key in META_KEYS or key in STUDENT_KEYS or key == "quantity"  # the header again
