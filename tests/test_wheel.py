"""The built wheel works outside the checkout: package data, console script, score + compare.

Offline and quick: the wheel is built without build isolation from a copy of the checkout, and
installed with --no-deps into a fresh venv whose .pth file points at this interpreter's
site-packages for torch and the other dependencies. framing itself comes only from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv*", "runs", "models", "__pycache__", "*.egg-info",
                              "build", "dist", ".*_cache", "out")
DATA = ["framing/resources/taxonomy.yaml", "framing/resources/actors.yaml",
        "framing/resources/examples/articles.jsonl", "framing/py.typed"]


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = Path(shutil.copytree(REPO, tmp / "src", ignore=SKIP, symlinks=True))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
          "-w", str(tmp / "dist"), str(src)], tmp, dict(os.environ))
    (built,) = (tmp / "dist").glob("framing-*.whl")
    return built


def test_wheel_ships_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(DATA) <= names, sorted(set(DATA) - names)
    assert not any(n.startswith(("tests/", "labels/", "scripts/")) for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Provides-Extra: ray" in meta and "Provides-Extra: fast" in meta
    assert "Requires-Dist: scipy" in meta and "Requires-Dist: datasets" not in meta
    assert "onnxruntime" in meta.split("Provides-Extra: fast")[1]  # only in the extra


def test_installed_wheel_scores_and_compares_outside_the_checkout(
    wheel: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, dict(os.environ))
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; "
                         "print(sysconfig.get_paths()['purelib'])"], tmp_path,
                        dict(os.environ)).strip())
    deps = [p for p in sys.path if p.endswith("site-packages")] or [
        sysconfig.get_paths()["purelib"]]  # this interpreter's, where torch & co live
    (purelib / "_deps.pth").write_text("".join(p + "\n" for p in deps))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-build-isolation", "-q", str(wheel)], tmp_path, env)
    where = _run([str(python), "-c", "import framing; print(framing.__file__)"], tmp_path, env)
    assert where.startswith(str(venv)), f"framing imported from {where}, not the wheel"
    framing = str(venv / "bin" / "framing")
    examples = purelib / "framing" / "resources" / "examples" / "articles.jsonl"
    out = tmp_path / "run"
    scored = _run([framing, "score", str(examples), "--model", str(tiny_model_dir), "--out",
                   str(out), "--no-progress", "--threads", "1"], tmp_path, env)
    assert "scored 30 documents" in scored
    compared = _run([framing, "compare", str(out), "--n-boot", "100", "--min-framed", "5"],
                    tmp_path, env)
    assert (out / "compare" / "outlets.csv").is_file() and "wrote" in compared
    assert _run([framing, "--version"], tmp_path, env).startswith("framing ")
