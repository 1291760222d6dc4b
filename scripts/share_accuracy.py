"""How close each share estimator comes to the gold shares of real articles, and how often its
95% interval holds them (issue 12, item 5).

Input: a model folder (written by `framing train`; `heldout.parquet` is needed for EMQ and
KDEy, metrics.json for ACC and PACC) and the real-news labelled layer (`labels/real/*.jsonl`).
Only the whole random articles of the TEST split are used (`selection == "random"`,
`split == "test"`): they were never trained or tuned on, and every sentence of them is labelled.
The model scores their sentences (`framing.inference.predict.Classifier`, argmax = the label
`framing score` writes); the quantifiers are fitted on the model's held-out rows exactly as
`framing compare --adjust` fits them.

Groups whose shares are estimated, per corpus:
- `corpus`: all random test articles of the corpus as one pseudo-outlet (the real outlets are
  too small for 50-200 labelled sentences each: tens to a few hundred sentences);
- `outlet`: each real outlet with at least --min-framed gold framed sentences (raw, lexicon and
  corrected methods only, unless the outlet has 2n sentences for a PPI sample of n).
PPI with n labelled sentences is run only on groups with at least 2n sentences (else the
"sample" is most of the group and the check is empty), drawing whole random articles until n
sentences are labelled, --draws times; skipped groups are listed.

Printed per method: mean absolute error of the framed shares against gold (points, over every
group x frame [x draw] cell), coverage of the nominal intervals, mean half-width, cells.

    python scripts/share_accuracy.py models/default --labels 'labels/real/*.jsonl'
"""

from __future__ import annotations

import argparse
import glob
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from share_eval import Tally, framed_shares, model_estimates, ppi_estimates  # noqa: E402

from framing.comparison.corrected import METHODS, fit_quantifiers  # noqa: E402
from framing.comparison.profiles import Layout  # noqa: E402
from framing.comparison.shares import load_held_out  # noqa: E402
from framing.data.records import load_labelled  # noqa: E402
from framing.errors import FramingError  # noqa: E402
from framing.taxonomy import Taxonomy, load_taxonomy  # noqa: E402
from framing.text.cues import CueLexicon  # noqa: E402


def test_articles(paths: list[Path], taxonomy: Taxonomy) -> pd.DataFrame:
    """Sentences of the random test articles: corpus, doc_id, outlet, text, gold."""
    records = [r for r in load_labelled(paths, taxonomy)
               if r.selection == "random" and r.split == "test" and r.key is not None]
    if not records:
        raise FramingError(f"no record with selection 'random' and split 'test' in {paths}")
    return pd.DataFrame({
        "corpus": [r.corpus or "unknown" for r in records],
        "doc_id": [f"{r.corpus}:{r.doc_id}" for r in records],
        "sentence_idx": [r.sentence_idx for r in records],
        "outlet": [r.outlet or "unknown" for r in records],
        "text": [r.text for r in records], "gold": [r.frame for r in records],
    }).sort_values(["corpus", "doc_id", "sentence_idx"], kind="stable").reset_index(drop=True)


