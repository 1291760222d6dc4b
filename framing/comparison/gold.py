"""A labelled sample of the scored corpus (`framing compare --gold`), matched to the score table.

Input: labelled JSONL (as `framing label annotate` writes, or `labels/real/*.jsonl`; read by
`framing.data.records`, so a bad record is refused with its file, line and field). Every record
names its sentence by `doc_id` + `sentence_idx`, the key of a `framing score` row; its `frame`
is the gold label.

Rules:
- PPI needs a RANDOM sample of articles: an article enters the sample when one of its records has
  `selection` "random" or no `selection` field (assumed random, said in the notes). Records of
  articles chosen otherwise (uncertain, disagree, mixed) are set aside and counted in the notes;
  records of a random article keep their labels whatever their own selection, so an article
  labelled partly by an earlier active-learning queue is still complete.
- A record whose key is not in the score table, or whose `outlet` differs from the table's, is
  an error: the sample was drawn from another scoring run.
- The same key twice with the same frame counts once; with different frames it is an error.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from framing.data.records import LabelledSentence, load_labelled
from framing.errors import FramingError
from framing.scoring.results import ScoredSentences

GOLD_COLUMN = "gold"
"""Column of the sentence table holding the gold frame of labelled sentences (else null)."""


def _by_key(records: list[LabelledSentence]) -> tuple[dict[tuple[str, int], LabelledSentence],
                                                      int]:
    found: dict[tuple[str, int], LabelledSentence] = {}
    repeated = 0
    for r in records:
        if r.key is None:
            raise FramingError(
                f"{r.where}: no 'doc_id' and 'sentence_idx': a gold sample names each sentence "
                "of the scored corpus by these two fields (`framing label annotate` writes them)"
            )
        if r.key in found:
            if found[r.key].frame != r.frame:
                raise FramingError(
                    f"{r.where}: sentence {r.key} is labelled {r.frame!r} here but "
                    f"{found[r.key].frame!r} at {found[r.key].where}; keep one label"
                )
            repeated += 1
            continue
        found[r.key] = r
    return found, repeated


def _random_articles(records: dict[tuple[str, int], LabelledSentence]) -> tuple[set[str], int]:
    """Articles in the random sample, and how many of them say nothing about their selection."""
    selections: dict[str, set[str | None]] = {}
    for (doc, _), r in records.items():
        selections.setdefault(doc, set()).add(r.selection)
    chosen = {d for d, s in selections.items() if s & {None, "random"}}
    return chosen, sum(1 for d in chosen if selections[d] == {None})


def attach_gold(scores: ScoredSentences, paths: list[Path]) -> ScoredSentences:
    """The score table with a `gold` column (null where unlabelled); notes say what was used."""
    records, repeated = _by_key(load_labelled(paths, scores.taxonomy))
    df = scores.sentences
    index = {k: i for i, k in enumerate(zip(df["doc_id"], df["sentence_idx"].astype(int),
                                            strict=True))}
    unknown = [r for k, r in records.items() if k not in index]
    if unknown:
        shown = "; ".join(f"{r.where} ({r.doc_id}, {r.sentence_idx})" for r in unknown[:3])
        raise FramingError(
            f"{len(unknown)} gold record(s) name sentences that are not in {scores.path}, e.g. "
            f"{shown}; the sample must be drawn from this scoring run (framing label suggest "
            f"{scores.path.parent} --strategy random ...)"
        )
    for key, r in records.items():
        outlet = df["outlet"].iat[index[key]]
        if r.outlet is not None and r.outlet != outlet:
            raise FramingError(f"{r.where}: field 'outlet' is {r.outlet!r} but the score table "
                               f"has {outlet!r} for {key}; the sample is from another corpus")
    chosen, unstated = _random_articles(records)
    kept = {k: r for k, r in records.items() if k[0] in chosen}
    gold = pd.Series([None] * len(df), index=df.index, dtype=object)
    for key, r in kept.items():
        gold.iat[index[key]] = r.frame
    notes = list(scores.notes)
    notes.append(f"gold sample: {len(kept)} labelled sentences of {len(chosen)} random articles "
                 f"from {', '.join(str(p) for p in paths)}")
    if len(kept) < len(records):
        notes.append(f"gold sample: {len(records) - len(kept)} labelled sentences of articles "
                     "not drawn at random (selection uncertain/disagree/mixed) set aside: PPI "
                     "needs a random sample")
    if unstated:
        notes.append(f"gold sample: {unstated} articles have no 'selection' field; assumed drawn "
                     "at random")
    if repeated:
        notes.append(f"gold sample: {repeated} records repeated a sentence with the same label; "
                     "counted once")
    return ScoredSentences(scores.path, df.assign(**{GOLD_COLUMN: gold}), scores.taxonomy,
                           scores.provenance, scores.model_dir, notes)
