"""Two baselines the transformer has to beat: a cue lexicon and TF-IDF + logistic regression."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from framing.taxonomy import Taxonomy


class LexiconBaseline:
    """The taxonomy's cue terms + precedence: the first frame (most marked) with a cue wins.

    Matching is case-insensitive on word boundaries; a sentence with no cue is the taxonomy's
    last frame in precedence (`none`).
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.fallback = taxonomy.precedence[-1]
        self.patterns = []
        for frame in taxonomy.frames:
            if frame.cues:
                alternatives = "|".join(
                    re.escape(c).replace(r"\ ", r"\s+")
                    for c in sorted(frame.cues, key=len, reverse=True)
                )
                self.patterns.append((frame.name, re.compile(rf"\b(?:{alternatives})\b", re.I)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> str:
        for frame, pattern in self.patterns:
            if pattern.search(text):
                return frame
        return self.fallback


def fit_tfidf_baseline(texts: Sequence[str], frames: Sequence[str], seed: int = 0) -> Pipeline:
    """Word 1-2-gram TF-IDF + class-balanced logistic regression, fitted on `texts`."""
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True),
        LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced", random_state=seed),
    )
    pipeline.fit(list(texts), list(frames))
    return pipeline
