"""Figures for topic results (matplotlib, no display needed).

Figures are built with :class:`matplotlib.figure.Figure` directly (the Agg
canvas), so nothing here touches pyplot's global state or needs a display.

Chinese glyphs come from the CJK font that the set-up installs and
:mod:`nlp.fonts` registers (:func:`cjk_font`). In an environment without it, topics are labelled ``T0, T1, ...`` (their
top words are in ``topic_words.csv``) and districts by the Latin names given
in the config's ``plots.district_labels`` or, failing that, ``G1, G2, ...``;
:func:`axis_labels` returns the mapping so it can be written beside the PNGs.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "cjk_font",
    "axis_labels",
    "heatmap",
    "prevalence_heatmap",
    "prevalence_intervals",
    "divergence_heatmap",
    "k_curve",
    "label_topic_heatmap",
    "coefficient_plot",
]

logger = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of the CJK font registered for figures (:func:`nlp.fonts.use_cjk_font`), else None."""
    from ..fonts import use_cjk_font

    family = use_cjk_font()
    if family is None:
        logger.info("no CJK font found; plots label topics T0, T1, ... and districts by Latin names")
    return family


def axis_labels(names: Sequence[str], mapping: Mapping[str, str] | None = None, prefix: str = "G") -> list[str]:
    """Labels that the installed fonts can draw.

    With a CJK font, names are kept. Without one, a name with Chinese
    characters becomes ``mapping[name]`` or ``<prefix><i>`` (1-based).

    >>> axis_labels(["滨江区", "achievements"], {"滨江区": "Binjiang"}) if cjk_font() is None else ["Binjiang", "achievements"]
    ['Binjiang', 'achievements']
    """
    if cjk_font() is not None:
        return [str(n) for n in names]
    mapping = mapping or {}
    out = []
    for i, name in enumerate(names, 1):
        name = str(name)
        out.append(name if not _CJK.search(name) else mapping.get(name, f"{prefix}{i}"))
    return out


def _topic_labels(topics: Sequence[str], top_words: Mapping[str, Sequence[str]] | None, n_words: int = 3) -> list[str]:
    if cjk_font() is None or not top_words:
        return [str(t) for t in topics]
    return [f"{t} " + "/".join(list(top_words.get(t, []))[:n_words]) for t in topics]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _small_multiples(n_panels: int, panel_width: float, extra_width: float, panel_height: float,
                     extra_height: float):
    """A figure of ``n_panels`` panels sharing both axes, at most four per row; the axes in reading order."""
    ncols = min(4, n_panels)
    nrows = int(np.ceil(n_panels / ncols))
    fig = _figure(panel_width * ncols + extra_width, panel_height * nrows + extra_height)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    return fig, axes


def _fontfamily() -> dict:
    font = cjk_font()
    return {"fontfamily": [font, "DejaVu Sans"]} if font else {}


def heatmap(matrix: pd.DataFrame, title: str = "", row_labels: Sequence[str] | None = None,
            col_labels: Sequence[str] | None = None, cmap: str = "viridis", fmt: str = "{:.2f}",
            colorbar_label: str = "", center: float | None = None):
    """An annotated heatmap of a numeric DataFrame; returns a matplotlib Figure."""
    values = matrix.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    fig = _figure(max(4.0, 0.9 * n_cols + 2.5), max(2.5, 0.5 * n_rows + 1.5))
    ax = fig.add_subplot()
    kwargs = {}
    shown = values
    if center is not None:
        # A ratio (lift) is centred on `center` on a log scale: 0.5 and 2 are equally far from 1, and the
        # colour bar never shows impossible negative values. Zeros are drawn at the floor of the scale.
        from matplotlib.colors import LogNorm

        positive = values[np.isfinite(values) & (values > 0)]
        # At most 1/8 .. 8: beyond that the cell's number tells the value, and one near-zero lift
        # does not wash out every other colour.
        span = min(max(float(np.max(np.abs(np.log2(positive / center)))), 1.0), 3.0) if positive.size else 1.0
        vmin, vmax = center * 2.0 ** -span, center * 2.0 ** span
        shown = np.where(np.isfinite(values), np.clip(values, vmin, vmax), np.nan)
        kwargs["norm"] = LogNorm(vmin=vmin, vmax=vmax)
    image = ax.imshow(shown, aspect="auto", cmap=cmap, **kwargs)
    font = _fontfamily()
    ax.set_xticks(range(n_cols), labels=list(col_labels if col_labels is not None else matrix.columns), rotation=45,
                  ha="right", **font)
    ax.set_yticks(range(n_rows), labels=list(row_labels if row_labels is not None else matrix.index), **font)
    for i in range(n_rows):
        for j in range(n_cols):
            if np.isfinite(values[i, j]):
                r, g, b, _ = image.cmap(image.norm(shown[i, j]))
                color = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"
                ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center", fontsize=8, color=color)
    ax.set_title(title, **font)
    bar = fig.colorbar(image, ax=ax, label=colorbar_label)
    if center is not None:
        from matplotlib.ticker import FixedLocator, NullLocator

        low, high = image.norm.vmin, image.norm.vmax
        ticks = [center * 2.0 ** k for k in range(-8, 9) if low <= center * 2.0 ** k <= high]
        bar.ax.yaxis.set_major_locator(FixedLocator(ticks))
        bar.ax.yaxis.set_minor_locator(NullLocator())
        bar.ax.set_yticklabels([f"{t:g}" for t in ticks])
    return fig


