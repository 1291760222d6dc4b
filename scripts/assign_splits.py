"""Assign train/dev/test/ood_test splits to the project's dataset, deterministically.

- Every sentence of the out-of-domain conflicts goes to `ood_test` (never trained on).
- The rest: 80% train, 10% dev, 10% test, by a hash of the sentence id, so a sentence keeps its
  split when others are added. Sentences that are near each other (word-3-gram Jaccard > 0.5)
  are put in one group and share the split of the group's first id, so near-paraphrases cannot
  leak across splits.

Usage: python scripts/assign_splits.py labels/*.jsonl   (rewrites the files in place)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from framing.data.check import near_duplicates

OOD_CONFLICTS = {"colombia", "myanmar", "northern-ireland"}
GROUP_JACCARD = 0.5


def bucket(key: str) -> str:
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100
    return "train" if h < 80 else "dev" if h < 90 else "test"


def main(paths: list[str]) -> None:
    rows: list[tuple[Path, dict]] = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append((Path(p), json.loads(line)))
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in near_duplicates([r["text"] for _, r in rows], GROUP_JACCARD):
        parent[find(i)] = find(j)
    group_key: dict[int, str] = {}
    for i, (_, r) in enumerate(rows):
        root = find(i)
        group_key[root] = min(group_key.get(root, r["id"]), r["id"])
    for i, (_, r) in enumerate(rows):
        r["split"] = (
            "ood_test" if r.get("conflict") in OOD_CONFLICTS else bucket(group_key[find(i)])
        )
    for p in paths:
        mine = [r for path, r in rows if path == Path(p)]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in mine)
        Path(p).write_text(text, encoding="utf-8")
    counts: dict[str, int] = {}
    for _, r in rows:
        counts[r["split"]] = counts.get(r["split"], 0) + 1
    print(f"{len(rows)} records: {counts}")


if __name__ == "__main__":
    main(sys.argv[1:])
