"""Read article batches (JSONL, CSV, Parquet, a folder of .txt files) into `Document`s.

Everything streams: records are read one at a time and never all held in memory.

Recovery without guessing, and nothing dropped silently:
- A byte that is not valid UTF-8 but is a defined Windows-1252 character (e.g. 0x95 "•") is
  decoded as Windows-1252 and counted (`recovered_bytes`, `recovered_records`).
- A byte that is neither (0x81, 0x8D, 0x8F, 0x90, 0x9D) is undecodable: the record is rejected.
- Records repeating an id: an identical record (every field equal, not only the scored ones) is
  scored once and the repeat goes to the rejects file; a different record is kept apart under a
  suffixed id (`<id>-2`, `<id>-3`, ...). Both are counted.
- Rejected (written to the rejects file with file, line, field and reason): malformed JSON
  lines, records that are not objects, missing ids, missing or empty text, undecodable bytes,
  binary files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from framing.errors import FramingError

InputFormat = Literal["jsonl", "csv", "parquet", "txt"]
UNKNOWN_OUTLET = "unknown"
_SUFFIX = "-"
_BINARY_SNIFF = 8192


class FieldMap(BaseModel):
    """Which input field holds each part of an article. `explicit` fields must exist."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default="id", min_length=1)
    outlet: str = Field(default="outlet", min_length=1)
    text: str = Field(default="text", min_length=1)
    title: str = Field(default="title", min_length=1)
    date: str = Field(default="date", min_length=1)
    url: str = Field(default="url", min_length=1)
    explicit: frozenset[str] = frozenset()

    def required(self) -> list[str]:
        """Input field names that must be present: id, text, and any the user named."""
        roles = {"id", "text"} | set(self.explicit)
        return [getattr(self, role) for role in ("id", "text", "outlet", "title", "date", "url")
                if role in roles]


@dataclass(frozen=True)
class Document:
    """One article, ready to segment. `source` is `file:line` of the record it came from."""

    doc_id: str
    outlet: str
    date: str | None
    title: str | None
    text: str
    source: str


@dataclass(frozen=True)
class Reject:
    """A record set aside: where it was, which field, and why."""

    file: str
    line: int | None
    doc_id: str | None
    field: str | None
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "doc_id": self.doc_id,
                "field": self.field, "reason": self.reason}


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


# --- dates and outlets ---------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_FORMATS = ("%m/%d/%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d")


def normalize_date(value: object, date_format: str | None = None) -> tuple[str | None, bool]:
    """(ISO YYYY-MM-DD, True) when parseable, else (the value as given, False); None stays None.

    Tried in order: `date_format` if given; ISO 8601; RFC 2822; then month-first US forms
    (MM/DD/YYYY, as in FA-KES) and spelled-out months. Pass `date_format="%d/%m/%Y"` for
    day-first data.
    """
    if value is None:
        return None, True
    text = str(value).strip()
    if not text:
        return None, True
    formats = (date_format,) if date_format else _FORMATS
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date().isoformat(), True
        except ValueError:
            pass
    if date_format:
        return text, False
    match = _ISO.match(text)
    if match:
        try:
            year, month, day = map(int, match.groups())
            return datetime(year, month, day).date().isoformat(), True
        except ValueError:
            return text, False
    try:
        return parsedate_to_datetime(text).date().isoformat(), True
    except (TypeError, ValueError, IndexError):
        return text, False


def outlet_from_url(url: object) -> str | None:
    """The url's host without a leading `www.` (`https://www.bbc.co.uk/x` -> `bbc.co.uk`)."""
    if not isinstance(url, str) or not url.strip():
        return None
    candidate = url.strip()
    if "//" not in candidate:
        candidate = "//" + candidate
    host = urlparse(candidate).hostname
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


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
            if not raw.strip():
                continue
            text, recovered = decode_bytes(raw)
            _count_recovered(stats, recovered)
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield name, line_no, Reject(name, line_no, None, None, f"malformed JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                reason = f"expected a JSON object, found {type(obj).__name__}"
                yield name, line_no, Reject(name, line_no, None, None, reason)
                continue
            yield name, line_no, obj


def _decoded_lines(path: Path, stats: IngestStats) -> Iterator[str]:
    with open(path, "rb") as fh:
        for raw in fh:
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
            yield name, start, Reject(name, start, None, None, reason)
        else:
            yield name, start, dict(zip(header, row, strict=True))
        start = reader.line_num + 1


def _parquet_records(path: Path) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pfile = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise FramingError(f"{path}: not a readable Parquet file ({exc})") from exc
    record = 0
    for batch in pfile.iter_batches(batch_size=256):
        for row in batch.to_pylist():
            record += 1
            yield name, record, row


def _txt_records(path: Path, stats: IngestStats) -> Iterator[RawRecord]:
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    for file in files:
        if file.suffix.lower() != ".txt":
            stats.skipped_files.append(str(file))
            continue
        if is_binary(file):
            yield str(file), 1, Reject(str(file), None, file.stem, None, "binary file (NUL bytes)")
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
        yield str(path), 1, Reject(str(path), None, None, None,
                                   f"binary file (NUL bytes); not {fmt.upper()} text")
        return
    if fmt == "jsonl":
        yield from _jsonl_records(path, stats)
    elif fmt == "csv":
        yield from _csv_records(path, stats)
    else:
        yield from _parquet_records(path)


def count_records(paths: list[Path], fmt: InputFormat | None) -> int:
    """How many records the inputs hold (a cheap first pass, for the progress bar)."""
    stats = IngestStats()
    return sum(1 for path in paths for _ in raw_records(path, detect_format(path, fmt), stats))


# --- records -> documents ------------------------------------------------------------------


@dataclass
class _Deduper:
    """Ids seen so far -> [(content hash, assigned id, source)]: O(documents), not O(text)."""

    seen: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)

    def resolve(self, doc_id: str, digest: str, source: str) -> tuple[str | None, str | None]:
        """(id to use, None) for a new record; (None, source of the twin) for an identical one."""
        for other_digest, _, other_source in self.seen.get(doc_id, []):
            if other_digest == digest:
                return None, other_source
        new_id = doc_id
        n = len(self.seen.get(doc_id, [])) + 1
        while new_id in self.assigned:
            new_id = f"{doc_id}{_SUFFIX}{n}"
            n += 1
        self.seen.setdefault(doc_id, []).append((digest, new_id, source))
        self.assigned.add(new_id)
        return new_id, None


