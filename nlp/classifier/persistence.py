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

import errno
import io
import json
import logging
import math
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np

from ..atomic import fsync_tree, swap_in
from ..checks import choice_error
from ..paths import default_model_dir
from ..reader import read_at_most
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
        fsync_tree(staging)
        os.chmod(staging, 0o755)
        swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


# Bounds on what loading a model folder may read: a folder's files are read
# whole into memory, so each is capped before reading (the shipped model's
# largest file is under 1 MB).
MAX_INFO_BYTES = 16 * 1024 * 1024
MAX_FILE_BYTES = 512 * 1024 * 1024
# A save swaps the whole folder; a reader that opened the old one while it was
# being removed starts again on the new one, at most this many times.
_LOAD_ATTEMPTS = 5
_NPY_HEADER_SLACK = 64 * 1024


class _FolderReader:
    """Reads the files of one model folder through one directory handle.

    Every file comes from the folder as it was when opened, even if a save
    swaps a new folder in meanwhile, so a load never mixes two models. Symbolic
    links and anything but regular files (FIFOs, devices) are refused before
    reading, and each file's size is checked before it is read.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if not folder.exists():
            raise ModelLoadError(f"model folder not found: {str(folder)!r}")
        if not folder.is_dir():
            raise ModelLoadError(f"expected a model folder, received the file {str(folder)!r}")
        self._fd: int | None = None
        if os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY"):
            try:
                self._fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError as exc:
                raise ModelLoadError(f"model folder not found: {str(folder)!r}") from exc
            except OSError as exc:
                raise ModelLoadError(f"{folder}: cannot open the model folder ({exc.strerror})") from exc
            st = os.fstat(self._fd)
        else:
            st = os.stat(folder)
        self.identity = (st.st_dev, st.st_ino)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "_FolderReader":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def replaced(self) -> bool:
        """True if the folder at the path is no longer the one being read (a save swapped it)."""
        try:
            st = os.stat(self.folder)
        except OSError:
            return True
        return (st.st_dev, st.st_ino) != self.identity

    def _open(self, name: str) -> int:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        if self._fd is not None:
            return os.open(name, flags, dir_fd=self._fd)
        path = self.folder / name
        if path.is_symlink():
            raise OSError(errno.ELOOP, "is a symbolic link")
        return os.open(path, flags)

    def read_bytes(self, name: str, what: str, limit: int | None = None) -> bytes:
        path = self.folder / name
        limit = MAX_FILE_BYTES if limit is None else limit
        if not name or name in (".", "..") or "/" in name or "\\" in name or os.sep in name:
            raise ModelLoadError(f"{self.folder}: {what} file {name!r} is not a file name inside the model folder")
        try:
            fd = self._open(name)
        except FileNotFoundError as exc:
            raise ModelLoadError(f"{self.folder}: {what} file {name} is missing") from exc
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):
                raise ModelLoadError(f"{path}: refusing to load; a model file may not be a symbolic link") from exc
            raise ModelLoadError(f"{path}: cannot open the {what} ({exc.strerror})") from exc
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ModelLoadError(f"{path}: refusing to load; expected a regular file as {what}, "
                                     "received a FIFO, device or other special file")
            if st.st_size > limit:
                raise ModelLoadError(f"{path}: refusing to load; the {what} is {st.st_size:,} bytes, "
                                     f"more than the limit of {limit:,}")
            data = read_at_most(fd, limit, chunk_size=1 << 20)
            if len(data) > limit:
                raise ModelLoadError(f"{path}: refusing to load; the {what} grew past the limit of {limit:,} bytes")
            return data
        finally:
            os.close(fd)

    def read_json(self, name: str, expected: type, what: str, limit: int | None = None) -> Any:
        path = self.folder / name
        data = self.read_bytes(name, what, limit)
        try:
            value = json.JSONDecoder(object_pairs_hook=_unique_keys).decode(data.decode("utf-8"))
        except _DuplicateKey as exc:
            raise ModelLoadError(f"{path}: refusing to load; the {what} repeats the key {exc.args[0]!r} "
                                 "(a JSON object may name each key once)") from None
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ModelLoadError(f"{path}: corrupted {what} ({type(exc).__name__})") from exc
        if not isinstance(value, expected):
            raise ModelLoadError(f"{path}: expected a JSON {expected.__name__} as {what}, received {type(value).__name__}")
        return value


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_model_info(path: Union[str, os.PathLike, None] = None) -> dict[str, Any]:
    """The parsed ``model.json`` of a model folder."""
    folder = Path(path) if path is not None else default_model_dir()
    with _FolderReader(folder) as reader:
        return _read_info(reader)


def _read_info(reader: _FolderReader) -> dict[str, Any]:
    try:
        return reader.read_json(INFO_FILE, dict, "model description", MAX_INFO_BYTES)
    except ModelLoadError as exc:
        if f"{INFO_FILE} is missing" in str(exc):
            raise ModelLoadError(f"{reader.folder}: expected {INFO_FILE} and {ARRAYS_FILE} in the model folder; "
                                 f"{INFO_FILE} is missing") from None
        raise


def _load_arrays(reader: _FolderReader, expected: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Only the expected arrays, each checked (shape, dtype, size) before it is decompressed.

    An ``.npz`` is a zip of ``.npy`` files. A member's header declares its
    shape and type; one that does not match ``model.json`` is refused before
    any memory is allocated for it, and members nobody asked for are never read.
    Object arrays (which NumPy would unpickle) are refused by type.
    """
    path = reader.folder / ARRAYS_FILE
    data = reader.read_bytes(ARRAYS_FILE, "array")
    out: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for key, shape in expected.items():
                try:
                    member = archive.getinfo(f"{key}.npy")
                except KeyError:
                    raise ModelLoadError(f"{path}: the array {key!r} is missing") from None
                n_items = int(np.prod(shape, dtype=np.int64)) if shape else 1
                if member.file_size > n_items * 8 + _NPY_HEADER_SLACK:
                    raise ModelLoadError(f"{path}: refusing to load; {key!r} declares {member.file_size:,} bytes, "
                                         f"expected at most {n_items * 8:,} for shape {shape}")
                with archive.open(member) as handle:
                    version = np.lib.format.read_magic(handle)
                    if version == (1, 0):
                        declared, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
                    elif version == (2, 0):
                        declared, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
                    else:
                        raise ModelLoadError(f"{path}: {key!r} has an unsupported array format version {version}")
                    if dtype.hasobject or dtype.kind != "f" or dtype.itemsize not in (4, 8):
                        raise ModelLoadError(f"{path}: {key!r} must be a finite floating-point array, "
                                             f"received type {dtype}")
                    if tuple(declared) != tuple(shape):
                        raise ModelLoadError(f"{path}: {key!r} declares shape {tuple(declared)}; the weights do not fit "
                                             f"model.json, which needs shape {tuple(shape)}")
                    body = handle.read(n_items * dtype.itemsize + 1)
                if len(body) != n_items * dtype.itemsize:
                    raise ModelLoadError(f"{path}: {key!r} is truncated or longer than its header says")
                array = np.frombuffer(body, dtype=dtype).reshape(shape, order="F" if fortran else "C")
                if not np.isfinite(array).all():
                    raise ModelLoadError(f"{path}: {key!r} must be a finite floating-point array")
                out[key] = np.array(array, dtype=dtype.newbyteorder("="))
    except (ValueError, OSError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        if isinstance(exc, ModelLoadError):
            raise
        raise ModelLoadError(f"{path}: not a valid array file or it holds pickled objects ({type(exc).__name__}: {exc})") from exc
    return out


# What a saved vectorizer may set, and the values each setting may take. Each
# text function may only sit in its own slot (a tokenizer as preprocessor
# would fail at predict time).
_TFIDF_VALUES: dict[str, Callable[[Any], bool]] = {
    "analyzer": lambda v: v in ("char", "char_wb", "word"),
    "ngram_range": lambda v: (isinstance(v, list) and len(v) == 2 and all(isinstance(n, int) and not isinstance(n, bool)
                                                                          and 1 <= n <= 10 for n in v) and v[0] <= v[1]),
    "lowercase": lambda v: isinstance(v, bool),
    "sublinear_tf": lambda v: isinstance(v, bool),
    "norm": lambda v: v in ("l1", "l2", None),
    "use_idf": lambda v: isinstance(v, bool),
    "smooth_idf": lambda v: isinstance(v, bool),
    "min_df": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0,
    "max_df": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0,
    "dtype": lambda v: v in ("float64", "float32"),
    "preprocessor": lambda v: v in (None, "nlp.tokenize.normalize"),
    "tokenizer": lambda v: v in (None, "nlp.tokenize.tokenize"),
}
_FEATURE_NAME = r"[A-Za-z][A-Za-z0-9_]{0,63}"


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
            if key in ("preprocessor", "tokenizer") and isinstance(value, str):
                raise ModelLoadError(f"{folder / INFO_FILE}: refusing to load; feature {name!r} names the function "
                                     f"{value!r} as its {key}, outside the trusted list {list(TRUSTED_FUNCTIONS)} "
                                     f"for that slot")
            raise ModelLoadError(f"{where}: refusing to load; invalid value {value!r} for {key!r}")
    missing = sorted({"analyzer", "ngram_range"} - set(params))
    if missing:
        raise ModelLoadError(f"{where}: refusing to load; the vectorizer setting {missing[0]!r} is missing")
    return dict(params)


def _checked_scale(value: Any, name: str, folder: Path) -> float:
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0):
        raise ModelLoadError(f"{folder / INFO_FILE}: feature {name!r}: 'scale' must be a finite number > 0, "
                             f"received {value!r}")
    return float(value)


