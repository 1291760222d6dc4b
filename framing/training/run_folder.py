"""Write a trained model's run folder, atomically, with files readable like any other file.

`<output_dir>.partial` is filled first and renamed into place in one step, so a killed run never
leaves a half-written model where `framing score` would find it. File modes follow the user's
umask (safetensors writes its file 0600 through a temporary file; another user of a shared
machine could not read the weights).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from framing.data.records import file_hashes
from framing.provenance import provenance
from framing.taxonomy import Taxonomy
from framing.training.config import TrainConfig, dump_config
from framing.training.heldout import HeldOutResults
from framing.training.model_card import write_model_card

HELD_OUT_FILE = "heldout.parquet"


def write_run(out_dir: Path, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
              cfg: TrainConfig, taxonomy: Taxonomy, results: HeldOutResults, paths: list[Path],
              base: str, run: dict) -> None:
    """Everything `framing score` and `framing compare` read from a model folder."""
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.copy(cfg.taxonomy, tmp / "taxonomy.yaml")
    (tmp / "config.yaml").write_text(dump_config(cfg))
    (tmp / "metrics.json").write_text(json.dumps(results.metrics, indent=2) + "\n")
    (tmp / "calibration.json").write_text(json.dumps(results.calibration, indent=2) + "\n")
    results.predictions.to_parquet(tmp / HELD_OUT_FILE, index=False)
    prov = provenance(taxonomy, seed=cfg.seed, base_model=cfg.base_model, base_model_path=base,
                      data_files=file_hashes(paths), **run)
    (tmp / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")
    write_model_card(tmp, cfg, taxonomy, results.metrics, prov)
    respect_umask(tmp)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)


def respect_umask(folder: Path) -> None:
    """Give every file in `folder` the mode a plain `open()` would have given it."""
    mask = os.umask(0)
    os.umask(mask)
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(0o666 & ~mask)
