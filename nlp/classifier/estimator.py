"""The policy-area classifier: label each paragraph with zero or more of five areas.

The model is trained on *clauses* (sentences, or phrases between semicolons)
because the annotation guide labels a paragraph when at least one of its
clauses substantively reports work in an area. At prediction time a paragraph
is split into clauses, each clause is scored, and a label's paragraph
probability is the largest clause probability (``unit="clause"``), or the
paragraph is scored whole (``unit="paragraph"``), or both are averaged
(``unit="clause+paragraph"``).

The learned part is a one-vs-rest logistic regression over character and
jieba-word TF-IDF n-grams; the taxonomy's cue-term rules can be blended in
(``rules="blend"``) or given as features (``rules="features"``). Decision
thresholds are one flat ``threshold`` or, with ``thresholds="cv"``, chosen per
label on out-of-fold predictions over the ``groups`` given to ``fit``.

The estimator follows scikit-learn's contract (``get_params``/``set_params``,
``clone``, ``NotFittedError``, learned attributes ending in ``_``) and the
input/output rules of :mod:`nlp.classifier.base`. Saving and loading go through
:mod:`nlp.classifier.persistence`, which handles plain data only.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence, Union

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from ..checks import check_choice
from ..config import ConfigError
from .base import MultiLabelTextClassifier, as_texts
from .features import ANALYZERS, build_features, n_features
from .rules import rule_hits, split_clauses
from .taxonomy import Taxonomy, default_taxonomy, labels_from_indicator, taxonomy_from_data
from .thresholds import choose_thresholds

if TYPE_CHECKING:  # only for the annotation of classify_report; the reading layer is imported when called
    from ..corpus import Report

__all__ = ["PolicyClassifier", "UNITS", "RULE_MODES", "THRESHOLD_MODES", "ANALYZERS"]

logger = logging.getLogger(__name__)

UNITS = ("clause", "paragraph", "clause+paragraph")
RULE_MODES = ("none", "features", "blend")
THRESHOLD_MODES = ("cv", "fixed")

# Paragraphs scored per batch: bounds memory and is the unit of parallel work.
_CHUNK = 2000
# Groups a "cv" threshold search folds over at most (districts, writer batches):
# more folds cost fits without changing the chosen thresholds much.
_MAX_THRESHOLD_FOLDS = 5


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


def _linear_heads(ovr: OneVsRestClassifier, n_labels: int, n_columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and intercepts of a fitted one-vs-rest logistic regression, one row per label.

    A label that was constant in training (all 0 or all 1) gets zero weights and
    an intercept that saturates the logistic function.
    """
    coef = np.zeros((n_labels, n_columns))
    intercept = np.zeros(n_labels)
    for j, estimator in enumerate(ovr.estimators_):
        if hasattr(estimator, "coef_"):
            coef[j] = np.ravel(estimator.coef_)
            intercept[j] = float(np.ravel(estimator.intercept_)[0])
        else:  # sklearn's _ConstantPredictor
            intercept[j] = 30.0 if float(np.ravel(estimator.y_)[0]) > 0.5 else -30.0
    return coef, intercept


