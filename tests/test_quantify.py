"""EMQ, BCTS and KDEy against QuaPy and scipy; held-out rows, their choice and their bootstrap."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

from framing.comparison import quantify
from framing.comparison.corrected import fit_quantifiers, outlet_prevalences
from framing.comparison.heldout import HELD_OUT_FILE, load_held_out_set
from framing.errors import FramingError
from framing.training import run_folder

from .synthetic_scores import LABELS, noisy_proba, write_held_out

L = len(LABELS)


def _posteriors(rng: np.random.Generator, true: np.ndarray) -> np.ndarray:
    base = np.full((len(true), L), 0.3)
    base[np.arange(len(true)), true] = 8.0
    return np.stack([rng.dirichlet(b) for b in base])


def test_emq_matches_quapy() -> None:
    aggregative = pytest.importorskip("quapy.method.aggregative",
                                      reason="quapy is a dev dependency")
    rng = np.random.default_rng(0)
    prior = np.bincount(rng.integers(0, L, 700), minlength=L) / 700
    test = _posteriors(rng, rng.choice(L, 3000, p=[0.4, 0.1, 0.1, 0.05, 0.15, 0.2]))
    ours = quantify.emq(test, np.ones((1, 3000)), prior)[0]
    theirs, _ = aggregative.EMQ.EM(prior, test, epsilon=1e-8)
    assert ours == pytest.approx(theirs, abs=1e-5)


def test_kdey_matches_quapy() -> None:
    kdey_module = pytest.importorskip("quapy.method._kdey", reason="quapy is a dev dependency")
    rng = np.random.default_rng(1)
    held_gold = rng.integers(0, L, 700)
    held, test = _posteriors(rng, held_gold), _posteriors(rng, rng.choice(L, 2000, p=[
        0.5, 0.1, 0.05, 0.05, 0.1, 0.2]))
    kernel = quantify.kernel_matrix(test, held)
    ours = quantify.kdey(quantify.class_densities(kernel, held_gold, np.ones(700), L),
                         np.ones((1, 2000)))[0]
    reference = object.__new__(kdey_module.KDEyML)  # aggregation only: no classifier to train
    reference.bandwidth, reference.kernel, reference.shrinkage = 0.1, "gaussian", 0.0
    reference.random_state = 0
    reference.classifier = types.SimpleNamespace(classes_=np.arange(L))
    reference.aggregation_fit(held, held_gold)
    assert ours == pytest.approx(reference.aggregate(test), abs=1e-4)


def test_bcts_is_the_likelihood_optimum() -> None:
    from scipy.optimize import minimize

    rng = np.random.default_rng(2)
    gold = rng.integers(0, L, 900)
    proba = noisy_proba(rng, np.where(rng.random(900) < 0.8, gold, rng.integers(0, L, 900)))
    inv_t, bias = quantify.fit_bcts(proba, gold)
    logp, onehot = np.log(proba), np.eye(L)[gold]

    def objective(x: np.ndarray) -> float:
        z = logp * x[0] + x[1:]
        z = z - z.max(axis=1, keepdims=True)
        logq = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-(logq * onehot).sum() / len(gold) + quantify.RIDGE * (x[1:] ** 2).sum())

    best = minimize(objective, np.r_[1.0, np.zeros(L)], method="BFGS", options={"gtol": 1e-10})
    assert np.r_[inv_t[0], bias[0]] == pytest.approx(best.x, abs=1e-4)
    # at the optimum the mean recalibrated posterior is the held-out label mix
    mean = quantify.recalibrate(proba, inv_t[0], bias[0]).mean(axis=0)
    assert mean == pytest.approx(np.bincount(gold, minlength=L) / 900, abs=1e-3)
    # a label with no held-out example gets a finite, very negative bias
    _, bias = quantify.fit_bcts(proba[gold != 3], gold[gold != 3])
    assert np.isfinite(bias).all() and bias[0, 3] < bias[0].max() - 3


def test_emq_recovers_a_prior_shift_with_calibrated_posteriors() -> None:
    """1-D Gaussian classes: exact posteriors under the training prior; the outlet has another."""
    rng = np.random.default_rng(3)
    means, train, shifted = np.arange(L) * 1.5, np.full(L, 1 / L), np.array(
        [0.4, 0.05, 0.05, 0.1, 0.1, 0.3])

    def posteriors(x: np.ndarray) -> np.ndarray:
        like = np.exp(-0.5 * (x[:, None] - means) ** 2) * train
        return like / like.sum(axis=1, keepdims=True)

    true = rng.choice(L, 20000, p=shifted)
    post = posteriors(means[true] + rng.normal(size=20000))
    assert np.abs(post.mean(axis=0) - shifted).max() > 0.05  # the average posterior is biased
    assert quantify.emq(post, np.ones((1, 20000)), train)[0] == pytest.approx(shifted, abs=0.015)


def _held_out_set(tmp_path: Path, rng: np.random.Generator):
    errors = np.full((L, L), 0.04) + np.eye(L) * 0.76
    write_held_out(tmp_path, rng, errors, n=600)
    held = load_held_out_set(tmp_path, LABELS)
    assert held is not None
    return held, errors


def test_held_out_bootstrap_widens_corrected_intervals(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    held, errors = _held_out_set(tmp_path, rng)
    true = rng.choice(L, 3000, p=[0.3, 0.1, 0.1, 0.1, 0.1, 0.3])
    predicted = np.array([rng.choice(L, p=errors[t]) for t in true])
    proba, docs = noisy_proba(rng, predicted), np.arange(3000) // 10
    notes: list[str] = []
    fit = fit_quantifiers(held, None, ["acc", "emq", "kdey"], True, 300, rng, notes)
    assert fit is not None and fit.bootstrapped and "600 dev rows of real articles" in notes[0]
    fixed = fit_quantifiers(held, None, ["acc"], True, 300, rng, [])
    assert fixed is not None
    fixed.rates = np.broadcast_to(fixed.rates[0], fixed.rates.shape)  # the fit taken as exact
    got = outlet_prevalences(fit, predicted, proba, np.ones(3000), docs, rng)
    exact = outlet_prevalences(fixed, predicted, proba, np.ones(3000), docs, rng)
    assert np.std(got["acc"][1:, 0]) > 1.3 * np.std(exact["acc"][1:, 0])
    truth = np.bincount(true, minlength=L) / 3000
    for method in ("acc", "emq", "kdey"):
        assert got[method][0] == pytest.approx(truth, abs=0.04), method


def test_held_out_rows_prefer_real_dev_and_refuse_bad_files(tmp_path: Path) -> None:
    assert HELD_OUT_FILE == run_folder.HELD_OUT_FILE
    rng = np.random.default_rng(5)
    table = write_held_out(tmp_path, rng, np.eye(L) * 0.9 + 0.1 / L, n=40)
    table.loc[:19, "corpus"] = "written"
    table.loc[30:, "split"] = "test"
    table.to_parquet(tmp_path / HELD_OUT_FILE)
    held = load_held_out_set(tmp_path, LABELS)
    assert held is not None and held.n == 10 and "dev rows of real articles (fa-kes 10)" in (
        held.source)
    table["corpus"] = "written"
    table.to_parquet(tmp_path / HELD_OUT_FILE)
    held = load_held_out_set(tmp_path, LABELS)
    assert held is not None and held.n == 30 and "no real-article rows" in held.source
    assert len(np.unique(held.docs)) == 3  # written rows of one doc_id still resample together
    table.drop(columns=["p_rebel"]).to_parquet(tmp_path / HELD_OUT_FILE)
    with pytest.raises(FramingError, match=r"heldout.parquet: missing column\(s\) \['p_rebel'\]"):
        load_held_out_set(tmp_path, LABELS)
    table.assign(frame="terorist").to_parquet(tmp_path / HELD_OUT_FILE)
    with pytest.raises(FramingError, match="column 'frame' has \\['terorist'\\]"):
        load_held_out_set(tmp_path, LABELS)
    assert load_held_out_set(tmp_path / "nowhere", LABELS) is None


def test_emq_keeps_a_label_without_held_out_examples_at_zero() -> None:
    """Smoothing a zero prior to 1e-4 (QuaPy's way) lets q / prior explode onto that label."""
    rng = np.random.default_rng(6)
    true = rng.choice(L, 2000, p=[0.2, 0.1, 0.0, 0.2, 0.2, 0.3])
    post = _posteriors(rng, true)
    prior = np.array([0.2, 0.2, 0.0, 0.2, 0.2, 0.2])
    got = quantify.emq(post, np.ones((1, 2000)), prior)[0]
    assert got[2] == 0 and got == pytest.approx(np.bincount(true, minlength=L) / 2000, abs=0.03)
