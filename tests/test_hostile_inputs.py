"""What `framing` promises about bad input: no traceback, no silent zero, every record counted.

One test per row of issue 13, named after the promise. Each makes its own small input, runs
the real command (CliRunner, or the real code path it guards) and checks what a user sees.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import framing.scoring.options  # noqa: F401  (imported before dropping privileges below)
import framing.scoring.score  # noqa: F401
import framing.scoring.summary  # noqa: F401
from framing.cli import app

from .helpers_data import write_config, write_dataset
from .synthetic_scores import PLANTED, random_outlets, write_scores

RUNNER = CliRunner()
ARTICLES = [
    {"id": "a1", "outlet": "Daily Example", "date": "2024-12-08", "title": "Rebels take the city",
     "text": "Rebels entered the city on Sunday. Officials said nothing."},
    {"id": "a2", "outlet": "Daily Example", "date": "04/05/2017",
     "text": "Militants shelled the village. Two civilians were wounded."},
    {"id": "a3", "outlet": "The Courier", "date": "spring 2017",
     "text": "The parliament passed a tax bill. Prices rose."},
]
FIELDS = ["id", "outlet", "date", "title", "text"]


def _score(inputs: list[Path], model: Path, out: Path, *extra: str, **kw: object):
    return RUNNER.invoke(app, ["score", *map(str, inputs), "--model", str(model), "--out",
                               str(out), "--threads", "1", "--no-progress", *extra], **kw)


def _ok(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result.output


def _csv_text(articles: list[dict], delimiter: str = ",") -> str:
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FIELDS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows({k: a.get(k, "") for k in FIELDS} for a in articles)
        fh.seek(0)
        return fh.read()


def _jsonl_text(articles: list[dict]) -> str:
    return "".join(json.dumps(a) + "\n" for a in articles)


def _sentences(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "sentences.parquet")


def _counts(out: Path) -> dict:
    return json.loads((out / "provenance.json").read_text())["counts"]


@contextlib.contextmanager
def _unprivileged() -> Iterator[None]:
    """Run the body as user `nobody` when the tests run as root (root ignores mode bits)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


# --- one test per row of the issue ----------------------------------------------------------


def test_output_folder_not_writable_exits_2_naming_it(tmp_path: Path,
                                                      tiny_model_dir: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl_text(ARTICLES))
    base = Path(tempfile.mkdtemp(prefix="framing-ro-"))  # world-traversable, for `nobody`
    try:
        base.chmod(0o755)
        readonly, closed = base / "readonly", base / "closed"
        for folder, mode in ((readonly, 0o555), (closed, 0o000)):  # closed: not traversable
            folder.mkdir()
            folder.chmod(mode)
        cases = [readonly, readonly / "new" / "out", closed / "out"]
        with _unprivileged():
            results = [_score([src], tiny_model_dir, out) for out in cases]
    finally:
        for folder in (readonly, closed):
            folder.chmod(0o755)
        shutil.rmtree(base)
    for got, folder in zip(results, cases, strict=True):
        assert got.exit_code == 2, got.output
        assert f"{folder}: output folder not writable" in got.output
        assert "Traceback" not in got.output


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_unreadable_model_weights_exit_2_with_file_and_size(
    tmp_path: Path, tiny_model_dir: Path, damage: str
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    weights = model / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"")
    size = weights.stat().st_size
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl_text(ARTICLES))
    result = _score([src], model, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert f"{weights}: model weights unreadable (truncated?): {size:,} bytes" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_trained_weights_are_readable_like_every_other_file(tmp_path: Path,
                                                            tiny_base_dir: Path) -> None:
    data = write_dataset(tmp_path)
    out = tmp_path / "models" / "tiny"
    cfg = write_config(tmp_path, tiny_base_dir, data, out, epochs=1)
    old = os.umask(0o022)
    try:
        _ok(RUNNER.invoke(app, ["train", str(cfg)]))
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if p.is_file()}
    assert modes["model.safetensors"] == 0o644, oct(modes["model.safetensors"])
    assert set(modes.values()) == {0o644}, modes


def test_zero_documents_from_non_empty_input_exit_2_with_why(tmp_path: Path,
                                                            tiny_model_dir: Path) -> None:
    src = tmp_path / "empty-texts.jsonl"
    src.write_text(_jsonl_text([{**a, "text": "  "} for a in ARTICLES]))
    out = tmp_path / "out"
    for _ in range(2):  # the second run finds the run complete: still not a success
        result = _score([src], tiny_model_dir, out)
        assert result.exit_code == 2, result.output
        message = result.stderr.strip()
        assert message.count("\n") == 0
        assert "0 documents scored from 3 records" in message and "empty text: 3" in message
        assert str(out / "rejects.jsonl") in message
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,text\n")
    result = _score([header_only], tiny_model_dir, tmp_path / "out2")
    assert result.exit_code == 2 and "0 documents scored from 0 records" in result.stderr


def test_compare_refuses_a_table_with_fewer_rows_than_its_provenance(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl_text(ARTICLES))
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    _ok(RUNNER.invoke(app, ["compare", str(out), "--n-boot", "50"]))
    table = pq.read_table(out / "sentences.parquet")
    n = table.num_rows
    pq.write_table(table.slice(0, n - 2), out / "sentences.parquet")
    result = RUNNER.invoke(app, ["compare", str(out), "--n-boot", "50"])
    assert result.exit_code == 2, result.output
    assert "does not match its provenance" in result.stderr
    assert f"{n - 2} rows" in result.stderr and f"{n} sentences" in result.stderr


def test_overwrite_removes_what_compare_and_report_derived(tmp_path: Path,
                                                           tiny_model_dir: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl_text(ARTICLES))
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    _ok(RUNNER.invoke(app, ["compare", str(out), "--n-boot", "50"]))
    (out / "report.html").write_text("<html>old</html>")
    (out / "report_figures").mkdir()
    (out / "report_figures" / "shares.png").write_bytes(b"png")
    assert (out / "compare" / "outlets.md").is_file()
    other = tmp_path / "other.jsonl"
    other.write_text(_jsonl_text(ARTICLES[:1]))
    _ok(_score([other], tiny_model_dir, out, "--overwrite"))
    left = sorted(p.name for p in out.iterdir())
    assert not {"compare", "report.html", "report_figures"} & set(left), left
    assert set(_sentences(out).doc_id) == {"a1"}


def test_markdown_tables_escape_html(tmp_path: Path) -> None:
    import numpy as np

    rows = random_outlets(np.random.default_rng(0), {PLANTED: [3, 1, 1, 1, 1, 1],
                                                     "B|<b>": [1, 1, 3, 1, 1, 1]}, docs=6)
    scores = write_scores(tmp_path / "scores", rows)
    out = tmp_path / "tables"
    _ok(RUNNER.invoke(app, ["compare", str(scores), "--out", str(out), "--n-boot", "50",
                            "--min-framed", "5"]))
    for name in ("outlets.md", "contrasts.md", "actors.md"):
        text = (out / name).read_text()
        assert "<script" not in text and "<b>" not in text, name
    outlets = (out / "outlets.md").read_text()
    assert "&lt;script&gt;window.__pwned = 1; alert(&quot;pwned&quot;)&lt;/script&gt;" in outlets
    assert "B\\|&lt;b&gt;" in outlets
