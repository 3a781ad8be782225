"""Held-out evaluation protocols: leave one seed district out, grouped folds of the corpus, the dev set.

Every model and baseline is a ``fit_predict(data, districts, batches)``
function: fit on the seed districts and corpus batches given, return a
function from paragraph texts to a 0/1 matrix. The protocols hold out whole
groups, so that neither a district's nor a writer's style is seen in training:

* ``lodo``: for each seed district, train on the other districts (plus the
  whole written corpus and the guide examples), score the district's paragraphs;
* ``corpus``: grouped folds over the written corpus's writer batches, training
  on the other batches plus the seeds and guide examples;
* ``reports``: train on everything, score whole reports written apart from
  the training corpus (``data.report_set``: other provinces, real figure
  density, labelled by two blind passes) — never trained on;
* ``dev``: train on everything, score the development set once.

Thresholds and any other choice a model makes happen inside its training
part only; the dev set is never used to choose anything.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..config import ConfigError
from ..paths import resolve_project_path
from .data import TrainingData, load_dev_set, load_report_set
from .metrics import EvaluationResult, evaluate
from .rules import KeywordLabeler
from .schema import classifier_from_params, validate_model_params
from .taxonomy import to_indicator

__all__ = ["EVALUATIONS", "Predictor", "FitPredict", "learned", "keyword_baseline", "empty_baseline",
           "lodo_predictions", "corpus_fold_predictions", "batch_folds", "evaluate_candidates", "comparison_table",
           "candidate_runs", "subsample_corpus", "learning_curve"]

logger = logging.getLogger(__name__)

EVALUATIONS = ("lodo", "corpus", "reports", "dev")
# What a candidate of a classifier config may say: its model parameters, and which data it trains on.
CANDIDATE_KEYS = ("name", "params", "guide_examples", "corpus")

Predictor = Callable[[list[str]], np.ndarray]
FitPredict = Callable[[TrainingData, Sequence[str] | None, Sequence[str] | None], Predictor]


def learned(params: dict[str, Any], with_guide: bool = True, with_corpus: bool = True) -> FitPredict:
    """``fit_predict`` for a :class:`PolicyClassifier` with a validated ``model`` mapping.

    ``with_corpus=False`` leaves the written corpus out of training (for the ablation).
    """
    def fit_predict(data: TrainingData, districts: Sequence[str] | None, batches: Sequence[str] | None) -> Predictor:
        clf = classifier_from_params(params, data.taxonomy)
        if not with_corpus:
            batches = []
        texts, labels, groups = data.units(params["unit"], list(districts) if districts is not None else None,
                                           with_guide, list(batches) if batches is not None else None)
        clf.fit(texts, labels, groups=groups)
        return clf.predict_indicator

    return fit_predict


def keyword_baseline(data: TrainingData, districts=None, batches=None) -> Predictor:
    """The taxonomy's cue terms, clause by clause (nothing learned)."""
    return KeywordLabeler(taxonomy=data.taxonomy).fit([]).predict_indicator


def empty_baseline(data: TrainingData, districts=None, batches=None) -> Predictor:
    """No label anywhere: the floor every model must clear."""
    return lambda texts: np.zeros((len(texts), len(data.taxonomy)), dtype=int)


