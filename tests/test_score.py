"""`framing score` end to end on the tiny model, through the CLI; aggregation by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from framing.aggregate import document_table, outlet_table
from framing.cli import app
from framing.inference.predict import Classifier
from framing.taxonomy import Taxonomy

RUNNER = CliRunner()
ARTICLES = [
    {"id": "a1", "outlet": "Daily Example", "date": "2024-12-08", "title": "Rebels take the city",
     "text": "Rebels entered the city on Sunday. The U.S. Army said nothing. "
             "\"They are terrorists,\" the minister said.\nREAD MORE\nFighters held the airport."},
    {"id": "a2", "url": "https://www.example-times.com/x/1", "date": "04/05/2017",
     "text": "Militants shelled the village. Officials said two civilians were wounded."},
    "{broken json",
    {"id": "a3", "outlet": "Daily Example", "text": "The parliament passed a tax bill."},
]
SENTENCE_COLUMNS = ["doc_id", "outlet", "host", "date", "date_raw", "title", "sentence_idx",
                    "is_title",
                    "char_start", "char_end", "text", "frame"]


def _write_input(path: Path, articles: list[object] = ARTICLES) -> Path:
    path.write_text("\n".join(a if isinstance(a, str) else json.dumps(a) for a in articles) + "\n")
    return path


def _score(args: list[str], **kw: object):
    return RUNNER.invoke(app, ["score", *args, "--threads", "1", "--no-progress"], **kw)


@pytest.fixture()
def scored(tmp_path: Path, tiny_model_dir: Path) -> tuple[Path, Path]:
    src = _write_input(tmp_path / "in.jsonl")
    out = tmp_path / "out"
    result = _score([str(src), "--model", str(tiny_model_dir), "--out", str(out),
                     "--chunk-sentences", "3"])
    assert result.exit_code == 0, result.output
    return src, out


def test_sentence_table_contract(scored: tuple[Path, Path], taxonomy: Taxonomy) -> None:
    _, out = scored
    s = pd.read_parquet(out / "sentences.parquet")
    assert list(s.columns) == [*SENTENCE_COLUMNS, *(f"p_{f}" for f in taxonomy.precedence), "voice"]
    a1 = s[s.doc_id == "a1"].reset_index(drop=True)
    assert a1.sentence_idx.tolist() == list(range(len(a1)))
    assert a1.is_title.tolist() == [True] + [False] * (len(a1) - 1)
    assert a1.text.tolist() == [
        "Rebels take the city", "Rebels entered the city on Sunday.", "The U.S. Army said nothing.",
        "\"They are terrorists,\" the minister said.", "READ MORE", "Fighters held the airport.",
    ]
    text = ARTICLES[0]["text"]  # type: ignore[index]
    for row in a1.itertuples():
        source = ARTICLES[0]["title"] if row.is_title else text  # type: ignore[index]
        assert source[row.char_start : row.char_end] == row.text
    probs = s[[f"p_{f}" for f in taxonomy.precedence]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (np.array(taxonomy.precedence)[probs.argmax(axis=1)] == s.frame.to_numpy()).all()
    unframed = s.frame.isin(taxonomy.unframed_labels)
    assert s.voice[unframed].isna().all()
    assert s.voice[~unframed].isin(["authorial", "attributed"]).all()
    a2 = s[s.doc_id == "a2"]
    assert set(a2.outlet) == {"example-times.com"} and set(a2.host) == {"www.example-times.com"}
    assert set(a2.date) == {date(2017, 4, 5)} and set(a2.date_raw) == {"04/05/2017"}
    assert a2.title.isna().all() and not a2.is_title.any()


def test_documents_outlets_rejects_provenance(scored: tuple[Path, Path], taxonomy: Taxonomy,
                                              tiny_model_dir: Path) -> None:
    src, out = scored
    s = pd.read_parquet(out / "sentences.parquet")
    d = pd.read_parquet(out / "documents.parquet")
    pd.testing.assert_frame_equal(d, document_table(s, taxonomy), check_dtype=False)
    assert d.n_sentences.tolist() == [6, 2, 1]
    o = pd.read_parquet(out / "outlets.parquet")
    pd.testing.assert_frame_equal(o, outlet_table(document_table(s, taxonomy), taxonomy),
                                  check_dtype=False)
    rejects = [json.loads(x) for x in (out / "rejects.jsonl").read_text().splitlines()]
    assert rejects == [{"file": str(src), "line": 3, "doc_id": None, "field": None,
                        "kind": "malformed JSON", "reason": rejects[0]["reason"]}]
    assert rejects[0]["reason"].startswith("malformed JSON")
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["model"]["fingerprint"] == Classifier.from_folder(tiny_model_dir).fingerprint()
    assert prov["taxonomy"] == {"name": taxonomy.name, "version": taxonomy.version,
                                "fingerprint": taxonomy.fingerprint()}
    assert prov["inputs"][0]["sha256"] and prov["packages"]["torch"]
    assert prov["counts"]["documents"] == 3 and prov["counts"]["sentences"] == 9
    assert prov["counts"]["rejects"] == 1
    for name in ("sentences", "documents", "outlets"):
        meta = pq.read_schema(out / f"{name}.parquet").metadata
        assert {k.decode() for k in meta} >= set(prov), name
        assert json.loads(meta[b"model"]) == prov["model"]


def test_rerun_changes_nothing_and_other_run_is_refused(
    scored: tuple[Path, Path], tiny_model_dir: Path, tmp_path: Path
) -> None:
    src, out = scored
    before = (out / "sentences.parquet").stat().st_mtime_ns
    again = _score([str(src), "--model", str(tiny_model_dir), "--out", str(out)])
    assert again.exit_code == 0 and "already complete" in again.output
    assert (out / "sentences.parquet").stat().st_mtime_ns == before
    other = _write_input(tmp_path / "other.jsonl", ARTICLES[:2])
    refused = _score([str(other), "--model", str(tiny_model_dir), "--out", str(out)])
    assert refused.exit_code == 2
    assert "different scoring run" in refused.output and "--overwrite" in refused.output
    replaced = _score([str(other), "--model", str(tiny_model_dir), "--out", str(out),
                       "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert set(pd.read_parquet(out / "sentences.parquet").doc_id) == {"a1", "a2"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_other_formats_hold_the_same_rows(scored: tuple[Path, Path], tiny_model_dir: Path,
                                          tmp_path: Path, fmt: str) -> None:
    src, out = scored
    out2 = tmp_path / fmt
    result = _score([str(src), "--model", str(tiny_model_dir), "--out", str(out2),
                     "--format", fmt])
    assert result.exit_code == 0, result.output
    want = pd.read_parquet(out / "sentences.parquet")
    read = pd.read_json if fmt == "jsonl" else pd.read_csv
    kw = {"lines": True} if fmt == "jsonl" else {}
    got = read(out2 / f"sentences.{fmt}", **kw)  # type: ignore[operator]
    assert list(got.columns) == list(want.columns)
    assert got.frame.tolist() == want.frame.tolist()  # chunking (3 vs 4096) changes nothing
    assert np.allclose(got.p_none, want.p_none, atol=1e-5)
    docs = read(out2 / f"documents.{fmt}", **kw)  # type: ignore[operator]
    assert docs.doc_id.tolist() == ["a1", "a2", "a3"]


def test_stdin_and_fast_path(tmp_path: Path, tiny_model_dir: Path) -> None:
    lines = _write_input(tmp_path / "in.jsonl", ARTICLES[:2]).read_bytes()
    out = tmp_path / "stdin"
    result = _score(["-", "--model", str(tiny_model_dir), "--out", str(out), "--fast"],
                    input=lines)
    assert result.exit_code == 0, result.output
    s = pd.read_parquet(out / "sentences.parquet")
    assert s.doc_id.unique().tolist() == ["a1", "a2"] and len(s) == 8
    stamp = json.loads((out / "provenance.json").read_text())
    assert stamp["arguments"]["fast"] is True
    assert stamp["model"]["runtime"].startswith("onnxruntime-int8")


def test_user_errors_exit_2_with_a_fix(tmp_path: Path, tiny_model_dir: Path) -> None:
    model = ["--model", str(tiny_model_dir), "--out", str(tmp_path / "o")]
    missing = _score([str(tmp_path / "nope.jsonl"), *model])
    assert missing.exit_code == 2 and "input not found" in missing.output
    (tmp_path / "empty.jsonl").write_text("")
    empty = _score([str(tmp_path / "empty.jsonl"), *model])
    assert empty.exit_code == 2 and "empty input" in empty.output
    src = _write_input(tmp_path / "in.jsonl")
    fields = _score([str(src), *model, "--text-field", "body"])
    assert fields.exit_code == 2 and "no field 'body'" in fields.output
    assert "fields found: 'id', 'outlet', 'date', 'title', 'text'" in fields.output
    strict = _score([str(src), *model, "--strict", "--overwrite"])
    assert strict.exit_code == 2 and f"{src}:3" in strict.output and "--strict" in strict.output
    bad = _score([str(src), *model, "--format", "xlsx", "--overwrite"])
    assert bad.exit_code == 2 and "format" in bad.output
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    refused = _score([str(src), "--model", str(tiny_model_dir), "--out", str(foreign)])
    assert refused.exit_code == 2 and "holds other files" in refused.output


def test_long_sentence_scored_whole_and_batch_equals_single(tiny_model_dir: Path) -> None:
    clf = Classifier.from_folder(tiny_model_dir)
    long = " ".join(["rebels attacked the town near the border"] * 60)
    texts = [long, "Gunmen fled.", "The army said so.", "Militants shelled it."]
    batched = clf.predict_proba(texts, batch_size=64)
    single = np.vstack([clf.predict_proba([t], batch_size=1) for t in texts])
    assert batched.shape == (4, len(clf.labels))
    assert np.allclose(batched, single, atol=1e-5)


def test_aggregation_by_hand(taxonomy: Taxonomy) -> None:
    s = pd.DataFrame({
        "doc_id": ["a", "a", "a", "b", "b", "c"],
        "outlet": ["X", "X", "X", "X", "X", "Y"],
        "date": ["2020-01-01"] * 3 + [None] * 3,
        "frame": ["terrorist", "none", "rebel", "neutral", "militant", "none"],
    })
    d = document_table(s, taxonomy)
    assert d.n_sentences.tolist() == [3, 2, 1] and d.n_framed.tolist() == [2, 2, 0]
    assert d.share_terrorist.tolist()[:2] == [0.5, 0.0] and pd.isna(d.share_terrorist[2])
    assert d.legitimacy.tolist()[:2] == [(-2 + 1) / 2, (0 - 1) / 2] and pd.isna(d.legitimacy[2])
    o = outlet_table(d, taxonomy).set_index("outlet")
    assert o.loc["X", ["documents", "sentences", "framed"]].tolist() == [2, 5, 4]
    assert o.loc["X", "legitimacy"] == pytest.approx((-2 + 1 + 0 - 1) / 4)
    assert o.loc["X", "share_rebel"] == 0.25 and pd.isna(o.loc["Y", "legitimacy"])
    share_cols = [c for c in d.columns if c.startswith("share_")]
    assert share_cols == [f"share_{f}" for f in taxonomy.framed_labels]  # precedence order
