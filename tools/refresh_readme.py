"""Rewrite the output shown under each `$ backviz …` example of README.md with what the command
prints now (as many lines as shown before a `...` line, or all of it). Run after changing
what a command prints; tests/test_readme.py fails until the README shows the real output."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def refresh(block: str) -> str:
    lines = block.split("\n")
    command = lines[0][2:]
    shown = lines[1:]
    truncated = "..." in shown
    keep = shown.index("...") if truncated else None
    args = shlex.split(command)
    result = subprocess.run(
        [sys.executable, "-m", "backviz", *args[1:]], capture_output=True, text=True, cwd=ROOT
    )
    printed = (result.stdout + result.stderr).rstrip("\n").split("\n")
    body = [*printed[:keep], "..."] if truncated else printed
    return "\n".join([lines[0], *body]) + "\n"


def main() -> None:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?<=```console\n)(.*?)(?=```)", lambda m: refresh(m.group(1)), text, flags=re.S)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
