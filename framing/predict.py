"""Load a trained model folder and turn sentences into frame probabilities.

A model folder (written by `framing train`) holds safetensors weights, a tokenizer, `config.json`
with `id2label`, `taxonomy.yaml` and `calibration.json` (a temperature fitted on dev). Loading is
local only: safetensors, no remote code, no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from framing.errors import FramingError
from framing.provenance import file_sha256
from framing.taxonomy import Taxonomy, load_taxonomy

WEIGHTS_FILE = "model.safetensors"


@dataclass
class Classifier:
    """A loaded model folder, ready to score sentences."""

    folder: Path
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    taxonomy: Taxonomy
    temperature: float
    max_length: int
    # Logits for a padded batch (input_ids, attention_mask as int64 arrays) from another runtime,
    # e.g. the int8 ONNX Runtime model of `framing.fast`; None runs `model` in torch.
    runner: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, max_length: int | None = None) -> Classifier:
        """Load `folder`; refuse anything but a complete, local, safetensors model folder."""
        folder = Path(folder)
        if not (folder / "config.json").is_file():
            raise FramingError(
                f"{folder}: not a model folder (no config.json); "
                "pass a folder written by `framing train`, e.g. models/default"
            )
        if not (folder / WEIGHTS_FILE).is_file():
            raise FramingError(
                f"{folder}: no {WEIGHTS_FILE}; only safetensors weights are loaded "
                "(convert other formats with save_pretrained(safe_serialization=True))"
            )
        taxonomy = load_taxonomy(folder / "taxonomy.yaml")
        model = AutoModelForSequenceClassification.from_pretrained(
            folder, use_safetensors=True, trust_remote_code=False, local_files_only=True
        )
        model.eval()
        stored = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if stored != taxonomy.labels:
            raise FramingError(
                f"{folder}: config.json id2label {stored} does not match taxonomy.yaml "
                f"label_order {taxonomy.labels}; the folder was edited by hand - retrain it"
            )
        tokenizer = AutoTokenizer.from_pretrained(
            folder, trust_remote_code=False, local_files_only=True
        )
        calibration = folder / "calibration.json"
        temperature = 1.0
        if calibration.is_file():
            temperature = float(json.loads(calibration.read_text())["temperature"])
        limit = max_length or _model_max_length(model, folder)
        return cls(folder, model, tokenizer, taxonomy, temperature, limit)

    @property
    def labels(self) -> list[str]:
        return self.taxonomy.labels

    @property
    def n_labels(self) -> int:
        return len(self.taxonomy.labels)

    def fingerprint(self) -> str:
        """sha256 (first 16 hex digits) of the weights file: which model produced a result."""
        return file_sha256(self.folder / WEIGHTS_FILE)[:16]

    def predict_proba(
        self, texts: Sequence[str], batch_size: int = 64, calibrated: bool = True
    ) -> np.ndarray:
        """Frame probabilities, shape (len(texts), n_labels), columns in `self.labels` order.

        Texts are batched sorted by token length (less padding). A text longer than the model's
        max length is never truncated: it is scored in overlapping windows whose logits are
        averaged, each window weighted by its number of tokens.
        """
        logits = self.predict_logits(texts, batch_size)
        if calibrated:
            logits = logits / self.temperature
        return softmax(logits)

    def predict_logits(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        n_labels = self.n_labels
        if len(texts) == 0:
            return np.zeros((0, n_labels), dtype=np.float32)
        enc = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.max_length,
            stride=min(32, self.max_length // 4),
            return_overflowing_tokens=True,
        )
        ids: list[list[int]] = enc["input_ids"]
        owner: list[int] = enc.get("overflow_to_sample_mapping", list(range(len(ids))))
        window_logits = self._run_windows(ids, batch_size)
        sums = np.zeros((len(texts), n_labels), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for w, doc in enumerate(owner):
            sums[doc] += window_logits[w] * len(ids[w])
            weights[doc] += len(ids[w])
        return (sums / weights[:, None]).astype(np.float32)

    def _run_windows(self, ids: list[list[int]], batch_size: int) -> np.ndarray:
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), self.n_labels), dtype=np.float32)
        pad = self.tokenizer.pad_token_id or 0
        run = self.runner or self._run_torch
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(ids[i]) for i in chunk)
            input_ids = np.full((len(chunk), width), pad, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            out[chunk] = run(input_ids, mask)
        return out

    def _run_torch(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            logits = self.model(input_ids=torch.from_numpy(input_ids),
                                attention_mask=torch.from_numpy(attention_mask)).logits
        return logits.float().numpy()


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _model_max_length(model: PreTrainedModel, folder: Path) -> int:
    """The training max_length stored in the run's config.yaml, else the position limit."""
    limit = int(getattr(model.config, "max_position_embeddings", 512))
    resolved = folder / "config.yaml"
    if resolved.is_file():
        import yaml

        stored = (yaml.safe_load(resolved.read_text()) or {}).get("max_length")
        if isinstance(stored, int):
            return min(stored, limit)
    return min(limit, 512)
