"""`framing score`: articles in, one row per sentence / document / outlet out, resumable.

Flow: ingest (streaming) -> segment -> chunks of ~`chunk_sentences` sentences batched across
documents through `Classifier.predict_proba` -> each chunk written atomically to
`OUT/parts/part-NNNNNN.{sentences,documents}.parquet` (temp file + os.replace), then its doc ids
appended to `OUT/parts/manifest.jsonl`. A killed run restarted with the same command skips the
documents in the manifest, deletes parts the manifest does not list, and goes on. At the end the
parts are merged into `sentences.<fmt>`, `documents.<fmt>`, `outlets.<fmt>`, with
`provenance.json` and `rejects.jsonl`. Only the text of the current chunk is ever in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

import framing
from framing.errors import FramingError
from framing.ingest import Document, FieldMap, read_documents
from framing.provenance import file_sha256
from framing.readers import IngestStats, InputFormat, Reject, count_records, detect_format
from framing.score_io import (
    RUN_FILE,
    merge_parts,
    prepare_out,
    read_manifest,
    write_json_atomic,
    write_part,
)
from framing.segment import SEGMENTER_VERSION, article_sentences

if TYPE_CHECKING:
    from framing.predict import Classifier

OutputFormat = Literal["parquet", "jsonl", "csv"]
STDIN = Path("-")


class ScoreOptions(BaseModel):
    """Everything `framing score` needs; validated, so a bad value fails with its name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inputs: list[Path] = Field(min_length=1)
    model: Path
    out: Path
    format: OutputFormat = "parquet"
    batch_size: int = Field(default=64, ge=1, le=4096)
    chunk_sentences: int = Field(default=4096, ge=1, le=1_000_000)
    fast: bool = False
    strict: bool = False
    overwrite: bool = False
    threads: int | None = Field(default=None, ge=1, le=1024)
    fields: FieldMap = FieldMap()
    input_format: InputFormat | None = None
    date_format: str | None = None
    progress: bool = True


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


# --- setup ---------------------------------------------------------------------------------


def configure_threads(threads: int | None) -> dict[str, object]:
    """Use `threads` intra-op threads (default: all cores). OMP_WAIT_POLICY is the user's: when
    unset and torch is not yet loaded it is set to PASSIVE (no spin-waiting on shared cores)."""
    if "OMP_WAIT_POLICY" not in os.environ and "torch" not in sys.modules:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    import torch

    n = threads or os.cpu_count() or 1
    torch.set_num_threads(n)
    return {"threads": n, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}


def load_classifier(model: Path, fast: bool) -> Classifier:
    """The model folder; when `fast`, scored through int8 ONNX Runtime (`framing.fast.RECIPE`)."""
    from framing.predict import Classifier

    classifier = Classifier.from_folder(model)
    if fast:
        from framing.fast import fast_classifier

        classifier = fast_classifier(classifier)
    return classifier


def _fast_recipe() -> str:
    from framing.fast import RECIPE

    return RECIPE


