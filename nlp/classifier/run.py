"""The ``nlp train`` and ``nlp evaluate`` jobs: config in, model, tables, plots and an MLflow run out.

Both return a :class:`JobOutcome`: where the results went, the MLflow run id
and the headline metrics, so callers (the main job, scripts) never re-read a
config to find them.

>>> outcome = run_evaluate("configs/classifier.yaml", tracking=False)  # doctest: +SKIP
>>> outcome.metrics["dev_macro_f1"], outcome.results_dir               # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from ..paths import resolve_project_path
from .data import TrainingData, load_training_data
from .estimator import PolicyClassifier
from .evaluation import evaluate_candidates
from .metrics import EvaluationResult
from .outputs import comparison_markdown, write_results
from .schema import classifier_from_params, load_classifier_config

__all__ = ["JobOutcome", "run_evaluate", "run_train", "train_final", "load_job_data", "study_main"]

logger = logging.getLogger(__name__)


@dataclass
class JobOutcome:
    """What a classifier job produced.

    Attributes
    ----------
    job : {"train", "evaluate"}
    results_dir : Path
        The comparison table, per-label scores and plots.
    table : DataFrame
        One row per model, the evaluations side by side.
    metrics : dict
        Headline metrics of the configured model: ``lodo_macro_f1``,
        ``corpus_macro_f1``, ``dev_macro_f1`` (those that ran) and their micro-F1.
    run_id : str or None
        The MLflow run, when tracking was on.
    model_dir : Path or None
        The saved model (``train`` only).
    results : list of EvaluationResult
    """

    job: str
    results_dir: Path
    table: pd.DataFrame
    metrics: dict[str, float] = field(default_factory=dict)
    run_id: str | None = None
    model_dir: Path | None = None
    results: list[EvaluationResult] = field(default_factory=list)


def load_job_data(config: dict[str, Any]) -> TrainingData:
    """The training data a validated classifier config names."""
    corpus = config["data"]["corpus"]
    return load_training_data(resolve_project_path(config["data"]["seeds"]), resolve_project_path(config["labels"]),
                              config["data"]["guide_examples"], resolve_project_path(corpus) if corpus else None)


@contextlib.contextmanager
def _run(config: dict[str, Any], config_path, data: TrainingData, run_name: str, enabled: bool) -> Iterator[Any]:
    if not (enabled and config["tracking"]["enabled"]):
        yield None
        return
    from .. import tracking

    with tracking.start_run(config["tracking"]["experiment"], run_name=run_name, config=config,
                            config_path=resolve_project_path(str(config_path)), data_hash=data.data_hash,
                            tracking_uri=config["tracking"]["uri"]) as run:
        yield run


def _headline(results: list[EvaluationResult]) -> dict[str, float]:
    out: dict[str, float] = {}
    for result in results:
        if result.model == "model":
            out[f"{result.evaluation}_macro_f1"] = result.macro_f1
            out[f"{result.evaluation}_micro_f1"] = result.micro_f1
    return out


def _run_name(job: str, params: dict[str, Any]) -> str:
    return f"{job} {params['analyzer']} C={params['C']:g} {params['unit']} thresholds={params['thresholds']}"


def run_evaluate(config_path: str | Path, overrides: Iterable[str] = (), tracking: bool = True,
                 progress: bool = True) -> JobOutcome:
    """Score baselines, the configured model and the candidates; write and log the comparison."""
    config = load_classifier_config(config_path, list(overrides))
    data = load_job_data(config)
    with _run(config, config_path, data, _run_name("evaluate", config["model"]), tracking) as run:
        results = evaluate_candidates(config, data, progress)
        folder = resolve_project_path(config["output"]["results_dir"])
        table = write_results(results, folder, run is not None)
        metrics = _headline(results)
        if run is not None:
            from .. import tracking as tracking_module

            tracking_module.log_metrics(metrics)
    logger.info("comparison written to %s", folder)
    return JobOutcome("evaluate", folder, table, metrics, run.info.run_id if run is not None else None, None, results)


def train_final(config: dict[str, Any], data: TrainingData) -> PolicyClassifier:
    """Fit the configured model on all training data (seeds, corpus, guide examples as configured)."""
    params = config["model"]
    clf = classifier_from_params(params, data.taxonomy)
    texts, labels, groups = data.units(params["unit"], None, config["data"]["guide_examples"])
    return clf.fit(texts, labels, groups=groups)


def run_train(config_path: str | Path, overrides: Iterable[str] = (), tracking: bool = True,
              progress: bool = True, model_dir: str | Path | None = None) -> JobOutcome:
    """Evaluate the configured model held-out, fit it on all data, save it, log and register it."""
    config = load_classifier_config(config_path, list(overrides))
    data = load_job_data(config)
    eval_config = {**config, "candidates": []}
    with _run(config, config_path, data, _run_name("train", config["model"]), tracking) as run:
        results = evaluate_candidates(eval_config, data, progress)
        folder = resolve_project_path(config["output"]["results_dir"]) / "train"
        table = write_results(results, folder, run is not None)
        classifier = train_final(config, data)
        scores = {r.evaluation: {"micro_f1": r.micro_f1, "macro_f1": r.macro_f1,
                                 "macro_f1_ci": list(r.intervals.get("macro_f1", ()))}
                  for r in results if r.model == "model"}
        target = Path(model_dir) if model_dir is not None else resolve_project_path(config["output"]["model_dir"])
        classifier.save(target, {
            "data_hash": data.data_hash,
            "training_data": ", ".join(str(Path(s).name) for s in data.sources),
            "metrics": scores,
            "config": config,
        })
        metrics = _headline(results)
        if run is not None:
            from .. import tracking as tracking_module
            from .mlflow_model import log_classifier_model

            tracking_module.log_metrics({**metrics, "n_train_units": classifier.n_train_})
            tracking_module.log_artifact(target / "MODEL_CARD.md", "model_card")
            examples = data.paragraphs["text"].head(3).tolist()
            log_classifier_model(target, examples, config["tracking"]["registered_model"], config["tracking"]["alias"])
    logger.info("model written to %s", target)
    return JobOutcome("train", folder, table, metrics, run.info.run_id if run is not None else None, target, results)


def study_main(default_config: str, description: str, argv=None) -> None:
    """Entry point shared by the thin scripts in ``experiments/``: run one comparison study."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", default=default_config)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-mlflow", dest="mlflow", action="store_false")
    args = parser.parse_args(argv)
    print(comparison_markdown(run_evaluate(args.config, args.overrides, tracking=args.mlflow).table))
