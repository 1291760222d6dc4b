"""`framing data check`: validate labelled JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from framing.cli.common import app, emit, guard
from framing.taxonomy import DEFAULT_TAXONOMY

if TYPE_CHECKING:
    from framing.data.sealed import Sealed

data_app = typer.Typer(help="Check labelled datasets.", no_args_is_help=True,
                       rich_markup_mode=None)
app.add_typer(data_app, name="data")


def read_sealed(paths: list[Path]) -> Sealed:
    """The sealed articles of `--sealed` lists: ids, and their text when the corpus sits beside
    the list (`framing.data.sealed`); exit 2 naming a missing or unreadable file."""
    from framing.data.sealed import read_sealed as read

    return guard(lambda: read(paths))


@data_app.command("check")
def data_check(
    files: Annotated[list[Path], typer.Argument(help="JSONL files of labelled sentences.")],
    taxonomy: Annotated[
        Path, typer.Option(help="Taxonomy the frames must come from.")
    ] = DEFAULT_TAXONOMY,
    sealed: Annotated[
        list[Path] | None,
        typer.Option(help="SEALED.txt of a corpus: a labelled sentence of a listed article, or "
                     "one sharing 10 words in a row with one (the corpus's *.jsonl beside the "
                     "list is read), is an error. Repeat for several corpora."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only problems, no summary.")
    ] = False,
) -> None:
    """Validate labelled JSONL files and print a summary.

    Checks the schema, unknown frames/voices/tags (with a did-you-mean), empty and duplicate
    texts, duplicate ids and sentence keys, identical texts with different frames,
    near-duplicates (word-3-gram Jaccard > 0.8; across splits = leakage), sealed articles (and
    sentences sharing 10 words in a row with one: wire copy) and label balance. Exits 1 when
    there are errors.

    Examples:

      framing data check labels/*.jsonl labels/real/*.jsonl

      \b
      framing data check labels/real/*.jsonl \\
        --sealed ../shared/corpora/fa-kes/SEALED.txt --sealed ../shared/corpora/muc34/SEALED.txt
    """
    from framing.data.check import check_dataset, summarise
    from framing.taxonomy import load_taxonomy

    tax = guard(lambda: load_taxonomy(taxonomy))
    report = check_dataset(files, tax, read_sealed(sealed or []))
    if not quiet:
        emit(summarise(report.records, tax))
    for w in report.warnings:
        typer.echo(f"warning: {w}", err=True)
    for e in report.errors:
        typer.echo(f"error: {e}", err=True)
    verdict = "FAILED" if report.errors else "passed"
    emit(
        f"check {verdict}: {len(report.records)} records, {len(report.errors)} errors, "
        f"{len(report.warnings)} warnings"
    )
    if report.errors:
        raise typer.Exit(1)