def prevalence_heatmap(prevalence_matrix: pd.DataFrame, by: str = "district",
                       labels: Mapping[str, str] | None = None,
                       top_words: Mapping[str, Sequence[str]] | None = None, method: str = ""):
    """Group x topic prevalence heatmap (rows sum to 1)."""
    title = f"Topic prevalence by {by}" + (f" ({method})" if method else "")
    return heatmap(prevalence_matrix, title, axis_labels(prevalence_matrix.index, labels),
                   _topic_labels(prevalence_matrix.columns, top_words), cmap="viridis", colorbar_label="prevalence")


def prevalence_intervals(prevalence: pd.DataFrame, by: str = "district", labels: Mapping[str, str] | None = None,
                         ci: float = 0.95):
    """Small multiples, one per topic: each group's prevalence with its interval (pooled or bootstrap)."""
    topics = list(dict.fromkeys(prevalence["topic"]))
    groups = sorted(prevalence[by].unique())
    names = axis_labels(groups, labels)
    fig, axes = _small_multiples(len(topics), 3.0, 0.5, 0.32 * len(groups) + 1.2, 0.5)
    font = _fontfamily()
    y = np.arange(len(groups))
    for ax, topic in zip(axes, topics):
        rows = prevalence[prevalence["topic"] == topic].set_index(by).loc[groups]
        # the pooled estimate is the centre of a pooled interval; the raw share may lie outside it
        est = rows["prevalence_pooled" if "prevalence_pooled" in rows else "prevalence"].to_numpy()
        err = np.vstack([est - rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy() - est])
        ax.errorbar(est, y, xerr=np.clip(err, 0, None), fmt="o", ms=4, capsize=2)
        overall = float(np.average(rows["prevalence"].to_numpy(), weights=rows["n_paragraphs"].to_numpy()))
        ax.axvline(overall, color="grey", lw=0.8, ls="--")
        ax.set_title(str(topic), fontsize=9)
        ax.set_yticks(y, labels=names, **font)
        ax.set_xlim(0, 1)
    axes[0].invert_yaxis()  # shared: first group on top in every panel
    for ax in axes[len(topics):]:
        ax.set_visible(False)
    kind = "partial-pooling" if "prevalence_pooled" in prevalence.columns else "bootstrap"
    fig.suptitle(f"Topic prevalence by {by} with {int(ci * 100)}% {kind} intervals (dashed: all paragraphs)",
                 fontsize=10)
    return fig


def divergence_heatmap(divergence: pd.DataFrame, by: str = "district", labels: Mapping[str, str] | None = None):
    """Group x group Jensen-Shannon divergence (bits)."""
    names = axis_labels(divergence.index, labels)
    return heatmap(divergence, f"Jensen-Shannon divergence between {by}s (bits)", names, names, cmap="magma",
                   fmt="{:.3f}", colorbar_label="JS divergence")


