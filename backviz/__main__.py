"""`python -m backviz`: the same as the `backviz` command."""

from .cli import main

main()
