"""The ``nlp train`` and ``nlp evaluate`` jobs: config in, model, tables, plots and an MLflow run out.

Both return a :class:`JobOutcome`: where the results went, the MLflow run id
and the headline metrics, so callers (the main job, scripts) never re-read a
config to find them.

>>> outcome = run_evaluate("configs/classifier.yaml", tracking=False)  # doctest: +SKIP
>>> outcome.metrics["dev_macro_f1"], outcome.results_dir               # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import hashlib
import json
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

__all__ = ["JobOutcome", "run_evaluate", "run_train", "train_final", "load_job_data", "job_folders", "study_main"]

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
    promotion : str or None
        What the registry did with the new version (``train`` with tracking only):
        ``"version 3 is the new champion: ..."`` or ``"... champion stays version 2: ..."``.
    """

    job: str
    results_dir: Path
    table: pd.DataFrame
    metrics: dict[str, float] = field(default_factory=dict)
    run_id: str | None = None
    model_dir: Path | None = None
    results: list[EvaluationResult] = field(default_factory=list)
    promotion: str | None = None


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
    """What ran, in a few words: ``train char C=10 clause`` (the threshold mode when it is not the fixed one)."""
    name = f"{job} {params['analyzer']} C={params['C']:g} {params['unit']}"
    return name if params["thresholds"] == "fixed" else f"{name} thresholds={params['thresholds']}"


def job_folders(config: dict[str, Any], config_path, data: TrainingData, job: str) -> tuple[dict[str, Path], bool]:
    """Where a job on the seeds writes: ``{"results_dir": ..., "model_dir": ...}`` and whether that is the tracked place.

    The tracked folders when the project config runs unchanged, the folders
    an override names, otherwise ``runs/<job>-<hash>/`` (:mod:`nlp.run_folders`).
    """
    from ..run_folders import choose_folder, config_unchanged, is_project_config, model_run_dir, run_dir

    unchanged = config_unchanged(config_path, config, load_classifier_config)
    tracked = load_classifier_config(config_path)["output"] if is_project_config(config_path) else {}
    runs = {"results_dir": run_dir(job, config, data.data_hash), "model_dir": model_run_dir(job, config, data.data_hash)}
    return {key: choose_folder(config["output"][key], tracked.get(key), unchanged, runs[key]) for key in runs}, unchanged


def run_evaluate(config_path: str | Path, overrides: Iterable[str] = (), tracking: bool = True,
                 progress: bool = True, output_dir: str | Path | None = None) -> JobOutcome:
    """Score baselines, the configured model and the candidates; write and log the comparison.

    The comparison goes to ``output_dir`` when given, to the config's
    ``output.results_dir`` when the project config runs unchanged (or an
    override names the folder), otherwise to
    ``experiments/results/runs/evaluate-<hash>/`` (:mod:`nlp.run_folders`).
    """
    config = load_classifier_config(config_path, list(overrides))
    data = load_job_data(config)
    folder = Path(output_dir) if output_dir is not None else job_folders(config, config_path, data, "evaluate")[0]["results_dir"]
    with _run(config, config_path, data, _run_name("evaluate", config["model"]), tracking) as run:
        results = evaluate_candidates(config, data, progress)
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


def _user_data_config(config: dict[str, Any], data_path: Path, guide_examples: bool | None) -> dict[str, Any]:
    """The config for training on a user's file: paragraph units (no clause labels), no candidates,
    guide examples only with the default taxonomy."""
    from .taxonomy import DEFAULT_LABELS_PATH

    default_taxonomy = (Path(resolve_project_path(config["labels"])).resolve()
                        == Path(resolve_project_path(DEFAULT_LABELS_PATH)).resolve())
    with_guide = config["data"]["guide_examples"] if guide_examples is None else guide_examples
    if with_guide and not default_taxonomy:
        logger.info("own taxonomy %s: training without the guide examples (they carry the default labels)",
                    config["labels"])
        with_guide = False
    model = dict(config["model"])
    if model["unit"] != "paragraph":
        logger.info("training on paragraphs: %s has paragraph labels only", data_path)
        model["unit"] = "paragraph"
    return {**config, "model": model, "candidates": [],
            "data": {**config["data"], "guide_examples": with_guide, "corpus": None}}


