"""Coverage of PPI (and the other share estimators) on synthetic outlets with known shares.

Each trial draws outlets with known true label mixes, articles whose own mix scatters around
their outlet's (so sentences of one article are correlated, as in news), a classifier with a
known confusion matrix, and a held-out set of 600 sentences in articles of 10. Two scenarios:
`same` (the model errs on the outlets exactly as on the held-out set: what ACC, PACC, EMQ and
KDEy assume) and `shifted` (on the outlets, rebels are mistaken for militants and neutral for
none far more often than on the held-out set: what real news does to a model trained on
other text; PPI does not care). Truth: the outlet's gold shares among framed sentences.

Prints one table per scenario: per method, mean absolute share error (points), coverage of the
nominal intervals (share of (trial, outlet, frame) cells whose interval holds the truth), mean
half-width, the number of cells, and the coverage for each frame.

    python scripts/ppi_simulation.py                      # the numbers in docs/method.md
    python scripts/ppi_simulation.py --trials 20 --n-boot 100   # quick look
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from share_eval import Tally, framed_shares, model_estimates, ppi_estimates  # noqa: E402

from framing.comparison.corrected import fit_quantifiers  # noqa: E402
from framing.comparison.heldout import HeldOutSet  # noqa: E402
from framing.comparison.profiles import Layout  # noqa: E402
from framing.taxonomy import DEFAULT_TAXONOMY, load_taxonomy  # noqa: E402

PROFILES = {  # true label mix over the taxonomy's precedence order
    "harsh": [0.30, 0.15, 0.02, 0.05, 0.13, 0.35],
    "wire": [0.05, 0.12, 0.03, 0.15, 0.25, 0.40],
    "sympathetic": [0.03, 0.05, 0.20, 0.20, 0.12, 0.40],
    "sparse": [0.06, 0.06, 0.02, 0.06, 0.10, 0.70],
}


def confusion(shifted: bool, labels: list[str]) -> np.ndarray:
    """P(predicted | true), rows = true label: 80-90% right, the rest spread, plus the shift."""
    n = len(labels)
    m = np.full((n, n), 0.02) + np.eye(n) * 0.84
    if shifted:
        rebel, militant = labels.index("rebel"), labels.index("militant")
        neutral, none = labels.index("neutral"), labels.index("none")
        m[rebel, militant] += 0.25
        m[neutral, none] += 0.20
    return m / m.sum(axis=1, keepdims=True)


def proba_for(rng: np.random.Generator, predicted: np.ndarray, n: int) -> np.ndarray:
    p = 0.3 * rng.dirichlet(np.ones(n), size=len(predicted))
    p[np.arange(len(predicted)), predicted] += 0.7
    return p


def outlet(rng: np.random.Generator, profile: np.ndarray, errors: np.ndarray, articles: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(gold, predicted, proba, article codes) of one outlet's sentences."""
    n = len(profile)
    sizes = 1 + rng.poisson(11, size=articles)
    docs = np.repeat(np.arange(articles), sizes)
    mixes = rng.dirichlet(profile * 4 + 1e-3, size=articles)
    gold = np.array([rng.choice(n, p=mixes[d]) for d in docs])
    predicted = np.array([rng.choice(n, p=errors[g]) for g in gold])
    return gold, predicted, proba_for(rng, predicted, n), docs


def held_out(rng: np.random.Generator, errors: np.ndarray, labels: list[str]) -> HeldOutSet:
    n = len(labels)
    gold = rng.integers(0, n, size=600)
    predicted = np.array([rng.choice(n, p=errors[g]) for g in gold])
    return HeldOutSet(labels, "600 simulated held-out rows", gold, predicted,
                      proba_for(rng, predicted, n), np.arange(600) // 10)


def run(scenario: str, trials: int, n_boot: int, sizes: list[int], articles: int,
        level: float, seed: int) -> pd.DataFrame:
    labels = load_taxonomy(DEFAULT_TAXONOMY).precedence
    layout = Layout(load_taxonomy(DEFAULT_TAXONOMY), True)
    rng = np.random.default_rng(seed)
    held_errors = confusion(False, labels)
    outlet_errors = confusion(scenario == "shifted", labels)
    tallies: dict[str, Tally] = {}
    for _ in range(trials):
        fit = fit_quantifiers(held_out(rng, held_errors, labels), None,
                              ["acc", "pacc", "emq", "kdey"], True, n_boot, rng, [])
        for profile in PROFILES.values():
            gold, predicted, proba, docs = outlet(rng, np.array(profile), outlet_errors, articles)
            truth = framed_shares(np.bincount(gold, minlength=len(labels)), layout)
            for method, est in model_estimates(layout, fit, predicted, proba, docs, n_boot,
                                               level, rng).items():
                tallies.setdefault(method, Tally()).add(*est, truth)
            for n in sizes:
                found = ppi_estimates(layout, proba, gold, docs, n, level, rng)
                for name, est in (found or {}).items():
                    tallies.setdefault(f"{name} n={n}", Tally()).add(*est, truth)
    table = pd.DataFrame([{"method": m} | t.row() for m, t in tallies.items()])
    by_frame = pd.DataFrame([t.coverage_by_frame(layout.framed_names) for t in tallies.values()])
    return pd.concat([table, (100 * by_frame).round(1)], axis=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--articles", type=int, default=80, help="articles per outlet")
    parser.add_argument("--sizes", default="50,100,200", help="labelled sentences per outlet")
    parser.add_argument("--level", type=float, default=0.95)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scenarios", default="same,shifted")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    for scenario in args.scenarios.split(","):
        table = run(scenario, args.trials, args.n_boot, sizes, args.articles, args.level,
                    args.seed)
        print(f"\nscenario: {scenario} ({args.trials} trials x {len(PROFILES)} outlets of "
              f"{args.articles} articles, {100 * args.level:g}% intervals, {args.n_boot} "
              "bootstrap replicates)")
        shown = table.assign(mae=(100 * table["mae"]).round(2),
                             coverage=(100 * table["coverage"]).round(1),
                             half_width=(100 * table["half_width"]).round(2))
        print(shown.rename(columns={"mae": "MAE (pts)", "coverage": "coverage %",
                                    "half_width": "half-width (pts)"}).to_string(index=False))


if __name__ == "__main__":
    main()
