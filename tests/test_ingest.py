"""Readers: formats, field names, recovery of stray bytes, duplicates and rejects."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from framing.errors import FramingError
from framing.scoring.accounting import IngestStats, Reject
from framing.scoring.decoding import decode_bytes
from framing.scoring.ingest import Document, FieldMap, read_documents
from framing.scoring.metadata import outlet_from_url, parse_date

FAKES_CSV = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "fa-kes" / (
    "fa-kes-original.csv"
)


def _read(paths: list[Path], fields: FieldMap | None = None, **kw: object):
    stats = IngestStats()
    items = list(read_documents(paths, fields or FieldMap(), stats, **kw))  # type: ignore[arg-type]
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    return docs, rejects, stats


def _jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


def test_decode_recovers_windows_1252_and_marks_undecodable() -> None:
    text, recovered = decode_bytes("caf\u00e9 ".encode() + b"\x95 item \x81 x")
    assert text.startswith("caf\u00e9 \u2022 item ")
    assert recovered == 1
    assert "\udc81" in text


def test_jsonl_rejects_each_bad_line_with_its_line_number(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [
        {"id": "1", "text": "Rebels took the town.", "outlet": "A"},
        "{not json",
        [1, 2],
        {"id": "3", "text": "   "},
        {"id": "4"},
        {"text": "No id here."},
        {"id": 5, "text": 17},
        {"id": "6", "text": "Fine again.", "url": "https://www.example.org/x"},
    ])
    docs, rejects, stats = _read([path], FieldMap())
    assert [d.doc_id for d in docs] == ["1", "6"]
    assert docs[1].outlet == "example.org"
    got = [(r.line, r.field, r.reason.split(":")[0].split(",")[0]) for r in rejects]
    assert got == [
        (2, None, "malformed JSON"),
        (3, None, "expected a JSON object"),
        (4, "text", "empty text"),
        (5, "text", "expected text as a string"),
        (6, "id", "missing or empty id"),
        (7, "text", "expected text as a string"),
    ]
    assert stats.records == 8 and stats.documents == 2 and sum(stats.rejects.values()) == 6
    assert stats.outlet_from_url == 1 and stats.outlet_unknown == 0


def test_stray_cp1252_byte_recovered_and_undecodable_record_rejected(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "Fighters \x95 seized it."}\n'
        b'{"id": "b", "text": "Bad \x81 byte."}\n'
    )
    docs, rejects, stats = _read([path])
    assert docs[0].text == "Fighters \u2022 seized it."
    assert stats.recovered_bytes == 1 and stats.recovered_records == 1
    assert rejects[0].line == 2 and rejects[0].field == "text"
    assert "0x81" in rejects[0].reason


def test_duplicate_ids_identical_once_different_suffixed(tmp_path: Path) -> None:
    rec = {"id": "x", "text": "Militants attacked.", "outlet": "A"}
    path = _jsonl(tmp_path / "d.jsonl", [rec, rec, {**rec, "text": "Another story."}, rec])
    docs, rejects, stats = _read([path])
    assert [d.doc_id for d in docs] == ["x", "x-2"]
    assert [(r.line, r.field) for r in rejects] == [(2, "id"), (4, "id")]
    assert all("identical to the record at" in r.reason for r in rejects)
    assert stats.duplicate_identical == 2 and stats.duplicate_ids_kept_apart == 1


def test_unknown_field_names_list_the_fields_found(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "f.jsonl", [{"uid": "1", "body": "Text."}])
    with pytest.raises(FramingError, match=r"no field 'id', 'text'.*fields found: 'uid', 'body'"):
        _read([path])
    fields = FieldMap(id="uid", text="body", outlet="source", explicit=frozenset({"outlet"}))
    with pytest.raises(FramingError, match=r"no field 'source'.*--outlet-field"):
        _read([path], fields)
    docs, _, _ = _read([path], FieldMap(id="uid", text="body"))
    assert docs[0].doc_id == "1" and docs[0].outlet == "unknown"


def test_csv_multiline_records_keep_their_start_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        'id,text,source,date\n1,"Line one.\nLine two.",X,04/05/2017\n2,,X,\n3,"ok",Y,2020-1-40\n'
    )
    docs, rejects, stats = _read([path], FieldMap(outlet="source"))
    assert docs[0].text == "Line one.\nLine two." and docs[0].date == date(2017, 4, 5)
    assert (rejects[0].line, rejects[0].doc_id, rejects[0].reason) == (4, "2", "empty text")
    assert docs[1].source.endswith(":5") and docs[1].date is None
    assert (docs[0].date_raw, docs[1].date_raw) == ("04/05/2017", "2020-1-40")
    assert stats.dates_unparsed == 1
    assert stats.bytes_read == path.stat().st_size  # progress counts every byte, once


def test_parquet_and_txt_folder(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["p1"], "text": ["Insurgents fled."], "title": [None]}),
                   tmp_path / "a.parquet")
    docs, _, _ = _read([tmp_path / "a.parquet"])
    assert docs[0].doc_id == "p1" and docs[0].title is None
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "b.txt").write_text("Gunmen struck.\n")
    (folder / "a.txt").write_text("Rebels advanced.\n")
    (folder / "c.txt").write_bytes(b"\x00\x01binary")
    (folder / "README.md").write_text("not an article")
    docs, rejects, stats = _read([folder])
    assert [d.doc_id for d in docs] == ["a", "b"]
    assert rejects[0].doc_id == "c" and "binary" in rejects[0].reason
    assert stats.skipped_files == [str(folder / "README.md")]


def test_dates_and_outlets() -> None:
    assert parse_date("04/05/2017") == (date(2017, 4, 5), "04/05/2017")
    assert parse_date("2024-12-08T10:00:00Z")[0] == date(2024, 12, 8)
    assert parse_date("Sun, 08 Dec 2024 10:00:00 +0000")[0] == date(2024, 12, 8)
    assert parse_date("5 April 2017")[0] == date(2017, 4, 5)
    assert parse_date("04/05/2017", "%d/%m/%Y")[0] == date(2017, 5, 4)
    assert parse_date(" spring 2017 ") == (None, " spring 2017 ")
    assert parse_date(datetime(2017, 4, 5, 10, 30)) == (date(2017, 4, 5), "2017-04-05T10:30:00")
    assert parse_date(None) == (None, None) and parse_date("  ") == (None, None)
    assert outlet_from_url("https://www.bbc.co.uk/news/1") == "bbc.co.uk"
    assert outlet_from_url("aljazeera.com/x") == "aljazeera.com"
    assert outlet_from_url("https://EDITION.cnn.com:443/x") == "cnn.com"
    assert outlet_from_url("http://xn--e1afmkfd.xn--p1ai/a") == "пример.рф"  # punycode read
    assert outlet_from_url("https://co.uk/x") == "co.uk"  # a public suffix stays as it is
    assert outlet_from_url("http://[::1]:8000/x") == "::1"
    assert outlet_from_url("") is None and outlet_from_url("http://[oops/") is None


@pytest.mark.skipif(not FAKES_CSV.is_file(), reason="../shared/corpora/fa-kes is not present")
def test_messy_fakes_csv_every_record_accounted_for() -> None:
    fields = FieldMap(id="unit_id", title="article_title", text="article_content",
                      outlet="source", explicit=frozenset({"id", "title", "text", "outlet"}))
    docs, rejects, stats = _read([FAKES_CSV], fields)
    assert stats.records == 804
    assert len(docs) + len(rejects) == stats.records
    assert len({d.doc_id for d in docs}) == len(docs)
    # the issue: 12 repeated rows under reused ids; mixed UTF-8 / Windows-1252 bytes
    assert stats.duplicate_identical + stats.duplicate_ids_kept_apart == 12
    assert stats.recovered_bytes > 0
    undecodable = [r for r in rejects if r.reason.startswith("undecodable")]
    assert len(undecodable) == stats.rejects["undecodable byte"] > 0
    assert all(r.line and r.field in ("article_content", "article_title", "unit_id")
               for r in rejects)
    assert sum(r.field == "unit_id" for r in rejects) == stats.duplicate_identical


# --- layouts, encodings and containers (see also tests/test_hostile_inputs.py) --------------


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 20])
def test_json_layouts_read_alike_whatever_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    import framing.scoring.decoding as decoding
    import framing.scoring.json_records as json_records

    monkeypatch.setattr(decoding, "CHUNK_CHARS", chunk)
    monkeypatch.setattr(json_records, "CHUNK_CHARS", chunk)
    records = [{"id": f"r{i}", "text": f"Rebels \u2022 {i} caf\u00e9 \U0001f600.", "n": 12.5e3 * i}
               for i in range(4)]
    layouts = {
        "compact.json": json.dumps(records, ensure_ascii=False),
        "pretty.json": json.dumps(records, indent=2, ensure_ascii=False),
        "values.json": "\n".join(json.dumps(r, indent=1, ensure_ascii=False) for r in records),
        "lines.json": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
    }
    for name, text in layouts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        docs, rejects, stats = _read([path])
        assert [d.text for d in docs] == [r["text"] for r in records], name
        assert not rejects and stats.records == 4
        lines = [int(d.source.rsplit(":", 1)[1]) for d in docs]
        starts = [text.rindex("{", 0, text.index(f'"r{i}"')) for i in range(4)]
        assert lines == [text[:start].count("\n") + 1 for start in starts], name
        assert stats.bytes_read == path.stat().st_size


def test_utf16_json_array_and_stray_cp1252_byte_in_an_array(tmp_path: Path) -> None:
    records = [{"id": "a", "text": "Fighters advanced."}, {"id": "b", "text": "Army held."}]
    wide = tmp_path / "wide.json"
    wide.write_bytes(json.dumps(records, indent=2).encode("utf-16"))
    docs, _, _ = _read([wide])
    assert [d.doc_id for d in docs] == ["a", "b"]
    mixed = tmp_path / "mixed.json"
    mixed.write_bytes(b'[{"id": "a", "text": "Fighters \x95 seized it."},\n'
                      b' {"id": "b", "text": "Bad \x81 byte."}]')
    docs, rejects, stats = _read([mixed])
    assert docs[0].text == "Fighters \u2022 seized it." and stats.recovered_bytes == 1
    assert (rejects[0].line, rejects[0].kind) == (2, "undecodable byte")


def test_damaged_inputs_stop_with_the_file_named(tmp_path: Path) -> None:
    import gzip

    whole = gzip.compress(b'{"id": "a", "text": "Rebels."}\n' * 2000)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FramingError, match=r"cut\.jsonl\.gz: cannot be read to its end"):
        _read([cut])
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(FramingError, match=r"fake\.zip: not a readable zip archive"):
        _read([fake])
    sheet = tmp_path / "articles.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(FramingError, match=r"a spreadsheet.*CSV UTF-8"):
        _read([sheet])
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"id": "a", "text": "Rebels."}]}))
    with pytest.raises(FramingError, match=r"jq -c '\.articles\[\]'"):
        _read([wrapped])
    twice = tmp_path / "twice.csv"
    twice.write_text("id,text,text\n1,Rebels.,Army.\n")
    with pytest.raises(FramingError, match=r"twice\.csv:1: the header names 'text' more than once"):
        _read([twice])
    no_bom = tmp_path / "no-bom.csv"
    no_bom.write_bytes("id,text\n1,Rebels.\n".encode("utf-16-le"))
    _, rejects, _ = _read([no_bom])
    assert "UTF-16 without a byte-order mark" in rejects[0].reason
