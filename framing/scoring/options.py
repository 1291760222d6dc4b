"""What `framing score` is asked to do: validated options, so a bad value fails with its name."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from framing.errors import FramingError, Strict, explain_validation
from framing.inference.device import Device
from framing.scoring.ingest import FieldMap
from framing.scoring.sources import InputFormat

OutputFormat = Literal["parquet", "jsonl", "csv"]
STDIN = Path("-")


class ScoreOptions(Strict):
    """Everything `framing score` needs."""

    inputs: list[Path] = Field(min_length=1)
    model: Path
    out: Path
    format: OutputFormat = "parquet"
    batch_size: int = Field(default=64, ge=1, le=4096)
    chunk_sentences: int = Field(default=4096, ge=1, le=1_000_000)
    fast: bool = False
    strict: bool = False
    overwrite: bool = False
    threads: int | None = Field(default=None, ge=1, le=1024)
    device: Device = Device.auto
    fields: FieldMap = FieldMap()
    input_format: InputFormat | None = None
    date_format: str | None = None
    progress: bool = True

    def fast_recipe(self) -> str | Literal[False]:
        """The int8 recipe's name when `fast` (part of the run's identity), else False."""
        if not self.fast:
            return False
        from framing.inference.fast import RECIPE

        return RECIPE


def make_options(**values: object) -> ScoreOptions:
    """ScoreOptions from CLI values; field-name options the user set become required fields."""
    field_values = {role: values.pop(f"{role}_field") for role in
                    ("id", "outlet", "text", "title", "date", "url")}
    explicit = frozenset(role for role, name in field_values.items() if name is not None)
    try:
        given = {r: n for r, n in field_values.items() if n is not None}
        fields = FieldMap.model_validate({**given, "explicit": explicit})
        return ScoreOptions(fields=fields, **values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise FramingError(f"invalid score options:\n{explain_validation(exc)}") from exc
