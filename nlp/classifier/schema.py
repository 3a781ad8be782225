"""The classifier config: schema of ``configs/classifier.yaml``.

The ``model`` section is the constructor of
:class:`~nlp.classifier.PolicyClassifier`: its keys, defaults and choice lists
are read from the estimator, so a default is stated once, in the estimator.

>>> cfg = load_classifier_config("configs/classifier.yaml", ["model.C=3"])  # doctest: +SKIP
>>> classifier_from_params(cfg["model"], default_taxonomy())                # doctest: +SKIP
PolicyClassifier(C=3.0, ...)
"""
from __future__ import annotations

import os
from typing import Any, Iterable

from ..config import ConfigError, Field, load_config, validate
from .estimator import ANALYZERS, RULE_MODES, THRESHOLD_MODES, UNITS, PolicyClassifier
from .taxonomy import DEFAULT_LABELS_PATH, Taxonomy

__all__ = ["MODEL_SCHEMA", "CLASSIFIER_SCHEMA", "load_classifier_config", "classifier_from_params", "validate_model_params"]

_DEFAULTS = PolicyClassifier().get_params(deep=False)

MODEL_SCHEMA = {
    "unit": Field(str, _DEFAULTS["unit"], choices=UNITS),
    "analyzer": Field(str, _DEFAULTS["analyzer"], choices=ANALYZERS),
    "char_ngrams": Field(list, list(_DEFAULTS["char_ngrams"]), item_type=int, min=1, max=10),
    "word_ngrams": Field(list, list(_DEFAULTS["word_ngrams"]), item_type=int, min=1, max=10),
    "min_df": Field(int, _DEFAULTS["min_df"], min=1),
    "rules": Field(str, _DEFAULTS["rules"], choices=RULE_MODES),
    "rule_weight": Field(float, _DEFAULTS["rule_weight"], min=0.0, max=1.0),
    "C": Field(float, _DEFAULTS["C"], min=1e-4, max=1e4),
    "class_weight": Field(str, _DEFAULTS["class_weight"], choices=("balanced",), nullable=True),
    "thresholds": Field(str, _DEFAULTS["thresholds"], choices=THRESHOLD_MODES),
    "threshold": Field(float, _DEFAULTS["threshold"], min=0.01, max=0.99),
    "random_state": Field(int, _DEFAULTS["random_state"]),
}

CLASSIFIER_SCHEMA = {
    "labels": Field(str, DEFAULT_LABELS_PATH, path=True),
    "data": {
        "seeds": Field(str, "seeds", path=True),
        "guide_examples": Field(bool, True, help="add seeds/guide_examples.jsonl to training"),
        "corpus": Field(str, None, nullable=True, path=True,
                        help="the written training corpus (JSONL with text, labels, batch); null: none"),
        "report_set": Field(str, None, nullable=True, path=True,
                            help="labelled whole reports held out of training (the `reports` column); null: none"),
        "dev_set": Field(str, None, nullable=True, help="path of the development set; default ../shared/dev"),
    },
    "model": MODEL_SCHEMA,
    "candidates": Field(list, [], help="models compared by `nlp evaluate`: [{name, params}]"),
    "evaluation": {
        "bootstrap": Field(int, 1000, min=0, max=100000),
        "seed": Field(int, 0),
        "baselines": Field(bool, True),
        "corpus_folds": Field(int, 5, min=2, max=50, help="grouped folds over the corpus's writer batches"),
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


def _check_ranges(params: dict[str, Any], source: str) -> dict[str, Any]:
    for key in ("char_ngrams", "word_ngrams"):
        value = params[key]
        if len(value) != 2 or value[0] > value[1]:
            raise ConfigError(f"{source}: key 'model.{key}': expected [low, high] with low <= high, received {value!r}")
    return params


def validate_model_params(params: dict[str, Any], source: str = "<model params>") -> dict[str, Any]:
    """Check a ``model`` mapping (config section or candidate) and fill the estimator's defaults."""
    return _check_ranges(validate(params, MODEL_SCHEMA, source, _prefix="model."), source)


def load_classifier_config(path: str | os.PathLike, overrides: Iterable[str] = ()) -> dict[str, Any]:
    """Read and validate a classifier config; every key is checked before any work starts."""
    config = load_config(path, CLASSIFIER_SCHEMA, overrides)
    _check_ranges(config["model"], str(path))
    return config


def classifier_from_params(params: dict[str, Any], taxonomy: Taxonomy) -> PolicyClassifier:
    """A :class:`PolicyClassifier` from a validated ``model`` mapping."""
    params = dict(params)
    params["char_ngrams"] = tuple(params["char_ngrams"])
    params["word_ngrams"] = tuple(params["word_ngrams"])
    return PolicyClassifier(taxonomy=taxonomy, **params)
