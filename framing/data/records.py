"""Labelled sentences: the one reader of labelled JSONL, validating every record.

Record fields: `text` and `frame` (required); `voice` (a voice of the taxonomy, or null), `id`,
`source`, `outlet`, `conflict`, `tags`, `split` (optional). Sentences of real articles
(`labels/real/`) also carry `corpus`, `doc_id`, `sentence_idx` (the sentence's key in a
`framing score` output) and `selection` (how it was chosen). A bad record is never skipped:
loading refuses the file with a message naming file, line, field and fix.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from framing.errors import FramingError
from framing.provenance import file_sha256
from framing.taxonomy import Taxonomy

SPLITS = ("train", "dev", "test", "ood_test")
STRING_FIELDS = ("id", "source", "outlet", "conflict", "corpus", "doc_id")
KNOWN_FIELDS = ("text", "frame", "voice", "tags", "split", "sentence_idx", "selection",
                *STRING_FIELDS)


class Selection(StrEnum):
    """How a real sentence was chosen for labelling (`framing label suggest --strategy`)."""

    random = "random"
    uncertain = "uncertain"
    disagree = "disagree"
    mixed = "mixed"


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
    corpus: str | None = None
    doc_id: str | None = None
    sentence_idx: int | None = None
    selection: str | None = None
    where: str = ""  # file:line, for messages

    @property
    def key(self) -> tuple[str, int] | None:
        """(doc_id, sentence_idx) for a sentence of a real article, else None."""
        if self.doc_id is None or self.sentence_idx is None:
            return None
        return self.doc_id, self.sentence_idx


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
        problem = record_problem(obj, taxonomy)
        if problem:
            errors.append(f"{where}: {problem}")
            continue
        fields = {name: obj.get(name) for name in KNOWN_FIELDS if name != "tags"}
        out.append(LabelledSentence(**fields, tags=tuple(obj.get("tags") or ()), where=where))
    return out


def record_problem(obj: object, taxonomy: Taxonomy) -> str | None:
    """What is wrong with one record, as a message naming the field and the fix; None if fine."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, found {type(obj).__name__}"
    unknown = [k for k in obj if k not in KNOWN_FIELDS]
    if unknown:
        return f"unknown field {unknown[0]!r}{_did_you_mean(unknown[0], KNOWN_FIELDS, 'field')}"
    text = obj.get("text")
    if not isinstance(text, str):
        return f"field 'text' is required and must be a string, found {text!r}"
    if not text.strip():
        return "field 'text' is empty; remove the record or write the sentence"
    return (_label_problem(obj, taxonomy) or _tags_problem(obj.get("tags"), taxonomy)
            or _key_problem(obj))


def _did_you_mean(value: str, choices: list[str] | tuple[str, ...], what: str) -> str:
    hint = difflib.get_close_matches(value, list(choices), n=1)
    return f"; did you mean {hint[0]!r}?" if hint else f"; known {what}s: {', '.join(choices)}"


def _label_problem(obj: dict, taxonomy: Taxonomy) -> str | None:
    frame = obj.get("frame")
    if frame not in taxonomy.label2id:
        suggestion = taxonomy.suggest(str(frame)) if isinstance(frame, str) else None
        fix = (f"; did you mean {suggestion!r}?" if suggestion
               else f"; expected one of {taxonomy.labels}")
        return f"unknown frame {frame!r}{fix}"
    voice = obj.get("voice")
    voices = taxonomy.voice_names
    if voice is not None and voice not in voices:
        hint = difflib.get_close_matches(str(voice), voices, n=1)
        fix = f"; did you mean {hint[0]!r}?" if hint else f"; expected one of {voices} or null"
        return f"unknown voice {voice!r}{fix}"
    if voice is not None and taxonomy.weights[frame] is None:
        return f"field 'voice' is {voice!r} but frame {frame!r} frames nobody; set voice to null"
    return None


def _tags_problem(tags: object, taxonomy: Taxonomy) -> str | None:
    tags = [] if tags is None else tags
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return f"field 'tags' must be a list of strings, found {tags!r}"
    known = [t.name for t in taxonomy.tags]
    for tag in tags if known else []:
        if tag not in known:
            hint = difflib.get_close_matches(tag, known, n=1)
            return f"unknown tag {tag!r}" + (
                f"; did you mean {hint[0]!r}?" if hint else "; see tags in the taxonomy")
    return None


def _key_problem(obj: dict) -> str | None:
    split = obj.get("split")
    if split is not None and split not in SPLITS:
        return f"unknown split {split!r}; expected one of {list(SPLITS)} or no split field"
    for name in STRING_FIELDS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            return f"field {name!r} must be a string, found {value!r}"
    idx = obj.get("sentence_idx")
    if idx is not None and (isinstance(idx, bool) or not isinstance(idx, int) or idx < 0):
        return f"field 'sentence_idx' must be a whole number >= 0, found {idx!r}"
    if (obj.get("doc_id") is None) != (idx is None):
        return ("fields 'doc_id' and 'sentence_idx' go together (the sentence's key in a "
                "`framing score` output); give both or neither")
    selection = obj.get("selection")
    if selection is not None and selection not in list(Selection):
        return (f"unknown selection {selection!r}; expected one of "
                f"{[s.value for s in Selection]}")
    return None


def load_labelled(paths: list[Path], taxonomy: Taxonomy) -> list[LabelledSentence]:
    """All records of `paths`; refuse (FramingError) if any record is bad."""
    errors: list[str] = []
    for p in paths:
        if not Path(p).is_file():
            errors.append(f"{p}: no such file; pass labelled JSONL files such as labels/*.jsonl")
    records = [r for p in paths if Path(p).is_file() for r in read_records(Path(p), taxonomy,
                                                                           errors)]
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise FramingError(
            f"{len(errors)} bad record(s); run `framing data check` for the full list:\n"
            f"{shown}{more}"
        )
    return records


def file_hashes(paths: list[Path]) -> dict[str, str]:
    """sha256 of each data file, for provenance."""
    return {str(p): file_sha256(Path(p)) for p in paths}
