"""Training and evaluating the classifier from a config: the logic behind ``nlp train`` / ``nlp evaluate``.

Data: the seed paragraphs with their gold labels, the clause-level evidence
(``seeds/annotations_clauses.jsonl``) and, optionally, the team's hand-written
guide examples (``seeds/guide_examples.jsonl``). Evaluation: leave one seed
district out (train on four, test on the fifth; thresholds tuned inside the
four), and the development set in ``../shared/dev`` (never trained on).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .classifier import PolicyClassifier, RULE_MODES, UNITS, to_indicator
from .config import Field, load_config
from .corpus import load_corpus
from .evaluation import EvaluationResult, evaluate, load_dev_set
from .features import ANALYZERS
from .labels import Taxonomy, load_taxonomy
from .paths import project_root
from .rules import KeywordLabeler

__all__ = [
    "MODEL_SCHEMA",
    "CLASSIFIER_SCHEMA",
    "TrainingData",
    "load_training_data",
    "build_classifier",
    "lodo_predictions",
    "evaluate_candidates",
    "train_final",
    "comparison_table",
    "load_classifier_config",
]

logger = logging.getLogger(__name__)

MODEL_SCHEMA = {
    "unit": Field(str, "clause", choices=UNITS),
    "analyzer": Field(str, "char+word", choices=ANALYZERS),
    "char_ngrams": Field(list, [1, 3], item_type=int, min=1, max=6),
    "word_ngrams": Field(list, [1, 2], item_type=int, min=1, max=3),
    "rules": Field(str, "blend", choices=RULE_MODES),
    "rule_weight": Field(float, 0.5, min=0.0, max=1.0),
    "C": Field(float, 10.0, min=1e-4, max=1e4),
    "thresholds": Field(str, "cv", choices=("cv", "fixed")),
    "threshold": Field(float, 0.5, min=0.01, max=0.99),
    "random_state": Field(int, 0),
}

CLASSIFIER_SCHEMA = {
    "labels": Field(str, "configs/labels.yaml", path=True),
    "data": {
        "seeds": Field(str, "seeds", path=True),
        "guide_examples": Field(bool, True, help="add seeds/guide_examples.jsonl to training"),
        "dev_set": Field(str, None, nullable=True, help="path of the development set; default ../shared/dev"),
    },
    "model": MODEL_SCHEMA,
    "candidates": Field(list, [], help="models compared by `nlp evaluate`: [{name, params}]"),
    "evaluation": {
        "bootstrap": Field(int, 1000, min=0, max=100000),
        "seed": Field(int, 0),
        "baselines": Field(bool, True),
    },
    "output": {
        "model_dir": Field(str, "models/policy_classifier"),
        "results_dir": Field(str, "experiments/results/classifier"),
    },
    "tracking": {
        "enabled": Field(bool, True),
        "uri": Field(str, None, nullable=True),
        "experiment": Field(str, "policy-classifier"),
        "registered_model": Field(str, "policy-classifier", nullable=True),
        "alias": Field(str, "champion", nullable=True),
    },
}

GUIDE_EXAMPLES_FILE = "guide_examples.jsonl"
CLAUSES_FILE = "annotations_clauses.jsonl"


@dataclass
class TrainingData:
    """Gold paragraphs, gold clauses and optional guide examples."""

    paragraphs: pd.DataFrame  # doc_id, district, para_id, text, labels
    clauses: pd.DataFrame  # doc_id, district, para_id, sent_id, text, labels
    guide_examples: pd.DataFrame  # text, labels (may be empty)
    taxonomy: Taxonomy
    data_hash: str = ""
    sources: list[str] = field(default_factory=list)

    @property
    def districts(self) -> list[str]:
        return sorted(self.paragraphs["district"].unique())

    def units(self, unit: str, districts: list[str] | None = None, with_guide: bool = True) -> tuple[list[str], list[list[str]], list[Any]]:
        """Training texts, labels and groups (district; None for guide examples)."""
        table = self.clauses if unit == "clause" else self.paragraphs
        if districts is not None:
            table = table[table["district"].isin(districts)]
        texts = table["text"].tolist()
        labels = table["labels"].tolist()
        groups: list[Any] = table["district"].tolist()
        if with_guide and len(self.guide_examples):
            texts += self.guide_examples["text"].tolist()
            labels += self.guide_examples["labels"].tolist()
            groups += [None] * len(self.guide_examples)
        return texts, labels, groups


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_training_data(seeds: str | Path = "seeds", labels: str | Path = "configs/labels.yaml",
                       guide_examples: bool = True) -> TrainingData:
    """Read the annotated seeds (paragraphs and clauses) and the guide examples."""
    import hashlib

    corpus = load_corpus(seeds)
    if "labels" not in corpus.paragraphs:
        raise FileNotFoundError(f"{corpus.path}: no annotations.jsonl; the classifier needs gold labels")
    taxonomy = load_taxonomy(labels)
    paragraphs = corpus.paragraphs[corpus.paragraphs["labels"].notna()].reset_index(drop=True)
    clause_path = Path(corpus.path) / CLAUSES_FILE
    if not clause_path.exists():
        raise FileNotFoundError(f"{clause_path}: clause-level annotations are missing")
    clauses = pd.DataFrame(_read_jsonl(clause_path))
    clauses = clauses.merge(paragraphs[["doc_id", "para_id", "district"]], on=["doc_id", "para_id"], how="inner")
    guide = pd.DataFrame(columns=["text", "labels"])
    guide_path = Path(corpus.path) / GUIDE_EXAMPLES_FILE
    if guide_examples:
        if guide_path.exists():
            guide = pd.DataFrame(_read_jsonl(guide_path))[["text", "labels"]]
        else:
            logger.warning("%s not found; training on the seeds only", guide_path)
    for table in (paragraphs, clauses, guide):
        to_indicator(table["labels"].tolist(), taxonomy.ids)  # validates label ids
    digest = hashlib.sha256()
    for table in (paragraphs[["doc_id", "para_id", "text", "labels"]], clauses[["doc_id", "para_id", "sent_id", "text", "labels"]], guide):
        digest.update(table.to_json(orient="records", force_ascii=False).encode("utf-8"))
    sources = [str(Path(corpus.path) / "annotations.jsonl"), str(clause_path)] + ([str(guide_path)] if len(guide) else [])
    return TrainingData(paragraphs, clauses, guide, taxonomy, digest.hexdigest(), sources)


def build_classifier(params: dict[str, Any], taxonomy: Taxonomy) -> PolicyClassifier:
    """A PolicyClassifier from a validated ``model`` config section."""
    params = dict(params)
    params["char_ngrams"] = tuple(params["char_ngrams"])
    params["word_ngrams"] = tuple(params["word_ngrams"])
    return PolicyClassifier(taxonomy=taxonomy, **params)


Predictor = Callable[[list[str]], np.ndarray]


def lodo_predictions(fit_predict: Callable[[TrainingData, list[str]], Predictor], data: TrainingData,
                     progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Leave one district out: for each district, fit on the others and predict its paragraphs.

    ``fit_predict(data, train_districts)`` returns a function from paragraph
    texts to a 0/1 matrix. Returns (y_true, y_pred) over all seed paragraphs.
    """
    ids = data.taxonomy.ids
    y_true, y_pred = [], []
    for district in tqdm(data.districts, desc="leave-one-district-out", disable=not progress, leave=False):
        train = [d for d in data.districts if d != district]
        test = data.paragraphs[data.paragraphs["district"] == district]
        predict = fit_predict(data, train)
        y_pred.append(predict(test["text"].tolist()))
        y_true.append(to_indicator(test["labels"].tolist(), ids))
    return np.vstack(y_true), np.vstack(y_pred)


