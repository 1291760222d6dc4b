"""`scripts/bench_score.py --engine ray`: the local engine against Ray with 1 and 2 actors.

Runs `framing score` (the library call behind the command) on the unsealed FA-KES articles
(SEALED.txt skipped), in one process and one Ray runtime, three ways:
- local: this process, `--threads` threads;
- ray x1: one actor with `--threads` threads;
- ray x2: two actors with `--threads / 2` threads each (on 2 cores: 1 each).
Every engine scores chunks of `CHUNK` sentences (a Ray actor's unit of work). Each is run
twice, on the first `--small` articles and on all of them (fresh output folders): the small
run measures the fixed cost (model loading, Ray actors starting), and the marginal rate (extra
sentences / extra seconds) is the throughput a long run approaches. Prints both, the ratio of
each Ray rate to the local one, the fixed cost (the small run's time less its sentences at the
marginal rate) and whether every label agrees with the local run.

Example:
  python scripts/bench_score.py --engine ray --model /tmp/default --limit 200
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

import pandas as pd


def unsealed_lines(corpus: Path, limit: int | None) -> list[str]:
    """The first `limit` lines of a JSONL corpus whose id is not in SEALED.txt beside it
    (sealed articles are reserved for independent evaluation, never read for anything else)."""
    sealed_file = corpus.parent / "SEALED.txt"
    sealed = set(sealed_file.read_text(encoding="utf-8").split()) if sealed_file.is_file() \
        else set()
    kept: list[str] = []
    with open(corpus, encoding="utf-8") as src:
        for line in src:
            if limit is not None and len(kept) >= limit:
                break
            if json.loads(line)["id"] not in sealed:
                kept.append(line)
    return kept


def unsealed(corpus: Path, limit: int | None, out: Path) -> Path:
    out.write_text("".join(unsealed_lines(corpus, limit)), encoding="utf-8")
    return out


CHUNK = 512  # sentences per chunk, for every engine: a Ray actor's unit of work


def _run(src: Path, model: Path, out: Path, engine: str, actors: int, threads: int
         ) -> tuple[float, pd.DataFrame]:
    from framing.scoring.engine_ray import RaySettings, score_with_ray
    from framing.scoring.options import ScoreOptions
    from framing.scoring.score import score

    opts = ScoreOptions(inputs=[src], model=model, out=out, progress=False, device="cpu",
                        threads=threads if engine == "local" else None, chunk_sentences=CHUNK)
    t0 = time.perf_counter()
    if engine == "local":
        score(opts)
    else:
        score_with_ray(opts, RaySettings(actors=actors, threads=threads))
    return time.perf_counter() - t0, pd.read_parquet(out / "sentences.parquet")


def bench_engines(model: Path, corpus: Path, limit: int | None, small: int, threads: int) -> None:
    import ray
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tmp = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    full = unsealed(corpus, limit, tmp / "full.jsonl")
    little = unsealed(corpus, small, tmp / "small.jsonl")
    ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False,
             logging_level=logging.ERROR)
    configs = [("local", 1, threads), ("ray", 1, threads), ("ray", 2, max(1, threads // 2))]
    print(f"model {model}; {threads} cores; {limit or 'all'} unsealed FA-KES articles "
          f"(fixed cost from the first {small})")
    print(f"{'engine':8s} {'actors x threads':>16s} {'sentences':>9s} {'seconds':>8s} "
          f"{'end-to-end':>12s} {'marginal':>12s} {'vs local':>8s} {'fixed s':>8s}  "
          "labels = local")
    base_rate, base_frames = None, None
    for i, (engine, actors, per_actor) in enumerate(configs):
        t_small, s_small = _run(little, model, tmp / f"s{i}", engine, actors, per_actor)
        t_full, s_full = _run(full, model, tmp / f"f{i}", engine, actors, per_actor)
        n, rate = len(s_full), (len(s_full) - len(s_small)) / max(t_full - t_small, 1e-9)
        if base_rate is None:
            base_rate, base_frames = rate, s_full["frame"]
        same = (s_full["frame"] == base_frames).mean()
        fixed = t_small - len(s_small) / rate  # the small run's time less its scoring time
        print(f"{engine:8s} {f'{actors} x {per_actor}':>16s} {n:9d} {t_full:8.1f} "
              f"{n / t_full:8.1f} s/s {rate:8.1f} s/s {rate / base_rate:7.2f}x {fixed:8.1f}  "
              f"{same:.2%}")
    ray.shutdown()
