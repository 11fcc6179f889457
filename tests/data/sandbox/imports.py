"""Looks for modules it was not given: every site folder the grader knows put on sys.path."""

import importlib
import sys


def try_imports(names, folders):
    sys.path.extend(folders)
    found = {}
    for name in names:
        try:
            module = importlib.import_module(name)
            found[name] = "IMPORTED from " + str(getattr(module, "__file__", "?"))
        except Exception as exc:
            found[name] = type(exc).__name__
    return found
