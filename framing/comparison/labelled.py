"""Outlet shares from a labelled random sample (`framing compare --gold`): PPI and sample-only.

Per outlet and metric (each framed share, the legitimacy index): the model's raw estimate, the
PPI estimate with its interval, the labelled sample's own estimate with its interval, and how
many sentences, articles and framed sentences were labelled. PPI uses the model's calibrated
probabilities when the table has them (else its predicted labels) as `f`, and the comparison's
sentence weighting. Shares are clipped to [0, 1] and the legitimacy index to the taxonomy's
weight range (PPI's estimate can step outside them by a sampling error).

Intervals are about the shares of the scored corpus itself (`ppi`, `finite`): the model's output
on the unlabelled sentences is known, the uncertainty is how far the model's errors on them may
differ from those on the labelled sample. An outlet is flagged when its worst share interval is
wider than the target half-width, with the number of labelled sentences that would meet it
(`ppi.needed_labels`, from the variance measured on its own sample, article clustering
included).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from framing.comparison.gold import GOLD_COLUMN
from framing.comparison.ppi import PPIEstimate, needed_labels, ppi_ratio
from framing.comparison.profiles import Layout, label_codes


def metric_vectors(layout: Layout) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names, numerators (K, L) and the denominator (L,) of every ratio metric."""
    names = [f"share_{x}" for x in layout.framed_names] + ["legitimacy"]
    n = len(layout.labels)
    framed = np.flatnonzero(layout.framed)
    num = np.zeros((len(names), n))
    num[np.arange(len(framed)), framed] = 1.0
    num[-1] = layout.weights * layout.framed
    return names, num, layout.framed.astype(float)


def model_outputs(df: pd.DataFrame, layout: Layout) -> tuple[np.ndarray, str]:
    """Each sentence's model output as a vector over labels: probabilities, else one-hot."""
    columns = [f"p_{x}" for x in layout.labels]
    if all(c in df.columns for c in columns):
        f = df[columns].to_numpy(dtype=float)
        return f / f.sum(axis=1, keepdims=True), "the model's calibrated probabilities"
    return np.eye(len(layout.labels))[label_codes(df["frame"], layout)], "the model's labels"


def _clip(values: np.ndarray, layout: Layout) -> np.ndarray:
    out = np.clip(values, 0.0, 1.0)
    w = layout.weights[layout.framed]
    out[..., -1] = np.clip(values[..., -1], w.min(), w.max())
    return out


def outlet_estimates(f: np.ndarray, weights: np.ndarray, docs: np.ndarray, gold: pd.Series,
                     layout: Layout, level: float) -> tuple[PPIEstimate, PPIEstimate] | None:
    """(PPI, labelled-only) for one outlet's sentences; None with nothing labelled."""
    lab = gold.notna().to_numpy()
    if not lab.any():
        return None
    _, num, den = metric_vectors(layout)
    y = np.eye(len(layout.labels))[label_codes(gold[lab], layout)]
    args = (f, weights, docs, y, f[lab], weights[lab], docs[lab], num, den)
    return ppi_ratio(*args, lam=1.0, level=level), ppi_ratio(*args, lam=0.0, level=level)


def labelled_rows(outlet: str, part: pd.DataFrame, f: np.ndarray, weights: np.ndarray,
                  docs: np.ndarray, raw: dict[str, float], layout: Layout, level: float,
                  half_width: float) -> list[dict]:
    """Rows of the labelled table for one outlet (see the module doc)."""
    names, _, _ = metric_vectors(layout)
    gold = part[GOLD_COLUMN]
    base = {"outlet": outlet, "sentences": len(part), "labelled": int(gold.notna().sum()),
            "labelled_articles": int(part.loc[gold.notna(), "doc_id"].nunique()),
            "labelled_framed": int(gold.map(lambda x: x in layout.framed_names).sum())}
    found = outlet_estimates(f, weights, docs, gold, layout, level)
    if found is None:
        return [base | {"metric": m, "raw": raw[m], "flag": "no labelled sentence"}
                for m in names]
    ppi, only = found
    need = needed_labels(ppi.n_labelled * ppi.rectifier_var, len(part), half_width, level,
                         len(part) / part["doc_id"].nunique())
    need[-1] = np.nan  # the target is in share points; the index has another scale
    values = {"ppi": _clip(ppi.point, layout), "ppi_lo": _clip(ppi.lo, layout),
              "ppi_hi": _clip(ppi.hi, layout), "labelled_only": _clip(only.point, layout),
              "labelled_only_lo": _clip(only.lo, layout),
              "labelled_only_hi": _clip(only.hi, layout), "needed": need}
    shown = (values["ppi_hi"] - values["ppi_lo"]) / 2  # after clipping to the metric's range
    flag = _flag(ppi, shown, need, len(part), half_width)
    return [base | {"metric": m, "raw": raw[m]} | {k: float(v[i]) for k, v in values.items()}
            | {"flag": flag} for i, m in enumerate(names)]


def _flag(ppi: PPIEstimate, shown: np.ndarray, need: np.ndarray, sentences: int,
          half_width: float) -> str:
    """Empty when every framed share's interval is within +/- `half_width`; else what to do."""
    if ppi.n_articles < 2:
        return "fewer than 2 labelled articles: no interval; label more whole articles"
    widest = float(np.nanmax(shown[:-1]))
    if not np.isfinite(widest) or widest <= half_width:
        return ""
    worst = int(np.nanmax(need[:-1]))
    now = f"±{100 * widest:.1f} points; ±{100 * half_width:g} points"
    if worst <= ppi.n_labelled:
        return (f"{now} needs more labelled articles (only {ppi.n_articles}: the interval "
                "uses Student's t with one fewer degrees of freedom)")
    if worst >= sentences:
        return f"{now} needs every one of the outlet's {sentences} sentences labelled"
    return f"{now} needs about {worst} labelled sentences (has {ppi.n_labelled})"
