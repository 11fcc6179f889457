"""A wheel of the running backviz, for an autograder to install where backviz is not on PyPI.

The wheel is assembled from the package that is running, whichever way it was installed: its
folder's files (for an editable install, the development checkout's package), without
`__pycache__` or hidden files. The metadata is the installed distribution's own METADATA
and entry points, so the wheel declares the same version and dependencies (numpy, click,
graphviz). The layout follows the binary distribution format (PEP 427,
packaging.python.org/specifications/binary-distribution-format): the package at the root,
`backviz-VERSION.dist-info/` with METADATA, WHEEL, entry_points.txt and RECORD (each file's
sha256, urlsafe base64 without padding, and its size). The zip's timestamps are fixed: the
same installation gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from importlib.metadata import distribution
from pathlib import Path

from ..errors import BackvizError

__all__ = ["WHEEL_TAG", "build_wheel", "package_files"]

WHEEL_TAG = "py3-none-any"
"""backviz is pure Python: one wheel for every Python 3 and platform."""

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: reproducible archives


def package_files() -> list[tuple[str, Path]]:
    """(path in the wheel, file here) for every file of the running backviz package: its
    folder's files, without `__pycache__`, compiled or hidden files. For a normal install that
    folder holds what was installed; for an editable one, the checkout's package (which is
    what runs)."""
    package = Path(__file__).resolve().parent.parent
    files = []
    for path in sorted(package.rglob("*")):
        parts = path.relative_to(package).parts
        if any(part.startswith(".") or part == "__pycache__" for part in parts):
            continue
        if path.is_file() and path.suffix not in (".pyc", ".pyo"):
            files.append(("/".join(("backviz", *parts)), path))
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def build_wheel() -> tuple[str, bytes]:
    """The running backviz as a wheel: its file name (backviz-VERSION-py3-none-any.whl) and
    bytes."""
    dist = distribution("backviz")
    metadata = dist.read_text("METADATA") or dist.read_text("PKG-INFO")  # a wheel's, an egg's
    if not metadata:
        raise BackvizError("backviz's installed metadata (METADATA) is missing: reinstall it")
    version = dist.version
    info = f"backviz-{version}.dist-info"
    wheel_file = (
        "Wheel-Version: 1.0\nGenerator: backviz export gradescope\n"
        f"Root-Is-Purelib: true\nTag: {WHEEL_TAG}\n"
    )
    contents = [(name, path.read_bytes()) for name, path in package_files()]
    contents += [(f"{info}/METADATA", metadata.encode()), (f"{info}/WHEEL", wheel_file.encode())]
    entry_points = dist.read_text("entry_points.txt")
    if entry_points:
        contents.append((f"{info}/entry_points.txt", entry_points.encode()))
    record = "".join(_record_line(name, data) for name, data in contents) + f"{info}/RECORD,,\n"
    contents.append((f"{info}/RECORD", record.encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in contents:
            entry = zipfile.ZipInfo(name, _EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return f"backviz-{version}-{WHEEL_TAG}.whl", buffer.getvalue()
