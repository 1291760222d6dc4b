"""Mistakes the user can fix, and the one way files and options are validated.

`FramingError` is the one exception type for them (bad config, data, paths): the CLI prints its
message to stderr and exits 2; anything else is a bug and keeps its traceback. `Strict` is the
base of every validated file and option set: unknown keys are refused, values are frozen.
"""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """A validated record: unknown keys are an error (a typo fails loudly), fields are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FramingError(Exception):
    """A problem in the user's input, with a message that names where it is and how to fix it."""


def explain_validation(exc: object) -> str:
    """One indented line per pydantic error: `field.path: message (found: value)`."""
    lines = []
    for err in exc.errors():  # type: ignore[attr-defined]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        found = err.get("input")
        shown = "" if isinstance(found, dict) else f" (found: {found!r})"
        lines.append(f"  {where}: {err['msg']}{shown}")
    return "\n".join(lines)


def read_validated_yaml(path: str | Path, model: type[M], what: str, fix: str) -> M:
    """Read a YAML mapping and validate it as `model`; FramingError names the file and field.

    `what` names the file's kind in messages ("taxonomy", "config"); `fix` says what to do
    when the file is missing or invalid.
    """
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"{path}: {what} file not found; {fix}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FramingError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise FramingError(
            f"{path}: expected a mapping at the top level, found {type(raw).__name__}"
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise FramingError(f"{path}: invalid {what}:\n{explain_validation(exc)}\n{fix}") from exc
