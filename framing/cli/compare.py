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


WEIGHT = typer.Option(help="sentence: pool an outlet's sentences (a long article weighs more); "
                      "article: every article weighs 1 in total.")
GOLD = typer.Option(help="Labelled random sample of SCORES_DIR (JSONL with doc_id, sentence_idx, "
                    "frame, as `framing label annotate` writes): adds PPI shares. Repeat for "
                    "several files.")
HALF_WIDTH = typer.Option(help="Target half-width of a share interval, in percentage points: "
                          "outlets with wider PPI intervals are flagged; --plan sizes samples "
                          "for it.")


class PAdjust(StrEnum):
    holm = "holm"
    bh = "bh"


class Adjust(StrEnum):
    acc = "acc"
    pacc = "pacc"
    emq = "emq"
    kdey = "kdey"


class Weight(StrEnum):
    sentence = "sentence"
    article = "article"


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
    p_adjust: Annotated[
        PAdjust, typer.Option(help="Multiple-testing correction: holm (family-wise) or bh (FDR).")
    ] = PAdjust.holm,
    adjust: Annotated[
        list[Adjust] | None,
        typer.Option(help="Share correction for classifier error; repeat for several. acc, pacc "
                     "(default: both; from the model's held-out confusion matrices), emq "
                     "(EMQ/SLD with BCTS recalibration), kdey (KDEy-ML); emq and kdey need "
                     "heldout.parquet in the model folder."),
    ] = None,
    weight: Annotated[Weight, WEIGHT] = Weight.sentence,
    gold: Annotated[list[Path] | None, GOLD] = None,
    half_width: Annotated[float, HALF_WIDTH] = 5.0,
    plan: Annotated[
        bool, typer.Option("--plan", help="Only say how many labelled sentences each outlet "
                           "needs for a ±--half-width interval (PPI), then stop.")
    ] = False,
) -> None:
    """Compare outlets: frame shares, legitimacy index and voice, each with a CI.

    Per outlet: documents, sentences, framed sentences, the share of each frame among framed
    sentences, the legitimacy index (mean taxonomy weight over framed sentences) and the
    attributed share. Intervals come from a bootstrap that resamples ARTICLES within an outlet.
    Pairwise contrasts use a permutation test over articles with Holm (or BH, --p-adjust)
    correction. Outlets with fewer than --min-framed framed sentences are flagged, not ranked.
    Also: how each outlet frames each actor of the gazetteer, and shares corrected for the
    model's errors (--adjust), with intervals that resample the held-out set too.

    With --gold (a labelled random sample of these articles): raw, PPI (prediction-powered
    inference) and labelled-only shares per outlet, intervals clustered by article, and the
    labelled sentences each outlet still needs for ±--half-width points.

    Writes outlets, contrasts, actors, corrected, labelled as .csv and .md, and compare.json,
    to --out (--plan writes plan.csv and plan.md).

    Examples:

      framing compare runs/fakes

      framing compare runs/fakes --outlets SANA,Reuters,"Al-Manar" --since 2015-01-01

      framing compare runs/fakes --adjust acc --adjust emq --adjust kdey --weight article

      framing compare runs/fakes --plan --half-width 5

      framing compare runs/fakes --gold labelled.jsonl --n-boot 2000 --level 0.9 --out tables/
    """
    from framing.comparison.compare import compare_scores, make_settings, plan_scores
    from framing.comparison.tables import (
        markdown,
        plan_display,
        summary_text,
        text_table,
        write_tables,
    )

    settings = guard(lambda: make_settings(
        min_framed=min_framed, min_framed_actor=min_framed_actor, n_boot=n_boot, seed=seed,
        p_adjust=p_adjust.value, level=level, weight=weight.value, half_width=half_width / 100,
        **({"adjust": tuple(a.value for a in dict.fromkeys(adjust))} if adjust else {})))
    folder = out or scores_dir / "compare"
    if plan:
        table, notes = guard(lambda: plan_scores(scores_dir, model, since, until, outlets, gold,
                                                 settings))
        shown = plan_display(table, settings.half_width)
        folder.mkdir(parents=True, exist_ok=True)
        table.to_csv(folder / "plan.csv", index=False)
        (folder / "plan.md").write_text(markdown(shown), encoding="utf-8")
        emit(f"Labelled sentences per outlet for a ±{half_width:g}-point PPI interval on every "
             f"framed share ({100 * level:g}% level)")
        emit(text_table(shown))
        emit("\n".join(f"note: {n}" for n in notes))
        emit(f"wrote {folder / 'plan.csv'}, {folder / 'plan.md'}")
        return
    result = guard(lambda: compare_scores(scores_dir, model, since, until, outlets, settings,
                                          gold))
    paths = write_tables(result, folder)
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
    adjust: Annotated[
        list[Adjust] | None,
        typer.Option(help="Share corrections shown beside the raw shares (as in compare)."),
    ] = None,
    weight: Annotated[Weight, WEIGHT] = Weight.sentence,
    gold: Annotated[list[Path] | None, GOLD] = None,
    half_width: Annotated[float, HALF_WIDTH] = 5.0,
) -> None:
    """Write one self-contained HTML page (works offline) and PNG figures for papers.

    The page shows outlet profiles as stacked bars with CIs, the legitimacy index ranked with
    CIs, the per-actor table, raw / corrected / PPI shares side by side (PPI with --gold, with
    the labelled sentences per outlet and flags for outlets that need more), and example
    sentences per outlet and frame with the framing words highlighted. All article text is
    HTML-escaped; the page runs no scripts and loads nothing from the network.

    Examples:

      framing report runs/fakes --out runs/fakes/report.html

      framing report runs/fakes --model models/default --outlets SANA,Reuters --examples 5

      framing report runs/fakes --gold labelled.jsonl --adjust acc --adjust emq
    """
    from framing.comparison.compare import compare_scores, make_settings
    from framing.report.html import build_report

    settings = guard(lambda: make_settings(
        min_framed=min_framed, n_boot=n_boot, seed=seed, level=level, weight=weight.value,
        half_width=half_width / 100,
        **({"adjust": tuple(a.value for a in dict.fromkeys(adjust))} if adjust else {})))
    result = guard(lambda: compare_scores(scores_dir, model, since, until, outlets, settings,
                                          gold))
    files = build_report(result, out, examples)
    emit(
        f"wrote {files.html} and {len(files.figures)} figures in "
        f"{files.figures[0].parent if files.figures else out.parent}"
    )
