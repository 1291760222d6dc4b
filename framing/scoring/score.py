"""`framing score`: articles in, one row per sentence / document / outlet out, resumable.

Three steps, each doing one job:
1. `open_run`: check the output folder (before standard input is read), take stdin into it,
   check the inputs, load the model, and decide: a new run, a resumed one, or one already
   complete.
2. `score_documents`: ingest (streaming) -> segment -> chunks of ~`chunk_sentences` sentences
   batched across documents through `Classifier.predict_proba` -> each chunk written atomically
   to `OUT/parts/` and listed in `parts/manifest.jsonl`. A killed run restarted with the same
   command skips the documents in the manifest and goes on. Only the text of the current chunk
   is ever in memory.
3. `finish_run`: merge the parts into `sentences.<fmt>`, `documents.<fmt>`, `outlets.<fmt>`,
   with `provenance.json` and `rejects.jsonl`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from framing.errors import FramingError
from framing.inference.device import Device
from framing.provenance import file_sha256, provenance
from framing.scoring.accounting import IngestStats, Reject
from framing.scoring.chunks import Chunk, score_chunk
from framing.scoring.folder import OutputFolder
from framing.scoring.ingest import Document, ingest_identity, read_documents
from framing.scoring.options import STDIN, ScoreOptions
from framing.scoring.outputs import SCHEMA_VERSION, merge_parts, read_manifest, write_part
from framing.scoring.sources import detect_format, input_bytes
from framing.scoring.summary import ScoreSummary, require_documents
from framing.text.segment import SEGMENTER_VERSION
from framing.text.voice import VOICE_RULE_VERSION

if TYPE_CHECKING:
    from framing.inference.predict import Classifier


@dataclass
class Run:
    """A scoring run once its inputs and model are known."""

    opts: ScoreOptions
    folder: OutputFolder
    classifier: Classifier
    inputs: list[dict[str, str]]
    identity: dict
    state: dict
    started: float = field(default_factory=time.time)
    # which engine scored the run, for provenance; an engine may add its device(s) here
    engine: dict = field(default_factory=lambda: {"name": "local"})


# An engine scores every document not in the manifest yet: (ingest stats, resumed documents).
Engine = Callable[[Run], tuple[IngestStats, int]]


def load_classifier(model: Path, fast: bool = False, device: Device | str = Device.auto,
                    threads: int | None = None) -> Classifier:
    """The model folder; with `fast`, scored through int8 ONNX Runtime (`inference.fast`)."""
    from framing.inference.predict import Classifier

    classifier = Classifier.from_folder(model, device=device)
    if fast:
        from framing.inference.fast import fast_classifier

        classifier = fast_classifier(classifier, threads)
    return classifier


def hash_input(path: Path) -> str:
    """sha256 of a file; of a folder, sha256 over its sorted (name, sha256) of .txt files."""
    if path.is_file():
        return file_sha256(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt"):
        digest.update(f"{file.name}\0{file_sha256(file)}\n".encode())
    return digest.hexdigest()


def check_input(path: Path, opts: ScoreOptions) -> None:
    """The input exists, is not empty, has a known format and can be read."""
    try:
        _check_input(path, opts)
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: OSError) -> FramingError:
    return FramingError(f"{exc.filename or path}: input not readable ({exc.strerror}); check its "
                        "permissions, or copy it somewhere you can read it")


def _check_input(path: Path, opts: ScoreOptions) -> None:
    if not path.exists():
        raise FramingError(f"{path}: input not found; pass a .jsonl, .json, .csv, .tsv, "
                           ".parquet or .zip file, a folder of .txt files, or - for JSON Lines "
                           "on stdin")
    if path.is_dir():
        if not any(p.suffix.lower() == ".txt" for p in path.iterdir() if p.is_file()):
            raise FramingError(f"{path}: empty input: the folder holds no .txt files")
    elif path.stat().st_size == 0:
        raise FramingError(f"{path}: empty input (0 bytes); nothing to score")
    detect_format(path, opts.input_format)


def _identity(opts: ScoreOptions, classifier: Classifier, inputs: list[dict[str, str]]) -> dict:
    """What makes two runs the same run: a resumed run must not mix any of these."""
    from framing import __version__

    return {
        "model_fingerprint": classifier.fingerprint(),
        "taxonomy_fingerprint": classifier.taxonomy.fingerprint(),
        "inputs": [i["sha256"] for i in inputs],
        "fields": opts.fields.model_dump(mode="json", exclude={"explicit"}),
        "input_format": opts.input_format,
        "date_format": opts.date_format,
        "fast": opts.fast_recipe(),
        "format": opts.format,
        "segmenter": SEGMENTER_VERSION,
        "voice_rule": VOICE_RULE_VERSION,
        "ingest": ingest_identity(),
        "schema": SCHEMA_VERSION,
        "framing_version": __version__,
    }


def open_run(opts: ScoreOptions) -> Run:
    """Step 1: a usable output folder, checked inputs, the model, and the run's state."""
    folder = OutputFolder(opts.out)
    folder.check_usable()
    if STDIN in opts.inputs:
        spooled = folder.spool_stdin()
        opts = opts.model_copy(update={
            "inputs": [spooled if p == STDIN else p for p in opts.inputs],
            "input_format": opts.input_format or "jsonl"})
    for path in opts.inputs:
        check_input(path, opts)
    classifier = load_classifier(opts.model, opts.fast, opts.device, opts.threads)
    inputs = []
    for path in opts.inputs:
        try:
            inputs.append({"path": str(path), "sha256": hash_input(path)})
        except OSError as exc:  # a file inside a folder we may not read
            raise _unreadable(path, exc) from None
    identity = _identity(opts, classifier, inputs)
    previous = folder.prepare(identity, opts.overwrite) or {}
    state = {"identity": identity, "status": previous.get("status", "running"),
             "started": previous.get("started") or _now(), **{
                 k: previous[k] for k in ("counts", "outputs") if k in previous}}
    return Run(opts, folder, classifier, inputs, identity, state)


