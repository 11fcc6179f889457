"""The `backviz` command: parses arguments, calls the API, maps errors to messages and exit codes.

Exit status: 0 success; 1 `check` found a mismatch; 2 bad input (exercise file, arguments);
3 a missing dependency.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import BackvizError

__all__ = ["main"]

FORMATS = ("text", "md", "latex", "html", "json", "csv")


def _fail(error: BackvizError) -> None:
    click.echo(f"backviz: {error}", err=True)
    sys.exit(error.exit_status)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    from .files import write_atomic

    write_atomic(out, text)
    click.echo(f"wrote {out}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backviz")
def main() -> None:
    """backviz: backpropagation one number at a time."""


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text, md, latex, html: the worked solution; json, csv: the answer key for scripts.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
@click.option(
    "--decimals",
    type=click.IntRange(0, 17),
    default=8,
    show_default=True,
    help="Decimals shown in text output (csv and json always carry full precision).",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Write to this file instead.")
@click.option("--only", metavar="NAME", help="Only this quantity's worked equation (e.g. dE/dW5).")
def solve(
    exercise: Path, fmt: str, lang: str, decimals: int, out: Path | None, only: str | None
) -> None:
    """Compute every quantity of EXERCISE (a .toml exercise file)."""
    from .api import solve as compute

    try:
        trace = compute(exercise)
    except BackvizError as error:
        _fail(error)
        return
    if fmt == "json":
        from .export import to_json

        _emit(to_json(trace), out)
    elif fmt == "csv":
        from .export import to_csv

        _emit(to_csv(trace), out)
    else:
        from .render import render_solution

        try:
            _emit(render_solution(trace, fmt, lang=lang, decimals=decimals, only=only), out)
        except BackvizError as error:
            _fail(error)


@main.command()
@click.argument("exercises", type=click.Path(path_type=Path, file_okay=False), default="exercises")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default="solutions",
    show_default=True,
    help="Folder for the generated Markdown solutions.",
)
def solutions(exercises: Path, out: Path) -> None:
    """Write every exercise's worked solution (Markdown, English and Korean) into a folder."""
    from .publish import write_solutions

    try:
        written = write_solutions(exercises, out)
    except BackvizError as error:
        _fail(error)
        return
    click.echo(f"wrote {len(written)} files to {out}/", err=True)


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default="backviz-demo",
    show_default=True,
    help="Folder for the demo's files.",
)
@click.option("--lang", type=click.Choice(("en", "ko")), default="en", show_default=True)
def demo(out: Path, lang: str) -> None:
    """The whole job on the notes' 2-2-2 example: the worked solution here, files in a folder."""
    from .api import solve as compute
    from .publish import write_demo
    from .render import render_solution

    exercise = Path(__file__).resolve().parent / "data" / "seed-222.toml"
    click.echo(render_solution(compute(exercise), "text", lang=lang), nl=False)
    paths = write_demo(exercise, out)
    click.echo("")
    click.echo(f"Files written to {out}/:")
    for path in paths:
        click.echo(f"  {path}")


@main.command()
@click.argument("exercise", type=click.Path(path_type=Path))
def check(exercise: Path) -> None:
    """Compare every quantity of EXERCISE with torch.autograd, finite differences and sympy.

    Prints the largest absolute and relative error per source and kind of quantity; exits
    with status 1 when any exceeds its tolerance (1e-9 relative against torch).
    """
    from .api import solve as compute
    from .render.check_table import check_table
    from .verify import check as run_check

    try:
        report = run_check(compute(exercise))
    except BackvizError as error:
        _fail(error)
        return
    click.echo(check_table(report), nl=False)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
