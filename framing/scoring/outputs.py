"""Output files of `framing score`: typed schemas, atomic chunk parts, manifest, final merge.

Crash safety: a part is written to a temp file and `os.replace`d into place, *then* its doc ids
are appended (one fsync'd JSON line) to `parts/manifest.jsonl`. A part the manifest does not
list, a temp file, or a torn last manifest line (kill -9 mid-write) is discarded on restart.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from framing.aggregate import document_table, outlet_table
from framing.taxonomy import Taxonomy

MANIFEST = "manifest.jsonl"
# The tables' columns; part of a run's identity (parts of two schemas never merge).
# 2: `host` beside `outlet`; `date` a date (date32) beside `date_raw`, the value as given.
SCHEMA_VERSION = "2"
_DOCUMENT_KEYS = [("doc_id", pa.string()), ("outlet", pa.string()), ("host", pa.string()),
                  ("date", pa.date32()), ("date_raw", pa.string())]


KEY_FIELDS: list[tuple[str, pa.DataType]] = [
    *_DOCUMENT_KEYS,
    ("title", pa.string()), ("sentence_idx", pa.int64()), ("is_title", pa.bool_()),
    ("char_start", pa.int64()), ("char_end", pa.int64()), ("text", pa.string()),
]
"""The sentence table's columns before the model's: what `chunks.key_columns` fills."""


def sentence_schema(taxonomy: Taxonomy) -> pa.Schema:
    fields = [
        *KEY_FIELDS,
        ("frame", pa.string()),
        *((f"p_{name}", pa.float64()) for name in taxonomy.precedence),
        ("voice", pa.string()),
    ]
    return pa.schema(fields)


def _count_fields(taxonomy: Taxonomy) -> list[tuple[str, pa.DataType]]:
    return [
        *((f"count_{name}", pa.int64()) for name in taxonomy.precedence),
        *((f"share_{name}", pa.float64()) for name in taxonomy.framed_labels),
        ("legitimacy", pa.float64()),
    ]


def document_schema(taxonomy: Taxonomy) -> pa.Schema:
    return pa.schema([*_DOCUMENT_KEYS, ("n_sentences", pa.int64()), ("n_framed", pa.int64()),
                      *_count_fields(taxonomy)])


def outlet_schema(taxonomy: Taxonomy) -> pa.Schema:
    return pa.schema([("outlet", pa.string()), ("documents", pa.int64()),
                      ("sentences", pa.int64()), ("framed", pa.int64()),
                      *_count_fields(taxonomy)])


def _write_parquet_atomic(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _part_paths(parts: Path, part_no: int) -> tuple[Path, Path]:
    stem = f"part-{part_no:06d}"
    return parts / f"{stem}.sentences.parquet", parts / f"{stem}.documents.parquet"


def chunk_tables(columns: dict[str, list], taxonomy: Taxonomy) -> tuple[pa.Table, pa.Table]:
    """The sentence and document tables of scored columns, in the output schemas (the CLI's
    parts and the Python API's DataFrames are built here, so they cannot drift apart)."""
    schema = sentence_schema(taxonomy)
    sentences = pa.table({n: columns.get(n, []) for n in schema.names}, schema=schema)
    keys = [*(n for n, _ in _DOCUMENT_KEYS), "frame"]
    docs = document_table(sentences.select(keys).to_pandas(), taxonomy)
    documents = pa.Table.from_pandas(docs, schema=document_schema(taxonomy), preserve_index=False)
    return sentences, documents.replace_schema_metadata(None)


def write_part(parts: Path, part_no: int, columns: dict[str, list], doc_ids: list[str],
               taxonomy: Taxonomy, cut: tuple[int, int] = (0, 0)) -> None:
    """Write one scored chunk (sentences + its documents), then record it in the manifest with
    `cut`: (sentences cut at the length cap, segments they became)."""
    sentences, documents = chunk_tables(columns, taxonomy)
    sent_path, doc_path = _part_paths(parts, part_no)
    _write_parquet_atomic(sent_path, sentences)
    _write_parquet_atomic(doc_path, documents)
    entry = {"part": part_no, "doc_ids": doc_ids, "sentences": sentences.num_rows,
             "cut_sentences": cut[0], "cut_segments": cut[1]}
    with open(parts / MANIFEST, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_manifest(parts: Path) -> list[dict]:
    """Finished parts, in order; discards a torn last line and any part not listed."""
    entries: list[dict] = []
    path = parts / MANIFEST
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break
            if not line.endswith("\n") or not all(p.is_file() for p in
                                                   _part_paths(parts, int(entry["part"]))):
                break
            entries.append(entry)
        if len(entries) != len(lines):
            text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
            tmp = path.with_name(MANIFEST + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
    listed = {p.name for e in entries for p in _part_paths(parts, int(e["part"]))}
    if parts.is_dir():
        for stray in parts.glob("part-*"):
            if stray.name not in listed:
                stray.unlink()
    return entries


# --- final merge ---------------------------------------------------------------------------


def _parquet_metadata(provenance: dict) -> dict[bytes, bytes]:
    return {k.encode(): json.dumps(v, ensure_ascii=False).encode() for k, v in provenance.items()}


def _write_final(path: Path, tables: Iterator[pa.Table], schema: pa.Schema, fmt: str,
                 provenance: dict) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    if fmt == "parquet":
        with pq.ParquetWriter(tmp, schema.with_metadata(_parquet_metadata(provenance))) as writer:
            for table in tables:
                writer.write_table(table.replace_schema_metadata(None).cast(schema))
    else:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            header = True
            for table in tables:
                frame = _dates_as_text(table).to_pandas()
                if fmt == "jsonl":
                    if len(frame):
                        text = frame.to_json(orient="records", lines=True, force_ascii=False)
                        fh.write(text if text.endswith("\n") else text + "\n")
                else:
                    frame.to_csv(fh, index=False, header=header)
                header = False
            if fmt == "csv" and header:
                fh.write(",".join(schema.names) + "\n")
    os.replace(tmp, path)
    return path


def _dates_as_text(table: pa.Table) -> pa.Table:
    """Date columns as ISO `YYYY-MM-DD` strings (pandas would write epoch milliseconds)."""
    for i, column in enumerate(table.schema):
        if pa.types.is_date(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.string()))
    return table


def _read_parts(parts: Path, manifest: list[dict], which: int) -> Iterator[pa.Table]:
    for entry in manifest:
        yield pq.read_table(_part_paths(parts, int(entry["part"]))[which])


def merge_parts(out: Path, manifest: list[dict], taxonomy: Taxonomy, fmt: str,
                provenance: dict) -> list[Path]:
    """Write sentences/documents/outlets.<fmt> from the parts, one part in memory at a time
    (the outlet table needs only the per-document rows)."""
    parts = out / "parts"
    sent = _write_final(out / f"sentences.{fmt}", _read_parts(parts, manifest, 0),
                        sentence_schema(taxonomy), fmt, provenance)
    doc_tables: list[pd.DataFrame] = []

    def documents() -> Iterator[pa.Table]:
        for table in _read_parts(parts, manifest, 1):
            doc_tables.append(table.to_pandas())
            yield table

    docs = _write_final(out / f"documents.{fmt}", documents(), document_schema(taxonomy), fmt,
                        provenance)
    empty = document_schema(taxonomy).empty_table().to_pandas()
    all_docs = pd.concat(doc_tables, ignore_index=True) if doc_tables else empty
    outlets = pa.Table.from_pandas(outlet_table(all_docs, taxonomy), preserve_index=False,
                                   schema=outlet_schema(taxonomy))
    outl = _write_final(out / f"outlets.{fmt}", iter([outlets]), outlet_schema(taxonomy), fmt,
                        provenance)
    return [sent, docs, outl, out / "rejects.jsonl"]
