"""The --fast path: outlier splitting is exact in fp32, and the int8 ONNX model tracks fp32."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from framing.errors import FramingError
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
