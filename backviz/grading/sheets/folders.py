"""Which files of a folder (and its subfolders, one level) are answer sheets, and whose."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..handed_in import Handed, handed_in

__all__ = ["SHEET_SUFFIXES", "WORKBOOK_SUFFIXES", "sheet_entries"]

SHEET_SUFFIXES = (".csv", ".tsv", ".json", ".toml", ".txt")
"""What a folder is searched for (case-insensitive), and what is read."""

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
"""Spreadsheet workbooks: listed too, so that their students appear, with their sheet's
problem saying to save it as CSV."""


def sheet_entries(paths: Sequence[Path], lang: str = "en") -> list[Handed]:
    """What `read_submissions` reads, in order: the files found, not yet opened (so that a big
    class's reading can be shared out), and those refused (`handed_in`: links, FIFOs …, why
    in `lang`)."""
    return handed_in(
        paths,
        suffixes=SHEET_SUFFIXES + WORKBOOK_SUFFIXES,
        what="sheets",
        one_each=False,
        lang=lang,
    )
