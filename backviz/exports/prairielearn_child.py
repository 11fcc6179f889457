"""What runs a student's function for the PrairieLearn coding question (`backviz_child.py`,
copied verbatim into the question's `tests/`): one case, in a process of its own.

The exported grader (`prairielearn_grader.py`, running as root) starts it with PrairieLearn's
Python (`python3 -I`), as a uid of its own no file of the question belongs to, in an empty
folder holding only the student's file, this harness and the value codec, with the grader's
folders made unreadable to it: it is given the case's inputs on stdin — never an expected
value, a marking spec or the cases to come — and sends back on a file descriptor of its own
what the function returned, as JSON (`backviz_codec.py`, the sandbox's codec: numpy arrays as
nested lists of floats), and which arguments it changed in place. Whatever the student's code
does in here (reads files, walks `gc.get_objects()`, inspects frames, prints, writes its own
"result", exits, forks, loops) it finds only its own inputs, and the grader judges the value
that came back by its own rules.

Standard library only, and numpy when the image has it (PrairieLearn's grader-python does):
the arguments arrive as float64 arrays, as `backviz grade` gives them. What the student's code
may import is what backviz's sandbox lets it import: the standard library and the modules the
grader names (`[code] modules` with their dependencies); any other import fails as it does
there (`_Allowed`).
"""

import contextlib
import copy
import json
import os
import sys

MAX_RESULT_BYTES = 8 * 1024 * 1024
PRINTED_CHARS = 64 * 1024  # what is kept of what the code prints; the grader shows less


class _Capped:
    """A text stream that keeps what is written to it up to `PRINTED_CHARS`, then drops the
    rest: a function printing megabytes is graded as `backviz grade` grades it, not killed by
    the output file's size limit (RLIMIT_FSIZE)."""

    def __init__(self, stream) -> None:
        self.stream, self.left = stream, PRINTED_CHARS

    def write(self, text: str) -> int:
        if self.left > 0:
            kept = str(text)[: self.left]
            self.left -= len(kept)
            self.stream.write(kept)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


"""The largest value sent back (a 2-2-1 network's is a few kilobytes)."""


def _arrays():
    """How a tagged array of the arguments is rebuilt: numpy's float64, else a list."""
    try:
        import numpy
    except ImportError:
        return None
    return lambda data, dtype: numpy.array(data, dtype=dtype)


def _same(a, b) -> bool:
    """Whether an argument is as it was given (numpy arrays compared element-wise)."""
    if type(a).__module__ == "numpy" or type(b).__module__ == "numpy":
        import numpy

        return bool(numpy.array_equal(numpy.asarray(a), numpy.asarray(b), equal_nan=True))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))
    return bool(a == b or (a != a and b != b))


class _Allowed:
    """A finder first on `sys.meta_path`: an import of a top-level module that is neither in
    the standard library nor among the allowed ones fails as it fails in backviz's sandbox,
    where such a module is not there (ModuleNotFoundError: No module named 'scipy'). A rule,
    not a wall: the student's code runs in this process and could take it out, and what it
    would reach then is only the image's other packages — never the grader's files, which
    another uid keeps from it."""

    def __init__(self, modules) -> None:
        self.allowed = set(modules) | set(sys.stdlib_module_names) | set(sys.builtin_module_names)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.allowed:
            return None  # the other finders find it
        raise ModuleNotFoundError(f"No module named {top!r}", name=top)


def _reason(error: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def main() -> None:
    result_fd, function, source = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import backviz_codec as codec

    pid = os.getpid()
    result = os.fdopen(result_fd, "w", encoding="utf-8")
    request = json.load(sys.stdin)
    arguments = codec.decode_value(request["arguments"], make_array=_arrays())
    sys.stdin.close()
    if request.get("modules") is not None:  # after the harness's own imports
        sys.meta_path.insert(0, _Allowed(request["modules"]))
    sys.stdout, sys.stderr = _Capped(sys.stdout), _Capped(sys.stderr)
    namespace = {"__name__": "solution", "__file__": source}
    answer: dict = {}
    try:
        with open(source, encoding="utf-8-sig", errors="replace") as file:  # a BOM, as Python
            code = compile(file.read(), os.path.basename(source), "exec")
        exec(code, namespace)
        cells = [str(line)[:300] for line in namespace.get("__backviz_cells__", [])][:20]
        answer["cells"] = cells
        if function not in namespace:
            raise NameError(
                f"no function {function}() is defined" + "".join("; " + c for c in cells[:3])
            )
        before = copy.deepcopy(arguments)
        value = namespace[function](**arguments)
        changed = [k for k in arguments if not _same(arguments[k], before[k])]
        answer.update(value=codec.encode_value(value, limit=MAX_RESULT_BYTES), changed=changed)
    except codec.ResultTooBig:
        answer = {"error": "too-much-output: the value returned is too big to judge"}
    except BaseException as error:  # SystemExit and KeyboardInterrupt too: the case ends here
        import traceback

        traceback.print_exc()
        answer = {"error": f"error: {_reason(error)}", "cells": answer.get("cells", [])}
    for stream in (sys.stdout, sys.stderr):  # what it printed, before os._exit drops it
        with contextlib.suppress(Exception):  # a stream the student's code replaced
            stream.flush()
    if os.getpid() != pid:  # a process the student's code forked: it sends nothing
        os._exit(0)
    try:
        text = json.dumps(answer, allow_nan=False)
    except (TypeError, ValueError) as error:
        text = json.dumps({"error": f"bad-output: {_reason(error)}"})
    result.write(text)
    result.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
