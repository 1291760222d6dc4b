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
