"""Files a classifier job writes: the comparison table, per-label scores and figures.

Plotting lives in :mod:`nlp.classifier.plots`; MLflow calls go through
:mod:`nlp.tracking`.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import pandas as pd

from .evaluation import comparison_table
from .metrics import EvaluationResult

__all__ = ["EVALUATION_NAMES", "write_results", "comparison_markdown"]

logger = logging.getLogger(__name__)

EVALUATION_NAMES = {"lodo": "LODO (seeds)", "corpus": "corpus folds (by writer)",
                    "reports": "realistic reports (held out)", "dev": "dev (other provinces)"}


def comparison_markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table: micro-F1 and macro-F1 [95% CI] per evaluation present."""
    present = [e for e in EVALUATION_NAMES if f"{e}_macro_f1" in table.columns]
    header = ["model"] + [f"{EVALUATION_NAMES[e]} {m}" for e in present for m in ("micro-F1", "macro-F1 [95% CI]")]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for row in table.to_dict("records"):
        cells = [str(row["model"])]
        for e in present:
            for key, ci in (("micro_f1", False), ("macro_f1", True)):
                value = row.get(f"{e}_{key}")
                if value is None or pd.isna(value):
                    cells.append("n/a")
                elif ci and pd.notna(row.get(f"{e}_{key}_low")):
                    cells.append(f"{value:.3f} [{row[f'{e}_{key}_low']:.3f}, {row[f'{e}_{key}_high']:.3f}]")
                else:
                    cells.append(f"{value:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_results(results: Sequence[EvaluationResult], folder: Path, tracked: bool) -> pd.DataFrame:
    """Comparison table (CSV and Markdown), per-label tables and plots; logged to MLflow when tracked.

    The folder is replaced whole (:func:`nlp.atomic.atomic_folder`): a job
    killed part-way leaves the previous results intact, never a mix. Files and
    sub-folders it does not write (another job's ``train/``) are kept.
    """
    from ..atomic import atomic_folder

    with atomic_folder(folder, keep_other_files=True) as staging:
        return _write_results_into(results, staging, tracked)


def _write_results_into(results: Sequence[EvaluationResult], folder: Path, tracked: bool) -> pd.DataFrame:
    import matplotlib.pyplot as plt

    from .plots import confusion_figure, per_label_f1_figure

    folder.mkdir(parents=True, exist_ok=True)
    table = comparison_table(list(results))
    table.to_csv(folder / "comparison.csv", index=False)
    (folder / "comparison.md").write_text(comparison_markdown(table), encoding="utf-8")
    per_label = pd.concat([r.table.assign(model=r.model, evaluation=r.evaluation) for r in results], ignore_index=True)
    per_label.to_csv(folder / "per_label.csv", index=False)
    figures = {"per_label_f1.png": per_label_f1_figure([r for r in results if r.model != "empty"])}
    for result in results:
        if result.model == "model":
            figures[f"confusion_{result.evaluation}.png"] = confusion_figure(result)
    for name, figure in figures.items():
        figure.savefig(folder / name, dpi=120)
    if tracked:
        from .. import tracking

        for result in results:
            tracking.log_metrics({f"{result.model}.{k}": v for k, v in result.metrics().items()})
        for name in ("comparison.csv", "comparison.md", "per_label.csv"):
            tracking.log_artifact(folder / name, "results")
        for name, figure in figures.items():
            tracking.log_figure(figure, f"plots/{name}")
    for figure in figures.values():
        plt.close(figure)
    return table
