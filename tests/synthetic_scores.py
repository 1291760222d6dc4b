"""Small synthetic `framing score` outputs for the compare and report tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from framing.taxonomy import DEFAULT_TAXONOMY, Taxonomy

LABELS = ["terrorist", "militant", "rebel", "resistance", "neutral", "none"]
PLANTED = '<script>window.__pwned = 1; alert("pwned")</script>'


def sentence(doc_id: str, outlet: str, idx: int, frame: str, text: str | None = None,
             voice: str | None = "authorial", date: str | None = "2017-03-01") -> dict:
    """One sentence row with the columns `framing score` writes (probabilities one-hot-ish)."""
    row: dict[str, object] = {
        "doc_id": doc_id, "outlet": outlet, "date": date, "title": f"title of {doc_id}",
        "sentence_idx": idx, "is_title": idx == 0, "char_start": 0, "char_end": 10,
        "text": text or f"ISIS {frame} fighters attacked the town.", "frame": frame,
        "voice": None if frame == "none" else voice,
    }
    for label in LABELS:
        row[f"p_{label}"] = 0.9 if label == frame else 0.02
    return row


def write_scores(folder: Path, rows: list[dict], provenance: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "sentences.parquet")
    (folder / "provenance.json").write_text(json.dumps(provenance or {}))
    return folder


def random_outlets(rng: np.random.Generator, profiles: dict[str, list[float]],
                   docs: int = 30, per_doc: int = 8, texts: list[str] | None = None) -> list[dict]:
    """Articles whose sentences draw frames from each outlet's profile (over LABELS)."""
    rows = []
    for outlet, profile in profiles.items():
        p = np.asarray(profile, dtype=float) / sum(profile)
        for d in range(docs):
            for s in range(per_doc):
                frame = LABELS[rng.choice(len(LABELS), p=p)]
                text = texts[(d + s) % len(texts)].format(frame=frame) if texts else None
                voice = "attributed" if s % 3 == 0 else "authorial"
                rows.append(sentence(f"{outlet}-{d}", outlet, s, frame, text, voice,
                                     f"2017-{1 + d % 12:02d}-01"))
    return rows


def model_folder(folder: Path, confusion: list[list[float]], taxonomy: Taxonomy) -> Path:
    """A model folder with just what compare reads: taxonomy.yaml and metrics.json."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_TAXONOMY, folder / "taxonomy.yaml")
    block = {"n": int(np.sum(confusion)), "confusion_matrix": confusion}
    (folder / "metrics.json").write_text(json.dumps(
        {"labels": taxonomy.labels, "dev": block, "test": block}))
    return folder


def noisy_proba(rng: np.random.Generator, predicted: np.ndarray) -> np.ndarray:
    """Probabilities peaked on each predicted label (0.7 + a Dirichlet share of 0.3)."""
    p = 0.3 * rng.dirichlet(np.ones(len(LABELS)), size=len(predicted))
    p[np.arange(len(predicted)), predicted] += 0.7
    return p


def write_held_out(folder: Path, rng: np.random.Generator, errors: np.ndarray, n: int = 600,
                   per_doc: int = 10, corpus: str = "fa-kes") -> pd.DataFrame:
    """A heldout.parquet of `n` dev rows, uniform gold labels, predictions drawn from `errors`
    (rows = true label, P(predicted | true)), in articles of `per_doc` rows."""
    gold = rng.integers(0, len(LABELS), size=n)
    predicted = np.array([rng.choice(len(LABELS), p=errors[t]) for t in gold])
    proba = noisy_proba(rng, predicted)
    table = pd.DataFrame({
        "split": "dev", "corpus": corpus, "doc_id": [f"h{i // per_doc}" for i in range(n)],
        "sentence_idx": np.arange(n) % per_doc, "outlet": "held",
        "frame": [LABELS[i] for i in gold], "predicted": [LABELS[i] for i in predicted]})
    for j, label in enumerate(LABELS):
        table[f"p_{label}"] = proba[:, j]
    table.to_parquet(folder / "heldout.parquet")
    return table


def write_gold(path: Path, rows: list[dict], frames: list[str], selection: str | None = "random"
               ) -> Path:
    """A labelled JSONL (as `framing label annotate` writes) for score rows with gold frames."""
    records = []
    for row, frame in zip(rows, frames, strict=True):
        record = {"doc_id": row["doc_id"], "sentence_idx": row["sentence_idx"],
                  "outlet": row["outlet"], "text": row["text"], "frame": frame}
        if selection is not None:
            record["selection"] = selection
        records.append(record)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path
