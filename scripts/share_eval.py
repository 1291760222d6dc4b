"""Shared by scripts/share_accuracy.py and scripts/ppi_simulation.py: every share estimator of
`framing compare` applied to one group of sentences whose gold labels are known, scored against
those gold shares.

Estimates are of the framed shares (share of each framed frame among framed sentences,
sentence-pooled), exactly as `framing compare` computes them, through the same library code:
raw and corrected (`framing.comparison.corrected`) with article-bootstrap intervals, PPI and
labelled-only (`framing.comparison.labelled`) on whole random articles drawn until at least
`n` sentences are labelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from framing.comparison.corrected import QuantifierFit, outlet_prevalences
from framing.comparison.labelled import outlet_estimates
from framing.comparison.profiles import Layout
from framing.comparison.stats import interval


def framed_shares(prevalence: np.ndarray, layout: Layout) -> np.ndarray:
    """(..., K) shares among framed labels from prevalences over all labels (..., L)."""
    framed = prevalence[..., layout.framed]
    with np.errstate(invalid="ignore", divide="ignore"):
        return framed / framed.sum(axis=-1, keepdims=True)


@dataclass
class Tally:
    """Absolute errors and interval hits of one method over many (group, frame, draw) cells."""

    errors: list[float] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)  # frame of each hit

    def add(self, point: np.ndarray, lo: np.ndarray, hi: np.ndarray, truth: np.ndarray) -> None:
        ok = np.isfinite(point) & np.isfinite(truth)
        self.errors += list(np.abs(point - truth)[ok])
        ok &= np.isfinite(lo) & np.isfinite(hi)
        self.hits += list(((lo <= truth + 1e-12) & (truth <= hi + 1e-12))[ok])
        self.widths += list((hi - lo)[ok] / 2)
        self.frames += list(np.flatnonzero(ok))

    def coverage_by_frame(self, names: list[str]) -> dict[str, float]:
        hits, frames = np.array(self.hits, dtype=float), np.array(self.frames)
        return {n: float(hits[frames == k].mean()) if (frames == k).any() else np.nan
                for k, n in enumerate(names)}

    def row(self) -> dict[str, float]:
        return {"mae": float(np.mean(self.errors)) if self.errors else np.nan,
                "coverage": float(np.mean(self.hits)) if self.hits else np.nan,
                "half_width": float(np.mean(self.widths)) if self.widths else np.nan,
                "cells": len(self.errors)}


def model_estimates(layout: Layout, fit: QuantifierFit | None, predicted: np.ndarray,
                    proba: np.ndarray, docs: np.ndarray, n_boot: int, level: float,
                    rng: np.random.Generator) -> dict[str, tuple[np.ndarray, ...]]:
    """Raw and every fitted correction: (point, lo, hi) of the framed shares."""
    n_labels = len(layout.labels)
    _, inverse = np.unique(docs, return_inverse=True)
    n_docs = int(inverse.max()) + 1
    draws = rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=n_boot)
    counts = np.vstack([np.ones(n_docs), draws])[:, inverse] @ np.eye(n_labels)[predicted]
    found = {"raw": framed_shares(counts, layout)}
    if fit is not None:
        weights = np.ones(len(predicted))
        for method, prev in outlet_prevalences(fit, predicted, proba, weights, docs, rng).items():
            found[method] = framed_shares(prev, layout)
    out = {}
    for method, reps in found.items():
        bounds = np.array([interval(reps[1:, k], level) for k in range(reps.shape[1])])
        out[method] = (reps[0], bounds[:, 0], bounds[:, 1])
    return out


def random_articles(docs: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Mask of the sentences of whole articles drawn in random order until >= n sentences
    (what `framing label suggest --strategy random --per-outlet n` does)."""
    order = rng.permutation(np.unique(docs))
    sizes = {d: int((docs == d).sum()) for d in order}
    chosen, total = [], 0
    for d in order:
        if total >= n:
            break
        chosen.append(d)
        total += sizes[d]
    return np.isin(docs, chosen)


def ppi_estimates(layout: Layout, f: np.ndarray, gold: np.ndarray, docs: np.ndarray, n: int,
                  level: float, rng: np.random.Generator
                  ) -> dict[str, tuple[np.ndarray, ...]] | None:
    """PPI and labelled-only framed shares with one random sample of >= n sentences."""
    import pandas as pd

    mask = random_articles(docs, n, rng)
    labels = pd.Series([layout.labels[g] if m else None for g, m in zip(gold, mask, strict=True)],
                       dtype=object)
    found = outlet_estimates(f, np.ones(len(f)), docs, labels, layout, level)
    if found is None:
        return None
    k = int(layout.framed.sum())
    return {name: (np.clip(e.point[:k], 0, 1), np.clip(e.lo[:k], 0, 1), np.clip(e.hi[:k], 0, 1))
            for name, e in zip(("ppi", "labelled_only"), found, strict=True)}
