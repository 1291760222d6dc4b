"""The model's held-out predictions (`heldout.parquet` in a model folder), as quantifiers need them.

`framing train` writes one row per held-out sentence: split, corpus ('written' for sentences
written for the project, else the real corpus), doc_id, sentence_idx, outlet, gold `frame`,
`predicted`, and calibrated `p_<frame>`. Quantifiers are fitted on ONE group of rows, the first
that exists of: dev rows of real articles, all dev rows, test rows of real articles, all test
rows (dev is the split nothing is reported on; real rows err like the articles users score).
Rows are resampled by article (written sentences each count as their own article) so corrected
intervals include the uncertainty of the fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from framing.comparison.correct import misclassification_rates
from framing.errors import FramingError

HELD_OUT_FILE = "heldout.parquet"
"""The file `framing.training.run_folder` writes (a test checks the two names agree)."""
WRITTEN = "written"
"""Corpus name of sentences written for the project (as `framing.training.heldout` writes)."""
ROW_PREFERENCE = (("dev", True), ("dev", False), ("test", True), ("test", False))


@dataclass
class HeldOutSet:
    """Held-out sentences in the comparison's label order: gold and predicted label codes,
    calibrated probabilities, article codes."""

    labels: list[str]
    source: str  # which rows, for notes: "120 dev rows of real articles (fa-kes 60, muc34 60)"
    gold: np.ndarray  # (H,) int codes
    predicted: np.ndarray  # (H,) int codes
    proba: np.ndarray  # (H, L) calibrated probabilities
    docs: np.ndarray  # (H,) article codes, for resampling
    missing: list[str] = field(default_factory=list)  # labels with no held-out example

    @property
    def n(self) -> int:
        return len(self.gold)

    def confusion(self, row_weights: np.ndarray) -> np.ndarray:
        """(B, L, L) weighted confusion counts, rows = true, columns = predicted."""
        n_labels = len(self.labels)
        onehot_true = np.eye(n_labels)[self.gold]
        onehot_pred = np.eye(n_labels)[self.predicted]
        return np.einsum("bh,hi,hj->bij", np.atleast_2d(row_weights), onehot_true, onehot_pred)

    def soft_confusion(self, row_weights: np.ndarray) -> np.ndarray:
        """(B, L, L) weighted sums of probabilities, rows = true label."""
        onehot_true = np.eye(len(self.labels))[self.gold]
        return np.einsum("bh,hi,hj->bij", np.atleast_2d(row_weights), onehot_true, self.proba)

    def rates(self, row_weights: np.ndarray, soft: bool = False) -> np.ndarray:
        """(B, L, L) column-stochastic P(predicted | true) per replicate (see `correct`)."""
        matrices = self.soft_confusion(row_weights) if soft else self.confusion(row_weights)
        return np.stack([misclassification_rates(m) for m in matrices])

    def replicate_weights(self, n_boot: int, rng: np.random.Generator) -> np.ndarray:
        """(n_boot, H) row weights: each replicate draws as many articles as there are, with
        replacement, and weighs each row by how often its article was drawn."""
        n_docs = int(self.docs.max()) + 1
        draws = rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=n_boot)
        return draws[:, self.docs].astype(float)


def load_held_out_set(model_dir: Path, labels: list[str]) -> HeldOutSet | None:
    """Read `heldout.parquet` of a model folder (None when the folder has none) and pick the
    rows quantifiers are fitted on; a malformed file is a FramingError naming the column."""
    path = Path(model_dir) / HELD_OUT_FILE
    if not path.is_file():
        return None
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise FramingError(f"{path}: cannot read: {exc}; re-run `framing train`") from exc
    needed = ["split", "corpus", "doc_id", "frame", "predicted"] + [f"p_{x}" for x in labels]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise FramingError(f"{path}: missing column(s) {missing}; expected {needed}; the model "
                           "was trained by an older framing or on another taxonomy: re-train it")
    for column in ("frame", "predicted"):
        unknown = sorted(set(table[column]) - set(labels))
        if unknown:
            raise FramingError(f"{path}: column '{column}' has {unknown}, not frames of the "
                               f"taxonomy {labels}; pass the model folder that scored the table")
    rows, source = _pick_rows(table)
    if rows.empty:
        raise FramingError(f"{path}: no dev or test rows to fit the quantifiers on; re-train "
                           "with a dev split")
    return _as_set(rows, labels, f"{len(rows)} {source} in {path}")


def _pick_rows(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    for split, real_only in ROW_PREFERENCE:
        rows = table[table["split"] == split]
        if real_only:
            rows = rows[rows["corpus"] != WRITTEN]
        if not rows.empty:
            if real_only:
                counts = rows["corpus"].value_counts().sort_index()
                parts = ", ".join(f"{c} {n}" for c, n in counts.items())
                return rows, f"{split} rows of real articles ({parts})"
            return rows, f"{split} rows (no real-article rows in that split)"
    return table.iloc[:0], ""


def _as_set(rows: pd.DataFrame, labels: list[str], source: str) -> HeldOutSet:
    index = {x: i for i, x in enumerate(labels)}
    gold = rows["frame"].map(index).to_numpy(dtype=int)
    predicted = rows["predicted"].map(index).to_numpy(dtype=int)
    proba = rows[[f"p_{x}" for x in labels]].to_numpy(dtype=float)
    proba = proba / proba.sum(axis=1, keepdims=True)
    # a row without an article key (a written sentence) is an article of its own
    keys = [(str(c), d) if isinstance(d, str) and d else ("", f"row {i}")
            for i, (c, d) in enumerate(zip(rows["corpus"], rows["doc_id"], strict=True))]
    docs = pd.factorize(pd.Series(keys, dtype=object))[0]
    missing = [x for x in labels if index[x] not in set(gold)]
    return HeldOutSet(list(labels), source, gold, predicted, proba, docs, missing)
