"""Input paths -> raw records: one reader per format, every record a dict or a `Reject`.

Where the bytes come from (files, folders, gzip, zip) is `sources`; how they become text
(byte-order marks, UTF-16, stray Windows-1252 bytes) is `decoding`; JSON layouts are
`json_records`. Here:
- CSV and TSV: the first row names the fields (each once); a row with the wrong number of
  columns is a `Reject`. A field may hold up to 64 Mi characters (the csv module stops at 131,072).
- Parquet: one record per row.
- .txt: the whole file is one article; its id is the file name without `.txt`.
- A binary file is one `Reject`, never silently skipped.
- A file that cannot be read to its end (a truncated gzip file, a damaged zip member, a field
  past the limit) stops the run: FramingError naming it.
Everything streams: records are read one at a time and never all held in memory.
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from framing.errors import FramingError
from framing.scoring.accounting import IngestStats, Reject
from framing.scoring.decoding import (
    MAX_RECORD_CHARS,
    binary_reason,
    stream_encoding,
    text_lines,
)
from framing.scoring.json_records import json_records
from framing.scoring.sources import InputFormat, Source, sources

Record = tuple[int, dict | Reject]


class RawRecord(NamedTuple):
    """One record as read: its format, file, line (or row) number, and the dict or Reject."""

    fmt: InputFormat
    file: str
    line: int
    obj: dict | Reject


def _delimited(source: Source, stats: IngestStats, delimiter: str) -> Iterator[Record]:
    with source.open(stats) as stream:
        enc = stream_encoding(stream)
        if enc == "binary":
            yield 1, Reject(source.name, None, None, None, "binary file",
                            binary_reason(source.fmt))
            return
        if csv.field_size_limit() < MAX_RECORD_CHARS:
            csv.field_size_limit(MAX_RECORD_CHARS)
        reader = csv.reader(text_lines(stream, enc, source.name, stats), delimiter=delimiter)
        try:
            yield from _rows(reader, source.name)
        except csv.Error as exc:
            raise FramingError(
                f"{source.name}:{reader.line_num}: {exc}; a quote left open makes the rest of "
                "the file one field: check the quotes from the record before this line"
            ) from None


def _rows(reader: Iterator[list[str]], name: str) -> Iterator[Record]:
    try:
        header = next(reader)
    except StopIteration:
        return
    twice = sorted({column for column in header if header.count(column) > 1})
    if twice:
        raise FramingError(f"{name}:1: the header names {', '.join(map(repr, twice))} more than "
                           "once, so one column would hide the other; rename the columns")
    start = reader.line_num + 1  # type: ignore[attr-defined]
    for row in reader:
        if not any(cell.strip() for cell in row):
            start = reader.line_num + 1  # type: ignore[attr-defined]
            continue
        if len(row) != len(header):
            reason = f"expected {len(header)} columns, found {len(row)}"
            yield start, Reject(name, start, None, None, "wrong column count", reason)
        else:
            yield start, dict(zip(header, row, strict=True))
        start = reader.line_num + 1  # type: ignore[attr-defined]


def _csv(source: Source, stats: IngestStats) -> Iterator[Record]:
    return _delimited(source, stats, ",")


def _tsv(source: Source, stats: IngestStats) -> Iterator[Record]:
    return _delimited(source, stats, "\t")


def _parquet(source: Source, stats: IngestStats) -> Iterator[Record]:
    import pyarrow.parquet as pq

    path = source.path
    assert path is not None, "sources() yields Parquet only as a plain file"
    try:
        pfile = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise FramingError(f"{path}: not a readable Parquet file ({exc})") from exc
    record = 0
    size, rows = source.size, max(pfile.metadata.num_rows, 1)
    for batch in pfile.iter_batches(batch_size=256):
        stats.bytes_read += size * batch.num_rows // rows
        for row in batch.to_pylist():
            record += 1
            yield record, row


def _txt(source: Source, stats: IngestStats) -> Iterator[Record]:
    with source.open(stats) as stream:
        enc = stream_encoding(stream)
        if enc == "binary":
            yield 1, Reject(source.name, None, source.stem, None, "binary file",
                            binary_reason("txt"))
            return
        text = "".join(text_lines(stream, enc, source.name, stats))
    yield 1, {"id": source.stem, "text": text}


_READERS: dict[str, Callable[[Source, IngestStats], Iterator[Record]]] = {
    "jsonl": json_records, "csv": _csv, "tsv": _tsv, "parquet": _parquet, "txt": _txt,
}


def raw_records(path: Path, declared: InputFormat | None,
                stats: IngestStats) -> Iterator[RawRecord]:
    """Every record of one input path, in order, with where it came from."""
    done = stats.bytes_read
    for source in sources(path, declared, stats):
        try:
            for line, obj in _READERS[source.fmt](source, stats):
                yield RawRecord(source.fmt, source.name, line, obj)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
            raise FramingError(
                f"{source.name}: cannot be read to its end ({exc}); a truncated or damaged "
                "file? Download or copy it again"
            ) from None
        done += source.size
        stats.bytes_read = done
