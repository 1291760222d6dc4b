"""Inline SVG charts for the HTML report: no scripts, no external files, every label escaped.

Each function takes plain tables from a `Comparison` and returns one `<svg>` element as a
string with explicit width and height, so the page renders offline and in any browser.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

import pandas as pd

from framing.taxonomy import Taxonomy

PALETTE = {
    "terrorist": "#b2182b", "militant": "#ef8a62", "neutral": "#bababa",
    "rebel": "#67a9cf", "resistance": "#2166ac",
}
_FALLBACK = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
LABEL_W, BAR_W, ROW_H = 170, 520, 26


def colour(frame: str, taxonomy: Taxonomy) -> str:
    if frame in PALETTE:
        return PALETTE[frame]
    return _FALLBACK[taxonomy.labels.index(frame) % len(_FALLBACK)]


def _text(x: float, y: float, body: str, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>'
            f"{escape(body)}</text>")


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-label="{escape(label)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'
            + "".join(body) + "</svg>")


def _ok(x: object) -> bool:
    return isinstance(x, float | int) and not math.isnan(x)


def legend(frames: list[str], taxonomy: Taxonomy, y: float) -> list[str]:
    out, x = [], LABEL_W
    for f in frames:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" '
                   f'fill="{colour(f, taxonomy)}"/>')
        out.append(_text(x + 16, y, f))
        x += 24 + 8 * len(f)
    return out


def profile_bars(outlets: pd.DataFrame, taxonomy: Taxonomy, level: float = 0.95) -> str:
    """One stacked bar per outlet: shares of framed sentences, with a CI whisker at the end of
    each segment (the segment's own CI at `level`, drawn from where it starts)."""
    frames = taxonomy.framed_labels
    rows = outlets.sort_values(["ranked", "legitimacy"], ascending=[False, True])
    body = legend(frames, taxonomy, 16)
    for i, (_, r) in enumerate(rows.iterrows()):
        y = 30 + i * ROW_H
        name = r["outlet"] + ("" if r["ranked"] else " (not ranked)")
        body.append(_text(LABEL_W - 8, y + 14, name, "end",
                          "" if r["ranked"] else 'fill="#888"'))
        start = 0.0
        for f in frames:
            share = r[f"share_{f}"] if _ok(r[f"share_{f}"]) else 0.0
            lo, hi = r[f"share_{f}_lo"], r[f"share_{f}_hi"]
            tip = f"{r['outlet']}: {f} {100 * share:.1f}%"
            if _ok(lo):
                tip += f" [{100 * level:g}% CI {100 * lo:.1f}, {100 * hi:.1f}]"
            body.append(
                f'<rect class="seg" x="{LABEL_W + start * BAR_W:.1f}" y="{y}" '
                f'width="{max(share * BAR_W, 0):.1f}" height="{ROW_H - 8}" '
                f'fill="{colour(f, taxonomy)}"><title>{escape(tip)}</title></rect>'
            )
            if _ok(lo) and share > 0:
                x1, x2 = LABEL_W + (start + lo) * BAR_W, LABEL_W + (start + hi) * BAR_W
                mid = y + (ROW_H - 8) / 2
                body.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{mid}" y2="{mid}" '
                            'stroke="#000" stroke-width="1.2"/>')
            start += share
        body.append(_text(LABEL_W + BAR_W + 6, y + 14, f"n={int(r['framed'])}"))
    return _svg(LABEL_W + BAR_W + 70, 40 + len(rows) * ROW_H, body,
                "Frame shares of framed sentences per outlet")


def _axis(lo: float, hi: float, y0: float, y1: float, ticks: list[float],
          fmt: str = "{:+.1f}") -> tuple[list[str], Callable[[float], float]]:
    def pos(v: float) -> float:
        return LABEL_W + (v - lo) / (hi - lo) * BAR_W

    out = []
    for t in ticks:
        out.append(f'<line x1="{pos(t):.1f}" x2="{pos(t):.1f}" y1="{y0}" y2="{y1}" '
                   f'stroke="{"#444" if t == 0 else "#ddd"}"/>')
        out.append(_text(pos(t), y1 + 14, fmt.format(t), "middle"))
    return out, pos


def legitimacy_ranking(outlets: pd.DataFrame, taxonomy: Taxonomy, level: float = 0.95) -> str:
    """Ranked outlets' legitimacy index with its CI; unranked ones listed, greyed, below."""
    weights = [w for w in taxonomy.weights.values() if w is not None]
    lo, hi = min(weights), max(weights)
    ranked = outlets[outlets["ranked"]].sort_values("legitimacy", ascending=False)
    rest = outlets[~outlets["ranked"]].sort_values("outlet")
    rows = list(ranked.iterrows()) + list(rest.iterrows())
    height = 20 + len(rows) * ROW_H
    body, pos = _axis(lo, hi, 10, height, [lo + k * (hi - lo) / 4 for k in range(5)])
    for i, (_, r) in enumerate(rows):
        y = 22 + i * ROW_H
        label = (f"{int(r['rank'])}. {r['outlet']}" if r["ranked"]
                 else f"{r['outlet']} (not ranked)")
        grey = "" if r["ranked"] else 'fill="#888"'
        body.append(_text(LABEL_W - 8, y + 4, label, "end", grey))
        if not _ok(r["legitimacy"]):
            continue
        tip = (f"{r['outlet']}: legitimacy {r['legitimacy']:+.2f} "
               f"[{100 * level:g}% CI {r['legitimacy_lo']:+.2f}, {r['legitimacy_hi']:+.2f}], "
               f"n={int(r['framed'])}")
        body.append(f'<line x1="{pos(r["legitimacy_lo"]):.1f}" x2="{pos(r["legitimacy_hi"]):.1f}"'
                    f' y1="{y}" y2="{y}" stroke="#333" stroke-width="2"/>')
        body.append(f'<circle cx="{pos(r["legitimacy"]):.1f}" cy="{y}" r="5" '
                    f'fill="{"#333" if r["ranked"] else "#bbb"}"><title>{escape(tip)}</title>'
                    "</circle>")
    return _svg(LABEL_W + BAR_W + 40, height + 24, body,
                f"Legitimacy index with {100 * level:g}% CI")


