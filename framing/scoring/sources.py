"""Input paths -> `Source`s to read records from: files, folders of .txt, gzip files, zip archives.

- The format comes from the suffix, once a `.gz` is taken off: .jsonl / .ndjson / .json (JSON),
  .csv, .tsv / .tab, .parquet / .pq, .txt (one article per file); `--input-format` overrides it.
- gzip is recognised by its first bytes, whatever the file is called, and decompressed while
  it is read.
- A folder: each .txt file in it is one article; its other files are listed as not read.
- A .zip: each member is read by its own suffix (a member without a known suffix by
  `--input-format`); members of other kinds, and macOS's `__MACOSX/` copies, are listed as not
  read. Parquet needs a plain file (it is read by seeking): decompress it first.
- Nothing is read whole: a gzip file or a zip member is decompressed as it is read.
- A spreadsheet (.xlsx, .ods, ...) is refused with how to export it as CSV.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import IO, Literal

from framing.errors import FramingError
from framing.scoring.accounting import IngestStats
from framing.scoring.decoding import open_binary

InputFormat = Literal["jsonl", "csv", "tsv", "parquet", "txt"]
Opener = Callable[[], "IO[bytes] | io.BufferedIOBase"]


class InputFormatChoice(StrEnum):
    """`--input-format` choices (the same names as `InputFormat`)."""

    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    parquet = "parquet"
    txt = "txt"


SUFFIXES: dict[str, InputFormat] = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv",
    ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet", ".txt": "txt",
}
_SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Source:
    """One stream of records: a file, a gzip file's content, or a zip member."""

    name: str  # for messages and rejects: the path, or "archive.zip:member"
    fmt: InputFormat
    opener: Opener  # a new binary stream of the (decompressed) bytes
    size: int  # decompressed bytes, for progress (gzip: from its trailer, modulo 4 GiB)
    stem: str  # the id of a .txt article: its file name without the suffix
    path: Path | None = None  # the plain file itself (Parquet is read from it)

    def open(self, stats: IngestStats) -> io.BufferedReader:
        """The bytes, buffered, counted into `stats.bytes_read`; FramingError if unreadable."""
        try:
            return open_binary(self.opener(), stats)
        except (OSError, RuntimeError, zipfile.BadZipFile) as exc:  # RuntimeError: encrypted
            raise FramingError(f"{self.name}: cannot be opened ({exc})") from None


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(4)


def detect_format(path: Path, declared: InputFormat | None) -> InputFormat | Literal["zip"]:
    """The format of an input path ("zip" for an archive); FramingError when it cannot tell."""
    if path.is_dir():
        return "txt"
    name = path.name.lower().removesuffix(".gz")
    suffix = Path(name).suffix
    if suffix in _SPREADSHEETS:
        raise FramingError(
            f"{path}: a spreadsheet, not a text format; export it as CSV (in Excel: Save As > "
            "'CSV UTF-8') and pass the .csv"
        )
    if path.suffix.lower() == ".zip" or _head(path) == _ZIP_MAGIC:
        return "zip"
    if declared:
        return declared
    if suffix not in SUFFIXES:
        raise FramingError(
            f"{path}: cannot tell the input format from the suffix {suffix!r}; expected .jsonl, "
            ".json, .csv, .tsv, .parquet, .txt (each optionally .gz), .zip, or a folder of .txt "
            "files; pass --input-format"
        )
    return SUFFIXES[suffix]


def sources(path: Path, declared: InputFormat | None, stats: IngestStats) -> Iterator[Source]:
    """The sources of one input path, in order; what is not read goes to `stats.skipped_files`."""
    fmt = detect_format(path, declared)
    if path.is_dir():
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            if file.suffix.lower() == ".txt":
                yield _plain(file, "txt")
            else:
                stats.skipped_files.append(str(file))
    elif fmt == "zip":
        yield from _members(path, declared, stats)
    elif _head(path).startswith(_GZIP_MAGIC):
        if fmt == "parquet":
            raise FramingError(f"{path}: Parquet inside gzip cannot be streamed; decompress it "
                               f"first (gunzip -k {path})")
        stem = Path(path.name.removesuffix(".gz").removesuffix(".GZ")).stem
        yield Source(str(path), fmt, partial(gzip.open, path, "rb"), _gzip_size(path), stem)
    else:
        yield _plain(path, fmt)


def _plain(path: Path, fmt: InputFormat) -> Source:
    return Source(str(path), fmt, lambda: open(path, "rb"), path.stat().st_size, path.stem, path)


def _gzip_size(path: Path) -> int:
    with open(path, "rb") as fh:
        fh.seek(0, io.SEEK_END)
        if fh.tell() < 18:
            return 0
        fh.seek(-4, io.SEEK_END)
        return int.from_bytes(fh.read(4), "little")


def _members(path: Path, declared: InputFormat | None, stats: IngestStats) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FramingError(f"{path}: not a readable zip archive ({exc}); is the download "
                           "complete?") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            label, member = f"{path}:{info.filename}", Path(info.filename)
            fmt = SUFFIXES.get(member.suffix.lower()) or declared
            if (fmt is None or fmt == "parquet" or info.filename.startswith("__MACOSX/")
                    or member.name.startswith("._")):
                stats.skipped_files.append(label)
                continue
            yield Source(label, fmt, partial(archive.open, info), info.file_size, member.stem)


def input_bytes(paths: list[Path], declared: InputFormat | None) -> int:
    """Total decompressed size of what will be read: the progress bar's 100%."""
    ignored = IngestStats()
    return sum(source.size for path in paths for source in sources(path, declared, ignored))
