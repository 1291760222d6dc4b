"""The --fast path: outlier splitting is exact in fp32, and the int8 ONNX model tracks fp32."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from torch import nn

from framing.errors import FramingError
from framing.inference import fast
from framing.inference.fast import (
    OnnxRunner,
    OutlierSplitLinear,
    calibration_sentences,
    fast_classifier,
    split_outliers,
)
from framing.inference.predict import Classifier

SENTENCES = [
    "Government forces shelled the town on Tuesday.",
    "The terrorists attacked an army checkpoint near Idlib, the agency said.",
    "Rebels said they had captured two villages.",
    "The ministry announced new wheat prices.",
    "Resistance fighters fired rockets at the occupation's positions, its statement said.",
]


def test_outlier_split_is_the_same_layer() -> None:
    torch.manual_seed(0)
    linear = nn.Linear(8, 5)
    idx = torch.tensor([1, 6])
    keep = torch.ones(8)
    keep[idx] = 0
    split = OutlierSplitLinear(linear, keep, idx)
    x = torch.randn(3, 4, 8)
    x[..., 6] *= 40  # an outlier channel
    assert torch.allclose(split(x), linear(x), atol=1e-4)
    assert torch.all(split.main.weight[:, idx] == 0)  # int8 part never sees the outliers


def test_split_outliers_picks_channels_over_the_ratio() -> None:
    model = nn.Module()
    model.encoder = nn.Module()
    model.encoder.query = nn.Linear(6, 6)
    model.encoder.key = nn.Linear(6, 6)
    model.encoder.calm = nn.Linear(6, 6)
    model.head = nn.Linear(6, 2)  # outside the encoder: never split
    spiky = torch.tensor([1.0, 1.0, 9.0, 1.0, 1.0, 2.0])
    maxima = {"encoder.query": spiky, "encoder.key": spiky, "encoder.calm": torch.ones(6)}
    assert split_outliers(model, maxima, ratio=3.0) == 2  # channel 2 in query and in key
    assert isinstance(model.encoder.query, OutlierSplitLinear)
    assert model.encoder.query.idx.tolist() == [2]
    assert model.encoder.query.keep is model.encoder.key.keep  # one mask for a shared input
    assert isinstance(model.encoder.calm, nn.Linear)
    assert isinstance(model.head, nn.Linear)


def test_calibration_uses_the_bundled_examples() -> None:
    sentences = calibration_sentences()
    assert len(sentences) > 200 and all(s.strip() for s in sentences)


def _spread_weights(classifier: Classifier, std: float) -> None:
    """Untrained tiny logits barely differ between sentences: give them spread to compare."""
    torch.manual_seed(0)
    with torch.no_grad():
        for name, param in classifier.model.named_parameters():
            if name.endswith("weight") and param.dim() == 2 and "embeddings" not in name:
                param.normal_(0, std)


def test_exported_graph_equals_torch(tiny_model_dir: Path) -> None:
    fp32 = Classifier.from_folder(tiny_model_dir)
    _spread_weights(fp32, 0.2)
    onnx_fp32 = fast_classifier(fp32, threads=1, int8=False)
    assert isinstance(onnx_fp32.runner, OnnxRunner) and fp32.runner is None
    want = fp32.predict_logits(SENTENCES * 3, batch_size=4)
    got = onnx_fp32.predict_logits(SENTENCES * 3, batch_size=4)
    assert want.std(axis=0).mean() > 0.1  # else equality would prove nothing
    assert np.allclose(got, want, atol=1e-4), np.abs(got - want).max()


def test_int8_model_tracks_fp32(tiny_model_dir: Path) -> None:
    fp32 = Classifier.from_folder(tiny_model_dir)
    _spread_weights(fp32, 0.1)
    fast = fast_classifier(fp32, threads=1)
    want = fp32.predict_logits(SENTENCES * 3, batch_size=4)
    got = fast.predict_logits(SENTENCES * 3, batch_size=4)
    assert not np.allclose(got, want, atol=1e-6)  # int8 really ran: it is not bit-exact
    scale = np.abs(want).max()
    assert np.abs(got - want).max() < 0.25 * scale, (np.abs(got - want).max(), scale)
    assert np.corrcoef(got.ravel(), want.ravel())[0, 1] > 0.95
    assert (got.argmax(axis=1) == want.argmax(axis=1)).mean() >= 0.8


def test_missing_onnxruntime_names_the_fix(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime.quantization", None)  # import now fails
    with pytest.raises(FramingError, match=r"--fast needs onnxruntime and onnx.*pip install"):
        fast_classifier(Classifier.from_folder(tiny_model_dir))


# --- the cached int8 model ----------------------------------------------------------------------


@pytest.fixture()
def own_model(tiny_model_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny model folder, so cache files stay in this test."""
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model",
                                ignore=shutil.ignore_patterns(fast.CACHE_FILE)))


