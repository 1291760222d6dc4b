"""framing compare --gold / --plan / --adjust / --weight / --p-adjust, and the report's PPI
column: hand-worked numbers, the gold sample's rules, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.comparison.compare import CompareSettings, compare, compare_scores, plan_scores
from framing.errors import FramingError
from framing.report.html import render_html
from framing.scoring.results import load_scores
from framing.taxonomy import Taxonomy

from .synthetic_scores import (
    LABELS,
    model_folder,
    noisy_proba,
    sentence,
    write_gold,
    write_held_out,
    write_scores,
)

runner = CliRunner()
ERRORS = np.full((6, 6), 0.03) + np.eye(6) * 0.82


def _corpus(tmp_path: Path, seed: int = 0) -> tuple[Path, list[dict], list[str]]:
    """Outlets A and B, 30 articles of 8 sentences; the model errs as ERRORS says. Returns the
    scores folder, the rows and each row's gold frame."""
    rng = np.random.default_rng(seed)
    rows, gold = [], []
    for outlet, mix in (("A", [3, 2, 1, 1, 1, 4]), ("B", [1, 1, 3, 0.5, 2, 4])):
        p = np.array(mix) / sum(mix)
        for d in range(30):
            for s in range(8):
                true = rng.choice(6, p=p)
                predicted = rng.choice(6, p=ERRORS[true])
                row = sentence(f"{outlet}{d}", outlet, s, LABELS[predicted])
                row |= {f"p_{x}": float(v) for x, v in zip(LABELS, noisy_proba(
                    rng, np.array([predicted]))[0], strict=True)}
                rows.append(row)
                gold.append(LABELS[true])
    return write_scores(tmp_path / "scores", rows), rows, gold


def test_ppi_with_every_sentence_labelled_is_the_gold_share(tmp_path: Path) -> None:
    folder, rows, gold = _corpus(tmp_path)
    sample = write_gold(tmp_path / "gold.jsonl", rows, gold)
    c = compare_scores(folder, settings=CompareSettings(n_boot=100), gold=[sample])
    assert c.labelled is not None
    got = c.labelled.set_index(["outlet", "metric"])
    frames = pd.Series(gold)[[r["outlet"] == "A" for r in rows]]
    framed = frames[frames != "none"]
    for frame in ("terrorist", "rebel"):
        truth = (framed == frame).mean()
        assert got.loc[("A", f"share_{frame}"), "ppi"] == pytest.approx(truth)
        assert got.loc[("A", f"share_{frame}"), "labelled_only"] == pytest.approx(truth)
    assert got.loc[("A", "share_terrorist"), "labelled"] == 240
    assert got.loc[("A", "share_terrorist"), "labelled_articles"] == 30


def test_gold_sample_flags_and_rules(tmp_path: Path) -> None:
    folder, rows, gold = _corpus(tmp_path)
    pick = [i for i, r in enumerate(rows) if r["doc_id"] in ("A0", "A1", "A2", "A3", "B0")]
    sample = write_gold(tmp_path / "gold.jsonl", [rows[i] for i in pick], [gold[i] for i in pick])
    active = write_gold(tmp_path / "active.jsonl", [rows[-1]], [gold[-1]], selection="uncertain")
    c = compare_scores(folder, settings=CompareSettings(n_boot=100, half_width=0.2),
                       gold=[sample, active])
    assert c.labelled is not None
    flags = c.labelled.drop_duplicates("outlet").set_index("outlet")["flag"]
    assert flags["B"].startswith("fewer than 2 labelled articles")
    assert "±20 points needs about" in flags["A"] and "(has 32)" in flags["A"]
    tight = compare_scores(folder, settings=CompareSettings(n_boot=100, half_width=0.005),
                           gold=[sample])
    assert tight.labelled is not None
    tight_flags = tight.labelled.drop_duplicates("outlet").set_index("outlet")["flag"]
    # almost the whole outlet: the finite-population correction caps the need at its size
    assert re.search(r"±0.5 points needs about 2[0-4]\d labelled sentences", tight_flags["A"])
    assert any("1 labelled sentences of articles not drawn at random" in n for n in c.notes)
    a = c.labelled.set_index(["outlet", "metric"]).loc[("A", "share_terrorist")]
    assert a["ppi_lo"] <= a["ppi"] <= a["ppi_hi"] and a["labelled_articles"] == 4


