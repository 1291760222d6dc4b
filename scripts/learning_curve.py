"""Learning curve: real-text test macro-F1 against the number of real training sentences,
for sentences chosen at random (whole random articles) and by active learning
(`framing label suggest --strategy mixed`).

Every point trains the config (default: configs/default.yaml) on all the sentences written for
the project plus N real training sentences of one pool, chooses the epoch on the real dev
sentences, and is scored on every real test sentence (both corpora), with the cue lexicon on
the same sentences as a reference line. Random pools grow by whole articles, active pools by
sentences, both in a seeded order. N = 0 is the model without real training data.

    python scripts/learning_curve.py                          # sizes 0 400 800 1200
    python scripts/learning_curve.py --sizes 0 600 1200 --epochs 3

Writes runs/learning-curve/ (data, models), docs/learning-curve.png and
docs/learning-curve.md (the table), and prints the table.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import time
from pathlib import Path

from framing.taxonomy import load_taxonomy
from framing.training.config import TrainConfig, load_config
from framing.training.evaluate import evaluate
from framing.training.train import train

POOLS = {"random": "random", "active": "mixed"}


def _records(pattern: str) -> list[dict]:
    return [json.loads(line) for path in sorted(glob.glob(pattern))
            for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def pool_order(real: list[dict], pool: str, seed: int) -> list[dict]:
    """The pool's training sentences in the order they are added (articles kept whole for
    the random pool)."""
    rows = [r for r in real if r["split"] == "train" and r.get("selection") == POOLS[pool]]
    rng = random.Random(seed)
    if pool == "active":
        rng.shuffle(rows)
        return rows
    docs = sorted({(r["corpus"], r["doc_id"]) for r in rows})
    rng.shuffle(docs)
    rank = {d: i for i, d in enumerate(docs)}
    return sorted(rows, key=lambda r: (rank[(r["corpus"], r["doc_id"])], r["sentence_idx"]))


def point(cfg: TrainConfig, written: list[dict], real: list[dict], pool: str, size: int,
          order: list[dict], out: Path, epochs: int | None) -> Path:
    """Train one point of the curve; returns its model folder."""
    held = [r for r in real if r["split"] != "train"]
    data = out / f"data-{pool}-{size}.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                            for r in written + held + order[:size]), encoding="utf-8")
    model_dir = out / f"model-{pool}-{size}"
    update = {"data": cfg.data.model_copy(update={"files": [str(data)]}),
              "output_dir": str(model_dir), "run_name": f"curve-{pool}-{size}"}
    if epochs:
        update["epochs"] = epochs
    train(cfg.model_copy(update=update), overwrite=True, progress=False)
    return model_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("configs/default.yaml"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 400, 800, 1200])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/learning-curve"))
    args = parser.parse_args()
    cfg = load_config(args.config)
    args.out.mkdir(parents=True, exist_ok=True)
    written = _records("labels/*.jsonl")
    real = _records("labels/real/*.jsonl")
    test_files = sorted(Path(p) for p in glob.glob("labels/real/*.jsonl"))
    taxonomy = load_taxonomy(cfg.taxonomy)
    rows = []
    for pool in POOLS:
        order = pool_order(real, pool, args.seed)
        for size in args.sizes:
            if size > len(order) or (size == 0 and pool != "random"):
                continue
            started = time.time()
            model_dir = point(cfg, written, real, pool, size, order, args.out, args.epochs)
            result = evaluate(model_dir, test_files, split="test")
            systems = result["systems"]
            rows.append({"pool": "none" if size == 0 else pool, "real_train": size,
                         "macro_f1": systems["transformer"]["macro_f1_supported"],
                         "accuracy": systems["transformer"]["accuracy"],
                         "lexicon_macro_f1": systems["lexicon"]["macro_f1_supported"],
                         "minutes": round((time.time() - started) / 60, 1)})
            print(json.dumps(rows[-1]), flush=True)
    (args.out / "curve.json").write_text(json.dumps(rows, indent=2))
    write_outputs(rows, taxonomy.name)


def write_outputs(rows: list[dict], name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base = [r for r in rows if r["pool"] == "none"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for pool, marker in (("random", "o"), ("active", "s")):
        pts = sorted(base + [r for r in rows if r["pool"] == pool], key=lambda r: r["real_train"])
        ax.plot([r["real_train"] for r in pts], [r["macro_f1"] for r in pts], marker=marker,
                label=f"{pool} selection")
    ax.axhline(rows[0]["lexicon_macro_f1"], color="#999", ls="--", label="cue lexicon")
    ax.set_xlabel("real training sentences (plus every sentence written for the project)")
    ax.set_ylabel("macro-F1, real test (frames with >= 20 gold)")
    ax.legend(frameon=False)
    fig.savefig("docs/learning-curve.png", dpi=150, bbox_inches="tight")
    lines = ["| selection | real training sentences | real-test macro-F1 | accuracy | minutes |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['pool']} | {r['real_train']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | "
              f"{r['minutes']} |" for r in rows]
    lines.append(f"\nCue lexicon on the same sentences: macro-F1 {rows[0]['lexicon_macro_f1']:.3f}"
                 f" (taxonomy {name}).")
    Path("docs/learning-curve.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
