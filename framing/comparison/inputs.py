"""Filters of a comparison: dates and outlets, as typed on the command line."""

from __future__ import annotations

from datetime import date

import pandas as pd

from framing.errors import FramingError
from framing.scoring.results import ScoredSentences


def filter_sentences(
    scores: ScoredSentences,
    since: date | None = None,
    until: date | None = None,
    outlets: list[str] | None = None,
) -> ScoredSentences:
    """Keep sentences of the listed outlets dated within [since, until] (inclusive).

    With a date bound, undated sentences are dropped and counted in `notes`; an outlet name
    that is not in the table is an error (listing the names that are).
    """
    df, notes = scores.sentences, list(scores.notes)
    if outlets:
        known = sorted(df["outlet"].unique())
        unknown = [o for o in outlets if o not in known]
        if unknown:
            raise FramingError(
                f"--outlets: {unknown} not in {scores.path}; outlets there are {known}"
            )
        df = df[df["outlet"].isin(outlets)]
    if since or until:
        when = pd.to_datetime(df["date"], errors="coerce", format="ISO8601", utc=True)
        undated = when.isna()
        if undated.any():
            notes.append(f"date filter: {int(undated.sum())} sentences without a usable date "
                         "were left out")
        day = when.dt.tz_convert(None).dt.normalize()
        keep = ~undated
        if since:
            keep &= day >= pd.Timestamp(since)
        if until:
            keep &= day <= pd.Timestamp(until)
        df = df[keep.fillna(False).astype(bool)]
    if df.empty:
        raise FramingError(
            f"{scores.path}: no sentences left after the filters (since={since}, until={until}, "
            f"outlets={outlets}); widen them"
        )
    return ScoredSentences(
        scores.path, df.reset_index(drop=True), scores.taxonomy, scores.provenance,
        scores.model_dir, notes,
    )


def parse_day(value: str | None, option: str) -> date | None:
    """An ISO date (YYYY-MM-DD) from a command-line option, or a FramingError naming it."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FramingError(
            f"{option}: expected a date as YYYY-MM-DD, found {value!r}; e.g. {option} 2016-01-31"
        ) from None


def parse_outlets(value: str | None) -> list[str] | None:
    """'SANA,Reuters' -> ['SANA', 'Reuters']; None or '' -> None (all outlets)."""
    if not value:
        return None
    return [o.strip() for o in value.split(",") if o.strip()]
