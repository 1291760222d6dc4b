"""The TF-IDF + logistic regression baseline the transformer has to beat (the other baseline,
the taxonomy's cue lexicon, is `framing.text.cues.CueLexicon`)."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline


def fit_tfidf_baseline(texts: Sequence[str], frames: Sequence[str], seed: int = 0) -> Pipeline:
    """Word 1-2-gram TF-IDF + class-balanced logistic regression, fitted on `texts`."""
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True),
        LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced", random_state=seed),
    )
    pipeline.fit(list(texts), list(frames))
    return pipeline