def score(opts: ScoreOptions, engine: Engine | None = None) -> ScoreSummary:
    """Score every sentence of `opts.inputs` into `opts.out`; resume an interrupted run.

    Re-running a completed command changes nothing and returns its summary. Torch's thread
    count is set for the run and restored afterwards. A run that scores no document raises
    FramingError once its files are written (`require_documents`), on a re-run too. `engine`
    replaces step 2 (default: this process, `score_documents`; `framing.scoring.engine_ray`
    spreads it over a Ray cluster).
    """
    from framing.inference.threads import torch_threads

    with torch_threads(opts.threads):
        run = open_run(opts)
        summary = _already_complete(run)
        if summary is None:
            run.folder.write_state(run.state)
            stats, resumed = (engine or score_documents)(run)
            summary = finish_run(run, stats, resumed)
    require_documents(summary)
    return summary


def _already_complete(run: Run) -> ScoreSummary | None:
    if run.state["status"] != "complete":
        return None
    outputs = [run.folder.path / name for name in run.state.get("outputs", [])]
    if not all(p.exists() for p in outputs):
        run.state["status"] = "running"
        return None
    counts = run.state["counts"]
    return ScoreSummary(run.opts.out, counts["documents"], counts["sentences"],
                        counts["documents"], 0.0, counts, outputs, True)


def documents(run: Run, stats: IngestStats, rejects_fh: TextIO) -> Iterator[Document]:
    """The run's documents in input order; rejects written to `rejects_fh` (or raised with
    --strict). Both engines read through it."""
    opts = run.opts
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