def _learned(params: dict[str, Any], with_guide: bool) -> Callable[[TrainingData, list[str]], Predictor]:
    def fit_predict(data: TrainingData, districts: list[str]) -> Predictor:
        clf = build_classifier(params, data.taxonomy)
        texts, labels, groups = data.units(params["unit"], districts, with_guide)
        clf.fit(texts, labels, groups=groups)
        return clf.predict_indicator

    return fit_predict


def _keyword(data: TrainingData, districts: list[str]) -> Predictor:
    labeler = KeywordLabeler(taxonomy=data.taxonomy).fit([])
    return labeler.predict


def _empty(data: TrainingData, districts: list[str]) -> Predictor:
    return lambda texts: np.zeros((len(texts), len(data.taxonomy)), dtype=int)


def _dev_arrays(dev: pd.DataFrame | None, taxonomy: Taxonomy) -> tuple[list[str], np.ndarray] | None:
    if dev is None:
        return None
    return dev["text"].tolist(), to_indicator(dev["labels"].tolist(), taxonomy.ids)


def evaluate_candidates(config: dict[str, Any], data: TrainingData, progress: bool = True) -> list[EvaluationResult]:
    """LODO and dev scores for the baselines, the configured model and every candidate."""
    ids = list(data.taxonomy.ids)
    n_boot, seed = config["evaluation"]["bootstrap"], config["evaluation"]["seed"]
    with_guide = config["data"]["guide_examples"]
    runs: list[tuple[str, Callable]] = []
    if config["evaluation"]["baselines"]:
        runs += [("empty", _empty), ("keywords", _keyword)]
    runs.append(("model", _learned(config["model"], with_guide)))
    from .config import validate

    for i, candidate in enumerate(config["candidates"]):
        if not isinstance(candidate, dict) or "name" not in candidate:
            raise ValueError(f"candidates[{i}]: expected a mapping with 'name' and 'params', received {candidate!r}")
        unknown = sorted(set(candidate) - {"name", "params", "guide_examples"})
        if unknown:
            raise ValueError(f"candidates[{i}]: unknown key {unknown[0]!r}; valid keys are ['guide_examples', 'name', 'params']")
        params = validate({**config["model"], **candidate.get("params", {})}, MODEL_SCHEMA, f"candidates[{i}]")
        guide = candidate.get("guide_examples", with_guide)
        runs.append((candidate["name"], _learned(params, guide)))
    dev = _dev_arrays(load_dev_set(config["data"]["dev_set"]), data.taxonomy)
    results: list[EvaluationResult] = []
    for name, fit_predict in tqdm(runs, desc="models", disable=not progress):
        y_true, y_pred = lodo_predictions(fit_predict, data, progress)
        results.append(evaluate(name, "lodo", y_true, y_pred, ids, n_boot, seed))
        if dev is not None:
            predict = fit_predict(data, data.districts)
            results.append(evaluate(name, "dev", dev[1], predict(dev[0]), ids, n_boot, seed))
    return results


def comparison_table(results: list[EvaluationResult]) -> pd.DataFrame:
    """One row per model, LODO and dev columns side by side."""
    rows: dict[str, dict[str, Any]] = {}
    for result in results:
        row = rows.setdefault(result.model, {"model": result.model})
        for key, value in result.summary_row().items():
            if key not in ("model", "evaluation"):
                row[f"{result.evaluation}_{key}"] = value
    return pd.DataFrame(list(rows.values()))


def train_final(config: dict[str, Any], data: TrainingData) -> PolicyClassifier:
    """Fit the configured model on every seed district (plus guide examples if configured)."""
    params = config["model"]
    clf = build_classifier(params, data.taxonomy)
    texts, labels, groups = data.units(params["unit"], None, config["data"]["guide_examples"])
    return clf.fit(texts, labels, groups=groups)


def load_classifier_config(path: str | Path, overrides=()) -> dict[str, Any]:
    return load_config(path, CLASSIFIER_SCHEMA, overrides)


def resolve(path: str) -> Path:
    """A config path relative to the project root unless absolute or present from here."""
    p = Path(path)
    return p if p.is_absolute() or p.exists() else project_root() / p