def score(df: pd.DataFrame, model_dir: Path, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(predicted codes, probabilities) in the layout's label order."""
    from framing.inference.predict import Classifier

    classifier = Classifier.from_folder(model_dir, device="cpu")
    proba = classifier.predict_proba(df["text"].tolist())
    order = [classifier.labels.index(x) for x in layout.labels]
    proba = proba[:, order]
    return proba.argmax(axis=1), proba


def groups(df: pd.DataFrame, gold: np.ndarray, layout: Layout, min_framed: int
           ) -> list[tuple[str, np.ndarray]]:
    framed = layout.framed[gold]
    out = [(f"corpus {c}", (df["corpus"] == c).to_numpy()) for c in sorted(df["corpus"].unique())]
    for (corpus, outlet), part in df.groupby(["corpus", "outlet"], sort=True):
        mask = df.index.isin(part.index)
        if framed[mask].sum() >= min_framed:
            out.append((f"outlet {corpus}/{outlet}", mask))
    return out


def measure(df: pd.DataFrame, predicted: np.ndarray, proba: np.ndarray, taxonomy: Taxonomy,
            model_dir: Path, args: argparse.Namespace
            ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Per group kind, one row per method: MAE, coverage, half-width, cells; and notes."""
    layout = Layout(taxonomy, True)
    rng = np.random.default_rng(args.seed)
    notes: list[str] = []
    held, errors = load_held_out(model_dir, layout.labels, notes)
    fit = fit_quantifiers(held, errors, list(METHODS), True, args.n_boot, rng, notes)
    index = {x: i for i, x in enumerate(layout.labels)}
    gold = df["gold"].map(index).to_numpy(dtype=int)
    lexicon = np.array([index[x] for x in CueLexicon(taxonomy).predict(df["text"].tolist())])
    docs = pd.factorize(df["doc_id"])[0]
    sizes = [int(s) for s in args.sizes.split(",")]
    tallies: dict[str, dict[str, Tally]] = {"corpus": {}, "outlet": {}}
    for name, mask in groups(df, gold, layout, args.min_framed):
        kind = name.split()[0]
        truth = framed_shares(np.bincount(gold[mask], minlength=len(index)), layout)
        found = model_estimates(layout, fit, predicted[mask], proba[mask], docs[mask],
                                args.n_boot, args.level, rng)
        lex = framed_shares(np.bincount(lexicon[mask], minlength=len(index)), layout)
        found["lexicon"] = (lex, np.full_like(lex, np.nan), np.full_like(lex, np.nan))
        for method, est in found.items():
            tallies[kind].setdefault(method, Tally()).add(*est, truth)
        for n in sizes:
            if mask.sum() < 2 * n:
                notes.append(f"PPI n={n}: {name} skipped ({mask.sum()} sentences < {2 * n})")
                continue
            for _ in range(args.draws):
                drawn = ppi_estimates(layout, proba[mask], gold[mask], docs[mask], n, args.level,
                                      rng)
                for method, est in (drawn or {}).items():
                    tallies[kind].setdefault(f"{method} n={n}", Tally()).add(*est, truth)
    tables = {k: pd.DataFrame([{"method": m} | t.row() for m, t in v.items()])
              for k, v in tallies.items() if v}
    by_frame = pd.DataFrame([{"method": m} | t.coverage_by_frame(layout.framed_names)
                             for m, t in tallies["corpus"].items() if t.hits])
    tables["coverage % by frame, corpus groups"] = by_frame
    return tables, notes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--labels", default="labels/real/*.jsonl", help="glob of labelled JSONL")
    parser.add_argument("--sizes", default="50,100,200", help="labelled sentences for PPI")
    parser.add_argument("--draws", type=int, default=200, help="PPI samples per group and size")
    parser.add_argument("--n-boot", type=int, default=500)
    parser.add_argument("--level", type=float, default=0.95)
    parser.add_argument("--min-framed", type=int, default=20,
                        help="gold framed sentences an outlet needs to be a group")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = [Path(p) for p in sorted(glob.glob(args.labels))]
    taxonomy = load_taxonomy(args.model / "taxonomy.yaml")
    df = test_articles(paths, taxonomy)
    predicted, proba = score(df, args.model, Layout(taxonomy, True))
    tables, notes = measure(df, predicted, proba, taxonomy, args.model, args)
    counts = df.groupby("corpus").agg(articles=("doc_id", "nunique"), sentences=("gold", "size"))
    print(f"model {args.model}; random test articles of {len(paths)} files:")
    print(counts.to_string())
    for kind, table in tables.items():
        if kind.startswith("coverage"):
            print(f"\n{kind}")
            print(table.set_index("method").mul(100).round(1).to_string())
            continue
        print(f"\ngroups: {kind} ({100 * args.level:g}% intervals; MAE and half-width in points)")
        shown = table.assign(mae=(100 * table["mae"]).round(2),
                             coverage=(100 * table["coverage"]).round(1),
                             half_width=(100 * table["half_width"]).round(2))
        print(shown.to_string(index=False))
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
