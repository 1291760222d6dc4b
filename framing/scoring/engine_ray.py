"""`framing score --engine ray`: step 2 of `framing score` on a Ray cluster (Ray Data).

The run is the local engine's run (`score.score`: same output folder, identity, resume, merge
and provenance); only step 2 differs:
1. The driver reads the inputs with the same readers, sets bad records aside in the same
   rejects file, and cuts the documents into the same chunks of ~`chunk_sentences` sentences
   (skipping documents a previous run already wrote). Each chunk goes into Ray's object store
   as an Arrow table (spilled to disk when larger than memory).
2. `map_batches` runs the chunks through a pool of `ray_actor.FrameActor`s, each holding the
   model once (fp32, or int8 with `--fast`); a chunk is scored in one call, as locally.
3. The driver receives the scored rows and writes each chunk as the local engine does: an
   atomic part file, then a manifest line. The merge into the final tables is the local one.

Worker death: Ray restarts a dead actor and retries its batch (Ray Data's actor pools retry
without limit), so a killed worker costs time, not rows. Parts are written only by the driver,
atomically, and a chunk is listed in the manifest once, after its part is in place: a killed
driver leaves whole parts, and rerunning the same command scores only the documents not listed
(with either engine), so no row is duplicated.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError

from framing.errors import FramingError, Strict, explain_validation
from framing.inference.device import Device
from framing.scoring.chunks import Chunk, key_columns
from framing.scoring.options import ScoreOptions
from framing.scoring.outputs import read_manifest, sentence_schema, write_part
from framing.scoring.ray_actor import DEVICE_COLUMN, INPUT_SCHEMA, FrameActor, model_files
from framing.scoring.ray_runtime import import_ray, quiet, ray_runtime
from framing.scoring.readers import IngestStats
from framing.scoring.score import Run, documents, score
from framing.scoring.summary import ScoreSummary

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)


class RaySettings(Strict):
    """Where and how wide: `address` of a running cluster (None: start a local runtime with
    this machine's cores), `actors` (default: the cluster's CPUs / `threads`), `threads` per
    actor, `actor_class` (tests substitute a subclass of `FrameActor`)."""

    address: str | None = None
    actors: int | None = Field(default=None, ge=1, le=100_000)
    threads: int = Field(default=1, ge=1, le=1024)
    actor_class: Any = FrameActor


def make_ray_settings(**values: object) -> RaySettings:
    try:
        return RaySettings.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise FramingError(f"invalid --engine ray options:\n{explain_validation(exc)}") from exc


def score_with_ray(opts: ScoreOptions, settings: RaySettings) -> ScoreSummary:
    """`score.score` with step 2 on Ray. The driver loads the model on the CPU only to stamp
    the run (and build the `--fast` cache the actors then load); actors use `opts.device`."""
    import_ray()  # importing Ray Data sets up its loggers, which quiet() then turns down
    with quiet("ray"), quiet("ray.data"), ray_runtime(settings.address):
        engine = RayEngine(settings, opts.device)
        return score(opts.model_copy(update={"device": Device.cpu}), engine=engine)


@dataclass
class _Part:
    doc_ids: list[str]
    rows: int
    tables: list[pa.Table] = field(default_factory=list)
    received: int = 0


@dataclass
class RayEngine:
    """The `score.Engine` for Ray: chunks out to the actors, scored parts back in order."""

    settings: RaySettings
    device: Device
    actors: int = 0  # set per run: the settings' count, or fewer when there are fewer chunks

    def __call__(self, run: Run) -> tuple[IngestStats, int]:
        parts_dir = run.folder.parts
        parts_dir.mkdir(exist_ok=True)
        done = {d for entry in read_manifest(parts_dir) for d in entry["doc_ids"]}
        stats = IngestStats()
        rejects_tmp = parts_dir / "rejects.partial.jsonl"
        with open(rejects_tmp, "w", encoding="utf-8") as rejects_fh:
            refs, parts = self._plan(run, stats, rejects_fh, done)
            rejects_fh.flush()
            os.fsync(rejects_fh.fileno())
        self.actors = max(1, min(self._cluster_actors(), len(refs)))
        devices = self._score(run, refs, parts) if refs else set()
        for no in sorted(parts):  # only chunks without sentences are left when nothing was sent
            self._write(run, no, parts.pop(no))
        os.replace(rejects_tmp, run.folder.path / "rejects.jsonl")
        run.engine = {"name": "ray", **self._describe()}
        if devices:
            run.engine["device"] = ",".join(sorted(devices))
        return stats, len(done)

    def _plan(self, run: Run, stats: IngestStats, rejects_fh: Any,
              done: set[str]) -> tuple[list[Any], dict[int, _Part]]:
        """Read, split and chunk as the local engine does; chunks go to the object store."""
        import pyarrow as pa

        ray = import_ray()
        part_no = max((int(e["part"]) for e in read_manifest(run.folder.parts)), default=0)
        refs: list[Any] = []
        parts: dict[int, _Part] = {}
        chunk = Chunk()

        def flush(chunk: Chunk) -> None:
            nonlocal part_no
            part_no += 1
            columns = key_columns(chunk)
            n = len(chunk.rows)
            parts[part_no] = _Part([d.doc_id for d in chunk.docs], n)
            if n:
                table = pa.table({"part": [part_no] * n, "row": list(range(n)), **columns},
                                 schema=INPUT_SCHEMA)
                refs.append(ray.put(table))

        for doc in documents(run, stats, rejects_fh):
            if doc.doc_id in done:
                continue
            chunk.add(doc)
            if len(chunk.rows) >= run.opts.chunk_sentences:
                flush(chunk)
                chunk = Chunk()
        if chunk.docs:
            flush(chunk)
        return refs, parts

    def _cluster_actors(self) -> int:
        if self.settings.actors:
            return self.settings.actors
        cpus = int(import_ray().cluster_resources().get("CPU", 1))
        return max(1, cpus // self.settings.threads)

    def _describe(self) -> dict[str, Any]:
        return {"address": self.settings.address or "local", "actors": self.actors,
                "threads_per_actor": self.settings.threads, "device_requested": self.device.value}

    def _score(self, run: Run, refs: list[Any], parts: dict[int, _Part]) -> set[str]:
        """Run the chunks through the actor pool; write each part once all its rows are back,
        in part order (chunks may finish out of order: later ones wait in memory; a chunk
        without sentences is written when its turn comes)."""
        import ray.data
        from tqdm import tqdm

        opts = run.opts
        shipped = [ray.put(model_files(opts.model))]
        gpu = self.device == Device.cuda
        ctx = ray.data.DataContext.get_current()
        saved = ctx.enable_progress_bars
        ctx.enable_progress_bars = False  # ours counts sentences
        devices: set[str] = set()
        total = sum(p.rows for p in parts.values())
        log.info("--engine ray: %d sentences in %d chunks to %d actors x %d threads (%s)", total,
                 len(refs), self.actors, self.settings.threads, self.settings.address or
                 "local runtime")
        bar = tqdm(total=total, unit=" sent", disable=not opts.progress, file=sys.stderr,
                   mininterval=0.5, dynamic_ncols=True, desc=f"scoring on {self.actors} actors")
        try:
            ds = ray.data.from_arrow_refs(refs).map_batches(
                self.settings.actor_class, batch_size=opts.chunk_sentences if gpu else None,
                batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=self.actors),
                num_cpus=self.settings.threads, num_gpus=1 if gpu else 0,
                fn_constructor_kwargs={
                    "shipped": shipped, "fingerprint": run.identity["model_fingerprint"],
                    "fast": opts.fast, "device": self.device.value,
                    "threads": self.settings.threads, "batch_size": opts.batch_size})
            order = sorted(parts)
            for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
                assert not isinstance(batch, dict)  # pyarrow format: a pyarrow.Table
                devices.update(batch.column(DEVICE_COLUMN).unique().to_pylist())
                self._receive(batch, parts)
                bar.update(batch.num_rows)
                while order and parts[order[0]].received == parts[order[0]].rows:
                    self._write(run, order[0], parts.pop(order.pop(0)))
        finally:
            bar.close()
            ctx.enable_progress_bars = saved
        if parts:
            missing = sum(p.rows - p.received for p in parts.values())
            raise RuntimeError(f"Ray returned {missing} sentences fewer than were sent")
        return devices

    @staticmethod
    def _receive(batch: pa.Table, parts: dict[int, _Part]) -> None:
        import pyarrow.compute as pc

        for no in pc.unique(batch.column("part")).to_pylist():
            rows = batch.filter(pc.equal(batch.column("part"), no))
            parts[no].tables.append(rows)
            parts[no].received += rows.num_rows

    @staticmethod
    def _write(run: Run, part_no: int, part: _Part) -> None:
        """One chunk's rows in their original order, written as the local engine writes it."""
        import pyarrow as pa

        taxonomy = run.classifier.taxonomy
        names = sentence_schema(taxonomy).names
        if part.tables:
            table = pa.concat_tables(part.tables).sort_by("row")
            columns = {name: table.column(name).to_pylist() for name in names}
        else:
            columns = {name: [] for name in names}
        write_part(run.folder.parts, part_no, columns, part.doc_ids, taxonomy)
