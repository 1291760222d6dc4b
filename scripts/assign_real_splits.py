"""Assign train / dev / test splits to the real-text layer (labels/real/*.jsonl), by article.

- Every sentence of one article shares its split, so no article is both trained and tested on.
- Articles that share a sentence (identical, or word-3-gram Jaccard > 0.5: wire copy
  republished under another outlet's name) form one group, and a group shares one split, so a
  test sentence never has a twin in training. Sentences under 8 words (a bare dateline) and
  sentences tagged `boilerplate` ("Follow TRTWorld ...") do not tie articles together: page
  furniture would otherwise chain a whole outlet into one group.
- A group is placed by a hash of its first article key (corpus:doc_id), so an article keeps its
  split when others are added. Groups holding a whole random article (`selection: random`) go
  50% train / 15% dev / 35% test: the random articles are where outlet shares are checked
  against gold, so the test keeps a large natural sample. Groups of actively selected sentences
  only go 80% / 10% / 10%: they are hard cases, most useful to learn from.

Usage: python scripts/assign_real_splits.py labels/real/*.jsonl   (rewrites the files in place)
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

from framing.data.check import is_furniture, near_duplicates, normalise
from framing.data.records import LabelledSentence

GROUP_JACCARD = 0.5
RANDOM_SPLITS = ((50, "train"), (65, "dev"), (100, "test"))
ACTIVE_SPLITS = ((80, "train"), (90, "dev"), (100, "test"))


def _find(parent: dict[str, str], a: str) -> str:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def article_groups(records: list[dict]) -> dict[str, str]:
    """Article key -> the key of its group's representative (smallest key in the group)."""
    keys = [f"{r['corpus']}:{r['doc_id']}" for r in records]
    parent = {k: k for k in keys}

    def union(a: str, b: str) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    long = [i for i, r in enumerate(records) if not is_furniture(LabelledSentence(
        r["text"], r["frame"], doc_id=r["doc_id"], sentence_idx=r["sentence_idx"],
        tags=tuple(r.get("tags", []))))]
    first_with_text: dict[str, str] = {}
    for i in long:
        union(keys[i], first_with_text.setdefault(normalise(records[i]["text"]), keys[i]))
    for a, b, _ in near_duplicates([records[i]["text"] for i in long], GROUP_JACCARD):
        union(keys[long[a]], keys[long[b]])
    return {k: _find(parent, k) for k in keys}


def split_of(group: str, has_random: bool) -> str:
    h = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100
    table = RANDOM_SPLITS if has_random else ACTIVE_SPLITS
    return next(name for bound, name in table if h < bound)


def main(paths: list[str]) -> None:
    files = {p: [json.loads(line) for line in Path(p).read_text(encoding="utf-8").splitlines()
                 if line.strip()] for p in paths}
    records = [r for rs in files.values() for r in rs]
    group_of = article_groups(records)
    random_groups = {group_of[f"{r['corpus']}:{r['doc_id']}"] for r in records
                     if r.get("selection") == "random"}
    for path, rs in files.items():
        for r in rs:
            group = group_of[f"{r['corpus']}:{r['doc_id']}"]
            r["split"] = split_of(group, group in random_groups)
        Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rs),
                              encoding="utf-8")
    counts = Counter((r["corpus"], r.get("selection"), r["split"]) for r in records)
    for key, n in sorted(counts.items()):
        print(" ".join(map(str, key)), n)
    print("groups:", len(set(group_of.values())), "articles:", len(group_of))


if __name__ == "__main__":
    main(sys.argv[1:])
