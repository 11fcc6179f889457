"""Prints ~20 MB, then returns a small, correct value."""

import sys


def forward(x):
    line = "spam " * 20 + "\n"
    for _ in range(200_000):
        sys.stdout.write(line)
    return [2 * v for v in x]
