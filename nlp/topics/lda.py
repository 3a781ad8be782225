"""gensim LDA on jieba tokens, as a small scikit-learn-style estimator.

The estimator takes tokenised units (lists of words: see
:mod:`nlp.topics.documents`) so that a K sweep tokenises once. It runs gensim's
single-process :class:`~gensim.models.LdaModel` with a fixed ``random_state``,
which makes two fits with the same arguments identical. It is a scikit-learn
estimator: ``get_params``/``set_params``/``clone`` work, parameters are checked
in ``fit``, and calls before ``fit`` raise ``NotFittedError``.
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..checks import check_choice

__all__ = ["LdaTopicModel", "ALPHA_CHOICES", "ETA_CHOICES"]

logger = logging.getLogger(__name__)

ALPHA_CHOICES = ("symmetric", "asymmetric", "auto")
ETA_CHOICES = ("symmetric", "auto")


class LdaTopicModel(TransformerMixin, BaseEstimator):
    """Latent Dirichlet allocation (gensim) over tokenised units.

    Parameters
    ----------
    n_topics : int
        Number of topics K.
    passes, iterations : int
        gensim's passes over the corpus and per-document inference iterations.
    alpha : {"symmetric", "asymmetric", "auto"}
        Document-topic prior; ``"auto"`` learns an asymmetric prior.
    eta : {"symmetric", "auto"}
        Topic-word prior.
    no_below, no_above, keep_n : int, float, int
        Dictionary filtering: keep words in at least ``no_below`` units and at
        most a ``no_above`` share of them, at most ``keep_n`` words.
    min_word_length : int
        Words shorter than this many characters are left out of the
        vocabulary (single characters such as 区, 年, 件 carry little topic).

    Notes
    -----
    The defaults (``no_below=5``, ``passes=30``, ``min_word_length=2``) were chosen by measurement on
    the written multi-district corpus (``experiments/topics_multidistrict.py
    --part defaults``): on 250-paragraph samples a rare-word-heavy vocabulary
    (``no_below=2``, single characters) and 10 passes gave topics that agreed little with the gold
    policy areas and changed with the random state.
    top_n_words : int
        Words per topic in :attr:`topic_words_`.
    random_state : int
        Seed of gensim's random state.

    Attributes
    ----------
    dictionary_ : gensim.corpora.Dictionary
        The filtered vocabulary.
    model_ : gensim.models.LdaModel
    doc_topics_ : numpy.ndarray, shape (n_units, n_topics)
        Topic weights of the training units (rows sum to 1).
    topic_words_ : pandas.DataFrame
        ``topic, rank, word, weight`` (weight = p(word | topic)).
    empty_units_ : int
        Units with no word left after filtering (they get the prior's mix).

    Examples
    --------
    >>> docs = [["复议", "应诉", "案件"], ["普法", "宣传", "活动"]] * 5
    >>> lda = LdaTopicModel(n_topics=2, no_below=1, no_above=1.0, passes=5).fit(docs)
    >>> lda.doc_topics_.shape
    (10, 2)
    """

    def __init__(self, n_topics: int = 5, passes: int = 30, iterations: int = 100, alpha: str = "auto",
                 eta: str = "auto", no_below: int = 5, no_above: float = 0.5, keep_n: int = 5000,
                 min_word_length: int = 2, top_n_words: int = 10, random_state: int = 0) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.min_word_length = min_word_length
        self.top_n_words = top_n_words
        self.random_state = random_state

    def _check(self) -> None:
        for name in ("n_topics", "passes", "iterations", "no_below", "keep_n", "min_word_length", "top_n_words"):
            value = getattr(self, name)
            low = 2 if name == "n_topics" else 1
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name}: expected an integer >= {low}, received {value!r}")
        if not isinstance(self.no_above, (int, float)) or not 0 < self.no_above <= 1:
            raise ValueError(f"no_above: expected a number in (0, 1], received {self.no_above!r}")
        check_choice("alpha", self.alpha, ALPHA_CHOICES)
        check_choice("eta", self.eta, ETA_CHOICES)

    def build_dictionary(self, tokens: Sequence[Sequence[str]]):
        """The filtered gensim dictionary for ``tokens`` (used by :meth:`fit`)."""
        from gensim.corpora import Dictionary

        dictionary = Dictionary([list(t) for t in tokens])
        short = [i for i, word in dictionary.items() if len(word) < self.min_word_length]
        dictionary.filter_tokens(bad_ids=short)
        dictionary.filter_extremes(no_below=self.no_below, no_above=self.no_above, keep_n=self.keep_n)
        if len(dictionary) < self.n_topics:
            raise ValueError(
                f"only {len(dictionary)} words survive dictionary filtering (no_below={self.no_below}, "
                f"no_above={self.no_above}, min_word_length={self.min_word_length}); too few for {self.n_topics} topics"
            )
        return dictionary

    def fit(self, tokens: Sequence[Sequence[str]], y=None, dictionary=None) -> "LdaTopicModel":
        """Fit on tokenised units; ``dictionary`` reuses an already filtered one. ``y`` is ignored."""
        from gensim.models import LdaModel

        self._check()
        tokens = [list(t) for t in tokens]
        self.dictionary_ = dictionary if dictionary is not None else self.build_dictionary(tokens)
        bow = [self.dictionary_.doc2bow(t) for t in tokens]
        self.empty_units_ = sum(1 for b in bow if not b)
        if self.empty_units_:
            logger.info("%d of %d units have no word left after filtering", self.empty_units_, len(bow))
        self.model_ = LdaModel(
            corpus=bow, id2word=self.dictionary_, num_topics=self.n_topics, passes=self.passes,
            iterations=self.iterations, alpha=self.alpha, eta=self.eta, random_state=self.random_state,
            eval_every=None, chunksize=max(len(bow), 1),
        )
        self.doc_topics_ = self._theta(bow)
        self.topic_words_ = self._topic_words()
        return self

    def transform(self, tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """Topic weights of new tokenised units, shape (n_units, n_topics)."""
        self._check_fitted()
        return self._theta([self.dictionary_.doc2bow(list(t)) for t in tokens])

    def topics(self, top_n_words: int | None = None) -> list[list[str]]:
        """Each topic's top words, best first."""
        self._check_fitted()
        n = top_n_words or self.top_n_words
        return [[w for w, _ in self.model_.show_topic(k, topn=n)] for k in range(self.n_topics)]

    def _theta(self, bow) -> np.ndarray:
        theta = np.zeros((len(bow), self.n_topics))
        for i, doc in enumerate(bow):
            for k, p in self.model_.get_document_topics(doc, minimum_probability=0.0):
                theta[i, k] = p
        return theta / theta.sum(axis=1, keepdims=True)

    def _topic_words(self) -> pd.DataFrame:
        rows = [
            {"topic": k, "rank": r, "word": w, "weight": float(p)}
            for k in range(self.n_topics)
            for r, (w, p) in enumerate(self.model_.show_topic(k, topn=self.top_n_words))
        ]
        return pd.DataFrame(rows, columns=["topic", "rank", "word", "weight"])

    def _check_fitted(self) -> None:
        check_is_fitted(self, "model_")
