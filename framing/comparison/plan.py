"""How many labelled sentences each outlet needs for a +/- X-point PPI interval (`--plan`).

For an outlet with at least two labelled random articles (`--gold`) the rectifier variance is
MEASURED on its sample (article clustering included) and scaled to the target. Otherwise it is
PREDICTED from the model's held-out errors: the held-out rows (`heldout.parquet`, else the
cells of the metrics.json confusion matrix) are re-weighted to the outlet's predicted label mix,
their per-sentence PPI corrections (gold minus model output, projected on each share) give the
variance per labelled sentence, and a design effect for labelling whole articles is taken from
the clustering of the model's own outputs in the outlet's articles (an assumption: the errors
cluster like the predictions; re-plan with the first labelled batch to measure it).
`ppi.needed_labels` turns that variance into a sample size for the scored corpus's shares
(finite-population correction included, so never more than the outlet's sentences); the worst
framed share sets the outlet's number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from framing.comparison.correct import HeldOutErrors
from framing.comparison.gold import GOLD_COLUMN
from framing.comparison.heldout import HeldOutSet
from framing.comparison.labelled import metric_vectors, outlet_estimates
from framing.comparison.ppi import cluster_mean_var, needed_labels
from framing.comparison.profiles import Layout


def held_out_rows(held: HeldOutSet | None, errors: HeldOutErrors | None, soft: bool
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str] | None:
    """(gold one-hot, model output, predicted codes, row weight, basis) of the held-out rows."""
    if held is not None:
        n = len(held.labels)
        output = held.proba if soft else np.eye(n)[held.predicted]
        return (np.eye(n)[held.gold], output, held.predicted, np.ones(held.n),
                "held-out errors")
    if errors is None:
        return None
    true, pred = np.nonzero(errors.confusion)
    n = len(errors.labels)
    return (np.eye(n)[true], np.eye(n)[pred], pred, errors.confusion[true, pred],
            "held-out confusion matrix")


def _predicted_need(f: np.ndarray, w: np.ndarray, docs: np.ndarray, layout: Layout,
                    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str],
                    half_width: float, level: float) -> dict[str, object]:
    _, num, den = metric_vectors(layout)
    m = (w[:, None] * f).mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = (num @ m) / (den @ m)
        grad = (num - theta[:, None] * den[None, :]) / (den @ m)
    projected = (w[:, None] * f) @ grad.T
    _, clustered = cluster_mean_var(projected, docs)
    iid = projected.var(axis=0, ddof=1) / len(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        deff = np.nan_to_num(np.maximum(1.0, clustered / iid), nan=1.0)
    y, out, pred, row_w, _ = rows
    target = m / m.sum()
    held_prior = (row_w @ y) / row_w.sum()
    gold = y.argmax(axis=1)
    ratio = np.divide(target, held_prior, out=np.zeros_like(target), where=held_prior > 0)
    omega = row_w * ratio[gold]
    resid = (y - out) @ grad.T
    mean = omega @ resid / omega.sum()
    per_sentence = omega @ (resid - mean) ** 2 / omega.sum() * float(np.mean(w**2)) * deff
    need = needed_labels(per_sentence, len(f), half_width, level,
                         len(f) / len(np.unique(docs)))
    return {"need": need, "disagreement": float(omega @ (pred != gold) / omega.sum()),
            "design_effect": float(np.max(deff[:-1]))}


def plan_rows(outlet: str, part: pd.DataFrame, f: np.ndarray, w: np.ndarray, docs: np.ndarray,
              layout: Layout, rows: tuple | None, half_width: float, level: float) -> dict:
    """One row of the plan: labelled sentences needed for +/- `half_width` on every share."""
    names, _, _ = metric_vectors(layout)
    row: dict[str, object] = {"outlet": outlet, "sentences": len(part),
                              "articles": int(part["doc_id"].nunique())}
    gold = part[GOLD_COLUMN] if GOLD_COLUMN in part.columns else None
    found = (outlet_estimates(f, w, docs, gold, layout, level) if gold is not None else None)
    if found is not None and found[0].n_articles >= 2:
        ppi = found[0]
        need = needed_labels(ppi.n_labelled * ppi.rectifier_var, len(part), half_width, level,
                             len(part) / part["doc_id"].nunique())
        row |= {"labelled": ppi.n_labelled, "half_width_now": float(np.nanmax(
            ppi.half_width[:-1])), "basis": "measured on the labelled sample"}
    elif rows is not None:
        predicted = _predicted_need(f, w, docs, layout, rows, half_width, level)
        need = predicted.pop("need")  # type: ignore[assignment]
        row |= predicted | {"basis": rows[4]}
    else:
        return row | {"basis": "no labelled sample and no held-out errors: cannot plan"}
    shares = np.asarray(need[:-1], dtype=float)
    worst = int(np.nanargmax(np.where(np.isnan(shares), -1, shares)))
    row |= {"needed": float(shares[worst]), "hardest": names[worst].removeprefix("share_")}
    row |= {f"needed_{n.removeprefix('share_')}": float(v) for n, v in zip(names, shares,
                                                                            strict=False)}
    return row
