"""Read and validate an exercise file (TOML) into an `Exercise`.

Every problem becomes one `ExerciseError` naming the file, the field path (with the line where
it can be found), what was expected and what was found; unknown keys get a "did you mean". Only
validation lives here: the one computation, that an expression's numbers are finite at its
inputs, is `core.expression.non_finite`, called once its nodes are valid.

`file.py` reads the file, `heading.py` its top-level keys; `network.py` (with `training.py`,
`ask.py` and `init.py`) and `expression.py` read the sections; `fields.py` is the reader they
all share.
"""

from __future__ import annotations

from .file import load, loads

__all__ = ["load", "loads"]
