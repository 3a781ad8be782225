"""The keyword labeler: cue terms from the taxonomy, applied clause by clause.

This is the weak-supervision baseline of the guide's rule ("a clause
substantively reports ... in that area"): a clause earns a label when it holds
one of the label's cues and none of its blockers (unless a strong cue is there
too). A paragraph's labels are the union over its clauses. The same clause hits
are also offered to the learned model as features (:func:`rule_hits`).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..segment import split_sentences
from ..tokenize import normalize
from .base import MultiLabelTextClassifier, as_texts
from .taxonomy import Taxonomy, default_taxonomy

__all__ = ["split_clauses", "clause_hits", "rule_hits", "KeywordLabeler"]

def split_clauses(text: str) -> list[str]:
    """The guide's unit for a label: sentences and phrases between semicolons.

    :func:`nlp.segment.split_sentences` already cuts after ；, so a clause is
    one of its pieces.
    """
    return split_sentences(text)


def clause_hits(clause: str, taxonomy: Taxonomy) -> np.ndarray:
    """0/1 per label: does this clause fire the label's cues?"""
    clause = normalize(clause)
    hits = np.zeros(len(taxonomy), dtype=np.int8)
    for j, label in enumerate(taxonomy.labels):
        cues = label.pattern("cues")
        if cues is None or not cues.search(clause):
            continue
        blockers = label.pattern("blockers")
        if blockers is not None and blockers.search(clause):
            strong = label.pattern("strong")
            if strong is None or not strong.search(clause):
                continue
        hits[j] = 1
    return hits


def rule_hits(texts: Sequence[str], taxonomy: Taxonomy | None = None) -> np.ndarray:
    """Per text and label, the number of clauses that fire the label's cues."""
    taxonomy = taxonomy or default_taxonomy()
    out = np.zeros((len(texts), len(taxonomy)), dtype=np.float64)
    for i, text in enumerate(texts):
        for clause in split_clauses(text):
            out[i] += clause_hits(clause, taxonomy)
    return out


class KeywordLabeler(MultiLabelTextClassifier, BaseEstimator):
    """Label paragraphs by cue terms, clause by clause (no learning).

    A scikit-learn estimator with the same inputs and outputs as
    :class:`~nlp.classifier.PolicyClassifier` (see :mod:`nlp.classifier.base`);
    ``fit`` learns nothing but the label set and the output form.

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        Labels and cues; the guide's five areas by default.
    min_clauses : int
        Clauses that must fire a label before the paragraph gets it.

    Attributes
    ----------
    taxonomy_ : Taxonomy
    classes_ : ndarray of str
        Label ids, the columns of indicator outputs.

    Examples
    --------
    >>> KeywordLabeler().fit([]).predict(["全年受理人民调解案件120件。", "召开常务会议。"])
    [['mediation'], []]
    """

    def __init__(self, taxonomy: Taxonomy | None = None, min_clauses: int = 1) -> None:
        self.taxonomy = taxonomy
        self.min_clauses = min_clauses

    def fit(self, X: Sequence[str], y: Any = None) -> "KeywordLabeler":
        """Check the parameters and remember the label set (and the form of ``y``, if given)."""
        if not isinstance(self.min_clauses, (int, np.integer)) or isinstance(self.min_clauses, bool) or self.min_clauses < 1:
            raise ValueError(f"min_clauses: expected an integer >= 1, received {self.min_clauses!r}")
        if self.taxonomy is not None and not isinstance(self.taxonomy, Taxonomy):
            raise TypeError(f"taxonomy: expected a Taxonomy or None, received {type(self.taxonomy).__name__}")
        self.taxonomy_ = self.taxonomy or default_taxonomy()
        texts, _ = as_texts(X)
        if y is None:
            self._set_targets([], self.taxonomy_.ids)
        else:
            Y = self._set_targets(y, self.taxonomy_.ids)
            if len(Y) != len(texts):
                raise ValueError(f"X and y: expected the same length, received {len(texts)} and {len(Y)}")
        return self

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        """Clauses that fire each label, per paragraph."""
        check_is_fitted(self, "taxonomy_")
        texts, _ = as_texts(X)
        return self._scores(texts)

    def _scores(self, texts: list[str]) -> np.ndarray:
        return rule_hits(texts, self.taxonomy_)

    def _decide(self, scores: np.ndarray) -> np.ndarray:
        return scores >= self.min_clauses

    def predict_proba(self, X: Sequence[str]):
        """1.0 where the rule fires, else 0.0 (rules have no graded confidence)."""
        proba = super().predict_proba(X)
        return (proba >= self.min_clauses).astype(float)
