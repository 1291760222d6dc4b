"""What a trained model does on held-out sentences: metrics, calibration, per-sentence predictions.

For every held-out split (dev, test, ood_test, ...) `metrics.json` gets accuracy, macro-F1,
per-frame scores, the confusion matrix and the soft confusion matrix (summed calibrated
probabilities). When a split mixes sentences written for the project with sentences of real
articles, each group is also scored on its own: `<split>/written`, `<split>/real` and
`<split>/<corpus>` (e.g. `test/muc34`), because a number on our own sentences proves little
about real news. `heldout.parquet` keeps each held-out sentence's gold frame and calibrated
probabilities, so quantifiers and their intervals can be refitted later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from framing.data.records import LabelledSentence
from framing.inference.predict import softmax
from framing.taxonomy import Taxonomy
from framing.training.config import TrainConfig
from framing.training.metrics import (
    classification_metrics,
    expected_calibration_error,
    soft_confusion_matrix,
)

WRITTEN = "written"


@dataclass
class HeldOutResults:
    metrics: dict
    calibration: dict
    predictions: pd.DataFrame


def groups_of(split: str, records: list[LabelledSentence]) -> dict[str, list[int]]:
    """Row indices of each named group of a split: the split itself, and its written / real /
    per-corpus parts when it holds more than one of them."""
    corpora = [r.corpus or WRITTEN for r in records]
    out = {split: list(range(len(records)))}
    if len(set(corpora)) > 1 or set(corpora) != {WRITTEN}:
        real = [i for i, c in enumerate(corpora) if c != WRITTEN]
        if len(real) not in (0, len(records)):  # a mix: each part on its own
            out[f"{split}/{WRITTEN}"] = [i for i, c in enumerate(corpora) if c == WRITTEN]
            out[f"{split}/real"] = real
        for corpus in sorted(set(corpora) - {WRITTEN}):
            if len(set(corpora) - {WRITTEN}) > 1:
                out[f"{split}/{corpus}"] = [i for i, c in enumerate(corpora) if c == corpus]
    return out


def block(records: list[LabelledSentence], logits: np.ndarray, taxonomy: Taxonomy,
          temperature: float) -> dict:
    """Metrics of one group, with its soft confusion matrix."""
    labels = taxonomy.labels
    y = np.array([taxonomy.label2id[r.frame] for r in records], dtype=int)
    pred = [labels[i] for i in logits.argmax(axis=1)]
    out = classification_metrics([r.frame for r in records], pred, labels)
    out["soft_confusion_matrix"] = np.round(
        soft_confusion_matrix(softmax(logits / temperature), y, len(labels)), 4).tolist()
    return out


def held_out_results(held: dict[str, list[LabelledSentence]], logits: list[np.ndarray],
                     taxonomy: Taxonomy, temperature: float, cfg: TrainConfig) -> HeldOutResults:
    """Metrics, calibration (ECE before/after the temperature) and predictions per split."""
    metrics: dict = {"labels": taxonomy.labels}
    calibration: dict = {"temperature": temperature, "fitted_on": cfg.data.dev_split,
                         "fitted_on_corpora": cfg.data.dev_corpora, "ece": {}}
    rows = []
    for (split, records), split_logits in zip(held.items(), logits, strict=True):
        for name, idx in groups_of(split, records).items():
            metrics[name] = block([records[i] for i in idx], split_logits[idx], taxonomy,
                                  temperature)
        y = np.array([taxonomy.label2id[r.frame] for r in records], dtype=int)
        calibration["ece"][split] = {
            "before": round(expected_calibration_error(softmax(split_logits), y), 4),
            "after": round(expected_calibration_error(softmax(split_logits / temperature), y), 4),
        }
        rows.append(_predictions(split, records, softmax(split_logits / temperature), taxonomy))
    metrics["calibration"] = calibration
    predictions = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return HeldOutResults(metrics, calibration, predictions)


def _predictions(split: str, records: list[LabelledSentence], proba: np.ndarray,
                 taxonomy: Taxonomy) -> pd.DataFrame:
    frame = pd.DataFrame({
        "split": split,
        "corpus": [r.corpus or WRITTEN for r in records],
        "doc_id": [r.doc_id for r in records],
        "sentence_idx": pd.array([r.sentence_idx for r in records], dtype="Int64"),
        "outlet": [r.outlet for r in records],
        "frame": [r.frame for r in records],
        "predicted": [taxonomy.labels[i] for i in proba.argmax(axis=1)],
    })
    for j, name in enumerate(taxonomy.labels):
        frame[f"p_{name}"] = proba[:, j]
    return frame
