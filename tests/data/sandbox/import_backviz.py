"""Tries to import the grader (backviz) and to read the grader's answer key."""

import sys


def plain():
    import backviz  # noqa: F401

    return "imported"


def via_path(project, answer_key):
    outcome = {}
    sys.path.insert(0, project)
    try:
        import backviz

        outcome["import"] = "IMPORTED " + str(getattr(backviz, "__file__", ""))
    except Exception as exc:
        outcome["import"] = type(exc).__name__
    try:
        with open(answer_key) as stream:
            outcome["key"] = "READ: " + stream.read()
    except OSError as exc:
        outcome["key"] = type(exc).__name__
    return outcome
