"""The floors of the package (docs/architecture.md), enforced: no module imports upward, not even
inside a function, and no modules import each other in a cycle.

Every `import` and `from … import` of backviz's own modules is read from the source (function
bodies included; `if TYPE_CHECKING:` blocks left out, as they never run), so a layering that
holds only in the README fails here, naming the importing line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backviz"

# Each floor and the floors it may import (besides its own). Lowest first.
FLOORS: dict[str, set[str]] = {
    "base": set(),  # errors, files, parallel: what every floor uses
    "core": {"base"},  # the exercise model, loading, engine, formulas, the traces, export
    "render": {"core", "base"},  # solutions, diagrams, the walkthrough, notebook display
    "verify": {"core", "base"},  # checks against torch, finite differences, sympy
    "sandbox": {"base"},  # running students' code in isolation
    "grading": {"render", "sandbox", "core", "base"},  # sheets, verdicts, reports, code
    "exports": {"grading", "render", "sandbox", "core", "base"},  # Gradescope, Moodle, PL, …
    "top": {"exports", "grading", "render", "verify", "sandbox", "core", "base"},  # API, CLI
}
BASE = {"backviz.errors", "backviz.files", "backviz.parallel"}
TOP = {"backviz", "backviz.__main__", "backviz.cli", "backviz.publish"}


def module_name(path: Path) -> str:
    parts = ["backviz", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def floor_of(module: str) -> str:
    if module in BASE:
        return "base"
    if module in TOP:
        return "top"
    floor = module.split(".")[1]
    assert floor in FLOORS, f"{module} is on no floor: add it to FLOORS (docs/architecture.md)"
    return floor


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def imports_of(module: str) -> list[tuple[str, int]]:
    """(imported backviz module, line) for every import that runs, function-local included."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    edges = []
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # `from . import formulas` imports a module; `from .x import name` imports x
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                for alias in node.names
            ]
        edges.extend((t, node.lineno) for t in targets if t in MODULES and t != module)
    return edges


GRAPH = {module: imports_of(module) for module in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_floor_above_its_own(module: str) -> None:
    floor = floor_of(module)
    upward = [
        f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {target} "
        f"(floor {floor_of(target)}; {floor} may import {sorted(FLOORS[floor]) or 'nothing'})"
        for target, line in GRAPH[module]
        if floor_of(target) != floor and floor_of(target) not in FLOORS[floor]
    ]
    assert not upward, "\n".join(upward)


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w, _ in GRAPH[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(_path_through(sorted(group)))

    for v in sorted(GRAPH):
        if v not in index:
            connect(v)
    return groups


def _path_through(group: list[str]) -> list[str]:
    """One import cycle inside a strongly connected group, from its first module back to it."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w, _ in GRAPH[v]:
                if w == start:
                    return [*paths[v], start]
                if w in members and w not in paths:
                    paths[w] = [*paths[v], w]
                    following.append(w)
        frontier = following
    return group


def test_no_import_cycles() -> None:
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_the_checker_sees_function_local_and_relative_imports() -> None:
    """The rules above would pass vacuously if imports were not found: check known edges."""
    assert ("backviz.core.wiring", 0) in [(t, 0) for t, _ in GRAPH["backviz.core.trace"]]
    assert "backviz.core.formulas" in {t for t, _ in GRAPH["backviz.core.wiring"]}
    assert "backviz.grading.code" in {t for t, _ in GRAPH["backviz.grading.run"]}
    assert floor_of("backviz.core.trace") == "core"
    assert floor_of("backviz.cli") == "top"
