"""What `framing` promises about bad input: no traceback, no silent zero, every record counted.

One test per row of issue 13, in its order, named after the promise (plus unreadable inputs
and model folders, found while running the rows as a non-root user). Each makes its own small
input, runs the real command through CliRunner and checks what a user sees. docs/scoring.md
is the same list for users. Tests that need mode bits to bite run as `nobody` under root.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import json
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import framing.scoring.options  # noqa: F401  (imported before dropping privileges below)
import framing.scoring.score  # noqa: F401
import framing.scoring.summary  # noqa: F401
from framing.cli import app

from .helpers_data import write_config, write_dataset
from .synthetic_scores import PLANTED, random_outlets, sentence, write_scores

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


def test_csv_field_over_131072_characters_is_read(tmp_path: Path, tiny_model_dir: Path) -> None:
    long_text = "Rebels attacked the town near the border on the first day. " * 2500
    assert len(long_text) > 131_072
    src = tmp_path / "long.csv"
    src.write_text(_csv_text([{**ARTICLES[0], "text": long_text}, ARTICLES[1]]),
                   encoding="utf-8")
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    s = _sentences(out)
    body = s[(s.doc_id == "a1") & ~s.is_title]
    assert len(body) == 2500 and body.char_end.max() == len(long_text.rstrip())
    assert _counts(out)["records"] == 2 and _counts(out)["documents"] == 2


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


def test_unreadable_input_or_model_exits_2_naming_it(tiny_model_dir: Path) -> None:
    base = Path(tempfile.mkdtemp(prefix="framing-in-"))  # world-traversable, for `nobody`
    try:
        base.chmod(0o755)
        (base / "out").mkdir(mode=0o777)
        (base / "out").chmod(0o777)
        model, src = base / "model", base / "in.jsonl"
        for folder in (model, base / "hidden-model", base / "locked-model"):
            shutil.copytree(tiny_model_dir, folder)
            for path in (folder, *folder.iterdir()):  # as a shared model folder would be
                path.chmod(0o755 if path.is_dir() else 0o644)
        src.write_text(_jsonl_text(ARTICLES))
        secret, folder = base / "secret.jsonl", base / "articles"
        secret.write_text(_jsonl_text(ARTICLES))
        folder.mkdir()
        (folder / "a.txt").write_text("Rebels fled.")
        (folder / "b.txt").write_text("Gunmen fled.")
        hidden, locked = base / "hidden-model", base / "locked-model"
        for path in (secret, folder / "b.txt", hidden / "config.json"):
            path.chmod(0o000)
        (locked / "model.safetensors").chmod(0o600)  # as framing train used to write it
        with _unprivileged():
            results = [_score([secret], model, base / "out"), _score([folder], model, base / "out"),
                       _score([src], hidden, base / "out"), _score([src], locked, base / "out")]
    finally:
        shutil.rmtree(base)
    wanted = [f"{secret}: input not readable (Permission denied)",
              f"{folder / 'b.txt'}: input not readable (Permission denied)",
              f"{hidden / 'config.json'}: cannot read the model folder {hidden}",
              f"{locked / 'model.safetensors'}: model weights not readable by you (mode 600"]
    for got, message in zip(results, wanted, strict=True):
        assert got.exit_code == 2, got.output
        assert message in got.output


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


def test_utf16_csv_and_jsonl_are_read(tmp_path: Path, tiny_model_dir: Path) -> None:
    csv_le = tmp_path / "excel.csv"
    csv_le.write_bytes(_csv_text(ARTICLES[:2]).encode("utf-16"))  # BOM, little-endian
    jsonl_be = tmp_path / "windows.jsonl"
    jsonl_be.write_bytes("\ufeff".encode("utf-16-be") + _jsonl_text(
        [{**a, "id": f"j{a['id']}"} for a in ARTICLES]).encode("utf-16-be"))
    out = tmp_path / "out"
    _ok(_score([csv_le, jsonl_be], tiny_model_dir, out))
    counts = _counts(out)
    assert (counts["records"], counts["documents"], counts["rejects"]) == (5, 5, 0)
    s = _sentences(out)
    assert s[s.doc_id == "ja1"].title.iloc[0] == "Rebels take the city"


def test_utf8_bom_csv_is_read(tmp_path: Path, tiny_model_dir: Path) -> None:
    src = tmp_path / "excel-utf8.csv"
    src.write_bytes(_csv_text(ARTICLES).encode("utf-8-sig"))
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    assert sorted(_sentences(out).doc_id.unique()) == ["a1", "a2", "a3"]
    assert _counts(out)["records"] == 3


@pytest.mark.parametrize("indent", [None, 2])
def test_json_array_is_read_with_the_right_record_count(tmp_path: Path, tiny_model_dir: Path,
                                                        indent: int | None) -> None:
    articles = [{**ARTICLES[i % 3], "id": f"n{i}"} for i in range(5)]
    src = tmp_path / "articles.json"
    src.write_text(json.dumps([*articles, "not an article"], indent=indent))
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    counts = _counts(out)
    assert (counts["records"], counts["documents"], counts["rejects"]) == (6, 5, 1)
    reject = json.loads((out / "rejects.jsonl").read_text())
    assert reject["kind"] == "not an object"
    text = src.read_text()
    assert reject["line"] == text[: text.index('"not an article"')].count("\n") + 1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(articles, indent=indent)[:-30])
    refused = _score([broken], tiny_model_dir, tmp_path / "out2")
    assert refused.exit_code == 2
    assert f"{broken}:" in refused.output and "JSON" in refused.output


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


def test_gzip_zip_and_tsv_inputs_are_read(tmp_path: Path, tiny_model_dir: Path) -> None:
    def renamed(prefix: str) -> list[dict]:
        return [{**a, "id": f"{prefix}{a['id']}"} for a in ARTICLES]

    jsonl_gz = tmp_path / "a.jsonl.gz"
    jsonl_gz.write_bytes(gzip.compress(_jsonl_text(renamed("g")).encode()))
    csv_gz = tmp_path / "b.csv.gz"
    csv_gz.write_bytes(gzip.compress(_csv_text(renamed("c")).encode()))
    tsv = tmp_path / "c.tsv"
    tsv.write_text(_csv_text(renamed("t"), delimiter="\t"), encoding="utf-8")
    txt_zip = tmp_path / "d.zip"
    with zipfile.ZipFile(txt_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for a in ARTICLES:
            zf.writestr(f"corpus/z{a['id']}.txt", a["text"])
        zf.writestr("corpus/records.jsonl", _jsonl_text(renamed("zj")))
        zf.writestr("corpus/records.csv", _csv_text(renamed("zc")))
        zf.writestr("__MACOSX/corpus/._za1.txt", b"\x00\x05\x16\x07")
        zf.writestr("corpus/README.md", "about this corpus")
    inputs = [jsonl_gz, csv_gz, tsv, txt_zip]
    out = tmp_path / "out"
    summary = _ok(_score(inputs, tiny_model_dir, out))
    counts = _counts(out)
    assert (counts["records"], counts["documents"], counts["rejects"]) == (18, 18, 0)
    ids = set(_sentences(out).doc_id)
    assert ids == {f"{p}{a['id']}" for p in ("g", "c", "t", "z", "zj", "zc") for a in ARTICLES}
    assert "corpus/README.md" in summary and "__MACOSX" in summary
    assert "already complete" in _ok(_score(inputs, tiny_model_dir, out))  # identity is stable


def test_outlet_from_url_is_the_registered_domain_and_host_is_kept(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    articles = [
        {"id": "u1", "url": "https://edition.cnn.com/2017/04/05/x", "text": "Rebels fled."},
        {"id": "u2", "url": "http://cnn.com/y", "text": "Gunmen fled."},
        {"id": "u3", "url": "https://news.bbc.co.uk/z", "text": "Militants fled."},
        {"id": "u4", "url": "https://someone.blogspot.com/p", "text": "Fighters fled."},
        {"id": "u5", "url": "http://192.168.0.7:8080/a", "text": "Troops fled."},
        {"id": "u6", "outlet": "SANA", "url": "https://www.sana.sy/en/?p=1", "text": "Army won."},
    ]
    src = tmp_path / "urls.jsonl"
    src.write_text(_jsonl_text(articles))
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert docs.outlet.to_dict() == {"u1": "cnn.com", "u2": "cnn.com", "u3": "bbc.co.uk",
                                     "u4": "someone.blogspot.com", "u5": "192.168.0.7",
                                     "u6": "SANA"}
    assert docs.host.to_dict() == {"u1": "edition.cnn.com", "u2": "cnn.com",
                                   "u3": "news.bbc.co.uk", "u4": "someone.blogspot.com",
                                   "u5": "192.168.0.7", "u6": "www.sana.sy"}
    outlets = pd.read_parquet(out / "outlets.parquet").set_index("outlet")
    assert outlets.loc["cnn.com", "documents"] == 2
    assert set(_sentences(out).host) == set(docs.host)


def test_date_is_a_real_date_beside_date_raw(tmp_path: Path, tiny_model_dir: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(_jsonl_text([*ARTICLES, {"id": "a4", "text": "No date here."}]))
    out = tmp_path / "out"
    _ok(_score([src], tiny_model_dir, out))
    for name in ("sentences", "documents"):
        schema = pq.read_schema(out / f"{name}.parquet")
        assert schema.field("date").type == pa.date32(), name
        assert schema.field("date_raw").type == pa.string(), name
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert [str(d) if d is not None else None for d in docs.date] == [
        "2024-12-08", "2017-04-05", None, None]
    assert docs.date_raw.tolist() == ["2024-12-08", "04/05/2017", "spring 2017", None]
    as_csv = tmp_path / "csv"
    _ok(_score([src], tiny_model_dir, as_csv, "--format", "csv"))
    rows = list(csv.DictReader((as_csv / "documents.csv").open(encoding="utf-8")))
    assert [(r["date"], r["date_raw"]) for r in rows] == [
        ("2024-12-08", "2024-12-08"), ("2017-04-05", "04/05/2017"), ("", "spring 2017"),
        ("", "")]
    as_jsonl = tmp_path / "jsonl"
    _ok(_score([src], tiny_model_dir, as_jsonl, "--format", "jsonl"))
    first = json.loads((as_jsonl / "documents.jsonl").read_text().splitlines()[1])
    assert (first["date"], first["date_raw"]) == ("2017-04-05", "04/05/2017")
    # compare reads new tables, in every format, and old ones (dates as mixed strings)
    old = write_scores(tmp_path / "old", [
        sentence("o1", "X", 0, "terrorist", date="2017-03-01"),
        sentence("o2", "X", 0, "rebel", date="spring 2017"),
        sentence("o3", "Y", 0, "rebel", date="2017-05-01T10:00:00Z")])
    for folder in (out, as_csv, as_jsonl, old):
        result = RUNNER.invoke(app, ["compare", str(folder), "--since", "2017-04-01",
                                     "--n-boot", "50", "--out", str(tmp_path / "cmp")])
        _ok(result)
        assert "without a usable date were left out" in result.output, folder


def test_long_unpunctuated_text_is_cut_into_bounded_segments(tmp_path: Path,
                                                             tiny_model_dir: Path) -> None:
    from framing.text.segment import MAX_SEGMENT_CHARS

    words = [f"word{i % 97}" for i in range(40_000)]
    lines = [" ".join(words[i : i + 5000]) for i in range(0, len(words), 5000)]
    text = "\n".join(lines)  # a few line breaks, no full stop, ~300,000 characters
    src = tmp_path / "long.jsonl"
    src.write_text(_jsonl_text([{"id": "big", "text": text}, ARTICLES[0]]))
    out = tmp_path / "out"
    summary = _ok(_score([src], tiny_model_dir, out))
    s = _sentences(out)
    big = s[s.doc_id == "big"].sort_values("sentence_idx")
    assert big.text.str.len().max() <= MAX_SEGMENT_CHARS
    assert " ".join(big.text).split() == text.split()  # every word in exactly one segment
    assert all(text[a:b] == t for a, b, t in zip(big.char_start, big.char_end, big.text,
                                                 strict=True))
    counts = _counts(out)
    assert counts["sentences_cut_at_length_cap"] == 1
    assert counts["segments_of_cut_sentences"] == len(big) > 100
    assert (f"1 sentences cut at the length cap ({MAX_SEGMENT_CHARS:,} characters) into "
            f"{len(big)} segments") in summary
    normal = s[s.doc_id == "a1"].text.tolist()
    assert normal == ["Rebels take the city", "Rebels entered the city on Sunday.",
                      "Officials said nothing."]
