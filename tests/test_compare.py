"""framing compare: numbers by hand, bootstrap with a known answer, contrasts, filters, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.comparison.compare import CompareSettings, compare, compare_scores
from framing.comparison.correct import adjust_shares, misclassification_rates
from framing.comparison.stats import adjust_pvalues, resample_articles
from framing.errors import FramingError
from framing.provenance import file_sha256
from framing.scoring.results import ScoredSentences, load_scores
from framing.taxonomy import Taxonomy
from framing.text.actors import load_gazetteer

from .synthetic_scores import LABELS, model_folder, random_outlets, sentence, write_scores


def _hand_rows() -> list[dict]:
    # outlet A: 2 articles. a1: terrorist (authorial), terrorist (attributed), none
    #                        a2: rebel (authorial), neutral (authorial)
    # outlet B: 1 article: resistance (attributed), none
    return [
        sentence("a1", "A", 0, "terrorist", voice="authorial"),
        sentence("a1", "A", 1, "terrorist", voice="attributed"),
        sentence("a1", "A", 2, "none"),
        sentence("a2", "A", 0, "rebel", voice="authorial"),
        sentence("a2", "A", 1, "neutral", voice="authorial"),
        sentence("b1", "B", 0, "resistance", voice="attributed"),
        sentence("b1", "B", 1, "none"),
    ]


def test_profiles_by_hand(tmp_path: Path) -> None:
    scores = load_scores(write_scores(tmp_path / "s", _hand_rows()))
    c = compare(scores, CompareSettings(min_framed=2, n_boot=200))
    a = c.outlets.set_index("outlet").loc["A"]
    assert (a["documents"], a["sentences"], a["framed"]) == (2, 5, 4)
    assert a["share_terrorist"] == pytest.approx(2 / 4)
    assert a["share_rebel"] == pytest.approx(1 / 4)
    assert a["share_neutral"] == pytest.approx(1 / 4)
    assert a["share_militant"] == 0
    assert a["legitimacy"] == pytest.approx((-2 - 2 + 1 + 0) / 4)
    assert a["attributed_share"] == pytest.approx(1 / 4)
    b = c.outlets.set_index("outlet").loc["B"]
    assert (b["framed"], b["ranked"]) == (1, False)
    assert "only 1 framed sentences (< 2)" in b["flag"]
    assert a["ranked"] and a["rank"] == 1
    assert c.contrasts.empty  # only one ranked outlet: nothing to contrast


def test_article_resampling_distribution_by_hand() -> None:
    # two articles: one all terrorist, one all rebel. Resampling 2 articles gives terrorist
    # share 1 (AA), 1/2 (AB or BA) or 0 (BB) with probabilities 1/4, 1/2, 1/4.
    docs = np.array([[2.0, 0.0], [0.0, 2.0]])
    reps = resample_articles(docs, 20000, np.random.default_rng(0))
    share = reps[:, 0] / reps.sum(axis=1)
    freq = [np.mean(share == v) for v in (1.0, 0.5, 0.0)]
    assert freq == pytest.approx([0.25, 0.5, 0.25], abs=0.015)


def _clustered(rng: np.random.Generator, docs: int, per_doc: int) -> tuple[list[dict], float]:
    """Articles with their own terrorist rate ~ Beta(1, 3): true share 0.25, strong clustering."""
    rows = []
    for d in range(docs):
        rate = rng.beta(1, 3)
        for s in range(per_doc):
            frame = "terrorist" if rng.random() < rate else "neutral"
            rows.append(sentence(f"d{d}", "X", s, frame))
    return rows, 0.25


def test_bootstrap_ci_covers_truth_sentence_bootstrap_does_not(taxonomy: Taxonomy) -> None:
    rng = np.random.default_rng(7)
    settings = CompareSettings(min_framed=1, n_boot=300, seed=1)
    hits_article = hits_sentence = 0
    trials = 120
    gazetteer = load_gazetteer()
    for _ in range(trials):
        rows, truth = _clustered(rng, docs=25, per_doc=12)
        df = pd.DataFrame(rows)
        scores = ScoredSentences(Path("mem"), df, taxonomy, {}, None)
        row = compare(scores, settings, gazetteer).outlets.iloc[0]
        hits_article += row["share_terrorist_lo"] <= truth <= row["share_terrorist_hi"]
        # the naive alternative: resample sentences as if independent
        is_t = (df["frame"] == "terrorist").to_numpy(dtype=float)
        boot = rng.choice(is_t, size=(300, len(is_t))).mean(axis=1)
        lo, hi = np.percentile(boot, [2.5, 97.5])
        hits_sentence += lo <= truth <= hi
    assert 0.88 <= hits_article / trials <= 0.99
    assert hits_sentence / trials < 0.80


def test_seed_fixes_intervals(tmp_path: Path) -> None:
    rows = random_outlets(np.random.default_rng(0), {"A": [1, 1, 1, 1, 1, 1]}, docs=10)
    scores = load_scores(write_scores(tmp_path / "s", rows))
    one = compare(scores, CompareSettings(n_boot=100, seed=3, min_framed=1)).outlets
    two = compare(scores, CompareSettings(n_boot=100, seed=3, min_framed=1)).outlets
    other = compare(scores, CompareSettings(n_boot=100, seed=4, min_framed=1)).outlets
    pd.testing.assert_frame_equal(one, two)
    assert not np.isclose(one["legitimacy_lo"], other["legitimacy_lo"]).all()


def test_contrasts_find_real_differences_only(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    harsh, wire = [6, 2, 0.2, 0.1, 1, 1], [0.2, 1, 3, 0.2, 4, 3]
    rows = random_outlets(rng, {"Harsh": harsh, "Twin": harsh, "Wire": wire}, docs=30)
    c = compare(load_scores(write_scores(tmp_path / "s", rows)), CompareSettings(n_boot=400))
    t = c.contrasts.set_index(["outlet_a", "outlet_b", "metric"])
    real = t.loc[("Harsh", "Wire", "share_terrorist")]
    assert real["diff"] > 0.4 and real["diff_lo"] > 0 and real["significant"]
    assert real["p_permutation"] == pytest.approx(1 / 401)  # no permutation was as extreme
    assert real["p_value"] < 1 / 401  # the normal fit is not floored at 1 / (n + 1)
    same = t.loc[("Harsh", "Twin", "legitimacy")]
    assert same["diff_lo"] < 0 < same["diff_hi"] and not same["significant"]
    assert (t["p_adjusted"] >= t["p_value"]).all()
    assert len(t) == 3 * 6  # 3 pairs x (5 frame shares + legitimacy)


def test_holm_and_bh_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    assert adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_actor_table_same_actor_different_outlets(tmp_path: Path) -> None:
    rows = [
        sentence("s1", "S", 0, "terrorist", "Daesh terrorists shelled Deir Ezzor."),
        sentence("s1", "S", 1, "terrorist", "Hayat Tahrir al-Sham terrorists fled."),
        sentence("s2", "S", 0, "terrorist", "IS terrorists were killed."),
        sentence("r1", "R", 0, "militant", "ISIS militants attacked."),
        sentence("r1", "R", 1, "rebel", "HTS rebels and ISIL fighters clashed."),
        sentence("r2", "R", 0, "none", "Talks resumed in Geneva."),
    ]
    c = compare(load_scores(write_scores(tmp_path / "s", rows)),
                CompareSettings(n_boot=100, min_framed_actor=2))
    t = c.actors.set_index(["actor", "outlet"])
    assert t.loc[("isis", "S"), "framed"] == 2 and t.loc[("isis", "S"), "documents"] == 2
    assert t.loc[("isis", "S"), "legitimacy"] == pytest.approx(-2)
    # the sentence naming HTS and ISIL counts for both actors
    assert t.loc[("isis", "R"), "framed"] == 2
    assert t.loc[("isis", "R"), "legitimacy"] == pytest.approx((-1 + 1) / 2)
    assert t.loc[("hts", "R"), "share_rebel"] == 1.0
    assert not t.loc[("hts", "R"), "ranked"]  # 1 framed sentence < 2: flagged


def test_corrected_shares_use_the_dev_matrix(tmp_path: Path, taxonomy: Taxonomy) -> None:
    rows = random_outlets(np.random.default_rng(3), {"A": [3, 2, 1, 1, 1, 2]}, docs=20)
    confusion = (np.eye(6) * 30 + 2).tolist()
    confusion[1][0] = 10  # militant often predicted terrorist
    model = model_folder(tmp_path / "m", confusion, taxonomy)
    c = compare_scores(write_scores(tmp_path / "s", rows), model,
                       settings=CompareSettings(n_boot=100))
    assert c.corrected is not None and c.fit is not None and "dev" in c.fit.source
    counts = pd.DataFrame(rows)["frame"].value_counts().reindex(LABELS, fill_value=0)
    expected = adjust_shares(counts.to_numpy(), misclassification_rates(np.array(confusion)))[:5]
    expected = expected / expected.sum()
    got = c.corrected.set_index("metric").loc["share_terrorist"]
    assert got["acc"] == pytest.approx(expected[0])
    assert got["acc"] < got["raw"]  # terrorist was inflated by militant errors
    assert any("'dev' confusion matrix" in n for n in c.notes)


def test_filters(tmp_path: Path) -> None:
    rows = _hand_rows() + [sentence("c1", "C", 0, "rebel", date=None),
                           sentence("c2", "C", 0, "rebel", date="2019-05-02")]
    folder = write_scores(tmp_path / "s", rows)
    c = compare_scores(folder, since="2018-01-01", settings=CompareSettings(n_boot=50))
    assert list(c.outlets["outlet"]) == ["C"] and c.outlets["framed"].iloc[0] == 1
    assert any("1 sentences without a usable date" in n for n in c.notes)
    c = compare_scores(folder, outlets="A,B", settings=CompareSettings(n_boot=50))
    assert sorted(c.outlets["outlet"]) == ["A", "B"]
    with pytest.raises(FramingError, match=r"--outlets: \['Z'\] not in .*outlets there are"):
        compare_scores(folder, outlets="A,Z")
    with pytest.raises(FramingError, match="no sentences left after the filters"):
        compare_scores(folder, until="2000-01-01")


def test_bad_tables_are_named(tmp_path: Path, taxonomy: Taxonomy) -> None:
    rows = _hand_rows()
    rows[3]["frame"] = "terorist"
    with pytest.raises(FramingError, match=r"row \d+ \(doc_id 'a2', sentence_idx 0\): field "
                       r"'frame' is 'terorist'.*did you mean 'terrorist'"):
        load_scores(write_scores(tmp_path / "a", rows))
    rows = _hand_rows()
    rows[0]["voice"] = "quoted"
    with pytest.raises(FramingError, match=r"field 'voice' is 'quoted'"):
        load_scores(write_scores(tmp_path / "b", rows))
    df = pd.DataFrame(_hand_rows()).drop(columns=["outlet"])
    (tmp_path / "c").mkdir()
    df.to_json(tmp_path / "c" / "sentences.jsonl", orient="records", lines=True)
    with pytest.raises(FramingError, match=r"sentences.jsonl: missing column\(s\) \['outlet'\]"):
        load_scores(tmp_path / "c")
    with pytest.raises(FramingError, match="taxonomy.fingerprint is 'abc'"):
        load_scores(write_scores(tmp_path / "d", _hand_rows(),
                                 {"taxonomy": {"fingerprint": "abc"}}))
    with pytest.raises(FramingError, match="no sentences.parquet"):
        load_scores(tmp_path)


def test_a_different_model_than_the_one_that_scored_is_refused(
    tmp_path: Path, taxonomy: Taxonomy
) -> None:
    model = model_folder(tmp_path / "model", np.eye(len(LABELS)).tolist(), taxonomy)
    (model / "model.safetensors").write_bytes(b"the weights that scored")
    digest = file_sha256(model / "model.safetensors")[:16]
    right = write_scores(tmp_path / "right", _hand_rows(), {"model": {"fingerprint": digest}})
    assert load_scores(right, model).model_dir == model
    wrong = write_scores(tmp_path / "wrong", _hand_rows(), {"model": {"fingerprint": "0" * 16}})
    with pytest.raises(FramingError, match="not the model that scored the table"):
        load_scores(wrong, model)


def test_cli_compare(tmp_path: Path) -> None:
    rows = random_outlets(np.random.default_rng(4), {"A": [3, 1, 1, 1, 1, 1],
                                                     "B": [1, 1, 3, 1, 1, 1]}, docs=12)
    folder = write_scores(tmp_path / "s", rows)
    result = CliRunner().invoke(app, ["compare", str(folder), "--n-boot", "100"])
    assert result.exit_code == 0, result.output
    assert "Outlet profiles" in result.output and "legitimacy" in result.output
    for name in ("outlets", "contrasts", "actors"):
        assert (folder / "compare" / f"{name}.csv").is_file()
        assert (folder / "compare" / f"{name}.md").read_text().startswith("| ")
    meta = json.loads((folder / "compare" / "compare.json").read_text())
    assert meta["settings"]["n_boot"] == 100
    table = pd.read_csv(folder / "compare" / "outlets.csv")
    assert set(table["outlet"]) == {"A", "B"}
    bad = CliRunner().invoke(app, ["compare", str(folder), "--n-boot", "3"])
    assert bad.exit_code == 2 and "n_boot" in bad.output
    missing = CliRunner().invoke(app, ["compare", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not a folder" in missing.output


def test_many_contrasts_survive_holm_when_effects_are_large(tmp_path: Path) -> None:
    """With 8 outlets (28 pairs x 6 metrics = 168 tests) Holm needs p < 3e-4: exact permutation
    p-values floored at 1/201 could never get there; the normal fit must, for a huge effect."""
    rng = np.random.default_rng(5)
    harsh, wire = [6, 2, 0.2, 0.1, 1, 1], [0.2, 1, 3, 0.2, 4, 3]
    spec = {f"H{i}": harsh for i in range(4)} | {f"W{i}": wire for i in range(4)}
    rows = random_outlets(rng, spec, docs=30)
    c = compare(load_scores(write_scores(tmp_path / "s", rows)), CompareSettings(n_boot=200))
    t = c.contrasts.set_index(["outlet_a", "outlet_b", "metric"])
    assert len(t) == 28 * 6
    assert t.loc[("H0", "W0", "share_terrorist"), "significant"]
    assert not t.loc[("H0", "H1", "share_terrorist"), "significant"]
