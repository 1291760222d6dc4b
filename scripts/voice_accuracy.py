"""Report the voice rule's accuracy on labelled JSONL (default: the test split of labels/*.jsonl).

    python scripts/voice_accuracy.py                      # records with "split": "test"
    python scripts/voice_accuracy.py --split all          # every record (a diagnostic only)
    python scripts/voice_accuracy.py labels/syria-iraq.jsonl --split dev

Exit code 2 with a message naming file:line and field on a bad record.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from framing.errors import FramingError
from framing.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from framing.text.voice import measure_voice_rule

LABELS = Path(__file__).resolve().parent.parent / "labels"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path,
                        help="labelled JSONL files (default: labels/*.jsonl)")
    parser.add_argument("--split", default="test",
                        help="only records with this 'split' value; 'all' for every record")
    parser.add_argument("--taxonomy", type=Path, default=DEFAULT_TAXONOMY)
    args = parser.parse_args(argv)
    paths = args.paths or sorted(LABELS.glob("*.jsonl"))
    split = None if args.split == "all" else args.split
    try:
        result = measure_voice_rule(paths, load_taxonomy(args.taxonomy), split)
    except FramingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.summary())
    if result.n == 0:
        print(f"no framed records with split={args.split!r} yet: nothing measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