def _describe_feature_entries(described: Any, folder: Path) -> list[dict[str, Any]]:
    if not isinstance(described, list) or not described:
        raise ModelLoadError(f"{folder / INFO_FILE}: 'features' must be a non-empty list of feature extractors, "
                             f"received {described!r}")
    names = []
    for entry in described:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not re.fullmatch(_FEATURE_NAME, entry["name"]):
            raise ModelLoadError(f"{folder / INFO_FILE}: each feature must be a mapping with a 'name' "
                                 f"(letters, digits, _), received {entry!r}"[:500])
        if entry.get("kind") not in ("tfidf", "rules"):
            raise ModelLoadError(f"{folder / INFO_FILE}: unknown feature kind {entry.get('kind')!r}; expected 'tfidf' or 'rules'")
        names.append(entry["name"])
    if len(set(names)) != len(names):
        raise ModelLoadError(f"{folder / INFO_FILE}: feature names repeat: {names}")
    return described


def _read_vocabularies(reader: _FolderReader, described: list[dict[str, Any]]) -> dict[str, list[str]]:
    vocabularies = {}
    for entry in described:
        if entry["kind"] != "tfidf":
            continue
        name = entry.get("vocabulary")
        if not isinstance(name, str):
            raise ModelLoadError(f"{reader.folder}: vocabulary file of feature {entry['name']!r} is missing")
        terms = reader.read_json(name, list, "vocabulary")
        if not all(isinstance(t, str) for t in terms):
            raise ModelLoadError(f"{reader.folder / name}: expected a JSON list of strings")
        if len(set(terms)) != len(terms):
            raise ModelLoadError(f"{reader.folder / name}: the vocabulary repeats terms")
        vocabularies[entry["name"]] = terms
    return vocabularies


