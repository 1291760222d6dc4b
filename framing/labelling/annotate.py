"""`framing label annotate`: label a queue one sentence at a time, in the terminal, offline.

Each item shows the previous and next sentence of its article as context, the sentence, and the
model's and the cue lexicon's guesses. One key per frame (digits, in precedence order), then one
key per voice for a framed sentence; `u` undoes the last answer, `s` skips (the item comes back
next time), `g` adds tags, `q` quits, `?` shows the keys. Every answer is appended to the output
file at once (flushed and synced), so a crash loses nothing; a rerun resumes after the last
answered item.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framing.errors import FramingError
from framing.labelling.suggest import item_key
from framing.taxonomy import Taxonomy

RESERVED = set("usgq")  # undo, skip, tags, quit


@dataclass
class Keys:
    """The key map shown to the annotator, built from the taxonomy."""

    frames: dict[str, str]  # key -> frame
    voices: dict[str, str]  # key -> voice

    @classmethod
    def for_taxonomy(cls, taxonomy: Taxonomy) -> Keys:
        frames = {str(i): name for i, name in enumerate(taxonomy.precedence, start=1)}
        voices: dict[str, str] = {}
        for name in taxonomy.voice_names:  # its first letter not taken: authorial a, attributed t
            key = next((c for c in name if c.isalpha() and c not in voices and c not in RESERVED),
                       str(len(voices) + 1))
            voices[key] = name
        return cls(frames, voices)

    def help(self) -> str:
        frames = "  ".join(f"{k} {v}" for k, v in self.frames.items())
        voices = "  ".join(f"{k} {v}" for k, v in self.voices.items())
        return (f"frame: {frames}\nvoice: {voices}\n"
                "u undo  s skip  g tags  q quit  ? keys")


@dataclass
class Session:
    """The annotator's terminal: `read_key` returns one key, `show` prints, `ask` reads a line."""

    read_key: Callable[[], str]
    show: Callable[[str], None]
    ask: Callable[[str], str]


def read_queue(path: Path) -> list[dict]:
    """Queue items (written by `framing label suggest`), each with doc_id, sentence_idx, text."""
    if not path.is_file():
        raise FramingError(f"{path}: queue not found; make one with `framing label suggest`")
    items = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item_key(item)
            if not isinstance(item.get("text"), str):
                raise KeyError("text")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise FramingError(f"{path}:{lineno}: not a queue item ({exc}); expected doc_id, "
                               "sentence_idx and text, as `framing label suggest` writes") from None
        items.append(item)
    return items


def answered(path: Path) -> list[dict]:
    """Records already in the output file, in order (a torn last line is dropped)."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return records


def _append(path: Path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _rewrite(path: Path, records: list[dict]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                   encoding="utf-8")
    os.replace(tmp, path)


def record_for(item: dict, frame: str, voice: str | None, tags: list[str]) -> dict:
    """A labelled record in the `labels/real/` format."""
    corpus = item.get("corpus")
    doc_id, idx = item_key(item)
    return {"id": f"{corpus}:{doc_id}:{idx}" if corpus else f"{doc_id}:{idx}",
            "corpus": corpus, "doc_id": doc_id, "sentence_idx": idx,
            "outlet": item.get("outlet"), "text": item["text"], "frame": frame,
            "voice": voice, "tags": tags, "selection": item.get("selection")}


def _show_item(session: Session, item: dict, position: str) -> None:
    lines = [f"\n[{position}] {item.get('outlet') or ''} {item['doc_id']} #{item['sentence_idx']}"]
    if item.get("context_before"):
        lines.append(f"   before: {item['context_before']}")
    lines.append(f">> {item['text']}")
    if item.get("context_after"):
        lines.append(f"   after:  {item['context_after']}")
    guess = item.get("model_frame")
    if guess:
        prob = item.get("model_probability")
        lines.append(f"   model: {guess}" + (f" ({prob:.2f})" if prob is not None else "")
                     + f"   lexicon: {item.get('lexicon_frame')}")
    session.show("\n".join(lines))


def _ask_tags(session: Session, taxonomy: Taxonomy) -> list[str]:
    known = [t.name for t in taxonomy.tags]
    while True:
        raw = session.ask("tags (comma-separated, empty for none)")
        tags = [t.strip() for t in raw.split(",") if t.strip()]
        unknown = [t for t in tags if t not in known]
        if not unknown:
            return tags
        session.show(f"unknown tag(s) {unknown}; known: {', '.join(known)}")


def annotate(queue: Path, out: Path, taxonomy: Taxonomy, session: Session) -> dict[str, int]:
    """Label every unanswered queue item; returns counts (labelled now, skipped, remaining)."""
    items = read_queue(queue)
    keys = Keys.for_taxonomy(taxonomy)
    done = {item_key(r) for r in answered(out)}
    todo = [item for item in items if item_key(item) not in done]
    session.show(f"{len(done)} of {len(items)} already labelled in {out}; {len(todo)} to go\n"
                 + keys.help())
    labelled = skipped = 0
    history: list[int] = []
    i = 0
    while i < len(todo):
        _show_item(session, todo[i], f"{len(done) + labelled + 1}/{len(items)}")
        action = _answer(session, keys, taxonomy)
        if action == "quit":
            break
        if action == "skip":
            skipped += 1
            i += 1
            continue
        if action == "undo":
            if history:
                _rewrite(out, answered(out)[:-1])
                i = history.pop()
                labelled -= 1
                session.show("undone: the previous answer is removed")
            continue
        assert isinstance(action, tuple)
        frame, voice, tags = action
        _append(out, record_for(todo[i], frame, voice, tags))
        history.append(i)
        labelled += 1
        i += 1
    remaining = len(items) - len(done) - labelled
    return {"labelled": labelled, "skipped": skipped, "remaining": remaining}


Answer = str | tuple[str, str | None, list[str]]


def _answer(session: Session, keys: Keys, taxonomy: Taxonomy) -> Answer:
    """One answer: "quit", "skip", "undo", or (frame, voice, tags)."""
    tags: list[str] = []
    while True:
        key = session.read_key()
        if key in ("q", "s", "u"):
            return {"q": "quit", "s": "skip", "u": "undo"}[key]
        if key == "g":
            tags = _ask_tags(session, taxonomy)
            continue
        if key in keys.frames:
            frame = keys.frames[key]
            break
        session.show(keys.help())
    if taxonomy.weights[frame] is None:
        session.show(f"-> {frame}")
        return frame, None, tags
    session.show(f"-> {frame}; voice? " + "  ".join(f"{k} {v}" for k, v in keys.voices.items()))
    while True:
        key = session.read_key()
        if key in keys.voices:
            session.show(f"-> {frame}, {keys.voices[key]}")
            return frame, keys.voices[key], tags
        if key == "u":
            return "undo"
