"""scripts/share_accuracy.py and scripts/ppi_simulation.py on tiny inputs: they run end to end
and print every method's row."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from framing.taxonomy import Taxonomy

from .synthetic_scores import LABELS, write_held_out

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
WORDS = "rebels militants terrorists fighters shelled the town army said police killed".split()


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _labels(path: Path, rng: np.random.Generator) -> None:
    """Two corpora of random test articles (plus records the script must ignore)."""
    records = []
    for corpus, outlets in (("c1", ["A", "B"]), ("c2", ["C"])):
        for d in range(8):
            outlet = outlets[d % len(outlets)]
            for s in range(10):
                frame = LABELS[rng.choice(6, p=[0.2, 0.1, 0.1, 0.02, 0.18, 0.4])]
                records.append({
                    "corpus": corpus, "doc_id": f"{corpus}-{d}", "sentence_idx": s,
                    "outlet": outlet, "text": " ".join(rng.choice(WORDS, 6)) + ".",
                    "frame": frame, "voice": None if frame == "none" else "authorial",
                    "selection": "random", "split": "train" if d == 7 else "test"})
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_share_accuracy_runs_on_a_tiny_model(tmp_path: Path, tiny_model_dir: Path,
                                             taxonomy: Taxonomy, capsys: pytest.CaptureFixture
                                             ) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    rng = np.random.default_rng(0)
    errors = np.full((6, 6), 0.04) + np.eye(6) * 0.76
    held = write_held_out(model, rng, errors, n=300)
    confusion = np.zeros((6, 6), dtype=int)
    for t, p in zip(held["frame"], held["predicted"], strict=True):
        confusion[taxonomy.labels.index(t), taxonomy.labels.index(p)] += 1
    (model / "metrics.json").write_text(json.dumps(
        {"labels": taxonomy.labels, "dev": {"confusion_matrix": confusion.tolist()}}))
    _labels(tmp_path / "real.jsonl", rng)
    _script("share_accuracy").main([str(model), "--labels", str(tmp_path / "*.jsonl"),
                                    "--sizes", "10,40", "--draws", "3", "--n-boot", "50",
                                    "--min-framed", "15"])
    out = capsys.readouterr().out
    assert "groups: corpus" in out and "groups: outlet" in out
    for method in ("raw", "acc", "pacc", "emq", "kdey", "lexicon", "ppi n=10",
                   "labelled_only n=10"):
        assert f"\n{method.rjust(18)} " in out or f"\n{method} " in out, method
    assert "PPI n=40: corpus c1 skipped (70 sentences < 80)" in out  # 7 test articles of 10
    assert "fitted on 300 dev rows of real articles" in out


def test_ppi_simulation_runs(capsys: pytest.CaptureFixture) -> None:
    _script("ppi_simulation").main(["--trials", "1", "--n-boot", "50", "--articles", "20",
                                    "--sizes", "50", "--scenarios", "shifted"])
    out = capsys.readouterr().out
    assert "scenario: shifted" in out
    for method in ("raw", "acc", "emq", "kdey", "ppi n=50", "labelled_only n=50"):
        assert method in out
