"""A sheet file's bytes read with care (`handed_in.read_handed`) and decoded to text."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..handed_in import MAX_BYTES, read_handed
from ..problem_text import problem_text

__all__ = ["MAX_BYTES", "decode_text", "read_bytes"]


def read_bytes(
    path: str | Path, *, follow: bool = True, lang: str = "en"
) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why not (in `lang`): missing, a folder, not a file, a
    link found in a folder (`follow` False), too large."""
    return read_handed(path, follow=follow, what="sheet_files", lang=lang)


def decode_text(raw: bytes, lang: str = "en") -> tuple[str | None, str]:
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
        return None, problem_text("binary", lang)
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
    return None, problem_text("encoding", lang, line=line, byte=byte)
