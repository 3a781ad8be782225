"""Saving and loading the classifier as plain data: JSON and NumPy arrays, never pickle.

A model folder holds:

* ``model.json`` — hyper-parameters, thresholds, label ids, the taxonomy, the
  feature extractors' settings, the format version and provenance (data hash,
  package version, held-out metrics);
* ``vocabulary_<name>.json`` — each TF-IDF vectorizer's terms, in column order;
* ``arrays.npz`` — idf vectors, the weight matrix and the intercepts, read with
  ``allow_pickle=False``;
* ``MODEL_CARD.md`` — the description for people.

This module reads and writes plain data only: a :class:`ModelState` (parameters,
labels, thresholds, taxonomy, feature extractors and weights). It never imports
the estimator; :meth:`nlp.classifier.PolicyClassifier.load` builds itself from
the state. The only callables a model may name are the package's own text
functions in :data:`TRUSTED_FUNCTIONS`. Nothing on the load path can execute
code stored in the folder, and a missing, corrupted, foreign or incompatible
folder raises :class:`ModelLoadError` saying which.

A save is atomic: the files are written to a temporary folder beside the
target, flushed, and swapped in by renaming, so a reader sees the old model or
the new one whole, and an interrupted save leaves the old model in place.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np

from ..checks import choice_error
from ..paths import default_model_dir
from .base import OUTPUT_FORMS
from .features import RuleFeatures, n_features

__all__ = ["FORMAT_VERSION", "TRUSTED_FUNCTIONS", "ModelLoadError", "ModelState", "save_model", "load_model",
           "read_model_info", "model_card"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2
INFO_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
CARD_FILE = "MODEL_CARD.md"

_TFIDF_PARAMS = ("analyzer", "ngram_range", "lowercase", "sublinear_tf", "norm", "use_idf", "smooth_idf", "min_df", "max_df", "dtype")


def _trusted_functions() -> dict[str, Callable]:
    from ..tokenize import normalize, tokenize

    return {"nlp.tokenize.normalize": normalize, "nlp.tokenize.tokenize": tokenize}


TRUSTED_FUNCTIONS = ("nlp.tokenize.normalize", "nlp.tokenize.tokenize")


class ModelLoadError(RuntimeError):
    """A model folder cannot be loaded safely (missing, corrupted, incompatible or untrusted)."""


@dataclass
class ModelState:
    """Everything a fitted classifier is, as plain data plus fitted feature extractors.

    Attributes
    ----------
    params : dict
        The estimator's constructor parameters (without the taxonomy).
    label_ids : list of str
    thresholds : ndarray
    taxonomy : dict
        The taxonomy as plain data (``Taxonomy.to_dict()``).
    features : list of (name, transformer)
    coef, intercept : ndarray
    n_train : int
    output_form : {"labels", "indicator"}
    info : dict
        The whole ``model.json`` of a loaded model (empty before saving).
    folder : Path or None
        Where it was loaded from.
    """

    params: dict[str, Any]
    label_ids: list[str]
    thresholds: np.ndarray
    taxonomy: dict[str, Any]
    features: list
    coef: np.ndarray
    intercept: np.ndarray
    n_train: int = 0
    output_form: str = "labels"
    info: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, type):
        return value.__name__
    return value


def _function_name(fn: Callable | None) -> str | None:
    if fn is None:
        return None
    name = f"{fn.__module__}.{fn.__qualname__}"
    if name not in TRUSTED_FUNCTIONS:
        raise ValueError(f"cannot save a model that calls {name}; savable functions are {list(TRUSTED_FUNCTIONS)}")
    return name


def _describe_features(features: list, arrays: dict[str, np.ndarray], folder: Path) -> list[dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    described = []
    for name, transformer in features:
        if isinstance(transformer, TfidfVectorizer):
            terms = [""] * len(transformer.vocabulary_)
            for term, index in transformer.vocabulary_.items():
                terms[index] = term
            vocabulary_file = f"vocabulary_{name}.json"
            with open(folder / vocabulary_file, "w", encoding="utf-8") as handle:
                json.dump(terms, handle, ensure_ascii=False, separators=(",", ":"))
            arrays[f"idf__{name}"] = transformer.idf_
            params = {k: _jsonable(getattr(transformer, k)) for k in _TFIDF_PARAMS}
            params["preprocessor"] = _function_name(transformer.preprocessor)
            params["tokenizer"] = _function_name(transformer.tokenizer)
            described.append({"name": name, "kind": "tfidf", "params": params, "vocabulary": vocabulary_file})
        elif isinstance(transformer, RuleFeatures):
            described.append({"name": name, "kind": "rules", "scale": float(transformer.scale)})
        else:
            raise ValueError(f"cannot save feature extractor {name!r} of type {type(transformer).__name__}")
    return described


def save_model(path: Union[str, os.PathLike], state: ModelState, metadata: dict[str, Any]) -> Path:
    """Write a model state to a folder, atomically (temporary folder, then rename).

    Parameters
    ----------
    path : str or path-like
        The model folder; its parent is created if needed.
    state : ModelState
    metadata : dict
        Provenance added to ``model.json`` (data hash, metrics, config ...).
    """
    from ..version import __version__

    folder = Path(path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        arrays: dict[str, np.ndarray] = {"coef": np.asarray(state.coef, dtype=np.float64),
                                         "intercept": np.asarray(state.intercept, dtype=np.float64)}
        features = _describe_features(state.features, arrays, staging)
        np.savez_compressed(staging / ARRAYS_FILE, **arrays)
        info = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "params": {k: _jsonable(v) for k, v in state.params.items()},
            "label_ids": list(state.label_ids),
            "thresholds": [float(t) for t in state.thresholds],
            "output_form": state.output_form,
            "taxonomy": state.taxonomy,
            "features": features,
            "n_train": int(state.n_train),
            **{k: _jsonable(v) for k, v in metadata.items()},
        }
        with open(staging / INFO_FILE, "w", encoding="utf-8") as handle:
            json.dump(info, handle, ensure_ascii=False, indent=2, default=_jsonable)
        (staging / CARD_FILE).write_text(model_card(info), encoding="utf-8")
        for file in staging.iterdir():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by ``staging`` with renames; the old folder goes only after the swap."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    os.rmdir(retired)
    os.replace(folder, retired)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(retired, folder)  # put the old model back
        raise
    shutil.rmtree(retired, ignore_errors=True)


def read_model_info(path: Union[str, os.PathLike, None] = None) -> dict[str, Any]:
    """The parsed ``model.json`` of a model folder."""
    folder = Path(path) if path is not None else default_model_dir()
    info_path = folder / INFO_FILE
    if not folder.exists():
        raise ModelLoadError(f"model folder not found: {str(folder)!r}")
    if not folder.is_dir():
        raise ModelLoadError(f"expected a model folder, received the file {str(folder)!r}")
    if not info_path.exists():
        raise ModelLoadError(f"{folder}: expected {INFO_FILE} and {ARRAYS_FILE} in the model folder; {INFO_FILE} is missing")
    return _read_json(info_path, dict, "model description")


def _read_json(path: Path, expected: type, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ModelLoadError(f"{path}: corrupted {what} ({type(exc).__name__})") from exc
    if not isinstance(value, expected):
        raise ModelLoadError(f"{path}: expected a JSON {expected.__name__} as {what}, received {type(value).__name__}")
    return value


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise ModelLoadError(f"{path.parent}: {ARRAYS_FILE} is missing")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        # allow_pickle=False makes NumPy refuse object arrays instead of unpickling them.
        raise ModelLoadError(f"{path}: not a valid array file or it holds pickled objects ({type(exc).__name__}: {exc})") from exc


# What a saved vectorizer may set, and the values each setting may take.
_TFIDF_VALUES: dict[str, Callable[[Any], bool]] = {
    "analyzer": lambda v: v in ("char", "char_wb", "word"),
    "ngram_range": lambda v: isinstance(v, list) and len(v) == 2 and all(isinstance(n, int) and 1 <= n <= 10 for n in v),
    "lowercase": lambda v: isinstance(v, bool),
    "sublinear_tf": lambda v: isinstance(v, bool),
    "norm": lambda v: v in ("l1", "l2", None),
    "use_idf": lambda v: isinstance(v, bool),
    "smooth_idf": lambda v: isinstance(v, bool),
    "min_df": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
    "max_df": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
    "dtype": lambda v: v in ("float64", "float32"),
    "preprocessor": lambda v: v is None or isinstance(v, str),
    "tokenizer": lambda v: v is None or isinstance(v, str),
}


def _checked_tfidf_params(params: Any, name: str, folder: Path) -> dict[str, Any]:
    """Only the known vectorizer settings, each with an allowed value (no ``input="filename"``)."""
    where = f"{folder / INFO_FILE}: feature {name!r}"
    if not isinstance(params, dict):
        raise ModelLoadError(f"{where}: expected a mapping of vectorizer settings")
    unknown = sorted(set(params) - set(_TFIDF_VALUES))
    if unknown:
        raise ModelLoadError(f"{where}: refusing to load; unknown vectorizer setting {unknown[0]!r}; "
                             f"allowed settings are {sorted(_TFIDF_VALUES)}")
    for key, value in params.items():
        if not _TFIDF_VALUES[key](value):
            raise ModelLoadError(f"{where}: refusing to load; invalid value {value!r} for {key!r}")
    return dict(params)


def _finite_float_array(arrays: dict[str, np.ndarray], key: str, folder: Path) -> np.ndarray:
    value = arrays.get(key)
    if value is None or value.dtype.kind != "f" or not np.isfinite(value).all():
        raise ModelLoadError(f"{folder / ARRAYS_FILE}: {key!r} must be a finite floating-point array")
    return value


def _build_features(described: list[dict[str, Any]], arrays: dict[str, np.ndarray], folder: Path, taxonomy: dict) -> list:
    from sklearn.feature_extraction.text import TfidfVectorizer

    functions = _trusted_functions()
    features = []
    for entry in described:
        name, kind = entry["name"], entry["kind"]
        if kind == "rules":
            features.append((name, RuleFeatures(taxonomy, scale=float(entry["scale"])).fit([])))
            continue
        if kind != "tfidf":
            raise ModelLoadError(f"{folder / INFO_FILE}: unknown feature kind {kind!r}; expected 'tfidf' or 'rules'")
        params = _checked_tfidf_params(entry.get("params"), name, folder)
        for key in ("preprocessor", "tokenizer"):
            if params.get(key) is not None:
                if params[key] not in functions:
                    raise ModelLoadError(f"{folder / INFO_FILE}: refusing to load; feature {name!r} names the function "
                                         f"{params[key]!r}, outside the trusted list {list(TRUSTED_FUNCTIONS)}")
                params[key] = functions[params[key]]
        params["ngram_range"] = tuple(params["ngram_range"])
        params["dtype"] = np.float32 if params.get("dtype") == "float32" else np.float64
        vectorizer = TfidfVectorizer(token_pattern=None if params.get("tokenizer") else r"(?u)\b\w\w+\b", **params)
        vocabulary_path = folder / entry["vocabulary"]
        if not vocabulary_path.exists() or vocabulary_path.parent.resolve() != folder.resolve():
            raise ModelLoadError(f"{folder}: vocabulary file {entry['vocabulary']!r} is missing")
        terms = _read_json(vocabulary_path, list, "vocabulary")
        if not all(isinstance(t, str) for t in terms):
            raise ModelLoadError(f"{vocabulary_path}: expected a JSON list of strings")
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
        idf = _finite_float_array(arrays, f"idf__{name}", folder)
        if idf.shape != (len(terms),):
            raise ModelLoadError(f"{folder / ARRAYS_FILE}: idf for {name!r} is missing or does not match its vocabulary")
        vectorizer.idf_ = idf
        features.append((name, vectorizer))
    return features


def load_model(path: Union[str, os.PathLike, None] = None) -> ModelState:
    """Read a model folder written by :func:`save_model` into a checked :class:`ModelState`.

    Raises
    ------
    ModelLoadError
        If the folder or a file is missing, corrupted, written by an
        incompatible format version, names untrusted functions, or its parts
        do not fit together.
    """
    folder = Path(path) if path is not None else default_model_dir()
    info = read_model_info(folder)
    version = info.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelLoadError(
            f"{folder}: model format version {version!r} is not supported by this package "
            f"(expected {FORMAT_VERSION}); retrain with `nlp train` or install the package version that wrote it "
            f"({info.get('package_version', 'unknown')})"
        )
    arrays = _load_arrays(folder / ARRAYS_FILE)
    label_ids = info.get("label_ids")
    if not isinstance(label_ids, list) or not label_ids or not all(isinstance(l, str) for l in label_ids):
        raise ModelLoadError(f"{folder / INFO_FILE}: incomplete model description: 'label_ids' must be a list of label-id strings")
    if len(set(label_ids)) != len(label_ids):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'label_ids' has duplicates: {label_ids}")
    thresholds = info.get("thresholds")
    if not isinstance(thresholds, list) or not all(isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t < 1 for t in thresholds):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'thresholds' must be a list of numbers between 0 and 1")
    output_form = info.get("output_form", "labels")  # folders written before output forms existed answer with labels
    if output_form not in OUTPUT_FORMS:
        raise choice_error(f"{folder / INFO_FILE}: 'output_form'", output_form, OUTPUT_FORMS, ModelLoadError)
    params = info.get("params")
    if not isinstance(params, dict):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'params' must be a mapping of the estimator's parameters; "
                             "retrain with `nlp train`")
    try:
        features = _build_features(info["features"], arrays, folder, info["taxonomy"])
        state = ModelState(params=dict(params), label_ids=list(label_ids), thresholds=np.asarray(thresholds, dtype=float),
                           taxonomy=info["taxonomy"], features=features,
                           coef=_finite_float_array(arrays, "coef", folder),
                           intercept=_finite_float_array(arrays, "intercept", folder),
                           n_train=int(info.get("n_train", 0)), output_form=output_form, info=info, folder=folder)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelLoadError(f"{folder / INFO_FILE}: incomplete or inconsistent model description ({type(exc).__name__}: {exc})") from exc
    n_labels = len(state.label_ids)
    n_columns = n_features(state.features)
    if state.coef.shape != (n_labels, n_columns) or state.intercept.shape != (n_labels,) or len(state.thresholds) != n_labels:
        raise ModelLoadError(f"{folder}: weights of shape {state.coef.shape} do not fit {n_labels} labels x {n_columns} features")
    return state


def model_card(info: dict[str, Any]) -> str:
    """A short Markdown model card from the model description."""
    label_ids = info.get("label_ids", [])
    lines = [
        "# Policy-area classifier",
        "",
        f"- package version: {info.get('package_version')}",
        f"- format version: {info.get('format_version')} (JSON + NumPy arrays, loaded without pickle)",
        f"- training data: {info.get('training_data', 'n/a')}",
        f"- training-data hash (sha256): {info.get('data_hash', 'n/a')}",
        f"- training units: {info.get('n_train')}",
        f"- labels: {', '.join(label_ids)}",
        f"- thresholds: {', '.join(f'{l}={t:.2f}' for l, t in zip(label_ids, info.get('thresholds', [])))}",
        f"- parameters: {json.dumps(info.get('params', {}), ensure_ascii=False)}",
        "",
        "## Held-out metrics",
        "",
    ]
    metrics = info.get("metrics") or {}
    if metrics:
        lines += ["| evaluation | micro-F1 | macro-F1 | macro-F1 95% CI |", "| --- | --- | --- | --- |"]
        names = {"lodo": "leave-one-district-out (seeds)", "corpus": "grouped folds by writer (written corpus)",
                 "dev": "development set (other provinces)"}
        for name, values in metrics.items():
            ci = values.get("macro_f1_ci") or []
            ci_text = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if len(ci) == 2 else "n/a"
            lines.append(f"| {names.get(name, name)} | {values.get('micro_f1', float('nan')):.3f} | "
                         f"{values.get('macro_f1', float('nan')):.3f} | {ci_text} |")
    else:
        lines.append("not recorded")
    lines += ["", "Regenerate with `nlp train --config configs/classifier.yaml`.", ""]
    return "\n".join(lines)
