"""Raw, corrected and labelled-sample shares side by side: the tables `framing compare` adds to
the outlet profiles when it knows the model (`corrected`) or has a gold sample (`labelled`),
and the sample-size plan (`--plan`). The estimators live in `corrected`, `labelled`, `plan`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from framing.comparison.correct import HeldOutErrors, load_held_out_errors
from framing.comparison.corrected import QuantifierFit, fit_quantifiers, outlet_prevalences
from framing.comparison.heldout import HeldOutSet, load_held_out_set
from framing.comparison.labelled import labelled_rows, model_outputs
from framing.comparison.plan import held_out_rows, plan_rows
from framing.comparison.profiles import Group, Layout, label_codes, prevalence_stats
from framing.comparison.stats import interval


def load_held_out(model_dir: Path | None, labels: list[str], notes: list[str]
                  ) -> tuple[HeldOutSet | None, HeldOutErrors | None]:
    """The model's held-out rows and its metrics.json matrices, whichever exist."""
    if model_dir is None:
        return None, None
    held = load_held_out_set(model_dir, labels)
    if not (model_dir / "metrics.json").is_file():
        notes.append(f"{model_dir} has no metrics.json (held-out confusion matrix); pass --model "
                     "with a folder written by `framing train`")
        return held, None
    return held, load_held_out_errors(model_dir, labels)


def fit_corrections(model_dir: Path | None, layout: Layout, methods: list, n_boot: int,
                    rng: np.random.Generator, notes: list[str]) -> QuantifierFit | None:
    held, errors = load_held_out(model_dir, layout.labels, notes)
    return fit_quantifiers(held, errors, methods, layout.proba is not None, n_boot, rng, notes)


def _proba(df: pd.DataFrame, layout: Layout) -> np.ndarray | None:
    if layout.proba is None:
        return None
    p = df[[f"p_{x}" for x in layout.labels]].to_numpy(dtype=float)
    return p / p.sum(axis=1, keepdims=True)


def corrected_table(df: pd.DataFrame, groups: dict[str, Group], layout: Layout,
                    weights: np.ndarray, doc_codes: np.ndarray, fit: QuantifierFit, level: float,
                    rng: np.random.Generator) -> pd.DataFrame:
    """Long table, one row per outlet x metric: raw beside every fitted method, with CIs."""
    codes, proba = label_codes(df["frame"], layout), _proba(df, layout)
    metrics = [f"share_{x}" for x in layout.framed_names] + ["legitimacy"]
    rows = []
    for outlet, index in df.groupby("outlet", sort=True).indices.items():
        prevalences = outlet_prevalences(fit, codes[index], None if proba is None
                                         else proba[index], weights[index], doc_codes[index], rng)
        found: dict[str, np.ndarray] = {}
        for method, p in prevalences.items():
            found |= prevalence_stats(p, layout, method)
        group = groups[outlet]
        for m in metrics:
            lo, hi = interval(group.boot[m], level)
            row: dict[str, object] = {"outlet": outlet, "metric": m, "fitted_on": fit.source,
                                      "raw": group.point[m], "raw_lo": lo, "raw_hi": hi}
            for method in fit.methods:
                reps = found[f"{method}:{m}"]
                lo, hi = interval(reps[1:], level)
                row |= {method: float(reps[0]), f"{method}_lo": lo, f"{method}_hi": hi}
            rows.append(row)
    return pd.DataFrame(rows)


def labelled_table(df: pd.DataFrame, groups: dict[str, Group], layout: Layout,
                   weights: np.ndarray, doc_codes: np.ndarray, level: float, half_width: float,
                   notes: list[str]) -> pd.DataFrame:
    """Long table, one row per outlet x metric: raw, PPI and labelled-only shares with CIs."""
    f, kind = model_outputs(df, layout)
    notes.append(f"PPI shares: {kind} on every sentence, corrected by the labelled sample; "
                 "intervals clustered by article (Student's t, labelled articles - 1 df)")
    rows: list[dict] = []
    for outlet, index in df.groupby("outlet", sort=True).indices.items():
        rows += labelled_rows(outlet, df.iloc[index], f[index], weights[index], doc_codes[index],
                              groups[outlet].point, layout, level, half_width)
    return pd.DataFrame(rows)


def plan_table(df: pd.DataFrame, layout: Layout, weights: np.ndarray, doc_codes: np.ndarray,
               model_dir: Path | None, level: float, half_width: float,
               notes: list[str]) -> pd.DataFrame:
    """One row per outlet: labelled sentences needed for +/- `half_width` on every share."""
    f, kind = model_outputs(df, layout)
    held, errors = load_held_out(model_dir, layout.labels, notes)
    rows_source = held_out_rows(held, errors, soft=kind.endswith("probabilities"))
    if rows_source is not None:
        source = (held.source if held is not None
                  else f"the '{errors.split}' block of metrics.json" if errors else "")
        notes.append(f"outlets without 2 labelled articles are planned from the model's "
                     f"held-out errors on {source}, re-weighted to each outlet's predicted "
                     "label mix; the design effect of whole articles is assumed to be that of "
                     "the model's own outputs (re-plan with --gold after a first batch)")
    rows = [plan_rows(outlet, df.iloc[index], f[index], weights[index], doc_codes[index], layout,
                      rows_source, half_width, level)
            for outlet, index in df.groupby("outlet", sort=True).indices.items()]
    return pd.DataFrame(rows)
