"""A chunk of documents cut into sentences and scored together (batched across documents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from framing.scoring.ingest import Document
from framing.text.segment import article_sentences
from framing.text.voice import rule_voice

if TYPE_CHECKING:
    from framing.inference.predict import Classifier


@dataclass
class Chunk:
    """Documents and their sentences: (document, sentence_idx, is_title, start, end, text)."""

    docs: list[Document] = field(default_factory=list)
    rows: list[tuple[Document, int, bool, int, int, str]] = field(default_factory=list)
    cut_sentences: int = 0  # sentences over the length cap, cut into segments
    cut_segments: int = 0  # the rows they became

    def add(self, doc: Document) -> None:
        self.docs.append(doc)
        for idx, (is_title, s) in enumerate(article_sentences(doc.title, doc.text)):
            self.rows.append((doc, idx, is_title, s.start, s.end, s.text))
            if s.segment is not None:
                self.cut_segments += 1
                self.cut_sentences += s.segment == 0


def score_chunk(chunk: Chunk, classifier: Classifier, batch_size: int) -> dict[str, list]:
    """The sentence table's columns for a chunk: keys, text, frame, p_<frame>, voice."""
    columns = key_columns(chunk)
    return columns | frame_columns(columns["text"], classifier, batch_size)


def key_columns(chunk: Chunk) -> dict[str, list]:
    """The sentence table's columns up to `text`, one row per sentence of the chunk."""
    return {
        "doc_id": [r[0].doc_id for r in chunk.rows],
        "outlet": [r[0].outlet for r in chunk.rows],
        "host": [r[0].host for r in chunk.rows],
        "date": [r[0].date for r in chunk.rows],
        "date_raw": [r[0].date_raw for r in chunk.rows],
        "title": [r[0].title for r in chunk.rows],
        "sentence_idx": [r[1] for r in chunk.rows],
        "is_title": [r[2] for r in chunk.rows],
        "char_start": [r[3] for r in chunk.rows],
        "char_end": [r[4] for r in chunk.rows],
        "text": [r[5] for r in chunk.rows],
    }


def frame_columns(texts: list[str], classifier: Classifier, batch_size: int) -> dict[str, list]:
    """frame, p_<frame> (precedence order) and voice for `texts`, scored together as one call
    (the local and the Ray engine both score a chunk through here)."""
    probs = classifier.predict_proba(texts, batch_size=batch_size)
    labels = classifier.labels
    taxonomy = classifier.taxonomy
    frames = [labels[i] for i in probs.argmax(axis=1)] if len(texts) else []
    columns: dict[str, list] = {"frame": frames}
    for name in taxonomy.precedence:
        columns[f"p_{name}"] = probs[:, labels.index(name)].astype(float).tolist()
    columns["voice"] = [rule_voice(t, f, taxonomy) for t, f in zip(texts, frames, strict=True)]
    return columns
