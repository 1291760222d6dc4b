"""`framing label suggest`: pick sentences of a scored corpus for a person to label.

Strategies (each never proposes a sentence already labelled or already queued):
- `random`: whole articles drawn at random, every sentence of each, until `n` sentences (or, with
  `per_outlet`, that many sentences per outlet). The natural mix, mostly `none`: what a random
  labelled sample for checking outlet shares needs.
- `uncertain`: the sentences with the smallest margin between the model's two most probable
  frames (needs the `p_<frame>` columns `framing score` writes).
- `disagree`: sentences where the model and the taxonomy's cue lexicon disagree, least confident
  first.
- `mixed`: uncertain and disagreeing sentences interleaved, taken round-robin over outlets.
Except for `random`, at most `per_doc` sentences come from one article, so that picks spread
over documents. Every queued item carries its article's previous and next sentence as context,
the model's guess, and the strategy that chose it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from framing.data.records import Selection
from framing.data.sealed import Sealed
from framing.errors import FramingError
from framing.taxonomy import Taxonomy
from framing.text.cues import CueLexicon

Strategy = Selection  # a record's `selection` is the strategy that chose it


@dataclass(frozen=True)
class QueueItem:
    """One sentence to label, with what the annotator needs to see."""

    doc_id: str
    sentence_idx: int
    outlet: str
    text: str
    context_before: str
    context_after: str
    model_frame: str
    model_probability: float | None
    lexicon_frame: str
    selection: str
    corpus: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return self.doc_id, self.sentence_idx


def item_key(record: dict) -> tuple[str, int]:
    """(doc_id, sentence_idx) of a queue or labelled record: the key of a sentence in a corpus."""
    return str(record["doc_id"]), int(record["sentence_idx"])


def sealed_keys(sentences: pd.DataFrame, sealed: Sealed) -> set[tuple[str, int]]:
    """Keys of the sentences `framing label merge --sealed` would refuse: of a sealed article,
    or sharing a word run with one (wire copy), so a queue never asks for them."""
    rows = zip(sentences["doc_id"], sentences["sentence_idx"], sentences["text"], strict=True)
    return {(doc, int(idx)) for doc, idx, text in rows
            if str(doc) in sealed.ids or sealed.shared_run(str(text)) is not None}


def suggest(
    sentences: pd.DataFrame,
    taxonomy: Taxonomy,
    strategy: Strategy,
    n: int | None = None,
    per_outlet: int | None = None,
    per_doc: int = 3,
    seed: int = 0,
    exclude: Iterable[tuple[str, int]] = (),
    corpus: str | None = None,
) -> list[QueueItem]:
    """Pick sentences of a `framing score` sentence table by `strategy`; see the module doc.

    `n` bounds the total number of sentences, `per_outlet` the number per outlet (random: whole
    articles are added until the bound is reached, so the last article may overshoot it).
    """
    if n is None and per_outlet is None:
        raise FramingError("say how many sentences to suggest: --n N or --per-outlet N")
    if per_outlet is not None and strategy != Strategy.random:
        raise FramingError("--per-outlet draws whole random articles: use it with "
                           "--strategy random")
    df = _with_context(sentences, taxonomy)
    excluded = set(exclude)
    if excluded:
        keys = list(zip(df["doc_id"], df["sentence_idx"], strict=True))
        df = df[[k not in excluded for k in keys]]
    rng = np.random.default_rng(seed)
    strategy = Strategy(strategy)
    if strategy == Strategy.random:
        picked = _random_articles(df, n, per_outlet, rng)
    else:
        if not all(f"p_{x}" in df.columns for x in taxonomy.labels):
            raise FramingError(
                f"--strategy {strategy.value} needs the p_<frame> probability columns that "
                "`framing score` writes; this sentence table has none (use --strategy random)"
            )
        picked = _ranked(df, strategy, n or 0, per_doc, rng)
    return [_item(row, strategy, corpus) for _, row in picked.iterrows()]


def _with_context(sentences: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    df = sentences.sort_values(["doc_id", "sentence_idx"], kind="stable").reset_index(drop=True)
    same_doc_prev = df["doc_id"].eq(df["doc_id"].shift(1))
    same_doc_next = df["doc_id"].eq(df["doc_id"].shift(-1))
    df["context_before"] = df["text"].shift(1).where(same_doc_prev, "")
    df["context_after"] = df["text"].shift(-1).where(same_doc_next, "")
    df["lexicon_frame"] = CueLexicon(taxonomy).predict(df["text"].astype(str).tolist())
    probs = [f"p_{x}" for x in taxonomy.labels]
    if all(c in df.columns for c in probs):
        p = np.sort(df[probs].to_numpy(dtype=float), axis=1)
        df["model_probability"] = p[:, -1]
        df["margin"] = p[:, -1] - p[:, -2]
    else:
        df["model_probability"] = np.nan
        df["margin"] = np.nan
    return df


def _random_articles(df: pd.DataFrame, n: int | None, per_outlet: int | None,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Whole articles in a seeded random order until each bound is met."""
    docs = df.drop_duplicates("doc_id")[["doc_id", "outlet"]].to_numpy()
    order = rng.permutation(len(docs))
    sizes = df.groupby("doc_id", sort=False).size()
    chosen: list[str] = []
    total, by_outlet = 0, dict.fromkeys(df["outlet"].unique(), 0)
    for i in order:
        doc_id, outlet = docs[i]
        if n is not None and total >= n:
            break
        if per_outlet is not None and by_outlet[outlet] >= per_outlet:
            continue
        chosen.append(doc_id)
        total += int(sizes[doc_id])
        by_outlet[outlet] += int(sizes[doc_id])
    rank = {d: k for k, d in enumerate(chosen)}
    picked = df[df["doc_id"].isin(rank)]
    return picked.assign(_rank=picked["doc_id"].map(rank)).sort_values(
        ["_rank", "sentence_idx"], kind="stable")


