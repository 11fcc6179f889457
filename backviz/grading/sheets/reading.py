"""Reading sheets: one file by its suffix, never raising; many from files and folders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .csv_sheets import read_csv, read_template_csv
from .files import decode_text, read_bytes
from .folders import SheetEntry, sheet_entries
from .submission import Sheet, Submission
from .text_sheets import read_txt
from .toml_json_sheets import read_json, read_toml

__all__ = ["read_entries", "read_sheet", "read_submissions"]

_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_READERS: dict[str, Callable[[str, Sheet], list[Submission]]] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".toml": read_toml,
    ".json": read_json,
    ".txt": read_txt,
}


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
        sheet = Sheet(name, source, default)
        sheet.problem(problem)
        return [sheet.submission()]

    raw, problem = read_bytes(source)
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
    text, problem = decode_text(raw)
    if text is None:
        return failed(problem)
    if not text or text.isspace():
        return failed("empty file")
    if suffix == ".csv" and (fast := read_template_csv(text, source, default)) is not None:
        return fast
    return reader(text, Sheet(name, source, default))


def read_submissions(paths: Sequence[Path]) -> list[Submission]:
    """Every submission from files and folders, in the order given, folders' files sorted.

    A folder contributes its own sheet files and those of its immediate subfolders (one
    level, as LMS exports have one folder per student); hidden and `~$` lock files are
    skipped. A file alone in a subfolder takes the subfolder's name as its default student.
    Every path yields at least one Submission; a bad file gives one with a problem, never
    an exception, so one broken upload cannot stop a class's grading.
    """
    return read_entries(sheet_entries(paths))


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
