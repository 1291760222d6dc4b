"""The run folder's README.md: what the model is, what it was trained on, how well it does.

It opens with the YAML front matter model hubs read (license, language, pipeline_tag,
base_model, metrics), so the folder can be shared as it is. Results on sentences of real
articles come first: numbers on sentences written for the project prove little on their own.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from framing.taxonomy import Taxonomy
from framing.training.config import TrainConfig

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")

# The credit each corpus's README asks for when its sentences are used (labels/DATASET.md).
CORPUS_CREDITS = {
    "fa-kes": "FA-KES (F. Abu Salem, R. Al Feel, S. Elbassuoni, M. Jaber, M. Farah, \"FA-KES: "
              "A Fake News Dataset around the Syrian War\", ICWSM 2019; Zenodo 2607278): "
              "CC BY 4.0",
    "muc34": "MUC-3/4 (the NIST Message Understanding Conference text corpus, MUC-3 1991 and "
             "MUC-4 1992): public domain",
}


def hub_base_model(cfg: TrainConfig) -> str | None:
    """The base model's hub id: `base_model_id`, or `base_model` itself when it is a hub id
    (not a package or an existing folder); None when unknown (the card then omits it)."""
    if cfg.base_model_id:
        return cfg.base_model_id
    spec = cfg.base_model
    if spec.startswith("package:") or Path(spec).exists() or not HUB_ID.match(spec):
        return None
    return spec


def _front_matter(cfg: TrainConfig, metrics: dict, results: list[str]) -> list[str]:
    """The hub's model-card metadata: license, language, library_name, pipeline_tag,
    base_model (a hub id, when known), tags, metrics and model-index results."""
    meta: dict = {
        "license": "mit",
        "language": ["en"],
        "library_name": "transformers",
        "pipeline_tag": "text-classification",
        "base_model": hub_base_model(cfg),
        "tags": ["framing", "news", "armed-actors", "media-research"],
        "metrics": ["accuracy", "f1"],
        "model-index": [{
            "name": cfg.run_name,
            "results": [
                {"task": {"type": "text-classification"},
                 "dataset": {"name": f"framing labels ({split})", "type": "framing",
                             "split": split},
                 "metrics": [{"type": "accuracy", "value": metrics[split]["accuracy"]},
                             {"type": "f1", "name": "macro-F1",
                              "value": metrics[split]["macro_f1"]}]}
                for split in results
            ],
        }],
    }
    if meta["base_model"] is None:
        del meta["base_model"]
    return ["---", yaml.safe_dump(meta, sort_keys=False).rstrip(), "---", ""]


def result_keys(metrics: dict) -> list[str]:
    """Metric blocks in the order a reader needs them: real text first, then the rest."""
    keys = [k for k, v in metrics.items() if isinstance(v, dict) and "per_frame" in v]
    real = [k for k in keys if "/" in k and not k.endswith("/written")]
    return real + [k for k in keys if k not in real]


def data_credits(keys: list[str]) -> list[str]:
    """Credit lines for the real-news corpora whose sentences the run used, read from the
    per-corpus result keys (`dev/fa-kes`, `test/muc34`, ...); an unknown corpus is named, not
    skipped, so a card never hides where its data came from."""
    corpora = sorted({k.split("/", 1)[1] for k in keys if "/" in k} - {"real", "written"})
    if not corpora:
        return []
    return ["", "## Data credit", "",
            "Labelled sentences of real articles from (whole articles are not included):", "",
            *(f"- {CORPUS_CREDITS.get(c, f'`{c}` (see its README for the credit it asks)')}"
              for c in corpora)]


def _results_table(taxonomy: Taxonomy, metrics: dict, keys: list[str]) -> list[str]:
    frames = taxonomy.precedence
    lines = ["| held-out set | n | accuracy | macro-F1 | "
             + " | ".join(f"F1 {label}" for label in frames) + " |",
             "|---" * (4 + len(frames)) + "|"]
    for key in keys:
        m = metrics[key]
        lines.append(
            f"| {key} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
            + " | ".join(f"{m['per_frame'][label]['f1']:.3f}" if m["per_frame"][label]["support"]
                         else "-" for label in frames)
            + " |"
        )
    return lines


def _calibration(cal: dict) -> list[str]:
    if not cal:
        return []
    corpora = cal.get("fitted_on_corpora")
    lines = ["", "## Calibration", "",
             f"Temperature {cal['temperature']} fitted on `{cal['fitted_on']}`"
             + (f" ({', '.join(corpora)} sentences)" if corpora else "")
             + " (stored in calibration.json, applied by `framing score`).", "",
             "| split | ECE before | ECE after |", "|---|---|---|"]
    return lines + [f"| {s} | {e['before']:.4f} | {e['after']:.4f} |"
                    for s, e in cal.get("ece", {}).items()]


def write_model_card(
    folder: Path, cfg: TrainConfig, taxonomy: Taxonomy, metrics: dict, prov: dict
) -> None:
    """Write `folder/README.md` from the run's config, metrics and provenance."""
    keys = result_keys(metrics)
    lines = _front_matter(cfg, metrics, keys) + [
        f"# Framing classifier `{cfg.run_name}`",
        "",
        "Sentence-level classifier of how a sentence frames non-state armed actors "
        f"(taxonomy `{taxonomy.name}` v{taxonomy.version}): "
        + ", ".join(f"`{label}`" for label in taxonomy.precedence) + ".",
        "",
        "Load it with `framing score --model THIS_FOLDER`, `framing.load_model(THIS_FOLDER)` or "
        'plain transformers: `pipeline("text-classification", model=THIS_FOLDER)`.',
        "",
        "## Training",
        f"- base model: `{cfg.base_model}`",
        f"- data: {', '.join(f'`{p}`' for p in cfg.data.files)}; trained on split(s) "
        f"{cfg.data.train_splits} ({metrics.get('train_size', '?')} sentences), best epoch by "
        f"`{cfg.data.dev_split}` macro-F1"
        + (f" on the {cfg.data.dev_corpora} sentences" if cfg.data.dev_corpora else ""),
        f"- epochs {cfg.epochs}, batch {cfg.batch_size}, lr {cfg.learning_rate}, "
        f"max_length {cfg.max_length}, class weighting `{cfg.class_weighting}`, seed {cfg.seed}",
        f"- git commit `{prov.get('git_commit')}`, device {prov.get('device', 'cpu')}, "
        f"training time {prov.get('seconds')} s",
        "",
        "## Results on held-out sentences",
        "",
        "`<split>/real` and `<split>/<corpus>` are sentences of real articles (FA-KES: Syrian "
        "war; MUC-3/4: Latin America 1988-90) never trained on; `<split>/written` are "
        "sentences written for the project; `ood_test` holds every written sentence of "
        "conflicts the model never saw.",
        "",
        *_results_table(taxonomy, metrics, keys),
    ]
    lines += _calibration(metrics.get("calibration", {}))
    lines += data_credits(keys)
    lines += [
        "", "## Limits",
        "- English only; real-text training data are Syrian-war (2011-2018) and Latin American "
        "(1988-1990) news: other conflicts, outlets and periods may behave differently.",
        "- One frame per sentence by precedence; what a sentence *says*, not what is true.",
        "- Voice (authorial/attributed) is not predicted by this model; `framing score` fills it "
        "by a documented rule.",
    ]
    (folder / "README.md").write_text("\n".join(lines) + "\n")
