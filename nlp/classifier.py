"""The policy-area classifier: label each paragraph with zero or more of five areas.

The model is trained on *clauses* (sentences, or phrases between semicolons)
because the annotation guide labels a paragraph when at least one of its
clauses substantively reports work in an area. At prediction time a paragraph
is split into clauses, each clause is scored, and a label's paragraph
probability is the largest clause probability. Per-label decision thresholds
are chosen by cross-validation across districts inside the training data.

The learned part is a one-vs-rest logistic regression over character and
jieba-word TF-IDF n-grams; the taxonomy's cue-term rules can be blended in
(``rules="blend"``) or given as features (``rules="features"``).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Sequence, Union

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from .features import build_features, n_features
from .labels import Taxonomy, default_taxonomy, taxonomy_from_data
from .rules import rule_hits, split_clauses

__all__ = ["PolicyClassifier", "UNITS", "RULE_MODES", "choose_thresholds", "to_indicator"]

logger = logging.getLogger(__name__)

UNITS = ("clause", "paragraph")
RULE_MODES = ("none", "features", "blend")
_THRESHOLD_MODES = ("cv", "fixed")


def to_indicator(labels: Sequence[Sequence[str]] | np.ndarray, label_ids: Sequence[str]) -> np.ndarray:
    """Label lists -> 0/1 matrix in ``label_ids`` order (a matrix is checked and passed through)."""
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        if labels.shape[1] != len(label_ids):
            raise ValueError(f"expected an indicator matrix with {len(label_ids)} columns, received shape {labels.shape}")
        return labels.astype(int)
    index = {label: j for j, label in enumerate(label_ids)}
    out = np.zeros((len(labels), len(label_ids)), dtype=int)
    for i, row in enumerate(labels):
        if isinstance(row, str):
            raise TypeError(f"expected a list of label ids per example, received the string {row!r}")
        for label in row:
            if label not in index:
                raise ValueError(f"unknown label {label!r}; valid labels are {list(label_ids)}")
            out[i, index[label]] = 1
    return out


# Paragraphs scored per batch: bounds memory and is the unit of parallel work.
_CHUNK = 2000


def _effective_jobs(n_jobs: int | None) -> int:
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs: expected a positive integer or -1, received 0")
    return n_jobs


def _proba_chunks(classifier: "PolicyClassifier", chunks: list[list[str]]) -> np.ndarray:
    return np.vstack([classifier._proba_chunk(texts) for texts in chunks])


def _linear_heads(ovr: OneVsRestClassifier, n_labels: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and intercepts of a fitted one-vs-rest logistic regression, one row per label.

    A label that was constant in training (all 0 or all 1) gets zero weights and
    an intercept that saturates the logistic function.
    """
    coef = np.zeros((n_labels, n_features))
    intercept = np.zeros(n_labels)
    for j, estimator in enumerate(ovr.estimators_):
        if hasattr(estimator, "coef_"):
            coef[j] = np.ravel(estimator.coef_)
            intercept[j] = float(np.ravel(estimator.intercept_)[0])
        else:  # sklearn's _ConstantPredictor
            intercept[j] = 30.0 if float(np.ravel(estimator.y_)[0]) > 0.5 else -30.0
    return coef, intercept


def choose_thresholds(proba: np.ndarray, y_true: np.ndarray, step: float = 0.05) -> np.ndarray:
    """Per label, the threshold on a grid that maximises F1; ties go to the one nearest 0.5.

    A label with no positive example keeps 0.5.
    """
    grid = np.round(np.arange(step, 1.0, step), 6)
    thresholds = np.full(y_true.shape[1], 0.5)
    for j in range(y_true.shape[1]):
        truth = y_true[:, j].astype(bool)
        if not truth.any():
            continue
        best_f1, best = -1.0, 0.5
        for t in grid:
            pred = proba[:, j] >= t
            tp = np.sum(pred & truth)
            f1 = 2 * tp / (pred.sum() + truth.sum()) if (pred.sum() + truth.sum()) else 0.0
            if f1 > best_f1 + 1e-12 or (abs(f1 - best_f1) <= 1e-12 and abs(t - 0.5) < abs(best - 0.5)):
                best_f1, best = f1, float(t)
        thresholds[j] = best
    return thresholds


class PolicyClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label policy-area classifier for report paragraphs.

    Parameters
    ----------
    taxonomy : Taxonomy or dict, optional
        The labels; the annotation guide's five areas by default.
    unit : {"clause", "paragraph"}
        What the training examples are. With ``"clause"`` a paragraph's
        probability is the maximum over its clauses.
    analyzer : {"char", "word", "char+word"}
        TF-IDF features: character n-grams, jieba word n-grams, or both.
    char_ngrams, word_ngrams : tuple of int
        n-gram ranges.
    rules : {"none", "features", "blend"}
        How the cue-term rules take part.
    rule_weight : float
        With ``rules="blend"``: probability = (1 - w) * model + w * rule hit.
    C : float
        Inverse regularisation strength of the logistic regressions.
    thresholds : {"cv", "fixed"}
        ``"cv"``: per-label thresholds maximising F1 on out-of-fold
        predictions, leaving one group (district) out at a time inside the
        training data; ``"fixed"``: ``threshold`` for every label.
    threshold : float
        The fixed threshold, and the fallback when fewer than two groups are given.
    random_state : int

    Examples
    --------
    >>> clf = PolicyClassifier.load()                                   # doctest: +SKIP
    >>> clf.predict(["全区行政复议收案845件，纠错率12%。", "召开党组会议。"])  # doctest: +SKIP
    [['administrative_review'], []]
    """

    def __init__(self, taxonomy: Taxonomy | dict | None = None, unit: str = "clause", analyzer: str = "char+word",
                 char_ngrams: tuple[int, int] = (1, 3), word_ngrams: tuple[int, int] = (1, 2), rules: str = "blend",
                 rule_weight: float = 0.5, C: float = 10.0, thresholds: str = "cv", threshold: float = 0.5,
                 random_state: int = 0) -> None:
        self.taxonomy = taxonomy
        self.unit = unit
        self.analyzer = analyzer
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.rules = rules
        self.rule_weight = rule_weight
        self.C = C
        self.thresholds = thresholds
        self.threshold = threshold
        self.random_state = random_state

    # -- fitting -----------------------------------------------------------

    def _validate_params(self) -> None:
        for name, value, choices in (("unit", self.unit, UNITS), ("rules", self.rules, RULE_MODES),
                                     ("thresholds", self.thresholds, _THRESHOLD_MODES)):
            if value not in choices:
                raise ValueError(f"{name}: expected one of {list(choices)}, received {value!r}")
        if not 0.0 <= float(self.rule_weight) <= 1.0:
            raise ValueError(f"rule_weight: expected a number in [0, 1], received {self.rule_weight!r}")
        if not 0.0 < float(self.threshold) < 1.0:
            raise ValueError(f"threshold: expected a number in (0, 1), received {self.threshold!r}")
        if float(self.C) <= 0:
            raise ValueError(f"C: expected a number > 0, received {self.C!r}")

    def _taxonomy(self) -> Taxonomy:
        if self.taxonomy is None:
            return default_taxonomy()
        if isinstance(self.taxonomy, Taxonomy):
            return self.taxonomy
        return Taxonomy.from_dict(self.taxonomy, "<classifier taxonomy>")

    def _make_pipeline(self, taxonomy_dict: dict) -> Pipeline:
        features = build_features(self.analyzer, tuple(self.char_ngrams), tuple(self.word_ngrams),
                                  rules=taxonomy_dict if self.rules == "features" else None)
        model = OneVsRestClassifier(LogisticRegression(C=float(self.C), class_weight="balanced", solver="liblinear", max_iter=5000,
                                                       random_state=self.random_state))
        return Pipeline([("features", features), ("model", model)])

    def fit(self, X: Sequence[str], y, groups: Sequence[Any] | None = None) -> "PolicyClassifier":
        """Fit on training units (clauses or paragraphs, per ``unit``).

        Parameters
        ----------
        X : sequence of str
            Training texts.
        y : list of label-id lists, or an indicator matrix
            Gold labels per text.
        groups : sequence, optional
            Group of each text (district) for choosing thresholds by
            leave-one-group-out; without groups the fixed threshold is used.
        """
        self._validate_params()
        texts = [str(t) for t in X]
        taxonomy = self._taxonomy()
        self.label_ids_ = list(taxonomy.ids)
        self.taxonomy_ = taxonomy.to_dict()
        Y = to_indicator(y, self.label_ids_)
        if len(texts) != len(Y):
            raise ValueError(f"X and y: expected the same length, received {len(texts)} and {len(Y)}")
        if len(texts) < 2:
            raise ValueError(f"X: expected at least 2 training texts, received {len(texts)}")
        self.features_, self.coef_, self.intercept_ = self._fit_parts(texts, Y)
        self.thresholds_ = np.full(len(self.label_ids_), float(self.threshold))
        if self.thresholds == "cv":
            if groups is not None and len({g for g in groups if g is not None}) >= 2:
                oof, scored = self._out_of_fold(texts, Y, list(groups))
                self.thresholds_ = choose_thresholds(oof[scored], Y[scored])
            else:
                logger.warning("thresholds='cv' needs at least two groups; using the fixed threshold %.2f", self.threshold)
        self.n_train_ = len(texts)
        return self

    def _out_of_fold(self, texts: list[str], Y: np.ndarray, groups: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        oof = np.zeros(Y.shape, dtype=float)
        groups_arr = np.array(groups, dtype=object)
        # Texts whose group is None (for example hand-written guide examples)
        # are always in the training part and never scored.
        scored = np.array([g is not None for g in groups])
        for group in sorted({g for g in groups if g is not None}, key=str):
            test = groups_arr == group
            train_idx = np.flatnonzero(~test)
            parts = self._fit_parts([texts[i] for i in train_idx], Y[train_idx])
            oof[test] = self._unit_proba([texts[i] for i in np.flatnonzero(test)], parts)
        return oof, scored

    # -- prediction ----------------------------------------------------------

    def _fit_parts(self, texts: list[str], Y: np.ndarray) -> tuple[list, np.ndarray, np.ndarray]:
        """Fit features and one-vs-rest heads; keep the features and the linear weights only."""
        pipeline = self._make_pipeline(self.taxonomy_).fit(texts, Y)
        features = list(pipeline.named_steps["features"].transformer_list)
        coef, intercept = _linear_heads(pipeline.named_steps["model"], len(self.label_ids_), n_features(features))
        return features, coef, intercept

    def _unit_proba(self, units: list[str], parts: tuple | None = None) -> np.ndarray:
        features, coef, intercept = parts if parts is not None else (self.features_, self.coef_, self.intercept_)
        if not units:
            return np.zeros((0, len(self.label_ids_)))
        X = sparse.hstack([transformer.transform(units) for _, transformer in features], format="csr")
        proba = expit(np.asarray(X @ coef.T) + intercept)
        if self.rules == "blend":
            hits = (rule_hits(units, taxonomy_from_data(self.taxonomy_)) > 0).astype(float)
            w = float(self.rule_weight)
            proba = (1.0 - w) * proba + w * hits
        return proba

    def _paragraph_proba(self, paragraphs: Sequence[str], n_jobs: int | None = None,
                         progress: bool | None = None) -> np.ndarray:
        check_is_fitted(self, "coef_")
        if isinstance(paragraphs, str):
            raise TypeError("expected a sequence of paragraph strings, received a single string; wrap it in a list")
        if paragraphs is None or isinstance(paragraphs, (bytes, bytearray, pd.DataFrame, dict)) or not hasattr(paragraphs, "__iter__"):
            hint = "; pass the text column, e.g. frame['text']" if isinstance(paragraphs, pd.DataFrame) else ""
            raise TypeError(f"expected a sequence of paragraph strings, received {type(paragraphs).__name__}{hint}")
        texts = ["" if t is None else str(t) for t in paragraphs]
        if len(texts) <= _CHUNK:
            return self._proba_chunk(texts)
        chunks = [texts[i:i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
        show = len(chunks) >= 4 if progress is None else progress
        n_jobs = _effective_jobs(n_jobs)
        if n_jobs == 1:
            parts = [self._proba_chunk(c) for c in tqdm(chunks, desc="classifying", unit="chunk", disable=not show)]
            return np.vstack(parts)
        from joblib import Parallel, delayed

        # One contiguous block of chunks per worker, so each process starts and
        # receives the model once; blocks come back in order, so the result is
        # identical to the serial one.
        n_blocks = min(n_jobs, len(chunks))
        bounds = np.linspace(0, len(chunks), n_blocks + 1).astype(int)
        blocks = [chunks[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        parts = Parallel(n_jobs=n_blocks, backend="loky")(
            delayed(_proba_chunks)(self, block) for block in tqdm(blocks, desc="classifying", unit="block", disable=not show))
        return np.vstack(parts)

    def _proba_chunk(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.label_ids_)))
        if self.unit == "paragraph":
            live = [i for i, t in enumerate(texts) if t.strip()]
            if live:
                out[live] = self._unit_proba([texts[i] for i in live])
            return out
        units: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            if not text.strip():
                continue  # empty text: no label, probability 0
            clauses = split_clauses(text) or [text]
            units.extend(clauses)
            owner.extend([i] * len(clauses))
        if units:
            np.maximum.at(out, np.array(owner), self._unit_proba(units))
        return out

    def predict_proba(self, paragraphs: Sequence[str], n_jobs: int | None = None,
                      progress: bool | None = None) -> pd.DataFrame:
        """One row per paragraph, one probability column per label id.

        ``n_jobs`` > 1 (or -1 for all cores) splits large inputs over processes;
        the result is identical to a single process.
        """
        check_is_fitted(self, "coef_")
        return pd.DataFrame(self._paragraph_proba(paragraphs, n_jobs, progress), columns=self.label_ids_)

    def predict_indicator(self, paragraphs: Sequence[str], n_jobs: int | None = None,
                          progress: bool | None = None) -> np.ndarray:
        """0/1 matrix (paragraphs x labels) after the per-label thresholds."""
        check_is_fitted(self, "coef_")
        return (self._paragraph_proba(paragraphs, n_jobs, progress) >= self.thresholds_).astype(int)

    def predict(self, paragraphs: Sequence[str], n_jobs: int | None = None,
                progress: bool | None = None) -> list[list[str]]:
        """Label ids per paragraph, in the taxonomy's order; ``[]`` for none.

        Parameters
        ----------
        paragraphs : sequence of str
        n_jobs : int, optional
            Processes for large inputs (``-1``: all cores); results are
            identical to ``n_jobs=1``.
        progress : bool, optional
            Progress bar; by default shown for inputs of several chunks.
        """
        indicator = self.predict_indicator(paragraphs, n_jobs, progress)
        return [[self.label_ids_[j] for j in np.flatnonzero(row)] for row in indicator]

    def classify_report(self, path_or_text: Union[str, os.PathLike, bytes]) -> pd.DataFrame:
        """Read a new report and label every paragraph.

        Returns a DataFrame with ``para_id``, the heading columns,
        ``section_role``, ``text``, ``labels`` and one probability column
        per label id.
        """
        from .corpus import read_report

        report = read_report(path_or_text)
        paragraphs = report.paragraphs
        columns = ["para_id", "heading_1", "heading_2", "heading_3", "heading_path", "section_role", "text"]
        frame = paragraphs[columns].reset_index(drop=True).copy()
        proba = self._paragraph_proba(frame["text"].tolist())
        frame["labels"] = [[self.label_ids_[j] for j in np.flatnonzero(row >= self.thresholds_)] for row in proba]
        for j, label in enumerate(self.label_ids_):
            frame[label] = proba[:, j] if len(frame) else pd.Series(dtype=float)
        return frame

    # -- persistence -----------------------------------------------------------

    def save(self, path: Union[str, os.PathLike], metadata: dict | None = None) -> Path:
        """Write the model to a folder (JSON + NumPy arrays, no pickle). See :mod:`nlp.model_io`."""
        from .model_io import save_classifier

        return save_classifier(self, path, metadata or {})

    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None) -> "PolicyClassifier":
        """Load a saved model; the shipped default from ``models/`` when ``path`` is None."""
        from .model_io import load_classifier

        return load_classifier(path)
