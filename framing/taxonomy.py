"""The label taxonomy: frames in precedence order, weights, voices and tags.

`labels/taxonomy.yaml` is the only place where frame names become label ids. A taxonomy is
validated when loaded; a user may write their own file and train on it.
"""

from __future__ import annotations

import difflib
import hashlib
from functools import cached_property
from pathlib import Path

from pydantic import Field, model_validator

from framing import resources
from framing.errors import Strict, read_validated_yaml

DEFAULT_TAXONOMY = resources.TAXONOMY


class Frame(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    weight: float | None = Field(
        description="legitimacy weight; null excludes the frame from scores (e.g. none)"
    )
    definition: str = Field(min_length=1)
    cues: list[str] = Field(default_factory=list)


class Voice(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    definition: str = Field(min_length=1)


class Tag(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    hard: bool
    definition: str = Field(min_length=1)


class Taxonomy(Strict):
    """A validated taxonomy. `frames` is in precedence order (most marked first)."""

    name: str
    version: str = Field(min_length=1)
    label_order: list[str]
    frames: list[Frame] = Field(min_length=2)
    voices: list[Voice] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        names = [f.name for f in self.frames]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"frames listed twice: {dupes}")
        if sorted(self.label_order) != sorted(names):
            raise ValueError(
                f"label_order {self.label_order} must list exactly the frames {names}, once each"
            )
        if all(f.weight is None for f in self.frames):
            raise ValueError("at least one frame needs a numeric weight")
        return self

    # --- label ids -------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        """Frame names in label-id order."""
        return list(self.label_order)

    @cached_property
    def label2id(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.label_order)}

    @cached_property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.label_order))

    # --- precedence and weights ------------------------------------------------------------
    @property
    def precedence(self) -> list[str]:
        """Frame names, most marked first: the first present in a sentence wins."""
        return [f.name for f in self.frames]

    @cached_property
    def weights(self) -> dict[str, float | None]:
        return {f.name: f.weight for f in self.frames}

    @property
    def framed_labels(self) -> list[str]:
        """Frames that carry a weight, i.e. count as 'framed' in shares and scores."""
        return [f.name for f in self.frames if f.weight is not None]

    @property
    def unframed_labels(self) -> list[str]:
        return [f.name for f in self.frames if f.weight is None]

    def frame(self, name: str) -> Frame:
        for f in self.frames:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def voice_names(self) -> list[str]:
        return [v.name for v in self.voices]

    @property
    def hard_tags(self) -> list[str]:
        return [t.name for t in self.tags if t.hard]

    def suggest(self, name: str) -> str | None:
        """The closest frame name to a misspelt one, or None."""
        hits = difflib.get_close_matches(name.lower().strip(), self.labels, n=1, cutoff=0.6)
        return hits[0] if hits else None

    def fingerprint(self) -> str:
        """A short hash of the taxonomy's content, stamped on every output."""
        blob = self.model_dump_json().encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and validate a taxonomy file; raise FramingError naming the file and field."""
    return read_validated_yaml(
        path, Taxonomy, "taxonomy", "pass the path of a taxonomy YAML (see labels/taxonomy.yaml)"
    )
