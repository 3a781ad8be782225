"""Feature extraction for the policy-area classifier.

Character n-grams need no segmenter and carry most of the signal in short
Chinese clauses; jieba word n-grams add whole terms (行政复议, 首违不罚); rule
hits (:class:`RuleFeatures`) add the taxonomy's cue terms clause by clause.
All stages are scikit-learn transformers; :mod:`nlp.classifier.persistence` saves them as plain data.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from ..checks import check_choice
from ..tokenize import normalize, tokenize
from .rules import rule_hits
from .taxonomy import taxonomy_from_data

__all__ = ["ANALYZERS", "RuleFeatures", "build_features", "n_features"]

ANALYZERS = ("char", "word", "char+word")


class RuleFeatures(TransformerMixin, BaseEstimator):
    """Cue-term hits per label as features (1 if any clause fires the label).

    Parameters
    ----------
    taxonomy : dict
        The taxonomy as plain data (:meth:`Taxonomy.to_dict`), so that a saved
        model carries its own cues.
    scale : float
        Value of a hit; it sets how strongly the rules speak relative to the
        TF-IDF features under the same regularisation.

    Examples
    --------
    >>> from nlp.classifier.taxonomy import default_taxonomy
    >>> RuleFeatures(default_taxonomy().to_dict()).fit([]).transform(["开展普法宣传。"]).toarray().tolist()
    [[0.0, 0.0, 0.0, 1.0, 0.0]]
    """

    def __init__(self, taxonomy: dict[str, Any] | None = None, scale: float = 1.0) -> None:
        self.taxonomy = taxonomy
        self.scale = scale

    def fit(self, X, y=None):
        if not self.taxonomy or "labels" not in self.taxonomy:
            raise ValueError(f"RuleFeatures: expected a taxonomy dict with 'labels', received {self.taxonomy!r}")
        self.n_features_out_ = len(self.taxonomy["labels"])
        return self

    def transform(self, X: Sequence[str]):
        taxonomy = taxonomy_from_data(self.taxonomy)
        hits = (rule_hits(list(X), taxonomy) > 0).astype(np.float64) * self.scale
        return sparse.csr_matrix(hits)

    def get_feature_names_out(self, input_features=None):
        return np.array([f"rule__{label['id']}" for label in self.taxonomy["labels"]], dtype=object)


def build_features(analyzer: str = "char+word", char_ngrams: tuple[int, int] = (1, 3),
                   word_ngrams: tuple[int, int] = (1, 2), rules: dict[str, Any] | None = None,
                   rule_scale: float = 1.0, min_df: int = 1) -> FeatureUnion:
    """The feature union for an analyzer choice, with optional rule features."""
    check_choice("analyzer", analyzer, ANALYZERS)
    parts = []
    if "char" in analyzer:
        parts.append(("char", TfidfVectorizer(analyzer="char", ngram_range=tuple(char_ngrams), preprocessor=normalize,
                                              sublinear_tf=True, min_df=min_df, lowercase=True)))
    if "word" in analyzer:
        parts.append(("word", TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False,
                                              ngram_range=tuple(word_ngrams), sublinear_tf=True, min_df=min_df)))
    if rules is not None:
        parts.append(("rules", RuleFeatures(rules, scale=rule_scale)))
    return FeatureUnion(parts)


def n_features(features: list) -> int:
    """Columns produced by a list of fitted ``(name, transformer)`` feature extractors."""
    return sum(len(t.vocabulary_) if hasattr(t, "vocabulary_") else t.n_features_out_ for _, t in features)
