"""The main job's indicator step: extract, compare, score, write files, log to MLflow.

Writes to ``experiments/results/indicators/``: ``mentions.csv`` (the table),
``comparison_wide.csv`` (district x indicator, with the period),
``comparison_summary.csv``, ``conflicts.csv``, ``scores.csv`` and
``scores_per_indicator.csv`` (:func:`nlp.indicators.evaluation.evaluate_indicators`),
``dots_<area>.png`` (a dot plot per area) and ``plot_labels.csv``.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from ..paths import results_dir
from .compare import IndicatorComparison, compare_indicators
from .evaluation import evaluate_indicators, per_indicator_table, scores_table
from .spec import resolve_spec
from .table import extract_indicators

__all__ = ["IndicatorRun", "run_indicators", "report_section"]

logger = logging.getLogger(__name__)


@dataclass
class IndicatorRun:
    """What :func:`run_indicators` produced."""

    table: pd.DataFrame
    comparison: IndicatorComparison
    scores: pd.DataFrame
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    run_id: str | None = None


def _default_output(corpus, spec) -> Path:
    """The tracked ``experiments/results/indicators/`` for the seeds with the default spec, else a run folder."""
    from ..paths import seeds_dir
    from ..run_folders import run_dir

    path = getattr(corpus, "path", None)
    if spec is None and path is not None and Path(path).resolve() == seeds_dir().resolve():
        return results_dir() / "indicators"
    settings = {"corpus": str(path), "spec": str(spec)}
    return run_dir("indicators", settings, corpus.data_hash() if hasattr(corpus, "data_hash") else None)


def run_indicators(corpus, output_dir: str | os.PathLike | None = None, spec: str | os.PathLike | None = None,
                   district_labels: Mapping[str, str] | None = None, tracking: bool = True) -> IndicatorRun:
    """Extract the indicators of a corpus, compare districts, score against gold, write and log everything.

    Without ``output_dir`` the files go to ``experiments/results/indicators/``
    for the seeds with the default spec, else to
    ``experiments/results/runs/indicators-<hash>/`` (:mod:`nlp.run_folders`).
    """
    import contextlib

    spec_obj = resolve_spec(spec)
    out = Path(output_dir) if output_dir is not None else _default_output(corpus, spec)
    out.mkdir(parents=True, exist_ok=True)
    run_id = None
    with contextlib.ExitStack() as stack:
        if tracking:  # the run covers the extraction, not only the logging
            from ..tracking import start_run

            corpus_name = Path(corpus.path).name if getattr(corpus, "path", None) else "corpus"
            run = stack.enter_context(start_run(
                "indicators", run_name=f"indicators {corpus_name}", config={"spec": spec_obj.source},
                data_hash=corpus.data_hash() if hasattr(corpus, "data_hash") else None))
            run_id = run.info.run_id
        table = extract_indicators(corpus, spec_obj)
        comparison = compare_indicators(table, by="district", spec=spec_obj)
        results = evaluate_indicators(spec_obj)
        scores, per_indicator = scores_table(results), per_indicator_table(results)
        files = {"mentions": out / "mentions.csv", "comparison_wide": out / "comparison_wide.csv",
                 "comparison_summary": out / "comparison_summary.csv", "conflicts": out / "conflicts.csv",
                 "scores": out / "scores.csv", "scores_per_indicator": out / "scores_per_indicator.csv",
                 "plot_labels": out / "plot_labels.csv"}
        table.to_csv(files["mentions"], index=False)
        comparison.wide.to_csv(files["comparison_wide"])
        comparison.summary.to_csv(files["comparison_summary"], index=False)
        comparison.conflicts.to_csv(files["conflicts"], index=False)
        scores.to_csv(files["scores"], index=False)
        per_indicator.to_csv(files["scores_per_indicator"], index=False)
        from .plots import plot_labels

        plot_labels(comparison, district_labels).to_csv(files["plot_labels"], index=False)
        for area, figure in comparison.figures(district_labels).items():
            files[f"dots_{area}"] = out / f"dots_{area}.png"
            figure.savefig(files[f"dots_{area}"], dpi=120)
        if tracking:
            from ..tracking import log_artifacts, log_metrics

            metrics = {f"{row.set}_{m}": getattr(row, m) for row in scores.itertuples() for m in ("precision", "recall", "f1")}
            metrics.update({"n_mentions": len(table), "n_conflicts": int(table["conflict"].sum())})
            log_metrics(metrics)
            log_artifacts(out)
    return IndicatorRun(table, comparison, scores, out, files, run_id)


def report_section(run: IndicatorRun, page_dir: Path) -> list[str]:
    """Markdown lines for the report page: scores, the wide comparison, the figures."""
    from ..pipeline import _rel, _table

    wide = run.comparison.wide.T.reset_index()
    lines = ["## Indicators", "",
             f"{len(run.table)} indicator figures in the corpus ({int(run.table['conflict'].sum())} in conflict). "
             "Mention-level scores (`nlp evaluate-indicators`); only `dev`, `independent_holdout` and "
             "`realistic_holdout` (when present) are text the patterns were not developed with:", "", _table(run.scores), "", "District x indicator (columns: district, period):", "",
             _table(wide), ""]
    for name, path in sorted(run.files.items()):
        if path.suffix == ".png":
            lines += [f"![{name}]({_rel(path, page_dir)})", ""]
    return lines
