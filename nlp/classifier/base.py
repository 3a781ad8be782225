"""What every paragraph classifier of the package shares: inputs, output forms, score.

:class:`~nlp.classifier.estimator.PolicyClassifier` and
:class:`~nlp.classifier.rules.KeywordLabeler` both derive from
:class:`MultiLabelTextClassifier`, so they take the same inputs and answer in the
same forms:

* ``X``: a sequence of paragraph strings (list, tuple, 1-D array or a pandas
  Series); a DataFrame is refused with a message that names the text column
  to pass.
* ``y``: label-id lists (``[["mediation"], []]``) or a 0/1 indicator matrix in
  :attr:`classes_` order, which is what scikit-learn's multi-label metrics take.
* :meth:`predict` answers in the form ``y`` was given to ``fit``, so
  ``cross_val_score(clf, X, Y, scoring="f1_macro")`` and ``GridSearchCV`` work
  with an indicator matrix while label lists stay the everyday form;
  :meth:`predict_labels` and :meth:`predict_indicator` name each form.
* :meth:`predict_proba` returns a DataFrame with one column per label, indexed
  like a Series input.
* :meth:`score` is macro-F1 over the labels (the project's headline metric, as
  ``shared/tools/score_dev.py`` computes it), not subset accuracy.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .metrics import f1_scores
from .taxonomy import is_indicator, labels_from_indicator, to_indicator

__all__ = ["OUTPUT_FORMS", "MultiLabelTextClassifier", "as_texts"]

# How predict answers: label-id lists, or a 0/1 matrix (the form y had in fit).
OUTPUT_FORMS = ("labels", "indicator")


def as_texts(X: Any, what: str = "X") -> tuple[list[str], pd.Index | None]:
    """Paragraph texts from a sequence of strings, and the index of a Series.

    ``None`` entries become empty strings (no label). A DataFrame, a single
    string, bytes or a mapping raise ``TypeError`` saying what to pass.
    """
    if isinstance(X, str):
        raise TypeError(f"{what}: expected a sequence of paragraph strings, received a single string; wrap it in a list")
    if isinstance(X, pd.DataFrame):
        text_columns = [c for c in X.columns if X[c].dtype == object]
        column = "text" if "text" in X.columns else (text_columns[0] if text_columns else None)
        hint = f"; pass one column, e.g. frame[{column!r}]" if column is not None else "; pass a column of paragraph strings"
        raise TypeError(f"{what}: expected a sequence of paragraph strings, received a DataFrame{hint}")
    if X is None or isinstance(X, (bytes, bytearray, dict)) or not hasattr(X, "__iter__"):
        raise TypeError(f"{what}: expected a sequence of paragraph strings, received {type(X).__name__}")
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise TypeError(f"{what}: expected a 1-D sequence of paragraph strings, received an array of shape {X.shape}")
    index = X.index if isinstance(X, pd.Series) else None
    return ["" if t is None else str(t) for t in X], index


class MultiLabelTextClassifier(ClassifierMixin):
    """Shared multi-label behaviour; subclasses provide the scores and thresholds.

    A subclass's ``fit`` calls :meth:`_set_targets` (which sets ``classes_``,
    ``label_ids_`` and ``output_form_``) and must implement
    ``_scores(texts) -> ndarray (n, n_labels)`` and ``_decide(scores) -> 0/1 ndarray``.
    """

    def _set_targets(self, y: Any, label_ids: Sequence[str]) -> np.ndarray:
        """Validate ``y`` against the labels, remember its form, return the indicator matrix."""
        self.label_ids_ = list(label_ids)
        self.classes_ = np.array(self.label_ids_, dtype=object)
        self.output_form_ = "indicator" if is_indicator(y) else "labels"
        return to_indicator(y, self.label_ids_)

    def _scores(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _decide(self, scores: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict_proba(self, X: Sequence[str]) -> pd.DataFrame:
        """One row per paragraph, one probability column per label id.

        The index is the index of a Series input, else 0..n-1.
        """
        check_is_fitted(self, "label_ids_")
        texts, index = as_texts(X)
        return pd.DataFrame(self._scores(texts), columns=self.label_ids_, index=index)

    def predict_indicator(self, X: Sequence[str]) -> np.ndarray:
        """0/1 matrix, paragraphs x labels (columns in :attr:`classes_` order)."""
        check_is_fitted(self, "label_ids_")
        texts, _ = as_texts(X)
        return self._decide(self._scores(texts)).astype(int)

    def predict_labels(self, X: Sequence[str]) -> list[list[str]]:
        """Label ids per paragraph in taxonomy order; ``[]`` for none."""
        return labels_from_indicator(self.predict_indicator(X), self.label_ids_)

    def predict(self, X: Sequence[str]):
        """Labels in the form ``y`` had in ``fit``: label-id lists, or a 0/1 matrix."""
        check_is_fitted(self, "label_ids_")
        if getattr(self, "output_form_", "labels") == "indicator":
            return self.predict_indicator(X)
        return self.predict_labels(X)

    def score(self, X: Sequence[str], y: Any, sample_weight: Any = None) -> float:
        """Macro-F1 over the labels (``y``: label-id lists or an indicator matrix).

        Macro-F1, not scikit-learn's default subset accuracy: it is the metric
        every evaluation of this package reports. ``sample_weight`` is not
        supported.
        """
        if sample_weight is not None:
            raise ValueError("sample_weight: not supported by this classifier's score; received a value")
        check_is_fitted(self, "label_ids_")
        truth = to_indicator(y, self.label_ids_)
        _, macro, _ = f1_scores(truth, self.predict_indicator(X))
        return macro
