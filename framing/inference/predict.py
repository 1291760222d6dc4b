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
import yaml
from safetensors import SafetensorError
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from framing.errors import FramingError
from framing.inference.device import Device, mixed_precision, resolve_device
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
    window_stride: int
    # Logits for a padded batch (input_ids, attention_mask as int64 arrays) from another runtime,
    # e.g. the int8 ONNX Runtime model of `framing.inference.fast`; None runs `model` in torch.
    runner: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, max_length: int | None = None,
                    device: Device | str = Device.auto) -> Classifier:
        """Load `folder` onto `device`; refuse anything but a complete, local, safetensors model
        folder, and say so when the weights file or the folder cannot be read."""
        folder = Path(folder)
        try:
            return cls._load(folder, max_length, device)
        except OSError as exc:  # a folder or file we may not read, a tokenizer file missing
            raise FramingError(
                f"{exc.filename or folder}: cannot read the model folder {folder} "
                f"({exc.strerror or exc}); check "
                "its permissions, or pass a complete folder written by `framing train`"
            ) from None

    @classmethod
    def _load(cls, folder: Path, max_length: int | None, device: Device | str) -> Classifier:
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
        model = _load_weights(folder)
        model.to(resolve_device(device))  # type: ignore[arg-type]
        model.eval()
        id2label: dict = model.config.id2label or {}
        stored = [id2label[i] for i in range(int(model.config.num_labels or 0))]
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
        limit, stride = _window_settings(model, folder, max_length)
        return cls(folder, model, tokenizer, taxonomy, temperature, limit, stride)

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
        """Raw logits, shape (len(texts), n_labels); see `window_logits`."""
        return window_logits(self.model, self.tokenizer, texts, self.max_length,
                             self.window_stride, batch_size, self.runner)


def window_logits(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_length: int,
    stride: int,
    batch_size: int = 64,
    runner: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """The one way framing turns sentences into logits, for `framing score`, `framing evaluate`
    and the held-out metrics `framing train` writes.

    A text longer than `max_length` tokens is never truncated: it is cut into windows of
    `max_length` tokens overlapping by `stride`, and the windows' logits are averaged, each
    weighted by its number of tokens. Windows are batched sorted by length (less padding);
    `runner` computes logits for a padded batch (default: `model` in torch).
    """
    n_labels = int(model.config.num_labels or 0)
    if len(texts) == 0:
        return np.zeros((0, n_labels), dtype=np.float32)
    enc = tokenizer(list(texts), truncation=True, max_length=max_length, stride=stride,
                    return_overflowing_tokens=True)
    ids: list[list[int]] = enc["input_ids"]
    owner: list[int] = enc.get("overflow_to_sample_mapping", list(range(len(ids))))
    run = runner or _torch_runner(model)
    per_window = _run_windows(ids, batch_size, n_labels, tokenizer.pad_token_id or 0, run)
    sums = np.zeros((len(texts), n_labels), dtype=np.float64)
    weights = np.zeros(len(texts), dtype=np.float64)
    for w, doc in enumerate(owner):
        sums[doc] += per_window[w] * len(ids[w])
        weights[doc] += len(ids[w])
    return (sums / weights[:, None]).astype(np.float32)


def _run_windows(ids: list[list[int]], batch_size: int, n_labels: int, pad: int,
                 run: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), n_labels), dtype=np.float32)
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


def _torch_runner(model: PreTrainedModel) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def run(input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        model.eval()
        with torch.inference_mode(), mixed_precision(model.device):
            logits = model(input_ids=torch.from_numpy(input_ids).to(model.device),
                           attention_mask=torch.from_numpy(attention_mask).to(model.device)).logits
        return logits.float().cpu().numpy()

    return run


def _load_weights(folder: Path) -> PreTrainedModel:
    weights = folder / WEIGHTS_FILE
    try:  # safetensors says "No such file or directory" for a file we may not read
        weights.open("rb").close()
    except PermissionError:
        mode = weights.stat().st_mode & 0o777
        raise FramingError(
            f"{weights}: model weights not readable by you (mode {mode:o}, owner uid "
            f"{weights.stat().st_uid}); ask its owner to run chmod a+r on it (framing train "
            "now writes weights with the mode your umask gives every file)"
        ) from None
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            folder, use_safetensors=True, trust_remote_code=False, local_files_only=True
        )
    except (SafetensorError, OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.filename and Path(exc.filename) != weights:
            raise  # another file of the folder (config.json, ...): from_folder names it
        raise FramingError(
            f"{weights}: model weights unreadable (truncated?): {weights.stat().st_size:,} bytes "
            f"({exc}); retrain the model or copy the folder again"
        ) from exc


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _window_settings(model: PreTrainedModel, folder: Path,
                     max_length: int | None) -> tuple[int, int]:
    """(max_length, window_stride) as the run's config.yaml sets them, so scoring cuts long
    sentences exactly as training-time evaluation did; without one, the model's position limit
    and a quarter of it (at most 32). An explicit `max_length` overrides the stored one."""
    limit = min(int(getattr(model.config, "max_position_embeddings", 512)), 512)
    stored: dict = {}
    if (folder / "config.yaml").is_file():
        stored = yaml.safe_load((folder / "config.yaml").read_text()) or {}
    if isinstance(stored.get("max_length"), int):
        limit = min(stored["max_length"], limit)
    limit = max_length or limit
    stride = stored.get("window_stride")
    if not isinstance(stride, int) or stride >= limit // 2:
        stride = min(32, limit // 4)
    return limit, stride
