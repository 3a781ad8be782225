"""Figures for classifier evaluations (matplotlib, Agg backend, the CJK font of :mod:`nlp.fonts`)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .metrics import EvaluationResult

__all__ = ["per_label_f1_figure", "confusion_figure", "learning_curve_figure"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..fonts import use_cjk_font

    use_cjk_font()
    return plt


# The models a paper figure compares by default: the learned model against the keyword baseline.
# Every model's per-label scores are in per_label.csv.
DEFAULT_FIGURE_MODELS = ("keywords", "model")
_EVALUATION_TITLES = {"lodo": "leave one seed district out", "corpus": "corpus folds (by writer)",
                      "reports": "realistic reports (held out of training)", "dev": "development set (other provinces)"}


def _interval(result: EvaluationResult, key: str, value: float) -> tuple[float, float]:
    low, high = result.intervals.get(key, (value, value))
    return low, high


def per_label_f1_figure(results: Sequence[EvaluationResult], title: str = "Per-label F1 with 95% bootstrap intervals",
                        models: Sequence[str] | None = DEFAULT_FIGURE_MODELS):
    """One panel per evaluation; in each, per-label and macro F1 of a few models side by side, with intervals.

    Parameters
    ----------
    results : sequence of EvaluationResult
    models : sequence of str or None
        Model names to draw (in this order, one colour each across panels);
        None draws every model. Names not present are ignored; if none is
        present, every model is drawn.
    """
    plt = _pyplot()
    results = list(results)
    present = list(dict.fromkeys(r.model for r in results))
    chosen = [m for m in (models or present) if m in present] or present
    evaluations = list(dict.fromkeys(r.evaluation for r in results if r.model in chosen))
    label_ids = results[0].label_ids
    names = list(label_ids) + ["macro"]
    colours = plt.get_cmap("tab10").colors
    fig, axes = plt.subplots(1, len(evaluations), figsize=(max(4.2, 0.75 * len(names) * max(1, len(chosen)) / 2 + 1.5)
                                                           * len(evaluations), 4.0),
                             sharey=True, squeeze=False)
    width = 0.8 / len(chosen)
    x = np.arange(len(names))
    for ax, evaluation in zip(axes[0], evaluations):
        for i, model in enumerate(chosen):
            result = next((r for r in results if r.model == model and r.evaluation == evaluation), None)
            if result is None:
                continue
            table = result.table.set_index("label")
            values = np.array([table.loc[n, "f1"] for n in names], dtype=float)
            bounds = [_interval(result, f"f1_{j}", v) for j, v in enumerate(values[:-1])]
            bounds.append(_interval(result, "macro_f1", values[-1]))
            low, high = np.array(bounds).T
            ax.bar(x + (i - (len(chosen) - 1) / 2) * width, values, width,
                   yerr=[np.clip(values - low, 0, None), np.clip(high - values, 0, None)], capsize=2,
                   color=colours[i % len(colours)], label=model, error_kw={"elinewidth": 0.8})
        ax.axvline(len(names) - 1.5, color="grey", lw=0.6, ls=":")
        ax.set_xticks(x)
        ax.set_xticklabels([n.replace("_", "\n") for n in names], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(_EVALUATION_TITLES.get(evaluation, evaluation), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("F1")
    handles, labels = axes[0][0].get_legend_handles_labels()
    # The legend sits above the panels, never over a bar.
    fig.legend(handles, labels, loc="upper center", ncol=len(chosen), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.945))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
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
    """Lines: LODO, realistic-report and dev macro-F1 (y) against the written-corpus paragraphs trained on (x)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for column, label, marker in (("lodo_macro_f1", _EVALUATION_TITLES["lodo"], "o"),
                                  ("reports_macro_f1", _EVALUATION_TITLES["reports"], "^"),
                                  ("dev_macro_f1", _EVALUATION_TITLES["dev"], "s")):
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