def lodo_predictions(fit_predict: FitPredict, data: TrainingData, progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Leave one seed district out; returns (y_true, y_pred) over all seed paragraphs."""
    ids = data.taxonomy.ids
    y_true, y_pred = [], []
    for district in tqdm(data.districts, desc="leave-one-district-out", disable=not progress, leave=False):
        train = [d for d in data.districts if d != district]
        test = data.paragraphs[data.paragraphs["district"] == district]
        predict = fit_predict(data, train, None)
        y_pred.append(predict(test["text"].tolist()))
        y_true.append(to_indicator(test["labels"].tolist(), ids))
    return np.vstack(y_true), np.vstack(y_pred)


def batch_folds(batches: Sequence[str], n_folds: int) -> list[list[str]]:
    """Whole writer batches dealt into at most ``n_folds`` folds, in sorted order.

    >>> batch_folds(["w3", "w1", "w2"], 2)
    [['w1', 'w3'], ['w2']]
    """
    names = sorted(set(batches))
    k = max(1, min(n_folds, len(names)))
    return [names[i::k] for i in range(k)]


def corpus_fold_predictions(fit_predict: FitPredict, data: TrainingData, n_folds: int = 5,
                            progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Grouped folds over the written corpus's batches; returns (y_true, y_pred) over its paragraphs."""
    if len(data.batches) < 2:
        raise ValueError(f"corpus evaluation: expected at least 2 writer batches, received {len(data.batches)}")
    ids = data.taxonomy.ids
    y_true, y_pred = [], []
    for held_out in tqdm(batch_folds(data.batches, n_folds), desc="corpus folds", disable=not progress, leave=False):
        train = [b for b in data.batches if b not in held_out]
        test = data.corpus[data.corpus["batch"].isin(held_out)]
        predict = fit_predict(data, None, train)
        y_pred.append(predict(test["text"].tolist()))
        y_true.append(to_indicator(test["labels"].tolist(), ids))
    return np.vstack(y_true), np.vstack(y_pred)


def _held_out_sets(report_path: str | None, dev_path: str | None, dev: bool = True) -> dict[str, pd.DataFrame]:
    """The labelled sets scored by one fit on all the training data: ``reports`` (when a path is given)
    and ``dev`` (when asked for and present)."""
    sets = {}
    if report_path:
        sets["reports"] = load_report_set(resolve_project_path(report_path))
    if dev:
        frame = load_dev_set(dev_path)
        if frame is not None:
            sets["dev"] = frame
    return sets


def candidate_runs(config: dict[str, Any]) -> list[tuple[str, FitPredict]]:
    """The baselines, the configured model and every candidate of a classifier config, validated."""
    with_guide = config["data"]["guide_examples"]
    runs: list[tuple[str, FitPredict]] = []
    if config["evaluation"]["baselines"]:
        runs += [("empty", empty_baseline), ("keywords", keyword_baseline)]
    runs.append(("model", learned(config["model"], with_guide)))
    for i, candidate in enumerate(config["candidates"]):
        if not isinstance(candidate, dict) or "name" not in candidate:
            raise ConfigError(f"candidates[{i}]: expected a mapping with 'name' and 'params', received {candidate!r}")
        unknown = sorted(set(candidate) - set(CANDIDATE_KEYS))
        if unknown:
            raise ConfigError(f"candidates[{i}]: unknown key {unknown[0]!r}; valid keys are {list(CANDIDATE_KEYS)}")
        params = validate_model_params({**config["model"], **candidate.get("params", {})}, f"candidates[{i}]")
        runs.append((candidate["name"], learned(params, candidate.get("guide_examples", with_guide),
                                                candidate.get("corpus", True))))
    return runs


def evaluate_candidates(config: dict[str, Any], data: TrainingData, progress: bool = True,
                        evaluations: Sequence[str] = EVALUATIONS) -> list[EvaluationResult]:
    """Held-out scores of the baselines, the configured model and every candidate.

    Parameters
    ----------
    config : dict
        A validated classifier config.
    data : TrainingData
    progress : bool
    evaluations : sequence of {"lodo", "corpus", "reports", "dev"}
        Which protocols to run; ``corpus`` is skipped when there is no written
        corpus, ``reports`` when the config names no report set, ``dev`` when
        the development set is absent. ``reports`` and ``dev`` share one fit on
        all the training data.
    """
    ids = list(data.taxonomy.ids)
    n_boot, seed = config["evaluation"]["bootstrap"], config["evaluation"]["seed"]
    held_out = _held_out_sets(config["data"].get("report_set") if "reports" in evaluations else None,
                              config["data"]["dev_set"], dev="dev" in evaluations)
    results: list[EvaluationResult] = []
    for name, fit_predict in tqdm(candidate_runs(config), desc="models", disable=not progress):
        if "lodo" in evaluations:
            y_true, y_pred = lodo_predictions(fit_predict, data, progress)
            results.append(evaluate(name, "lodo", y_true, y_pred, ids, n_boot, seed))
        if "corpus" in evaluations and len(data.batches) >= 2:
            y_true, y_pred = corpus_fold_predictions(fit_predict, data, config["evaluation"]["corpus_folds"], progress)
            results.append(evaluate(name, "corpus", y_true, y_pred, ids, n_boot, seed))
        if held_out:
            predict = fit_predict(data, None, None)
            for evaluation, frame in held_out.items():
                results.append(evaluate(name, evaluation, to_indicator(frame["labels"].tolist(), ids),
                                        predict(frame["text"].tolist()), ids, n_boot, seed))
    return results


def comparison_table(results: list[EvaluationResult]) -> pd.DataFrame:
    """One row per model, the evaluations' columns side by side (``lodo_macro_f1``, ``dev_macro_f1`` ...)."""
    rows: dict[str, dict[str, Any]] = {}
    for result in results:
        row = rows.setdefault(result.model, {"model": result.model})
        for key, value in result.summary_row().items():
            if key not in ("model", "evaluation"):
                row[f"{result.evaluation}_{key}"] = value
    return pd.DataFrame(list(rows.values()))


def subsample_corpus(data: TrainingData, fraction: float, random_state: int = 0) -> TrainingData:
    """The same data with a ``fraction`` of the written corpus, drawn within each writer batch."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction: expected a number in (0, 1], received {fraction!r}")
    if fraction == 1 or not len(data.corpus):
        return data
    parts = [group.sample(frac=fraction, random_state=random_state) for _, group in data.corpus.groupby("batch")]
    corpus = pd.concat(parts).sort_index()
    return TrainingData(data.paragraphs, data.clauses, data.guide_examples, data.taxonomy, corpus,
                        f"{data.data_hash}:{fraction}:{random_state}", data.sources)


def learning_curve(params: dict[str, Any], data: TrainingData, fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
                   with_guide: bool = True, dev_path: str | None = None, random_state: int = 0,
                   progress: bool = True, report_path: str | None = None) -> pd.DataFrame:
    """Held-out macro-F1 against the share of the written corpus used for training.

    For each fraction the corpus is subsampled within each writer batch; the
    model is scored leave-one-district-out on the seeds and, trained on
    everything else, on the held-out realistic reports (``report_path``) and
    the development set.

    Returns
    -------
    DataFrame
        ``fraction, n_corpus, lodo_macro_f1, reports_macro_f1, dev_macro_f1``
        (NaN where the set is absent).
    """
    from .metrics import f1_scores

    held_out = _held_out_sets(report_path, dev_path)
    fit_predict = learned(params, with_guide)
    rows = []
    for fraction in tqdm(list(fractions), desc="learning curve", disable=not progress):
        part = subsample_corpus(data, fraction, random_state)
        y_true, y_pred = lodo_predictions(fit_predict, part, progress=False)
        row = {"fraction": fraction, "n_corpus": len(part.corpus), "lodo_macro_f1": f1_scores(y_true, y_pred)[1],
               "reports_macro_f1": float("nan"), "dev_macro_f1": float("nan")}
        if held_out:
            predict = fit_predict(part, None, None)
            for evaluation, frame in held_out.items():
                row[f"{evaluation}_macro_f1"] = f1_scores(to_indicator(frame["labels"].tolist(), data.taxonomy.ids),
                                                          predict(frame["text"].tolist()))[1]
        rows.append(row)
    return pd.DataFrame(rows)
