"""Frame shares corrected for classifier error, using the model's held-out confusion matrix.

Counting predicted labels is biased: if the model calls 10% of true `rebel` sentences `militant`,
an outlet's raw `militant` share is inflated by that error, whatever the outlet wrote. With
`M[j, i] = P(predicted j | true i)`, estimated on held-out sentences, the expected predicted
distribution is `q = M @ p` for true shares `p`. Two estimators invert that:

- **Adjusted classify-and-count (ACC)**: `q` = shares of predicted labels, `M` = the held-out
  confusion matrix with each true-label row normalised to sum 1 (then transposed).
- **Probabilistic ACC (PACC)**: `q` = mean predicted probability of each label, `M[j, i]` = mean
  predicted probability of `j` over held-out sentences whose true label is `i` (a "soft"
  confusion matrix). Less noisy when the model is calibrated; it needs the soft matrix, which
  `framing train` stores for each held-out split.

Both solve `M p = q` by least squares (`p = pinv(M) q`), set negative shares to 0 and renormalise
to sum 1: the standard clip-and-renormalise fix (Forman 2008, "Quantifying counts and costs via
classification"). The correction is made over ALL labels (including `none`: a framed sentence
mistaken for `none` is lost from the framed total) before framed shares are taken.

Assumption (say it when quoting corrected numbers): the classifier errs on an outlet's sentences
as it did on the held-out set (same P(predicted | true)). When the model folder has
`heldout.parquet`, `M` is refitted on every bootstrap replicate of the held-out rows, so its
uncertainty is in the intervals (`comparison.corrected`); from `metrics.json` alone it is not.
A held-out class with no examples is assumed perfectly recognised and reported in
`HeldOutErrors.missing`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from framing.errors import FramingError

SPLIT_PREFERENCE = ("dev/real", "dev", "test/real", "test")
"""Which held-out block of metrics.json to use: dev (the split not used for reporting) before
test, and within each its real-article rows (they err like the articles users score)."""


@dataclass
class HeldOutErrors:
    """A model's error rates on one held-out split, rows and columns in `labels` order."""

    labels: list[str]
    split: str
    confusion: np.ndarray  # counts, rows = true, cols = predicted
    soft_confusion: np.ndarray | None = None  # mean probabilities, rows = true
    missing: list[str] = field(default_factory=list)  # true labels with no held-out examples

    @property
    def n(self) -> int:
        return int(self.confusion.sum())

    def rates(self) -> np.ndarray:
        """`M[j, i] = P(predicted j | true i)` from the hard confusion matrix."""
        return misclassification_rates(self.confusion)

    def soft_rates(self) -> np.ndarray | None:
        if self.soft_confusion is None:
            return None
        return misclassification_rates(self.soft_confusion)


def misclassification_rates(confusion: np.ndarray) -> np.ndarray:
    """Column-stochastic `M[j, i] = P(predicted j | true i)` from a rows-true matrix.

    A true label with no examples (an all-zero row) gets the identity column: assumed correct.
    """
    confusion = np.asarray(confusion, dtype=np.float64)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion matrix must be square, got shape {confusion.shape}")
    if (confusion < 0).any():
        raise ValueError("confusion matrix has negative entries")
    support = confusion.sum(axis=1)
    rows = np.where(support[:, None] > 0, confusion / np.maximum(support, 1e-300)[:, None],
                    np.eye(len(confusion)))
    return rows.T


def adjust_shares(observed: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Solve `rates @ p = observed` by least squares, clip negatives to 0, renormalise.

    `observed` may be one distribution (shape (L,)) or a batch (shape (..., L)); each is
    normalised to sum 1 first. `rates` is one matrix (L, L) or one per distribution (..., L, L),
    e.g. refitted on each bootstrap replicate of the held-out set. A distribution whose solution
    clips to all zeros is returned unadjusted (never happens with a usable matrix; kept so the
    result is always a distribution).
    """
    observed = np.asarray(observed, dtype=np.float64)
    totals = observed.sum(axis=-1, keepdims=True)
    q = np.divide(observed, totals, out=np.full_like(observed, np.nan), where=totals > 0)
    p = np.einsum("...ij,...j->...i", np.linalg.pinv(rates), q)
    p = np.clip(p, 0.0, None)
    mass = p.sum(axis=-1, keepdims=True)
    return np.where(mass > 0, p / np.where(mass > 0, mass, 1.0), q)


def adjusted_classify_and_count(predicted_counts: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    """ACC: true-label shares from counts of predicted labels and a rows-true confusion matrix."""
    return adjust_shares(predicted_counts, misclassification_rates(confusion))


def probabilistic_adjusted_count(mean_proba: np.ndarray, soft_confusion: np.ndarray) -> np.ndarray:
    """PACC: true-label shares from mean predicted probabilities and a soft confusion matrix."""
    return adjust_shares(mean_proba, misclassification_rates(soft_confusion))


def load_held_out_errors(model_dir: Path, labels: Sequence[str]) -> HeldOutErrors:
    """Read `metrics.json` from a model folder; reorder its matrix to `labels` order.

    Uses the first block of `SPLIT_PREFERENCE` that has a confusion matrix. A
    `soft_confusion_matrix` entry in the same block (rows true, columns summed probabilities)
    enables PACC.
    """
    path = Path(model_dir) / "metrics.json"
    if not path.is_file():
        raise FramingError(
            f"{path}: no metrics.json in the model folder; corrected shares need the held-out "
            "confusion matrix that `framing train` writes there"
        )
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FramingError(f"{path}: not valid JSON: {exc}") from exc
    stored = metrics.get("labels")
    if not isinstance(stored, list) or sorted(stored) != sorted(labels):
        raise FramingError(
            f"{path}: field 'labels' should list the taxonomy's frames {list(labels)}, "
            f"found {stored!r}; the model was trained on another taxonomy"
        )
    for split in SPLIT_PREFERENCE:
        block = metrics.get(split)
        if isinstance(block, dict) and "confusion_matrix" in block:
            return _from_block(path, split, block, stored, list(labels))
    raise FramingError(
        f"{path}: none of the splits {list(SPLIT_PREFERENCE)} has a 'confusion_matrix'; "
        "re-run `framing train` (or `framing evaluate`) to write one"
    )


def _from_block(
    path: Path, split: str, block: dict, stored: list[str], labels: list[str]
) -> HeldOutErrors:
    order = [stored.index(name) for name in labels]
    matrices: list[np.ndarray | None] = []
    for key in ("confusion_matrix", "soft_confusion_matrix"):
        raw = block.get(key)
        if raw is None:
            matrices.append(None)
            continue
        matrix = np.asarray(raw, dtype=np.float64)
        if matrix.shape != (len(labels), len(labels)) or (matrix < 0).any():
            raise FramingError(
                f"{path}: {split}.{key} should be a {len(labels)}x{len(labels)} matrix of "
                f"non-negative numbers (rows = true, columns = predicted), found shape "
                f"{matrix.shape}"
            )
        matrices.append(matrix[np.ix_(order, order)])
    confusion, soft = matrices
    assert confusion is not None
    missing = [labels[i] for i in range(len(labels)) if confusion[i].sum() == 0]
    return HeldOutErrors(labels, split, confusion, soft, missing)
