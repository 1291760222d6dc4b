"""One self-contained HTML page for a comparison, plus PNG figures for papers.

The page needs nothing but itself: inline CSS, inline SVG charts (framing/charts.py), no
scripts, no fonts or images fetched; a Content-Security-Policy forbids scripts and remote loads
as a second line of defence. Every piece of text that came from the data (article sentences,
outlet names, titles) goes through `html.escape`; framing words are highlighted by escaping the
text around and inside each highlighted span separately.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pandas as pd

from framing.comparison.compare import Comparison
from framing.comparison.corrected import NAMES
from framing.comparison.tables import side_by_side, with_ci
from framing.report import charts
from framing.taxonomy import Taxonomy
from framing.text.cues import cue_spans

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em} h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top} th{background:#f4f4f4}
td.flag{color:#888;font-style:italic} mark{background:#ffe08a;padding:0 1px}
.note{color:#555;font-size:.9em} .ex{margin:.2em 0 .6em 1em;font-size:.9em}
details{margin:.3em 0} summary{cursor:pointer}
"""


@dataclass
class ReportFiles:
    html: Path
    figures: list[Path]


def highlight(text: str, frame: str, taxonomy: Taxonomy) -> str:
    """`text` HTML-escaped, with the frame's cue words wrapped in <mark>."""
    out, last = [], 0
    for start, end in cue_spans(text, frame, taxonomy) if frame else []:
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def example_sentences(c: Comparison, per_cell: int = 3) -> dict[tuple[str, str], pd.DataFrame]:
    """Per (outlet, framed frame): up to `per_cell` sentences, most confident first when
    probabilities exist, else in reading order; one per article where possible."""
    df = c.sentences
    out = {}
    for (outlet, frame), part in df[df["frame"].isin(c.taxonomy.framed_labels)].groupby(
        ["outlet", "frame"], sort=True
    ):
        col = f"p_{frame}"
        if col in part.columns:
            part = part.sort_values(col, ascending=False, kind="stable")
        first = part.drop_duplicates("doc_id")
        picked = pd.concat([first, part.drop(first.index)]).head(per_cell)
        out[(outlet, frame)] = picked
    return out


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Cells are already-safe HTML (callers escape data)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _td(text: str, cls: str = "", style: str = "") -> str:
    attrs = (f' class="{cls}"' if cls else "") + (f' style="{style}"' if style else "")
    return f"<td{attrs}>{escape(text)}</td>"


def _legit_colour(v: float, lo: float, hi: float) -> str:
    if not isinstance(v, float) or math.isnan(v):
        return ""
    t = max(-1.0, min(1.0, v / (hi if v > 0 else -lo)))
    return (f"background:rgba(33,102,172,{0.6 * t:.2f})" if t > 0
            else f"background:rgba(178,24,43,{-0.6 * t:.2f})")


def actor_section(c: Comparison) -> str:
    if c.actors.empty:
        return "<p>No sentence names an actor of the gazetteer.</p>"
    weights = [w for w in c.taxonomy.weights.values() if w is not None]
    outlets = sorted(c.actors["outlet"].unique())
    cells = {(r["actor"], r["outlet"]): r for _, r in c.actors.iterrows()}
    rows = []
    for actor in sorted(c.actors["actor"].unique(), key=lambda a: c.gazetteer.names.get(a, a)):
        row = [_td(c.gazetteer.names.get(actor, actor))]
        for outlet in outlets:
            r = cells.get((actor, outlet))
            if r is None:
                row.append(_td(""))
                continue
            text = f"{with_ci(r, 'legitimacy', percent=False)} n={int(r['framed'])}"
            style = _legit_colour(r["legitimacy"], min(weights), max(weights))
            row.append(_td(text, "" if r["ranked"] else "flag", style))
        rows.append(row)
    note = (f'<p class="note">Legitimacy index (mean weight) of framed sentences naming each '
            f"actor, {100 * c.settings.level:g}% CI over articles, n = framed sentences. Grey "
            "italics: fewer than "
            f"{c.settings.min_framed_actor} framed sentences.</p>")
    return note + _table(["actor"] + [escape(o) for o in outlets], rows)


