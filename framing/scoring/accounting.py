"""Where every record read ends up: scored, or set aside as a `Reject` saying where and why.

`IngestStats` holds the counts gathered while reading; every record is in exactly one bucket
(a document, a reject, or an identical repeat of a document).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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

    def count_recovered(self, recovered: int) -> None:
        """One line (or chunk) in which `recovered` Windows-1252 bytes were decoded."""
        if recovered:
            self.recovered_bytes += recovered
            self.recovered_records += 1

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
