"""framing from Python: DataFrame in, DataFrame out (`import framing`; see docs/api.md).

- `load_model(path)` -> `Model`, whose `predict(texts)` gives frame, p_<frame> and voice;
- `score_frame(df, model)` -> (sentences, documents), the columns of `framing score`'s Parquet
  files, computed by the same code (readers, splitting, chunked scoring, aggregation);
- `compare_frame(sentences)` -> the outlet table of `framing compare`, with its intervals.

No process-wide side effects: torch's thread count is set for the length of a call and restored,
no environment variable or logging setting is changed, nothing is written but temporary files.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import ValidationError

from framing.errors import FramingError, explain_validation

if TYPE_CHECKING:
    from framing.inference.predict import Classifier
    from framing.scoring.readers import Reject
    from framing.taxonomy import Taxonomy

CHUNK_SENTENCES = 4096  # as `framing score`: sentences scored together, batched by length


@dataclass
class Model:
    """A loaded model folder. `threads` (default: every core) applies during each call only."""

    classifier: Classifier
    threads: int | None = None

    @property
    def folder(self) -> Path:
        return self.classifier.folder

    @property
    def taxonomy(self) -> Taxonomy:
        return self.classifier.taxonomy

    def predict(self, texts: Iterable[str], batch_size: int = 64) -> pd.DataFrame:
        """One row per text, in order: text, frame, p_<frame> (the taxonomy's precedence order,
        calibrated probabilities summing to 1) and voice (attributed / authorial; None when the
        frame is unframed). A long text is scored whole, in windows, never truncated."""
        from framing.inference.threads import torch_threads
        from framing.scoring.chunks import frame_columns

        texts = [_as_text(t, i) for i, t in enumerate(texts)]
        with torch_threads(self.threads):
            columns = frame_columns(texts, self.classifier, batch_size)
        return pd.DataFrame({"text": texts, **columns})


def _as_text(value: object, i: int) -> str:
    if not isinstance(value, str):
        raise FramingError(f"texts[{i}]: expected a string, found {type(value).__name__}; "
                           "pass sentences as str (e.g. df['text'].astype(str))")
    return value


def load_model(path: str | Path, device: str = "auto", fast: bool = False,
               threads: int | None = None) -> Model:
    """The model folder at `path` (written by `framing train`) on `device` (auto, cpu, cuda,
    mps); `fast` scores through the cached int8 ONNX model (needs the `fast` extra)."""
    from framing.inference.threads import torch_threads
    from framing.scoring.score import load_classifier

    with torch_threads(threads):
        return Model(load_classifier(Path(path), fast, device, threads), threads)


def score_frame(
    df: pd.DataFrame, model: Model | str | Path, *, text: str = "text",
    outlet: str | None = None, doc_id: str = "id", title: str | None = None,
    date: str | None = None, url: str | None = None, date_format: str | None = None,
    batch_size: int = 64, strict: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sentences, documents) for the articles in `df`, one row each: the same columns, types
    and rules as `framing score`'s sentences.parquet and documents.parquet.

    `text`, `doc_id`, `outlet`, `title`, `date`, `url` name the columns (outlet, title, date and
    url are optional; a named one must exist; an empty outlet is taken from the url's domain).
    A row that cannot be scored (empty text, missing id, an identical duplicate, ...) raises a
    FramingError with `strict`; otherwise it is set aside with a warning, and the list of such
    rows (row position, index label, field, kind, reason) is `sentences.attrs["rejects"]`.
    """
    from framing.inference.threads import torch_threads
    from framing.scoring.ingest import FieldMap

    model = model if isinstance(model, Model) else load_model(model)
    given = {"id": doc_id, "text": text, "outlet": outlet, "title": title, "date": date,
             "url": url}
    named = {role: name for role, name in given.items() if name is not None}
    try:
        fields = FieldMap.model_validate({**named, "explicit": frozenset(named)})
    except ValidationError as exc:
        raise FramingError(f"score_frame: bad column names:\n{explain_validation(exc)}") from exc
    missing = [name for name in named.values() if name not in df.columns]
    if missing:
        raise FramingError(f"score_frame: no column {missing} in the DataFrame (columns: "
                           f"{list(df.columns)}); name the right ones with text=, doc_id=, "
                           "outlet=, title=, date=, url=")
    with tempfile.TemporaryDirectory(prefix="framing-api-") as tmp, \
            torch_threads(model.threads):
        path = Path(tmp) / "frame.jsonl"
        df.to_json(path, orient="records", lines=True, date_format="iso", force_ascii=False,
                   default_handler=str)
        sentences, rejects = _score_file(path, fields, model.classifier, batch_size,
                                         date_format, df.index, strict)
    return _tables(sentences, model.taxonomy, rejects)


