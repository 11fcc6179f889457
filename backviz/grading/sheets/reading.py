"""Reading sheets: one file by its suffix, never raising; many from files and folders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ...errors import BackvizError
from ..handed_in import Handed
from ..problem_text import problem_text
from .csv_sheets import read_csv, read_template_csv
from .files import decode_text, read_bytes
from .folders import SHEET_SUFFIXES, WORKBOOK_SUFFIXES, sheet_entries
from .submission import Sheet, Submission
from .text_sheets import read_txt
from .toml_json_sheets import read_json, read_toml

__all__ = ["read_entries", "read_sheet", "read_submissions"]

_READERS: dict[str, Callable[[str, Sheet], list[Submission]]] = {
    ".csv": read_csv,
    ".tsv": read_csv,
    ".toml": read_toml,
    ".json": read_json,
    ".txt": read_txt,
}


def read_sheet(
    path: Path,
    *,
    default_student: str | None = None,
    follow_links: bool = True,
    lang: str = "en",
) -> list[Submission]:
    """Read one answer sheet; a wide CSV gives one Submission per row, anything else one.

    Never raises for a bad file: a missing, empty, binary, huge, undecodable or unparsable
    file gives one Submission with no answers and a problem saying why. `default_student`
    (else the file name's stem) names a sheet that does not name its student. A sheet found
    in a folder is read with `follow_links` False: a symbolic link is refused, not followed.
    Its problems are said in `lang`.
    """
    path = path if isinstance(path, Path) else Path(path)
    name, source = path.name, str(path)
    default = default_student or path.stem or source

    def failed(problem: str) -> list[Submission]:
        sheet = Sheet(name, source, default, lang=lang)
        sheet.problem(problem)
        return [sheet.submission()]

    raw, problem = read_bytes(source, follow=follow_links, lang=lang)
    if raw is None:
        return failed(problem)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return failed(problem_text("workbook", lang))
    reader = _READERS.get(suffix)
    if reader is None:
        found = suffix or problem_text("no_suffix", lang)
        suffixes = ", ".join(SHEET_SUFFIXES)
        return failed(problem_text("not_a_sheet", lang, found=found, suffixes=suffixes))
    text, problem = decode_text(raw, lang)
    if text is None:
        return failed(problem)
    if not text or text.isspace():
        return failed(problem_text("empty", lang))
    if suffix == ".csv" and (fast := read_template_csv(text, source, default)) is not None:
        return fast
    return reader(text, Sheet(name, source, default, lang=lang))


def read_submissions(paths: Sequence[Path], lang: str = "en") -> list[Submission]:
    """Every submission from files and folders, in the order given, folders' files sorted.

    A folder contributes its own sheet files and those of its immediate subfolders (one
    level, as LMS exports have one folder per student); hidden and `~$` lock files are
    skipped. A file alone in a subfolder takes the subfolder's name as its default student.
    A bad file gives a Submission with a problem, never an exception, so one broken upload
    cannot stop a class's grading; so does what a folder holds that is not read (a workbook,
    a link, a FIFO, a subfolder without sheets: `handed_in`). A named folder with nothing to
    grade raises BackvizError. Problems are said in `lang`.
    """
    return read_entries(sheet_entries(paths, lang), lang)


def read_entries(entries: Sequence[Handed], lang: str = "en") -> list[Submission]:
    """The submissions of `sheet_entries`' entries, in order (problems in `lang`)."""
    submissions: list[Submission] = []
    for entry in entries:
        if entry.refused:
            submissions.append(Submission(entry.student, str(entry.path), {}, (entry.refused,)))
        else:
            submissions.extend(_read_safely(entry, lang))
    return submissions


def _read_safely(entry: Handed, lang: str) -> list[Submission]:
    """`read_sheet`, with any unforeseen error turned into the file's problem."""
    path = entry.path
    try:
        return read_sheet(path, default_student=entry.student, follow_links=entry.named, lang=lang)
    except BackvizError:  # a whole class's export (Moodle's Responses) that cannot be graded
        raise
    except Exception as error:  # a bad file must never stop the batch
        reason = problem_text("unforeseen", lang, error=f"{type(error).__name__}: {error}")
        return [Submission(entry.student, str(path), {}, (f"{path.name}: {reason}",))]
