"""Benchmark `framing score` against the code a user would otherwise write.

Scores the unsealed FA-KES articles (titles + sentences from our splitter; SEALED.txt skipped)
three ways in one run:
- ours: `Classifier.predict_proba` over all sentences in chunks of 4096 (batched across
  documents, sorted by token length, inference_mode);
- fast: the `--fast` path (`framing.inference.fast`): ONNX Runtime, int8 encoder matmuls with
  outlier channels kept fp32; the ~10 s it takes to prepare is printed apart, once per run;
- baseline: `transformers.pipeline("text-classification", model=DIR)` called once per
  document on its sentences with default settings.
Prints sentences/s, the ratio to the baseline, label agreement, the fraction of the machine's
measured fp32 matmul peak each reaches, and peak RSS of `framing score` on the input once and
four times over (each in its own subprocess, so peaks are separate).

FLOPs per sentence = tokens x (2 x non-embedding parameters) + attention
(4 x layers x tokens^2 x hidden: QK^T and attention x V). Peak FLOP/s is *measured*: the best of
5 fp32 2048x2048 matmuls with the same thread count (an achievable peak, below the datasheet).

With `--engine ray`, compares the local engine with Ray Data on 1 and 2 actors instead
(`scripts/bench_engines.py`: sentences/s and the ratio to the local engine).

Example:
  python scripts/bench_score.py --model models/default
  python scripts/bench_score.py --model /tmp/tiny --limit 50
  python scripts/bench_score.py --engine ray --model /tmp/default --limit 200
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from bench_engines import unsealed_lines  # noqa: E402  (scripts/ is on sys.path)

from framing.scoring.score import load_classifier  # noqa: E402
from framing.text.segment import article_sentences  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "fa-kes" / "fa-kes.jsonl"


def load_docs(path: Path, limit: int | None) -> list[list[str]]:
    """Per unsealed document: title (if any) then the text's sentences, as `framing score`
    sees them."""
    docs = []
    for line in unsealed_lines(path, limit):
        rec = json.loads(line)
        docs.append([s.text for _, s in article_sentences(rec.get("title"), rec["text"])])
    return docs


def flops(classifier, sentences: list[str]) -> float:
    cfg = classifier.model.config
    params = sum(p.numel() for n, p in classifier.model.named_parameters()
                 if "embeddings" not in n)
    lengths = [len(ids) for ids in classifier.tokenizer(sentences)["input_ids"]]
    layers, hidden = cfg.num_hidden_layers, cfg.hidden_size
    return float(sum(n * 2 * params + 4 * layers * n * n * hidden for n in lengths))


def measured_peak(threads: int) -> float:
    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    torch.mm(a, b)
    best = min(_timed(lambda: torch.mm(a, b)) for _ in range(5))
    return 2 * 2048**3 / best


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_ours(model: Path, fast: bool, sentences: list[str], batch_size: int):
    t0 = time.perf_counter()
    classifier = load_classifier(model, fast)
    if fast:
        print(f"fast model prepared in {time.perf_counter() - t0:.1f} s (once per run)")
    classifier.predict_proba(sentences[:64], batch_size)  # warm-up
    t0 = time.perf_counter()
    labels: list[str] = []
    for start in range(0, len(sentences), 4096):
        probs = classifier.predict_proba(sentences[start : start + 4096], batch_size)
        labels += [classifier.labels[i] for i in probs.argmax(axis=1)]
    return labels, time.perf_counter() - t0, classifier


def run_baseline(model: Path, docs: list[list[str]]):
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(model))
    pipe(docs[0][:2])  # warm-up
    labels: list[str] = []
    fallbacks = 0
    elapsed = 0.0
    for sents in docs:
        t0 = time.perf_counter()
        try:
            out = pipe(sents)
        except (RuntimeError, IndexError, ValueError):  # a sentence over the position limit:
            fallbacks += 1  # the failed call's time is not counted against the baseline
            t0 = time.perf_counter()
            out = pipe(sents, truncation=True)
        elapsed += time.perf_counter() - t0
        labels += [o["label"] for o in out]
    return labels, elapsed, fallbacks


def peak_rss(model: Path, corpus: Path, copies: int, limit: int | None, threads: int) -> float:
    """Peak RSS (MB) of `framing score` in a fresh subprocess on `copies` x the input."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        lines = unsealed_lines(corpus, limit)
        with open(src, "w", encoding="utf-8") as out:
            for copy in range(copies):
                for line in lines:
                    rec = json.loads(line)
                    rec["id"] = f"{rec['id']}#copy{copy}"
                    out.write(json.dumps(rec) + "\n")
        del lines
        code = (
            "import resource, sys\nfrom framing.cli import app\n"
            "try:\n    app()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        cmd = [sys.executable, "-c", code, "score", str(src), "--model", str(model),
               "--out", str(Path(tmp) / "out"), "--no-progress", "--threads", str(threads)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        kb = int(done.stdout.split("MAXRSS")[-1].split()[0])
        return kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "models" / "default")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--engine", choices=["local", "ray"], default="local",
                        help="ray: local engine vs Ray with 1 and 2 actors (needs framing[ray])")
    parser.add_argument("--small", type=int, default=20,
                        help="with --engine ray: articles of the run that measures fixed costs")
    args = parser.parse_args()
    if args.engine == "ray":
        from bench_engines import bench_engines

        bench_engines(args.model, args.corpus, args.limit, args.small, args.threads)
        return
    torch.set_num_threads(args.threads)

    docs = load_docs(args.corpus, args.limit)
    sentences = [s for d in docs for s in d]
    print(f"model {args.model}; {len(docs)} articles, {len(sentences)} sentences; "
          f"{args.threads} threads; torch {torch.__version__}")
    peak = measured_peak(args.threads)
    print(f"measured fp32 peak (best of 5 sgemm 2048^3): {peak / 1e9:.1f} GFLOP/s")

    ours, t_ours, clf = run_ours(args.model, False, sentences, args.batch_size)
    work = flops(clf, sentences)
    fast, t_fast, _ = run_ours(args.model, True, sentences, args.batch_size)
    base, t_base, fallbacks = run_baseline(args.model, docs)
    n = len(sentences)

    def line(name: str, secs: float, labels: list[str]) -> str:
        agree = np.mean(np.array(labels) == np.array(base))
        return (f"{name:9s} {n / secs:9.1f} sent/s  x{t_base / secs:5.2f} vs baseline  "
                f"agreement with baseline {agree:.2%}  {work / secs / 1e9:7.2f} GFLOP/s "
                f"= {work / secs / peak:.1%} of peak")

    print(line("baseline", t_base, base) + f"  ({fallbacks} documents needed truncation=True)")
    print(line("ours", t_ours, ours))
    print(line("fast", t_fast, fast) +
          f"  (fast vs ours fp32: {np.mean(np.array(fast) == np.array(ours)):.2%})")
    print(f"encoder work: {work / n / 1e6:.1f} MFLOP per sentence on average")
    if not args.skip_memory:
        once = peak_rss(args.model, args.corpus, 1, args.limit, args.threads)
        four = peak_rss(args.model, args.corpus, 4, args.limit, args.threads)
        print(f"peak RSS of `framing score`: input x1 {once:.0f} MB, input x4 {four:.0f} MB "
              f"({four / once - 1:+.1%})")


if __name__ == "__main__":
    main()