def _score_file(path: Path, fields: object, classifier: Classifier, batch_size: int,
                date_format: str | None, index: pd.Index, strict: bool
                ) -> tuple[dict[str, list], list[dict]]:
    from framing.scoring.chunks import Chunk, score_chunk
    from framing.scoring.ingest import FieldMap, read_documents
    from framing.scoring.readers import IngestStats, Reject

    assert isinstance(fields, FieldMap)
    columns: dict[str, list] = {}
    rejects: list[dict] = []
    chunk = Chunk()

    def flush(chunk: Chunk) -> None:
        for name, values in score_chunk(chunk, classifier, batch_size).items():
            columns.setdefault(name, []).extend(values)

    for item in read_documents([path], fields, IngestStats(), "jsonl", date_format):
        if isinstance(item, Reject):
            rejects.append(_reject_row(item, index))
            if strict:
                r = rejects[-1]
                raise FramingError(f"row {r['row']} (index {r['index']!r}): field "
                                   f"{r['field'] or '(record)'}: {r['reason']}; fix the row, or "
                                   "pass strict=False to set it aside")
            continue
        chunk.add(item)
        if len(chunk.rows) >= CHUNK_SENTENCES:
            flush(chunk)
            chunk = Chunk()
    if chunk.docs:
        flush(chunk)
    return columns, rejects


def _reject_row(reject: Reject, index: pd.Index) -> dict:
    row = (reject.line or 1) - 1
    label: object = index[row] if row < len(index) else None
    item = getattr(label, "item", None)  # numpy scalars -> plain Python values
    return {"row": row, "index": item() if callable(item) else label,
            "doc_id": reject.doc_id, "field": reject.field, "kind": reject.kind,
            "reason": reject.reason}


def _tables(columns: dict[str, list], taxonomy: Taxonomy,
            rejects: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from framing.scoring.outputs import chunk_tables

    sentence_table, document_table = chunk_tables(columns, taxonomy)
    sentences, documents = sentence_table.to_pandas(), document_table.to_pandas()
    sentences.attrs["rejects"] = rejects
    if rejects:
        kinds = pd.Series([r["kind"] for r in rejects]).value_counts().to_dict()
        warnings.warn(f"score_frame: {len(rejects)} rows set aside ({kinds}); see "
                      "sentences.attrs['rejects'], or pass strict=True", stacklevel=3)
    return sentences, documents


def compare_frame(
    sentences: pd.DataFrame, model: Model | str | Path | None = None, *,
    min_framed: int = 30, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
    p_adjust: Literal["holm", "bh"] = "holm",
) -> pd.DataFrame:
    """The outlet table of `framing compare` for a sentence table (from `score_frame` or a
    `framing score` run): per outlet, documents, sentences, framed sentences, each frame's share
    among framed sentences, the legitimacy index and the attributed share, each with a `level`
    interval from a bootstrap over articles (`n_boot` replicates, `seed`); ranked when it has
    at least `min_framed` framed sentences. `model` (the folder that scored the table) sets the
    taxonomy; default: the bundled one."""
    from framing.comparison.compare import compare, make_settings
    from framing.scoring.results import scores_from_frame
    from framing.taxonomy import load_taxonomy

    folder = model.folder if isinstance(model, Model) else Path(model) if model else None
    taxonomy = load_taxonomy(folder / "taxonomy.yaml") if folder else load_taxonomy()
    settings = make_settings(min_framed=min_framed, n_boot=n_boot, seed=seed, level=level,
                             p_adjust=p_adjust)
    return compare(scores_from_frame(sentences, taxonomy), settings).outlets
