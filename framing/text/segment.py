"""Split article text into sentences with character offsets into the original text.

`sentencex` does the splitting; this module adds fixes for scraped news:
- Line structure first: a blank line always ends a sentence, and so does a line break before a
  line that starts with anything but a lowercase letter. Headlines without full stops and
  boilerplate lines ("READ MORE", "POPULAR") thus become sentences of their own instead of being
  glued to the next sentence; hard-wrapped text (next line starts lowercase) is kept together.
- An initialism ending a sentence ("...returned to the U.S. The Pentagon...") is split when the
  next word is a typical sentence opener (The, It, He, They, ...).
- A split right after a title abbreviation ("Gen. | Haftar", "Vol. | 3") or before a lowercase
  letter or digit is undone.
- Pieces without any letter or digit (a lone bullet, "***") are not sentences.
- A "sentence" longer than `MAX_SEGMENT_CHARS` (2,000 characters; the longest real sentence in
  FA-KES and MUC-3/4 has 1,679) is not one: a scraped page without full stops, a table, a list.
  It is cut into segments of at most that length, at its last line break inside the limit, else
  at its last space, else (one "word" longer than the limit) at the limit itself. Each segment
  is scored like a sentence and marked with its place (`Sentence.segment`), so a run can say
  how many sentences it cut. Ordinary text is never cut.
No text is ever truncated or dropped otherwise: every word of the text is in exactly one sentence
(or segment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sentencex import get_sentence_boundaries

SEGMENTER_VERSION = "sentencex+fixes-1"

_LINE_BREAK = re.compile(r"\n\s*\n|\n(?=\s*[^\s\na-z])")
_INITIALISM_END = re.compile(
    r"\b(?:[A-Za-z]\.){2,}(?=\s+(?:The|A|An|It|Its|He|She|They|We|I|This|That|These|Those|"
    r"There|His|Her|Their|But|And|In|On|At|After|Before|However|Meanwhile|According|Earlier|"
    r"Later|On|Last|Since|While|When)\b)"
)
_TITLE_ABBREV = re.compile(
    r"(?:^|\s|\()(?:Gen|Lt|Col|Maj|Brig|Capt|Cmdr|Adm|Sgt|Cpl|Pvt|Gov|Sen|Rep|Pres|Mr|Mrs|Ms|"
    r"Dr|Prof|Rev|St|Mt|Ft|No|Nos|Vol|Art|Fig|vs|approx|Jan|Feb|Aug|Sept|Sep|Oct|Nov|Dec)\.$"
)
_WORDY = re.compile(r"\w")
_LAST_SPACE = re.compile(r"\s(?=\S*$)")
MAX_SEGMENT_CHARS = 2000


@dataclass(frozen=True)
class Sentence:
    """A sentence: `text == source[start:end]`, stripped of surrounding whitespace. `segment` is
    None for a whole sentence, else the place (0, 1, ...) of this segment of an over-long one."""

    start: int
    end: int
    text: str
    segment: int | None = None


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """Sentences of `text` in order, with offsets into `text`; see the module doc for the rules."""
    sentences: list[Sentence] = []
    for block_start, block_end in _blocks(text):
        pieces = _split_block(text[block_start:block_end], language)
        for start, end in pieces:
            sentence = _strip(text, block_start + start, block_start + end)
            if sentence is not None:
                sentences += bounded(text, sentence)
    return sentences


def article_sentences(title: str | None, text: str) -> list[tuple[bool, Sentence]]:
    """What `framing score` scores for one article, in order: (is_title, sentence).

    The title, when there is one, is a sentence of its own (offsets into the title); then the
    sentences of `text` (offsets into the text).
    """
    head = [(True, s) for s in bounded(title, Sentence(0, len(title), title))] if title else []
    return head + [(False, sentence) for sentence in split_sentences(text)]


def bounded(text: str, sentence: Sentence) -> list[Sentence]:
    """`sentence` (of `text`) as it is, or cut into segments of at most `MAX_SEGMENT_CHARS`."""
    if sentence.end - sentence.start <= MAX_SEGMENT_CHARS:
        return [sentence]
    segments: list[Sentence] = []
    start = sentence.start
    while start < sentence.end:
        stop = min(start + MAX_SEGMENT_CHARS, sentence.end)
        if stop < sentence.end:
            window = text[start : stop + 1]  # a break right after the limit still counts
            cut = window.rfind("\n")
            if cut <= 0:
                space = _LAST_SPACE.search(window)
                cut = space.start() if space and space.start() > 0 else MAX_SEGMENT_CHARS
            stop = start + cut
        piece = _strip(text, start, stop)
        if piece is not None:
            segments.append(Sentence(piece.start, piece.end, piece.text, len(segments)))
        start = stop
        while start < sentence.end and text[start].isspace():
            start += 1
    return segments


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans between line breaks that always end a sentence."""
    spans = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_block(block: str, language: str) -> list[tuple[int, int]]:
    bounds = [(b["start_index"], b["end_index"]) for b in get_sentence_boundaries(language, block)]
    if not bounds:
        return [(0, len(block))]
    bounds = _merge_false_splits(block, bounds)
    return [piece for start, end in bounds for piece in _split_initialisms(block, start, end)]


def _merge_false_splits(block: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged = [bounds[0]]
    for start, end in bounds[1:]:
        prev_start, prev_end = merged[-1]
        previous = block[prev_start:prev_end].rstrip()
        following = block[start:end].lstrip()
        glued = (
            _TITLE_ABBREV.search(previous) is not None
            or (following[:1].islower() or following[:1].isdigit()) and previous.endswith(".")
        )
        if glued:
            merged[-1] = (prev_start, end)
        else:
            merged.append((start, end))
    return merged


def _split_initialisms(block: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    for match in _INITIALISM_END.finditer(block, start, end):
        pieces.append((start, match.end()))
        start = match.end()
    pieces.append((start, end))
    return pieces


def _strip(text: str, start: int, end: int) -> Sentence | None:
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    trail = len(chunk) - len(chunk.rstrip())
    start, end = start + lead, end - trail
    if start >= end or not _WORDY.search(text[start:end]):
        return None
    return Sentence(start, end, text[start:end])