def hash_input(path: Path) -> str:
    """sha256 of a file; of a folder, sha256 over its sorted (name, sha256) of .txt files."""
    if path.is_file():
        return file_sha256(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt"):
        digest.update(f"{file.name}\0{file_sha256(file)}\n".encode())
    return digest.hexdigest()


def _check_input(path: Path) -> None:
    if not path.exists():
        raise FramingError(f"{path}: input not found; pass a .jsonl, .csv, .parquet file, a "
                           "folder of .txt files, or - for JSONL on stdin")
    if path.is_dir():
        if not any(p.suffix.lower() == ".txt" for p in path.iterdir() if p.is_file()):
            raise FramingError(f"{path}: empty input: the folder holds no .txt files")
    elif path.stat().st_size == 0:
        raise FramingError(f"{path}: empty input (0 bytes); nothing to score")


def _spool_stdin(parts: Path) -> Path:
    """Copy stdin to `parts/stdin.input` in blocks (never in memory), so it can be re-read."""
    parts.mkdir(parents=True, exist_ok=True)
    target = parts / "stdin.input"
    tmp = target.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
    os.replace(tmp, target)
    return target


# --- run identity and the output folder ------------------------------------------------------


def _identity(opts: ScoreOptions, classifier: Classifier, inputs: list[dict[str, str]]) -> dict:
    return {
        "model_fingerprint": classifier.fingerprint(),
        "taxonomy_fingerprint": classifier.taxonomy.fingerprint(),
        "inputs": [i["sha256"] for i in inputs],
        "fields": opts.fields.model_dump(mode="json", exclude={"explicit"}),
        "input_format": opts.input_format,
        "date_format": opts.date_format,
        "fast": _fast_recipe() if opts.fast else False,
        "format": opts.format,
        "segmenter": SEGMENTER_VERSION,
        "framing_version": framing.__version__,
    }


# --- scoring -------------------------------------------------------------------------------


@dataclass
class _Chunk:
    docs: list[Document] = field(default_factory=list)
    rows: list[tuple[Document, int, bool, int, int, str]] = field(default_factory=list)

    def add(self, doc: Document) -> None:
        self.docs.append(doc)
        for idx, (is_title, s) in enumerate(article_sentences(doc.title, doc.text)):
            self.rows.append((doc, idx, is_title, s.start, s.end, s.text))


def _score_chunk(chunk: _Chunk, classifier: Classifier, batch_size: int) -> dict[str, list]:
    from framing.voice import rule_voice

    texts = [row[5] for row in chunk.rows]
    probs = classifier.predict_proba(texts, batch_size=batch_size)
    labels = classifier.labels
    frames = [labels[i] for i in probs.argmax(axis=1)] if len(texts) else []
    columns: dict[str, list] = {
        "doc_id": [r[0].doc_id for r in chunk.rows],
        "outlet": [r[0].outlet for r in chunk.rows],
        "date": [r[0].date for r in chunk.rows],
        "title": [r[0].title for r in chunk.rows],
        "sentence_idx": [r[1] for r in chunk.rows],
        "is_title": [r[2] for r in chunk.rows],
        "char_start": [r[3] for r in chunk.rows],
        "char_end": [r[4] for r in chunk.rows],
        "text": texts,
        "frame": frames,
    }
    for j, name in enumerate(labels):
        columns[f"p_{name}"] = probs[:, j].astype(float).tolist()
    columns["voice"] = [rule_voice(t, f, classifier.taxonomy) for t, f in zip(texts, frames,
                                                                              strict=True)]
    return columns


def _documents(opts: ScoreOptions, stats: IngestStats, rejects_fh) -> Iterator[Document]:
    for item in read_documents(opts.inputs, opts.fields, stats, opts.input_format,
                               opts.date_format):
        if isinstance(item, Reject):
            rejects_fh.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
            if opts.strict:
                where = f"{item.file}:{item.line}" if item.line else item.file
                raise FramingError(
                    f"{where}: field {item.field or '(record)'}: {item.reason}; stopped by "
                    "--strict (drop --strict to set bad records aside in rejects.jsonl)"
                )
            continue
        yield item


def score(opts: ScoreOptions) -> ScoreSummary:
    """Score every sentence of `opts.inputs` into `opts.out`; resume an interrupted run.

    Re-running a completed command changes nothing and returns its summary.
    """
    started = time.time()
    runtime = configure_threads(opts.threads)
    parts = opts.out / "parts"
    inputs = [(_spool_stdin(parts) if p == STDIN else p) for p in opts.inputs]
    for path in inputs:
        _check_input(path)
        detect_format(path, opts.input_format or ("jsonl" if path.name == "stdin.input" else None))
    if any(p == STDIN for p in opts.inputs) and opts.input_format is None:
        opts = opts.model_copy(update={"input_format": "jsonl"})
    opts = opts.model_copy(update={"inputs": inputs})
    classifier = load_classifier(opts.model, opts.fast)
    input_info = [{"path": str(p), "sha256": hash_input(p)} for p in inputs]
    identity = _identity(opts, classifier, input_info)
    previous = prepare_out(opts.out, identity, opts.overwrite)
    if previous and previous.get("status") == "complete":
        outputs = [opts.out / name for name in previous.get("outputs", [])]
        if all(p.exists() for p in outputs):
            return ScoreSummary(opts.out, previous["counts"]["documents"],
                                previous["counts"]["sentences"], previous["counts"]["documents"],
                                0.0, previous["counts"], outputs, already_complete=True)
    parts.mkdir(parents=True, exist_ok=True)
    started_iso = (previous or {}).get("started") or _now()
    state = {"identity": identity, "status": "running", "started": started_iso}
    write_json_atomic(opts.out / RUN_FILE, state)
    manifest = read_manifest(parts)
    done = {doc_id for entry in manifest for doc_id in entry["doc_ids"]}
    resumed = len(done)
    stats = IngestStats()
    _run_chunks(opts, classifier, stats, manifest, done)
    finished_iso = _now()
    manifest = read_manifest(parts)
    n_docs = sum(len(e["doc_ids"]) for e in manifest)
    n_sentences = sum(int(e["sentences"]) for e in manifest)
    counts = {
        **stats.as_dict(),
        "documents": n_docs,
        "sentences": n_sentences,
        "rejects_file_lines": sum(stats.rejects.values()) + stats.duplicate_identical,
    }
    provenance = {
        "model": {"path": str(opts.model.resolve()), "fingerprint": identity["model_fingerprint"],
                  "runtime": identity["fast"] or "torch fp32"},
        "taxonomy": {"name": classifier.taxonomy.name, "version": classifier.taxonomy.version,
                     "fingerprint": identity["taxonomy_fingerprint"]},
        "inputs": input_info,
        "framing_version": framing.__version__,
        "versions": _versions(),
        "arguments": opts.model_dump(mode="json"),
        "runtime": runtime,
        "segmenter": SEGMENTER_VERSION,
        "started": started_iso,
        "finished": finished_iso,
        "counts": counts,
    }
    outputs = merge_parts(opts.out, manifest, classifier.taxonomy, opts.format, provenance)
    write_json_atomic(opts.out / "provenance.json", provenance)
    state.update(status="complete", counts=counts,
                 outputs=[p.name for p in outputs] + ["provenance.json"])
    write_json_atomic(opts.out / RUN_FILE, state)
    return ScoreSummary(opts.out, n_docs, n_sentences, resumed,
                        time.time() - started, counts, [*outputs, opts.out / "provenance.json"])


def _run_chunks(opts: ScoreOptions, classifier: Classifier, stats: IngestStats,
                manifest: list[dict], done: set[str]) -> int:
    from tqdm import tqdm

    parts = opts.out / "parts"
    part_no = max((int(e["part"]) for e in manifest), default=0)
    total = count_records(opts.inputs, opts.input_format)
    scored = 0
    t0 = time.time()
    chunk = _Chunk()
    rejects_tmp = parts / "rejects.partial.jsonl"
    bar = tqdm(total=total, unit="doc", disable=not opts.progress, mininterval=0.5,
               file=sys.stderr, dynamic_ncols=True)
    with open(rejects_tmp, "w", encoding="utf-8") as rejects_fh, bar:
        for doc in _documents(opts, stats, rejects_fh):
            bar.update(stats.records - bar.n)
            if doc.doc_id in done:
                continue
            chunk.add(doc)
            if len(chunk.rows) >= opts.chunk_sentences:
                part_no += 1
                scored += _flush(chunk, classifier, opts, parts, part_no)
                chunk = _Chunk()
                rate = scored / max(time.time() - t0, 1e-9)
                bar.set_postfix_str(f"{rate:,.0f} sent/s", refresh=False)
        if chunk.docs:
            part_no += 1
            scored += _flush(chunk, classifier, opts, parts, part_no)
        bar.update(stats.records - bar.n)
        rejects_fh.flush()
        os.fsync(rejects_fh.fileno())
    os.replace(rejects_tmp, opts.out / "rejects.jsonl")
    return scored


def _flush(chunk: _Chunk, classifier: Classifier, opts: ScoreOptions, parts: Path,
           part_no: int) -> int:
    columns = _score_chunk(chunk, classifier, opts.batch_size)
    write_part(parts, part_no, columns, [d.doc_id for d in chunk.docs], classifier.taxonomy)
    return len(chunk.rows)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("torch", "transformers", "tokenizers", "sentencex", "pyarrow", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def make_options(**values: object) -> ScoreOptions:
    """ScoreOptions from CLI values; field-name options the user set become required fields."""
    from pydantic import ValidationError

    from framing.errors import explain_validation

    field_values = {role: values.pop(f"{role}_field") for role in
                    ("id", "outlet", "text", "title", "date", "url")}
    explicit = frozenset(role for role, name in field_values.items() if name is not None)
    try:
        given = {r: n for r, n in field_values.items() if n is not None}
        fields = FieldMap.model_validate({**given, "explicit": explicit})
        return ScoreOptions(fields=fields, **values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise FramingError(f"invalid score options:\n{explain_validation(exc)}") from exc


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
    ]
    if c.get("skipped_files"):
        skipped = list(c["skipped_files"])  # type: ignore[call-overload]
        lines.append(f"  not read (not .txt): {', '.join(skipped[:5])}")
    lines.append("  outputs: " + ", ".join(str(p) for p in summary.outputs))
    return "\n".join(lines)
