"""Evaluate a model folder on any labelled file, side by side with the two baselines."""

from __future__ import annotations

from pathlib import Path

import yaml

from framing.baselines import LexiconBaseline, fit_tfidf_baseline
from framing.config import TrainConfig, data_paths
from framing.data import LabelledSentence, load_dataset
from framing.errors import FramingError
from framing.metrics import accuracy_by_tag, classification_metrics
from framing.predict import Classifier

SYSTEMS = ("transformer", "lexicon", "tfidf_logreg")


def evaluate(
    model_dir: Path, data_files: list[Path], split: str | None = None, batch_size: int = 64
) -> dict:
    """Metrics of the model, the lexicon and TF-IDF+LR on `data_files` (optionally one split).

    TF-IDF+LR is fitted on the model's own training split(s), read from the run's config.yaml,
    so all three systems are judged on data none of them was fitted on (when the file is held out).
    """
    clf = Classifier.from_folder(model_dir)
    taxonomy = clf.taxonomy
    records = load_dataset(data_files, taxonomy)
    if split is not None:
        records = [r for r in records if r.split == split]
    if not records:
        where = f" with split {split!r}" if split else ""
        raise FramingError(f"{', '.join(map(str, data_files))}: no records{where} to evaluate")
    train = _training_records(model_dir, clf)
    texts = [r.text for r in records]
    gold = [r.frame for r in records]
    predictions = {
        "transformer": [clf.labels[i] for i in clf.predict_proba(texts, batch_size).argmax(axis=1)],
        "lexicon": LexiconBaseline(taxonomy).predict(texts),
        "tfidf_logreg": list(
            fit_tfidf_baseline([r.text for r in train], [r.frame for r in train]).predict(texts)
        ),
    }
    tags = [r.tags for r in records]
    return {
        "model": str(model_dir),
        "data": [str(p) for p in data_files],
        "split": split,
        "n": len(records),
        "tfidf_train_size": len(train),
        "systems": {
            name: {
                **classification_metrics(gold, pred, clf.labels),
                "by_tag": accuracy_by_tag(gold, pred, tags),
            }
            for name, pred in predictions.items()
        },
    }


def _training_records(model_dir: Path, clf: Classifier) -> list[LabelledSentence]:
    stored = model_dir / "config.yaml"
    if not stored.is_file():
        raise FramingError(
            f"{model_dir}: no config.yaml, so the TF-IDF baseline cannot find the model's "
            "training data; evaluate a folder written by `framing train`"
        )
    cfg = TrainConfig.model_validate(yaml.safe_load(stored.read_text()))
    records = load_dataset(data_paths(cfg), clf.taxonomy)
    return [r for r in records if r.split in cfg.data.train_splits]


def render_evaluation(result: dict) -> str:
    """The three systems side by side: overall, per frame F1, per hard-case tag accuracy."""
    systems = result["systems"]
    names = list(systems)
    head = f"{'':<28}" + "".join(f"{n:>14}" for n in names)
    lines = [
        f"{result['n']} sentences from {', '.join(result['data'])}"
        + (f" (split {result['split']})" if result["split"] else ""),
        f"TF-IDF+LR fitted on the model's training split ({result['tfidf_train_size']} sentences)",
        "",
        head,
        f"{'accuracy':<28}" + "".join(f"{systems[n]['accuracy']:>14.3f}" for n in names),
        f"{'macro-F1':<28}" + "".join(f"{systems[n]['macro_f1']:>14.3f}" for n in names),
    ]
    first = systems[names[0]]
    for frame, stats in first["per_frame"].items():
        label = f"F1 {frame} (n={stats['support']})"
        lines.append(
            f"{label:<28}"
            + "".join(f"{systems[n]['per_frame'][frame]['f1']:>14.3f}" for n in names)
        )
    tags = first["by_tag"]
    if tags:
        lines += ["", "accuracy by tag", head]
        for tag, stats in tags.items():
            label = f"{tag} (n={stats['n']})"
            lines.append(
                f"{label:<28}"
                + "".join(f"{systems[n]['by_tag'][tag]['accuracy']:>14.3f}" for n in names)
            )
    return "\n".join(lines)
