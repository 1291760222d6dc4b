"""The report in a real browser: charts render, a script planted in article text never runs.

Needs Debian's chromium (`apt-get install -y chromium`) and the `playwright` Python package;
the browser is launched from /usr/bin/chromium (no `playwright install` download).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from framing.comparison.compare import CompareSettings, compare_scores
from framing.report.html import build_report

from .synthetic_scores import PLANTED, random_outlets, write_scores

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium missing: apt-get install -y chromium"),
]


@pytest.fixture(scope="module")
def page_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    texts = ["ISIS {frame} fighters attacked " + PLANTED,
             "HTS {frame} said <img src=x onerror=\"window.__pwned = 2\">"]
    rows = random_outlets(np.random.default_rng(0), {"A": [4, 1, 1, 1, 1, 1],
                                                     "B<script>window.__pwned=3</script>":
                                                     [1, 1, 4, 1, 1, 1]},
                          docs=10, texts=texts)
    c = compare_scores(write_scores(tmp / "s", rows), settings=CompareSettings(n_boot=100))
    return build_report(c, tmp / "report.html").html


@pytest.fixture(scope="module")
def page(page_path: Path) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.goto(page_path.as_uri())
        tab.wait_for_load_state("load")
        tab.dialogs = dialogs  # type: ignore[attr-defined]
        yield tab
        browser.close()


def test_charts_render(page: object) -> None:
    sizes = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "svg.chart", "els => els.map(e => [e.getBoundingClientRect().width, "
        "e.getBoundingClientRect().height, e.querySelectorAll('rect,circle,line').length])")
    assert len(sizes) >= 2
    for width, height, marks in sizes:
        assert width > 100 and height > 30 and marks > 3
    bars = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "rect.seg", "els => els.map(e => e.getBoundingClientRect().width)")
    assert sum(w > 0 for w in bars) >= 4


def test_planted_script_does_not_run(page: object) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]
    # the planted markup is shown as text, not swallowed
    text = page.text_content("body")  # type: ignore[attr-defined]
    assert "<script>window.__pwned = 1" in text
    assert page.eval_on_selector_all("img", "els => els.length") == 0  # type: ignore[attr-defined]


def test_chromium_is_the_debian_package() -> None:
    assert shutil.which("chromium") == str(CHROMIUM)
