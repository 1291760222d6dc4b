"""Connecting to Ray for `framing score --engine ray`: import it (or say how to install it),
check an --address answers, start or join the runtime, and keep Ray's log lines down to errors
unless framing runs with -v."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

from framing.errors import FramingError

INSTALL = "pip install 'framing[ray]'"


def import_ray() -> Any:
    """Ray with Ray Data, or a FramingError with the install command."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as err:
        raise FramingError(f"--engine ray needs Ray Data ({err}); install it with `{INSTALL}` "
                           "(scripts/setup.sh --dev installs it)") from err
    return ray


def check_reachable(address: str) -> None:
    """Fail in seconds, naming the fix, when nothing listens at `address` (Ray itself would
    retry for minutes). 'auto' (the cluster `ray start` left on this machine) is not probed."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise FramingError(f"--address {address!r}: expected HOST:PORT (e.g. 10.0.0.1:6379), "
                           "ray://HOST:PORT or auto")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5):
            pass
    except OSError as exc:
        raise FramingError(
            f"--address {address}: no Ray head answers there ({exc.strerror or exc}); start one "
            f"with `ray start --head --port={port}` and check it with `ray status`, or drop "
            "--address (and RAY_ADDRESS) to run on this machine") from None


@contextlib.contextmanager
def ray_runtime(address: str | None) -> Iterator[Any]:
    """Ray, connected: the running runtime if this process has one, else the cluster at
    `address`, else a new local runtime with this machine's cores (shut down after)."""
    ray = import_ray()
    if address:
        check_reachable(address)
    if ray.is_initialized():
        yield ray
        return
    level = ray_log_level()
    # the workers' own output goes to Ray's session logs, and to this terminal only with -v
    common: dict[str, Any] = {"logging_level": level, "log_to_driver": level <= logging.INFO}
    try:
        if address:
            ray.init(address=address, **common)
        else:
            ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False,
                     **common)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = address or "a local runtime"
        raise FramingError(f"--engine ray: cannot start or reach Ray at {where} ({exc}); start "
                           "the cluster with `ray start --head` on the head node, or drop "
                           "--address (and RAY_ADDRESS) to run on this machine") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def ray_log_level() -> int:
    """Ray's own log lines: errors only, unless framing runs with -v (INFO) or -vv."""
    return logging.INFO if logging.getLogger().getEffectiveLevel() <= logging.INFO \
        else logging.ERROR


@contextlib.contextmanager
def quiet(name: str) -> Iterator[None]:
    """`name`'s console handlers (or, without any, the logger) at `ray_log_level()` for the
    block; then as they were (Ray Data keeps writing everything to its session log file)."""
    logger = logging.getLogger(name)
    consoles = [h for h in logger.handlers if isinstance(h, logging.StreamHandler)
                and not isinstance(h, logging.FileHandler)]
    before = logger.level, [h.level for h in consoles]
    if not consoles:
        logger.setLevel(ray_log_level())
    for handler in consoles:
        handler.setLevel(ray_log_level())
    try:
        yield
    finally:
        logger.setLevel(before[0])
        for handler, level in zip(consoles, before[1], strict=True):
            handler.setLevel(level)
