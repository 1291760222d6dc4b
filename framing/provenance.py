"""Provenance stamps: which code, packages, data and seed produced a result."""

from __future__ import annotations

import hashlib
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from framing import __version__
from framing.taxonomy import Taxonomy

PACKAGES = (
    "torch", "transformers", "tokenizers", "safetensors", "scikit-learn", "numpy", "scipy",
    "pandas", "pyarrow", "sentencex", "onnxruntime", "onnx", "publicsuffixlist",
)


def git_commit() -> str | None:
    """The repository's HEAD commit, '-dirty' if tracked files changed; None if unknown."""
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if dirty else "")


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version(), "framing": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def provenance(taxonomy: Taxonomy | None = None, **extra: Any) -> dict[str, Any]:
    """A JSON-ready stamp: time, git commit, package versions, taxonomy, plus `extra` fields."""
    stamp: dict[str, Any] = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git_commit": git_commit(),
        "packages": package_versions(),
    }
    if taxonomy is not None:
        stamp["taxonomy"] = {
            "name": taxonomy.name,
            "version": taxonomy.version,
            "fingerprint": taxonomy.fingerprint(),
        }
    stamp.update(extra)
    return stamp


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