def k_curve(k_summary: pd.DataFrame, metric: str = "c_v", rule: str = "one_sd"):
    """Coherence and diversity against K (mean +- 1 SE over seeds), chosen K marked."""
    panels = [m for m in ("c_v", "c_npmi", "u_mass", "diversity") if f"{m}_mean" in k_summary.columns]
    fig = _figure(9.0, 6.0)
    axes = np.atleast_1d(fig.subplots(2, 2, sharex=True, squeeze=False)).ravel()
    chosen = k_summary.loc[k_summary.get("chosen", pd.Series(False, index=k_summary.index)).astype(bool), "k"]
    ks = k_summary["k"].to_numpy()
    for ax, m in zip(axes, panels):
        ax.errorbar(ks, k_summary[f"{m}_mean"], yerr=k_summary[f"{m}_se"], fmt="o-", ms=4, capsize=3)
        if m == metric and "threshold" in k_summary.columns:
            ax.axhline(float(k_summary["threshold"].iloc[0]), color="grey", ls=":", lw=1,
                       label=f"rule threshold ({rule})")
            ax.legend(fontsize=8, loc="best")
        for k in chosen:
            ax.axvline(k, color="tab:red", lw=1, ls="--")
        ax.set_title(m + (" (rule metric)" if m == metric else ""), fontsize=10)
        ax.set_xticks(ks)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-2:]:
        ax.set_xlabel("K (number of topics)")
    n_seeds = int(k_summary["n_seeds"].max()) if "n_seeds" in k_summary.columns else 1
    label = f"chosen K = {int(chosen.iloc[0])}" if len(chosen) else ""
    fig.suptitle(f"LDA: coherence and diversity vs K (mean +- 1 SE over {n_seeds} seeds) {label}", fontsize=10)
    return fig


def label_topic_heatmap(table: pd.DataFrame, top_words: Mapping[str, Sequence[str]] | None = None):
    """Topic x policy-label lift (share of the topic's paragraphs with the label / overall share)."""
    matrix = table.pivot(index="topic", columns="label", values="lift")
    matrix = matrix.loc[list(dict.fromkeys(table["topic"]))]
    return heatmap(matrix, "Policy labels by topic: lift (1 = as in the corpus)",
                   _topic_labels(matrix.index, top_words), list(matrix.columns), cmap="RdBu_r",
                   colorbar_label="lift", center=1.0)


def coefficient_plot(effects: pd.DataFrame, labels: Mapping[str, str] | None = None, max_rows: int = 40):
    """Covariate effects per topic: log-odds estimates with their intervals (one panel per topic).

    Rows are ``term: level`` of :func:`nlp.topics.effects.topic_effects`;
    levels without an identified standard error are left out, and at most
    ``max_rows`` levels (the largest absolute estimates over topics) are
    drawn. Filled markers: q < 0.05.
    """
    table = effects[effects["identified"]].copy()
    fig = _figure(3.0, 1.0)
    if table.empty:
        fig.suptitle("No identified covariate effect to plot", fontsize=10)
        return fig
    table["row"] = table["term"] + ": " + table["level"].astype(str)
    strength = table.groupby("row")["estimate"].apply(lambda v: float(np.abs(v).max()))
    rows = list(strength.sort_values(ascending=False).index[:max_rows])
    rows = sorted(rows, key=lambda r: (r.split(": ")[0], r))
    names = [f"{r.split(': ')[0]}: {axis_labels([r.split(': ', 1)[1]], labels)[0]}" for r in rows]
    topics = list(dict.fromkeys(table["topic"]))
    fig, axes = _small_multiples(len(topics), 2.6, 1.8, 0.22 * len(rows) + 1.0, 0.6)
    font = _fontfamily()
    y = np.arange(len(rows))
    for ax, topic in zip(axes, topics):
        part = table[table["topic"] == topic].set_index("row").reindex(rows)
        est = part["estimate"].to_numpy(dtype=float)
        err = np.vstack([est - part["ci_low"].to_numpy(dtype=float), part["ci_high"].to_numpy(dtype=float) - est])
        strong = (part["q_value"] < 0.05).to_numpy()
        ax.errorbar(est, y, xerr=np.nan_to_num(err.clip(0, None)), fmt="none", ecolor="grey", lw=0.8)
        ax.plot(est[~strong], y[~strong], "o", mfc="white", mec="C0", ms=4)
        ax.plot(est[strong], y[strong], "o", color="C3", ms=4)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(str(topic), fontsize=9)
        ax.set_yticks(y, labels=names, fontsize=7, **font)
    axes[0].invert_yaxis()
    for ax in axes[len(topics):]:
        ax.set_visible(False)
    fig.suptitle("Covariate effects on topic share (fractional logit, log-odds, report-clustered 95% CI; "
                 "red: q < 0.05)", fontsize=9)
    return fig
