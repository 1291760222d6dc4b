"""Kill -9 a real `framing score` mid-run, restart it, and lose or duplicate nothing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from framing.scoring.outputs import read_manifest

SUBJECTS = ["Rebels", "Militants", "Gunmen", "The army", "Insurgents", "Fighters", "Officials",
            "Resistance fighters", "The government", "Terrorists", "Armed groups", "Police"]
VERBS = ["attacked", "shelled", "seized", "left", "held", "entered", "bombed", "defended"]
PLACES = ["the town", "a checkpoint", "the border", "the city", "a village near Idlib",
          "the airport", "the north", "a camp"]


def _generate(path: Path, n_docs: int, seed: int = 0) -> None:
    """Invented articles: ~12 short sentences each, some with titles and urls."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n_docs):
            sentences = [
                f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(PLACES)} on day {j}."
                for j in range(rng.randint(8, 16))
            ]
            record = {"id": f"doc{i}", "text": " ".join(sentences), "date": "2020-01-02"}
            if i % 3:
                record["outlet"] = f"Outlet {i % 5}"
            else:
                record["url"] = f"https://www.site{i % 4}.example/a/{i}"
            if i % 2:
                record["title"] = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(PLACES)}"
            fh.write(json.dumps(record) + "\n")


def _command(src: Path, model: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "from framing.cli import app; app()", "score", str(src),
            "--model", str(model), "--out", str(out), "--threads", "1", "--no-progress",
            "--chunk-sentences", "400", "--batch-size", "32"]


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "HF_HUB_OFFLINE": "1"}


def _manifest_lines(out: Path) -> int:
    path = out / "parts" / "manifest.jsonl"
    return path.read_text().count("\n") if path.is_file() else 0


def test_kill_9_and_resume_loses_and_duplicates_nothing(tmp_path: Path,
                                                        tiny_model_dir: Path) -> None:
    src = tmp_path / "big.jsonl"
    _generate(src, n_docs=500)
    ref, killed = tmp_path / "ref", tmp_path / "killed"
    done = subprocess.run(_command(src, tiny_model_dir, ref), env=_env(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    proc = subprocess.Popen(_command(src, tiny_model_dir, killed), env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while _manifest_lines(killed) < 3 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed: enlarge the input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (killed / "sentences.parquet").exists()
    parts_at_kill = _manifest_lines(killed)
    total_parts = _manifest_lines(ref)
    assert 3 <= parts_at_kill < total_parts

    resumed = subprocess.run(_command(src, tiny_model_dir, killed), env=_env(),
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "from an earlier interrupted run" in resumed.stdout

    want = pd.read_parquet(ref / "sentences.parquet")
    got = pd.read_parquet(killed / "sentences.parquet")
    key = ["doc_id", "sentence_idx"]
    assert not got.duplicated(key).any()
    assert len(got) == len(want) and want.doc_id.nunique() == 500
    got = got.sort_values(key).reset_index(drop=True)
    want = want.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.drop(columns=[c for c in got if c.startswith("p_")]),
                                  want.drop(columns=[c for c in want if c.startswith("p_")]))
    probs = [c for c in want if c.startswith("p_")]
    assert np.allclose(got[probs].to_numpy(), want[probs].to_numpy(), atol=1e-5)
    docs = pd.read_parquet(killed / "documents.parquet")
    assert docs.doc_id.is_unique and len(docs) == 500
    counts = json.loads((killed / "provenance.json").read_text())["counts"]
    assert counts["documents"] == 500 and counts["sentences"] == len(want)


def test_torn_manifest_line_and_orphan_part_are_discarded(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    for n in (1, 2, 3):
        for kind in ("sentences", "documents"):
            (parts / f"part-{n:06d}.{kind}.parquet").write_bytes(b"x")
    (parts / "part-000004.sentences.parquet.tmp").write_bytes(b"x")
    good = [json.dumps({"part": n, "doc_ids": [f"d{n}"], "sentences": 1}) + "\n" for n in (1, 2)]
    (parts / "manifest.jsonl").write_text("".join(good) + '{"part": 3, "doc_i')
    entries = read_manifest(parts)
    assert [e["part"] for e in entries] == [1, 2]
    assert (parts / "manifest.jsonl").read_text() == "".join(good)
    assert sorted(p.name for p in parts.glob("part-*")) == [
        f"part-{n:06d}.{kind}.parquet" for n in (1, 2) for kind in ("documents", "sentences")
    ]