def _ranked(df: pd.DataFrame, strategy: Strategy, n: int, per_doc: int,
            rng: np.random.Generator) -> pd.DataFrame:
    """The n best candidates by margin, at most `per_doc` per article."""
    df = df.assign(_tie=rng.random(len(df)))
    uncertain = df.sort_values(["margin", "_tie"], kind="stable")
    disagree = uncertain[uncertain["frame"] != uncertain["lexicon_frame"]]
    if strategy == Strategy.uncertain:
        streams = [("uncertain", uncertain)]
    elif strategy == Strategy.disagree:
        streams = [("disagree", disagree)]
    else:
        streams = [("uncertain", uncertain), ("disagree", disagree)]
    queues = {}
    for name, stream in streams:
        for outlet, part in stream.groupby("outlet", sort=True):
            queues[(name, outlet)] = list(part.index)
    return df.loc[_round_robin(queues, df, n, per_doc, strategy == Strategy.mixed)]


def _round_robin(queues: dict[tuple[str, str], list[int]], df: pd.DataFrame, n: int,
                 per_doc: int, spread: bool) -> list[int]:
    """Take from each queue in turn (or, unspread, best-first overall) under the per-doc cap."""
    taken: list[int] = []
    seen: set[int] = set()
    per_doc_count: dict[str, int] = {}
    if not spread:
        merged = sorted((i for q in queues.values() for i in q),
                        key=lambda i: (df.at[i, "margin"], df.at[i, "_tie"]))
        queues = {("all", ""): merged}
    cursors = dict.fromkeys(queues, 0)
    while len(taken) < n and any(cursors[k] < len(q) for k, q in queues.items()):
        for key, queue in queues.items():
            while cursors[key] < len(queue):
                i = queue[cursors[key]]
                cursors[key] += 1
                doc = df.at[i, "doc_id"]
                if i in seen or per_doc_count.get(doc, 0) >= per_doc:
                    continue
                seen.add(i)
                per_doc_count[doc] = per_doc_count.get(doc, 0) + 1
                taken.append(i)
                break
            if len(taken) >= n:
                break
    return taken


def _item(row: pd.Series, strategy: Strategy, corpus: str | None) -> QueueItem:
    probability = row["model_probability"]
    return QueueItem(
        doc_id=str(row["doc_id"]), sentence_idx=int(row["sentence_idx"]),
        outlet=str(row["outlet"]), text=str(row["text"]),
        context_before=str(row["context_before"]), context_after=str(row["context_after"]),
        model_frame=str(row["frame"]),
        model_probability=None if pd.isna(probability) else round(float(probability), 4),
        lexicon_frame=str(row["lexicon_frame"]), selection=strategy.value, corpus=corpus,
    )


def write_queue(items: list[QueueItem], out: Path) -> Path:
    """Write the queue as JSONL (one item a line), atomically."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
    tmp.replace(out)
    return out
