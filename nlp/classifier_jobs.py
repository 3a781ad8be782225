"""The ``nlp train`` and ``nlp evaluate`` jobs: config in, model, tables, plots and an MLflow run out."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .training import (
    TrainingData,
    comparison_table,
    evaluate_candidates,
    load_classifier_config,
    load_training_data,
    resolve,
    train_final,
)

__all__ = ["run_evaluate", "run_train", "write_results", "comparison_markdown", "study_main"]

logger = logging.getLogger(__name__)


def _load(config_path: str | Path, overrides: Iterable[str]) -> tuple[dict[str, Any], TrainingData]:
    config = load_classifier_config(config_path, list(overrides))
    data = load_training_data(resolve(config["data"]["seeds"]), resolve(config["labels"]), config["data"]["guide_examples"])
    return config, data


@contextlib.contextmanager
def _run(config: dict[str, Any], config_path, data: TrainingData, run_name: str, enabled: bool):
    if not (enabled and config["tracking"]["enabled"]):
        yield None
        return
    from . import tracking

    with tracking.start_run(config["tracking"]["experiment"], run_name=run_name, config=config,
                            config_path=resolve(str(config_path)), data_hash=data.data_hash,
                            tracking_uri=config["tracking"]["uri"]) as run:
        yield run


def write_results(results, folder: Path, tracked: bool) -> pd.DataFrame:
    """Comparison table (CSV and Markdown), per-label tables and plots; logged to MLflow when tracked."""
    from .classifier_plots import confusion_figure, per_label_f1_figure

    folder.mkdir(parents=True, exist_ok=True)
    table = comparison_table(results)
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
        from . import tracking

        for result in results:
            tracking.log_metrics({f"{result.model}.{k}": v for k, v in result.metrics().items()})
        tracking.log_artifact(folder / "comparison.csv", "results")
        tracking.log_artifact(folder / "comparison.md", "results")
        tracking.log_artifact(folder / "per_label.csv", "results")
        for name, figure in figures.items():
            tracking.log_figure(figure, f"plots/{name}")
    import matplotlib.pyplot as plt

    for figure in figures.values():
        plt.close(figure)
    return table


def comparison_markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table with intervals."""
    lines = ["| model | LODO micro-F1 | LODO macro-F1 [95% CI] | dev micro-F1 | dev macro-F1 [95% CI] |",
             "| --- | --- | --- | --- | --- |"]
    for row in table.to_dict("records"):
        def cell(prefix: str, key: str, ci: bool) -> str:
            value = row.get(f"{prefix}_{key}")
            if value is None or pd.isna(value):
                return "n/a"
            if ci and f"{prefix}_{key}_low" in row:
                return f"{value:.3f} [{row[f'{prefix}_{key}_low']:.3f}, {row[f'{prefix}_{key}_high']:.3f}]"
            return f"{value:.3f}"
        lines.append(f"| {row['model']} | {cell('lodo', 'micro_f1', False)} | {cell('lodo', 'macro_f1', True)} | "
                     f"{cell('dev', 'micro_f1', False)} | {cell('dev', 'macro_f1', True)} |")
    return "\n".join(lines) + "\n"


def run_evaluate(config_path: str | Path, overrides: Iterable[str] = (), tracking: bool = True,
                 progress: bool = True) -> pd.DataFrame:
    """Score baselines, the configured model and the candidates; write and log the comparison."""
    config, data = _load(config_path, overrides)
    with _run(config, config_path, data, "evaluate", tracking) as run:
        results = evaluate_candidates(config, data, progress)
        folder = resolve(config["output"]["results_dir"])
        table = write_results(results, folder, run is not None)
    logger.info("comparison written to %s", folder)
    return table


def run_train(config_path: str | Path, overrides: Iterable[str] = (), tracking: bool = True,
              progress: bool = True, model_dir: str | Path | None = None) -> tuple[Path, pd.DataFrame]:
    """Evaluate the configured model held-out, fit it on all seeds, save it, log and register it."""
    config, data = _load(config_path, overrides)
    eval_config = {**config, "candidates": []}
    with _run(config, config_path, data, "train", tracking) as run:
        results = evaluate_candidates(eval_config, data, progress)
        folder = resolve(config["output"]["results_dir"]) / "train"
        table = write_results(results, folder, run is not None)
        classifier = train_final(config, data)
        metrics = {r.evaluation: {"micro_f1": r.micro_f1, "macro_f1": r.macro_f1,
                                  "macro_f1_ci": list(r.intervals.get("macro_f1", ()))}
                   for r in results if r.model == "model"}
        target = Path(model_dir) if model_dir is not None else resolve(config["output"]["model_dir"])
        classifier.save(target, {
            "data_hash": data.data_hash,
            "training_data": ", ".join(str(Path(s).name) for s in data.sources),
            "metrics": metrics,
            "config": config,
        })
        if run is not None:
            from . import tracking as tracking_module

            tracking_module.log_metrics({"n_train_units": classifier.n_train_})
            tracking_module.log_artifact(target / "MODEL_CARD.md", "model_card")
            examples = data.paragraphs["text"].head(3).tolist()
            tracking_module.log_classifier_model(target, examples, config["tracking"]["registered_model"],
                                                 config["tracking"]["alias"])
    logger.info("model written to %s", target)
    return target, table


def study_main(default_config: str, description: str, argv=None) -> None:
    """Entry point shared by the thin scripts in ``experiments/``: run one comparison study."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", default=default_config)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-mlflow", dest="mlflow", action="store_false")
    args = parser.parse_args(argv)
    print(comparison_markdown(run_evaluate(args.config, args.overrides, tracking=args.mlflow)))
