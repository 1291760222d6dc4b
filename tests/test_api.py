"""The Python API: same tables as the CLI, no process-wide side effects, a runnable doc example."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

import framing
from framing.cli import app
from framing.comparison.compare import compare_scores, make_settings
from framing.errors import FramingError
from framing.inference.predict import Classifier
from framing.resources import EXAMPLES
from framing.taxonomy import Taxonomy

REPO = Path(__file__).resolve().parent.parent
TEXTS = ["Rebels shelled the town on Tuesday.", "The ministry announced new wheat prices.",
         "\"They are terrorists,\" the minister said."]


def test_import_framing_is_cheap_and_changes_nothing() -> None:
    code = ("import os, sys; before = dict(os.environ); import framing; "
            "assert 'torch' not in sys.modules and 'pandas' not in sys.modules, sys.modules; "
            "assert dict(os.environ) == before; print(framing.__version__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == framing.__version__


def test_predict_gives_frame_probabilities_and_voice(tiny_model_dir: Path,
                                                     taxonomy: Taxonomy) -> None:
    model = framing.load_model(tiny_model_dir, threads=1)
    table = model.predict(TEXTS)
    assert list(table.columns) == ["text", "frame", *(f"p_{f}" for f in taxonomy.precedence),
                                   "voice"]
    probs = table[[f"p_{f}" for f in taxonomy.precedence]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    want = Classifier.from_folder(tiny_model_dir).predict_proba(TEXTS)
    np.testing.assert_allclose(probs, want[:, [taxonomy.labels.index(f)
                                               for f in taxonomy.precedence]], atol=1e-6)
    assert table.frame.tolist() == [taxonomy.precedence[i] for i in probs.argmax(axis=1)]
    with pytest.raises(FramingError, match=r"texts\[1\]: expected a string, found int"):
        model.predict(["fine", 3])  # type: ignore[list-item]


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("api") / "run"
    result = CliRunner().invoke(app, ["score", str(EXAMPLES), "--model", str(tiny_model_dir),
                                      "--out", str(out), "--threads", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    return out


def test_score_frame_equals_the_cli_tables(cli_run: Path, tiny_model_dir: Path) -> None:
    articles = pd.read_json(EXAMPLES, lines=True, dtype=False, convert_dates=False)
    sentences, documents = framing.score_frame(articles, framing.load_model(tiny_model_dir))
    pd.testing.assert_frame_equal(sentences, pd.read_parquet(cli_run / "sentences.parquet"),
                                  check_exact=True)
    pd.testing.assert_frame_equal(documents, pd.read_parquet(cli_run / "documents.parquet"),
                                  check_exact=True)
    assert sentences.attrs["rejects"] == []


def test_score_frame_sets_bad_rows_aside_loudly(tiny_model_dir: Path) -> None:
    df = pd.DataFrame({"id": ["a", "b", "c"], "body": ["Rebels took the town.", "  ", "Gunmen."],
                       "site": ["X", "X", "Y"]}, index=[10, 11, 12])
    with pytest.warns(UserWarning, match=r"1 rows set aside \({'empty text': 1}\)"):
        sentences, documents = framing.score_frame(df, tiny_model_dir, text="body",
                                                   outlet="site")
    assert sorted(documents.doc_id) == ["a", "c"] and set(sentences.outlet) == {"X", "Y"}
    assert sentences.attrs["rejects"] == [{"row": 1, "index": 11, "doc_id": "b", "field": "body",
                                           "kind": "empty text", "reason": "empty text"}]
    with pytest.raises(FramingError, match=r"row 1 \(index 11\): field body: empty text"):
        framing.score_frame(df, tiny_model_dir, text="body", strict=True)
    with pytest.raises(FramingError, match=r"no column \['headline'\].*title="):
        framing.score_frame(df, tiny_model_dir, text="body", title="headline")


def test_compare_frame_equals_framing_compare(cli_run: Path, tiny_model_dir: Path) -> None:
    sentences = pd.read_parquet(cli_run / "sentences.parquet")
    got = framing.compare_frame(sentences, tiny_model_dir, min_framed=5, n_boot=100)
    want = compare_scores(cli_run, settings=make_settings(min_framed=5, n_boot=100)).outlets
    pd.testing.assert_frame_equal(got, want)
    assert {"legitimacy_lo", "legitimacy_hi", "ranked"} <= set(got.columns)
    with pytest.raises(FramingError, match="the sentences DataFrame: missing column"):
        framing.compare_frame(sentences.drop(columns="frame"))


def test_calls_leave_threads_environment_and_logging_alone(tiny_model_dir: Path) -> None:
    torch.set_num_threads(1)
    env, root = dict(os.environ), logging.getLogger()
    logging_state = (root.level, list(root.handlers), list(root.filters),
                     logging.root.manager.disable)
    model = framing.load_model(tiny_model_dir, threads=2)
    model.predict(TEXTS)
    framing.load_model(tiny_model_dir, fast=True, threads=2).predict(TEXTS)  # ONNX Runtime path
    articles = pd.read_json(EXAMPLES, lines=True, dtype=False, convert_dates=False).head(5)
    sentences, _ = framing.score_frame(articles, model)
    framing.compare_frame(sentences, n_boot=50, min_framed=1)
    assert torch.get_num_threads() == 1
    assert dict(os.environ) == env
    assert (root.level, list(root.handlers), list(root.filters),
            logging.root.manager.disable) == logging_state


@pytest.mark.parametrize("doc_name", ["docs/api.md", "README.md"])
def test_the_docs_example_runs(tmp_path: Path, tiny_model_dir: Path, doc_name: str) -> None:
    doc = (REPO / doc_name).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    assert len(blocks) == 1
    code = blocks[0].replace('MODEL = "models/default"', f"MODEL = {str(tiny_model_dir)!r}")
    assert code != blocks[0], "the example no longer sets MODEL = \"models/default\""
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert re.search(r"\d+ sentences in 30 documents", done.stdout), done.stdout
    assert "legitimacy_lo" in done.stdout
