"""The `framing` command line: parse, call one function, print. No logic lives here.

Errors the user caused (config, data, paths) print one message to stderr and exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from framing.errors import FramingError

app = typer.Typer(
    help="Measure how news outlets frame non-state armed actors, sentence by sentence.",
    no_args_is_help=True,
    add_completion=False,
)
data_app = typer.Typer(help="Check labelled datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")

T = TypeVar("T")


def _guard(call: Callable[[], T]) -> T:
    """Run `call`; a FramingError becomes one line on stderr and exit code 2."""
    try:
        return call()
    except FramingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _print(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


ExistingPath = Annotated[Path, typer.Argument(exists=False)]
