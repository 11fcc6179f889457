"""Raises deep in the student's own code."""


def helper(x):
    return x / 0  # the failing line


def backward(x):
    return helper(x) + 1
