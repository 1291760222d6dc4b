"""Bytes of one input -> text: byte-order marks, UTF-16/32, UTF-8 with stray Windows-1252 bytes.

- A byte-order mark decides: UTF-8 (Excel's "CSV UTF-8"; the mark is dropped), UTF-16 or
  UTF-32 (Excel's "Unicode text", Windows tools), little- or big-endian.
- Without one, the text is UTF-8; a byte that is not valid UTF-8 but is a defined Windows-1252
  character (e.g. 0x95 "•") is decoded as Windows-1252 and counted (`recovered_bytes`,
  `recovered_records`). A byte that is neither (0x81, 0x8D, 0x8F, 0x90, 0x9D) is left as a marker
  so that `framing.scoring.ingest` rejects the record holding it.
- Without a mark, a NUL byte in the first 8 KiB means a binary file (or UTF-16 without its mark).
- Text is read as lines (JSON Lines, CSV) or as bounded chunks (a JSON array on one line), never
  a whole file at once.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, Literal

from framing.errors import FramingError
from framing.scoring.accounting import IngestStats

Encoding = Literal["utf-8", "utf-8-sig", "utf-16", "utf-32", "binary"]
CHUNK_CHARS = 1 << 20
MAX_RECORD_CHARS = 1 << 26  # one CSV field or JSON record: 64 Mi characters, bounded memory
_SNIFF = 8192
_BOMS: tuple[tuple[bytes, Encoding], ...] = (  # UTF-32-LE's mark starts with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(raw: bytes) -> tuple[str, int]:
    """UTF-8, with stray Windows-1252 bytes decoded as such; returns (text, n_recovered).

    A byte that is neither valid UTF-8 nor a defined Windows-1252 character becomes a lone
    surrogate (U+DC80..U+DCFF) so the caller can find and reject the record holding it.
    """
    parts: list[str] = []
    recovered = 0
    pos = 0
    while True:
        try:
            parts.append(raw[pos:].decode("utf-8"))
            return "".join(parts), recovered
        except UnicodeDecodeError as exc:
            bad_start, bad_end = pos + exc.start, pos + exc.end
            parts.append(raw[pos:bad_start].decode("utf-8"))
            for byte in raw[bad_start:bad_end]:
                try:
                    parts.append(bytes([byte]).decode("cp1252"))
                    recovered += 1
                except UnicodeDecodeError:
                    parts.append(chr(0xDC00 + byte))
            pos = bad_end


def undecodable_byte(text: str) -> int | None:
    """The first byte value left undecoded by `decode_bytes`, or None."""
    for ch in text:
        if "\udc80" <= ch <= "\udcff":
            return ord(ch) - 0xDC00
    return None


def sniff_encoding(head: bytes) -> Encoding:
    """The encoding of a stream from its first bytes (see the module doc)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return "binary" if b"\x00" in head[:_SNIFF] else "utf-8"


def stream_encoding(stream: io.BufferedReader) -> Encoding:
    """`sniff_encoding` of a buffered stream, without consuming anything."""
    return sniff_encoding(stream.peek(_SNIFF)[:_SNIFF])


def text_lines(stream: io.BufferedReader, enc: Encoding, name: str,
               stats: IngestStats) -> Iterator[str]:
    """The stream's lines as text, each with its line break ('\\n' ends a line)."""
    if enc in ("utf-16", "utf-32"):
        yield from _checked(io.TextIOWrapper(stream, encoding=enc, newline="\n"), enc, name)
        return
    if enc == "utf-8-sig":
        stream.read(len(codecs.BOM_UTF8))
    for raw in stream:
        text, recovered = decode_bytes(raw)
        stats.count_recovered(recovered)
        yield text


def text_chunks(stream: io.BufferedReader, enc: Encoding, name: str,
                stats: IngestStats) -> Iterator[str]:
    """The stream's text in pieces of about `CHUNK_CHARS`, cut anywhere (even mid-line)."""
    if enc in ("utf-16", "utf-32"):
        wide = io.TextIOWrapper(stream, encoding=enc, newline="")
        yield from _checked(iter(lambda: wide.read(CHUNK_CHARS), ""), enc, name)
        return
    if enc == "utf-8-sig":
        stream.read(len(codecs.BOM_UTF8))
    pending = b""
    while block := stream.read(CHUNK_CHARS):
        block = pending + block
        cut = _complete_utf8(block)
        pending = block[cut:]
        text, recovered = decode_bytes(block[:cut])
        stats.count_recovered(recovered)
        yield text
    if pending:
        text, recovered = decode_bytes(pending)
        stats.count_recovered(recovered)
        yield text


def _checked(pieces: Iterator[str], enc: str, name: str) -> Iterator[str]:
    try:
        yield from pieces
    except UnicodeDecodeError as exc:
        raise FramingError(
            f"{name}: not valid {enc.upper()} text, though it starts with a {enc.upper()} "
            f"byte-order mark ({exc.reason}); re-save it as UTF-8"
        ) from None


def _complete_utf8(block: bytes) -> int:
    """Length of the longest prefix of `block` that does not end inside a UTF-8 sequence."""
    for back in range(1, min(4, len(block)) + 1):
        byte = block[-back]
        if byte < 0x80:
            return len(block)
        if byte >= 0xC0:  # the lead byte of the last sequence: is the sequence complete?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(block) - back if need > back else len(block)
    return len(block)


def binary_reason(fmt: str) -> str:
    """Why a file with NUL bytes is set aside, and what to do if it is text after all."""
    return (f"binary file (NUL bytes); not {fmt.upper()} text (UTF-16 without a byte-order mark? "
            "re-save it as UTF-8)")


def open_binary(raw: IO[bytes] | io.BufferedIOBase, stats: IngestStats) -> io.BufferedReader:
    """`raw` buffered (for `peek`), counting every byte read into `stats.bytes_read`."""
    return io.BufferedReader(_Counting(raw, stats), buffer_size=1 << 16)


class _Counting(io.RawIOBase):
    """A readable stream that adds the bytes it reads to `stats.bytes_read` (progress)."""

    def __init__(self, inner: IO[bytes] | io.BufferedIOBase, stats: IngestStats) -> None:
        self.inner, self.stats = inner, stats

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.inner.readinto(buffer)  # type: ignore[union-attr]
        self.stats.bytes_read += n or 0
        return n or 0

    def close(self) -> None:
        self.inner.close()
        super().close()
