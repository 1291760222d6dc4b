"""PPI shares: numbers by hand, agreement with ppi_py on unclustered data, coverage when
articles cluster, sample sizes, and the gold sample's matching rules."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from framing.comparison.ppi import (
    cluster_mean_var,
    disagreement_floor,
    needed_labels,
    ppi_ratio,
    quantile,
)

NUM = np.array([[1.0, 0.0]])  # share of label a among a and b (both framed)
DEN = np.array([1.0, 1.0])


def _hand_case(lam: float, finite: bool = False):
    # articles x: predicted a a b, gold a a b; y: predicted b b b (unlabelled);
    # z: predicted a b, gold a a. Labelled: x and z.
    f = np.eye(2)[[0, 0, 1, 1, 1, 1, 0, 1]]
    docs = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    lab = np.array([0, 1, 2, 6, 7])
    y = np.eye(2)[[0, 0, 1, 0, 0]]
    return ppi_ratio(f, np.ones(8), docs, y, f[lab], np.ones(5), docs[lab], NUM, DEN, lam=lam,
                     finite=finite)


def test_ppi_by_hand() -> None:
    est = _hand_case(1.0)
    # model mean (3/8, 5/8) + mean correction over 5 labelled sentences (+1/5, -1/5)
    assert est.point[0] == pytest.approx(0.575)
    # gradient (1 - 0.575, -0.575): article sums of the model term 0.275, -1.725, -0.15 around
    # n_g * mean (mean -0.2): residuals 0.875, -1.125, 0.25 -> 3/2 * 2.09375 / 8^2
    assert est.model_var[0] == pytest.approx(1.5 * 2.09375 / 64)
    # rectifier: article sums 0 (x) and 1.0 (z) around n_g * 0.2: -0.6, 0.6 -> 2 * 0.72 / 5^2
    assert est.rectifier_var[0] == pytest.approx(2 * 0.72 / 25)
    half = quantile(0.95, 1) * np.sqrt(1.5 * 2.09375 / 64 + 2 * 0.72 / 25)
    assert est.hi[0] - est.point[0] == pytest.approx(half)  # t with 2 - 1 df
    assert (est.n_labelled, est.n_articles) == (5, 2)
    # about the scored corpus itself: the model term is known, 2 of 3 articles are labelled
    corpus = _hand_case(1.0, finite=True)
    assert corpus.point[0] == pytest.approx(0.575) and corpus.fpc == pytest.approx(1 / 3)
    assert corpus.hi[0] - corpus.point[0] == pytest.approx(
        quantile(0.95, 1) * np.sqrt(2 * 0.72 / 25 / 3))


def test_labelled_only_by_hand() -> None:
    est = _hand_case(0.0)
    assert est.point[0] == pytest.approx(0.8)  # 4 of 5 labelled sentences are a
    assert est.model_var[0] == 0
    # gradient (0.2, -0.8): article sums -0.4 (x) and 0.4 (z), mean 0 -> 2 * 0.32 / 25
    assert est.rectifier_var[0] == pytest.approx(2 * 0.32 / 25)


def test_cluster_variance_by_hand() -> None:
    values = np.array([[1.0], [3.0], [2.0]])
    mean, var = cluster_mean_var(values, np.array([0, 0, 1]))
    # article sums 4 (2 sentences) and 2 (1); mean 2: residuals 0 and 0 -> 0
    assert mean[0] == 2 and var[0] == 0
    _, var = cluster_mean_var(values, np.array([0, 1, 2]))  # one sentence per article
    assert var[0] == pytest.approx(np.var(values, ddof=1) / 3)
    _, var = cluster_mean_var(values, np.array([0, 0, 0]))
    assert np.isnan(var[0])  # one article: no variance estimate


def test_matches_ppi_py_on_unclustered_data() -> None:
    ppi_py = pytest.importorskip("ppi_py", reason="ppi-python is a dev dependency")
    rng = np.random.default_rng(0)
    n_all, n = 20000, 1500
    y = rng.choice(2, size=n_all, p=[0.3, 0.7])
    pred = np.where(rng.random(n_all) < 0.85, y, 1 - y)
    f, gold = np.eye(2)[pred], np.eye(2)[y]
    lab = rng.choice(n_all, n, replace=False)
    ours = ppi_ratio(f, np.ones(n_all), np.arange(n_all), gold[lab], f[lab], np.ones(n), lab,
                     NUM, DEN, lam=1.0, level=0.9, small_sample=False, finite=False)
    lo, hi = ppi_py.ppi_mean_ci(gold[lab, 0], f[lab, 0], f[:, 0], alpha=0.1, lam=1)
    assert ours.point[0] == pytest.approx(
        ppi_py.ppi_mean_pointestimate(gold[lab, 0], f[lab, 0], f[:, 0], lam=1)[0])
    # ppi_py divides variances by n, we by n - 1 (cluster-robust small-sample factor)
    assert ours.lo[0] == pytest.approx(lo[0], abs=2e-5)
    assert ours.hi[0] == pytest.approx(hi[0], abs=2e-5)
    only = ppi_ratio(f, np.ones(n_all), np.arange(n_all), gold[lab], f[lab], np.ones(n), lab,
                     NUM, DEN, lam=0.0, level=0.9, small_sample=False, finite=False)
    lo, hi = ppi_py.classical_mean_ci(gold[lab, 0], alpha=0.1)
    assert (only.lo[0], only.hi[0]) == pytest.approx((lo, hi), abs=1e-4)


def _clustered_outlet(rng: np.random.Generator, articles: int = 400) -> tuple[np.ndarray, ...]:
    """Articles of 10 sentences, each with its own rate of a (Beta(1, 2)) and its own error
    rates (the model misses a in some articles far more than in others): errors cluster."""
    docs = np.repeat(np.arange(articles), 10)
    n = len(docs)
    y = rng.random(n) < rng.beta(1, 2, size=articles)[docs]
    miss, false_alarm = rng.beta(1, 3, size=articles)[docs], rng.beta(1, 9, size=articles)[docs]
    pred = np.where(y, rng.random(n) >= miss, rng.random(n) < false_alarm)
    return docs, np.eye(2)[1 - y.astype(int)], np.eye(2)[1 - pred.astype(int)]


def test_clustered_intervals_cover_and_naive_ones_do_not() -> None:
    rng = np.random.default_rng(3)
    hits_clustered = hits_naive = 0
    trials = 300
    for _ in range(trials):
        docs, gold, f = _clustered_outlet(rng)
        truth = gold[:, 0].mean()
        lab = np.isin(docs, rng.choice(400, 12, replace=False))  # 12 whole articles
        args = (f, np.ones(len(f)), docs, gold[lab], f[lab], np.ones(lab.sum()))
        est = ppi_ratio(*args, docs[lab], NUM, DEN)
        hits_clustered += est.lo[0] <= truth <= est.hi[0]
        naive = ppi_ratio(*args, np.arange(lab.sum()), NUM, DEN, small_sample=False)
        hits_naive += naive.lo[0] <= truth <= naive.hi[0]
    assert 0.93 <= hits_clustered / trials <= 0.99
    assert hits_naive / trials < 0.90


def test_more_labels_narrow_the_interval() -> None:
    rng = np.random.default_rng(5)
    widths = {}
    for n_articles in (10, 40):
        got = []
        for _ in range(60):
            docs, gold, f = _clustered_outlet(rng)
            lab = np.isin(docs, rng.choice(400, n_articles, replace=False))
            est = ppi_ratio(f, np.ones(len(f)), docs, gold[lab], f[lab], np.ones(lab.sum()),
                            docs[lab], NUM, DEN, small_sample=False)
            got.append(est.half_width[0])
        widths[n_articles] = float(np.mean(got))
    # 4x the labels: about half the width (the model term over 4,000 sentences is small)
    assert widths[10] / 2.2 < widths[40] < widths[10] / 1.7


def test_needed_labels_by_hand() -> None:
    z = quantile(0.95, None)
    # rectifier variance 0.2 per sentence, 10,000 sentences: n = V / ((h / z)^2 + V / N)
    expected = np.ceil(0.2 / ((0.05 / z) ** 2 + 0.2 / 10_000))
    assert needed_labels(np.array([0.2]), 10_000, 0.05, 0.95)[0] == expected
    tight = needed_labels(np.array([0.2]), 100, 0.01, 0.95)[0]
    assert tight == np.ceil(0.2 / ((0.01 / z) ** 2 + 0.2 / 100)) and tight <= 100
    # with articles of 10 sentences the interval will use t with (n / 10 - 1) df: more labels
    with_t = needed_labels(np.array([0.2]), 10_000, 0.05, 0.95, article_size=10.0)[0]
    df = int(np.ceil(with_t / 10)) - 1
    assert with_t > expected
    assert with_t == np.ceil(0.2 / ((0.05 / quantile(0.95, df)) ** 2 + 0.2 / 10_000))


def test_a_frame_the_sample_never_shows_keeps_an_interval() -> None:
    """Labels a, b, c (c framed but rare): the model predicts c on 2 of 40 unlabelled
    sentences; the 20 labelled sentences (10 articles) hold no c and no disagreement. Without
    the floor the rectifier variance is 0 and c's interval is the point itself."""
    f = np.eye(3)[[0, 1] * 19 + [2, 2]]
    docs = np.repeat(np.arange(20), 2)
    lab = np.arange(20)
    num, den = np.eye(3), np.ones(3)
    est = ppi_ratio(f, np.ones(40), docs, f[lab], f[lab], np.ones(20), docs[lab], num, den,
                    finite=True)
    assert est.point[2] == pytest.approx(2 / 40)
    assert est.hi[2] - est.lo[2] > 0.05  # half a disagreement in 20: still a real interval
    # the floor is half a pseudo-disagreement on the label pair that moves the share most
    grad_spread = 1.0  # shares among all three labels: d share / d m in [0, 1]
    assert est.rectifier_var[2] == pytest.approx(0.5 * (grad_spread / 20) ** 2)


def test_floor_of_a_metric_undefined_everywhere_is_nan_without_a_warning() -> None:
    grad = np.array([[1.0, -1.0, 0.0], [np.nan, np.nan, np.nan], [np.nan, 2.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "All-NaN slice" RuntimeWarning would fail this
        floor = disagreement_floor(grad, 10)
    assert floor[0] == pytest.approx(0.5 * (2.0 / 10) ** 2)
    assert np.isnan(floor[1])
    assert floor[2] == pytest.approx(0.5 * (2.0 / 10) ** 2)  # NaN entries are ignored
