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

from pydantic import Field, model_validator

from framing import resources
from framing.errors import Strict, read_validated_yaml

DEFAULT_ACTORS = resources.ACTORS

_APOSTROPHES = "'’‘ʼ`´ʻ"
_DASHES = "-‐‑‒–—"
_CAPS_SHARE = 0.6  # text with more capitals than this among its letters is "shouting"


class Actor(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    conflicts: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(min_length=1)
    exact_case: list[str] = Field(default_factory=list)


class Gazetteer(Strict):
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
    return read_validated_yaml(
        path, Gazetteer, "gazetteer", "pass the path of an actors YAML (see labels/actors.yaml)"
    )


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


_WORD = re.compile(r"\w+")
_JOINERS = set(" \t\n\r\u00a0/")


@dataclass(frozen=True)
class _Alias:
    actor: str
    tokens: tuple[str, ...]
    exact: bool  # compare as written, no plural "s"


def _tokens(alias: str, exact: bool) -> tuple[str, ...]:
    words = _WORD.findall(_normalise(alias))
    return tuple(words if exact else (w.casefold() for w in words))


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return False
    return sum(c.isupper() for c in letters) / len(letters) > _CAPS_SHARE


class ActorMatcher:
    """Finds gazetteer actors in text. Build once, call `mentions` / `actors_in` per sentence.

    Matching is on word tokens (maximal runs of letters and digits): an alias of n words matches
    n consecutive words separated only by spaces or "/", which gives word boundaries for free
    and costs one dictionary look-up per word.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._index: dict[str, list[_Alias]] = {}
        for actor in gazetteer.actors:
            for alias, exact in [(a, False) for a in actor.aliases] + [
                (a, True) for a in actor.exact_case
            ]:
                entry = _Alias(actor.id, _tokens(alias, exact), exact)
                self._index.setdefault(entry.tokens[0], []).append(entry)
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e.tokens))

    def _candidates(self, word: str) -> list[_Alias]:
        folded = word.casefold()
        found = self._index.get(word, []) + (self._index.get(folded, []) if folded != word else [])
        if folded.endswith("s"):
            found += [e for e in self._index.get(folded[:-1], []) if not e.exact]
        return found

    @staticmethod
    def _matches(entry: _Alias, words: list[str], at: int, shouting: bool) -> bool:
        if entry.exact and shouting:
            return False
        n = len(entry.tokens)
        if at + n > len(words):
            return False
        for k, want in enumerate(entry.tokens):
            have = words[at + k] if entry.exact else words[at + k].casefold()
            last = k == n - 1
            if have != want and not (last and not entry.exact and have == want + "s"):
                return False
        return True

    def mentions(self, text: str) -> list[ActorMention]:
        """Non-overlapping actor mentions in `text`, in reading order, longest match winning."""
        norm, origin = _normalise_map(text)
        spans = [(m.start(), m.end()) for m in _WORD.finditer(norm)]
        words = [norm[a:b] for a, b in spans]
        shouting = _mostly_capitals(text)
        found: list[tuple[int, int, str]] = []
        for i, word in enumerate(words):
            for entry in self._candidates(word):
                n = len(entry.tokens)
                if not self._matches(entry, words, i, shouting):
                    continue
                gaps = [norm[spans[k][1] : spans[k + 1][0]] for k in range(i, i + n - 1)]
                if all(g and set(g) <= _JOINERS for g in gaps):
                    found.append((i, i + n, entry.actor))
        kept: list[tuple[int, int, str]] = []
        for start, end, actor in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, actor))
        return [
            ActorMention(actor, origin[spans[start][0]], origin[spans[end - 1][1] - 1] + 1)
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
