"""`framing data check`: a labelled dataset as a whole.

Errors (the check fails): bad records, duplicate ids, the same sentence twice in one file of
written sentences, the same real sentence key (`doc_id`, `sentence_idx`) twice, identical texts
labelled with different frames, near-duplicates across splits (leakage), sealed articles and
sentences that share a 10-word run with a sealed article (`framing.data.sealed`).
Warnings: near-duplicates within a split, identical real sentences in several articles (wire copy
republished: kept, since every sentence of a drawn article is labelled), frames under 5% of the
training records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from framing.data.records import LabelledSentence, read_records
from framing.data.sealed import Sealed, word_runs, words
from framing.taxonomy import Taxonomy

NEAR_DUPLICATE_JACCARD = 0.8
SHINGLE_WORDS = 3
FURNITURE_WORDS = 8
"""A real sentence under this many words, or tagged `boilerplate`, is page furniture ("Read
Also", "-REUTERS"): repeated across articles and splits, it leaks nothing."""


def is_furniture(record: LabelledSentence) -> bool:
    return record.key is not None and (
        "boilerplate" in record.tags or len(normalise(record.text).split()) < FURNITURE_WORDS)


@dataclass
class CheckReport:
    """What `framing data check` found: errors fail the check, warnings do not."""

    records: list[LabelledSentence] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_dataset(paths: list[Path], taxonomy: Taxonomy,
                  sealed: Sealed | Iterable[str] = ()) -> CheckReport:
    """Schema, labels, duplicates, near-duplicates, sealed articles and balance of `paths`.

    `sealed` holds the articles reserved for independent evaluation (`read_sealed`, or bare
    ids): a record of one, or a sentence sharing a word run with one, is an error.
    """
    report = CheckReport()
    for p in paths:
        if not Path(p).is_file():
            report.errors.append(f"{p}: no such file")
            continue
        report.records.extend(read_records(Path(p), taxonomy, report.errors))
    recs = report.records
    _check_duplicates(recs, report)
    _check_ids(recs, report)
    _check_sealed(recs, Sealed.of(sealed), report)
    _check_near_duplicates(recs, report)
    _check_balance(recs, taxonomy, report)
    return report


def _check_duplicates(recs: list[LabelledSentence], report: CheckReport) -> None:
    seen: dict[str, LabelledSentence] = {}
    keys: dict[tuple[str | None, str, int], str] = {}
    repeats: list[str] = []
    for r in recs:
        if r.key is not None:
            key = (r.corpus, *r.key)
            if key in keys:
                report.errors.append(f"{r.where}: sentence {key} already labelled at "
                                     f"{keys[key]}; remove one")
            keys.setdefault(key, r.where)
        text = normalise(r.text)
        first = seen.setdefault(text, r)
        if first is r:
            continue
        if first.frame != r.frame:
            report.errors.append(f"{r.where}: same text as {first.where} with a different frame "
                                 f"({first.frame}/{r.frame}); make them agree")
        elif r.key is not None and first.key is not None:
            repeats.append(f"{r.where} = {first.where}")
        else:
            report.errors.append(f"{r.where}: duplicate text of {first.where}; remove one")
    if repeats:
        report.warnings.append(
            f"{len(repeats)} real sentences repeat an earlier one (wire copy republished, "
            f"page furniture, a sentence repeated in its article), all with the same frame; "
            f"first: {repeats[0]}")


def _check_ids(recs: list[LabelledSentence], report: CheckReport) -> None:
    where: dict[str, str] = {}
    for r in recs:
        if r.id is None:
            continue
        if r.id in where:
            report.errors.append(f"{r.where}: id {r.id!r} already used at {where[r.id]}")
        else:
            where[r.id] = r.where


def _check_sealed(recs: list[LabelledSentence], sealed: Sealed, report: CheckReport) -> None:
    for r in recs:
        if r.doc_id is not None and r.doc_id in sealed.ids:
            report.errors.append(
                f"{r.where}: article {r.doc_id!r} is sealed (reserved for independent "
                "evaluation); remove every sentence of it"
            )
        elif (shared := sealed.shared_run(r.text)) is not None:
            run, article = shared
            report.errors.append(
                f"{r.where}: text shares the words \"{run}\" with sealed article {article!r} "
                "(wire copy republished?); sealed text may not enter the labels: remove the "
                "sentence"
            )


def _check_near_duplicates(recs: list[LabelledSentence], report: CheckReport) -> None:
    for a, b, score in near_duplicates([r.text for r in recs]):
        ra, rb = recs[a], recs[b]
        cross_split = bool(ra.split and rb.split and ra.split != rb.split)
        if is_furniture(ra) and is_furniture(rb):
            continue
        if normalise(ra.text) == normalise(rb.text) and not cross_split:
            continue  # exact duplicates within a split are handled above
        msg = (
            f"{ra.where} ~ {rb.where}: near-duplicate texts (word-{SHINGLE_WORDS}-gram Jaccard "
            f"{score:.2f} > {NEAR_DUPLICATE_JACCARD})"
        )
        if cross_split:
            report.errors.append(
                f"{msg} in different splits ({ra.split}/{rb.split}): leakage; "
                "rewrite one or move both to one split"
            )
        elif ra.key is not None and rb.key is not None:
            report.warnings.append(f"{msg}, both real and in one split: kept")
        else:
            report.warnings.append(f"{msg}; rewrite one of them")


def _check_balance(recs: list[LabelledSentence], taxonomy: Taxonomy, report: CheckReport) -> None:
    train = [r for r in recs if r.split in (None, "train")]
    if not train:
        return
    counts = Counter(r.frame for r in train)
    for label in taxonomy.labels:
        share = counts[label] / len(train)
        if share < 0.05:
            report.warnings.append(
                f"frame {label!r} is {share:.1%} of training records ({counts[label]}); "
                "the model will learn it poorly - add examples or use class_weighting: balanced"
            )


def normalise(text: str) -> str:
    return " ".join(words(text))


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """Word k-grams of `text`; a text under k words is one shingle of itself."""
    return word_runs(text, k) or {normalise(text)}


def near_duplicates(
    texts: list[str], threshold: float = NEAR_DUPLICATE_JACCARD
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) of texts whose word-3-gram Jaccard similarity exceeds threshold.

    Exact: candidates come from an inverted index of shingles, so only pairs sharing a shingle
    are compared.
    """
    sets = [shingles(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for sh in s:
            index[sh].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    for members in index.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                shared[(members[x], members[y])] += 1
    pairs = []
    for (i, j), inter in shared.items():
        score = inter / (len(sets[i]) + len(sets[j]) - inter)
        if score > threshold:
            pairs.append((i, j, score))
    return sorted(pairs)


def summarise(recs: list[LabelledSentence], taxonomy: Taxonomy) -> str:
    """A plain-text table of counts per frame, voice, split, corpus, selection, outlet and tag."""
    lines = [f"{len(recs)} records"]
    lines += _count_block("frame", Counter(r.frame for r in recs), len(recs), taxonomy.precedence)
    lines += _count_block("voice", Counter(str(r.voice) for r in recs), len(recs))
    lines += _count_block("split", Counter(str(r.split) for r in recs), len(recs))
    split_frames: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in recs:
        split_frames[str(r.split)][r.frame] += 1
    header = "  split      " + " ".join(f"{label[:10]:>10}" for label in taxonomy.precedence)
    lines += ["frames per split:", header]
    for split, c in sorted(split_frames.items()):
        lines.append(f"  {split:<10} " + " ".join(f"{c[lab]:>10}" for lab in taxonomy.precedence))
    for name in ("corpus", "selection", "conflict", "outlet"):
        values = Counter(str(getattr(r, name)) for r in recs)
        if set(values) != {"None"}:
            lines += _count_block(name, values, len(recs))
    lines += _count_block("tag", Counter(t for r in recs for t in r.tags), len(recs))
    hard = set(taxonomy.hard_tags)
    n_hard = sum(1 for r in recs if hard & set(r.tags))
    if recs:
        lines.append(f"hard cases (any hard tag): {n_hard} ({n_hard / len(recs):.1%})")
    return "\n".join(lines)


def _count_block(
    name: str, counts: Counter[str], total: int, order: list[str] | None = None
) -> list[str]:
    keys = order if order is not None else [k for k, _ in counts.most_common()]
    out = [f"{name}:"]
    for k in keys:
        out.append(f"  {k:<28} {counts[k]:>6}  {counts[k] / max(total, 1):6.1%}")
    return out
