"""Compare outlets with honest uncertainty: profiles, contrasts, per-actor tables, corrections.

Definitions (each outlet, after the filters):
- *framed* sentences are those whose frame has a taxonomy weight (every frame but `none`);
- a frame's *share* is its count over the outlet's framed sentences, pooled over articles (an
  article with more framed sentences weighs more, as in "X% of SANA's framed sentences");
- the *legitimacy index* is the mean taxonomy weight over framed sentences;
- the *attributed share* is attributed / (attributed + authorial) over framed sentences with a
  voice (a framed sentence with no voice in the table gets the rule voice, counted in notes).

Uncertainty: 95% percentile intervals from a bootstrap that resamples ARTICLES within the outlet
(sentences of one article are not independent), `n_boot` replicates, seeded. Contrasts between
two ranked outlets: difference, bootstrap CI of the difference (independent resamples), and a
two-sided p-value from the permutation distribution that reshuffles whole articles between the
two outlets: `p_value` fits a normal to the permuted differences (so it is not floored at
1 / (n + 1)), `p_permutation` is the exact count, shown beside it; `p_value` is adjusted over the
whole family (every pair x every metric) by Holm or Benjamini-Hochberg.
Outlets with fewer than `min_framed` framed sentences are flagged and not ranked or contrasted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from framing.actors import ActorMatcher, Gazetteer, load_gazetteer
from framing.compare_inputs import (
    ScoredSentences,
    filter_sentences,
    load_scores,
    parse_day,
    parse_outlets,
)
from framing.correct import HeldOutErrors, adjust_shares, load_held_out_errors
from framing.errors import FramingError, explain_validation
from framing.taxonomy import Taxonomy
from framing.voice import rule_voice


class CompareSettings(BaseModel):
    """Knobs of a comparison; bounded so a typo fails loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_framed: int = Field(30, ge=1, description="framed sentences an outlet needs to be ranked")
    min_framed_actor: int = Field(10, ge=1, description="same, for an outlet x actor cell")
    n_boot: int = Field(1000, ge=50, le=100_000, description="bootstrap / permutation replicates")
    seed: int = 0
    adjust: Literal["holm", "bh"] = "holm"
    alpha: float = Field(0.05, gt=0, lt=1)


@dataclass
class Comparison:
    """Everything `framing compare` reports; tables are plain DataFrames (one row per item)."""

    taxonomy: Taxonomy
    settings: CompareSettings
    outlets: pd.DataFrame
    contrasts: pd.DataFrame
    actors: pd.DataFrame
    corrected: pd.DataFrame | None
    held_out: HeldOutErrors | None
    sentences: pd.DataFrame
    gazetteer: Gazetteer
    provenance: dict
    notes: list[str] = field(default_factory=list)


class _Layout:
    """Columns of the per-sentence feature matrix: one-hot frame, probabilities, voice."""

    def __init__(self, taxonomy: Taxonomy, with_proba: bool) -> None:
        self.labels = taxonomy.labels
        n = len(self.labels)
        self.framed = np.array([taxonomy.weights[x] is not None for x in self.labels])
        self.weights = np.array([taxonomy.weights[x] or 0.0 for x in self.labels])
        self.counts = slice(0, n)
        self.proba = slice(n, 2 * n) if with_proba else None
        self.attributed = 2 * n if with_proba else n
        self.authorial = self.attributed + 1
        self.width = self.authorial + 1

    @property
    def framed_names(self) -> list[str]:
        return [x for x, f in zip(self.labels, self.framed, strict=True) if f]


def _features(df: pd.DataFrame, layout: _Layout) -> np.ndarray:
    out = np.zeros((len(df), layout.width))
    codes = pd.Categorical(df["frame"], categories=layout.labels).codes
    out[np.arange(len(df)), codes] = 1.0
    if layout.proba is not None:
        out[:, layout.proba] = df[[f"p_{x}" for x in layout.labels]].to_numpy(dtype=float)
    framed = layout.framed[codes]
    out[:, layout.attributed] = framed & (df["voice"] == "attributed").to_numpy()
    out[:, layout.authorial] = framed & (df["voice"] == "authorial").to_numpy()
    return out


def _doc_totals(features: np.ndarray, doc_codes: np.ndarray) -> np.ndarray:
    """Sum feature rows per article: shape (n_articles, width)."""
    _, inverse = np.unique(doc_codes, return_inverse=True)
    out = np.zeros((inverse.max() + 1, features.shape[1]))
    np.add.at(out, inverse, features)
    return out


