"""The taxonomy's cue words as one matcher: the cue lexicon baseline, the voice rule and the
report's highlighting all use it, so a cue means the same thing everywhere.

A cue matches case-insensitively on word boundaries; a space inside a cue matches any run of
whitespace ("terror  group"). Longer cues are tried first, so "so-called rebels" is one match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from framing.taxonomy import Taxonomy


@cache
def _pattern(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    if not cues:
        return None
    alternatives = "|".join(
        re.escape(c).replace(r"\ ", r"\s+") for c in sorted(cues, key=len, reverse=True)
    )
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def cue_spans(text: str, frame: str, taxonomy: Taxonomy) -> list[tuple[int, int]]:
    """Character spans of `frame`'s cue words in `text`, in reading order."""
    pattern = _pattern(tuple(taxonomy.frame(frame).cues))
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


class CueLexicon:
    """The taxonomy's cue terms + precedence: the first frame (most marked) with a cue wins.

    A sentence with no cue is the taxonomy's last frame in precedence (`none`). This is the
    keyword baseline the model has to beat.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.fallback = taxonomy.precedence[-1]
        self.patterns = [
            (frame.name, pattern)
            for frame in taxonomy.frames
            if (pattern := _pattern(tuple(frame.cues))) is not None
        ]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.frame_of(t) for t in texts]

    def frame_of(self, text: str) -> str:
        for frame, pattern in self.patterns:
            if pattern.search(text):
                return frame
        return self.fallback
