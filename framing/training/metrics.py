"""Classification metrics as flat, JSON-ready dicts, and probability calibration.

Every function takes label *names* and the taxonomy's label order, so confusion matrices line
up across models, baselines and files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

ECE_BINS = 15
MIN_SUPPORT = 20
"""`macro_f1_supported` averages only frames with at least this many gold sentences: on a real
corpus a frame with 2 gold sentences would otherwise swing macro-F1 by whole points."""


def classification_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict:
    """Accuracy, macro-F1 (over labels present in y_true), macro-F1 over frames with at least
    `MIN_SUPPORT` gold sentences, per-frame P/R/F1/support, confusion matrix.

    The confusion matrix has rows = true frame, columns = predicted frame, in `labels` order.
    """
    labels = list(labels)
    if len(y_true) == 0:
        return {"n": 0}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [i for i, n in enumerate(s) if n > 0]
    supported = [i for i, n in enumerate(s) if n >= MIN_SUPPORT]
    per_frame = {
        label: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }
    acc = float(np.mean([a == b for a, b in zip(y_true, y_pred, strict=True)]))
    return {
        "n": len(y_true),
        "accuracy": round(acc, 4),
        "macro_f1": round(float(np.mean([f[i] for i in present])), 4),
        "macro_f1_supported": (round(float(np.mean([f[i] for i in supported])), 4)
                               if supported else None),
        "per_frame": per_frame,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def accuracy_by_tag(
    y_true: Sequence[str], y_pred: Sequence[str], tags: Sequence[Sequence[str]]
) -> dict[str, dict]:
    """Accuracy among the records carrying each tag (a record counts once per tag it has)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for t, p, ts in zip(y_true, y_pred, tags, strict=True):
        for tag in ts:
            hits[tag].append(t == p)
    return {
        tag: {"n": len(v), "accuracy": round(float(np.mean(v)), 4)}
        for tag, v in sorted(hits.items())
    }


def soft_confusion_matrix(
    proba: np.ndarray, true_ids: Sequence[int] | np.ndarray, n_labels: int
) -> np.ndarray:
    """Rows = true label, columns = predicted probability summed over that label's examples.

    Rows are sums, not means, so the row support is kept like the hard matrix; normalising rows
    gives the rates probabilistic adjusted classify-and-count (PACC) needs.
    """
    out = np.zeros((n_labels, n_labels))
    np.add.at(out, np.asarray(true_ids, dtype=int), np.asarray(proba, dtype=np.float64))
    return out


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE of the top-class confidence over equal-width bins, weighted by bin size."""
    if len(y) == 0:
        return float("nan")
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
    return float(ece)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature T > 0 minimising the negative log-likelihood of softmax(logits / T).

    A bounded 1-D search over log T (0.05 .. 20), deterministic and dependency-free.
    """
    if len(y) == 0:
        return 1.0

    def nll(log_t: float) -> float:
        z = logits / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    lo, hi = np.log(0.05), np.log(20.0)
    golden = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - golden * (b - a), a + golden * (b - a)
    for _ in range(80):
        if nll(c) < nll(d):
            b = d
        else:
            a = c
        c, d = b - golden * (b - a), a + golden * (b - a)
    return round(float(np.exp((a + b) / 2)), 4)
