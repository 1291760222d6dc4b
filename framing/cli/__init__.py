"""The `framing` command line: parse, call one function, print. No logic lives here.

One module per stage registers its commands on `app` (`framing.cli.common`). The CLI owns its
process, so it alone sets process-wide defaults: OpenMP threads wait passively (torch's spinning
threads are 10-20x slower on shared cores) unless the user set OMP_WAIT_POLICY.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from framing.cli import compare, data, label, score, train  # noqa: E402,F401  (registration)
from framing.cli.common import app  # noqa: E402

__all__ = ["app"]
