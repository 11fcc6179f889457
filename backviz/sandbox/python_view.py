"""What of the Python installation a sandboxed run may see: the standard library and the
allowed distributions with their dependencies — nothing else of any site folder.

Binding a whole site folder would show every installed distribution: modules the exercise
does not allow (torch, sympy, matplotlib …) and, where backviz is installed normally (not
as the editable install of development), backviz itself, whose engine computes every answer.
So each site or dist-packages folder the bound trees hold (``/usr/lib/python3/dist-packages``,
``/usr/local/lib/python3.11/dist-packages``, the interpreter's own ``site-packages`` …) is
hidden under an empty folder, and only the files of the allowed distributions, found from
their installed metadata (``RECORD``), are bound back in.
"""

from __future__ import annotations

import functools
import glob
import importlib.metadata as metadata
import importlib.util
import os
import re
import sys
from dataclasses import dataclass

__all__ = ["FORBIDDEN", "PythonView", "python_view"]

FORBIDDEN = frozenset({"backviz"})
"""Never shown to a student's code, whatever an exercise allows: the grader itself."""

_SITE_PATTERNS = ("lib/python*/site-packages", "lib/python*/dist-packages")


@dataclass(frozen=True)
class PythonView:
    """The Python a run sees: ``trees`` bound whole (the interpreter's installation),
    ``hidden`` (site folders inside them, shown empty), ``entries`` (the allowed distributions'
    files and folders, bound back one by one) and ``site_dirs`` (their folders, for
    ``sys.path``)."""

    trees: tuple[str, ...]
    hidden: tuple[str, ...]
    entries: tuple[str, ...]
    site_dirs: tuple[str, ...]


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str | None:
    """The distribution a requirement names, or None when it is only for an extra."""
    name, _, marker = requirement.partition(";")
    if "extra" in marker:
        return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", name)
    return match.group(1) if match else None


def _distributions(modules: tuple[str, ...]) -> list[metadata.Distribution]:
    """The distributions providing ``modules`` and, transitively, what they require."""
    providers = metadata.packages_distributions()
    wanted: list[str] = []
    for module in modules:
        top = module.partition(".")[0]
        if top in FORBIDDEN:
            raise ValueError(f"module {top!r} is never visible to students' code")
        if importlib.util.find_spec(top) is None:
            raise ValueError(f"module {top!r} is not installed here")
        wanted += providers.get(top, [])
    found: dict[str, metadata.Distribution] = {}
    while wanted:
        name = _normalised(wanted.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency that is not installed
        if _normalised(dist.metadata["Name"] or name) in FORBIDDEN:
            continue
        found[name] = dist
        wanted += [n for r in dist.requires or () if (n := _requirement_name(r))]
    return list(found.values())


def _entries(dist: metadata.Distribution) -> tuple[str, list[str]]:
    """The distribution's site folder and its top-level files and folders in it."""
    site = os.path.realpath(str(dist.locate_file("")))
    names = {
        # top-level modules' caches file by file: the folder holds other distributions' too
        os.path.join(*path.parts[:2]) if path.parts[0] == "__pycache__" else path.parts[0]
        for path in dist.files or ()
        if len(path.parts) > 1 or (path.parts and path.parts[0] not in ("..", "__pycache__"))
    }
    names.discard("..")
    if not names:  # no RECORD: its import names and its metadata folder
        top_level = dist.read_text("top_level.txt") or ""
        names = {line.strip() for line in top_level.splitlines() if line.strip()}
    entries = []
    for name in sorted(names):
        path = os.path.join(site, name)
        if os.path.lexists(path) and name.partition(".")[0] not in FORBIDDEN:
            entries.append(os.path.realpath(path) if os.path.islink(path) else path)
    return site, entries


def _site_folders(trees: list[str]) -> list[str]:
    """Every site or dist-packages folder inside the bound trees."""
    found = []
    for tree in trees:
        for pattern in _SITE_PATTERNS:
            for prefix in ("", "local/"):
                found += glob.glob(os.path.join(tree, prefix + pattern))
    return sorted({os.path.realpath(p) for p in found if os.path.isdir(p)})


@functools.lru_cache(maxsize=8)
def python_view(modules: tuple[str, ...]) -> PythonView:
    """The view for a run allowed to import ``modules`` (each with its dependencies).

    Raises :class:`ValueError` for a module that is not installed or never allowed."""
    trees = ["/usr", os.path.realpath(sys.base_prefix)]
    entries: list[str] = []
    site_dirs: list[str] = []
    for dist in _distributions(modules):
        site, found = _entries(dist)
        entries += [e for e in found if e not in entries]
        if site not in site_dirs:
            site_dirs.append(site)
    return PythonView(
        trees=tuple(dict.fromkeys(trees)),
        hidden=tuple(_site_folders(trees)),
        entries=tuple(entries),
        site_dirs=tuple(site_dirs),
    )