class PolicyClassifier(MultiLabelTextClassifier, BaseEstimator):
    """Multi-label policy-area classifier for report paragraphs.

    Parameters
    ----------
    taxonomy : Taxonomy or dict, optional
        The labels; the annotation guide's five areas by default.
    unit : {"clause", "paragraph", "clause+paragraph"}
        ``"clause"``: a paragraph's probability is the maximum over its
        clauses, each scored by the model. ``"paragraph"``: the paragraph is
        scored whole. ``"clause+paragraph"``: the mean of the two. Training
        texts are used as given (clauses, paragraphs, or both).
    analyzer : {"char", "word", "char+word"}
        TF-IDF features: character n-grams, jieba word n-grams, or both.
    char_ngrams, word_ngrams : tuple of int
        n-gram ranges.
    min_df : int
        Minimum document frequency of an n-gram.
    rules : {"none", "features", "blend"}
        How the cue-term rules take part.
    rule_weight : float
        With ``rules="blend"``: probability = (1 - w) * model + w * rule hit.
    C : float
        Inverse regularisation strength of the logistic regressions.
    class_weight : {"balanced", None}
        Class weights of each one-vs-rest logistic regression.
    thresholds : {"fixed", "cv"}
        ``"fixed"``: ``threshold`` for every label. ``"cv"``: per-label
        thresholds maximising F1 on out-of-fold predictions over ``groups``
        (at most five folds of whole groups).
    threshold : float
        The fixed threshold, and the fallback when fewer than two groups are given.
    random_state : int
    n_jobs : int, optional
        Processes for predicting large inputs (``-1``: all cores); results are
        identical to one process.

    Attributes
    ----------
    classes_ : ndarray of str
        Label ids, the columns of indicator outputs.
    thresholds_ : ndarray
        The decision threshold of each label.
    coef_, intercept_ : ndarray
        Linear weights over :attr:`features_`, one row per label.
    features_ : list of (name, transformer)
        The fitted feature extractors.

    Examples
    --------
    >>> clf = PolicyClassifier.load()
    >>> clf.predict(["全区共收到行政复议申请186件，审结151件，直接纠错率11.3%。", "召开党组会议，传达学习会议精神。"])
    [['administrative_review'], []]
    """

    def __init__(self, taxonomy: Taxonomy | dict | None = None, unit: str = "clause", analyzer: str = "char",
                 char_ngrams: tuple[int, int] = (1, 3), word_ngrams: tuple[int, int] = (1, 2), min_df: int = 1,
                 rules: str = "none", rule_weight: float = 0.1, C: float = 10.0, class_weight: str | None = "balanced",
                 thresholds: str = "fixed", threshold: float = 0.6, random_state: int = 0,
                 n_jobs: int | None = None) -> None:
        self.taxonomy = taxonomy
        self.unit = unit
        self.analyzer = analyzer
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.min_df = min_df
        self.rules = rules
        self.rule_weight = rule_weight
        self.C = C
        self.class_weight = class_weight
        self.thresholds = thresholds
        self.threshold = threshold
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- fitting -----------------------------------------------------------

    def _validate_params(self) -> None:
        check_choice("unit", self.unit, UNITS)
        check_choice("analyzer", self.analyzer, ANALYZERS)
        check_choice("rules", self.rules, RULE_MODES)
        check_choice("thresholds", self.thresholds, THRESHOLD_MODES)
        check_choice("class_weight", self.class_weight, ("balanced", None))
        for name in ("char_ngrams", "word_ngrams"):
            value = getattr(self, name)
            if (not isinstance(value, (tuple, list)) or len(value) != 2
                    or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in value)
                    or not 1 <= value[0] <= value[1] <= 10):
                raise ValueError(f"{name}: expected two integers (low, high) with 1 <= low <= high <= 10, received {value!r}")
        if not isinstance(self.min_df, (int, np.integer)) or isinstance(self.min_df, bool) or self.min_df < 1:
            raise ValueError(f"min_df: expected an integer >= 1, received {self.min_df!r}")
        for name, low, high, closed in (("rule_weight", 0.0, 1.0, True), ("threshold", 0.0, 1.0, False)):
            value = getattr(self, name)
            ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and np.isfinite(value)
            ok = ok and ((low <= value <= high) if closed else (low < value < high))
            if not ok:
                bounds = f"[{low}, {high}]" if closed else f"({low}, {high})"
                raise ValueError(f"{name}: expected a number in {bounds}, received {value!r}")
        if not (isinstance(self.C, (int, float, np.number)) and not isinstance(self.C, bool)
                and np.isfinite(self.C) and self.C > 0):
            raise ValueError(f"C: expected a finite number > 0, received {self.C!r}")

    def _taxonomy(self) -> Taxonomy:
        if self.taxonomy is None:
            return default_taxonomy()
        if isinstance(self.taxonomy, Taxonomy):
            return self.taxonomy
        if isinstance(self.taxonomy, dict):
            return Taxonomy.from_dict(self.taxonomy, "<classifier taxonomy>")
        raise TypeError(f"taxonomy: expected a Taxonomy, a dict or None, received {type(self.taxonomy).__name__}")

    def _make_pipeline(self, taxonomy_dict: dict) -> Pipeline:
        features = build_features(self.analyzer, tuple(self.char_ngrams), tuple(self.word_ngrams),
                                  rules=taxonomy_dict if self.rules == "features" else None, min_df=int(self.min_df))
        model = OneVsRestClassifier(LogisticRegression(C=float(self.C), class_weight=self.class_weight, solver="liblinear",
                                                       max_iter=5000, random_state=self.random_state))
        return Pipeline([("features", features), ("model", model)])

    def fit(self, X: Sequence[str], y: Any, groups: Sequence[Any] | None = None) -> "PolicyClassifier":
        """Fit on training texts (clauses, paragraphs, or both).

        Parameters
        ----------
        X : sequence of str
            Training texts (a list or a pandas Series; for a DataFrame pass its
            text column).
        y : list of label-id lists, or an indicator matrix
            Gold labels per text; :meth:`predict` answers in the same form.
        groups : sequence, optional
            Group of each text (district, writer batch) for
            ``thresholds="cv"``; ``None`` entries are always trained on and
            never scored. Ignored with fixed thresholds.

        Returns
        -------
        self
        """
        self._validate_params()
        texts, _ = as_texts(X)
        taxonomy = self._taxonomy()
        Y = self._set_targets(y, taxonomy.ids)
        self.taxonomy_ = taxonomy.to_dict()
        if len(texts) != len(Y):
            raise ValueError(f"X and y: expected the same length, received {len(texts)} and {len(Y)}")
        if len(texts) < 2:
            raise ValueError(f"X: expected at least 2 training texts, received {len(texts)}")
        if groups is not None and len(groups) != len(texts):
            raise ValueError(f"groups: expected one group per text ({len(texts)}), received {len(groups)}")
        self.features_, self.coef_, self.intercept_ = self._fit_parts(texts, Y)
        self.thresholds_ = np.full(len(self.label_ids_), float(self.threshold))
        if self.thresholds == "cv":
            known = {g for g in groups if g is not None} if groups is not None else set()
            if len(known) >= 2:
                oof, scored = self._out_of_fold(texts, Y, list(groups))
                self.thresholds_ = choose_thresholds(oof[scored], Y[scored], default=float(self.threshold))
            else:
                logger.warning("thresholds='cv' needs at least two groups; using the fixed threshold %.2f", self.threshold)
        self.n_train_ = len(texts)
        return self

    def _out_of_fold(self, texts: list[str], Y: np.ndarray, groups: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Unit-level out-of-fold probabilities over at most five folds of whole groups."""
        oof = np.zeros(Y.shape, dtype=float)
        named = sorted({g for g in groups if g is not None}, key=str)
        fold_of = {g: i % _MAX_THRESHOLD_FOLDS for i, g in enumerate(named)}
        folds = np.array([fold_of.get(g, -1) if g is not None else -1 for g in groups])
        # Texts whose group is None (for example hand-written guide examples)
        # are always in the training part and never scored.
        for fold in sorted(set(folds) - {-1}):
            test = folds == fold
            train_idx = np.flatnonzero(~test)
            parts = self._fit_parts([texts[i] for i in train_idx], Y[train_idx])
            oof[test] = self._unit_proba([texts[i] for i in np.flatnonzero(test)], parts)
        return oof, folds >= 0

    def _fit_parts(self, texts: list[str], Y: np.ndarray) -> tuple[list, np.ndarray, np.ndarray]:
        """Fit features and one-vs-rest heads; keep the features and the linear weights only."""
        pipeline = self._make_pipeline(self.taxonomy_).fit(texts, Y)
        features = list(pipeline.named_steps["features"].transformer_list)
        coef, intercept = _linear_heads(pipeline.named_steps["model"], len(self.label_ids_), n_features(features))
        return features, coef, intercept

    # -- prediction ----------------------------------------------------------

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

    def _scores(self, texts: list[str]) -> np.ndarray:
        """Paragraph probabilities, in chunks (and processes, with ``n_jobs``)."""
        check_is_fitted(self, "coef_")
        if len(texts) <= _CHUNK:
            return self._proba_chunk(texts)
        chunks = [texts[i:i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
        show = len(chunks) >= 4
        n_jobs = _effective_jobs(self.n_jobs)
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

    def _decide(self, scores: np.ndarray) -> np.ndarray:
        return scores >= self.thresholds_

    def _proba_chunk(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.label_ids_)))
        live = [i for i, t in enumerate(texts) if t.strip()]  # empty text: no label, probability 0
        if not live:
            return out
        if self.unit in ("paragraph", "clause+paragraph"):
            out[live] = self._unit_proba([texts[i] for i in live])
            if self.unit == "paragraph":
                return out
        clause_max = np.zeros_like(out)
        units: list[str] = []
        owner: list[int] = []
        for i in live:
            clauses = split_clauses(texts[i]) or [texts[i]]
            units.extend(clauses)
            owner.extend([i] * len(clauses))
        np.maximum.at(clause_max, np.array(owner), self._unit_proba(units))
        return clause_max if self.unit == "clause" else (out + clause_max) / 2.0

    def classify_report(self, path_or_text: Union[str, os.PathLike, bytes, "Report"]) -> pd.DataFrame:
        """Read a new report and label every paragraph.

        Returns a DataFrame with ``doc_id``, ``district``, ``year``,
        ``title``, ``para_id``, the heading columns, ``section_role``,
        ``text``, ``labels`` and one probability column per label id.

        Examples
        --------
        >>> frame = PolicyClassifier.load().classify_report("seeds/000_631c43eba3159a46.txt")  # doctest: +SKIP
        >>> frame[["para_id", "section_role", "labels"]].head()                                 # doctest: +SKIP
        """
        from ..corpus import Report, read_report

        # A Report already read (with a size limit or lenient decoding) is used as it is.
        report = path_or_text if isinstance(path_or_text, Report) else read_report(path_or_text)
        columns = ["doc_id", "district", "year", "para_id", "heading_1", "heading_2", "heading_3", "heading_path",
                   "section_role", "text"]
        frame = report.paragraphs[columns].reset_index(drop=True).copy()
        # Rows name their report, so tables of many reports can be concatenated and grouped.
        frame.insert(3, "title", pd.Series([report.metadata.title] * len(frame), dtype="object"))
        check_is_fitted(self, "coef_")
        proba = self._scores(frame["text"].tolist())
        frame["labels"] = labels_from_indicator(self._decide(proba), self.label_ids_)
        for j, label in enumerate(self.label_ids_):
            frame[label] = proba[:, j] if len(frame) else pd.Series(dtype=float)
        return frame

    # -- persistence -----------------------------------------------------------

    def save(self, path: Union[str, os.PathLike], metadata: dict | None = None) -> Path:
        """Write the model to a folder (JSON + NumPy arrays, no pickle).

        See :mod:`nlp.classifier.persistence` for the format.
        """
        from .persistence import ModelState, save_model

        check_is_fitted(self, "coef_")
        params = {k: v for k, v in self.get_params(deep=False).items() if k not in ("taxonomy", "n_jobs")}
        state = ModelState(params=params, label_ids=list(self.label_ids_), thresholds=self.thresholds_,
                           taxonomy=self.taxonomy_, features=self.features_, coef=self.coef_, intercept=self.intercept_,
                           n_train=int(self.n_train_), output_form=self.output_form_)
        return save_model(path, state, metadata or {})

    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None) -> "PolicyClassifier":
        """Load a saved model; the shipped default from ``models/`` when ``path`` is None.

        Raises
        ------
        nlp.classifier.persistence.ModelLoadError
            If the folder is missing, corrupted, of another format version or
            inconsistent.
        """
        from .persistence import ModelLoadError, load_model

        state = load_model(path)
        try:
            params = dict(state.params)
            for key in ("char_ngrams", "word_ngrams"):
                params[key] = tuple(params[key])
            classifier = cls(taxonomy=taxonomy_from_data(state.taxonomy), **params)
            classifier._validate_params()
        except (TypeError, ValueError, ConfigError) as exc:
            raise ModelLoadError(f"{state.folder}: invalid model parameters ({type(exc).__name__}: {exc}); "
                                 "retrain with `nlp train`") from exc
        classifier.label_ids_ = list(state.label_ids)
        classifier.classes_ = np.array(classifier.label_ids_, dtype=object)
        classifier.output_form_ = state.output_form
        classifier.taxonomy_ = state.taxonomy
        classifier.thresholds_ = np.asarray(state.thresholds, dtype=float)
        classifier.n_train_ = state.n_train
        classifier.features_ = state.features
        classifier.coef_ = state.coef
        classifier.intercept_ = state.intercept
        classifier.info_ = state.info
        return classifier
