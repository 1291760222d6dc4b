"""Labelled sentences: read JSONL, validate every record, and check a dataset as a whole.

Record fields: `text` and `frame` (required); `voice` (authorial | attributed | null), `id`,
`source`, `outlet`, `conflict`, `tags`, `split` (optional). A bad record is never skipped:
loading refuses the file with a message naming file, line, field and fix.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from framing.config import SPLITS
from framing.errors import FramingError
from framing.provenance import file_sha256
from framing.taxonomy import Taxonomy

OPTIONAL_FIELDS = ("voice", "id", "source", "outlet", "conflict", "tags", "split")
KNOWN_FIELDS = ("text", "frame", *OPTIONAL_FIELDS)
NEAR_DUPLICATE_JACCARD = 0.8
SHINGLE_WORDS = 3


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    frame: str
    voice: str | None = None
    id: str | None = None
    source: str | None = None
    outlet: str | None = None
    conflict: str | None = None
    tags: tuple[str, ...] = ()
    split: str | None = None
    where: str = ""  # file:line, for messages


@dataclass
class CheckReport:
    """What `framing data check` found: errors fail the check, warnings do not."""

    records: list[LabelledSentence] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_records(path: Path, taxonomy: Taxonomy, errors: list[str]) -> list[LabelledSentence]:
    """Parse one JSONL file; append one message per bad record to `errors`."""
    out: list[LabelledSentence] = []
    try:
        raw_lines = path.read_bytes().split(b"\n")
    except OSError as exc:
        errors.append(f"{path}: cannot read: {exc}")
        return out
    for lineno, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            errors.append(f"{where}: not UTF-8 ({exc.reason}); re-save the file as UTF-8")
            continue
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not valid JSON ({exc.msg}); one JSON object per line")
            continue
        problem = _record_problem(obj, taxonomy)
        if problem:
            errors.append(f"{where}: {problem}")
            continue
        out.append(
            LabelledSentence(
                text=obj["text"],
                frame=obj["frame"],
                voice=obj.get("voice"),
                id=obj.get("id"),
                source=obj.get("source"),
                outlet=obj.get("outlet"),
                conflict=obj.get("conflict"),
                tags=tuple(obj.get("tags") or ()),
                split=obj.get("split"),
                where=where,
            )
        )
    return out


def _record_problem(obj: object, taxonomy: Taxonomy) -> str | None:
    if not isinstance(obj, dict):
        return f"expected a JSON object, found {type(obj).__name__}"
    unknown = [k for k in obj if k not in KNOWN_FIELDS]
    if unknown:
        hint = difflib.get_close_matches(unknown[0], KNOWN_FIELDS, n=1)
        fix = (
            f"; did you mean {hint[0]!r}?" if hint else f"; known fields: {', '.join(KNOWN_FIELDS)}"
        )
        return f"unknown field {unknown[0]!r}{fix}"
    text = obj.get("text")
    if not isinstance(text, str):
        return f"field 'text' is required and must be a string, found {text!r}"
    if not text.strip():
        return "field 'text' is empty; remove the record or write the sentence"
    frame = obj.get("frame")
    if frame not in taxonomy.label2id:
        suggestion = taxonomy.suggest(str(frame)) if isinstance(frame, str) else None
        fix = (
            f"; did you mean {suggestion!r}?" if suggestion
            else f"; expected one of {taxonomy.labels}"
        )
        return f"unknown frame {frame!r}{fix}"
    voice = obj.get("voice")
    voices = taxonomy.voice_names
    if voice is not None and voice not in voices:
        hint = difflib.get_close_matches(str(voice), voices, n=1)
        fix = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of {voices} or null"
        return f"unknown voice {voice!r}{fix}"
    if voice is not None and taxonomy.weights[frame] is None:
        return f"field 'voice' is {voice!r} but frame {frame!r} frames nobody; set voice to null"
    tags = obj.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return f"field 'tags' must be a list of strings, found {tags!r}"
    known_tags = [t.name for t in taxonomy.tags]
    if known_tags:
        for tag in tags:
            if tag not in known_tags:
                hint = difflib.get_close_matches(tag, known_tags, n=1)
                fix = f"; did you mean {hint[0]!r}?" if hint else "; see tags in the taxonomy"
                return f"unknown tag {tag!r}{fix}"
    split = obj.get("split")
    if split is not None and split not in SPLITS:
        return f"unknown split {split!r}; expected one of {list(SPLITS)} or no split field"
    for name in ("id", "source", "outlet", "conflict"):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return f"field {name!r} must be a string, found {value!r}"
    return None


def load_dataset(paths: list[Path], taxonomy: Taxonomy) -> list[LabelledSentence]:
    """All records of `paths`; refuse (FramingError) if any record is bad."""
    errors: list[str] = []
    records = [r for p in paths for r in read_records(Path(p), taxonomy, errors)]
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise FramingError(
            f"{len(errors)} bad record(s); run `framing data check` for the full list:\n"
            f"{shown}{more}"
        )
    return records


def check_dataset(paths: list[Path], taxonomy: Taxonomy) -> CheckReport:
    """Schema, labels, empty and duplicate texts, duplicate ids, near-duplicates, balance."""
    report = CheckReport()
    for p in paths:
        if not Path(p).is_file():
            report.errors.append(f"{p}: no such file")
            continue
        report.records.extend(read_records(Path(p), taxonomy, report.errors))
    recs = report.records
    _check_exact_duplicates(recs, report)
    _check_ids(recs, report)
    for a, b, score in near_duplicates([r.text for r in recs]):
        ra, rb = recs[a], recs[b]
        msg = (
            f"{ra.where} ~ {rb.where}: near-duplicate texts (word-{SHINGLE_WORDS}-gram Jaccard "
            f"{score:.2f} > {NEAR_DUPLICATE_JACCARD})"
        )
        if ra.split and rb.split and ra.split != rb.split:
            report.errors.append(
                f"{msg} in different splits ({ra.split}/{rb.split}): leakage; "
                "rewrite one or move both to one split"
            )
        else:
            report.warnings.append(f"{msg}; rewrite one of them")
    _check_balance(recs, taxonomy, report)
    return report


def _check_exact_duplicates(recs: list[LabelledSentence], report: CheckReport) -> None:
    seen: dict[str, LabelledSentence] = {}
    for r in recs:
        key = normalise(r.text)
        if key in seen:
            first = seen[key]
            conflict = (
                ""
                if first.frame == r.frame
                else f" with different frames ({first.frame}/{r.frame})"
            )
            report.errors.append(
                f"{r.where}: duplicate text of {first.where}{conflict}; remove one"
            )
        else:
            seen[key] = r


def _check_ids(recs: list[LabelledSentence], report: CheckReport) -> None:
    where: dict[str, str] = {}
    for r in recs:
        if r.id is None:
            continue
        if r.id in where:
            report.errors.append(f"{r.where}: id {r.id!r} already used at {where[r.id]}")
        else:
            where[r.id] = r.where


def _check_balance(recs: list[LabelledSentence], taxonomy: Taxonomy, report: CheckReport) -> None:
    train = [r for r in recs if r.split in (None, "train")]
    if not train:
        return
    counts = Counter(r.frame for r in train)
    for label in taxonomy.labels:
        share = counts[label] / len(train)
        if share < 0.05:
            report.warnings.append(
                f"frame {label!r} is {share:.1%} of training records ({counts[label]}); "
                "the model will learn it poorly - add examples or use class_weighting: balanced"
            )


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    words = normalise(text).split()
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def near_duplicates(
    texts: list[str], threshold: float = NEAR_DUPLICATE_JACCARD
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) of texts whose word-3-gram Jaccard similarity exceeds threshold.

    Exact: candidates come from an inverted index of shingles, so only pairs sharing a shingle
    are compared.
    """
    sets = [shingles(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for sh in s:
            index[sh].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                shared[(members[x], members[y])] += 1
    pairs = []
    for (i, j), inter in shared.items():
        score = inter / (len(sets[i]) + len(sets[j]) - inter)
        if score > threshold:
            pairs.append((i, j, score))
    return sorted(pairs)


def summarise(recs: list[LabelledSentence], taxonomy: Taxonomy) -> str:
    """A plain-text table of counts per frame, voice, split, conflict, outlet and tag."""
    lines = [f"{len(recs)} records"]
    lines += _count_block("frame", Counter(r.frame for r in recs), len(recs), taxonomy.labels)
    lines += _count_block("voice", Counter(str(r.voice) for r in recs), len(recs))
    lines += _count_block("split", Counter(str(r.split) for r in recs), len(recs))
    split_frames: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in recs:
        split_frames[str(r.split)][r.frame] += 1
    header = "  split      " + " ".join(f"{label[:10]:>10}" for label in taxonomy.labels)
    lines += ["frames per split:", header]
    for split, c in sorted(split_frames.items()):
        lines.append(f"  {split:<10} " + " ".join(f"{c[label]:>10}" for label in taxonomy.labels))
    lines += _count_block("conflict", Counter(str(r.conflict) for r in recs), len(recs))
    lines += _count_block("outlet", Counter(str(r.outlet) for r in recs), len(recs))
    tag_counts = Counter(t for r in recs for t in r.tags)
    lines += _count_block("tag", tag_counts, len(recs))
    hard = set(taxonomy.hard_tags)
    n_hard = sum(1 for r in recs if hard & set(r.tags))
    if recs:
        lines.append(f"hard cases (any hard tag): {n_hard} ({n_hard / len(recs):.1%})")
    return "\n".join(lines)


def _count_block(
    name: str, counts: Counter[str], total: int, order: list[str] | None = None
) -> list[str]:
    keys = order if order is not None else [k for k, _ in counts.most_common()]
    out = [f"{name}:"]
    for k in keys:
        out.append(f"  {k:<28} {counts[k]:>6}  {counts[k] / max(total, 1):6.1%}")
    return out


def file_hashes(paths: list[Path]) -> dict[str, str]:
    """sha256 of each data file, for provenance."""
    return {str(p): file_sha256(Path(p)) for p in paths}
