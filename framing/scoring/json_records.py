"""JSON inputs, whatever their layout: JSON Lines, one JSON array, or values one after another.

The layout is read from the start of the text (after any byte-order mark):
- first non-blank character `[`: one JSON array, each element a record, compact on one line or
  pretty-printed; streamed, one element in memory at a time;
- first line a complete JSON value: JSON Lines; a malformed line is a `Reject` and reading goes
  on with the next line;
- otherwise (pretty-printed objects one after another): JSON values one after another.
An element or line that is not an object is a `Reject`, so every record is counted once. An
array or a value stream cannot be read past a syntax error: FramingError naming the file, the
line and the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Literal

from framing.errors import FramingError
from framing.scoring.accounting import IngestStats, Reject
from framing.scoring.decoding import (
    CHUNK_CHARS,
    MAX_RECORD_CHARS,
    binary_reason,
    stream_encoding,
    text_chunks,
    text_lines,
)
from framing.scoring.sources import Source

Layout = Literal["lines", "array", "values"]
_SNIFF_CHARS = 1 << 20  # a first line longer than this is taken for a JSON Lines record
_BLANK = re.compile(r"[ \t\r\n]*")
_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*\Z")


def json_records(source: Source, stats: IngestStats) -> Iterator[tuple[int, dict | Reject]]:
    """(line, record or Reject) for every record of a JSON source, in order."""
    layout = _layout(source)
    with source.open(stats) as stream:
        enc = stream_encoding(stream)
        if enc == "binary":
            yield 1, Reject(source.name, None, None, None, "binary file", binary_reason("json"))
            return
        if layout == "lines":
            values = _lines(text_lines(stream, enc, source.name, stats), source.name)
        else:
            chunks = _ValueStream(text_chunks(stream, enc, source.name, stats), source.name)
            values = chunks.array() if layout == "array" else chunks.values()
        for line, value in values:
            if isinstance(value, dict | Reject):
                yield line, value
            else:
                reason = f"expected a JSON object, found {type(value).__name__}"
                yield line, Reject(source.name, line, None, None, "not an object", reason)


def _layout(source: Source) -> Layout:
    with source.open(IngestStats()) as stream:
        enc = stream_encoding(stream)
        if enc == "binary":
            return "lines"
        head = ""
        for piece in text_chunks(stream, enc, source.name, IngestStats()):
            head = (head + piece).lstrip()
            if "\n" in head or len(head) >= _SNIFF_CHARS:
                break
    if head.startswith("["):
        return "array"
    first, newline, _ = head.partition("\n")
    if not head.startswith("{") or not newline:
        return "lines"
    try:
        json.loads(first)
    except json.JSONDecodeError:
        return "values"
    return "lines"


def _lines(lines: Iterator[str], name: str) -> Iterator[tuple[int, object]]:
    for line_no, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield line_no, json.loads(text)
        except json.JSONDecodeError as exc:
            yield line_no, Reject(name, line_no, None, None, "malformed JSON",
                                  f"malformed JSON: {exc.msg}")


class _ValueStream:
    """JSON values from chunks of text, one at a time, each with the line it starts on."""

    def __init__(self, chunks: Iterator[str], name: str) -> None:
        self.chunks, self.name = chunks, name
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False
        self.decoder = json.JSONDecoder()

    def array(self) -> Iterator[tuple[int, object]]:
        self._take("[")
        if self._peek() == "]":
            self._take("]")
        else:
            while True:
                start, value = self._value()
                yield start, value
                after = self._peek()
                if after not in (",", "]"):
                    found = repr(after) if after else "the end of the file"
                    raise self._error(f"expected ',' or ']' after the record that starts at line "
                                      f"{start}, found {found}")
                self._take(after)
                if after == "]":
                    break
        if self._peek() is not None:
            raise self._error("more text after the end of the JSON array")

    def values(self) -> Iterator[tuple[int, object]]:
        while self._peek() is not None:
            yield self._value()

    def _more(self, at_least: int) -> bool:
        """Append at least `at_least` characters (fewer at the end); False when none are left."""
        if self.eof:
            return False
        if self.pos > CHUNK_CHARS and 2 * self.pos > len(self.buf):
            self.buf, self.pos = self.buf[self.pos :], 0
        pieces, got = [self.buf], 0
        for piece in self.chunks:
            pieces.append(piece)
            got += len(piece)
            if got >= at_least:
                break
        else:
            self.eof = True
        self.buf = "".join(pieces)
        return got > 0

    def _peek(self) -> str | None:
        """The next non-blank character, not consumed; None at the end of the text."""
        while True:
            end = _BLANK.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            if end < len(self.buf):
                return self.buf[end]
            if not self._more(CHUNK_CHARS):
                return None

    def _take(self, char: str) -> None:
        if self._peek() != char:
            raise self._error(f"expected {char!r}")
        self.pos += 1

    def _value(self) -> tuple[int, object]:
        self._peek()  # the decoder does not skip leading blanks
        start = self.line
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._maybe_cut(exc) and self._more(max(CHUNK_CHARS, len(self.buf) - self.pos)):
                    continue
                raise self._error(exc.msg, exc.pos) from None
            if _NUMBER_TAIL.match(self.buf, end) and self._more(CHUNK_CHARS):
                continue  # a number cut by the end of the chunk ("12." of "12.5") goes on
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            return start, value

    def _maybe_cut(self, exc: json.JSONDecodeError) -> bool:
        """True when the error may only mean that the text read so far ends mid-value."""
        if len(self.buf) - self.pos > MAX_RECORD_CHARS:
            raise self._error(f"a record over {MAX_RECORD_CHARS:,} characters (an unclosed "
                              "string?)")
        return (exc.msg.startswith("Unterminated string") or len(self.buf) - exc.pos <= 6
                or not self.buf[exc.pos :].strip())

    def _error(self, what: str, at: int | None = None) -> FramingError:
        at = self.pos if at is None else at
        line = self.line + self.buf.count("\n", self.pos, at)
        return FramingError(
            f"{self.name}:{line}: malformed JSON ({what}); the file cannot be read past this "
            f"point. Fix it (python -m json.tool {self.name} points at the error), or write one "
            "record per line (JSON Lines) so that a bad record is set aside instead"
        )
