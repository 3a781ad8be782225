"""Saving and loading the classifier without pickle.

A model folder holds:

* ``pipeline.skops`` — the fitted scikit-learn pipeline, in skops format, which
  rebuilds objects from an explicit list of trusted types and never runs
  pickle's arbitrary code;
* ``model.json`` — hyper-parameters, thresholds, label ids, the taxonomy,
  the format version and provenance (data hash, package version, metrics);
* ``MODEL_CARD.md`` — the same for people.

Loading refuses a folder whose pipeline needs any type outside
:data:`TRUSTED_TYPES`, a format version it does not know, or a corrupted file,
with an error that says which.
"""
from __future__ import annotations

import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Any, Union

import numpy as np

from .paths import default_model_dir

__all__ = ["FORMAT_VERSION", "TRUSTED_TYPES", "ModelLoadError", "save_classifier", "load_classifier", "read_model_info"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
PIPELINE_FILE = "pipeline.skops"
INFO_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"

# Every type a saved pipeline may contain beyond skops' own defaults.
TRUSTED_TYPES = [
    "nlp.features.RuleFeatures",
    "nlp.tokenize.normalize",
    "nlp.tokenize.tokenize",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.preprocessing._label.LabelBinarizer",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.frozenset",
    "builtins.int",
    "builtins.float",
    "builtins.str",
    "builtins.bool",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
]

_PARAMS = ("unit", "analyzer", "char_ngrams", "word_ngrams", "rules", "rule_weight", "C", "thresholds", "threshold", "random_state")


class ModelLoadError(RuntimeError):
    """A model folder cannot be loaded safely (missing, corrupted, incompatible or untrusted)."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def save_classifier(classifier, path: Union[str, os.PathLike], metadata: dict[str, Any]) -> Path:
    """Write a fitted :class:`~nlp.classifier.PolicyClassifier` to a folder."""
    import skops.io as sio
    from sklearn.utils.validation import check_is_fitted

    from . import __version__

    check_is_fitted(classifier, "pipeline_")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    # The vocabulary makes the JSON schema large and repetitive; deflate shrinks it ~10x.
    sio.dump(classifier.pipeline_, folder / PIPELINE_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    info = {
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "params": {k: _jsonable(getattr(classifier, k)) for k in _PARAMS},
        "label_ids": list(classifier.label_ids_),
        "thresholds": [float(t) for t in classifier.thresholds_],
        "taxonomy": classifier.taxonomy_,
        "n_train": int(classifier.n_train_),
        **{k: _jsonable(v) for k, v in metadata.items()},
    }
    with open(folder / INFO_FILE, "w", encoding="utf-8") as handle:
        json.dump(info, handle, ensure_ascii=False, indent=2, default=_jsonable)
    (folder / CARD_FILE).write_text(model_card(info), encoding="utf-8")
    return folder


def read_model_info(path: Union[str, os.PathLike, None] = None) -> dict[str, Any]:
    folder = Path(path) if path is not None else default_model_dir()
    info_path = folder / INFO_FILE
    if not folder.exists():
        raise ModelLoadError(f"model folder not found: {str(folder)!r}")
    if not info_path.exists():
        raise ModelLoadError(f"{folder}: expected {INFO_FILE} and {PIPELINE_FILE} in the model folder; {INFO_FILE} is missing")
    try:
        with open(info_path, encoding="utf-8") as handle:
            info = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{info_path}: corrupted model description ({exc})") from exc
    if not isinstance(info, dict):
        raise ModelLoadError(f"{info_path}: expected a JSON object, received {type(info).__name__}")
    return info


def load_classifier(path: Union[str, os.PathLike, None] = None):
    """Load a :class:`~nlp.classifier.PolicyClassifier` saved by :func:`save_classifier`.

    Raises
    ------
    ModelLoadError
        If the folder or a file is missing, corrupted, written by an
        incompatible format version, or needs types outside the trusted list.
    """
    import skops.io as sio

    from .classifier import PolicyClassifier

    folder = Path(path) if path is not None else default_model_dir()
    info = read_model_info(folder)
    version = info.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelLoadError(
            f"{folder}: model format version {version!r} is not supported by this package "
            f"(expected {FORMAT_VERSION}); retrain with `nlp train` or install the package version that wrote it "
            f"({info.get('package_version', 'unknown')})"
        )
    pipeline_path = folder / PIPELINE_FILE
    if not pipeline_path.exists():
        raise ModelLoadError(f"{folder}: {PIPELINE_FILE} is missing")
    try:
        untrusted = sio.get_untrusted_types(file=pipeline_path)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, ValueError, OSError) as exc:
        raise ModelLoadError(f"{pipeline_path}: not a valid skops file ({type(exc).__name__}: {exc})") from exc
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelLoadError(f"{pipeline_path}: refusing to load; it needs types outside the trusted list: {refused}")
    try:
        pipeline = sio.load(pipeline_path, trusted=untrusted)
    except Exception as exc:  # skops raises many types for damaged or foreign files
        raise ModelLoadError(f"{pipeline_path}: could not be loaded ({type(exc).__name__}: {exc})") from exc
    try:
        params = dict(info["params"])
        for key in ("char_ngrams", "word_ngrams"):
            params[key] = tuple(params[key])
        classifier = PolicyClassifier(taxonomy=info["taxonomy"], **params)
        classifier.pipeline_ = pipeline
        classifier.label_ids_ = list(info["label_ids"])
        classifier.taxonomy_ = info["taxonomy"]
        classifier.thresholds_ = np.asarray(info["thresholds"], dtype=float)
        classifier.n_train_ = int(info.get("n_train", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"{folder / INFO_FILE}: incomplete model description ({type(exc).__name__}: {exc})") from exc
    if len(classifier.thresholds_) != len(classifier.label_ids_):
        raise ModelLoadError(f"{folder / INFO_FILE}: {len(classifier.thresholds_)} thresholds for {len(classifier.label_ids_)} labels")
    classifier.info_ = info
    return classifier


def model_card(info: dict[str, Any]) -> str:
    """A short Markdown model card from the model description."""
    lines = [
        "# Policy-area classifier",
        "",
        f"- package version: {info.get('package_version')}",
        f"- format version: {info.get('format_version')} (skops pipeline + JSON; no pickle)",
        f"- training data: {info.get('training_data', 'n/a')}",
        f"- training-data hash (sha256): {info.get('data_hash', 'n/a')}",
        f"- training units: {info.get('n_train')}",
        f"- labels: {', '.join(info.get('label_ids', []))}",
        f"- thresholds: {', '.join(f'{l}={t:.2f}' for l, t in zip(info.get('label_ids', []), info.get('thresholds', [])))}",
        f"- parameters: {json.dumps(info.get('params', {}), ensure_ascii=False)}",
        "",
        "## Held-out metrics",
        "",
    ]
    metrics = info.get("metrics") or {}
    if metrics:
        lines += ["| evaluation | micro-F1 | macro-F1 |", "| --- | --- | --- |"]
        for name, values in metrics.items():
            lines.append(f"| {name} | {values.get('micro_f1', float('nan')):.3f} | {values.get('macro_f1', float('nan')):.3f} |")
    else:
        lines.append("not recorded")
    lines += ["", "Regenerate with `nlp train --config configs/classifier.yaml`.", ""]
    return "\n".join(lines)