def _check_fields(obj: dict[str, object], fields: FieldMap, file: str, fmt: str) -> None:
    missing = [name for name in fields.required() if name not in obj]
    if missing:
        found = ", ".join(repr(k) for k in obj) or "(none)"
        raise FramingError(
            f"{file}: no field {', '.join(repr(m) for m in missing)} in the {fmt} records; "
            f"fields found: {found}; name the right ones with --id-field / --text-field / "
            "--outlet-field / --title-field / --date-field / --url-field"
        )


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas-written files
        return None
    return str(value)


def _to_document(
    file: str, line: int, obj: dict[str, object], fields: FieldMap, stats: IngestStats,
    date_format: str | None,
) -> Document | Reject:
    raw_id = _as_text(obj.get(fields.id))
    doc_id = raw_id.strip() if raw_id else ""
    if not doc_id:
        return Reject(file, line, None, fields.id, "missing or empty id")
    for role in ("text", "title", "outlet", "date", "url"):
        value = obj.get(getattr(fields, role))
        if isinstance(value, str) and (byte := undecodable_byte(value)) is not None:
            reason = f"undecodable byte 0x{byte:02X} (neither UTF-8 nor Windows-1252)"
            return Reject(file, line, doc_id, getattr(fields, role), reason)
    text = obj.get(fields.text)
    if not isinstance(text, str):
        found = "nothing" if text is None else type(text).__name__
        return Reject(file, line, doc_id, fields.text, f"expected text as a string, found {found}")
    if not text.strip():
        return Reject(file, line, doc_id, fields.text, "empty text")
    title = (_as_text(obj.get(fields.title)) or "").strip() or None
    outlet = (_as_text(obj.get(fields.outlet)) or "").strip()
    if not outlet:
        outlet = outlet_from_url(obj.get(fields.url)) or ""
        if outlet:
            stats.outlet_from_url += 1
        else:
            outlet = UNKNOWN_OUTLET
            stats.outlet_unknown += 1
    date, parsed = normalize_date(obj.get(fields.date), date_format)
    if not parsed:
        stats.dates_unparsed += 1
    return Document(doc_id, outlet, date, title, text, f"{file}:{line}")


def _digest(obj: dict[str, object]) -> str:
    """Identity of a whole record: every field, not just the scored ones."""
    blob = json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def read_documents(
    paths: list[Path],
    fields: FieldMap,
    stats: IngestStats,
    input_format: InputFormat | None = None,
    date_format: str | None = None,
) -> Iterator[Document | Reject]:
    """Every record of every input, in order, as a Document or a Reject; updates `stats`.

    Deterministic: the same inputs give the same documents and ids (resume relies on it).
    Raises FramingError when a required field is missing from a file's first record.
    """
    dedupe = _Deduper()
    for path in paths:
        fmt = detect_format(path, input_format)
        txt_fields = FieldMap() if fmt == "txt" else fields
        checked = False
        for file, line, obj in raw_records(path, fmt, stats):
            stats.records += 1
            if isinstance(obj, Reject):
                stats.rejects[_reason_kind(obj.reason)] += 1
                yield obj
                continue
            if not checked:
                _check_fields(obj, txt_fields, file, fmt.upper())
                checked = True
            item = _to_document(file, line, obj, txt_fields, stats, date_format)
            if isinstance(item, Document):
                digest = _digest(obj)
                new_id, twin = dedupe.resolve(item.doc_id, digest, item.source)
                if new_id is None:
                    stats.duplicate_identical += 1
                    reason = f"duplicate: identical to the record at {twin}; scored once"
                    item = Reject(file, line, item.doc_id, txt_fields.id, reason)
                elif new_id != item.doc_id:
                    stats.duplicate_ids_kept_apart += 1
                    item = Document(new_id, item.outlet, item.date, item.title, item.text,
                                    item.source)
            if isinstance(item, Reject):
                if not item.reason.startswith("duplicate"):
                    stats.rejects[_reason_kind(item.reason)] += 1
                yield item
            else:
                stats.documents += 1
                yield item


def _reason_kind(reason: str) -> str:
    """The reason without its details, for counting (`undecodable byte`, `malformed JSON`)."""
    kind = reason.split(" (")[0].split(":")[0]
    return re.sub(r" 0x[0-9A-F]{2}$", "", kind)
