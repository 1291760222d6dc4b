"""Evaluate a model folder on labelled files, side by side with the two baselines.

The systems: the transformer, the taxonomy's cue lexicon (`framing.text.cues.CueLexicon`) and
TF-IDF + logistic regression fitted on the model's own training split. Results come per group:
all records, and, when the files mix them, sentences written for the project and sentences of
each real corpus (`fa-kes`, `muc34`), so a real-text number is never averaged away.

Per-outlet share error: on records chosen as whole random articles (`selection: random`), each
system's share of each frame among an outlet's framed sentences is compared with the gold share
(the number users quote from `framing compare`); the error is the mean |system - gold| over
outlets with at least `min_framed` gold-framed sentences and over frames.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from framing.aggregate import document_table, outlet_table
from framing.data.records import LabelledSentence, Selection, load_labelled
from framing.errors import FramingError
from framing.inference.device import Device
from framing.inference.predict import Classifier
from framing.taxonomy import Taxonomy
from framing.text.cues import CueLexicon
from framing.training.baselines import fit_tfidf_baseline
from framing.training.config import TrainConfig, data_paths
from framing.training.heldout import groups_of
from framing.training.metrics import accuracy_by_tag, classification_metrics

SYSTEMS = ("transformer", "lexicon", "tfidf_logreg")
MIN_FRAMED = 10


def evaluate(
    model_dir: Path, data_files: list[Path], split: str | None = None, batch_size: int = 64,
    min_framed: int = MIN_FRAMED, device: Device | str = Device.auto,
) -> dict:
    """Metrics of the model, the lexicon and TF-IDF+LR on `data_files` (optionally one split).

    TF-IDF+LR is fitted on the model's own training split(s), read from the run's config.yaml,
    so all three systems are judged on data none of them was fitted on (when the file is held
    out).
    """
    clf = Classifier.from_folder(model_dir, device=device)
    taxonomy = clf.taxonomy
    records = load_labelled(data_files, taxonomy)
    if split is not None:
        records = [r for r in records if r.split == split]
    if not records:
        where = f" with split {split!r}" if split else ""
        raise FramingError(f"{', '.join(map(str, data_files))}: no records{where} to evaluate")
    train = _training_records(model_dir, clf)
    texts = [r.text for r in records]
    predictions = {
        "transformer": [clf.labels[i] for i in clf.predict_proba(texts, batch_size).argmax(axis=1)],
        "lexicon": CueLexicon(taxonomy).predict(texts),
        "tfidf_logreg": list(
            fit_tfidf_baseline([r.text for r in train], [r.frame for r in train]).predict(texts)
        ),
    }
    groups = {name: _systems([records[i] for i in idx],
                             {s: [p[i] for i in idx] for s, p in predictions.items()}, clf.labels)
              for name, idx in groups_of("all", records).items()}
    return {
        "model": str(model_dir), "data": [str(p) for p in data_files], "split": split,
        "n": len(records), "tfidf_train_size": len(train),
        "systems": groups.pop("all"), "groups": groups,
        "share_error": share_errors(records, predictions, taxonomy, min_framed),
    }


def _systems(records: list[LabelledSentence], predictions: dict[str, list[str]],
             labels: list[str]) -> dict:
    gold = [r.frame for r in records]
    tags = [r.tags for r in records]
    return {name: {**classification_metrics(gold, pred, labels),
                   "by_tag": accuracy_by_tag(gold, pred, tags)}
            for name, pred in predictions.items()}


def share_errors(records: list[LabelledSentence], predictions: dict[str, list[str]],
                 taxonomy: Taxonomy, min_framed: int = MIN_FRAMED) -> dict:
    """Per corpus: mean |system share - gold share| over outlets and framed frames, on the
    whole random articles among `records`; empty when there are none."""
    rows = [i for i, r in enumerate(records) if r.selection == Selection.random]
    out: dict = {}
    for corpus in sorted({records[i].corpus or "written" for i in rows}):
        idx = [i for i in rows if (records[i].corpus or "written") == corpus]
        frame = pd.DataFrame({"doc_id": [records[i].doc_id for i in idx],
                              "outlet": [records[i].outlet or "unknown" for i in idx],
                              "date": None})
        gold = _outlet_shares(frame.assign(frame=[records[i].frame for i in idx]), taxonomy)
        keep = gold.index[gold["framed"] >= min_framed]
        result: dict = {"outlets": len(keep), "sentences": len(idx), "min_framed": min_framed}
        for name, pred in predictions.items():
            shares = _outlet_shares(frame.assign(frame=[pred[i] for i in idx]), taxonomy)
            cols = [f"share_{f}" for f in taxonomy.framed_labels]
            diff = (shares.loc[keep, cols].fillna(0.0) - gold.loc[keep, cols]).abs()
            result[name] = round(float(np.nanmean(diff.to_numpy())), 4) if len(keep) else None
        out[corpus] = result
    return out


def _outlet_shares(sentences: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    return outlet_table(document_table(sentences, taxonomy), taxonomy).set_index("outlet")


def _training_records(model_dir: Path, clf: Classifier) -> list[LabelledSentence]:
    stored = model_dir / "config.yaml"
    if not stored.is_file():
        raise FramingError(
            f"{model_dir}: no config.yaml, so the TF-IDF baseline cannot find the model's "
            "training data; evaluate a folder written by `framing train`"
        )
    cfg = TrainConfig.model_validate(yaml.safe_load(stored.read_text()))
    records = load_labelled(data_paths(cfg), clf.taxonomy)
    return [r for r in records if r.split in cfg.data.train_splits]


def _row(label: str, values: list[float | None]) -> str:
    cells = "".join(f"{v:>14.3f}" if v is not None else f"{'-':>14}" for v in values)
    return f"{label:<30}{cells}"


def _system_block(title: str, systems: dict) -> list[str]:
    names = list(systems)
    first = systems[names[0]]
    lines = [title, f"{'':<30}" + "".join(f"{n:>14}" for n in names),
             _row("accuracy", [systems[n]["accuracy"] for n in names]),
             _row("macro-F1", [systems[n]["macro_f1"] for n in names]),
             _row("macro-F1 (frames n>=20)", [systems[n]["macro_f1_supported"] for n in names])]
    for frame, stats in first["per_frame"].items():
        if stats["support"]:
            lines.append(_row(f"F1 {frame} (n={stats['support']})",
                              [systems[n]["per_frame"][frame]["f1"] for n in names]))
    return lines


def render_evaluation(result: dict) -> str:
    """The three systems side by side: per group, overall, per frame, per hard-case tag, and
    the per-outlet share error on whole random articles."""
    lines = [
        f"{result['n']} sentences from {', '.join(result['data'])}"
        + (f" (split {result['split']})" if result["split"] else ""),
        f"TF-IDF+LR fitted on the model's training split ({result['tfidf_train_size']} sentences)",
    ]
    for group, systems in result["groups"].items():
        n = next(iter(systems.values()))["n"]
        lines += ["", *_system_block(f"== {group.removeprefix('all/')} ({n} sentences)", systems)]
    lines += ["", *_system_block(f"== all ({result['n']} sentences)", result["systems"])]
    tags = next(iter(result["systems"].values()))["by_tag"]
    if tags:
        names = list(result["systems"])
        lines += ["", "accuracy by tag (all)", f"{'':<30}" + "".join(f"{n:>14}" for n in names)]
        lines += [_row(f"{tag} (n={stats['n']})",
                       [result["systems"][n]["by_tag"][tag]["accuracy"] for n in names])
                  for tag, stats in tags.items()]
    for corpus, errors in result["share_error"].items():
        lines += ["", f"per-outlet share error on whole random articles, {corpus} "
                  f"({errors['sentences']} sentences; {errors['outlets']} outlets with >= "
                  f"{errors['min_framed']} gold-framed sentences; mean |system - gold| share, "
                  "points)"]
        lines.append("".join(f"{name:>14}" for name in SYSTEMS))
        lines.append("".join(f"{100 * errors[name]:>14.1f}" if errors[name] is not None
                             else f"{'-':>14}" for name in SYSTEMS))
    return "\n".join(lines)
