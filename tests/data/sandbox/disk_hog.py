"""Fills the disk: files of 4 MiB (below the file-size limit) in its work folder and in the
shared folders, up to a bound. Reports how many MiB it got written in each."""

import os


def fill(folders, most_mib):
    chunk = b"x" * (4 * 2**20)
    written = {}
    for folder in folders:
        written[folder] = 0
        for n in range(most_mib // 4):
            try:
                with open(os.path.join(folder, f"fill-{os.getpid()}-{n}"), "wb") as stream:
                    stream.write(chunk)
            except OSError:
                break
            written[folder] += 4
    return written
