"""A dot plot per policy area: each indicator's values per district.

Indicators of one area have different units (件, %, 名), so each gets its own
panel with its own axis. Every figure is a dot; where two figures of one
district disagree (a conflict) both are drawn, hollow and red.

Chinese labels need a CJK font (:func:`nlp.topics.plots.cjk_font`). Without
one, districts are labelled by ``labels`` (Latin names) or ``G1, G2, ...`` and
indicators by their ids; :func:`plot_labels` says what each label stands for.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..topics.plots import axis_labels, cjk_font

__all__ = ["area_dot_plots", "plot_labels"]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_labels(comparison, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """What each axis label of the figures stands for: kind, name, label."""
    groups = sorted(comparison.mentions[comparison.by].astype(str).unique())
    rows = [{"kind": comparison.by, "name": g, "label": l} for g, l in zip(groups, axis_labels(groups, labels))]
    spec = comparison.spec
    for indicator in spec.indicators:
        rows.append({"kind": "indicator", "name": indicator.id,
                     "label": f"{indicator.name} ({indicator.id})" if cjk_font() else indicator.id})
    return pd.DataFrame(rows)


def area_dot_plots(comparison, labels: Mapping[str, str] | None = None) -> dict:
    """One matplotlib Figure per area that has figures: ``{area: Figure}``."""
    mentions = comparison.mentions
    by, spec = comparison.by, comparison.spec
    font = cjk_font()
    text_kwargs = {"fontfamily": [font, "DejaVu Sans"]} if font else {}
    groups = sorted(mentions[by].astype(str).unique())
    group_label = dict(zip(groups, axis_labels(groups, labels)))
    figures = {}
    for area in spec.areas:
        in_area = mentions[mentions["area"] == area]
        if in_area.empty:
            continue
        indicators = [i for i in spec.indicators if i.area == area and i.id in set(in_area["indicator"])]
        fig = _figure(7.0, 1.2 + 0.35 * len(groups) * len(indicators) + 0.6 * len(indicators))
        axes = fig.subplots(len(indicators), 1, squeeze=False)[:, 0]
        for ax, indicator in zip(axes, indicators):
            rows = in_area[in_area["indicator"] == indicator.id]
            y_of = {g: k for k, g in enumerate(groups)}
            for row in rows.itertuples():
                y = y_of[str(getattr(row, by))]
                conflict = bool(getattr(row, "conflict", False))
                ax.plot(row.value, y, "o", markersize=7, color="tab:red" if conflict else "tab:blue",
                        markerfacecolor="none" if conflict else "tab:blue")
            ax.set_yticks(range(len(groups)))
            ax.set_yticklabels([group_label[g] for g in groups], **text_kwargs)
            ax.set_ylim(-0.6, len(groups) - 0.4)
            units = "/".join(u for u in dict.fromkeys(rows["unit"]) if font or u.isascii())
            title = f"{indicator.name} ({indicator.id})" if font else indicator.id
            ax.set_title(f"{title} [{units}]" if units else title, fontsize=9, **text_kwargs)
            ax.grid(axis="x", alpha=0.3)
            ax.margins(x=0.15)
        fig.suptitle(f"{area}: figures per {by} (hollow red = conflicting figures)", fontsize=10)
        figures[area] = fig
    return figures
