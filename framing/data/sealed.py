"""Sealed articles: reserved for independent evaluation, so nothing of them may enter labels.

A corpus lists its sealed article ids in `SEALED.txt`. An id check alone misses the commonest
leak in news: the same wire copy published by several outlets, so that an unsealed article
carries sentences of a sealed one. `read_sealed` therefore also reads the corpus's articles
beside `SEALED.txt` (`*.jsonl` with `id`, `title`, `text`) and indexes every run of
RUN_WORDS words of the sealed ones; a labelled sentence sharing such a run is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from framing.errors import FramingError

RUN_WORDS = 10
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The words of `text` as every text comparison here sees them: lower-cased runs of
    letters and digits, so punctuation, case and spacing never hide a repeat."""
    return _WORD.findall(text.lower())


def word_runs(text: str, n: int = RUN_WORDS) -> set[str]:
    """Every run of `n` consecutive words of `text` (none when it has fewer than `n`)."""
    w = words(text)
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


@dataclass(frozen=True)
class Sealed:
    """Sealed article ids and the word runs of the sealed articles' text (run -> article)."""

    ids: frozenset[str] = frozenset()
    runs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sealed: Sealed | Iterable[str]) -> Sealed:
        """A `Sealed` from itself or from bare ids (no text check then)."""
        return sealed if isinstance(sealed, Sealed) else cls(frozenset(sealed))

    def shared_run(self, text: str) -> tuple[str, str] | None:
        """(run, sealed article id) of the first sealed run in `text`, or None."""
        for run in word_runs(text):
            if run in self.runs:
                return run, self.runs[run]
        return None


def read_sealed(paths: Iterable[Path]) -> Sealed:
    """Ids of SEALED.txt-style files (one id per line or space-separated), and the word runs of
    those articles when the corpus's `*.jsonl` files sit beside the list."""
    ids: set[str] = set()
    runs: dict[str, str] = {}
    for path in paths:
        if not path.is_file():
            raise FramingError(f"{path}: sealed-id file not found; pass a corpus's SEALED.txt")
        listed = set(path.read_text(encoding="utf-8").split())
        ids |= listed
        for corpus in sorted(path.parent.glob("*.jsonl")):
            with corpus.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    try:
                        article = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise FramingError(f"{corpus}:{n}: not JSON ({exc.msg}); the corpus "
                                           "beside the sealed list must be JSON Lines") from exc
                    if not isinstance(article, dict):
                        raise FramingError(f"{corpus}:{n}: not an article object; the corpus "
                                           "beside the sealed list must hold one per line")
                    doc = str(article.get("id"))
                    if doc in listed:
                        text = f"{article.get('title') or ''}\n{article.get('text') or ''}"
                        for run in word_runs(text):
                            runs.setdefault(run, doc)
    return Sealed(frozenset(ids), runs)