def _no_build(*_args: object, **_kw: object) -> None:
    raise AssertionError("the int8 model was rebuilt although a valid cache exists")


def test_first_fast_run_builds_the_cache_later_runs_load_it(
    own_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fast_classifier(Classifier.from_folder(own_model), threads=1)
    cached = own_model / fast.CACHE_FILE
    assert cached.is_file() and not list(own_model.glob(".*.tmp"))
    meta = onnx.load(str(cached)).metadata_props
    stamped = {p.key: p.value for p in meta}
    assert stamped[fast.CACHE_KEY_FIELD] == fast.cache_key(first)
    assert stamped["recipe"] == fast.RECIPE
    monkeypatch.setattr(fast, "_export", _no_build)
    second = fast_classifier(Classifier.from_folder(own_model), threads=1)
    np.testing.assert_array_equal(first.predict_proba(SENTENCES), second.predict_proba(SENTENCES))


def test_stale_cache_is_rebuilt(own_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_classifier(Classifier.from_folder(own_model), threads=1)
    cached = own_model / fast.CACHE_FILE
    before = cached.read_bytes()
    monkeypatch.setattr(fast, "RECIPE", fast.RECIPE + "-next")  # another recipe
    fast_classifier(Classifier.from_folder(own_model), threads=1)
    stamped = {p.key: p.value for p in onnx.load(str(cached)).metadata_props}
    assert stamped["recipe"].endswith("-next") and cached.read_bytes() != before
    monkeypatch.undo()
    # other weights: retrain-like change of one parameter, saved in place
    clf = Classifier.from_folder(own_model)
    with torch.no_grad():
        clf.model.classifier.bias += 1.0  # type: ignore[operator]
    clf.model.save_pretrained(own_model)
    rebuilt = fast_classifier(Classifier.from_folder(own_model), threads=1)
    stamped = {p.key: p.value for p in onnx.load(str(cached)).metadata_props}
    assert stamped[fast.CACHE_KEY_FIELD] == fast.cache_key(rebuilt)


def test_weights_changed_in_memory_do_not_reuse_the_cache(own_model: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fast_classifier(Classifier.from_folder(own_model), threads=1)  # cache from the file
    clf = Classifier.from_folder(own_model)
    _spread_weights(clf, 0.1)  # now the weights in memory differ from model.safetensors
    built: list[bool] = []
    real = fast._export
    monkeypatch.setattr(fast, "_export", lambda *a, **k: built.append(True) or real(*a, **k))
    fast_clf = fast_classifier(clf, threads=1)
    assert built == [True]
    want, got = clf.predict_logits(SENTENCES), fast_clf.predict_logits(SENTENCES)
    assert np.corrcoef(got.ravel(), want.ravel())[0, 1] > 0.95


def test_torn_cache_file_is_rebuilt(own_model: Path) -> None:
    (own_model / fast.CACHE_FILE).write_bytes(b"not an onnx model")
    clf = fast_classifier(Classifier.from_folder(own_model), threads=1)
    assert clf.predict_proba(SENTENCES).shape == (len(SENTENCES), clf.n_labels)
    assert onnx.load(str(own_model / fast.CACHE_FILE)).metadata_props


def test_unwritable_model_folder_still_scores(own_model: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fast.shutil, "copyfile", refuse)
    clf = fast_classifier(Classifier.from_folder(own_model), threads=1)
    assert clf.predict_proba(SENTENCES).shape == (len(SENTENCES), clf.n_labels)
    assert not (own_model / fast.CACHE_FILE).exists() and not list(own_model.glob(".*.tmp"))
