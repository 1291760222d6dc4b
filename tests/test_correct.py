"""Corrected shares recover a known truth from predictions with a known error pattern."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from framing.comparison.correct import (
    adjust_shares,
    load_held_out_errors,
    misclassification_rates,
)
from framing.errors import FramingError
from framing.training.metrics import soft_confusion_matrix

LABELS = ["terrorist", "militant", "rebel", "resistance", "neutral", "none"]
TRUTH = np.array([0.10, 0.05, 0.30, 0.05, 0.20, 0.30])
# P(predicted | true): rows = true. A biased classifier: rebels often called militant,
# neutral often missed as none, terrorist sometimes militant.
ERRORS = np.array(
    [
        [0.80, 0.15, 0.00, 0.00, 0.02, 0.03],
        [0.10, 0.75, 0.10, 0.00, 0.03, 0.02],
        [0.00, 0.25, 0.65, 0.02, 0.05, 0.03],
        [0.00, 0.02, 0.10, 0.80, 0.05, 0.03],
        [0.00, 0.05, 0.05, 0.00, 0.60, 0.30],
        [0.01, 0.02, 0.02, 0.01, 0.09, 0.85],
    ]
)


def _simulate(rng: np.random.Generator, n: int, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    true = rng.choice(len(LABELS), size=n, p=prior)
    pred = np.array([rng.choice(len(LABELS), p=ERRORS[t]) for t in true])
    return true, pred


def test_acc_recovers_known_truth_raw_counts_do_not() -> None:
    rng = np.random.default_rng(0)
    # held-out set: a different class balance from the outlet's (uniform), as in real dev sets
    dev_true, dev_pred = _simulate(rng, 6000, np.full(len(LABELS), 1 / len(LABELS)))
    confusion = np.zeros((len(LABELS), len(LABELS)))
    np.add.at(confusion, (dev_true, dev_pred), 1)
    _, pred = _simulate(rng, 20000, TRUTH)
    counts = np.bincount(pred, minlength=len(LABELS))
    raw = counts / counts.sum()
    adjusted = adjust_shares(counts, misclassification_rates(confusion))
    assert np.abs(raw - TRUTH).max() > 0.08  # the bias is real
    assert np.abs(adjusted - TRUTH).max() < 0.02  # and the correction removes it
    assert adjusted.sum() == pytest.approx(1.0)


def test_pacc_recovers_known_truth() -> None:
    rng = np.random.default_rng(1)

    def probabilities(true: np.ndarray) -> np.ndarray:
        # each sentence's probabilities scatter around its true label's error row
        return np.stack([rng.dirichlet(ERRORS[t] * 20 + 0.01) for t in true])

    dev_true = rng.integers(0, len(LABELS), size=6000)
    soft = soft_confusion_matrix(probabilities(dev_true), dev_true, len(LABELS))
    true = rng.choice(len(LABELS), size=20000, p=TRUTH)
    mean_proba = probabilities(true).mean(axis=0)
    assert np.abs(mean_proba - TRUTH).max() > 0.08
    assert np.abs(adjust_shares(mean_proba, misclassification_rates(soft)) - TRUTH).max() < 0.02


def test_exact_inversion_and_clipping_by_hand() -> None:
    rates = np.array([[0.9, 0.2], [0.1, 0.8]])  # columns = true label
    truth = np.array([0.25, 0.75])
    observed = rates @ truth  # [0.375, 0.625]
    assert adjust_shares(observed, rates) == pytest.approx(truth)
    # observed more extreme than the model can produce: solution [-0.143, 1.143] -> clipped
    assert adjust_shares(np.array([0.1, 0.9]), rates) == pytest.approx([0.0, 1.0])
    # a batch is corrected row by row
    batch = adjust_shares(np.stack([observed, observed * 10]), rates)
    assert batch == pytest.approx(np.stack([truth, truth]))


def test_missing_class_assumed_correct() -> None:
    confusion = np.array([[8, 2, 0], [1, 9, 0], [0, 0, 0]])
    rates = misclassification_rates(confusion)
    assert rates[:, 2] == pytest.approx([0, 0, 1])
    assert rates.sum(axis=0) == pytest.approx([1, 1, 1])


def _metrics(tmp_path: Path, body: dict) -> Path:
    (tmp_path / "metrics.json").write_text(json.dumps(body))
    return tmp_path


def test_load_prefers_dev_and_reorders(tmp_path: Path) -> None:
    stored = ["b", "a"]
    dev = {"confusion_matrix": [[5, 1], [2, 7]]}  # rows true b, a
    test = {"confusion_matrix": [[1, 0], [0, 1]]}
    errors = load_held_out_errors(
        _metrics(tmp_path, {"labels": stored, "dev": dev, "test": test}), ["a", "b"]
    )
    assert errors.split == "dev"
    assert errors.confusion.tolist() == [[7, 2], [1, 5]]
    assert errors.n == 15
    errors = load_held_out_errors(_metrics(tmp_path, {"labels": stored, "test": test}), ["a", "b"])
    assert errors.split == "test"


def test_load_errors_name_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(FramingError, match="no metrics.json"):
        load_held_out_errors(tmp_path, ["a", "b"])
    _metrics(tmp_path, {"labels": ["a", "c"], "dev": {"confusion_matrix": [[1, 0], [0, 1]]}})
    with pytest.raises(FramingError, match=r"metrics.json: field 'labels'"):
        load_held_out_errors(tmp_path, ["a", "b"])
    _metrics(tmp_path, {"labels": ["a", "b"], "dev": {"confusion_matrix": [[1, 0, 0]]}})
    with pytest.raises(FramingError, match=r"dev.confusion_matrix should be a 2x2"):
        load_held_out_errors(tmp_path, ["a", "b"])