def score_documents(run: Run) -> tuple[IngestStats, int]:
    """Step 2: score every document not in the manifest yet; returns (stats, resumed docs)."""
    from tqdm import tqdm

    parts = run.folder.parts
    parts.mkdir(exist_ok=True)
    manifest = read_manifest(parts)
    done = {doc_id for entry in manifest for doc_id in entry["doc_ids"]}
    part_no = max((int(e["part"]) for e in manifest), default=0)
    stats, chunk, scored, t0 = IngestStats(), Chunk(), 0, time.time()
    rejects_tmp = parts / "rejects.partial.jsonl"
    bar = tqdm(total=input_bytes(run.opts.inputs, run.opts.input_format), unit="B", unit_scale=True,
               disable=not run.opts.progress, mininterval=0.5, file=sys.stderr,
               dynamic_ncols=True, desc="scoring")
    with open(rejects_tmp, "w", encoding="utf-8") as rejects_fh, bar:
        for doc in documents(run, stats, rejects_fh):
            bar.update(stats.bytes_read - bar.n)
            if doc.doc_id in done:
                continue
            chunk.add(doc)
            if len(chunk.rows) >= run.opts.chunk_sentences:
                part_no += 1
                scored += _flush(chunk, run, part_no)
                chunk = Chunk()
                bar.set_postfix_str(f"{stats.documents:,} docs, "
                                    f"{scored / max(time.time() - t0, 1e-9):,.0f} sent/s")
        if chunk.docs:
            part_no += 1
            scored += _flush(chunk, run, part_no)
        bar.update(stats.bytes_read - bar.n)
        rejects_fh.flush()
        os.fsync(rejects_fh.fileno())
    os.replace(rejects_tmp, run.folder.path / "rejects.jsonl")
    return stats, len(done)


def _flush(chunk: Chunk, run: Run, part_no: int) -> int:
    columns = score_chunk(chunk, run.classifier, run.opts.batch_size)
    write_part(run.folder.parts, part_no, columns, [d.doc_id for d in chunk.docs],
               run.classifier.taxonomy, (chunk.cut_sentences, chunk.cut_segments))
    return len(chunk.rows)


def finish_run(run: Run, stats: IngestStats, resumed: int) -> ScoreSummary:
    """Step 3: merge the parts, write provenance and the run's final state."""
    opts, out = run.opts, run.folder.path
    manifest = read_manifest(run.folder.parts)
    n_docs = sum(len(e["doc_ids"]) for e in manifest)
    n_sentences = sum(int(e["sentences"]) for e in manifest)
    counts = {
        **stats.as_dict(),
        "documents": n_docs,
        "sentences": n_sentences,
        "sentences_cut_at_length_cap": sum(int(e.get("cut_sentences", 0)) for e in manifest),
        "segments_of_cut_sentences": sum(int(e.get("cut_segments", 0)) for e in manifest),
        "rejects_file_lines": sum(stats.rejects.values()) + stats.duplicate_identical,
    }
    taxonomy = run.classifier.taxonomy
    prov = provenance(
        taxonomy,
        model={"path": str(opts.model.resolve()), "fingerprint": run.identity["model_fingerprint"],
               "runtime": run.identity["fast"] or "torch fp32",
               "device": run.engine.get("device", str(run.classifier.model.device))},
        engine=run.engine,
        inputs=run.inputs, arguments=opts.model_dump(mode="json"),
        segmenter=SEGMENTER_VERSION, voice_rule=VOICE_RULE_VERSION, started=run.state["started"],
        finished=_now(),
        counts=counts,
    )
    outputs = merge_parts(out, manifest, taxonomy, opts.format, prov)
    from framing.scoring.folder import write_json_atomic

    write_json_atomic(out / "provenance.json", prov)
    run.state.update(status="complete", counts=counts,
                     outputs=[p.name for p in outputs] + ["provenance.json"])
    run.folder.write_state(run.state)
    return ScoreSummary(out, n_docs, n_sentences, resumed,
                        time.time() - run.started, counts, [*outputs, out / "provenance.json"])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
