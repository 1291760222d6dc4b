"""A comparison as tables: CSV (full precision), Markdown (for papers and READMEs), terminal text.

Files written to the output folder by `write_tables`:
- `outlets.csv` / `outlets.md`: one row per outlet (profile, legitimacy, voice, rank or flag);
- `contrasts.csv` / `contrasts.md`: one row per pair of ranked outlets and metric;
- `actors.csv` / `actors.md`: one row per actor and outlet;
- `corrected.csv` / `corrected.md`: raw beside corrected shares (when a model is known);
- `labelled.csv` / `labelled.md`: raw, PPI and labelled-only shares (with `--gold`);
- `compare.json`: settings, notes, the held-out rows the corrections were fitted on and the
  scores' provenance.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

import pandas as pd

from framing.comparison.compare import Comparison


def _pct(x: object) -> str:
    return "-" if not isinstance(x, float | int) or math.isnan(x) else f"{100 * x:.1f}%"


def _num(x: object) -> str:
    return "-" if not isinstance(x, float | int) or math.isnan(x) else f"{x:+.2f}"


def with_ci(row: pd.Series, metric: str, percent: bool = True) -> str:
    """'64.2% [58.7, 69.8]' (shares) or '-1.49 [-1.58, -1.41]' (indices)."""
    fmt = _pct if percent else _num
    lo, hi = row.get(f"{metric}_lo"), row.get(f"{metric}_hi")
    if percent:
        inner = "-" if lo is None or math.isnan(lo) else f"{100 * lo:.1f}, {100 * hi:.1f}"
    else:
        inner = f"{_num(lo)}, {_num(hi)}"
    return f"{fmt(row.get(metric))} [{inner}]"


def outlet_display(c: Comparison) -> pd.DataFrame:
    """Outlets as formatted strings, ranked outlets first by legitimacy rank."""
    frames = c.taxonomy.framed_labels
    rows = []
    table = c.outlets.sort_values(["ranked", "rank", "outlet"], ascending=[False, True, True])
    for _, r in table.iterrows():
        row = {"rank": "" if pd.isna(r["rank"]) else str(int(r["rank"])), "outlet": r["outlet"],
               "docs": int(r["documents"]), "sentences": int(r["sentences"]),
               "framed": int(r["framed"])}
        row |= {f: with_ci(r, f"share_{f}") for f in frames}
        row["legitimacy"] = with_ci(r, "legitimacy", percent=False)
        row["attributed"] = with_ci(r, "attributed_share")
        row["flag"] = r["flag"]
        rows.append(row)
    return pd.DataFrame(rows)


def contrast_display(c: Comparison) -> pd.DataFrame:
    if c.contrasts.empty:
        return pd.DataFrame(columns=["outlet_a", "outlet_b", "metric"])
    out = c.contrasts.copy()
    legit = out["metric"] == "legitimacy"
    for col in ("a", "b", "diff"):
        out[col] = [_num(v) if is_l else _pct(v) for v, is_l in zip(out[col], legit, strict=True)]
    out["diff CI"] = [
        f"[{_num(lo)}, {_num(hi)}]" if is_l else f"[{_pct(lo)}, {_pct(hi)}]"
        for lo, hi, is_l in zip(c.contrasts["diff_lo"], c.contrasts["diff_hi"], legit, strict=True)
    ]
    out["p"] = c.contrasts["p_value"].map(lambda p: f"{p:.4f}")
    out["p adjusted"] = c.contrasts["p_adjusted"].map(lambda p: f"{p:.4f}")
    return out[["outlet_a", "outlet_b", "metric", "a", "b", "diff", "diff CI", "p", "p adjusted",
                "significant"]]


def actor_display(c: Comparison) -> pd.DataFrame:
    if c.actors.empty:
        return pd.DataFrame(columns=["actor", "outlet"])
    rows = []
    for _, r in c.actors.sort_values(["actor", "outlet"]).iterrows():
        row = {"actor": r["actor_name"], "outlet": r["outlet"], "docs": int(r["documents"]),
               "framed": int(r["framed"])}
        row |= {f: with_ci(r, f"share_{f}") for f in c.taxonomy.framed_labels}
        row["legitimacy"] = with_ci(r, "legitimacy", percent=False)
        row["flag"] = "" if r["ranked"] else f"< {c.settings.min_framed_actor} framed"
        rows.append(row)
    return pd.DataFrame(rows)


def corrected_display(c: Comparison) -> pd.DataFrame:
    if c.corrected is None or c.fit is None:
        return pd.DataFrame()
    rows = []
    for _, r in c.corrected.iterrows():
        share = r["metric"] != "legitimacy"
        row = {"outlet": r["outlet"], "metric": r["metric"]}
        for method in ("raw", *c.fit.methods):
            row[method] = with_ci(r, method, percent=share)
        rows.append(row)
    return pd.DataFrame(rows)


def labelled_display(c: Comparison) -> pd.DataFrame:
    """Raw, PPI and labelled-only per outlet and metric, with what was labelled and flags."""
    if c.labelled is None:
        return pd.DataFrame()
    rows = []
    for _, r in c.labelled.iterrows():
        share = r["metric"] != "legitimacy"
        fmt = _pct if share else _num
        row = {"outlet": r["outlet"], "metric": r["metric"], "raw": fmt(r["raw"])}
        for method in ("ppi", "labelled_only"):
            row[method.replace("_", " ")] = (with_ci(r, method, percent=share)
                                             if method in r and not pd.isna(r[method]) else "-")
        row["labelled"] = f"{int(r['labelled'])} ({int(r['labelled_articles'])} articles)"
        row["flag"] = r.get("flag") or ""
        rows.append(row)
    return pd.DataFrame(rows)


def side_by_side(c: Comparison) -> pd.DataFrame:
    """One row per outlet and metric: raw (with its article-bootstrap CI), every correction,
    PPI and labelled-only, with the labelled counts and flags (columns absent when unknown)."""
    metrics = [f"share_{x}" for x in c.taxonomy.framed_labels] + ["legitimacy"]
    rows = []
    for _, r in c.outlets.iterrows():
        for m in metrics:
            rows.append({"outlet": r["outlet"], "metric": m, "raw": r[m],
                         "raw_lo": r[f"{m}_lo"], "raw_hi": r[f"{m}_hi"]})
    table = pd.DataFrame(rows)
    for extra in (c.corrected, c.labelled):
        if extra is not None:
            keep = [k for k in extra.columns if k not in ("raw", "raw_lo", "raw_hi")]
            table = table.merge(extra[keep], on=["outlet", "metric"], how="left")
    return table


def plan_display(plan: pd.DataFrame, half_width: float) -> pd.DataFrame:
    """The --plan table as strings: needed labelled sentences per outlet."""
    rows = []
    for _, r in plan.iterrows():
        need = r.get("needed")
        shown = ("-" if need is None or pd.isna(need) else "unreachable" if math.isinf(need)
                 else f"{int(need)}" + (" (all)" if need >= r["sentences"] else ""))
        rows.append({"outlet": r["outlet"], "sentences": int(r["sentences"]),
                     "articles": int(r["articles"]),
                     f"needed for ±{100 * half_width:g} pts": shown,
                     "hardest frame": r.get("hardest") or "-",
                     "model disagreement": _pct(r.get("disagreement")),
                     "basis": r["basis"]})
    return pd.DataFrame(rows)


def markdown(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table. Every cell (outlet and actor names come from the
    input) is HTML-escaped as in the HTML report, since most Markdown viewers render raw HTML;
    '|' is escaped and line breaks become spaces so a cell stays in its column."""
    if df.empty:
        return "_(no rows)_\n"

    def cell(v: object) -> str:
        return escape(str(v)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in df.columns) + " |",
             "|" + "|".join("---" for _ in df.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def text_table(df: pd.DataFrame) -> str:
    """Aligned plain-text columns for the terminal."""
    if df.empty:
        return "(no rows)"
    cols = [str(c) for c in df.columns]
    data = [[str(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in data)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in data]
    return "\n".join(line.rstrip() for line in lines)


def summary_text(c: Comparison) -> str:
    """What `framing compare` prints: the outlet table, significant contrasts, notes."""
    parts = [f"Outlet profiles (share of framed sentences, {c.settings.weight}-weighted, "
             f"{100 * c.settings.level:g}% CI; bootstrap over articles, "
             f"{c.settings.n_boot} replicates, seed {c.settings.seed})",
             text_table(outlet_display(c))]
    if c.labelled is not None:
        parts += [f"\nRaw, PPI and labelled-sample shares ({100 * c.settings.level:g}% CI, "
                  "clustered by article; see labelled.csv)", text_table(labelled_display(c))]
    if not c.contrasts.empty:
        sig = c.contrasts[c.contrasts["significant"]]
        parts.append(f"\n{len(sig)} of {len(c.contrasts)} pairwise contrasts significant at "
                     f"{c.settings.alpha} after {c.settings.p_adjust} correction "
                     "(see contrasts.csv)")
    parts += [f"note: {n}" for n in c.notes]
    return "\n".join(parts)


def write_tables(c: Comparison, out_dir: Path) -> list[Path]:
    """Write every table as CSV and Markdown plus compare.json; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tables = {
        "outlets": (c.outlets, outlet_display(c)),
        "contrasts": (c.contrasts, contrast_display(c)),
        "actors": (c.actors, actor_display(c)),
    }
    if c.corrected is not None:
        tables["corrected"] = (c.corrected, corrected_display(c))
    if c.labelled is not None:
        tables["labelled"] = (c.labelled, labelled_display(c))
    for name, (raw, shown) in tables.items():
        csv_path, md_path = out_dir / f"{name}.csv", out_dir / f"{name}.md"
        raw.to_csv(csv_path, index=False)
        md_path.write_text(markdown(shown), encoding="utf-8")
        written += [csv_path, md_path]
    meta = {
        "settings": c.settings.model_dump(),
        "taxonomy": {"name": c.taxonomy.name, "version": c.taxonomy.version,
                     "fingerprint": c.taxonomy.fingerprint()},
        "corrections_fitted_on": c.fit.source if c.fit else None,
        "notes": c.notes,
        "scores_provenance": c.provenance,
    }
    meta_path = out_dir / "compare.json"
    meta_path.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return [*written, meta_path]