def _build_features(described: list[dict[str, Any]], vocabularies: dict[str, list[str]],
                    arrays: dict[str, np.ndarray], folder: Path, taxonomy: dict) -> list:
    from sklearn.feature_extraction.text import TfidfVectorizer

    functions = _trusted_functions()
    features = []
    for entry in described:
        name, kind = entry["name"], entry["kind"]
        if kind == "rules":
            features.append((name, RuleFeatures(taxonomy, scale=_checked_scale(entry.get("scale"), name, folder)).fit([])))
            continue
        params = _checked_tfidf_params(entry.get("params"), name, folder)
        for key in ("preprocessor", "tokenizer"):
            if params.get(key) is not None:
                params[key] = functions[params[key]]
        params["ngram_range"] = tuple(params["ngram_range"])
        params["dtype"] = np.float32 if params.get("dtype") == "float32" else np.float64
        vectorizer = TfidfVectorizer(token_pattern=None if params.get("tokenizer") else r"(?u)\b\w\w+\b", **params)
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(vocabularies[name])}
        vectorizer.idf_ = arrays[f"idf__{name}"]
        features.append((name, vectorizer))
    return features


def _checked_taxonomy(info: dict[str, Any], label_ids: list[str], folder: Path) -> dict[str, Any]:
    """The stored taxonomy, validated as a taxonomy file is (cue patterns included), naming the labels."""
    from ..config import ConfigError
    from .taxonomy import taxonomy_from_data

    taxonomy = info.get("taxonomy")
    if not isinstance(taxonomy, dict):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'taxonomy' must be a mapping with 'labels'")
    try:
        ids = list(taxonomy_from_data(taxonomy).ids)
    except (ConfigError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"{folder / INFO_FILE}: refusing to load; invalid taxonomy ({exc})") from exc
    if ids != label_ids:
        raise ModelLoadError(f"{folder / INFO_FILE}: 'label_ids' {label_ids} do not match the taxonomy's labels {ids}")
    return taxonomy


