"""A scoped torch thread count: set for one call, restored after it (no process-wide change)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[int]:
    """Run the block with `n` intra-op threads (default: every core), then restore the count."""
    before = torch.get_num_threads()
    wanted = n or os.cpu_count() or 1
    torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        torch.set_num_threads(before)
