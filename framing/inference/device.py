"""Which device runs the model: `--device auto|cpu|cuda|mps` for train, evaluate and score.

`auto` takes CUDA when torch sees a GPU, else the CPU (Apple's MPS is used only when asked for:
some operations still fall back to the CPU there). On CUDA, training and scoring run in mixed
precision (`autocast`); elsewhere in fp32.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from enum import StrEnum

import torch

from framing.errors import FramingError


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(spec: Device | str = Device.auto) -> torch.device:
    """The torch device for `spec`; a device that is not there is a FramingError with the fix."""
    spec = Device(spec)
    if spec == Device.auto:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec == Device.cuda and not torch.cuda.is_available():
        raise FramingError(
            "--device cuda: torch sees no CUDA GPU (this torch is "
            f"{torch.__version__}); use --device cpu, or install a CUDA build of torch"
        )
    if spec == Device.mps and not _mps_available():
        raise FramingError("--device mps: Apple's Metal backend is not available here; "
                           "use --device cpu")
    return torch.device(spec.value)


@contextlib.contextmanager
def mixed_precision(device: torch.device) -> Iterator[None]:
    """fp16 autocast on CUDA, nothing elsewhere (CPU stays fp32: its labels are the reference)."""
    if device.type == "cuda":
        with torch.autocast("cuda", dtype=torch.float16):
            yield
    else:
        yield
