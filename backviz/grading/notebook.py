"""A Jupyter notebook handed in for a coding exercise, as the Python file the sandbox runs.

Nothing of the notebook is run here: its JSON is parsed (bounded: `NOTEBOOK_BYTES`, nested
no deeper than JSON's parser allows) and its code cells' text written into a module, each
cell a call that runs it in the sandbox, in order, as "Restart & Run All" would, except that
a cell that raises is reported ("cell 3 raised NameError: …", cells counted from the top of
the notebook, Markdown cells included) and the cells after it still run, as nbgrader and
otter-grader run a notebook: the function is graded whatever a scratch cell did. IPython's
own syntax is left out of a cell that is not Python as written — a line magic (`%time …`,
`x = %who_ls`), a shell line (`!pip install …`), a help line (`np.mean?`) becomes `pass` —
and a cell magic's cell (`%%bash`, `%%html`, `%%writefile`) is not Python and is skipped;
`%%time`, `%%timeit` and `%%capture` keep their cell's code. Jupyter's `display()` is there,
showing nothing. Before each cell the module writes `[backviz: cell N]` to stderr, and
`[backviz: every cell ran]` after the last, so a case stopped by its time limit can say which
cell was running (`running_cell`): a cell looping for ever is named, not just "timeout". A
notebook that is not one (not JSON, not nbformat 4, cells that are not cells) is refused with
the reason: that student's 0, the class goes on.
"""

from __future__ import annotations

import json
import re

__all__ = ["NOTEBOOK_BYTES", "NotebookError", "notebook_module", "running_cell", "without_marks"]

NOTEBOOK_BYTES = 20 * 1024 * 1024
"""The largest notebook read (20 MB): its plots' images count, though none is looked at."""

KEPT_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
"""Cell magics whose cell is Python: the magic line is left out, the code kept."""

_IPYTHON_LINE = re.compile(
    r"(?P<indent>[ \t]*)(?:(?:[A-Za-z_][\w.]*\s*=\s*)?[%!].*|[\w.\[\]()'\"]+\?\??[ \t]*)"
)
"""A line IPython reads as its own: a magic or shell line (perhaps assigned), a help line."""


class NotebookError(ValueError):
    """A file handed in as a notebook that is not one: its message says why, for the student."""


def _cells(raw: bytes) -> list[tuple[int, str]]:
    """(number counted from 1 over all cells, source) of each code cell."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(f"not UTF-8 text (byte {error.start}): not a notebook") from None
    try:
        notebook = json.loads(text)
    except RecursionError:
        raise NotebookError("JSON nested too deep: not a notebook") from None
    except ValueError as error:
        raise NotebookError(f"not JSON ({error}): not a notebook Jupyter saved") from None
    if not isinstance(notebook, dict):
        raise NotebookError("JSON, but not a notebook (no 'cells')")
    if "worksheets" in notebook:
        raise NotebookError("an nbformat 3 notebook: open it in Jupyter and save it (nbformat 4)")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("JSON, but not a notebook (no list of 'cells')")
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"cell {number} is not a notebook cell (no 'cell_type')")
        if cell["cell_type"] != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"cell {number}'s 'source' is not text")
        found.append((number, source))
    return found


def _without_ipython(source: str) -> str | None:
    """The cell with IPython's own lines as `pass` (line numbers kept); None for a cell
    magic's cell that is not Python."""
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in KEPT_CELL_MAGICS:
            return None
        lines[first] = ""
    for i, line in enumerate(lines):
        found = _IPYTHON_LINE.fullmatch(line)
        if found and line.strip():
            lines[i] = f"{found['indent']}pass"
    return "\n".join(lines)


# The module's head: runs one cell's code in the module's namespace (so what a cell defines
# is the module's), and tells a cell that raises, or that is not Python, with its number.
_HEAD = '''"""The code cells of {name}, run in order by backviz (grading/notebook.py)."""

__backviz_cells__ = []


def __backviz_cell__(number, *sources):
    import linecache
    import sys
    import traceback

    sys.__stderr__.write(f"\\n[backviz: cell {{number}}]\\n")
    sys.__stderr__.flush()
    where = f"<cell {{number}}>"
    for tried, source in enumerate(sources, start=1):
        try:
            code = compile(source, where, "exec", dont_inherit=True)
            break
        except (SyntaxError, ValueError) as error:
            if tried == len(sources):
                line = getattr(error, "lineno", None)
                shown = source.split("\\n")[line - 1].strip()[:80] if line else ""
                at = f" (line {{line}}: {{shown}})" if line else ""
                message = getattr(error, "msg", str(error))
                __backviz_cells__.append(
                    f"cell {{number}} is not Python: {{type(error).__name__}}: {{message}}{{at}}"
                )
                return
    linecache.cache[where] = (len(source), None, source.splitlines(True), where)
    try:
        exec(code, globals())
    except BaseException as error:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == where]
        line = frames[-1].lineno if frames else None
        shown = source.split("\\n")[line - 1].strip()[:80] if line else ""
        at = f" (line {{line}}: {{shown}})" if line else ""
        text = str(error).split("\\n")[0][:200]
        __backviz_cells__.append(
            f"cell {{number}} raised {{type(error).__name__}}{{': ' + text if text else ''}}{{at}}"
        )


def display(*objects, **options):
    """Jupyter's display(): nothing is shown where backviz runs the notebook."""

'''


def notebook_module(raw: bytes, name: str) -> str:
    """The Python module running the code cells of the notebook `raw` (named `name`), or
    NotebookError saying why it is not a notebook. The module keeps, in
    `__backviz_cells__`, a line for each cell that raised or was not Python."""
    shown = name.encode("ascii", "backslashreplace").decode().replace('"', "'").replace("\\", "/")
    lines = [_HEAD.format(name=shown)]
    for number, source in _cells(raw):
        if not source.strip():
            continue
        plain = _without_ipython(source)
        if plain is None:
            continue
        versions = [source] if plain == source else [source, plain]
        lines.append(f"__backviz_cell__({number}, {', '.join(map(repr, versions))})\n")
    lines.append(_DONE)
    return "".join(lines)


_DONE = '__import__("sys").__stderr__.write("\\n[backviz: every cell ran]\\n")\n'
_MARK = re.compile(r"^\[backviz: (?:cell (?P<number>[0-9]+)|(?P<done>every cell ran))\]$", re.M)


def running_cell(stderr: str) -> int | None:
    """The cell that was running when a case stopped, from the end of its stderr: its number;
    0 when every cell had run (the function itself was running); None when the end of
    stderr names none (the code wrote over the marks, or stopped before the first cell)."""
    marks = list(_MARK.finditer(stderr))
    if not marks:
        return None
    last = marks[-1]
    return 0 if last["done"] else int(last["number"])


def without_marks(text: str) -> str:
    """A message quoting the end of stderr (a crash's) without the module's cell marks."""
    return "\n".join(line for line in text.split("\n") if not _MARK.fullmatch(line)).strip()
