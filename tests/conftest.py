"""Shared fixtures: the real taxonomy and a tiny offline model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# torch's OpenMP threads spin-wait by default; on shared 2-core machines that can make runs
# 10-20x slower under contention. Tests run single-threaded and passive.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from framing.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy  # noqa: E402

from .tiny import build_tiny_base, build_tiny_model_folder  # noqa: E402

torch.set_num_threads(1)

REPO = Path(__file__).resolve().parent.parent
FAKES = REPO.parent / "shared" / "corpora" / "fa-kes"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy(DEFAULT_TAXONOMY)


@pytest.fixture(scope="session")
def tiny_base_dir(tmp_path_factory: pytest.TempPathFactory, taxonomy: Taxonomy) -> Path:
    """A tiny randomly initialised BERT to fine-tune (a stand-in for the base model)."""
    return build_tiny_base(tmp_path_factory.mktemp("tiny-base"), taxonomy)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, taxonomy: Taxonomy) -> Path:
    """A complete (untrained) model folder that `Classifier.from_folder` loads."""
    return build_tiny_model_folder(
        tmp_path_factory.mktemp("tiny-model"), DEFAULT_TAXONOMY, taxonomy
    )


@pytest.fixture(scope="session")
def ray_runtime():  # type: ignore[no-untyped-def]
    """One local Ray runtime (2 CPUs) for the whole test session; `--engine ray` joins it.

    Ray is a test dependency (scripts/setup.sh --dev installs the `ray` extra): in CI a
    missing Ray fails the Ray tests instead of skipping them.
    """
    import logging

    try:
        import ray
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("ray is not installed (pip install 'framing[ray]')")
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level=logging.ERROR)
    yield ray
    ray.shutdown()
