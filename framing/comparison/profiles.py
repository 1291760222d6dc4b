"""Outlet profiles as arrays: one feature row per sentence, summed per article, turned into
shares, legitimacy and voice with bootstrap replicates. Frames are in the taxonomy's
precedence order throughout. Feature rows are multiplied by the sentence weight
(`aggregate.sentence_weights`); two unweighted columns keep the counts of framed and voiced
sentences, which thresholds and tables report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from framing.comparison.stats import interval, resample_articles
from framing.taxonomy import Taxonomy


class Layout:
    """Columns of the per-sentence feature matrix: one-hot frame, probabilities, voice."""

    def __init__(self, taxonomy: Taxonomy, with_proba: bool) -> None:
        self.labels = taxonomy.precedence
        n = len(self.labels)
        self.framed = np.array([taxonomy.weights[x] is not None for x in self.labels])
        self.weights = np.array([taxonomy.weights[x] or 0.0 for x in self.labels])
        self.counts = slice(0, n)
        self.proba = slice(n, 2 * n) if with_proba else None
        self.attributed = 2 * n if with_proba else n
        self.authorial = self.attributed + 1
        self.n_framed = self.authorial + 1  # unweighted counts
        self.n_voiced = self.n_framed + 1
        self.width = self.n_voiced + 1

    @property
    def framed_names(self) -> list[str]:
        return [x for x, f in zip(self.labels, self.framed, strict=True) if f]


def label_codes(frames: pd.Series, layout: Layout) -> np.ndarray:
    """Each frame's position in `layout.labels` (precedence order)."""
    return np.asarray(pd.Categorical(frames, categories=layout.labels).codes, dtype=int)


def features(df: pd.DataFrame, layout: Layout, weights: np.ndarray | None = None) -> np.ndarray:
    """One row per sentence: weighted one-hot frame, probabilities and voice; unweighted
    framed and voiced indicators."""
    out = np.zeros((len(df), layout.width))
    codes = label_codes(df["frame"], layout)
    out[np.arange(len(df)), codes] = 1.0
    if layout.proba is not None:
        out[:, layout.proba] = df[[f"p_{x}" for x in layout.labels]].to_numpy(dtype=float)
    framed = layout.framed[codes]
    out[:, layout.attributed] = framed & (df["voice"] == "attributed").to_numpy()
    out[:, layout.authorial] = framed & (df["voice"] == "authorial").to_numpy()
    if weights is not None:
        out[:, : layout.n_framed] *= np.asarray(weights, dtype=float)[:, None]
    out[:, layout.n_framed] = framed
    out[:, layout.n_voiced] = framed & df["voice"].isin(["attributed", "authorial"]).to_numpy()
    return out


def doc_totals(features: np.ndarray, doc_codes: np.ndarray) -> np.ndarray:
    """Sum feature rows per article: shape (n_articles, width)."""
    _, inverse = np.unique(doc_codes, return_inverse=True)
    out = np.zeros((inverse.max() + 1, features.shape[1]))
    np.add.at(out, inverse, features)
    return out


def stats(totals: np.ndarray, layout: Layout) -> dict[str, np.ndarray]:
    """Shares, legitimacy, attributed share from totals of shape (..., width); NaN if undefined."""
    counts = totals[..., layout.counts][..., layout.framed]
    framed = counts.sum(axis=-1)
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, name in enumerate(layout.framed_names):
            out[f"share_{name}"] = counts[..., j] / framed
        out["legitimacy"] = counts @ layout.weights[layout.framed] / framed
        att, auth = totals[..., layout.attributed], totals[..., layout.authorial]
        out["attributed_share"] = att / (att + auth)
    return out


def prevalence_stats(prevalence: np.ndarray, layout: Layout, prefix: str) -> dict[str, np.ndarray]:
    """Framed shares and legitimacy from prevalences over all labels, shape (..., L); keys
    `<prefix>:share_<frame>` and `<prefix>:legitimacy`."""
    shares = prevalence[..., layout.framed]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = shares / shares.sum(axis=-1, keepdims=True)
    out = {f"{prefix}:share_{name}": shares[..., j] for j, name in enumerate(layout.framed_names)}
    out[f"{prefix}:legitimacy"] = shares @ layout.weights[layout.framed]
    return out


@dataclass
class Group:
    docs: np.ndarray  # per-article totals
    point: dict[str, float]
    boot: dict[str, np.ndarray]


def summarise(docs: np.ndarray, layout: Layout, n_boot: int, rng: np.random.Generator) -> Group:
    """Point estimates and `n_boot` article-bootstrap replicates of every metric."""
    reps = resample_articles(docs, n_boot, rng)
    point = {k: float(v) for k, v in stats(docs.sum(axis=0), layout).items()}
    return Group(docs, point, stats(reps, layout))


def profile_row(group: Group, layout: Layout, metrics: list[str],
                level: float = 0.95) -> dict[str, object]:
    row: dict[str, object] = {
        "documents": len(group.docs),
        "framed": int(group.docs[:, layout.n_framed].sum()),
        "voiced": int(group.docs[:, layout.n_voiced].sum()),
    }
    for metric in metrics:
        lo, hi = interval(group.boot[metric], level)
        row |= {metric: group.point[metric], f"{metric}_lo": lo, f"{metric}_hi": hi}
    return row
