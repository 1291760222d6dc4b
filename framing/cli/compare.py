"""`framing compare` and `framing report`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from framing.cli.common import app, emit, guard

SINCE = typer.Option(help="Only sentences dated on or after this day (YYYY-MM-DD).")
UNTIL = typer.Option(help="Only sentences dated on or before this day (YYYY-MM-DD).")
OUTLETS = typer.Option(help="Only these outlets, comma-separated, e.g. 'SANA,Reuters'.")
MIN_FRAMED = typer.Option(help="Framed sentences an outlet needs to be ranked and contrasted.")
N_BOOT = typer.Option(help="Bootstrap (and permutation) replicates.")
SEED = typer.Option(help="Random seed: same seed, same intervals.")
LEVEL = typer.Option(help="Confidence level of every interval, e.g. 0.9 or 0.99.")
MODEL = typer.Option(
    help="Model folder whose held-out errors correct the shares "
    "(default: the model named in SCORES_DIR/provenance.json)."
)


class PAdjust(StrEnum):
    holm = "holm"
    bh = "bh"


@app.command("compare")
def compare_command(
    scores_dir: Annotated[Path, typer.Argument(help="Output folder of `framing score`.")],
    model: Annotated[Path | None, MODEL] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the CSV and Markdown tables (default: SCORES_DIR/compare)."),
    ] = None,
    since: Annotated[str | None, SINCE] = None,
    until: Annotated[str | None, UNTIL] = None,
    outlets: Annotated[str | None, OUTLETS] = None,
    min_framed: Annotated[int, MIN_FRAMED] = 30,
    min_framed_actor: Annotated[
        int, typer.Option(help="Same, for one outlet's sentences about one actor.")
    ] = 10,
    n_boot: Annotated[int, N_BOOT] = 1000,
    seed: Annotated[int, SEED] = 0,
    level: Annotated[float, LEVEL] = 0.95,
    adjust: Annotated[
        PAdjust, typer.Option(help="Multiple-testing correction: holm (family-wise) or bh (FDR).")
    ] = PAdjust.holm,
) -> None:
    """Compare outlets: frame shares, legitimacy index and voice, each with a CI.

    Per outlet: documents, sentences, framed sentences, the share of each frame among framed
    sentences, the legitimacy index (mean taxonomy weight over framed sentences) and the
    attributed share. Intervals come from a bootstrap that resamples ARTICLES within an outlet.
    Pairwise contrasts use a permutation test over articles with Holm (or BH) correction.
    Outlets with fewer than --min-framed framed sentences are flagged, not ranked. Also: how
    each outlet frames each actor of the gazetteer, and shares corrected with the model's
    held-out confusion matrix.

    Writes outlets, contrasts, actors, corrected as .csv and .md, and compare.json, to --out.

    Examples:

      framing compare runs/fakes

      framing compare runs/fakes --outlets SANA,Reuters,"Al-Manar" --since 2015-01-01

      framing compare runs/fakes --model models/default --n-boot 2000 --level 0.9 --out tables/
    """
    from framing.comparison.compare import compare_scores, make_settings
    from framing.comparison.tables import summary_text, write_tables

    settings = guard(
        lambda: make_settings(min_framed=min_framed, min_framed_actor=min_framed_actor,
                              n_boot=n_boot, seed=seed, adjust=adjust.value, level=level)
    )
    result = guard(lambda: compare_scores(scores_dir, model, since, until, outlets, settings))
    paths = write_tables(result, out or scores_dir / "compare")
    emit(summary_text(result))
    emit("wrote " + ", ".join(str(p) for p in paths))


@app.command("report")
def report_command(
    scores_dir: Annotated[Path, typer.Argument(help="Output folder of `framing score`.")],
    model: Annotated[Path | None, MODEL] = None,
    out: Annotated[
        Path, typer.Option(help="HTML file to write; PNG figures go to <name>_figures/.")
    ] = Path("report.html"),
    since: Annotated[str | None, SINCE] = None,
    until: Annotated[str | None, UNTIL] = None,
    outlets: Annotated[str | None, OUTLETS] = None,
    min_framed: Annotated[int, MIN_FRAMED] = 30,
    n_boot: Annotated[int, N_BOOT] = 1000,
    seed: Annotated[int, SEED] = 0,
    level: Annotated[float, LEVEL] = 0.95,
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
    from framing.comparison.compare import compare_scores, make_settings
    from framing.report.html import build_report

    settings = guard(lambda: make_settings(min_framed=min_framed, n_boot=n_boot, seed=seed,
                                           level=level))
    result = guard(lambda: compare_scores(scores_dir, model, since, until, outlets, settings))
    files = build_report(result, out, examples)
    emit(
        f"wrote {files.html} and {len(files.figures)} figures in "
        f"{files.figures[0].parent if files.figures else out.parent}"
    )
