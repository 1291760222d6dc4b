"""The run folder's README.md: what the model is, what it was trained on, how well it does."""

from __future__ import annotations

from pathlib import Path

from framing.config import TrainConfig
from framing.taxonomy import Taxonomy


def write_model_card(
    folder: Path, cfg: TrainConfig, taxonomy: Taxonomy, metrics: dict, prov: dict
) -> None:
    """Write `folder/README.md` from the run's config, metrics and provenance."""
    lines = [
        f"# Framing classifier `{cfg.run_name}`",
        "",
        "Sentence-level classifier of how a sentence frames non-state armed actors "
        f"(taxonomy `{taxonomy.name}` v{taxonomy.version}): "
        + ", ".join(f"`{label}`" for label in taxonomy.precedence)
        + ".",
        "",
        "Load it with `framing score --model THIS_FOLDER` or plain transformers: "
        '`pipeline("text-classification", model=THIS_FOLDER)`.',
        "",
        "## Training",
        f"- base model: `{cfg.base_model}`",
        f"- data: {', '.join(f'`{p}`' for p in cfg.data.files)}; trained on split(s) "
        f"{cfg.data.train_splits} ({metrics.get('train_size', '?')} sentences), best epoch by "
        f"`{cfg.data.dev_split}` macro-F1",
        f"- epochs {cfg.epochs}, batch {cfg.batch_size}, lr {cfg.learning_rate}, "
        f"max_length {cfg.max_length}, class weighting `{cfg.class_weighting}`, seed {cfg.seed}",
        f"- git commit `{prov.get('git_commit')}`, training time {prov.get('seconds')} s",
        "",
        "## Results",
        "",
    ]
    splits = [k for k, v in metrics.items() if isinstance(v, dict) and "per_frame" in v]
    lines.append(
        "| split | n | accuracy | macro-F1 | "
        + " | ".join(f"F1 {label}" for label in taxonomy.labels)
        + " |"
    )
    lines.append("|---" * (4 + len(taxonomy.labels)) + "|")
    for s in splits:
        m = metrics[s]
        lines.append(
            f"| {s} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
            + " | ".join(f"{m['per_frame'][label]['f1']:.3f}" for label in taxonomy.labels)
            + " |"
        )
    if "ood_test" in splits:
        lines += [
            "",
            "`ood_test` holds every sentence of conflicts the model never saw in training: it "
            "measures how framing transfers to a new conflict.",
        ]
    cal = metrics.get("calibration", {})
    if cal:
        lines += [
            "",
            "## Calibration",
            "",
            f"Temperature {cal['temperature']} fitted on `{cal['fitted_on']}` "
            "(stored in calibration.json, applied by `framing score`).",
            "",
            "| split | ECE before | ECE after |",
            "|---|---|---|",
        ]
        for s, e in cal.get("ece", {}).items():
            lines.append(f"| {s} | {e['before']:.4f} | {e['after']:.4f} |")
    lines += [
        "",
        "## Limits",
        "- Trained on sentences written for this project in English news style; real outlets, "
        "other languages and translation artefacts may behave differently.",
        "- One frame per sentence by precedence; what a sentence *says*, not what is true.",
        "- Voice (authorial/attributed) is not predicted by this model; `framing score` fills it "
        "by a documented rule.",
    ]
    (folder / "README.md").write_text("\n".join(lines) + "\n")
