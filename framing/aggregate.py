"""Shares: the one definition of a frame share, for score outputs and evaluation alike.

Pure aggregations of a sentence table: one row per document, one row per outlet. Columns follow
the taxonomy's precedence order, like every table framing writes.

No uncertainty here (`framing compare` bootstraps from the sentence table). Weighting rules:
- A sentence is *framed* when its frame has a taxonomy weight (`none` has none).
- Document shares: count of a frame / framed sentences of the document (null when none framed).
- Document legitimacy: mean taxonomy weight over the document's framed sentences (null if none).
- Outlet table: sentences are pooled across the outlet's documents, so each framed sentence
  counts once and a long article weighs more than a short one. Shares and legitimacy are among
  framed sentences; both are null for an outlet with no framed sentence.

`framing compare --weight` chooses between two weightings of an outlet's sentences
(`sentence_weights`): `sentence` (the default, as above: every sentence weighs 1) and `article`
(every article weighs 1 in total, spread evenly over its sentences, so each sentence weighs
1 / the article's sentence count; shares are then framed weight of a frame / framed weight, and
a long article no longer dominates). The weights never depend on a label, so classifier
corrections and PPI apply to both alike.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from framing.taxonomy import Taxonomy

DOC_KEYS = ["doc_id", "outlet", "date"]
DOC_OPTIONAL = {"host": 2, "date_raw": 4}  # kept, at these places, when the sentences have them
Weighting = Literal["sentence", "article"]


def sentence_weights(doc_ids: pd.Series, weighting: Weighting) -> np.ndarray:
    """Each sentence's weight in outlet shares: 1 (`sentence`) or 1 / (sentences of its
    article in `doc_ids`) (`article`: every article weighs 1 in total)."""
    if weighting == "sentence":
        return np.ones(len(doc_ids))
    if weighting == "article":
        sizes = doc_ids.map(doc_ids.value_counts())
        return 1.0 / sizes.to_numpy(dtype=float)
    raise ValueError(f"unknown weighting {weighting!r}; expected 'sentence' or 'article'")


def _framed_weights(taxonomy: Taxonomy) -> dict[str, float]:
    return {name: w for name in taxonomy.framed_labels if (w := taxonomy.weights[name]) is not None}


def _add_shares_and_legitimacy(
    table: pd.DataFrame, taxonomy: Taxonomy, framed_col: str
) -> pd.DataFrame:
    weights = _framed_weights(taxonomy)
    framed = table[framed_col].astype("float64")
    has_framed = framed > 0
    for name in taxonomy.framed_labels:
        table[f"share_{name}"] = (table[f"count_{name}"] / framed).where(has_framed)
    weighted = sum(table[f"count_{name}"] * w for name, w in weights.items())
    table["legitimacy"] = (weighted / framed).where(has_framed)
    return table


def document_table(sentences: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per document (in first-seen order): doc_id, outlet, [host], date, [date_raw],
    n_sentences, n_framed, count_<frame> for every frame, share_<frame> for every framed frame,
    legitimacy.

    `sentences` needs columns doc_id, outlet, date, frame (host and date_raw are kept when
    present); the title row counts as a sentence.
    """
    counts = pd.crosstab(sentences["doc_id"], sentences["frame"])
    counts = counts.reindex(columns=taxonomy.precedence, fill_value=0)
    counts.columns = [f"count_{name}" for name in taxonomy.precedence]
    key_cols = list(DOC_KEYS)
    for name, place in DOC_OPTIONAL.items():
        if name in sentences.columns:
            key_cols.insert(place, name)
    keys = sentences.drop_duplicates("doc_id")[key_cols].set_index("doc_id")
    table = keys.join(counts, how="left")
    n_keys = len(key_cols) - 1  # columns beside the doc_id index
    table.insert(n_keys, "n_sentences", sentences.groupby("doc_id", sort=False).size())
    framed_cols = [f"count_{name}" for name in taxonomy.framed_labels]
    table.insert(n_keys + 1, "n_framed", table[framed_cols].sum(axis=1))
    table = table.reset_index()
    int_cols = ["n_sentences", "n_framed", *(f"count_{name}" for name in taxonomy.precedence)]
    table[int_cols] = table[int_cols].astype("int64")
    return _add_shares_and_legitimacy(table, taxonomy, "n_framed")


def outlet_table(documents: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per outlet (sorted by name): documents, sentences, framed, count_<frame> for every
    frame, share_<frame> among framed sentences, legitimacy (mean weight over framed sentences,
    pooled across the outlet's documents). Built from `document_table` output: counts add up,
    so it equals aggregating the sentence table directly."""
    count_cols = [f"count_{name}" for name in taxonomy.precedence]
    grouped = documents.groupby("outlet", sort=True)
    table = grouped[count_cols].sum()
    table.insert(0, "documents", grouped.size())
    table.insert(1, "sentences", grouped["n_sentences"].sum())
    table.insert(2, "framed", grouped["n_framed"].sum())
    table = table.reset_index().astype({c: "int64" for c in ["documents", "sentences", "framed"]})
    return _add_shares_and_legitimacy(table, taxonomy, "framed")
