"""Compare outlets with honest uncertainty: profiles, contrasts, per-actor tables, corrections.

Definitions (each outlet, after the filters):
- *framed* sentences are those whose frame has a taxonomy weight (every frame but `none`);
- a frame's *share* is its count over the outlet's framed sentences, pooled over articles (an
  article with more framed sentences weighs more, as in "X% of SANA's framed sentences");
- the *legitimacy index* is the mean taxonomy weight over framed sentences;
- the *attributed share* is attributed / (attributed + authorial) over framed sentences with a
  voice (a framed sentence with no voice in the table gets the rule voice, counted in notes).

Uncertainty: percentile intervals (`level`, default 95%) from a bootstrap that resamples
ARTICLES within the outlet
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
from pydantic import Field, ValidationError

from framing.comparison.correct import HeldOutErrors, load_held_out_errors
from framing.comparison.inputs import filter_sentences, parse_day, parse_outlets
from framing.comparison.profiles import (
    Group,
    Layout,
    doc_totals,
    features,
    profile_row,
    stats,
    summarise,
)
from framing.comparison.stats import adjust_pvalues, exact_p, interval, normal_p, permuted_totals
from framing.errors import FramingError, Strict, explain_validation
from framing.scoring.results import ScoredSentences, load_scores
from framing.taxonomy import Taxonomy
from framing.text.actors import ActorMatcher, Gazetteer, load_gazetteer
from framing.text.voice import rule_voice


class CompareSettings(Strict):
    """Knobs of a comparison; bounded so a typo fails loudly."""

    min_framed: int = Field(30, ge=1, description="framed sentences an outlet needs to be ranked")
    min_framed_actor: int = Field(10, ge=1, description="same, for an outlet x actor cell")
    n_boot: int = Field(1000, ge=50, le=100_000, description="bootstrap / permutation replicates")
    seed: int = 0
    adjust: Literal["holm", "bh"] = "holm"
    alpha: float = Field(0.05, gt=0, lt=1)
    level: float = Field(0.95, ge=0.5, lt=1, description="confidence level of every interval")


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


def _fill_voice(df: pd.DataFrame, taxonomy: Taxonomy, notes: list[str]) -> pd.DataFrame:
    framed = df["frame"].map(lambda f: taxonomy.weights.get(f) is not None)
    todo = framed & df["voice"].isna()
    if todo.any():
        df = df.copy()
        df.loc[todo, "voice"] = [
            rule_voice(t, f, taxonomy) for t, f in zip(df.loc[todo, "text"], df.loc[todo, "frame"],
                                                       strict=True)
        ]
        notes.append(f"voice filled by the rule (framing.text.voice) for {int(todo.sum())} framed "
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
    layout = Layout(taxonomy, scores.has_probabilities)
    feats = features(df, layout)
    doc_codes = pd.factorize(df["doc_id"])[0]
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy", "attributed_share"]

    groups: dict[str, Group] = {}
    rows = []
    for outlet, index in df.groupby("outlet", sort=True).indices.items():
        docs = doc_totals(feats[index], doc_codes[index])
        groups[outlet] = summarise(docs, layout, settings.n_boot, rng, held_out)
        row = {"outlet": outlet, "sentences": len(index)}
        rows.append(row | profile_row(groups[outlet], layout, metrics, settings.level))
    outlets = _rank(pd.DataFrame(rows), settings.min_framed)
    ranked = list(outlets.loc[outlets["ranked"], "outlet"])
    contrasts = outlet_contrasts(groups, ranked, layout, settings, rng)
    actors = actor_table(df, feats, doc_codes, layout, settings, rng, gazetteer, metrics)
    corrected = (_corrected_table(groups, layout, held_out, settings.level) if held_out
                 else None)
    return Comparison(taxonomy, settings, outlets, contrasts, actors, corrected, held_out, df,
                      gazetteer, scores.provenance, notes)


def _held_out(scores: ScoredSentences, notes: list[str]) -> HeldOutErrors | None:
    if scores.model_dir is None:
        return None
    if not (scores.model_dir / "metrics.json").is_file():
        notes.append(f"{scores.model_dir} has no metrics.json (held-out confusion matrix): "
                     "no corrected shares; pass --model with a folder written by `framing train`")
        return None
    held_out = load_held_out_errors(scores.model_dir, scores.taxonomy.precedence)
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
    docs_a: np.ndarray, docs_b: np.ndarray, layout: Layout, metrics: list[str],
    n_perm: int, rng: np.random.Generator,
) -> dict[str, tuple[float, np.ndarray]]:
    """Per metric: the observed difference A - B and its `n_perm` article-permutation replicates."""
    tot_a, tot_b = permuted_totals(docs_a, docs_b, n_perm, rng)
    perm_a, perm_b = stats(tot_a, layout), stats(tot_b, layout)
    obs_a, obs_b = stats(docs_a.sum(axis=0), layout), stats(docs_b.sum(axis=0), layout)
    return {m: (float(obs_a[m] - obs_b[m]), perm_a[m] - perm_b[m]) for m in metrics}


def outlet_contrasts(
    groups: dict[str, Group], ranked: list[str], layout: Layout, settings: CompareSettings,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per (pair of ranked outlets, metric): difference A - B, CI, p-values."""
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy"]
    rows = []
    for a, b in combinations(sorted(ranked), 2):
        ga, gb = groups[a], groups[b]
        perms = _permutation_diffs(ga.docs, gb.docs, layout, metrics, settings.n_boot, rng)
        for m in metrics:
            lo, hi = interval(ga.boot[m] - gb.boot[m], settings.level)
            observed, diffs = perms[m]
            rows.append({"outlet_a": a, "outlet_b": b, "metric": m, "a": ga.point[m],
                         "b": gb.point[m], "diff": ga.point[m] - gb.point[m], "diff_lo": lo,
                         "diff_hi": hi, "p_value": normal_p(observed, diffs),
                         "p_permutation": exact_p(observed, diffs, settings.n_boot)})
    columns = ["outlet_a", "outlet_b", "metric", "a", "b", "diff", "diff_lo", "diff_hi",
               "p_value", "p_permutation", "p_adjusted", "significant"]
    table = pd.DataFrame(rows, columns=columns)
    if not table.empty:
        table["p_adjusted"] = adjust_pvalues(table["p_value"].fillna(1.0).to_numpy(),
                                             settings.adjust)
        table["significant"] = table["p_adjusted"] < settings.alpha
    return table


def actor_table(
    df: pd.DataFrame, feats: np.ndarray, doc_codes: np.ndarray, layout: Layout,
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
        docs = doc_totals(feats[index], doc_codes[index])
        group = summarise(docs, layout, settings.n_boot, rng)
        row = {"actor": actor, "actor_name": gazetteer.names.get(actor, actor),
               "outlet": outlet, "sentences": len(index)}
        rows.append(row | profile_row(group, layout, metrics, settings.level))
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["actor", "actor_name", "outlet", "sentences", "documents",
                                     "framed", "ranked"])
    table["ranked"] = table["framed"] >= settings.min_framed_actor
    return table


def _corrected_table(
    groups: dict[str, Group], layout: Layout, held_out: HeldOutErrors, level: float
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
                    lo, hi = interval(group.boot[key], level)
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