def run_train(config_path: str | Path, overrides: Iterable[str] = (), tracking: bool = True,
              progress: bool = True, model_dir: str | Path | None = None, data_path: str | Path | None = None,
              eval_path: str | Path | None = None, guide_examples: bool | None = None,
              results_dir: str | Path | None = None, promote: bool = False) -> JobOutcome:
    """Evaluate the configured model held-out, fit it on all data, save it, log and register it.

    Where it writes: ``model_dir`` and ``results_dir`` when given; the
    config's ``output`` folders (results in ``<results_dir>/train``) when the
    project config runs unchanged or an override names them; otherwise
    ``models/runs/train-<hash>/`` and ``experiments/results/runs/train-<hash>/``
    (:mod:`nlp.run_folders`), so a run with other settings never overwrites
    the shipped model.

    The registered version carries its held-out scores as tags
    (``dev_macro_f1``, ``lodo_macro_f1``, ``corpus_macro_f1``, the data
    hashes) and a one-line description; the alias (``champion``) moves to it
    only when it beats the champion on the same held-out evaluation, or with
    ``promote=True`` (:func:`nlp.classifier.mlflow_model.champion_decision`).

    With ``data_path`` (a JSONL or CSV of labelled paragraphs, see
    :func:`nlp.classifier.data.read_labelled_file`) the model trains on that
    file alone (plus the guide examples unless ``guide_examples=False``), is
    scored leave-one-group-out over its ``district``/``doc_id`` groups and,
    with ``eval_path``, on that held-out file (the ``dev`` column). Results
    and model then go to ``runs/<file>-<data hash>/`` folders (never the
    tracked ``experiments/results/classifier`` or ``models/policy_classifier``)
    unless ``model_dir`` says otherwise, and the model is not registered.

    Examples
    --------
    >>> outcome = run_train("configs/classifier.yaml", data_path="my_labels.csv", tracking=False)  # doctest: +SKIP
    >>> outcome.metrics["lodo_macro_f1"], outcome.model_dir                                         # doctest: +SKIP
    """
    config = load_classifier_config(config_path, list(overrides))
    user_data = data_path is not None
    if user_data:
        from .data import load_user_training_data

        data_path = Path(data_path)
        config = _user_data_config(config, data_path, guide_examples)
        data = load_user_training_data(data_path, resolve_project_path(config["labels"]),
                                       config["data"]["guide_examples"], config["data"]["seeds"])
        # Other data or other settings: another folder, so no run overwrites another's results.
        settings = json.dumps([data.data_hash, config["model"], config["labels"]], sort_keys=True, default=str)
        run_folder = f"runs/{data_path.stem}-{hashlib.sha256(settings.encode('utf-8')).hexdigest()[:8]}"
        config = {**config, "tracking": {**config["tracking"], "registered_model": None, "alias": None},
                  "output": {"model_dir": str(Path("models") / run_folder),
                             "results_dir": str(Path(config["output"]["results_dir"]).parent / run_folder)}}
    else:
        data = load_job_data(config)
        folders, _ = job_folders(config, config_path, data, "train")
        configured = resolve_project_path(config["output"]["results_dir"]).resolve()
        if folders["results_dir"] == configured:  # the train job's table sits beside the comparison
            folders["results_dir"] = configured / "train"
        config = {**config, "output": {key: str(folder) for key, folder in folders.items()}}
    eval_config = {**config, "candidates": []}
    evaluations = ("lodo",) if user_data else ("lodo", "corpus", "reports", "dev")
    run_name = _run_name("train", config["model"]) + (f" data={data_path.name}" if user_data else "")
    with _run(config, config_path, data, run_name, tracking) as run:
        results = evaluate_candidates(eval_config, data, progress, evaluations=evaluations)
        classifier = train_final(config, data)
        if eval_path is not None:
            results += _score_held_out_file(classifier, eval_path, data, config)
        folder = Path(results_dir) if results_dir is not None else resolve_project_path(config["output"]["results_dir"])
        table = write_results(results, folder, run is not None)
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
        promotion = None
        if run is not None:
            from .. import tracking as tracking_module
            from .mlflow_model import log_classifier_model, version_tags

            tracking_module.log_metrics({**metrics, "n_train_units": classifier.n_train_})
            tracking_module.log_artifact(target / "MODEL_CARD.md", "model_card")
            examples = data.paragraphs["text"].head(3).tolist()
            _, promotion = log_classifier_model(target, examples, config["tracking"]["registered_model"], config["tracking"]["alias"],
                                 tags=version_tags(metrics, data.data_hash, _dev_hash(config, eval_path)),
                                 description=_description(config, data, metrics), promote=promote)
    logger.info("model written to %s, results to %s", target, folder)
    if promotion:
        logger.info("registry: %s", promotion)
    return JobOutcome("train", folder, table, metrics, run.info.run_id if run is not None else None, target, results,
                      promotion)


