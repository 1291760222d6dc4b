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
from framing.taxonomy import DEFAULT_TAXONOMY

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


# --- data, train, evaluate (issue 2) --------------------------------------------------------


@data_app.command("check")
def data_check(
    files: Annotated[list[Path], typer.Argument(help="JSONL files of labelled sentences.")],
    taxonomy: Annotated[
        Path, typer.Option(help="Taxonomy the frames must come from.")
    ] = DEFAULT_TAXONOMY,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only problems, no summary.")] = False,
) -> None:
    """Validate labelled JSONL files and print a summary.

    Checks the schema, unknown frames/voices/tags (with a did-you-mean), empty and duplicate
    texts, duplicate ids, near-duplicates (word-3-gram Jaccard > 0.8; across splits = leakage)
    and label balance. Exits 1 when there are errors.

    Example: framing data check labels/*.jsonl
    """
    from framing.data import check_dataset, summarise
    from framing.taxonomy import load_taxonomy

    tax = _guard(lambda: load_taxonomy(taxonomy))
    report = check_dataset(files, tax)
    if not quiet:
        _print(summarise(report.records, tax))
    for w in report.warnings:
        typer.echo(f"warning: {w}", err=True)
    for e in report.errors:
        typer.echo(f"error: {e}", err=True)
    verdict = "FAILED" if report.errors else "passed"
    _print(f"check {verdict}: {len(report.records)} records, {len(report.errors)} errors, "
           f"{len(report.warnings)} warnings")
    if report.errors:
        raise typer.Exit(1)


@app.command("train")
def train_command(
    config: Annotated[Path, typer.Argument(help="Training config YAML, e.g. configs/default.yaml.")],
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing run folder at output_dir.")
    ] = False,
) -> None:
    """Fine-tune a framing classifier from one YAML config and write models/<run>/.

    The config is validated first (unknown keys and out-of-range values fail with the field
    named). The run folder holds safetensors weights, tokenizer, config.yaml, taxonomy.yaml,
    metrics.json (dev/test/ood_test), calibration.json, provenance.json and a README model card.

    Example: framing train configs/default.yaml
    """
    from framing.config import load_config
    from framing.train import train

    cfg = _guard(lambda: load_config(config))
    out = _guard(lambda: train(cfg, overwrite=overwrite))
    _print(f"run folder: {out}")
    _print((out / "README.md").read_text())


@app.command("evaluate")
def evaluate_command(
    model: Annotated[Path, typer.Option(help="Model folder written by `framing train`.")],
    data: Annotated[list[Path], typer.Option(help="Labelled JSONL file(s); repeat the option.")],
    split: Annotated[
        str | None, typer.Option(help="Only records with this split, e.g. test or ood_test.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score a labelled file with the model and two baselines, side by side.

    Baselines: the taxonomy's cue lexicon with precedence, and TF-IDF + logistic regression
    fitted on the model's own training split. Prints accuracy, macro-F1, per-frame F1 and,
    when records carry tags, accuracy per tag.

    Example: framing evaluate --model models/default --data labels/ood-colombia-myanmar-ni.jsonl
    """
    import json

    from framing.evaluate import evaluate, render_evaluation

    result = _guard(lambda: evaluate(model, data, split))
    _print(json.dumps(result, indent=2) if as_json else render_evaluation(result))


@app.command("score")
def score_command(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="JSONL/CSV/Parquet file(s), folder(s) of .txt files, or - (stdin)."),
    ],
    model: Annotated[Path, typer.Option(help="Model folder written by `framing train`.")],
    out: Annotated[Path, typer.Option(help="Output folder (created; resumed if interrupted).")],
    format: Annotated[
        str, typer.Option("--format", help="Output format: parquet, jsonl or csv.")
    ] = "parquet",
    batch_size: Annotated[int, typer.Option(help="Sentences per forward pass.")] = 64,
    fast: Annotated[
        bool, typer.Option(help="int8 dynamic quantization: faster, labels may differ a little.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Stop at the first bad record.")] = False,
    overwrite: Annotated[
        bool, typer.Option(help="Replace a different earlier run in --out.")
    ] = False,
    threads: Annotated[int | None, typer.Option(help="Torch threads (default: all cores).")] = None,
    id_field: Annotated[str | None, typer.Option(help="Input field with the id [id].")] = None,
    text_field: Annotated[str | None, typer.Option(help="Field with the text [text].")] = None,
    outlet_field: Annotated[str | None, typer.Option(help="Outlet field [outlet].")] = None,
    title_field: Annotated[str | None, typer.Option(help="Field with the title [title].")] = None,
    date_field: Annotated[str | None, typer.Option(help="Field with the date [date].")] = None,
    url_field: Annotated[str | None, typer.Option(help="Field with the url [url].")] = None,
    input_format: Annotated[
        str | None, typer.Option(help="jsonl, csv, parquet or txt (default: from the suffix).")
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strptime format of dates, e.g. %d/%m/%Y.")
    ] = None,
    chunk_sentences: Annotated[
        int, typer.Option(help="Sentences per resumable output chunk.")
    ] = 4096,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
) -> None:
    """Split articles into sentences, frame every sentence, write tables for pandas or R.

    Writes to OUT: sentences.<fmt> (one row per sentence, with p_<frame> probabilities and
    voice), documents.<fmt> (counts, shares, legitimacy per article), outlets.<fmt>,
    provenance.json and rejects.jsonl (bad records, with file:line, field and reason).
    The outlet comes from the url's domain when the outlet field is empty. A killed run
    restarted with the same command resumes; re-running a finished one changes nothing.

    Examples:

      framing score articles.jsonl --model models/default --out runs/articles

      framing score fa-kes-original.csv --model models/default --out runs/fakes-csv \\
        --id-field unit_id --title-field article_title --text-field article_content \\
        --outlet-field source

      framing score seeds/ --model models/default --out runs/seeds --format csv

      cat articles.jsonl | framing score - --model models/default --out runs/stdin
    """
    from framing.score import make_options, render_summary, score

    opts = _guard(lambda: make_options(
        inputs=inputs, model=model, out=out, format=format, batch_size=batch_size, fast=fast,
        strict=strict, overwrite=overwrite, threads=threads, id_field=id_field,
        text_field=text_field, outlet_field=outlet_field, title_field=title_field,
        date_field=date_field, url_field=url_field, input_format=input_format,
        date_format=date_format, chunk_sentences=chunk_sentences, progress=progress,
    ))
    summary = _guard(lambda: score(opts))
    _print(render_summary(summary))