def load_model(path: Union[str, os.PathLike, None] = None) -> ModelState:
    """Read a model folder written by :func:`save_model` into a checked :class:`ModelState`.

    The folder's files are read through one directory handle, so a save that
    swaps a new folder in meanwhile never yields a mix of the two; the load
    then starts again on the new folder.

    Raises
    ------
    ModelLoadError
        If the folder or a file is missing, corrupted, too large, a symbolic
        link or special file, written by an incompatible format version, names
        untrusted functions or unsafe patterns, or its parts do not fit together.
    """
    folder = Path(path) if path is not None else default_model_dir()
    for attempt in range(_LOAD_ATTEMPTS):
        with _FolderReader(folder) as reader:
            try:
                return _load_state(reader)
            except ModelLoadError:
                if attempt + 1 < _LOAD_ATTEMPTS and reader.replaced():
                    logger.debug("%s was replaced while it was read; reading the new folder", folder)
                    continue
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _load_state(reader: _FolderReader) -> ModelState:
    folder = reader.folder
    info = _read_info(reader)
    version = info.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelLoadError(
            f"{folder}: model format version {version!r} is not supported by this package "
            f"(expected {FORMAT_VERSION}); retrain with `nlp train` or install the package version that wrote it "
            f"({info.get('package_version', 'unknown')})"
        )
    label_ids = info.get("label_ids")
    if not isinstance(label_ids, list) or not label_ids or not all(isinstance(l, str) for l in label_ids):
        raise ModelLoadError(f"{folder / INFO_FILE}: incomplete model description: 'label_ids' must be a list of label-id strings")
    if len(set(label_ids)) != len(label_ids):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'label_ids' has duplicates: {label_ids}")
    thresholds = info.get("thresholds")
    if not isinstance(thresholds, list) or not all(isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t < 1 for t in thresholds):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'thresholds' must be a list of numbers between 0 and 1")
    if len(thresholds) != len(label_ids):
        raise ModelLoadError(f"{folder / INFO_FILE}: {len(thresholds)} thresholds do not fit {len(label_ids)} labels")
    output_form = info.get("output_form", "labels")  # folders written before output forms existed answer with labels
    if output_form not in OUTPUT_FORMS:
        raise choice_error(f"{folder / INFO_FILE}: 'output_form'", output_form, OUTPUT_FORMS, ModelLoadError)
    params = info.get("params")
    if not isinstance(params, dict):
        raise ModelLoadError(f"{folder / INFO_FILE}: 'params' must be a mapping of the estimator's parameters; "
                             "retrain with `nlp train`")
    n_train = info.get("n_train", 0)
    if not isinstance(n_train, int) or isinstance(n_train, bool) or n_train < 0:
        raise ModelLoadError(f"{folder / INFO_FILE}: 'n_train' must be an integer >= 0, received {n_train!r}")
    taxonomy = _checked_taxonomy(info, label_ids, folder)
    described = _describe_feature_entries(info.get("features"), folder)
    vocabularies = _read_vocabularies(reader, described)
    n_labels = len(label_ids)
    n_columns = sum(len(vocabularies[e["name"]]) if e["kind"] == "tfidf" else n_labels for e in described)
    expected = {"coef": (n_labels, n_columns), "intercept": (n_labels,),
                **{f"idf__{name}": (len(terms),) for name, terms in vocabularies.items()}}
    arrays = _load_arrays(reader, expected)
    try:
        features = _build_features(described, vocabularies, arrays, folder, taxonomy)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelLoadError(f"{folder / INFO_FILE}: incomplete or inconsistent model description ({type(exc).__name__}: {exc})") from exc
    if n_features(features) != n_columns:
        raise ModelLoadError(f"{folder}: weights of shape {arrays['coef'].shape} do not fit {n_labels} labels x "
                             f"{n_features(features)} features")
    return ModelState(params=dict(params), label_ids=list(label_ids), thresholds=np.asarray(thresholds, dtype=float),
                      taxonomy=taxonomy, features=features, coef=arrays["coef"], intercept=arrays["intercept"],
                      n_train=n_train, output_form=output_form, info=info, folder=folder)


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
                 "reports": "realistic reports held out of training", "dev": "development set (other provinces)"}
        for name, values in metrics.items():
            ci = values.get("macro_f1_ci") or []
            ci_text = f"[{ci[0]:.3f}, {ci[1]:.3f}]" if len(ci) == 2 else "n/a"
            lines.append(f"| {names.get(name, name)} | {values.get('micro_f1', float('nan')):.3f} | "
                         f"{values.get('macro_f1', float('nan')):.3f} | {ci_text} |")
    else:
        lines.append("not recorded")
    lines += ["", "Regenerate with `nlp train --config configs/classifier.yaml`.", ""]
    return "\n".join(lines)
