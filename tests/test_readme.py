"""The README is the user's manual: its commands and their shown output must be true."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, list[str]]]:
    """(command, shown output lines up to a '...' line) of each ```console block."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        lines = block.splitlines()
        assert lines[0].startswith("$ "), lines[0]
        shown = []
        for line in lines[1:]:
            if line == "...":
                break
            shown.append(line)
        examples.append((lines[0][2:], shown))
    return examples


def test_first_block_holds_the_two_commands() -> None:
    first = re.search(r"```\w*\n(.*?)```", README, flags=re.S).group(1).strip().splitlines()
    assert first == ["./run demo", "./run test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./run test" in ci


@pytest.mark.parametrize(("command", "shown"), console_examples(), ids=lambda v: str(v)[:60])
def test_console_example_prints_what_the_readme_shows(command: str, shown: list[str]) -> None:
    args = shlex.split(command)
    assert args[0] == "backviz"
    result = subprocess.run(
        [sys.executable, "-m", "backviz", *args[1:]], capture_output=True, text=True, cwd=ROOT
    )
    printed = (result.stdout + result.stderr).splitlines()
    assert printed[: len(shown)] == shown
