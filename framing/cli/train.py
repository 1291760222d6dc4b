"""`framing train` and `framing evaluate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from framing.cli.common import DeviceOption, app, emit, guard
from framing.inference.device import Device


@app.command("train")
def train_command(
    config: Annotated[
        Path, typer.Argument(help="Training config YAML, e.g. configs/default.yaml.")
    ],
    overwrite: Annotated[
        bool, typer.Option(help="Replace an existing run folder at output_dir.")
    ] = False,
    device: DeviceOption = Device.auto,
) -> None:
    """Fine-tune a framing classifier from one YAML config and write models/<run>/.

    The config is validated first (unknown keys and out-of-range values fail with the field
    named). The run folder holds safetensors weights, tokenizer, config.yaml, taxonomy.yaml,
    metrics.json (per held-out split, and per real corpus), calibration.json, heldout.parquet,
    provenance.json and a README model card.

    Example: framing train configs/default.yaml
    """
    from framing.training.config import load_config
    from framing.training.train import train

    cfg = guard(lambda: load_config(config))
    out = guard(lambda: train(cfg, overwrite=overwrite, device=device))
    emit(f"run folder: {out}")
    emit((out / "README.md").read_text())


@app.command("evaluate")
def evaluate_command(
    data: Annotated[
        list[Path], typer.Argument(help="Labelled JSONL file(s), e.g. labels/real/*.jsonl.")
    ],
    model: Annotated[Path, typer.Option(help="Model folder written by `framing train`.")],
    split: Annotated[
        str | None, typer.Option(help="Only records with this split, e.g. test or ood_test.")
    ] = None,
    min_framed: Annotated[
        int, typer.Option(help="Gold-framed sentences an outlet needs to count in the share "
                          "error.")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    device: DeviceOption = Device.auto,
) -> None:
    """Score labelled files with the model and two baselines, side by side.

    Baselines: the taxonomy's cue lexicon with precedence, and TF-IDF + logistic regression
    fitted on the model's own training split. Prints accuracy, macro-F1 (and over frames with
    at least 20 gold sentences), per-frame F1, per group (sentences written for the project,
    each real corpus), accuracy per tag, and, on whole random articles, each system's
    per-outlet share error against the gold shares.

    Examples:

      framing evaluate labels/real/*.jsonl --model models/default --split test

      framing evaluate labels/*.jsonl --model models/default --split ood_test
    """
    from framing.training.evaluate import evaluate, render_evaluation

    result = guard(lambda: evaluate(model, data, split, min_framed=min_framed, device=device))
    emit(json.dumps(result, indent=2) if as_json else render_evaluation(result))