def examples_section(c: Comparison, per_cell: int) -> str:
    parts = []
    examples = example_sentences(c, per_cell)
    for outlet in sorted(c.sentences["outlet"].unique()):
        inner = []
        for frame in c.taxonomy.framed_labels:
            picked = examples.get((outlet, frame))
            if picked is None:
                continue
            items = "".join(
                f'<div class="ex">{highlight(str(r["text"]), frame, c.taxonomy)} '
                f'<span class="note">({escape(str(r["doc_id"]))}'
                f"{', ' + escape(str(r['voice'])) if r.get('voice') else ''})</span></div>"
                for _, r in picked.iterrows()
            )
            inner.append(f"<h4>{escape(frame)}</h4>{items}")
        parts.append(f"<details><summary>{escape(outlet)}</summary>{''.join(inner)}</details>")
    return "".join(parts)


def _outlet_table(c: Comparison) -> str:
    header = ["rank", "outlet", "docs", "framed"] + c.taxonomy.framed_labels + [
        "legitimacy", "attributed"]
    rows = []
    for _, r in c.outlets.sort_values(["ranked", "rank", "outlet"],
                                      ascending=[False, True, True]).iterrows():
        cls = "" if r["ranked"] else "flag"
        rows.append([_td("" if pd.isna(r["rank"]) else str(int(r["rank"]))), _td(r["outlet"], cls),
                     _td(str(int(r["documents"]))), _td(str(int(r["framed"])))]
                    + [_td(with_ci(r, f"share_{f}")) for f in c.taxonomy.framed_labels]
                    + [_td(with_ci(r, "legitimacy", percent=False)),
                       _td(with_ci(r, "attributed_share"))])
    return _table([escape(h) for h in header], rows)


def _series(c: Comparison) -> list[tuple[str, str]]:
    series = [("raw", "raw")]
    if c.fit is not None:
        series += [(m, NAMES[m]) for m in c.fit.methods]
    if c.labelled is not None:
        series += [("ppi", "PPI"), ("labelled_only", "labelled only")]
    return series


def _labelled_summary(c: Comparison) -> str:
    """Per outlet: sentences labelled, articles, and the flag with the number still needed."""
    if c.labelled is None:
        return ("<p>No labelled sample: pass --gold with a random sample of these articles "
                "(framing label suggest --strategy random) to get PPI shares.</p>")
    first = c.labelled.drop_duplicates("outlet")
    rows = [[_td(r["outlet"]), _td(str(int(r["sentences"]))),
             _td(f"{int(r['labelled'])} ({int(r['labelled_articles'])} articles)"),
             _td(str(r.get("flag") or "ok"), "flag" if r.get("flag") else "")]
            for _, r in first.iterrows()]
    return (f'<p class="note">Labelled sentences per outlet. Flagged: the widest PPI share '
            f"interval is wider than ±{100 * c.settings.half_width:g} points; the flag gives "
            "the labelled sentences that would meet it.</p>"
            + _table(["outlet", "sentences", "labelled", "flag"], rows))


