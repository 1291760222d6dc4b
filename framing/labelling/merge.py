"""`framing label merge`: add newly labelled sentences to a dataset file, refusing what would
corrupt it.

The new records and the target file are checked together with the checks of `framing data
check` (schema, labels, duplicate keys and texts, conflicting frames, sealed articles and their
text); any error refuses the merge and leaves the target untouched. Real-article records need
their key (`doc_id`, `sentence_idx`). The target is replaced in one atomic step.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from framing.data.check import check_dataset
from framing.data.sealed import Sealed
from framing.errors import FramingError
from framing.taxonomy import Taxonomy


@dataclass
class MergeResult:
    target: Path
    added: int
    total: int
    warnings: list[str]


def merge_labels(new: Path, target: Path, taxonomy: Taxonomy,
                 sealed: Sealed | set[str] | frozenset[str] = frozenset()) -> MergeResult:
    """Append the records of `new` to `target` (created if missing) after checking both."""
    if not new.is_file():
        raise FramingError(f"{new}: labelled file not found; `framing label annotate` writes one")
    new_text = new.read_text(encoding="utf-8")
    old_text = target.read_text(encoding="utf-8") if target.is_file() else ""
    if old_text and not old_text.endswith("\n"):
        old_text += "\n"
    with tempfile.TemporaryDirectory(prefix="framing-merge-") as tmp:
        combined = Path(tmp) / target.name
        combined.write_text(old_text + new_text, encoding="utf-8")
        report = check_dataset([combined], taxonomy, sealed)
    first_new = old_text.count("\n") + 1
    keyless = [r.where for r in report.records
               if r.key is None and int(r.where.rsplit(":", 1)[1]) >= first_new]
    errors = [e.replace(str(combined), str(target)) for e in report.errors]
    if keyless:
        errors.append(f"{len(keyless)} new record(s) without doc_id and sentence_idx, first at "
                      f"{keyless[0].replace(str(combined), str(target))}: a real-article record "
                      "needs its key")
    if errors:
        shown = "\n".join(errors[:20])
        raise FramingError(f"{new} -> {target}: merge refused, {len(errors)} problem(s) "
                           f"(line numbers count the target's lines first):\n{shown}")
    added = sum(1 for line in new_text.splitlines() if line.strip())
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = target.with_name(f".{target.name}.merging")
    tail = "" if new_text.endswith("\n") or not new_text else "\n"
    tmp_path.write_text(old_text + new_text + tail, encoding="utf-8")
    os.replace(tmp_path, target)
    return MergeResult(target, added, len(report.records), report.warnings)