def test_gold_sample_errors_name_the_record(tmp_path: Path) -> None:
    folder, rows, gold = _corpus(tmp_path)
    scores = load_scores(folder)
    from framing.comparison.gold import attach_gold

    stray = dict(rows[0], doc_id="Z9")
    with pytest.raises(FramingError, match=r"1 gold record\(s\) name sentences that are not in "
                       r".*gold.jsonl:1 \(Z9, 0\)"):
        attach_gold(scores, [write_gold(tmp_path / "gold.jsonl", [stray], ["none"])])
    twice = write_gold(tmp_path / "twice.jsonl", [rows[0], rows[0]], ["none", "rebel"])
    with pytest.raises(FramingError, match=r"twice.jsonl:2: sentence \('A0', 0\) is labelled "
                       r"'rebel' here but 'none' at .*twice.jsonl:1"):
        attach_gold(scores, [twice])
    moved = write_gold(tmp_path / "moved.jsonl", [dict(rows[0], outlet="B")], ["none"])
    with pytest.raises(FramingError, match="field 'outlet' is 'B' but the score table has 'A'"):
        attach_gold(scores, [moved])
    keyless = tmp_path / "keyless.jsonl"
    keyless.write_text(json.dumps({"text": "x", "frame": "none"}) + "\n")
    with pytest.raises(FramingError, match="keyless.jsonl:1: no 'doc_id' and 'sentence_idx'"):
        attach_gold(scores, [keyless])


def test_article_weighting_by_hand(tmp_path: Path) -> None:
    rows = [sentence("a1", "A", 0, "terrorist"), sentence("a1", "A", 1, "terrorist"),
            sentence("a1", "A", 2, "none"), sentence("a2", "A", 0, "rebel")]
    scores = load_scores(write_scores(tmp_path / "s", rows))
    pooled = compare(scores, CompareSettings(n_boot=50, min_framed=1)).outlets.iloc[0]
    assert pooled["share_terrorist"] == pytest.approx(2 / 3)
    c = compare(scores, CompareSettings(n_boot=50, min_framed=1, weight="article"))
    weighted = c.outlets.iloc[0]
    # a1's three sentences weigh 1/3 each: terrorist 2/3 of framed weight 2/3 + 1
    assert weighted["share_terrorist"] == pytest.approx((2 / 3) / (5 / 3))
    assert weighted["share_rebel"] == pytest.approx(1 / (5 / 3))
    assert weighted["framed"] == 3  # counts stay counts
    assert any(n.startswith("weighting: article") for n in c.notes)


