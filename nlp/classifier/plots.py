"""Figures for classifier evaluations (matplotlib, Agg backend, no CJK glyphs needed)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .metrics import EvaluationResult

__all__ = ["per_label_f1_figure", "confusion_figure", "learning_curve_figure"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def per_label_f1_figure(results: Sequence[EvaluationResult], title: str = "Per-label F1 with 95% bootstrap intervals"):
    """Grouped bars: one group per label, one bar per (model, evaluation), error bars from the bootstrap."""
    plt = _pyplot()
    results = list(results)
    label_ids = results[0].label_ids
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(label_ids) + 2), 4.2))
    width = 0.8 / max(1, len(results))
    x = np.arange(len(label_ids) + 1)
    for i, result in enumerate(results):
        table = result.table.set_index("label")
        names = list(label_ids) + ["macro"]
        values = np.array([table.loc[n, "f1"] for n in names])
        low = np.array([result.intervals.get(f"f1_{j}", (v, v))[0] for j, v in enumerate(values[:-1])] + [result.intervals.get("macro_f1", (values[-1],) * 2)[0]])
        high = np.array([result.intervals.get(f"f1_{j}", (v, v))[1] for j, v in enumerate(values[:-1])] + [result.intervals.get("macro_f1", (values[-1],) * 2)[1]])
        ax.bar(x + i * width - 0.4 + width / 2, values, width, yerr=[values - low, high - values], capsize=2,
               label=f"{result.model} ({result.evaluation})")
    ax.set_xticks(x)
    ax.set_xticklabels([l.replace("_", "\n") for l in label_ids] + ["macro"], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def confusion_figure(result: EvaluationResult):
    """Per label: true/false positives and negatives as a 2x2 grid of counts."""
    plt = _pyplot()
    label_ids = result.label_ids
    fig, axes = plt.subplots(1, len(label_ids), figsize=(2.3 * len(label_ids), 2.6))
    for j, (ax, label) in enumerate(zip(np.atleast_1d(axes), label_ids)):
        t = result.y_true[:, j].astype(bool)
        p = result.y_pred[:, j].astype(bool)
        grid = np.array([[np.sum(~t & ~p), np.sum(~t & p)], [np.sum(t & ~p), np.sum(t & p)]])
        ax.imshow(grid, cmap="Blues")
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, str(v), ha="center", va="center", fontsize=9)
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["pred 0", "pred 1"], fontsize=7)
        ax.set_yticks([0, 1])
        ax.set_yticklabels(["gold 0", "gold 1"], fontsize=7)
        ax.set_title(label.replace("_", "\n"), fontsize=8)
    fig.suptitle(f"{result.model} — {result.evaluation}", fontsize=9)
    fig.tight_layout()
    return fig


def learning_curve_figure(curve, title: str = "Held-out macro-F1 against the size of the written corpus"):
    """Lines: LODO and dev macro-F1 (y) against the number of written-corpus paragraphs trained on (x)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for column, label, marker in (("lodo_macro_f1", "leave one seed district out", "o"),
                                  ("dev_macro_f1", "development set (other provinces)", "s")):
        if column in curve and curve[column].notna().any():
            ax.plot(curve["n_corpus"], curve[column], marker=marker, label=label)
    ax.set_xlabel("written-corpus paragraphs in training")
    ax.set_ylabel("macro-F1")
    ax.set_ylim(0.5, 1.0)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
