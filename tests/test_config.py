from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from framing.errors import FramingError
from framing.taxonomy import load_taxonomy
from framing.training.config import load_config

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", sorted((REPO / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_validates(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.output_dir.startswith("models/")
    load_taxonomy(REPO / cfg.taxonomy)


BROKEN = [
    ({"epochs": 0}, "epochs: Input should be greater than or equal to 1"),
    ({"learning_rate": -1}, "learning_rate: Input should be greater than 0"),
    ({"class_weighting": "inverse"}, "class_weighting: Input should be 'none' or 'balanced'"),
    ({"max_length": 100000}, "max_length: Input should be less than or equal to 512"),
    ({"epochz": 3}, "epochz: Extra inputs are not permitted"),
    ({"run_name": "my run"}, "run_name: String should match pattern"),
    ({"output_dir": "."}, "output_dir: Value error, output_dir must be a dedicated folder"),
    (
        {"data": {"files": ["x.jsonl"], "train_splits": ["train"], "dev_split": "train"}},
        "are both trained on and evaluated on",
    ),
    ({"data": {"files": []}}, "data.files: List should have at least 1 item"),
    (
        {"data": {"files": ["a.jsonl"], "dev_split": "validation"}},
        "data.dev_split: Input should be",
    ),
]


@pytest.mark.parametrize(("change", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_broken_config_fails_naming_field(tmp_path: Path, change: dict, message: str) -> None:
    raw = yaml.safe_load((REPO / "configs" / "default.yaml").read_text())
    raw.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(FramingError) as err:
        load_config(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_config_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    expected = "list.yaml: expected a mapping at the top level, found list"
    with pytest.raises(FramingError, match=expected):
        load_config(path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(FramingError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