def _corrected_section(c: Comparison) -> str:
    series = _series(c)
    if len(series) == 1:
        return ("<p>No model folder known and no labelled sample: only raw shares (pass "
                "--model for corrections, --gold for PPI).</p>")
    table = side_by_side(c)
    shares = table[table["metric"] != "legitimacy"]
    rows = []
    for _, r in table.iterrows():
        share = r["metric"] != "legitimacy"
        rows.append([_td(r["outlet"]), _td(r["metric"])]
                    + [_td(with_ci(r, col, percent=share) if pd.notna(r.get(col)) else "-")
                       for col, _ in series]
                    + ([_td(str(int(r["labelled"])) if pd.notna(r.get("labelled")) else "-")]
                       if c.labelled is not None else []))
    header = ["outlet", "metric"] + [name for _, name in series] + (
        ["labelled"] if c.labelled is not None else [])
    fitted = (f"Corrections fitted on {escape(c.fit.source)}; they assume the model errs on "
              "these outlets as on those rows. " if c.fit is not None else "")
    ppi = ("PPI: the model's output on every sentence plus the mean error measured on the "
           "labelled random sample; valid whatever the model's errors. "
           if c.labelled is not None else "")
    return (f'<p class="note">{fitted}{ppi}{100 * c.settings.level:g}% intervals; raw and '
            "corrected resample articles (and the held-out rows), PPI is clustered by article."
            f"</p>{charts.raw_vs_corrected(shares, c.taxonomy, series)}"
            + _table([escape(h) for h in header], rows) + _labelled_summary(c))


def render_html(c: Comparison, per_cell: int = 3) -> str:
    """The whole page as a string."""
    s = c.settings
    notes = "".join(f"<li>{escape(n)}</li>" for n in c.notes)
    model = c.provenance.get("model", {}) if isinstance(c.provenance.get("model"), dict) else {}
    fingerprint = model.get("fingerprint") or "no fingerprint"
    sig = c.contrasts[c.contrasts["significant"]] if not c.contrasts.empty else c.contrasts
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>Framing of armed actors by outlet</title><style>{STYLE}</style></head><body>
<h1>How outlets frame non-state armed actors</h1>
<p class="note">Taxonomy {escape(c.taxonomy.name)} {escape(c.taxonomy.version)};
model {escape(str(model.get("path") or "unknown"))} ({escape(str(fingerprint))});
{len(c.sentences)} sentences. Shares are of framed sentences ({escape(s.weight)}-weighted;
frame other than
{escape(", ".join(c.taxonomy.unframed_labels))}); {100 * s.level:g}% intervals from
{s.n_boot} bootstrap resamples of articles within each outlet (seed {s.seed}). Outlets with
fewer than {s.min_framed} framed sentences are shown but not ranked. Generated
{datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}.</p>
<ul class="note">{notes}</ul>
<h2>Outlet profiles</h2>{charts.profile_bars(c.outlets, c.taxonomy, s.level)}
{_outlet_table(c)}
<h2>Legitimacy index, ranked</h2>
<p class="note">Mean taxonomy weight over framed sentences
({escape(", ".join(f"{f} {c.taxonomy.weights[f]:+g}" for f in c.taxonomy.framed_labels))}).
{len(sig)} of {len(c.contrasts)} pairwise contrasts differ at {s.alpha} after {s.p_adjust}
correction (permutation test over articles; contrasts.csv has them all).</p>
{charts.legitimacy_ranking(c.outlets, c.taxonomy, s.level)}
<h2>Same actor, different outlets</h2>{actor_section(c)}
<h2>Raw, corrected and PPI shares</h2>{_corrected_section(c)}
<h2>Example sentences</h2>
<p class="note">Per outlet and frame, up to {per_cell} sentences (most confident first);
framing words from the taxonomy highlighted.</p>
{examples_section(c, per_cell)}
</body></html>
"""


def write_figures(c: Comparison, folder: Path) -> list[Path]:
    """PNG figures (matplotlib, Agg backend): profiles, legitimacy, corrected shares, actors."""
    import matplotlib

    matplotlib.use("Agg")
    from framing.report import figures

    folder.mkdir(parents=True, exist_ok=True)
    return figures.write_all(c, folder)


def build_report(c: Comparison, out: Path, per_cell: int = 3) -> ReportFiles:
    """Write the HTML page to `out` and PNGs to `<out stem>_figures/` beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(c, per_cell), encoding="utf-8")
    pngs = write_figures(c, out.parent / f"{out.stem}_figures")
    return ReportFiles(out, pngs)
