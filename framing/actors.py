"""Which armed actors a sentence mentions, from the gazetteer `labels/actors.yaml`.

Matching rules (the gazetteer's header repeats them):
- aliases match case-insensitively on word boundaries; `exact_case` aliases ("IS", "Islamic
  State", "SNA") match only as written and never in text that is mostly capitals, so the verb
  "is" and "an Islamic state" are not the group;
- both alias and text are normalised the same way first: apostrophes removed ("Hay'at" =
  "Hayat"), hyphens and dashes read as spaces ("al-Sham" = "al Sham"), any run of whitespace
  matches any other; a plural or possessive "s" may follow a case-insensitive alias
  ("Houthis", "Hamas's" -> "Hamass");
- overlapping mentions: the longest wins ("Kataib Hezbollah" is not also "Hezbollah").
Offsets returned point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from framing.errors import FramingError, explain_validation

DEFAULT_ACTORS = Path(__file__).resolve().parent.parent / "labels" / "actors.yaml"

_APOSTROPHES = "'’‘ʼ`´ʻ"
_DASHES = "-‐‑‒–—"
_CAPS_SHARE = 0.6  # text with more capitals than this among its letters is "shouting"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Actor(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    conflicts: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(min_length=1)
    exact_case: list[str] = Field(default_factory=list)


class Gazetteer(_Strict):
    """A validated gazetteer: unique actor ids, no alias claimed by two actors."""

    version: str = Field(min_length=1)
    actors: list[Actor] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Gazetteer:
        ids = [a.id for a in self.actors]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"actor ids listed twice: {dupes}")
        owner: dict[str, str] = {}
        for actor in self.actors:
            keys = [_normalise(a).casefold() for a in actor.aliases]
            keys += [_normalise(a) for a in actor.exact_case]
            for alias, key in zip(actor.aliases + actor.exact_case, keys, strict=True):
                if not key.strip():
                    raise ValueError(f"actor {actor.id}: alias {alias!r} is empty once normalised")
                if owner.get(key, actor.id) != actor.id:
                    raise ValueError(
                        f"alias {alias!r} of actor {actor.id} is also an alias of {owner[key]}; "
                        "keep it under one actor"
                    )
                owner[key] = actor.id
        return self

    @cached_property
    def names(self) -> dict[str, str]:
        """actor id -> display name."""
        return {a.id: a.name for a in self.actors}


@dataclass(frozen=True)
class ActorMention:
    actor: str
    start: int
    end: int


def load_gazetteer(path: str | Path = DEFAULT_ACTORS) -> Gazetteer:
    """Read and validate a gazetteer file; raise FramingError naming the file and field."""
    path = Path(path)
    if not path.is_file():
        raise FramingError(f"{path}: gazetteer not found; pass the path of an actors YAML")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FramingError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise FramingError(
            f"{path}: expected a mapping at the top level, found {type(raw).__name__}"
        )
    try:
        return Gazetteer.model_validate(raw)
    except ValidationError as exc:
        raise FramingError(f"{path}: invalid gazetteer:\n{explain_validation(exc)}") from exc


def _normalise(text: str) -> str:
    """Apostrophes removed, dashes as spaces (alias side; same rules as `_normalise_map`)."""
    return _normalise_map(text)[0]


def _normalise_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch in _APOSTROPHES:
            continue
        chars.append(" " if ch in _DASHES else ch)
        origin.append(i)
    return "".join(chars), origin


def _alias_pattern(alias: str, plural: bool) -> str:
    tokens = _normalise(alias).split()
    body = r"\s+".join(re.escape(t) for t in tokens)
    return rf"(?<!\w){body}{'s?' if plural else ''}(?!\w)"


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return False
    return sum(c.isupper() for c in letters) / len(letters) > _CAPS_SHARE


class ActorMatcher:
    """Finds gazetteer actors in text. Build once, call `mentions` / `actors_in` per sentence."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._group_actor: dict[str, str] = {}
        loose: list[tuple[int, str]] = []
        exact: list[tuple[int, str]] = []
        for actor in gazetteer.actors:
            for alias in actor.aliases:
                loose.append((len(alias), self._group(actor.id, _alias_pattern(alias, True))))
            for alias in actor.exact_case:
                exact.append((len(alias), self._group(actor.id, _alias_pattern(alias, False))))
        # longest alternatives first, so at one position the longest alias wins
        self._loose = re.compile("|".join(p for _, p in sorted(loose, key=lambda x: -x[0])),
                                 re.IGNORECASE)
        self._exact = (
            re.compile("|".join(p for _, p in sorted(exact, key=lambda x: -x[0])))
            if exact
            else None
        )

    def _group(self, actor_id: str, pattern: str) -> str:
        name = f"g{len(self._group_actor)}"
        self._group_actor[name] = actor_id
        return f"(?P<{name}>{pattern})"

    def mentions(self, text: str) -> list[ActorMention]:
        """Non-overlapping actor mentions in `text`, in reading order, longest match winning."""
        norm, origin = _normalise_map(text)
        found: list[tuple[int, int, str]] = []
        patterns = [self._loose]
        if self._exact is not None and not _mostly_capitals(text):
            patterns.append(self._exact)
        for pattern in patterns:
            for m in pattern.finditer(norm):
                assert m.lastgroup is not None
                found.append((m.start(), m.end(), self._group_actor[m.lastgroup]))
        kept: list[tuple[int, int, str]] = []
        for start, end, actor in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, actor))
        return [
            ActorMention(actor, origin[start], origin[end - 1] + 1)
            for start, end, actor in sorted(kept)
        ]

    def actors_in(self, text: str) -> list[str]:
        """Actor ids mentioned in `text`, each once, in order of first mention."""
        seen: dict[str, None] = {}
        for mention in self.mentions(text):
            seen.setdefault(mention.actor, None)
        return list(seen)

    def tag(self, texts: Iterable[str]) -> list[list[str]]:
        """`actors_in` for each text."""
        return [self.actors_in(t) for t in texts]
