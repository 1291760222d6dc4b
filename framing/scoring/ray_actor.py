"""What runs on a Ray worker for `framing score --engine ray`: the model, loaded once per actor.

The driver ships the model folder's files through Ray's object store (`model_files`), so workers
need framing installed but no copy of the model and no shared storage for it. Each node writes
the files once into its temp folder under a digest of all of them (`materialise`, atomic: a
folder is renamed into place complete), and every actor on that node loads them from there.

An actor scores whole chunks: rows carry their `part` (chunk number) and `row` (position in
the chunk), and each chunk's sentences go through `chunks.frame_columns` in one call, exactly
as the local engine scores them, so labels and probabilities are the same.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from framing.errors import FramingError
from framing.scoring.chunks import frame_columns
from framing.scoring.outputs import KEY_FIELDS, sentence_schema

if TYPE_CHECKING:
    from framing.inference.predict import Classifier

# the chunk rows the driver sends: the sentence table's key columns and text, plus part and row
INPUT_FIELDS = [("part", pa.int64()), ("row", pa.int64()), *KEY_FIELDS]
INPUT_SCHEMA = pa.schema(INPUT_FIELDS)
DEVICE_COLUMN = "device"


def model_files(folder: Path) -> dict[str, bytes]:
    """The model folder's top-level files (weights, tokenizer, taxonomy, calibration, config
    and the cached `--fast` model when there is one), by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}


def folder_digest(files: dict[str, bytes]) -> str:
    """sha256 over every shipped file's name and bytes: two folders share a node copy only when
    they are the same files (the weights alone are not enough: the tokenizer may differ)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{hashlib.sha256(files[name]).hexdigest()}\n".encode())
    return digest.hexdigest()[:32]


def materialise(files: dict[str, bytes], fast: bool) -> Path:
    """The shipped model folder on this node, written once (atomically) under `folder_digest`.

    Actors with `fast` get a folder of their own kind, so a `--fast` cache one of them writes
    never lands beside a run that did not ask for it.
    """
    root = Path(tempfile.gettempdir()) / "framing-models"
    target = root / f"{folder_digest(files)}{'-fast' if fast else ''}"
    if (target / "config.json").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=root))
    for name, data in files.items():
        (staging / name).write_bytes(data)
    try:
        os.rename(staging, target)
    except OSError:  # another actor of this node was first: use its copy
        shutil.rmtree(staging, ignore_errors=True)
    return target


class FrameActor:
    """A Ray Data actor: one model, loaded in `__init__`; `__call__` scores chunk rows."""

    def __init__(self, shipped: list[Any], fingerprint: str, fast: bool, device: str,
                 threads: int, batch_size: int) -> None:
        import ray
        import torch
        from transformers.utils import logging as hf_logging

        from framing.scoring.score import load_classifier

        hf_logging.disable_progress_bar()  # the driver shows progress; this process is ours
        torch.set_num_threads(threads)
        folder = materialise(ray.get(shipped[0]), fast)
        self.classifier: Classifier = load_classifier(folder, fast, device, threads)
        if self.classifier.fingerprint() != fingerprint:
            raise FramingError(f"{folder}: weights differ from the driver's model "
                               f"({self.classifier.fingerprint()} != {fingerprint})")
        self.batch_size = batch_size
        self.device = str(self.classifier.model.device)

    def __call__(self, batch: pa.Table) -> pa.Table:
        """The rows with frame, p_<frame>, voice and the device appended; each chunk (part)
        scored as one call, whatever slice of it this batch holds."""
        schema = sentence_schema(self.classifier.taxonomy)
        scored = []
        for part in pc.unique(batch.column("part")).to_pylist():
            rows = batch.filter(pc.equal(batch.column("part"), part))
            columns = frame_columns(rows.column("text").to_pylist(), self.classifier,
                                    self.batch_size)
            for name, values in columns.items():
                rows = rows.append_column(schema.field(name), pa.array(values,
                                                                       schema.field(name).type))
            scored.append(rows)
        table = pa.concat_tables(scored) if scored else batch
        return table.append_column(DEVICE_COLUMN, pa.array([self.device] * table.num_rows,
                                                            pa.string()))
