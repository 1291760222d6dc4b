"""The output folder of `framing score`: is it usable, is it this run, what can be replaced.

A folder holds one scoring run. `run.json` records the run's identity (model, taxonomy, input
hashes, options that change results); a rerun with the same identity resumes or, when complete,
changes nothing. A different run is refused unless `--overwrite`, which also removes what
`framing compare` and `framing report` derived from the old scores (`compare/`, `report.html`,
`report_figures/`), so no stale table sits beside new scores. Standard input is copied into the
folder (`stdin.input`), so a resumed run reads the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from framing.errors import FramingError

RUN_FILE = "run.json"
STDIN_FILE = "stdin.input"
PARTS = "parts"
OUTPUT_STEMS = ("sentences", "documents", "outlets")
OWN_FILES = (RUN_FILE, "provenance.json", "rejects.jsonl", PARTS)
DERIVED = ("compare", "report.html", "report_figures")


def _ours(name: str) -> bool:
    return (name in OWN_FILES or name in DERIVED or name == STDIN_FILE
            or name.split(".")[0] in OUTPUT_STEMS)


class OutputFolder:
    """One `--out` folder; every decision about its contents lives here."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parts = path / PARTS

    def check_usable(self) -> None:
        """Refuse a path that is a file, a folder we cannot reach or write (mode bits, a
        read-only file system, a parent folder we may not enter), or one holding other files.

        Runs before anything is read, standard input included.
        """
        try:
            if self.path.exists() and not self.path.is_dir():
                raise FramingError(f"{self.path}: --out is a file; pass a folder")
            self.path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.path, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise FramingError(
                f"{self.path}: output folder not writable ({exc.strerror}); pass an --out you "
                "can write to"
            ) from None
        try:
            foreign = sorted(p.name for p in self.path.iterdir() if not _ours(p.name))
        except OSError as exc:
            raise FramingError(f"{self.path}: output folder not readable ({exc.strerror}); "
                               "pass an --out you can read and write") from None
        if foreign and not (self.path / RUN_FILE).is_file():
            raise FramingError(
                f"{self.path}: output folder holds other files ({', '.join(foreign[:5])}); "
                "pass an empty or new --out"
            )

    def spool_stdin(self) -> Path:
        """Copy standard input into the folder in 1 MiB blocks (never all in memory)."""
        target = self.path / STDIN_FILE
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
        os.replace(tmp, target)
        return target

    def previous(self) -> dict | None:
        state = self.path / RUN_FILE
        return json.loads(state.read_text(encoding="utf-8")) if state.is_file() else None

    def prepare(self, identity: dict, overwrite: bool) -> dict | None:
        """The previous run's state when the folder holds this same run; else an empty folder
        (with `overwrite`) or a FramingError saying what differs."""
        previous = self.previous()
        if previous is not None and previous.get("identity") == identity:
            return previous
        leftovers = [p for p in self.path.iterdir() if _ours(p.name) and p.name != STDIN_FILE]
        if previous is None and not leftovers:
            return None
        if not overwrite:
            old = (previous or {}).get("identity", {})
            changed = sorted(k for k in identity if old.get(k) != identity[k]) or ["unknown"]
            raise FramingError(
                f"{self.path}: holds a different scoring run (differs in: {', '.join(changed)}); "
                "pass --overwrite to replace it, or another --out"
            )
        for p in leftovers:
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        return None

    def write_state(self, state: dict) -> None:
        write_json_atomic(self.path / RUN_FILE, state)


def write_json_atomic(path: Path, obj: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
