"""framing report: escaping, highlighting, self-containment, figures, CLI."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from framing.cli import app
from framing.comparison.compare import CompareSettings, Comparison, compare_scores
from framing.report.html import build_report, highlight, render_html
from framing.taxonomy import Taxonomy

from .synthetic_scores import PLANTED, model_folder, random_outlets, write_scores

TEXTS = [
    "Daesh {frame} fighters shelled the town " + PLANTED,
    'HTS {frame} said "<b>bold</b> & <img src=x onerror=alert(1)>" in Idlib',
    "The {frame} group & its allies <i>retreated</i>",
]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory, taxonomy: Taxonomy) -> Comparison:
    tmp = tmp_path_factory.mktemp("report")
    rows = random_outlets(np.random.default_rng(0), {
        "State <TV>": [6, 2, 0.2, 0.1, 1, 1], "Wire & Co": [0.2, 1, 3, 0.2, 4, 3],
        "Tiny": [1, 1, 1, 1, 1, 1]}, docs=12, texts=TEXTS)
    rows = [r for r in rows if not (r["outlet"] == "Tiny" and not r["doc_id"].endswith("-1"))]
    model = model_folder(tmp / "model", (np.eye(6) * 40 + 2).tolist(), taxonomy)
    return compare_scores(write_scores(tmp / "scores", rows), model,
                          settings=CompareSettings(n_boot=100))


def test_highlight_escapes_around_and_inside_marks(taxonomy: Taxonomy) -> None:
    html = highlight('<b>Terrorists</b> & "terror" <script>x</script>', "terrorist", taxonomy)
    assert html == ("&lt;b&gt;<mark>Terrorists</mark>&lt;/b&gt; &amp; &quot;<mark>terror</mark>"
                    "&quot; &lt;script&gt;x&lt;/script&gt;")
    assert highlight("<i>x</i>", "none", taxonomy) == "&lt;i&gt;x&lt;/i&gt;"


def test_page_escapes_every_piece_of_data(comparison: Comparison) -> None:
    page = render_html(comparison)
    assert "<script" not in page.lower()
    assert "onerror" not in page.replace("onerror=alert(1)&gt;", "")  # only as escaped text
    assert "<img" not in page and "<b>bold" not in page and "<i>retreated" not in page
    assert "&lt;script&gt;window.__pwned" in page
    assert "State &lt;TV&gt;" in page and "Wire &amp; Co" in page
    assert "State <TV>" not in page


def test_page_is_self_contained(comparison: Comparison) -> None:
    page = render_html(comparison)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_page_has_every_section(comparison: Comparison) -> None:
    page = render_html(comparison)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    for heading in ("Outlet profiles", "Legitimacy index, ranked", "Same actor, different outlets",
                    "Raw, corrected and PPI shares", "Example sentences"):
        assert heading in page
    assert "Tiny (not ranked)" in page
    assert "Corrections fitted on &#x27;dev&#x27; block of metrics.json" in page
    assert "Islamic State (ISIS / Daesh)" in page  # actor table row
    assert "<mark>terrorist</mark>" in page  # cue highlighted in an example


def test_build_writes_html_and_pngs(comparison: Comparison, tmp_path: Path) -> None:
    files = build_report(comparison, tmp_path / "out" / "r.html")
    assert files.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    names = sorted(p.name for p in files.figures)
    assert names == ["actors.png", "corrected.png", "legitimacy.png", "profiles.png"]
    for png in files.figures:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_cli_report(tmp_path: Path) -> None:
    rows = random_outlets(np.random.default_rng(1), {"A": [3, 1, 1, 1, 1, 1],
                                                     "B": [1, 1, 3, 1, 1, 1]}, docs=12)
    folder = write_scores(tmp_path / "s", rows)
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out), "--n-boot", "100"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and (tmp_path / "page_figures" / "profiles.png").is_file()
    assert "no corrected shares" in out.read_text()


def test_report_names_the_model_fingerprint_that_score_writes(tmp_path: Path) -> None:
    """`framing score` stamps provenance.model.fingerprint; the page must show that value."""
    rows = random_outlets(np.random.default_rng(1), {"A": [3, 1, 1, 1, 1, 1]}, docs=12)
    prov = {"model": {"path": "nowhere", "fingerprint": "b4c0654bfa4e219d"}}
    folder = write_scores(tmp_path / "s", rows, prov)
    out = tmp_path / "page.html"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out), "--n-boot", "100"])
    assert result.exit_code == 0, result.output
    assert "(b4c0654bfa4e219d)" in out.read_text()
