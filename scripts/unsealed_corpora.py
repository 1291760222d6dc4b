"""Write the unsealed articles of each corpus in ../shared/corpora to runs/corpora/<name>.jsonl.

The real-text labelled layer (labels/real/) and every tuning step use only these files: an
article listed in a corpus's SEALED.txt is reserved for independent evaluation, never read again.

    python scripts/unsealed_corpora.py    # then: framing score runs/corpora/fa-kes.jsonl ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

CORPORA = {"fa-kes": "fa-kes.jsonl", "muc34": "muc34.jsonl"}


def sealed_ids(folder: Path) -> set[str]:
    return set((folder / "SEALED.txt").read_text(encoding="utf-8").split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--out", type=Path, default=Path("runs/corpora"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, file in CORPORA.items():
        folder = args.shared / name
        sealed = sealed_ids(folder)
        kept = dropped = 0
        with open(folder / file, encoding="utf-8") as src, \
                open(args.out / f"{name}.jsonl", "w", encoding="utf-8") as dst:
            for line in src:
                if json.loads(line)["id"] in sealed:
                    dropped += 1
                    continue
                dst.write(line)
                kept += 1
        print(f"{name}: {kept} unsealed articles -> {args.out / (name + '.jsonl')} "
              f"({dropped} sealed left out)")


if __name__ == "__main__":
    main()
