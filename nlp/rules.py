"""The keyword labeler: cue terms from the taxonomy, applied clause by clause.

This is the weak-supervision baseline of the guide's rule ("a clause
substantively reports ... in that area"): a clause earns a label when it holds
one of the label's cues and none of its blockers (unless a strong cue is there
too). A paragraph's labels are the union over its clauses. The same clause hits
are also offered to the learned model as features (:func:`rule_hits`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .labels import Taxonomy, default_taxonomy
from .segment import split_sentences
from .tokenize import normalize

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


class KeywordLabeler(ClassifierMixin, BaseEstimator):
    """Label paragraphs by cue terms, clause by clause (no learning).

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        Labels and cues; the guide's five areas by default.
    min_clauses : int
        Clauses that must fire a label before the paragraph gets it.

    Examples
    --------
    >>> KeywordLabeler().fit([], []).predict(["全年受理人民调解案件120件。", "召开常务会议。"]).tolist()
    [[0, 0, 1, 0, 0], [0, 0, 0, 0, 0]]
    """

    def __init__(self, taxonomy: Taxonomy | None = None, min_clauses: int = 1) -> None:
        self.taxonomy = taxonomy
        self.min_clauses = min_clauses

    def fit(self, X, y=None):
        if self.min_clauses < 1:
            raise ValueError(f"min_clauses: expected an integer >= 1, received {self.min_clauses!r}")
        self.taxonomy_ = self.taxonomy or default_taxonomy()
        self.classes_ = np.array(self.taxonomy_.ids)
        return self

    def decision_function(self, X: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "taxonomy_")
        return rule_hits(list(X), self.taxonomy_)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """1.0 where the rule fires, else 0.0 (rules have no graded confidence)."""
        return (self.decision_function(X) >= self.min_clauses).astype(float)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        return (self.decision_function(X) >= self.min_clauses).astype(int)
