"""PNG figures for papers (matplotlib; the caller selects the Agg backend before importing)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from framing.comparison.compare import Comparison
from framing.comparison.corrected import NAMES
from framing.report import charts


def write_all(c: Comparison, folder: Path) -> list[Path]:
    paths = [_profiles(c, folder / "profiles.png"), _legitimacy(c, folder / "legitimacy.png")]
    if c.corrected is not None:
        paths.append(_corrected(c, folder / "corrected.png"))
    if not c.actors.empty:
        paths.append(_actors(c, folder / "actors.png"))
    return paths


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.savefig(path, dpi=200, bbox_inches="tight")
    plt.close(fig)
    return path


def _profiles(c: Comparison, path: Path) -> Path:
    frames = c.taxonomy.framed_labels
    rows = c.outlets.sort_values(["ranked", "legitimacy"], ascending=[False, True])
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.5))
    left = np.zeros(len(rows))
    y = np.arange(len(rows))
    for f in frames:
        share = rows[f"share_{f}"].fillna(0).to_numpy()
        err = np.vstack([share - rows[f"share_{f}_lo"].fillna(0).to_numpy(),
                         rows[f"share_{f}_hi"].fillna(0).to_numpy() - share]).clip(0)
        ax.barh(y, share, left=left, color=charts.colour(f, c.taxonomy), label=f)
        ax.errorbar(left + share, y, xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
        left += share
    labels = [o if ok else f"{o} (not ranked)" for o, ok in zip(rows["outlet"], rows["ranked"],
                                                                   strict=True)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of framed sentences ({100 * c.settings.level:g}% CI over articles)")
    ax.legend(ncol=len(frames), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return _save(fig, path)


def _legitimacy(c: Comparison, path: Path) -> Path:
    rows = c.outlets[c.outlets["ranked"]].sort_values("legitimacy")
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(rows), 1) + 1.2))
    y = np.arange(len(rows))
    err = np.vstack([rows["legitimacy"] - rows["legitimacy_lo"],
                     rows["legitimacy_hi"] - rows["legitimacy"]]).clip(0)
    ax.errorbar(rows["legitimacy"], y, xerr=err, fmt="o", color="#333", capsize=3)
    ax.axvline(0, color="#999", lw=0.8)
    ax.set_yticks(y, rows["outlet"])
    ax.set_xlabel(f"legitimacy index (mean frame weight, {100 * c.settings.level:g}% CI)")
    return _save(fig, path)


def _corrected(c: Comparison, path: Path) -> Path:
    assert c.corrected is not None
    legit = c.corrected[c.corrected["metric"] == "legitimacy"].sort_values("raw")
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(legit) + 1.2))
    y = np.arange(len(legit))
    methods = ["raw", *(c.fit.methods if c.fit else [])]
    for k, method in enumerate(methods):
        offset = 0.3 * (k - (len(methods) - 1) / 2) / max(len(methods) - 1, 1)
        err = np.vstack([legit[method] - legit[f"{method}_lo"],
                         legit[f"{method}_hi"] - legit[method]]).clip(0)
        ax.errorbar(legit[method], y + offset, xerr=err, fmt="os^D"[k % 4], capsize=2,
                    label="raw" if method == "raw" else f"corrected ({NAMES[method]})")
    ax.axvline(0, color="#999", lw=0.8)
    ax.set_yticks(y, legit["outlet"])
    ax.set_xlabel("legitimacy index; corrections fitted on the model's held-out rows")
    ax.legend(frameon=False)
    return _save(fig, path)


def _actors(c: Comparison, path: Path) -> Path:
    table = c.actors.pivot(index="actor_name", columns="outlet", values="legitimacy")
    ranked = c.actors.pivot(index="actor_name", columns="outlet", values="ranked")
    shown = table.where(ranked.eq(True))
    size = (max(6.0, 3 + 0.6 * shown.shape[1]), 1.5 + 0.35 * shown.shape[0])
    fig, ax = plt.subplots(figsize=size)
    image = ax.imshow(shown.to_numpy(dtype=float), cmap="RdBu", vmin=-2, vmax=2, aspect="auto")
    ax.set_xticks(range(shown.shape[1]), shown.columns, rotation=60, ha="right")
    ax.set_yticks(range(shown.shape[0]), shown.index)
    fig.colorbar(image, ax=ax, label="legitimacy index (cells with enough framed sentences)")
    return _save(fig, path)