FIXED_STYLE = {"raw": "hollow", "ppi": "square", "labelled_only": "diamond"}
CORRECTION_STYLES = ("filled", "triangle", "bar", "ring")


def series_styles(columns: list[str]) -> dict[str, str]:
    """One marker per series: raw hollow, PPI a black square, labelled-only a diamond, the
    corrections filled circle, triangle, bar, ring in turn."""
    out, k = {}, 0
    for column in columns:
        if column in FIXED_STYLE:
            out[column] = FIXED_STYLE[column]
        else:
            out[column] = CORRECTION_STYLES[k % len(CORRECTION_STYLES)]
            k += 1
    return out


def _marker(style: str, x: float, y: float, colour_: str, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>"
    if style in ("hollow", "filled", "ring"):
        fill = colour_ if style == "filled" else "white"
        width = 3 if style == "ring" else 1.5
        return (f'<circle cx="{x:.1f}" cy="{y}" r="4" fill="{fill}" stroke="{colour_}" '
                f'stroke-width="{width}">{title}</circle>')
    if style == "square":
        return (f'<rect x="{x - 4:.1f}" y="{y - 4}" width="8" height="8" fill="#222" '
                f'stroke="{colour_}" stroke-width="1.5">{title}</rect>')
    if style == "triangle":
        return (f'<polygon points="{x:.1f},{y - 5} {x + 5:.1f},{y + 4} {x - 5:.1f},{y + 4}" '
                f'fill="{colour_}" stroke="#222" stroke-width="1">{title}</polygon>')
    if style == "bar":
        return (f'<rect x="{x - 1.5:.1f}" y="{y - 6}" width="3" height="12" fill="{colour_}" '
                f'stroke="#222" stroke-width="0.8">{title}</rect>')
    return (f'<polygon points="{x:.1f},{y - 5} {x + 5:.1f},{y} {x:.1f},{y + 5} {x - 5:.1f},{y}" '
            f'fill="white" stroke="#222" stroke-width="1.5">{title}</polygon>')


def raw_vs_corrected(table: pd.DataFrame, taxonomy: Taxonomy,
                     series: list[tuple[str, str]] | None = None) -> str:
    """Per outlet and frame share, one marker with its CI per estimate in `series`
    ((column, name) pairs; default raw and ACC), styled by `series_styles`."""
    series = series or [("raw", "raw"), ("acc", "ACC")]
    styles = series_styles([column for column, _ in series])
    frames = taxonomy.framed_labels
    outlets = sorted(table["outlet"].unique())
    step = 6
    row_h = max(16, step * len(series) + 4)
    panel_h = row_h * len(frames) + 14
    height = 20 + len(outlets) * panel_h
    body, pos = _axis(0.0, 1.0, 10, height, [0, 0.25, 0.5, 0.75, 1.0], "{:.0%}")
    by_key = {(r["outlet"], r["metric"]): r for _, r in table.iterrows()}
    for i, outlet in enumerate(outlets):
        top = 18 + i * panel_h
        body.append(_text(8, top + 10, outlet, "start", 'font-weight="bold"'))
        for j, f in enumerate(frames):
            r = by_key.get((outlet, f"share_{f}"))
            y = top + 22 + j * row_h
            body.append(_text(LABEL_W - 8, y + 4, f, "end"))
            if r is None:
                continue
            for k, (column, name) in enumerate(series):
                if not _ok(r.get(column)):
                    continue
                dy = (k - (len(series) - 1) / 2) * step
                lo, hi = r.get(column + "_lo"), r.get(column + "_hi")
                tip = f"{outlet} {f} {name}: {100 * r[column]:.1f}%"
                if _ok(lo) and _ok(hi):
                    tip += f" [{100 * lo:.1f}, {100 * hi:.1f}]"
                    body.append(f'<line x1="{pos(lo):.1f}" x2="{pos(hi):.1f}" y1="{y + dy}" '
                                f'y2="{y + dy}" stroke="#555"/>')
                body.append(_marker(styles[column], pos(r[column]), y + dy,
                                    colour(f, taxonomy), tip))
    legend_text = ", ".join(f"{name} ({styles[column]})" for column, name in series)
    body.append(_text(LABEL_W, height + 36, legend_text))
    return _svg(LABEL_W + BAR_W + 40, height + 44, body,
                "Frame shares: " + ", ".join(name for _, name in series))
