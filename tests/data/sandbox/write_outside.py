"""Tries to overwrite, replace and create files outside its work folder."""

import os


def write(targets, new_files):
    outcome = {}
    for path in targets:
        try:
            with open(path, "w") as stream:
                stream.write("overwritten by the student")
            outcome[path + " (write)"] = "WRITTEN"
        except OSError as exc:
            outcome[path + " (write)"] = type(exc).__name__
        try:
            with open("replacement.txt", "w") as stream:
                stream.write("replaced by the student")
            os.replace("replacement.txt", path)
            outcome[path + " (replace)"] = "REPLACED"
        except OSError as exc:
            outcome[path + " (replace)"] = type(exc).__name__
    for path in new_files:
        try:
            with open(path, "x") as stream:
                stream.write("import os  # planted by the student\n")
            outcome[path] = "CREATED"
        except OSError as exc:
            outcome[path] = type(exc).__name__
    return outcome
