"""The app object and what every command shares: error handling, printing, common options.

Exit codes: 0 ok; 1 a check failed (`framing data check` found errors); 2 a mistake in the
input the user can fix (config, data, paths, options), printed as one message on stderr.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from framing import __version__
from framing.errors import FramingError
from framing.inference.device import Device

app = typer.Typer(
    help="Measure how news outlets frame non-state armed actors, sentence by sentence.\n\n"
    "Pipeline: framing train -> framing score -> framing compare / framing report; "
    "framing label helps you label your own corpus; framing data check validates labels.\n\n"
    "Exit codes: 0 ok, 1 a check failed, 2 a mistake in your input (the message says which "
    "file, record and field, and the fix).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

T = TypeVar("T")


def guard(call: Callable[[], T]) -> T:
    """Run `call`; a FramingError becomes one line on stderr and exit code 2."""
    try:
        return call()
    except FramingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _version(value: bool) -> None:
    if value:
        emit(f"framing {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True,
                                         help="More log output (-v info, -vv debug).")] = 0,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Measure how news outlets frame non-state armed actors, sentence by sentence."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if verbose == 0:
        # transformers prints a progress bar while loading weights; the CLI has its own
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()


DEVICE = typer.Option(help="Where the model runs: auto (CUDA when present, else CPU), cpu, "
                      "cuda or mps. On CUDA, mixed precision.")
DeviceOption = Annotated[Device, DEVICE]
