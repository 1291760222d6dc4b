from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framing.cli import app

from .helpers_data import write_config, write_dataset

runner = CliRunner()


def test_data_check_passes_and_summarises(tmp_path: Path) -> None:
    data = write_dataset(tmp_path)
    result = runner.invoke(app, ["data", "check", str(data)])
    assert result.exit_code == 0, result.output
    assert "18 records" in result.stdout
    assert "check passed: 18 records, 0 errors" in result.stdout


def test_data_check_fails_with_named_record(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Gunmen fired.", "frame": "terorist"}) + "\n")
    result = runner.invoke(app, ["data", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:1: unknown frame 'terorist'; did you mean 'terrorist'?" in result.stderr


def test_train_bad_config_exits_2_naming_field(tmp_path: Path, tiny_base_dir: Path) -> None:
    data = write_dataset(tmp_path)
    cfg = write_config(tmp_path, tiny_base_dir, data, tmp_path / "out", batch_size=0)
    result = runner.invoke(app, ["train", str(cfg)])
    assert result.exit_code == 2
    assert "batch_size: Input should be greater than or equal to 1" in result.stderr
    assert not (tmp_path / "out").exists()


def test_train_missing_base_package_is_explained(tmp_path: Path) -> None:
    data = write_dataset(tmp_path)
    cfg = write_config(
        tmp_path, Path("x"), data, tmp_path / "out", base_model="package:no_such_weights_pkg"
    )
    result = runner.invoke(app, ["train", str(cfg)])
    assert result.exit_code == 2
    assert "package 'no_such_weights_pkg' is not installed" in result.stderr


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory, tiny_base_dir: Path) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("cli")
    data = write_dataset(tmp)
    cfg = write_config(tmp, tiny_base_dir, data, tmp / "models" / "tiny")
    result = runner.invoke(app, ["train", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "run folder:" in result.stdout and "## Results" in result.stdout
    return tmp / "models" / "tiny", data


def test_evaluate_prints_model_beside_both_baselines(cli_run: tuple[Path, Path]) -> None:
    model, data = cli_run
    result = runner.invoke(app, ["evaluate", str(data), "--model", str(model)])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "transformer" in line)
    assert header.split() == ["transformer", "lexicon", "tfidf_logreg"]
    assert "macro-F1" in result.stdout and "F1 terrorist (n=3)" in result.stdout


def test_evaluate_json_and_tags(cli_run: tuple[Path, Path], tmp_path: Path) -> None:
    model, _ = cli_run
    tagged = tmp_path / "tagged.jsonl"
    tagged.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in [
                {
                    "text": "Tory rebels voted against the bill.",
                    "frame": "none",
                    "tags": ["non_armed_sense"],
                },
                {
                    "text": "They are not terrorists but rebels.",
                    "frame": "rebel",
                    "tags": ["negation"],
                },
                {"text": "Rebels took the town.", "frame": "rebel"},
            ]
        )
    )
    result = runner.invoke(
        app, ["evaluate", str(tagged), "--model", str(model), "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    lexicon = out["systems"]["lexicon"]
    # the cue lexicon is fooled by both hard cases, and gets the plain sentence right
    assert lexicon["by_tag"] == {
        "negation": {"n": 1, "accuracy": 0.0},
        "non_armed_sense": {"n": 1, "accuracy": 0.0},
    }
    assert lexicon["accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    assert out["tfidf_train_size"] == 12


def test_evaluate_empty_split_is_a_user_error(cli_run: tuple[Path, Path]) -> None:
    model, data = cli_run
    result = runner.invoke(
        app, ["evaluate", str(data), "--model", str(model), "--split", "ood_test"]
    )
    assert result.exit_code == 2
    assert "no records with split 'ood_test' to evaluate" in result.stderr
