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

Weighting (`weight`, see `framing.aggregate.sentence_weights`): `sentence` pools sentences as
above; `article` gives every article a total weight of 1 so long articles do not dominate. The
choice applies to every table and is named in the notes and compare.json.

When the model folder is known, `corrected` puts raw shares beside shares corrected for
classifier error by the `adjust` methods (`comparison.corrected`). With a gold sample
(`--gold`, `comparison.gold`), `labelled` puts raw, PPI and sample-only shares side by side
(`comparison.labelled`), flagging outlets whose intervals are wider than `half_width`.
"""


from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError

from framing.aggregate import Weighting, sentence_weights
from framing.comparison.corrected import DEFAULT_METHODS, Method, QuantifierFit
from framing.comparison.gold import GOLD_COLUMN, attach_gold
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
from framing.comparison.shares import (
    corrected_table,
    fit_corrections,
    labelled_table,
    plan_table,
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
    p_adjust: Literal["holm", "bh"] = Field("holm", description="multiple-testing correction")
    alpha: float = Field(0.05, gt=0, lt=1)
    level: float = Field(0.95, ge=0.5, lt=1, description="confidence level of every interval")
    adjust: tuple[Method, ...] = Field(DEFAULT_METHODS, description="share corrections")
    weight: Weighting = Field("sentence", description="sentence-pooled or article-weighted")
    half_width: float = Field(0.05, gt=0, lt=0.5,
                              description="target half-width of a share interval (0.05 = "
                              "+/- 5 points), for flags and --plan")


@dataclass
class Comparison:
    """Everything `framing compare` reports; tables are plain DataFrames (one row per item)."""

    taxonomy: Taxonomy
    settings: CompareSettings
    outlets: pd.DataFrame
    contrasts: pd.DataFrame
    actors: pd.DataFrame
    corrected: pd.DataFrame | None
    fit: QuantifierFit | None
    labelled: pd.DataFrame | None
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
    """Outlet profiles, contrasts, per-actor table, corrected and labelled-sample shares."""
    settings = settings or CompareSettings.model_validate({})
    gazetteer = gazetteer or load_gazetteer()
    taxonomy, notes = scores.taxonomy, list(scores.notes)
    rng = np.random.default_rng(settings.seed)
    df = _fill_voice(scores.sentences, taxonomy, notes)
    df = df.assign(actors=ActorMatcher(gazetteer).tag(df["text"].astype(str)))
    layout = Layout(taxonomy, scores.has_probabilities)
    weights = sentence_weights(df["doc_id"], settings.weight)
    notes.append(WEIGHT_NOTES[settings.weight])
    feats = features(df, layout, weights)
    doc_codes = pd.factorize(df["doc_id"])[0]
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy", "attributed_share"]

    groups: dict[str, Group] = {}
    rows = []
    for outlet, index in df.groupby("outlet", sort=True).indices.items():
        groups[outlet] = summarise(doc_totals(feats[index], doc_codes[index]), layout,
                                   settings.n_boot, rng)
        row = {"outlet": outlet, "sentences": len(index)}
        rows.append(row | profile_row(groups[outlet], layout, metrics, settings.level))
    outlets = _rank(pd.DataFrame(rows), settings.min_framed)
    ranked = list(outlets.loc[outlets["ranked"], "outlet"])
    contrasts = outlet_contrasts(groups, ranked, layout, settings, rng)
    actors = actor_table(df, feats, doc_codes, layout, settings, rng, gazetteer, metrics)
    fit = fit_corrections(scores.model_dir, layout, list(settings.adjust), settings.n_boot, rng,
                          notes)
    corrected = (corrected_table(df, groups, layout, weights, doc_codes, fit, settings.level, rng)
                 if fit else None)
    labelled = (labelled_table(df, groups, layout, weights, doc_codes, settings.level,
                               settings.half_width, notes)
                if GOLD_COLUMN in df.columns else None)
    return Comparison(taxonomy, settings, outlets, contrasts, actors, corrected, fit, labelled,
                      df, gazetteer, scores.provenance, notes)


WEIGHT_NOTES = {
    "sentence": "weighting: sentence-pooled (every sentence counts once; a long article weighs "
                "more)",
    "article": "weighting: article (every article weighs 1 in total, spread evenly over its "
               "sentences; shares are framed weight of a frame / framed weight)",
}


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
                                             settings.p_adjust)
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


def compare_scores(
    scores_dir: str | Path,
    model_dir: str | Path | None = None,
    since: str | None = None,
    until: str | None = None,
    outlets: str | None = None,
    settings: CompareSettings | None = None,
    gold: list[Path] | None = None,
) -> Comparison:
    """Load SCORES_DIR (and the gold sample), apply the filters (strings as typed on the
    command line), compare."""
    return compare(load_filtered(scores_dir, model_dir, since, until, outlets, gold), settings)


def load_filtered(
    scores_dir: str | Path, model_dir: str | Path | None = None, since: str | None = None,
    until: str | None = None, outlets: str | None = None, gold: list[Path] | None = None,
) -> ScoredSentences:
    """The score table with its gold column (if any), after the filters."""
    scores = load_scores(scores_dir, model_dir)
    if gold:
        scores = attach_gold(scores, gold)
    before = int(scores.sentences[GOLD_COLUMN].notna().sum()) if gold else 0
    scores = filter_sentences(scores, parse_day(since, "--since"), parse_day(until, "--until"),
                              parse_outlets(outlets))
    if gold and (left := before - int(scores.sentences[GOLD_COLUMN].notna().sum())):
        scores.notes.append(f"gold sample: {left} labelled sentences fall outside the filters "
                            "(--since/--until/--outlets) and are not used")
    return scores


def make_settings(**values: object) -> CompareSettings:
    """CompareSettings from command-line values; a bad value is a FramingError naming it."""
    try:
        return CompareSettings.model_validate(values)
    except ValidationError as exc:
        raise FramingError(f"invalid compare options:\n{explain_validation(exc)}") from exc


def plan_scores(
    scores_dir: str | Path, model_dir: str | Path | None = None, since: str | None = None,
    until: str | None = None, outlets: str | None = None, gold: list[Path] | None = None,
    settings: CompareSettings | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """`framing compare --plan`: labelled sentences each outlet needs (`comparison.plan`)."""
    settings = settings or CompareSettings.model_validate({})
    scores = load_filtered(scores_dir, model_dir, since, until, outlets, gold)
    df, notes = scores.sentences, list(scores.notes)
    layout = Layout(scores.taxonomy, scores.has_probabilities)
    weights = sentence_weights(df["doc_id"], settings.weight)
    notes.append(WEIGHT_NOTES[settings.weight])
    table = plan_table(df, layout, weights, pd.factorize(df["doc_id"])[0], scores.model_dir,
                       settings.level, settings.half_width, notes)
    return table, notes
