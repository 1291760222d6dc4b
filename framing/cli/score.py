"""`framing score`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from framing.cli.common import DeviceOption, app, emit, guard
from framing.inference.device import Device
from framing.scoring.sources import InputFormatChoice
from framing.scoring.summary import OutputFormatChoice


class EngineChoice(StrEnum):
    """`--engine` choices: this process, or a Ray cluster (`framing.scoring.engine_ray`)."""

    local = "local"
    ray = "ray"


@app.command("score")
def score_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="JSON Lines / JSON array / CSV / TSV file(s), each optionally "
                       ".gz; Parquet file(s); .zip archive(s); folder(s) of .txt files; or - "
                       "(stdin). UTF-8, or UTF-16 with a byte-order mark. See docs/scoring.md."),
    ],
    model: Annotated[Path, typer.Option(help="Model folder written by `framing train`.")],
    out: Annotated[Path, typer.Option(help="Output folder (created; resumed if interrupted).")],
    format: Annotated[
        OutputFormatChoice, typer.Option("--format", help="Output table format.")
    ] = OutputFormatChoice.parquet,
    batch_size: Annotated[int, typer.Option(help="Sentences per forward pass.")] = 64,
    fast: Annotated[
        bool,
        typer.Option(
            help="ONNX Runtime int8 (outlier channels kept fp32): 1.6x the default path's "
            "speed on 2 CPU cores, 99.5% of labels identical on FA-KES (docs/speed.md); ~5-15 "
            "s to prepare once, then cached in the model folder. Needs the `fast` extra."
        ),
    ] = False,
    strict: Annotated[bool, typer.Option(help="Stop at the first bad record.")] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            help="Replace a different earlier run in --out (and what compare "
            "and report derived from it)."
        ),
    ] = False,
    threads: Annotated[
        int | None,
        typer.Option(help="Torch threads (default: all cores; with --engine ray: per actor, "
                     "default 1)."),
    ] = None,
    device: DeviceOption = Device.auto,
    id_field: Annotated[
        str | None, typer.Option(help="Input field with the id (default: id).")
    ] = None,
    text_field: Annotated[
        str | None, typer.Option(help="Field with the text (default: text).")
    ] = None,
    outlet_field: Annotated[
        str | None,
        typer.Option(help="Field with the outlet (default: outlet; empty: the url's registered "
                     "domain, e.g. cnn.com for edition.cnn.com)."),
    ] = None,
    title_field: Annotated[
        str | None, typer.Option(help="Field with the title (default: title).")
    ] = None,
    date_field: Annotated[
        str | None, typer.Option(help="Field with the date (default: date).")
    ] = None,
    url_field: Annotated[
        str | None, typer.Option(help="Field with the url (default: url).")
    ] = None,
    input_format: Annotated[
        InputFormatChoice | None, typer.Option(help="Input format (default: from the suffix).")
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strptime format of dates, e.g. %d/%m/%Y.")
    ] = None,
    chunk_sentences: Annotated[
        int, typer.Option(help="Sentences per resumable output chunk.")
    ] = 4096,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="local: this process; ray: actors on a Ray cluster, same outputs "
                     "(needs the `ray` extra; see docs/cluster.md)."),
    ] = EngineChoice.local,
    address: Annotated[
        str | None,
        typer.Option(envvar="RAY_ADDRESS", help="With --engine ray: the cluster to join, e.g. "
                     "10.0.0.1:6379 (default: a local Ray runtime with this machine's cores)."),
    ] = None,
    actors: Annotated[
        int | None,
        typer.Option(help="With --engine ray: actors, each with its own model copy (default: "
                     "the cluster's CPUs / --threads)."),
    ] = None,
) -> None:
    """Split articles into sentences, frame every sentence, write tables for pandas or R.

    Writes to OUT: sentences.<fmt> (one row per sentence, with p_<frame> probabilities and
    voice), documents.<fmt> (counts, shares, legitimacy per article), outlets.<fmt>,
    provenance.json and rejects.jsonl (bad records, with file:line, field, kind and reason).
    The outlet comes from the url's registered domain when the outlet field is empty (the full
    host is kept in the host column); date is a real date, date_raw the value as given. A
    killed run restarted with the same command resumes; re-running a finished one changes
    nothing. A run that scores no document exits 2 with the reason.

    Examples:

      framing score articles.jsonl --model models/default --out runs/articles

      \b
      framing score fa-kes-original.csv --model models/default --out runs/fakes-csv \\
        --id-field unit_id --title-field article_title --text-field article_content \\
        --outlet-field source

      framing score seeds/ --model models/default --out runs/seeds --format csv

      framing score archive.zip news.jsonl.gz --model models/default --out runs/archive

      cat articles.jsonl | framing score - --model models/default --out runs/stdin

      framing score archive.jsonl --model models/default --out runs/archive --engine ray
    """
    from framing.scoring.options import make_options
    from framing.scoring.score import score
    from framing.scoring.summary import render_summary

    opts = guard(
        lambda: make_options(
            inputs=inputs,
            model=model,
            out=out,
            format=format.value,
            batch_size=batch_size,
            fast=fast,
            strict=strict,
            overwrite=overwrite,
            threads=threads if engine == EngineChoice.local else None,
            device=device,
            id_field=id_field,
            text_field=text_field,
            outlet_field=outlet_field,
            title_field=title_field,
            date_field=date_field,
            url_field=url_field,
            input_format=input_format.value if input_format else None,
            date_format=date_format,
            chunk_sentences=chunk_sentences,
            progress=progress,
        )
    )
    if engine == EngineChoice.ray:
        from framing.scoring.engine_ray import make_ray_settings, score_with_ray

        settings = guard(lambda: make_ray_settings(address=address, actors=actors,
                                                   threads=threads))
        summary = guard(lambda: score_with_ray(opts, settings))
    else:
        if actors is not None:
            guard(_ray_only("--actors"))
        summary = guard(lambda: score(opts))
    emit(render_summary(summary))


def _ray_only(option: str):  # type: ignore[no-untyped-def]
    def fail() -> None:
        from framing.errors import FramingError

        raise FramingError(f"{option} applies to --engine ray only; add --engine ray or drop it")

    return fail
