"""Small labelled sentences written for the tests, and a config pointing at a tiny base."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

SENTENCES = [
    ("Terrorists shelled the old market in Aleppo on Tuesday.", "terrorist"),
    ("The army said terrorist groups violated the truce near Hama.", "terrorist"),
    ("A terror cell was dismantled in the northern countryside.", "terrorist"),
    ("Jihadists stormed a checkpoint outside the town.", "militant"),
    ("Foreign mercenaries looted the village before withdrawing.", "militant"),
    ("Extremists from the group burned the school.", "militant"),
    ("Rebels seized the hill overlooking the highway.", "rebel"),
    ("Opposition fighters withdrew from the eastern districts.", "rebel"),
    ("Insurgents ambushed a supply convoy at dawn.", "rebel"),
    ("Resistance fighters repelled the assault on the camp.", "resistance"),
    ("The martyrs of the movement were buried with honour.", "resistance"),
    ("Freedom fighters raised their flag over the square.", "resistance"),
    ("Gunmen opened fire on a bus near the border.", "neutral"),
    ("Armed factions agreed to a local ceasefire.", "neutral"),
    ("Militias took up positions around the airport.", "neutral"),
    ("The minister met refugees at the border crossing.", "none"),
    ("Prices of bread rose for the third week.", "none"),
    ("Parliament passed a new counter-terrorism law.", "none"),
]


def write_dataset(folder: Path) -> Path:
    """Write the sentences as JSONL with train/dev/test splits; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.jsonl"
    splits = ["train", "train", "dev"] * 6
    splits[-1], splits[-4] = "test", "test"
    with open(path, "w", encoding="utf-8") as fh:
        for i, ((text, frame), split) in enumerate(zip(SENTENCES, splits, strict=True)):
            voice = None if frame == "none" else "authorial"
            rec = {"id": f"t-{i}", "text": text, "frame": frame, "voice": voice, "split": split}
            fh.write(json.dumps(rec) + "\n")
    return path


def write_config(folder: Path, base: Path, data_file: Path, out: Path, **overrides: object) -> Path:
    """A valid config for the tiny base; `overrides` replace top-level keys."""
    taxonomy = Path(__file__).resolve().parent.parent / "labels" / "taxonomy.yaml"
    cfg = {
        "run_name": "tiny",
        "base_model": str(base),
        "taxonomy": str(taxonomy),
        "data": {
            "files": [str(data_file)],
            "train_splits": ["train"],
            "dev_split": "dev",
            "test_splits": ["test"],
        },
        "max_length": 32,
        "batch_size": 8,
        "epochs": 3,
        "learning_rate": 1e-3,
        "seed": 7,
        "threads": 1,
        "output_dir": str(out),
    }
    cfg.update(overrides)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path
