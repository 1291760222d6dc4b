from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from framing.errors import FramingError
from framing.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy


def test_shipped_taxonomy(taxonomy: Taxonomy) -> None:
    assert taxonomy.precedence == [
        "terrorist",
        "militant",
        "resistance",
        "rebel",
        "neutral",
        "none",
    ]
    assert taxonomy.weights == {
        "terrorist": -2,
        "militant": -1,
        "resistance": 2,
        "rebel": 1,
        "neutral": 0,
        "none": None,
    }
    assert taxonomy.framed_labels == ["terrorist", "militant", "resistance", "rebel", "neutral"]
    assert taxonomy.voice_names == ["authorial", "attributed"]
    assert taxonomy.id2label[taxonomy.label2id["rebel"]] == "rebel"
    assert taxonomy.suggest("terorist") == "terrorist"
    assert taxonomy.suggest("zzz") is None


def _write(tmp_path: Path, **change: object) -> Path:
    raw = yaml.safe_load(DEFAULT_TAXONOMY.read_text())
    raw.update(change)
    path = tmp_path / "tax.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_label_order_must_match_frames(tmp_path: Path) -> None:
    path = _write(tmp_path, label_order=["terrorist", "militant"])
    with pytest.raises(FramingError, match="label_order .* must list exactly the frames"):
        load_taxonomy(path)


def test_unknown_key_refused(tmp_path: Path) -> None:
    with pytest.raises(FramingError, match="colour: Extra inputs are not permitted"):
        load_taxonomy(_write(tmp_path, colour="red"))


def test_user_taxonomy_with_fewer_frames(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_TAXONOMY.read_text())
    raw["frames"] = [f for f in raw["frames"] if f["name"] in ("terrorist", "neutral", "none")]
    raw["label_order"] = ["none", "neutral", "terrorist"]
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(raw))
    tax = load_taxonomy(path)
    assert tax.labels == ["none", "neutral", "terrorist"]
    assert tax.precedence == ["terrorist", "neutral", "none"]
