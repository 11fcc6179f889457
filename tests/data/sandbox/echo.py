"""Sends its arguments back, with their types: how arguments arrive inside."""


def echo(**arguments):
    return {
        "values": arguments,
        "types": {name: type(value).__name__ for name, value in arguments.items()},
    }
