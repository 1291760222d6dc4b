"""`framing label suggest | annotate | merge`: label your own corpus, offline, in the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from framing.cli.common import app, emit, guard
from framing.cli.data import read_sealed
from framing.data.records import Selection
from framing.taxonomy import DEFAULT_TAXONOMY

label_app = typer.Typer(
    help="Label sentences of your own corpus: suggest a queue, annotate it, merge the labels.",
    no_args_is_help=True, rich_markup_mode=None,
)
app.add_typer(label_app, name="label")


def _labelled_keys(paths: list[Path]) -> set[tuple[str, int]]:
    from framing.labelling.suggest import item_key

    keys: set[tuple[str, int]] = set()
    for path in paths:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if "doc_id" in record and "sentence_idx" in record:
                keys.add(item_key(record))
    return keys


@label_app.command("suggest")
def suggest_command(
    scores_dir: Annotated[Path, typer.Argument(help="Output folder of `framing score`.")],
    out: Annotated[Path, typer.Option(help="Queue file to write (JSONL).")],
    strategy: Annotated[Selection, typer.Option(help="How to pick sentences.")] = Selection.mixed,
    n: Annotated[int | None, typer.Option(help="Sentences to suggest.")] = None,
    per_outlet: Annotated[
        int | None, typer.Option(help="With --strategy random: sentences per outlet, drawn as "
                                 "whole random articles.")
    ] = None,
    per_doc: Annotated[int, typer.Option(help="At most this many sentences of one article "
                                         "(not for random).")] = 3,
    skip: Annotated[
        list[Path] | None, typer.Option(help="Labelled or queued files whose sentences are never "
                                        "suggested again. Repeat for several.")
    ] = None,
    corpus: Annotated[str | None, typer.Option(help="Corpus name stamped on each item.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same queue.")] = 0,
    sealed: Annotated[
        list[Path] | None,
        typer.Option(help="SEALED.txt of a corpus: never suggest a sentence of a listed article "
                     "or one sharing 10 words in a row with one (merge --sealed refuses them)."),
    ] = None,
) -> None:
    """Pick sentences of a scored corpus to label.

    Strategies: random (whole articles at random: the natural mix, for checking outlet shares),
    uncertain (smallest margin between the model's two likeliest frames), disagree (model and
    cue lexicon disagree), mixed (both, round-robin over outlets). Every item carries the
    previous and next sentence as context and the model's guess.

    Examples:

      \b
      framing label suggest runs/fakes --strategy random --per-outlet 100 --out queue.jsonl \\
        --sealed ../shared/corpora/fa-kes/SEALED.txt

      framing label suggest runs/fakes --strategy mixed --n 300 --skip labelled.jsonl --out q2.jsonl
    """
    from framing.labelling.suggest import sealed_keys, suggest, write_queue
    from framing.scoring.results import load_scores

    scores = guard(lambda: load_scores(scores_dir))
    exclude = _labelled_keys(list(skip or []) + [out])
    if sealed:
        exclude |= sealed_keys(scores.sentences, read_sealed(sealed))
    items = guard(lambda: suggest(scores.sentences, scores.taxonomy, strategy, n, per_outlet,
                                  per_doc, seed, exclude, corpus))
    write_queue(items, out)
    docs = len({i.doc_id for i in items})
    emit(f"wrote {len(items)} sentences from {docs} articles to {out} (strategy "
         f"{strategy.value}); label them with: framing label annotate {out} --out labelled.jsonl")


@label_app.command("annotate")
def annotate_command(
    queue: Annotated[Path, typer.Argument(help="Queue written by `framing label suggest`.")],
    out: Annotated[Path, typer.Option(help="Labelled JSONL to append to (resumed if it "
                                      "exists).")],
    taxonomy: Annotated[Path, typer.Option(help="Taxonomy of the frames.")] = DEFAULT_TAXONOMY,
) -> None:
    """Label a queue one sentence at a time: one key per frame, then one per voice.

    Keys: 1-6 frames in precedence order; a/t (authorial, attributed) for the voice of a framed
    sentence; u undo, s skip, g tags, q quit, ? keys. Each answer is saved at once; run the
    same command again to resume.

    Example: framing label annotate queue.jsonl --out labelled.jsonl
    """
    from framing.labelling.annotate import Session, annotate
    from framing.taxonomy import load_taxonomy

    tax = guard(lambda: load_taxonomy(taxonomy))
    session = Session(read_key=lambda: typer.getchar(echo=False), show=emit,
                      ask=lambda prompt: typer.prompt(prompt, default="", show_default=False))
    counts = guard(lambda: annotate(queue, out, tax, session))
    emit(f"labelled {counts['labelled']} now, skipped {counts['skipped']}, "
         f"{counts['remaining']} left in {queue}; answers in {out}")


@label_app.command("merge")
def merge_command(
    labelled: Annotated[Path, typer.Argument(help="Labelled JSONL from `framing label "
                                             "annotate`.")],
    into: Annotated[Path, typer.Option(help="Dataset file to append to, e.g. "
                                       "labels/real/mine.jsonl.")],
    sealed: Annotated[
        list[Path] | None, typer.Option(help="SEALED.txt of a corpus: its articles are refused.")
    ] = None,
    taxonomy: Annotated[Path, typer.Option(help="Taxonomy of the frames.")] = DEFAULT_TAXONOMY,
) -> None:
    """Validate labelled sentences and append them to a dataset file.

    The same checks as `framing data check` run on the target and the new records together;
    duplicates, conflicting labels and sealed articles refuse the merge (exit 2) and leave the
    target as it was.

    Example: framing label merge labelled.jsonl --into labels/real/mine.jsonl
    """
    from framing.labelling.merge import merge_labels
    from framing.taxonomy import load_taxonomy

    tax = guard(lambda: load_taxonomy(taxonomy))
    result = guard(lambda: merge_labels(labelled, into, tax, read_sealed(sealed or [])))
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    emit(f"merged {result.added} records into {result.target} ({result.total} in all)")
