"""Input files -> raw records: format detection, byte decoding, one reader per format.

Everything streams: records are read one at a time and never all held in memory.
- A byte that is not valid UTF-8 but is a defined Windows-1252 character (e.g. 0x95 "•") is
  decoded as Windows-1252 and counted (`recovered_bytes`, `recovered_records`).
- A byte that is neither (0x81, 0x8D, 0x8F, 0x90, 0x9D) is left as a marker so that
  `framing.scoring.ingest` rejects the record holding it.
- Malformed JSON lines, non-object JSON, CSV rows with the wrong number of columns and binary
  files come out as `Reject`s, never silently skipped.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from framing.errors import FramingError

InputFormat = Literal["jsonl", "csv", "parquet", "txt"]


class InputFormatChoice(StrEnum):
    """`--input-format` choices (the same names as `InputFormat`)."""

    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    txt = "txt"
_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class Reject:
    """A record set aside: where it was, which field, what kind of problem and the details.

    `kind` is a short fixed name for counting ("malformed JSON", "empty text", ...); `reason`
    adds the specifics for the person fixing the input.
    """

    file: str
    line: int | None
    doc_id: str | None
    field: str | None
    kind: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "doc_id": self.doc_id,
                "field": self.field, "kind": self.kind, "reason": self.reason}


@dataclass
class IngestStats:
    """Counts gathered while reading; every record ends up in exactly one bucket."""

    records: int = 0
    documents: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    recovered_bytes: int = 0
    recovered_records: int = 0
    duplicate_ids_kept_apart: int = 0
    duplicate_identical: int = 0
    outlet_from_url: int = 0
    outlet_unknown: int = 0
    dates_unparsed: int = 0
    skipped_files: list[str] = field(default_factory=list)
    bytes_read: int = 0  # of the input files, for progress: no second pass to count records

    def as_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "documents": self.documents,
            "rejects": sum(self.rejects.values()),
            "rejects_by_reason": dict(self.rejects),
            "recovered_bytes": self.recovered_bytes,
            "recovered_records": self.recovered_records,
            "duplicate_ids_kept_apart": self.duplicate_ids_kept_apart,
            "duplicate_identical": self.duplicate_identical,
            "outlet_from_url": self.outlet_from_url,
            "outlet_unknown": self.outlet_unknown,
            "dates_unparsed": self.dates_unparsed,
            "skipped_files": list(self.skipped_files),
        }


# --- decoding ------------------------------------------------------------------------------


def decode_bytes(raw: bytes) -> tuple[str, int]:
    """UTF-8, with stray Windows-1252 bytes decoded as such; returns (text, n_recovered).

    A byte that is neither valid UTF-8 nor a defined Windows-1252 character becomes a lone
    surrogate (U+DC80..U+DCFF) so the caller can find and reject the record holding it.
    """
    parts: list[str] = []
    recovered = 0
    pos = 0
    while True:
        try:
            parts.append(raw[pos:].decode("utf-8"))
            return "".join(parts), recovered
        except UnicodeDecodeError as exc:
            bad_start, bad_end = pos + exc.start, pos + exc.end
            parts.append(raw[pos:bad_start].decode("utf-8"))
            for byte in raw[bad_start:bad_end]:
                try:
                    parts.append(bytes([byte]).decode("cp1252"))
                    recovered += 1
                except UnicodeDecodeError:
                    parts.append(chr(0xDC00 + byte))
            pos = bad_end


def undecodable_byte(text: str) -> int | None:
    """The first byte value left undecoded by `decode_bytes`, or None."""
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            return ord(ch) - 0xDC00
    return None


def is_binary(path: Path) -> bool:
    """A NUL byte in the first 8 KiB: not a text file."""
    with open(path, "rb") as fh:
        return b"\x00" in fh.read(_BINARY_SNIFF)


# --- raw record readers --------------------------------------------------------------------

RawRecord = tuple[str, int, dict[str, object] | Reject]


def detect_format(path: Path, declared: InputFormat | None) -> InputFormat:
    if path.is_dir():
        return "txt"
    if declared:
        return declared
    suffix = path.suffix.lower()
    by_suffix: dict[str, InputFormat] = {
        ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
        ".parquet": "parquet", ".pq": "parquet", ".txt": "txt",
    }
    if suffix not in by_suffix:
        raise FramingError(
            f"{path}: cannot tell the input format from the suffix {suffix!r}; expected .jsonl, "
            ".csv, .parquet, .txt or a folder of .txt files; pass --input-format"
        )
    return by_suffix[suffix]


def _jsonl_records(path: Path, stats: IngestStats) -> Iterator[RawRecord]:
    name = str(path)
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            stats.bytes_read += len(raw)
            if not raw.strip():
                continue
            text, recovered = decode_bytes(raw)
            _count_recovered(stats, recovered)
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield name, line_no, Reject(name, line_no, None, None, "malformed JSON",
                                            f"malformed JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                reason = f"expected a JSON object, found {type(obj).__name__}"
                yield name, line_no, Reject(name, line_no, None, None, "not an object", reason)
                continue
            yield name, line_no, obj


def _decoded_lines(path: Path, stats: IngestStats) -> Iterator[str]:
    with open(path, "rb") as fh:
        for raw in fh:
            stats.bytes_read += len(raw)
            text, recovered = decode_bytes(raw)
            _count_recovered(stats, recovered)
            yield text


def _csv_records(path: Path, stats: IngestStats) -> Iterator[RawRecord]:
    name = str(path)
    reader = csv.reader(_decoded_lines(path, stats))
    try:
        header = next(reader)
    except StopIteration:
        return
    start = reader.line_num + 1
    for row in reader:
        if not any(cell.strip() for cell in row):
            start = reader.line_num + 1
            continue
        if len(row) != len(header):
            reason = f"expected {len(header)} CSV columns, found {len(row)}"
            yield name, start, Reject(name, start, None, None, "wrong column count", reason)
        else:
            yield name, start, dict(zip(header, row, strict=True))
        start = reader.line_num + 1


def _parquet_records(path: Path, stats: IngestStats) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pfile = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise FramingError(f"{path}: not a readable Parquet file ({exc})") from exc
    record = 0
    size, rows = path.stat().st_size, max(pfile.metadata.num_rows, 1)
    for batch in pfile.iter_batches(batch_size=256):
        stats.bytes_read += size * batch.num_rows // rows
        for row in batch.to_pylist():
            record += 1
            yield name, record, row


def _txt_records(path: Path, stats: IngestStats) -> Iterator[RawRecord]:
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    for file in files:
        if file.suffix.lower() != ".txt":
            stats.skipped_files.append(str(file))
            continue
        stats.bytes_read += file.stat().st_size
        if is_binary(file):
            yield str(file), 1, Reject(str(file), None, file.stem, None, "binary file",
                                       "binary file (NUL bytes)")
            continue
        text, recovered = decode_bytes(file.read_bytes())
        _count_recovered(stats, recovered)
        yield str(file), 1, {"id": file.stem, "text": text}


def _count_recovered(stats: IngestStats, recovered: int) -> None:
    if recovered:
        stats.recovered_bytes += recovered
        stats.recovered_records += 1


def raw_records(path: Path, fmt: InputFormat, stats: IngestStats) -> Iterator[RawRecord]:
    """(file, line or record number, dict or Reject) for every record of one input."""
    if fmt == "txt":
        yield from _txt_records(path, stats)
        return
    if fmt != "parquet" and is_binary(path):
        stats.bytes_read += path.stat().st_size
        yield str(path), 1, Reject(str(path), None, None, None, "binary file",
                                   f"binary file (NUL bytes); not {fmt.upper()} text")
        return
    if fmt == "jsonl":
        yield from _jsonl_records(path, stats)
    elif fmt == "csv":
        yield from _csv_records(path, stats)
    else:
        yield from _parquet_records(path, stats)


def input_bytes(paths: list[Path]) -> int:
    """Total size of the inputs (a folder: its .txt files): the progress bar's 100%."""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.iterdir()
                                               if p.is_file() and p.suffix.lower() == ".txt"]
        total += sum(f.stat().st_size for f in files)
    return total
