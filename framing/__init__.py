"""framing: measure how news outlets frame non-state armed actors, sentence by sentence.

From Python (docs/api.md): `framing.load_model(path).predict(texts)`,
`framing.score_frame(df, model)` and `framing.compare_frame(sentences)`. They are imported on
first use, so `import framing` stays cheap (no torch) and changes nothing in the process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "compare_frame", "load_model", "score_frame"]

if TYPE_CHECKING:
    from framing.api import compare_frame, load_model, score_frame


def __getattr__(name: str) -> Any:
    if name in ("load_model", "score_frame", "compare_frame", "Model"):
        from framing import api

        return getattr(api, name)
    raise AttributeError(f"module 'framing' has no attribute {name!r}")