def resample_articles(docs: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap totals: each replicate draws len(docs) articles with replacement and sums them."""
    n = len(docs)
    draws = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot)
    return draws @ docs


def _stats(totals: np.ndarray, layout: _Layout) -> dict[str, np.ndarray]:
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


def _corrected_stats(
    totals: np.ndarray, layout: _Layout, held_out: HeldOutErrors
) -> dict[str, np.ndarray]:
    """ACC (and PACC when possible) shares among framed sentences, and legitimacy."""
    out: dict[str, np.ndarray] = {}
    methods = [("acc", totals[..., layout.counts], held_out.rates())]
    soft = held_out.soft_rates()
    if soft is not None and layout.proba is not None:
        methods.append(("pacc", totals[..., layout.proba], soft))
    for method, observed, rates in methods:
        shares = adjust_shares(observed, rates)[..., layout.framed]
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = shares / shares.sum(axis=-1, keepdims=True)
        for j, name in enumerate(layout.framed_names):
            out[f"{method}:share_{name}"] = shares[..., j]
        out[f"{method}:legitimacy"] = shares @ layout.weights[layout.framed]
    return out


def _interval(replicates: np.ndarray) -> tuple[float, float]:
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(finite, [2.5, 97.5])
    return float(lo), float(hi)


@dataclass
class _Group:
    docs: np.ndarray  # per-article totals
    point: dict[str, float]
    boot: dict[str, np.ndarray]


def _summarise(docs: np.ndarray, layout: _Layout, n_boot: int, rng: np.random.Generator,
               held_out: HeldOutErrors | None = None) -> _Group:
    totals = docs.sum(axis=0)
    reps = resample_articles(docs, n_boot, rng)
    point = {k: float(v) for k, v in _stats(totals, layout).items()}
    boot = _stats(reps, layout)
    if held_out is not None:
        point |= {k: float(v) for k, v in _corrected_stats(totals, layout, held_out).items()}
        boot |= _corrected_stats(reps, layout, held_out)
    return _Group(docs, point, boot)


def _profile_row(group: _Group, layout: _Layout, metrics: list[str]) -> dict[str, object]:
    row: dict[str, object] = {
        "documents": len(group.docs),
        "framed": int(group.docs[:, layout.counts][:, layout.framed].sum()),
        "voiced": int(group.docs[:, [layout.attributed, layout.authorial]].sum()),
    }
    for metric in metrics:
        lo, hi = _interval(group.boot[metric])
        row |= {metric: group.point[metric], f"{metric}_lo": lo, f"{metric}_hi": hi}
    return row


def _fill_voice(df: pd.DataFrame, taxonomy: Taxonomy, notes: list[str]) -> pd.DataFrame:
    framed = df["frame"].map(lambda f: taxonomy.weights.get(f) is not None)
    todo = framed & df["voice"].isna()
    if todo.any():
        df = df.copy()
        df.loc[todo, "voice"] = [
            rule_voice(t, f, taxonomy) for t, f in zip(df.loc[todo, "text"], df.loc[todo, "frame"],
                                                       strict=True)
        ]
        notes.append(f"voice filled by the rule (framing.voice) for {int(todo.sum())} framed "
                     "sentences that had none")
    return df


def compare(
    scores: ScoredSentences,
    settings: CompareSettings | None = None,
    gazetteer: Gazetteer | None = None,
) -> Comparison:
    """Outlet profiles, contrasts, per-actor table and corrected shares for a sentence table."""
    settings = settings or CompareSettings.model_validate({})
    gazetteer = gazetteer or load_gazetteer()
    taxonomy, notes = scores.taxonomy, list(scores.notes)
    rng = np.random.default_rng(settings.seed)
    df = _fill_voice(scores.sentences, taxonomy, notes)
    df = df.assign(actors=ActorMatcher(gazetteer).tag(df["text"].astype(str)))
    held_out = _held_out(scores, notes)
    layout = _Layout(taxonomy, scores.has_probabilities)
    features = _features(df, layout)
    doc_codes = pd.factorize(df["doc_id"])[0]
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy", "attributed_share"]

    groups: dict[str, _Group] = {}
    rows = []
    for outlet, index in df.groupby("outlet", sort=True).indices.items():
        docs = _doc_totals(features[index], doc_codes[index])
        groups[outlet] = _summarise(docs, layout, settings.n_boot, rng, held_out)
        row = {"outlet": outlet, "sentences": len(index)}
        rows.append(row | _profile_row(groups[outlet], layout, metrics))
    outlets = _rank(pd.DataFrame(rows), settings.min_framed)
    ranked = list(outlets.loc[outlets["ranked"], "outlet"])
    contrasts = outlet_contrasts(groups, ranked, layout, settings, rng)
    actors = actor_table(df, features, doc_codes, layout, settings, rng, gazetteer, metrics)
    corrected = _corrected_table(groups, layout, held_out) if held_out else None
    return Comparison(taxonomy, settings, outlets, contrasts, actors, corrected, held_out, df,
                      gazetteer, scores.provenance, notes)


def _held_out(scores: ScoredSentences, notes: list[str]) -> HeldOutErrors | None:
    if scores.model_dir is None:
        return None
    if not (scores.model_dir / "metrics.json").is_file():
        notes.append(f"{scores.model_dir} has no metrics.json (held-out confusion matrix): "
                     "no corrected shares; pass --model with a folder written by `framing train`")
        return None
    held_out = load_held_out_errors(scores.model_dir, scores.taxonomy.labels)
    notes.append(
        f"corrected shares use the '{held_out.split}' confusion matrix of {scores.model_dir} "
        f"({held_out.n} held-out sentences)"
        + (f"; no held-out examples of {held_out.missing} (assumed correct)"
           if held_out.missing else "")
    )
    if held_out.soft_confusion is None:
        notes.append("probabilistic correction (PACC) not available: metrics.json has no "
                     f"{held_out.split}.soft_confusion_matrix")
    return held_out


def _rank(outlets: pd.DataFrame, min_framed: int) -> pd.DataFrame:
    outlets["ranked"] = outlets["framed"] >= min_framed
    outlets["flag"] = [
        "" if ok else f"only {n} framed sentences (< {min_framed}): not ranked"
        for ok, n in zip(outlets["ranked"], outlets["framed"], strict=True)
    ]
    order = outlets.loc[outlets["ranked"], "legitimacy"].rank(ascending=False, method="min")
    outlets["rank"] = order.reindex(outlets.index).astype("Int64")
    return outlets


def _permutation_diffs(
    docs_a: np.ndarray, docs_b: np.ndarray, layout: _Layout, metrics: list[str],
    n_perm: int, rng: np.random.Generator,
) -> dict[str, tuple[float, np.ndarray]]:
    """Per metric: the observed difference A - B and its `n_perm` article-permutation replicates."""
    pooled = np.vstack([docs_a, docs_b])
    n, n_a = len(pooled), len(docs_a)
    order = rng.permuted(np.tile(np.arange(n), (n_perm, 1)), axis=1)
    pick = np.zeros((n_perm, n))
    np.put_along_axis(pick, order[:, :n_a], 1.0, axis=1)
    tot_a = pick @ pooled
    tot_b = pooled.sum(axis=0) - tot_a
    perm_a, perm_b = _stats(tot_a, layout), _stats(tot_b, layout)
    obs_a, obs_b = _stats(docs_a.sum(axis=0), layout), _stats(docs_b.sum(axis=0), layout)
    return {m: (float(obs_a[m] - obs_b[m]), perm_a[m] - perm_b[m]) for m in metrics}


def permutation_pvalues(
    docs_a: np.ndarray, docs_b: np.ndarray, layout: _Layout, metrics: list[str],
    n_perm: int, rng: np.random.Generator,
) -> dict[str, float]:
    """Two-sided p-value per metric: shuffle whole articles between the two outlets.

    p = (1 + #{|d*| >= |d|}) / (n_perm + 1), which is never 0 and is exact under the null that
    articles of A and B are exchangeable. Its floor is 1 / (n_perm + 1).
    """
    return {m: _exact_p(obs, diffs, n_perm)
            for m, (obs, diffs) in _permutation_diffs(
                docs_a, docs_b, layout, metrics, n_perm, rng).items()}


def _exact_p(observed: float, diffs: np.ndarray, n_perm: int) -> float:
    if not np.isfinite(observed):
        return np.nan
    extreme = np.nan_to_num(np.abs(diffs), nan=-1.0) >= abs(observed) - 1e-12
    return float((1 + extreme.sum()) / (n_perm + 1))


def _normal_p(observed: float, diffs: np.ndarray) -> float:
    """Two-sided p from a normal fitted to the permutation distribution (mean 0 under the null).

    Unlike the exact count it is not floored at 1 / (n_perm + 1), so it survives a family-wise
    correction over hundreds of contrasts (Holm over 546 needs p < 1e-4, which 1,000
    permutations cannot show).
    """
    from scipy.stats import norm

    sd = float(np.nanstd(diffs))
    if not np.isfinite(observed) or sd == 0.0:
        return np.nan if not np.isfinite(observed) else (1.0 if observed == 0 else 0.0)
    return float(2 * norm.sf(abs(observed) / sd))


def adjust_pvalues(p: np.ndarray, method: Literal["holm", "bh"]) -> np.ndarray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate) adjusted p-values."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    else:
        adj = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
        adj = np.minimum(adj, 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


def outlet_contrasts(
    groups: dict[str, _Group], ranked: list[str], layout: _Layout, settings: CompareSettings,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per (pair of ranked outlets, metric): difference A - B, CI, p-values."""
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy"]
    rows = []
    for a, b in combinations(sorted(ranked), 2):
        ga, gb = groups[a], groups[b]
        perms = _permutation_diffs(ga.docs, gb.docs, layout, metrics, settings.n_boot, rng)
        for m in metrics:
            lo, hi = _interval(ga.boot[m] - gb.boot[m])
            observed, diffs = perms[m]
            rows.append({"outlet_a": a, "outlet_b": b, "metric": m, "a": ga.point[m],
                         "b": gb.point[m], "diff": ga.point[m] - gb.point[m], "diff_lo": lo,
                         "diff_hi": hi, "p_value": _normal_p(observed, diffs),
                         "p_permutation": _exact_p(observed, diffs, settings.n_boot)})
    columns = ["outlet_a", "outlet_b", "metric", "a", "b", "diff", "diff_lo", "diff_hi",
               "p_value", "p_permutation", "p_adjusted", "significant"]
    table = pd.DataFrame(rows, columns=columns)
    if not table.empty:
        table["p_adjusted"] = adjust_pvalues(table["p_value"].fillna(1.0).to_numpy(),
                                             settings.adjust)
        table["significant"] = table["p_adjusted"] < settings.alpha
    return table


def actor_table(
    df: pd.DataFrame, features: np.ndarray, doc_codes: np.ndarray, layout: _Layout,
    settings: CompareSettings, rng: np.random.Generator, gazetteer: Gazetteer,
    metrics: list[str],
) -> pd.DataFrame:
    """One row per (actor, outlet): how this outlet frames sentences naming this actor.

    A sentence naming two actors counts for both. Cells with fewer than `min_framed_actor`
    framed sentences are flagged (`ranked` False), not hidden.
    """
    exploded = df[["outlet", "actors"]].explode("actors").dropna(subset=["actors"])
    rows = []
    for (actor, outlet), part in exploded.groupby(["actors", "outlet"], sort=True):
        index = part.index.to_numpy()
        docs = _doc_totals(features[index], doc_codes[index])
        group = _summarise(docs, layout, settings.n_boot, rng)
        row = {"actor": actor, "actor_name": gazetteer.names.get(actor, actor),
               "outlet": outlet, "sentences": len(index)}
        rows.append(row | _profile_row(group, layout, metrics))
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["actor", "actor_name", "outlet", "sentences", "documents",
                                     "framed", "ranked"])
    table["ranked"] = table["framed"] >= settings.min_framed_actor
    return table


def _corrected_table(
    groups: dict[str, _Group], layout: _Layout, held_out: HeldOutErrors
) -> pd.DataFrame:
    """Long table: outlet x metric, raw estimate beside ACC (and PACC) with CIs."""
    rows = []
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy"]
    for outlet, group in groups.items():
        for m in metrics:
            row: dict[str, object] = {"outlet": outlet, "metric": m,
                                      "confusion_split": held_out.split}
            for method, key in (("raw", m), ("acc", f"acc:{m}"), ("pacc", f"pacc:{m}")):
                if key in group.point:
                    lo, hi = _interval(group.boot[key])
                    row |= {method: group.point[key], f"{method}_lo": lo, f"{method}_hi": hi}
            rows.append(row)
    return pd.DataFrame(rows)


def compare_scores(
    scores_dir: str | Path,
    model_dir: str | Path | None = None,
    since: str | None = None,
    until: str | None = None,
    outlets: str | None = None,
    settings: CompareSettings | None = None,
) -> Comparison:
    """Load SCORES_DIR, apply the filters (strings as typed on the command line), compare."""
    scores = load_scores(scores_dir, model_dir)
    scores = filter_sentences(scores, parse_day(since, "--since"), parse_day(until, "--until"),
                              parse_outlets(outlets))
    return compare(scores, settings)


def make_settings(**values: object) -> CompareSettings:
    """CompareSettings from command-line values; a bad value is a FramingError naming it."""
    try:
        return CompareSettings.model_validate(values)
    except ValidationError as exc:
        raise FramingError(f"invalid compare options:\n{explain_validation(exc)}") from exc
