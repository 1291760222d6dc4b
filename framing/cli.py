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
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only problems, no summary.")
    ] = False,
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
    _print(
        f"check {verdict}: {len(report.records)} records, {len(report.errors)} errors, "
        f"{len(report.warnings)} warnings"
    )
    if report.errors:
        raise typer.Exit(1)


@app.command("train")
def train_command(
    config: Annotated[
        Path, typer.Argument(help="Training config YAML, e.g. configs/default.yaml.")
    ],
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
    data: Annotated[
        list[Path], typer.Argument(help="Labelled JSONL file(s), e.g. labels/*.jsonl.")
    ],
    model: Annotated[Path, typer.Option(help="Model folder written by `framing train`.")],
    split: Annotated[
        str | None, typer.Option(help="Only records with this split, e.g. test or ood_test.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score a labelled file with the model and two baselines, side by side.

    Baselines: the taxonomy's cue lexicon with precedence, and TF-IDF + logistic regression
    fitted on the model's own training split. Prints accuracy, macro-F1, per-frame F1 and,
    when records carry tags, accuracy per tag.

    Examples:

      framing evaluate labels/ood-colombia-myanmar-ni.jsonl --model models/default

      framing evaluate labels/*.jsonl --model models/default --split ood_test
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
        bool,
        typer.Option(
            help="ONNX Runtime int8 (outlier channels kept fp32): ~2x faster on CPU, ~99% of "
            "labels identical on FA-KES with the default model; takes ~10 s to prepare."
        ),
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

    opts = _guard(
        lambda: make_options(
            inputs=inputs,
            model=model,
            out=out,
            format=format,
            batch_size=batch_size,
            fast=fast,
            strict=strict,
            overwrite=overwrite,
            threads=threads,
            id_field=id_field,
            text_field=text_field,
            outlet_field=outlet_field,
            title_field=title_field,
            date_field=date_field,
            url_field=url_field,
            input_format=input_format,
            date_format=date_format,
            chunk_sentences=chunk_sentences,
            progress=progress,
        )
    )
    summary = _guard(lambda: score(opts))
    _print(render_summary(summary))


_SINCE = typer.Option(help="Only sentences dated on or after this day (YYYY-MM-DD).")
_UNTIL = typer.Option(help="Only sentences dated on or before this day (YYYY-MM-DD).")
_OUTLETS = typer.Option(help="Only these outlets, comma-separated, e.g. 'SANA,Reuters'.")
_MIN_FRAMED = typer.Option(help="Framed sentences an outlet needs to be ranked and contrasted.")
_N_BOOT = typer.Option(help="Bootstrap (and permutation) replicates.")
_MODEL = typer.Option(
    help="Model folder whose held-out confusion matrix corrects the shares "
    "(default: the model named in SCORES_DIR/provenance.json)."
)


@app.command("compare")
def compare_command(
    scores_dir: Annotated[Path, typer.Argument(help="Output folder of `framing score`.")],
    model: Annotated[Path | None, _MODEL] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the CSV and Markdown tables (default: SCORES_DIR/compare)."),
    ] = None,
    since: Annotated[str | None, _SINCE] = None,
    until: Annotated[str | None, _UNTIL] = None,
    outlets: Annotated[str | None, _OUTLETS] = None,
    min_framed: Annotated[int, _MIN_FRAMED] = 30,
    min_framed_actor: Annotated[
        int, typer.Option(help="Same, for one outlet's sentences about one actor.")
    ] = 10,
    n_boot: Annotated[int, _N_BOOT] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same intervals.")] = 0,
    adjust: Annotated[
        str, typer.Option(help="Multiple-testing correction: holm (family-wise) or bh (FDR).")
    ] = "holm",
) -> None:
    """Compare outlets: frame shares, legitimacy index and voice, each with a 95% CI.

    Per outlet: documents, sentences, framed sentences, the share of each frame among framed
    sentences, the legitimacy index (mean taxonomy weight over framed sentences) and the
    attributed share. Intervals come from a bootstrap that resamples ARTICLES within an outlet.
    Pairwise contrasts use a permutation test over articles with Holm (or BH) correction.
    Outlets with fewer than --min-framed framed sentences are flagged, not ranked. Also: how
    each outlet frames each actor of labels/actors.yaml, and shares corrected with the model's
    held-out (dev) confusion matrix.

    Writes outlets, contrasts, actors, corrected as .csv and .md, and compare.json, to --out.

    Examples:

      framing compare runs/fakes

      framing compare runs/fakes --outlets SANA,Reuters,"Al-Manar" --since 2015-01-01

      framing compare runs/fakes --model models/default --n-boot 2000 --seed 1 --out tables/
    """
    from framing.compare import compare_scores, make_settings
    from framing.tables import summary_text, write_tables

    settings = _guard(
        lambda: make_settings(
            min_framed=min_framed,
            min_framed_actor=min_framed_actor,
            n_boot=n_boot,
            seed=seed,
            adjust=adjust,
        )
    )
    result = _guard(lambda: compare_scores(scores_dir, model, since, until, outlets, settings))
    paths = write_tables(result, out or scores_dir / "compare")
    _print(summary_text(result))
    _print("wrote " + ", ".join(str(p) for p in paths))


@app.command("report")
def report_command(
    scores_dir: Annotated[Path, typer.Argument(help="Output folder of `framing score`.")],
    model: Annotated[Path | None, _MODEL] = None,
    out: Annotated[
        Path, typer.Option(help="HTML file to write; PNG figures go to <name>_figures/.")
    ] = Path("report.html"),
    since: Annotated[str | None, _SINCE] = None,
    until: Annotated[str | None, _UNTIL] = None,
    outlets: Annotated[str | None, _OUTLETS] = None,
    min_framed: Annotated[int, _MIN_FRAMED] = 30,
    n_boot: Annotated[int, _N_BOOT] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same intervals.")] = 0,
    examples: Annotated[int, typer.Option(help="Example sentences per outlet and frame.")] = 3,
) -> None:
    """Write one self-contained HTML page (works offline) and PNG figures for papers.

    The page shows outlet profiles as stacked bars with CIs, the legitimacy index ranked with
    CIs, the per-actor table, raw vs corrected shares, and example sentences per outlet and
    frame with the framing words highlighted. All article text is HTML-escaped; the page runs
    no scripts and loads nothing from the network.

    Examples:

      framing report runs/fakes --out runs/fakes/report.html

      framing report runs/fakes --model models/default --outlets SANA,Reuters --examples 5
    """
    from framing.compare import compare_scores, make_settings
    from framing.report import build_report

    settings = _guard(lambda: make_settings(min_framed=min_framed, n_boot=n_boot, seed=seed))
    result = _guard(lambda: compare_scores(scores_dir, model, since, until, outlets, settings))
    files = build_report(result, out, examples)
    _print(
        f"wrote {files.html} and {len(files.figures)} figures in "
        f"{files.figures[0].parent if files.figures else out.parent}"
    )