def test_cli_gold_adjust_weight_and_p_adjust(tmp_path: Path, taxonomy: Taxonomy) -> None:
    folder, rows, gold = _corpus(tmp_path)
    model = model_folder(tmp_path / "model", (ERRORS * 100).round().tolist(), taxonomy)
    write_held_out(model, np.random.default_rng(1), ERRORS / ERRORS.sum(axis=1, keepdims=True))
    pick = [i for i, r in enumerate(rows) if int(r["doc_id"][1:]) < 6]
    sample = write_gold(tmp_path / "gold.jsonl", [rows[i] for i in pick], [gold[i] for i in pick])
    out = tmp_path / "tables"
    result = runner.invoke(app, [
        "compare", str(folder), "--model", str(model), "--gold", str(sample), "--adjust", "acc",
        "--adjust", "emq", "--adjust", "kdey", "--weight", "article", "--p-adjust", "bh",
        "--n-boot", "60", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Raw, PPI and labelled-sample shares" in result.output
    assert "weighting: article" in result.output and "after bh correction" in result.output
    corrected = pd.read_csv(out / "corrected.csv")
    assert {"acc", "emq", "kdey", "emq_lo", "kdey_hi"} <= set(corrected.columns)
    assert "pacc" not in corrected.columns
    labelled = pd.read_csv(out / "labelled.csv")
    assert {"ppi", "ppi_lo", "ppi_hi", "labelled_only", "labelled"} <= set(labelled.columns)
    meta = json.loads((out / "compare.json").read_text())
    assert meta["settings"]["adjust"] == ["acc", "emq", "kdey"]
    assert meta["settings"]["p_adjust"] == "bh" and meta["settings"]["weight"] == "article"
    assert "heldout.parquet" in meta["corrections_fitted_on"]
    bad = runner.invoke(app, ["compare", str(folder), "--adjust", "emx"])
    assert bad.exit_code == 2 and "emx" in bad.output


def test_emq_without_heldout_parquet_says_so(tmp_path: Path, taxonomy: Taxonomy) -> None:
    folder, _, _ = _corpus(tmp_path)
    model = model_folder(tmp_path / "model", (ERRORS * 100).round().tolist(), taxonomy)
    c = compare_scores(folder, model, settings=CompareSettings(n_boot=60, adjust=("acc", "emq")))
    assert c.fit is not None and c.fit.methods == ["acc"]
    assert any("--adjust emq needs heldout.parquet" in n for n in c.notes)
    assert any("taken as exact" in n for n in c.notes)


def test_plan(tmp_path: Path, taxonomy: Taxonomy) -> None:
    folder, rows, gold = _corpus(tmp_path)
    table, notes = plan_scores(folder)
    assert set(table["basis"]) == {"no labelled sample and no held-out errors: cannot plan"}
    model = model_folder(tmp_path / "model", (ERRORS * 100).round().tolist(), taxonomy)
    table, _ = plan_scores(folder, model)
    row = table.set_index("outlet").loc["A"]
    assert row["basis"] == "held-out confusion matrix"
    assert 0.1 < row["disagreement"] < 0.2  # 18% of held-out sentences are misclassified
    assert 30 < row["needed"] < 5000 and row["hardest"] in taxonomy.framed_labels
    # a wider target needs fewer labels
    loose, _ = plan_scores(folder, model, settings=CompareSettings(half_width=0.10))
    assert loose.set_index("outlet").loc["A", "needed"] < row["needed"]
    pick = [i for i, r in enumerate(rows) if int(r["doc_id"][1:]) < 5]
    sample = write_gold(tmp_path / "gold.jsonl", [rows[i] for i in pick], [gold[i] for i in pick])
    result = runner.invoke(app, ["compare", str(folder), "--model", str(model), "--gold",
                                 str(sample), "--plan", "--half-width", "8"])
    assert result.exit_code == 0, result.output
    assert "for a ±8-point PPI interval" in result.output
    plan = pd.read_csv(folder / "compare" / "plan.csv")
    assert set(plan["basis"]) == {"measured on the labelled sample"}
    assert (plan["labelled"] == 40).all()
    assert not (folder / "compare" / "outlets.csv").exists()  # --plan only plans


def test_report_shows_ppi_beside_raw_and_corrected(tmp_path: Path, taxonomy: Taxonomy) -> None:
    folder, rows, gold = _corpus(tmp_path)
    model = model_folder(tmp_path / "model", (ERRORS * 100).round().tolist(), taxonomy)
    pick = [i for i, r in enumerate(rows) if int(r["doc_id"][1:]) < 3]
    sample = write_gold(tmp_path / "gold.jsonl", [rows[i] for i in pick], [gold[i] for i in pick])
    c = compare_scores(folder, model, settings=CompareSettings(n_boot=60, half_width=0.3),
                       gold=[sample])
    page = render_html(c)
    # metrics.json without a soft matrix: ACC only
    assert "<th>raw</th><th>ACC</th><th>PPI</th><th>labelled only</th><th>labelled</th>" in page
    assert "24 (3 articles)" in page  # labelled sentences per outlet
    assert re.search(r"±30 points needs about \d+ labelled sentences \(has 24\)", page)
    assert "PPI (square)" in page  # the chart's legend
