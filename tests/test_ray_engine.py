"""`framing score --engine ray` gives the local engine's outputs, and survives dead workers.

Every run joins the session's local Ray runtime (`ray_runtime`, 2 CPUs). A run costs ~10 s,
most of it the actors importing torch and loading the model.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from framing import resources
from framing.cli import app
from framing.errors import FramingError
from framing.scoring import engine_ray
from framing.scoring import ray_runtime as runtime
from framing.scoring.outputs import read_manifest
from framing.scoring.ray_actor import FrameActor, materialise, model_files

from .conftest import FAKES as BESIDE

# the corpus beside the checkout (as CI lays it out), else the shared folder of this machine
FAKES = next((p for p in (BESIDE, Path("/work/shared/corpora/fa-kes"))
              if (p / "fa-kes.jsonl").is_file()), BESIDE)

RUNNER = CliRunner()
TABLES = ("sentences", "documents", "outlets")
VOLATILE = {"created", "started", "finished", "engine"}  # times, and which engine ran


def _score(src: Path, model: Path, out: Path, *extra: str) -> None:
    result = RUNNER.invoke(app, ["score", str(src), "--model", str(model), "--out", str(out),
                                 "--no-progress", "--device", "cpu", "--chunk-sentences", "40",
                                 *extra])
    assert result.exit_code == 0, result.output


def _local(src: Path, model: Path, out: Path, *extra: str) -> Path:
    _score(src, model, out, "--threads", "1", *extra)
    return out


def _assert_same_run(local: Path, ray: Path) -> None:
    """Same rows, labels and probabilities, same rejects, same provenance but for times."""
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(ray / f"{name}.parquet"),
                                      pd.read_parquet(local / f"{name}.parquet"), check_exact=True)
    sentences = pd.read_parquet(ray / "sentences.parquet")
    assert not sentences.duplicated(["doc_id", "sentence_idx"]).any()
    assert (ray / "rejects.jsonl").read_bytes() == (local / "rejects.jsonl").read_bytes()
    p_local, p_ray = (json.loads((d / "provenance.json").read_text()) for d in (local, ray))
    for p in (p_local, p_ray):
        for key in ("threads", "out"):
            p["arguments"].pop(key)
    assert {k: v for k, v in p_ray.items() if k not in VOLATILE} == \
        {k: v for k, v in p_local.items() if k not in VOLATILE}
    assert p_ray["engine"]["name"] == "ray" and p_ray["engine"]["device"] == "cpu"
    assert p_local["engine"] == {"name": "local"}


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> tuple[Path, Path]:
    """The bundled examples plus a bad line, and their local-engine run."""
    tmp = tmp_path_factory.mktemp("ray-examples")
    src = tmp / "in.jsonl"
    src.write_text(resources.EXAMPLES.read_text(encoding="utf-8") + "{not json\n")
    return src, _local(src, tiny_model_dir, tmp / "local")


def test_ray_equals_local_on_the_bundled_examples(ray_runtime, examples: tuple[Path, Path],
                                                   tiny_model_dir: Path, tmp_path: Path) -> None:
    src, local = examples
    _score(src, tiny_model_dir, tmp_path / "ray", "--engine", "ray", "--actors", "2")
    _assert_same_run(local, tmp_path / "ray")
    prov = json.loads((tmp_path / "ray" / "provenance.json").read_text())
    assert prov["engine"] | {"device": "cpu"} == {
        "name": "ray", "address": "local", "actors": 2, "threads_per_actor": 1,
        "device_requested": "cpu", "device": "cpu"}
    assert prov["counts"]["rejects"] == 1


def _fakes_slice(path: Path, n: int) -> Path:
    """The first `n` FA-KES articles not listed in SEALED.txt."""
    sealed = set((FAKES / "SEALED.txt").read_text().split())
    with open(FAKES / "fa-kes.jsonl", encoding="utf-8") as fh, open(path, "w") as out:
        kept = 0
        for line in fh:
            if json.loads(line)["id"] not in sealed:
                out.write(line)
                kept += 1
                if kept == n:
                    break
    return path


@pytest.mark.skipif(not (FAKES / "fa-kes.jsonl").is_file(), reason="no ../shared FA-KES corpus")
def test_ray_equals_local_on_a_fakes_slice(ray_runtime, tiny_model_dir: Path,
                                           tmp_path: Path) -> None:
    src = _fakes_slice(tmp_path / "fakes.jsonl", 60)
    local = _local(src, tiny_model_dir, tmp_path / "local")
    _score(src, tiny_model_dir, tmp_path / "ray", "--engine", "ray", "--actors", "1")
    _assert_same_run(local, tmp_path / "ray")
    assert len(pd.read_parquet(local / "sentences.parquet")) > 500


def test_a_killed_actor_is_restarted_and_nothing_is_lost(
    ray_runtime, examples: tuple[Path, Path], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src, local = examples
    marker = tmp_path / "killed"

    class DyingActor(FrameActor):
        """Kills its own process (SIGKILL, no cleanup) on its third batch, once per test."""

        calls = 0

        def __call__(self, batch: pa.Table) -> pa.Table:
            self.calls += 1
            if self.calls == 3 and not marker.exists():
                marker.write_text(str(os.getpid()))
                os.kill(os.getpid(), signal.SIGKILL)
            return super().__call__(batch)

    real = engine_ray.make_ray_settings
    monkeypatch.setattr(engine_ray, "make_ray_settings",
                        lambda **kw: real(**kw).model_copy(update={"actor_class": DyingActor}))
    _score(src, tiny_model_dir, tmp_path / "ray", "--engine", "ray", "--actors", "1")
    assert marker.exists(), "the actor was never killed: the test proves nothing"
    _assert_same_run(local, tmp_path / "ray")


def test_a_killed_driver_resumes_without_duplicates(
    ray_runtime, examples: tuple[Path, Path], tiny_model_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src, local = examples
    real_write, written = engine_ray.write_part, []

    def crash_after_two(*args, **kw):  # type: ignore[no-untyped-def]
        if len(written) == 2:
            raise KeyboardInterrupt  # the driver dies between two parts
        real_write(*args, **kw)
        written.append(args[1])

    monkeypatch.setattr(engine_ray, "write_part", crash_after_two)
    args = ["score", str(src), "--model", str(tiny_model_dir), "--out", str(tmp_path / "ray"),
            "--no-progress", "--device", "cpu", "--chunk-sentences", "40", "--engine", "ray",
            "--actors", "1"]
    assert RUNNER.invoke(app, args).exit_code != 0
    assert written == [1, 2]
    monkeypatch.undo()
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "from an earlier interrupted run" in result.stdout
    _assert_same_run(local, tmp_path / "ray")


def test_fast_on_ray_equals_fast_locally(ray_runtime, examples: tuple[Path, Path],
                                         tiny_model_dir: Path, tmp_path: Path) -> None:
    src, _ = examples
    local = _local(src, tiny_model_dir, tmp_path / "local", "--fast")
    _score(src, tiny_model_dir, tmp_path / "ray", "--fast", "--engine", "ray", "--actors", "1")
    _assert_same_run(local, tmp_path / "ray")


def test_ray_options_without_the_ray_engine_are_refused(tmp_path: Path,
                                                        tiny_model_dir: Path) -> None:
    result = RUNNER.invoke(app, ["score", str(resources.EXAMPLES), "--model",
                                 str(tiny_model_dir), "--out", str(tmp_path / "o"),
                                 "--actors", "2"])
    assert result.exit_code == 2
    assert "--actors applies to --engine ray only" in result.stderr


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(FramingError, match=r"pip install 'framing\[ray\]'"):
        runtime.import_ray()


def test_node_copies_of_a_model_differ_when_any_file_differs(tmp_path: Path,
                                                             tiny_model_dir: Path) -> None:
    files = model_files(tiny_model_dir)
    same = materialise(files, fast=False)
    assert materialise(dict(files), fast=False) == same
    other = materialise(files | {"tokenizer.json": files["tokenizer.json"] + b" "}, fast=False)
    assert other != same and (other / "tokenizer.json").read_bytes().endswith(b" ")
    assert materialise(files, fast=True) != same


def test_an_address_where_nothing_listens_fails_fast(ray_runtime, tmp_path: Path,
                                                     tiny_model_dir: Path) -> None:
    with socket.socket() as probe:  # a free port on this machine: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = RUNNER.invoke(app, ["score", str(resources.EXAMPLES), "--model",
                                 str(tiny_model_dir), "--out", str(tmp_path / "o"),
                                 "--engine", "ray", "--address", f"127.0.0.1:{port}"])
    assert result.exit_code == 2
    assert f"--address 127.0.0.1:{port}: no Ray head answers there" in result.stderr
    assert "ray start --head" in result.stderr
    with pytest.raises(FramingError, match="expected HOST:PORT"):
        runtime.check_reachable("head-node")


def test_documents_without_sentences_keep_their_place(ray_runtime, tiny_model_dir: Path,
                                                      tmp_path: Path) -> None:
    """A text of punctuation alone ('...') is a document with no sentence. A chunk of only such
    documents (here the last one) needs no model, and is listed in the manifest in its place,
    as the local engine lists it."""
    lines = resources.EXAMPLES.read_text(encoding="utf-8").splitlines()[:3]
    empty = json.dumps({"id": "dots", "outlet": "X", "text": "..."})
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([lines[0], empty, *lines[1:], empty.replace("dots", "dash")
                              .replace("...", "-")]) + "\n")
    local = _local(src, tiny_model_dir, tmp_path / "local", "--chunk-sentences", "1")
    _score(src, tiny_model_dir, tmp_path / "ray", "--engine", "ray", "--actors", "2",
           "--chunk-sentences", "1")
    _assert_same_run(local, tmp_path / "ray")
    manifests = [read_manifest(d / "parts") for d in (local, tmp_path / "ray")]
    assert manifests[0] == manifests[1]
    assert manifests[1][-1]["doc_ids"] == ["dash"] and manifests[1][-1]["sentences"] == 0
    only = tmp_path / "only.jsonl"
    only.write_text(empty + "\n")
    _score(only, tiny_model_dir, tmp_path / "ray-only", "--engine", "ray")
    assert read_manifest(tmp_path / "ray-only" / "parts")[0]["doc_ids"] == ["dots"]
    assert pd.read_parquet(tmp_path / "ray-only" / "sentences.parquet").empty
