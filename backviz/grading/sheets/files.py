"""A sheet file's bytes read with care (`handed_in.read_handed`) and decoded to text."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..handed_in import MAX_BYTES, read_handed

__all__ = ["MAX_BYTES", "decode_text", "read_bytes"]


def read_bytes(path: str | Path, *, follow: bool = True) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why not: missing, a folder, not a file, a link found in
    a folder (`follow` False), too large."""
    return read_handed(path, follow=follow, what="answer sheets")


def decode_text(raw: bytes) -> tuple[str | None, str]:
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
