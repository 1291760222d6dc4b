"""framing label suggest / annotate / merge: picking, the terminal loop, resuming, refusing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.errors import FramingError
from framing.labelling.suggest import Strategy, suggest
from framing.taxonomy import Taxonomy

from .synthetic_scores import sentence, write_scores

runner = CliRunner()


def _scores(tmp_path: Path) -> Path:
    """Outlet A: 4 articles of 3 sentences, outlet B: 2 articles of 5; the model is unsure
    about sentence 1 of every article and disagrees with the lexicon on 'Rebels ...' ones."""
    rows = []
    for outlet, docs, per_doc in (("A", 4, 3), ("B", 2, 5)):
        for d in range(docs):
            for s in range(per_doc):
                text = "Rebels shelled the town." if s == 2 else f"Sentence {s} of {outlet}{d}."
                row = sentence(f"{outlet}{d}", outlet, s, "neutral" if s == 2 else "none", text)
                if s == 1:  # nearly a tie between none and neutral
                    row |= {"p_none": 0.46, "p_neutral": 0.44}
                rows.append(row)
    return write_scores(tmp_path / "scores", rows)


def _queue(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_random_draws_whole_articles_per_outlet(tmp_path: Path, taxonomy: Taxonomy) -> None:
    df = pd.read_parquet(_scores(tmp_path) / "sentences.parquet")
    items = suggest(df, taxonomy, Strategy.random, per_outlet=5, seed=1)
    by_doc: dict[str, list[int]] = {}
    for item in items:
        by_doc.setdefault(item.doc_id, []).append(item.sentence_idx)
    sizes = {"A": 3, "B": 5}
    for doc, idx in by_doc.items():
        assert idx == list(range(sizes[doc[0]]))  # every sentence of a drawn article, in order
    assert sum(len(v) for d, v in by_doc.items() if d[0] == "A") == 6  # 2 articles reach 5
    assert sum(len(v) for d, v in by_doc.items() if d[0] == "B") == 5
    again = suggest(df, taxonomy, Strategy.random, per_outlet=5, seed=1)
    assert [i.key for i in again] == [i.key for i in items]  # seeded


def test_uncertain_and_disagree_and_the_per_doc_cap(tmp_path: Path, taxonomy: Taxonomy) -> None:
    df = pd.read_parquet(_scores(tmp_path) / "sentences.parquet")
    uncertain = suggest(df, taxonomy, Strategy.uncertain, n=6)
    assert {i.sentence_idx for i in uncertain} == {1}  # the near ties first
    disagree = suggest(df, taxonomy, Strategy.disagree, n=10)
    assert {i.text for i in disagree} == {"Rebels shelled the town."}
    assert all(i.model_frame == "neutral" and i.lexicon_frame == "rebel" for i in disagree)
    mixed = suggest(df, taxonomy, Strategy.mixed, n=12, per_doc=1)
    assert len({i.doc_id for i in mixed}) == len(mixed)  # at most one per article
    first = mixed[0]
    assert first.context_after and first.selection == "mixed"


def test_never_suggests_a_labelled_sentence(tmp_path: Path, taxonomy: Taxonomy) -> None:
    scores = _scores(tmp_path)
    labelled = tmp_path / "done.jsonl"
    labelled.write_text(json.dumps({"doc_id": "A0", "sentence_idx": 1, "text": "x",
                                    "frame": "none"}) + "\n")
    out = tmp_path / "q.jsonl"
    result = runner.invoke(app, ["label", "suggest", str(scores), "--strategy", "uncertain",
                                 "--n", "20", "--skip", str(labelled), "--out", str(out)])
    assert result.exit_code == 0, result.output
    keys = {(i["doc_id"], i["sentence_idx"]) for i in _queue(out)}
    assert ("A0", 1) not in keys and ("A1", 1) in keys
    # a second queue skips what the first one holds
    out2 = tmp_path / "q2.jsonl"
    runner.invoke(app, ["label", "suggest", str(scores), "--strategy", "uncertain", "--n", "20",
                        "--skip", str(out), "--out", str(out2)])
    assert not keys & {(i["doc_id"], i["sentence_idx"]) for i in _queue(out2)}


def test_never_suggests_sealed_text(tmp_path: Path) -> None:
    wire = "More than 300000 people have been killed since the conflict began in March 2011."
    own = "Rebels shelled the northern district of the city overnight, residents told our reporter."
    rows = [sentence("U1", "A", 0, "none", wire), sentence("U1", "A", 1, "rebel", own),
            sentence("S2", "A", 0, "none", "A sentence of an article sealed outright.")]
    scores = write_scores(tmp_path / "scores", rows)
    corpus = tmp_path / "corpus"
    corpus.mkdir()  # sealed article S9 carries U1's first sentence, as wire copy would
    (corpus / "articles.jsonl").write_text(json.dumps({"id": "S9", "text": f"Calm now. {wire}"})
                                           + "\n")
    sealed = corpus / "SEALED.txt"
    sealed.write_text("S9 S2\n")
    out = tmp_path / "q.jsonl"
    args = ["label", "suggest", str(scores), "--strategy", "random", "--n", "100", "--out"]
    result = runner.invoke(app, [*args, str(out), "--sealed", str(sealed)])
    assert result.exit_code == 0, result.output
    assert [(i["doc_id"], i["sentence_idx"]) for i in _queue(out)] == [("U1", 1)]
    everything = tmp_path / "all.jsonl"  # without --sealed all three are suggested
    assert runner.invoke(app, [*args, str(everything)]).exit_code == 0
    assert len(_queue(everything)) == 3


def test_uncertain_needs_probabilities(tmp_path: Path, taxonomy: Taxonomy) -> None:
    df = pd.read_parquet(_scores(tmp_path) / "sentences.parquet").drop(columns=["p_none"])
    with pytest.raises(FramingError, match="needs the p_<frame> probability columns"):
        suggest(df, taxonomy, Strategy.uncertain, n=3)
    with pytest.raises(FramingError, match="--per-outlet draws whole random articles"):
        suggest(df, taxonomy, Strategy.mixed, per_outlet=3)


def _annotate(queue: Path, out: Path, keys: str) -> str:
    result = runner.invoke(app, ["label", "annotate", str(queue), "--out", str(out)],
                           input=keys)
    assert result.exit_code == 0, result.output
    return result.output


def test_annotate_keys_undo_skip_quit_and_resume(tmp_path: Path) -> None:
    scores = _scores(tmp_path)
    queue = tmp_path / "q.jsonl"
    runner.invoke(app, ["label", "suggest", str(scores), "--strategy", "random", "--n", "6",
                        "--corpus", "demo", "--out", str(queue)])
    items = _queue(queue)
    out = tmp_path / "labelled.jsonl"
    # item 1: terrorist (key 1), attributed (t); item 2: none (6); undo item 2; item 2: rebel (4)
    # authorial (a); item 3: skip; item 4: none; quit
    output = _annotate(queue, out, "1t6u4as6q")
    assert "model:" in output and "before:" not in output.split(">>")[0]
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["frame"], r["voice"]) for r in records] == [
        ("terrorist", "attributed"), ("rebel", "authorial"), ("none", None)]
    assert [r["sentence_idx"] for r in records] == [
        items[0]["sentence_idx"], items[1]["sentence_idx"], items[3]["sentence_idx"]]
    assert records[0]["id"] == f"demo:{items[0]['doc_id']}:{items[0]['sentence_idx']}"
    assert records[0]["selection"] == "random" and records[0]["text"] == items[0]["text"]
    # a rerun resumes: the skipped item comes back first, answered items never do
    output = _annotate(queue, out, "g" + "no_actor_conflict\n" + "6q")
    assert "3 of 6 already labelled" in output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[-1]["sentence_idx"] == items[2]["sentence_idx"]
    assert records[-1]["tags"] == ["no_actor_conflict"]


def test_merge_validates_appends_and_refuses(tmp_path: Path) -> None:
    good = tmp_path / "new.jsonl"
    rec = {"id": "c:d1:0", "corpus": "c", "doc_id": "d1", "sentence_idx": 0, "outlet": "A",
           "text": "Rebels shelled the town on Monday.", "frame": "rebel", "voice": "authorial",
           "tags": [], "selection": "random"}
    good.write_text(json.dumps(rec) + "\n")
    target = tmp_path / "labels" / "real" / "mine.jsonl"
    result = runner.invoke(app, ["label", "merge", str(good), "--into", str(target)])
    assert result.exit_code == 0 and "merged 1 records" in result.stdout
    before = target.read_text()
    # the same sentence again: refused, target untouched
    result = runner.invoke(app, ["label", "merge", str(good), "--into", str(target)])
    assert result.exit_code == 2 and "already labelled" in result.stderr
    assert target.read_text() == before
    # a sealed article: refused
    sealed = tmp_path / "SEALED.txt"
    sealed.write_text("d2\n")
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(rec | {"id": "c:d2:0", "doc_id": "d2",
                                       "text": "Militants fled."}) + "\n")
    result = runner.invoke(app, ["label", "merge", str(other), "--into", str(target),
                                 "--sealed", str(sealed)])
    assert result.exit_code == 2 and "is sealed" in result.stderr
    # a bad label: refused with file, line and field
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rec | {"id": "c:d3:0", "doc_id": "d3", "frame": "terorist",
                                     "text": "Terrorists fled the town."}) + "\n")
    result = runner.invoke(app, ["label", "merge", str(bad), "--into", str(target)])
    assert result.exit_code == 2 and "did you mean 'terrorist'" in result.stderr
    assert target.read_text() == before