def _dev_hash(config: dict[str, Any], eval_path: str | Path | None) -> str | None:
    """SHA-256 of the file behind the ``dev`` column (the development set, or ``--eval``), None if absent."""
    from ..paths import dev_set_path

    path = Path(eval_path) if eval_path is not None else (
        resolve_project_path(config["data"]["dev_set"]) if config["data"]["dev_set"] else dev_set_path())
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _description(config: dict[str, Any], data: TrainingData, metrics: dict[str, float]) -> str:
    """One line for the registry: the model, its data and its held-out scores."""
    scores = ", ".join(f"{name.replace('_macro_f1', '')} macro-F1 {metrics[name]:.3f}"
                       for name in ("dev_macro_f1", "lodo_macro_f1", "corpus_macro_f1", "reports_macro_f1")
                       if name in metrics)
    sources = ", ".join(Path(s).name for s in data.sources)
    return f"{_run_name('train', config['model'])} on {sources} (data {data.data_hash[:8]}); {scores}"


def _score_held_out_file(classifier: PolicyClassifier, eval_path: str | Path, data: TrainingData,
                         config: dict[str, Any]) -> list[EvaluationResult]:
    """The trained model and the keyword baseline scored on a held-out labelled file (the ``dev`` column)."""
    from .data import read_labelled_file
    from .metrics import evaluate
    from .rules import KeywordLabeler
    from .taxonomy import to_indicator

    held_out = read_labelled_file(eval_path, data.taxonomy)
    texts = held_out["text"].tolist()
    y_true = to_indicator(held_out["labels"].tolist(), data.taxonomy.ids)
    n_boot, seed = config["evaluation"]["bootstrap"], config["evaluation"]["seed"]
    ids = list(data.taxonomy.ids)
    keywords = KeywordLabeler(taxonomy=data.taxonomy).fit([]).predict_indicator(texts)
    return [evaluate("keywords", "dev", y_true, keywords, ids, n_boot, seed),
            evaluate("model", "dev", y_true, classifier.predict_indicator(texts), ids, n_boot, seed)]


def study_main(default_config: str, description: str, argv=None) -> None:
    """Entry point shared by the thin scripts in ``experiments/``: run one comparison study."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", default=default_config)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-mlflow", dest="mlflow", action="store_false")
    parser.add_argument("--output", default=None, metavar="DIR",
                        help="results folder (default: the config's when it runs unchanged, else a run folder)")
    args = parser.parse_args(argv)
    outcome = run_evaluate(args.config, args.overrides, tracking=args.mlflow, output_dir=args.output)
    print(comparison_markdown(outcome.table))
    print(f"results written to {outcome.results_dir}")
