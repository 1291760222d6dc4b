"""Reading a finished scoring run back: the sentence table, its provenance, model and taxonomy.

Input contract (a SCORES_DIR): `sentences.parquet` (or `.jsonl` / `.csv`), one row per sentence
with at least `doc_id`, `outlet`, `sentence_idx`, `text`, `frame`; optionally `date` (a date
since schema 2; older runs wrote ISO strings mixed with unparsed values, which count as undated),
`date_raw`, `host`, `title`, `is_title`, `voice`, and `p_<frame>` for every frame.
`provenance.json` beside it names the model (`model.path`, `model.fingerprint`) and the taxonomy
(`taxonomy.name/version/fingerprint`); when it counts sentences and documents (`counts`), the
table must hold exactly those.
`framing compare` and `framing label suggest` read runs through `load_scores`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from framing.errors import FramingError
from framing.provenance import file_sha256
from framing.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy

SENTENCE_FILES = ("sentences.parquet", "sentences.jsonl", "sentences.csv")
REQUIRED_COLUMNS = ("doc_id", "outlet", "sentence_idx", "text", "frame")


@dataclass
class ScoredSentences:
    """The sentence table of one scoring run, checked against its taxonomy."""

    path: Path
    sentences: pd.DataFrame
    taxonomy: Taxonomy
    provenance: dict
    model_dir: Path | None
    notes: list[str] = field(default_factory=list)

    @property
    def has_probabilities(self) -> bool:
        return all(f"p_{name}" in self.sentences.columns for name in self.taxonomy.labels)


def load_scores(scores_dir: str | Path, model_dir: str | Path | None = None) -> ScoredSentences:
    """Load and validate SCORES_DIR; `model_dir` overrides the model named in provenance."""
    scores_dir = Path(scores_dir)
    if not scores_dir.is_dir():
        raise FramingError(
            f"{scores_dir}: not a folder; pass the output folder of `framing score` "
            "(it holds sentences.parquet and provenance.json)"
        )
    path = next((scores_dir / n for n in SENTENCE_FILES if (scores_dir / n).is_file()), None)
    if path is None:
        raise FramingError(
            f"{scores_dir}: no {' / '.join(SENTENCE_FILES)}; run `framing score ... --out "
            f"{scores_dir}` first"
        )
    notes: list[str] = []
    provenance = _read_provenance(scores_dir / "provenance.json", notes)
    model = _resolve_model(model_dir, provenance, scores_dir, notes)
    taxonomy = _resolve_taxonomy(model, provenance, scores_dir / "provenance.json")
    table = _read_table(path)
    _match_provenance(table, path, provenance)
    sentences = _check(table, path, taxonomy)
    return ScoredSentences(path, sentences, taxonomy, provenance, model, notes)


def scores_from_frame(sentences: pd.DataFrame, taxonomy: Taxonomy) -> ScoredSentences:
    """A sentence table already in memory (e.g. from `framing.score_frame`), checked like a
    file; errors name "the sentences DataFrame" and the row."""
    name = Path("the sentences DataFrame")
    return ScoredSentences(name, _check(sentences, name, taxonomy), taxonomy, {}, None)


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        return pd.read_csv(path, dtype={"doc_id": str, "outlet": str}, keep_default_na=False,
                           na_values=[""])
    except (ValueError, OSError) as exc:
        raise FramingError(f"{path}: cannot read the sentence table: {exc}") from exc


def _match_provenance(df: pd.DataFrame, path: Path, provenance: dict) -> None:
    """The table holds as many sentences and documents as `provenance.json` counted."""
    counts: dict = provenance["counts"] if isinstance(provenance.get("counts"), dict) else {}
    found = {"sentences": (len(df), f"{len(df)} rows")}
    if "doc_id" in df.columns:
        n_docs = int(df["doc_id"].nunique())
        found["documents"] = (n_docs, f"{n_docs} documents")
    for what, (n, shown) in found.items():
        want = counts.get(what)
        if isinstance(want, int) and n != want:
            raise FramingError(
                f"{path}: the table does not match its provenance: it has {shown}, "
                f"provenance.json records {want} {what}; it was cut or edited after `framing "
                "score` wrote it: restore it, or re-run `framing score`"
            )


def _row_name(df: pd.DataFrame, i: int) -> str:
    row = df.iloc[i]
    doc, idx = (getattr(v, "item", lambda v=v: v)() for v in (row.get("doc_id"),
                                                              row.get("sentence_idx")))
    return f"row {i + 1} (doc_id {doc!r}, sentence_idx {idx!r})"


def _check(df: pd.DataFrame, path: Path, taxonomy: Taxonomy) -> pd.DataFrame:
    """Every required column present, no null keys, every frame and voice known."""
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise FramingError(
            f"{path}: missing column(s) {missing}; expected at least {list(REQUIRED_COLUMNS)}, "
            f"found {list(df.columns)}; was this table written by `framing score`?"
        )
    for column in ("doc_id", "outlet", "frame", "text", "sentence_idx"):
        bad = df[column].isna() | (df[column].astype(str).str.strip() == "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise FramingError(
                f"{path}: {_row_name(df, i)}: field '{column}' is empty ({int(bad.sum())} rows "
                f"in all); expected a value in every row; re-score the input or drop those rows"
            )
    unknown = ~df["frame"].isin(taxonomy.labels)
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        found = str(df["frame"].iloc[i])
        hint = taxonomy.suggest(found)
        raise FramingError(
            f"{path}: {_row_name(df, i)}: field 'frame' is {found!r}, not a frame of taxonomy "
            f"{taxonomy.name} {taxonomy.version} {taxonomy.labels}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + "; pass --model with the model folder that scored this table"
        )
    df = df.copy()
    if "voice" not in df.columns:
        df["voice"] = None
    voice = df["voice"].where(df["voice"].notna(), None)
    bad_voice = voice.notna() & ~voice.isin(taxonomy.voice_names)
    if bad_voice.any():
        i = int(bad_voice.to_numpy().nonzero()[0][0])
        raise FramingError(
            f"{path}: {_row_name(df, i)}: field 'voice' is {voice.iloc[i]!r}; expected one of "
            f"{taxonomy.voice_names} or null"
        )
    df["voice"] = voice
    df["doc_id"] = df["doc_id"].astype(str)
    df["outlet"] = df["outlet"].astype(str)
    if "date" not in df.columns:
        df["date"] = None
    if "is_title" not in df.columns:
        df["is_title"] = False
    return df.sort_values(["outlet", "doc_id", "sentence_idx"], kind="stable").reset_index(
        drop=True
    )


def _read_provenance(path: Path, notes: list[str]) -> dict:
    if not path.is_file():
        notes.append(f"{path} not found: model and taxonomy are not checked against the scores")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FramingError(f"{path}: not valid JSON: {exc}; re-run `framing score`") from exc
    if not isinstance(data, dict):
        raise FramingError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def _resolve_model(
    model_dir: str | Path | None, provenance: dict, scores_dir: Path, notes: list[str]
) -> Path | None:
    stored: dict = provenance["model"] if isinstance(provenance.get("model"), dict) else {}
    if model_dir is not None:
        folder = Path(model_dir)
        if not folder.is_dir():
            raise FramingError(f"{folder}: --model is not a folder; pass a model folder")
        _check_hash(folder, stored.get("fingerprint"))
        return folder
    raw = stored.get("path")
    if not raw:
        notes.append("no model named in provenance.json and no --model: no corrected shares")
        return None
    for folder in (Path(raw), scores_dir / raw):
        if folder.is_dir():
            _check_hash(folder, stored.get("fingerprint"))
            return folder
    notes.append(f"model folder {raw!r} from provenance.json not found: no corrected shares "
                 "(pass --model DIR)")
    return None


def _check_hash(folder: Path, stored: object) -> None:
    weights = folder / "model.safetensors"
    if not stored or not weights.is_file():
        return
    full, stored = file_sha256(weights), str(stored).removeprefix("sha256:")
    if not full.startswith(stored[:16]):
        raise FramingError(
            f"{weights}: sha256 {full[:16]} differs from the model hash {stored[:16]} in "
            "provenance.json: this is not the model that scored the table; pass the right --model"
        )


def _resolve_taxonomy(model: Path | None, provenance: dict, prov_path: Path) -> Taxonomy:
    source = model / "taxonomy.yaml" if model and (model / "taxonomy.yaml").is_file() else None
    taxonomy = load_taxonomy(source or DEFAULT_TAXONOMY)
    stored: dict = (
        provenance["taxonomy"] if isinstance(provenance.get("taxonomy"), dict) else {}
    )
    fingerprint = stored.get("fingerprint")
    if fingerprint and fingerprint != taxonomy.fingerprint():
        raise FramingError(
            f"{prov_path}: taxonomy.fingerprint is {fingerprint!r} but "
            f"{source or DEFAULT_TAXONOMY} has {taxonomy.fingerprint()!r}; pass --model with the "
            "model folder that scored the table (its taxonomy.yaml is used)"
        )
    return taxonomy
