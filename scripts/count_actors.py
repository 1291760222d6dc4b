"""Count the armed groups of labels/actors.yaml named in labelled JSONL files.

Usage: python scripts/count_actors.py labels/*.jsonl
Each sentence counts once per actor it names, whatever the number of mentions.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from framing.text.actors import ActorMatcher, load_gazetteer


def main(paths: list[str]) -> None:
    gazetteer = load_gazetteer()
    matcher = ActorMatcher(gazetteer)
    counts: Counter[str] = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    text = json.loads(line)["text"]
                    counts.update({m.actor for m in matcher.mentions(text)})
    print(f"{len(counts)} of the gazetteer's {len(gazetteer.actors)} armed groups are named")
    print(", ".join(f"{actor} {n}" for actor, n in counts.most_common()))


if __name__ == "__main__":
    main(sys.argv[1:])
