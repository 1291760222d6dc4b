"""The end-of-run message of `framing score`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from framing.errors import FramingError
from framing.text.segment import MAX_SEGMENT_CHARS


class OutputFormatChoice(StrEnum):
    """`--format` choices of `framing score`."""

    parquet = "parquet"
    jsonl = "jsonl"
    csv = "csv"


@dataclass
class ScoreSummary:
    """What a run did, for the end-of-run message."""

    out: Path
    documents: int
    sentences: int
    resumed_documents: int
    seconds: float
    counts: dict[str, object]
    outputs: list[Path] = field(default_factory=list)
    already_complete: bool = False


def require_documents(summary: ScoreSummary) -> None:
    """A run that scored no document is a failure (exit 2), even with its files written: every
    record was rejected, or the input held none. One line says why, so a pipeline notices."""
    if summary.documents:
        return
    c = summary.counts
    reasons: dict[str, int] = c.get("rejects_by_reason") or {}  # type: ignore[assignment]
    if reasons:
        why = "every record rejected (" + ", ".join(f"{k}: {v}" for k, v in reasons.items())
        why += f"); see {summary.out / 'rejects.jsonl'} for each one's file, line and reason"
    else:
        why = ("the input holds no records (only a header or blank lines, an empty JSON array, "
               "an archive without a readable member?)")
    skipped: list[str] = c.get("skipped_files") or []  # type: ignore[assignment]
    if skipped:
        why += f"; not read: {', '.join(skipped[:3])}" + (" ..." if len(skipped) > 3 else "")
    raise FramingError(f"0 documents scored from {c.get('records')} records: {why}")


def render_summary(summary: ScoreSummary) -> str:
    """The end-of-run message: what was scored, what was set aside, where the files are."""
    c = summary.counts
    if summary.already_complete:
        head = f"already complete: {summary.out} (nothing re-scored; use --overwrite to redo)"
    else:
        resumed = (f" ({summary.resumed_documents} from an earlier interrupted run)"
                   if summary.resumed_documents else "")
        head = f"scored {summary.documents} documents{resumed} in {summary.seconds:.1f} s"
    reasons: dict[str, int] = c.get("rejects_by_reason") or {}  # type: ignore[assignment]
    by_reason = ", ".join(f"{k}: {v}" for k, v in reasons.items())
    lines = [
        head,
        f"  documents {summary.documents}, sentences {summary.sentences}, "
        f"records read {c.get('records')}",
        f"  rejected {c.get('rejects')}" + (f" ({by_reason})" if by_reason else ""),
        f"  duplicate ids: {c.get('duplicate_identical')} identical (scored once), "
        f"{c.get('duplicate_ids_kept_apart')} different (kept apart under suffixed ids)",
        f"  recovered {c.get('recovered_bytes')} Windows-1252 bytes in "
        f"{c.get('recovered_records')} lines; outlet from url {c.get('outlet_from_url')}, "
        f"unknown outlet {c.get('outlet_unknown')}; unparsed dates {c.get('dates_unparsed')}",
        f"  {c.get('sentences_cut_at_length_cap', 0)} sentences cut at the length cap "
        f"({MAX_SEGMENT_CHARS:,} characters) into {c.get('segments_of_cut_sentences', 0)} "
        "segments",
    ]
    if c.get("skipped_files"):
        skipped = list(c["skipped_files"])  # type: ignore[call-overload]
        lines.append(f"  not read (not a format framing reads): {', '.join(skipped[:5])}")
    lines.append("  outputs: " + ", ".join(str(p) for p in summary.outputs))
    return "\n".join(lines)
