"""`framing data check`: validate labelled JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framing.cli.common import app, emit, guard
from framing.taxonomy import DEFAULT_TAXONOMY

data_app = typer.Typer(help="Check labelled datasets.", no_args_is_help=True,
                       rich_markup_mode=None)
app.add_typer(data_app, name="data")


def read_sealed(paths: list[Path]) -> set[str]:
    """Article ids listed in SEALED.txt-style files (one id per line or space-separated)."""
    ids: set[str] = set()
    for path in paths:
        if not path.is_file():
            typer.echo(f"error: {path}: sealed-id file not found", err=True)
            raise typer.Exit(2)
        ids |= set(path.read_text(encoding="utf-8").split())
    return ids


@data_app.command("check")
def data_check(
    files: Annotated[list[Path], typer.Argument(help="JSONL files of labelled sentences.")],
    taxonomy: Annotated[
        Path, typer.Option(help="Taxonomy the frames must come from.")
    ] = DEFAULT_TAXONOMY,
    sealed: Annotated[
        list[Path] | None,
        typer.Option(help="SEALED.txt of a corpus: a labelled sentence of a listed article is "
                     "an error. Repeat for several corpora."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only problems, no summary.")
    ] = False,
) -> None:
    """Validate labelled JSONL files and print a summary.

    Checks the schema, unknown frames/voices/tags (with a did-you-mean), empty and duplicate
    texts, duplicate ids and sentence keys, identical texts with different frames,
    near-duplicates (word-3-gram Jaccard > 0.8; across splits = leakage), sealed articles and
    label balance. Exits 1 when there are errors.

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
