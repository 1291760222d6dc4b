"""Raw records (from `readers`) -> `Document`s: fields, dates, outlets, duplicate ids.

Dates and outlets follow `metadata`: a real date beside the value as given, and the url's
registered domain as the outlet when the outlet field is empty, its host kept apart.

Everything streams: records are read one at a time and never all held in memory.

Recovery without guessing, and nothing dropped silently:
- Stray Windows-1252 bytes are decoded and counted by `readers`; a byte that is neither
  UTF-8 nor Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) is undecodable: the record is rejected.
- Records repeating an id: an identical record (every field equal, not only the scored ones) is
  scored once and the repeat goes to the rejects file; a different record is kept apart under a
  suffixed id (`<id>-2`, `<id>-3`, ...). Both are counted.
- Rejected (written to the rejects file with file, line, field and reason): malformed JSON
  lines, records that are not objects, missing ids, missing or empty text, undecodable bytes,
  binary files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from framing.errors import FramingError
from framing.scoring.accounting import IngestStats, Reject
from framing.scoring.decoding import undecodable_byte
from framing.scoring.metadata import outlet_from_url, parse_date, suffix_list_version, url_host
from framing.scoring.readers import raw_records
from framing.scoring.sources import InputFormat

UNKNOWN_OUTLET = "unknown"
_SUFFIX = "-"
# How records become documents; part of a run's identity (a resumed run must not mix rules).
# 2: outlet = the url's registered domain, `host` kept; `date` a real date beside `date_raw`.
INGEST_RULES = "2"


def ingest_identity() -> str:
    """The rules and the public suffix list they use, e.g. '2+psl-1.1.2.20261023'."""
    return f"{INGEST_RULES}+psl-{suffix_list_version()}"


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
    """One article, ready to segment. `source` is `file:line` of the record it came from;
    `host` is the url's host (None without a url); `date_raw` the date field as given."""

    doc_id: str
    outlet: str
    host: str | None
    date: date | None
    date_raw: str | None
    title: str | None
    text: str
    source: str


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
        lists = [k for k, v in obj.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
        hint = (f"; the records look wrapped in the list under {lists[0]!r}: take them out, "
                f"e.g. jq -c '.{lists[0]}[]' FILE > records.jsonl" if len(obj) <= 3 and lists
                else "")
        raise FramingError(
            f"{file}: no field {', '.join(repr(m) for m in missing)} in the {fmt} records; "
            f"fields found: {found}; name the right ones with --id-field / --text-field / "
            f"--outlet-field / --title-field / --date-field / --url-field{hint}"
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
        return Reject(file, line, None, fields.id, "missing id", "missing or empty id")
    for role in ("text", "title", "outlet", "date", "url"):
        value = obj.get(getattr(fields, role))
        if isinstance(value, str) and (byte := undecodable_byte(value)) is not None:
            reason = f"undecodable byte 0x{byte:02X} (neither UTF-8 nor Windows-1252)"
            return Reject(file, line, doc_id, getattr(fields, role), "undecodable byte", reason)
    text = obj.get(fields.text)
    if not isinstance(text, str):
        found = "nothing" if text is None else type(text).__name__
        return Reject(file, line, doc_id, fields.text, "text not a string",
                      f"expected text as a string, found {found}")
    if not text.strip():
        return Reject(file, line, doc_id, fields.text, "empty text", "empty text")
    title = (_as_text(obj.get(fields.title)) or "").strip() or None
    outlet = (_as_text(obj.get(fields.outlet)) or "").strip()
    url = obj.get(fields.url)
    if not outlet:
        outlet = outlet_from_url(url) or ""
        if outlet:
            stats.outlet_from_url += 1
        else:
            outlet = UNKNOWN_OUTLET
            stats.outlet_unknown += 1
    day, raw_date = parse_date(obj.get(fields.date), date_format)
    if raw_date is not None and day is None:
        stats.dates_unparsed += 1
    return Document(doc_id, outlet, url_host(url), day, raw_date, title, text, f"{file}:{line}")


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
    checked: set[str] = set()
    for path in paths:
        for fmt, file, line, obj in raw_records(path, input_format, stats):
            stats.records += 1
            if isinstance(obj, Reject):
                stats.rejects[obj.kind] += 1
                yield obj
                continue
            txt_fields = FieldMap() if fmt == "txt" else fields
            if file not in checked:
                _check_fields(obj, txt_fields, file, fmt.upper())
                checked.add(file)
            item = _to_document(file, line, obj, txt_fields, stats, date_format)
            if isinstance(item, Document):
                digest = _digest(obj)
                new_id, twin = dedupe.resolve(item.doc_id, digest, item.source)
                if new_id is None:
                    stats.duplicate_identical += 1
                    reason = f"duplicate: identical to the record at {twin}; scored once"
                    item = Reject(file, line, item.doc_id, txt_fields.id, "duplicate", reason)
                elif new_id != item.doc_id:
                    stats.duplicate_ids_kept_apart += 1
                    item = replace(item, doc_id=new_id)
            if isinstance(item, Reject):
                if item.kind != "duplicate":
                    stats.rejects[item.kind] += 1
                yield item
            else:
                stats.documents += 1
                yield item
