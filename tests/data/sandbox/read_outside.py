"""Tries to read files outside its work folder; reports what it got."""


def read(paths):
    found = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as stream:
                found[path] = "READ: " + stream.read(4096)
        except OSError as exc:
            found[path] = f"{type(exc).__name__}: {exc.strerror}"
    return found
