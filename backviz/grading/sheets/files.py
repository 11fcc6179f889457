"""A sheet file's bytes read with care (a regular file, bounded in size) and decoded to text."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

__all__ = ["MAX_BYTES", "decode_text", "read_bytes"]

MAX_BYTES = 5 * 1024 * 1024
"""Sheets larger than this (5 MB) are reported, not read: no class's answers are that long."""


def read_bytes(path: str | Path) -> tuple[bytes | None, str]:
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
