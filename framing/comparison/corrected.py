"""Shares corrected for classifier error (`--adjust`), with intervals over articles AND the fit.

Methods (each estimates an outlet's label prevalence over ALL labels, `none` included, from
which shares among framed sentences and the legitimacy index follow):
- `acc`: adjusted classify-and-count, from the hard confusion matrix (`correct`);
- `pacc`: probabilistic ACC, from the soft confusion matrix;
- `emq`: EMQ/SLD on BCTS-recalibrated posteriors (`quantify`);
- `kdey`: KDEy-ML (`quantify`).
`emq` and `kdey` need the model's per-sentence held-out predictions (`heldout.parquet`); `acc`
and `pacc` also run from `metrics.json` alone, but then the held-out fit is taken as exact.

Uncertainty: replicate b resamples the outlet's articles AND the held-out articles, refits the
quantifier on the resampled held-out rows (confusion matrices, BCTS calibration and prior, kernel
densities) and applies it to the resampled outlet; percentile intervals as everywhere else.
Replicate 0 is the point estimate (every row once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from framing.comparison import quantify
from framing.comparison.correct import HeldOutErrors
from framing.comparison.heldout import HeldOutSet

Method = Literal["acc", "pacc", "emq", "kdey"]
METHODS: tuple[Method, ...] = ("acc", "pacc", "emq", "kdey")
DEFAULT_METHODS: tuple[Method, ...] = ("acc", "pacc")
NEEDS_ROWS = ("emq", "kdey")
NEEDS_PROBA = ("pacc", "emq", "kdey")
NAMES = {"acc": "ACC", "pacc": "PACC", "emq": "EMQ (BCTS)", "kdey": "KDEy-ML"}


@dataclass
class QuantifierFit:
    """Quantifiers fitted on held-out rows; axis 0 of every array: point, then replicates."""

    labels: list[str]
    source: str
    methods: list[Method]
    bootstrapped: bool  # False: one fit from metrics.json, reused by every replicate
    rates: np.ndarray  # (1 + B, L, L) hard P(predicted | true)
    soft_rates: np.ndarray | None = None
    inv_t: np.ndarray | None = None  # (1 + B,) BCTS
    bias: np.ndarray | None = None  # (1 + B, L)
    prior: np.ndarray | None = None  # (1 + B, L) held-out label frequencies
    row_weights: np.ndarray | None = None  # (1 + B, H)
    held: HeldOutSet | None = None
    missing: list[str] = field(default_factory=list)


def fit_quantifiers(
    held: HeldOutSet | None, errors: HeldOutErrors | None, methods: list[Method],
    with_proba: bool, n_boot: int, rng: np.random.Generator, notes: list[str],
) -> QuantifierFit | None:
    """Fit the requested methods that the inputs allow; say in `notes` what was left out."""
    usable = [m for m in methods if with_proba or m not in NEEDS_PROBA]
    if len(usable) < len(methods):
        notes.append(f"--adjust {', '.join(m for m in methods if m not in usable)}: the sentence "
                     "table has no p_<frame> probabilities; left out")
    if held is None:
        dropped = [m for m in usable if m in NEEDS_ROWS]
        usable = [m for m in usable if m not in NEEDS_ROWS]
        if dropped:
            notes.append(f"--adjust {', '.join(dropped)} needs heldout.parquet in the model "
                         "folder (written by `framing train`); left out")
        if errors is None or not usable:
            return None
        return _from_matrices(errors, usable, n_boot, notes)
    row_weights = np.vstack([np.ones(held.n), held.replicate_weights(n_boot, rng)])
    fit = QuantifierFit(held.labels, held.source, usable, True, held.rates(row_weights),
                        held=held, row_weights=row_weights, missing=held.missing)
    if "pacc" in usable:
        fit.soft_rates = held.rates(row_weights, soft=True)
    if "emq" in usable:
        params = [quantify.fit_bcts(held.proba, held.gold, row_weights[rows])
                  for rows in quantify.chunks(len(row_weights), held.proba.size)]
        fit.inv_t = np.concatenate([p[0] for p in params])
        fit.bias = np.concatenate([p[1] for p in params])
        fit.prior = quantify.weighted_prior(held.gold, row_weights, len(held.labels))
    notes.append(f"corrected shares ({', '.join(NAMES[m] for m in usable)}) fitted on "
                 f"{held.source}; intervals resample those articles too ({n_boot} replicates)"
                 + (f"; no held-out example of {held.missing}" if held.missing else ""))
    return fit


def _from_matrices(errors: HeldOutErrors, methods: list[Method], n_boot: int,
                   notes: list[str]) -> QuantifierFit | None:
    if "pacc" in methods and errors.soft_confusion is None:
        notes.append("probabilistic correction (PACC) not available: metrics.json has no "
                     f"{errors.split}.soft_confusion_matrix")
        methods = [m for m in methods if m != "pacc"]
    if not methods:
        return None

    def stacked(matrix: np.ndarray) -> np.ndarray:
        return np.broadcast_to(matrix, (1 + n_boot, *matrix.shape))

    soft = errors.soft_rates()
    notes.append(f"corrected shares use the '{errors.split}' confusion matrix of metrics.json "
                 f"({errors.n} held-out sentences), taken as exact: no heldout.parquet to "
                 "resample, so the intervals leave out the uncertainty of that matrix"
                 + (f"; no held-out examples of {errors.missing} (assumed correct)"
                    if errors.missing else ""))
    return QuantifierFit(errors.labels, f"'{errors.split}' block of metrics.json", methods,
                         False, stacked(errors.rates()),
                         soft_rates=None if soft is None else stacked(soft),
                         missing=errors.missing)


def outlet_prevalences(
    fit: QuantifierFit, predicted: np.ndarray, proba: np.ndarray | None, weights: np.ndarray,
    doc_codes: np.ndarray, rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Per method, (1 + B, L) prevalence over all labels for one outlet's sentences.

    `predicted` are label codes, `weights` the sentence weighting (`aggregate.sentence_weights`),
    `doc_codes` the article of each sentence; replicate b resamples articles and uses held-out
    fit b.
    """
    n_rep = len(fit.rates)
    _, docs = np.unique(doc_codes, return_inverse=True)
    n_docs = int(docs.max()) + 1
    draws = rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=n_rep - 1)
    draws = np.vstack([np.ones(n_docs), draws])
    n_labels = len(fit.labels)
    onehot = np.eye(n_labels)[predicted]
    kernel = (quantify.kernel_matrix(proba, fit.held.proba)
              if "kdey" in fit.methods and fit.held is not None and proba is not None else None)
    out: dict[str, list[np.ndarray]] = {m: [] for m in fit.methods}
    for rows in quantify.chunks(n_rep, len(predicted) * n_labels):
        w = draws[rows][:, docs] * weights
        for method in fit.methods:
            out[method].append(_apply(method, fit, rows, w, onehot, proba, kernel))
    return {m: np.concatenate(parts) for m, parts in out.items()}


def _apply(method: Method, fit: QuantifierFit, rows: slice, w: np.ndarray, onehot: np.ndarray,
           proba: np.ndarray | None, kernel: np.ndarray | None) -> np.ndarray:
    from framing.comparison.correct import adjust_shares

    if method == "acc":
        return adjust_shares(w @ onehot, fit.rates[rows])
    assert proba is not None
    if method == "pacc":
        assert fit.soft_rates is not None
        return adjust_shares(w @ proba, fit.soft_rates[rows])
    assert fit.held is not None and fit.row_weights is not None
    if method == "emq":
        assert fit.inv_t is not None and fit.bias is not None and fit.prior is not None
        posteriors = quantify.recalibrate(proba[None], fit.inv_t[rows, None, None],
                                          fit.bias[rows, None, :])
        return quantify.emq(posteriors, w, fit.prior[rows])
    assert kernel is not None
    densities = quantify.class_densities(kernel, fit.held.gold, fit.row_weights[rows],
                                         len(fit.labels))
    return quantify.kdey(densities, w)
