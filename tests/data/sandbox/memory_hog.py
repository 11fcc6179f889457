"""Asks for far more memory than allowed: all at once, or a little at a time."""


def at_once():
    block = bytearray(64 * 2**30)
    return len(block)


def slowly():
    blocks = []
    while True:
        blocks.append(bytearray(32 * 2**20))
        blocks[-1][::4096] = b"x" * len(range(0, len(blocks[-1]), 4096))
