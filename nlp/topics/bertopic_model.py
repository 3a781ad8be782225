"""BERTopic built from swappable stages, tuned for a small corpus and offline use.

BERTopic is a pipeline of four stages passed to its constructor; each has a
factory here that can be built and tested alone:

embedding (:func:`make_embedding`)
    ``"tfidf_svd"`` (default, offline): ``TfidfVectorizer`` over jieba tokens
    -> ``TruncatedSVD`` -> ``Normalizer``, a scikit-learn pipeline that BERTopic
    fits on the documents. ``"sentence_transformers"``: a *local* model folder
    (``embedding_model_path``); hub names are refused, nothing is downloaded.
reduction (:func:`make_reduction`)
    ``"pca"`` (default): deterministic and instant. UMAP's neighbour graph
    is built for thousands of points; on ~70 paragraphs its 15 neighbours are a
    fifth of the corpus, it costs seconds of import/JIT, and the SVD stage has
    already made the vectors low-dimensional, so a linear projection loses
    little. ``"none"`` passes embeddings through; ``"umap"`` is there for
    larger corpora.
clustering (:func:`make_clustering`)
    ``"kmeans"`` (default): exactly ``n_topics`` clusters and no outliers.
    ``"hdbscan"``: density clusters; outliers (topic -1) are then re-assigned
    with :meth:`BERTopic.reduce_outliers` (``outlier_strategy``).
vectoriser (:func:`make_vectorizer`)
    ``CountVectorizer`` with the package's jieba tokenizer for c-TF-IDF.
    Its ``min_df`` counts *topics* (BERTopic vectorises one document per
    topic), so it stays at 1.

Every random stage takes ``random_state``; two fits with the same arguments
give the same topics.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..checks import check_choice, choice_error

__all__ = [
    "EMBEDDINGS",
    "REDUCTIONS",
    "CLUSTERINGS",
    "OUTLIER_STRATEGIES",
    "TOPIC_SHARES",
    "make_embedding",
    "make_reduction",
    "make_clustering",
    "make_vectorizer",
    "BertopicTopicModel",
]

logger = logging.getLogger(__name__)

EMBEDDINGS = ("tfidf_svd", "sentence_transformers")
REDUCTIONS = ("pca", "none", "umap")
CLUSTERINGS = ("kmeans", "hdbscan")
OUTLIER_STRATEGIES = ("c-tf-idf", "embeddings", "distributions", "none")
#: How a document's topic weights are given: BERTopic's topic-distribution approximation, or its one topic.
TOPIC_SHARES = ("approximate", "one_hot")


def _default_tokenizer() -> Callable[[str], list[str]]:
    from .documents import make_tokenizer

    return make_tokenizer()


def make_embedding(backend: str = "tfidf_svd", n_components: int = 30, min_df: int = 2,
                   tokenizer: Callable[[str], list[str]] | None = None, model_path: str | None = None,
                   random_state: int = 0) -> Any:
    """The embedding stage.

    Parameters
    ----------
    backend : {"tfidf_svd", "sentence_transformers"}
    n_components : int
        SVD dimensions (``tfidf_svd``); must be below the vocabulary size.
    min_df : int
        TF-IDF vocabulary: words in at least this many documents.
    tokenizer
        Word tokenizer for TF-IDF (default: the topic tokenizer).
    model_path
        Local sentence-transformers folder (``sentence_transformers``).
    random_state : int

    Returns
    -------
    sklearn.pipeline.Pipeline or sentence_transformers.SentenceTransformer
    """
    if backend == "tfidf_svd":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import Normalizer

        return Pipeline([
            ("tfidf", TfidfVectorizer(tokenizer=tokenizer or _default_tokenizer(), token_pattern=None,
                                      lowercase=False, min_df=min_df, sublinear_tf=True)),
            ("svd", TruncatedSVD(n_components=n_components, random_state=random_state)),
            ("norm", Normalizer()),
        ])
    if backend == "sentence_transformers":
        if not model_path:
            raise ValueError("embedding 'sentence_transformers' needs embedding_model_path: a local model folder")
        folder = Path(model_path).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(
                f"sentence-transformers model folder not found: {str(model_path)!r}; give the path of a model "
                "saved on this machine (nothing is downloaded)"
            )
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    raise choice_error("embedding", backend, EMBEDDINGS)


def make_reduction(method: str = "pca", n_components: int = 10, random_state: int = 0) -> Any:
    """The dimensionality-reduction stage (see the module docstring for the choice)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=n_components, random_state=random_state)
    if method == "none":
        from bertopic.dimensionality import BaseDimensionalityReduction

        return BaseDimensionalityReduction()
    if method == "umap":
        from umap import UMAP

        return UMAP(n_neighbors=10, n_components=n_components, min_dist=0.0, metric="cosine",
                    random_state=random_state)
    raise choice_error("reduction", method, REDUCTIONS)


def make_clustering(method: str = "kmeans", n_clusters: int = 8, min_cluster_size: int = 5,
                    random_state: int = 0) -> Any:
    """The clustering stage: ``KMeans`` (no outliers) or scikit-learn's ``HDBSCAN``."""
    if method == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    if method == "hdbscan":
        from sklearn.cluster import HDBSCAN

        return HDBSCAN(min_cluster_size=min_cluster_size, copy=True)
    raise choice_error("clustering", method, CLUSTERINGS)


def make_vectorizer(tokenizer: Callable[[str], list[str]] | None = None, min_df: int = 1) -> Any:
    """The c-TF-IDF vectoriser: ``CountVectorizer`` over jieba tokens."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(tokenizer=tokenizer or _default_tokenizer(), token_pattern=None, lowercase=False,
                           min_df=min_df)


class BertopicTopicModel(BaseEstimator):
    """BERTopic with offline, deterministic, small-corpus defaults.

    A scikit-learn estimator: ``get_params``/``set_params``/``clone`` work,
    options are checked in ``fit``, and calls before ``fit`` raise
    ``NotFittedError``.

    Parameters
    ----------
    n_topics : int
        Clusters for k-means (ignored by HDBSCAN).
    embedding, embedding_dim, embedding_min_df, embedding_model_path
        See :func:`make_embedding`.
    reduction, reduction_dim
        See :func:`make_reduction`; ``reduction_dim`` is capped at the
        embedding size and the number of documents.
    clustering, min_cluster_size
        See :func:`make_clustering`.
    outlier_strategy : {"c-tf-idf", "embeddings", "distributions", "none"}
        How HDBSCAN outliers are re-assigned (then topics are re-described).
    reduce_frequent_words : bool
        c-TF-IDF's square-root damping of words frequent in every topic.
    top_n_words : int
        Words per topic.
    topic_shares : {"approximate", "one_hot"}
        ``"approximate"`` (default): each document's weights are BERTopic's
        :meth:`~bertopic.BERTopic.approximate_distribution` — the c-TF-IDF
        similarity of sliding 4-token windows of the document to each topic,
        summed and normalised — so prevalence is a share of what paragraphs
        say. A document with no window similar to any topic keeps its
        one-hot topic. ``"one_hot"``: weight 1 on the assigned topic.
    tokenizer : callable, optional
        Word tokenizer for the TF-IDF and c-TF-IDF stages.
    random_state : int
    embedding_model, reduction_model, clustering_model, vectorizer_model : optional
        Ready-made stages that replace the ones built from the options above.

    Attributes
    ----------
    model_ : bertopic.BERTopic
    topics_ : numpy.ndarray of int
        Topic per document after outlier reduction (-1 = outlier).
    initial_topics_ : numpy.ndarray of int
        Topic per document before outlier reduction.
    embeddings_ : numpy.ndarray
    doc_topics_ : numpy.ndarray, shape (n_docs, n_topics [+1])
        Topic shares (rows sum to 1; see ``topic_shares``); a last column for
        outliers when any remain (an outlier document has weight 1 there).
    one_hot_fallback_share_ : float
        Share of documents whose approximate distribution was empty and
        that kept their one-hot topic.
    topic_words_ : pandas.DataFrame
        ``topic, rank, word, weight`` (weight = c-TF-IDF score).
    outlier_share_, initial_outlier_share_ : float

    Examples
    --------
    >>> model = BertopicTopicModel(n_topics=6).fit(texts)  # doctest: +SKIP
    >>> model.topic_words_.head()                          # doctest: +SKIP
    """

    def __init__(self, n_topics: int = 8, embedding: str = "tfidf_svd", embedding_dim: int = 30,
                 embedding_min_df: int = 2, embedding_model_path: str | None = None, reduction: str = "pca",
                 reduction_dim: int = 10, clustering: str = "kmeans", min_cluster_size: int = 5,
                 outlier_strategy: str = "c-tf-idf", reduce_frequent_words: bool = True, top_n_words: int = 10,
                 topic_shares: str = "approximate",
                 tokenizer: Callable[[str], list[str]] | None = None, random_state: int = 0,
                 embedding_model: Any = None, reduction_model: Any = None, clustering_model: Any = None,
                 vectorizer_model: Any = None) -> None:
        self.n_topics = n_topics
        self.embedding = embedding
        self.embedding_dim = embedding_dim
        self.embedding_min_df = embedding_min_df
        self.embedding_model_path = embedding_model_path
        self.reduction = reduction
        self.reduction_dim = reduction_dim
        self.clustering = clustering
        self.min_cluster_size = min_cluster_size
        self.outlier_strategy = outlier_strategy
        self.reduce_frequent_words = reduce_frequent_words
        self.top_n_words = top_n_words
        self.topic_shares = topic_shares
        self.tokenizer = tokenizer
        self.random_state = random_state
        self.embedding_model = embedding_model
        self.reduction_model = reduction_model
        self.clustering_model = clustering_model
        self.vectorizer_model = vectorizer_model

    def build_stages(self, n_docs: int | None = None) -> dict[str, Any]:
        """The four stages (fresh objects), keyed ``embedding, reduction, clustering, vectorizer``."""
        check_choice("embedding", self.embedding, EMBEDDINGS)
        check_choice("reduction", self.reduction, REDUCTIONS)
        check_choice("clustering", self.clustering, CLUSTERINGS)
        check_choice("outlier_strategy", self.outlier_strategy, OUTLIER_STRATEGIES)
        check_choice("topic_shares", self.topic_shares, TOPIC_SHARES)
        tokenizer = self.tokenizer or _default_tokenizer()
        reduction_dim = self.reduction_dim
        if self.embedding == "tfidf_svd":
            reduction_dim = min(reduction_dim, self.embedding_dim)
        if n_docs is not None:
            reduction_dim = min(reduction_dim, n_docs - 1)
        return {
            "embedding": self.embedding_model if self.embedding_model is not None else make_embedding(
                self.embedding, self.embedding_dim, self.embedding_min_df, tokenizer, self.embedding_model_path,
                self.random_state),
            "reduction": self.reduction_model if self.reduction_model is not None else make_reduction(
                self.reduction, reduction_dim, self.random_state),
            "clustering": self.clustering_model if self.clustering_model is not None else make_clustering(
                self.clustering, self.n_topics, self.min_cluster_size, self.random_state),
            "vectorizer": self.vectorizer_model if self.vectorizer_model is not None else make_vectorizer(tokenizer),
        }

    def fit(self, texts: Sequence[str], y=None) -> "BertopicTopicModel":
        """Fit on raw texts (the stages tokenise them); ``y`` is ignored."""
        from bertopic import BERTopic
        from bertopic.vectorizers import ClassTfidfTransformer

        texts = [str(t) for t in texts]
        if self.clustering == "kmeans" and self.clustering_model is None and self.n_topics >= len(texts):
            raise ValueError(f"n_topics={self.n_topics} needs more than {self.n_topics} documents, received {len(texts)}")
        stages = self.build_stages(len(texts))
        ctfidf = ClassTfidfTransformer(reduce_frequent_words=self.reduce_frequent_words)
        self.model_ = BERTopic(
            embedding_model=stages["embedding"], umap_model=stages["reduction"], hdbscan_model=stages["clustering"],
            vectorizer_model=stages["vectorizer"], ctfidf_model=ctfidf, top_n_words=self.top_n_words,
            calculate_probabilities=False, verbose=False,
        )
        embeddings = self._embed(stages["embedding"], texts)
        topics, _ = self.model_.fit_transform(texts, embeddings=embeddings)
        self.embeddings_ = embeddings
        self.initial_topics_ = np.asarray(topics, dtype=int)
        self.initial_outlier_share_ = float(np.mean(self.initial_topics_ == -1))
        topics = self.initial_topics_
        if (topics == -1).any() and self.outlier_strategy != "none":
            reduced = self.model_.reduce_outliers(texts, list(topics), strategy=self.outlier_strategy,
                                                  embeddings=embeddings, threshold=0.0)
            topics = np.asarray(reduced, dtype=int)
            self.model_.update_topics(texts, topics=list(topics), top_n_words=self.top_n_words,
                                      vectorizer_model=stages["vectorizer"], ctfidf_model=ctfidf)
            logger.info("outliers re-assigned (%s): %.1f%% -> %.1f%%", self.outlier_strategy,
                        100 * self.initial_outlier_share_, 100 * float(np.mean(topics == -1)))
        self.topics_ = topics
        self.outlier_share_ = float(np.mean(topics == -1))
        self.topic_ids_ = sorted(t for t in set(topics.tolist()) if t != -1)
        one_hot = self._one_hot(topics)
        self.one_hot_fallback_share_ = 0.0
        if self.topic_shares == "approximate" and self.topic_ids_:
            one_hot = self._approximate_shares(texts, one_hot, topics)
        self.doc_topics_ = one_hot
        self.topic_words_ = self._topic_words()
        return self

    def _approximate_shares(self, texts: list[str], one_hot: np.ndarray, topics: np.ndarray) -> np.ndarray:
        """BERTopic's approximate topic distribution, rows normalised; empty rows keep their one-hot topic."""
        from sklearn.feature_extraction.text import CountVectorizer

        fitted = self.model_.vectorizer_model
        tokenizer = fitted.build_tokenizer()
        # Tokenise once with jieba; BERTopic then re-splits the 4-token windows on spaces (no second jieba pass).
        pretokenized = [" ".join(tokenizer(t)) for t in texts]
        self.model_.vectorizer_model = CountVectorizer(vocabulary=fitted.vocabulary_, tokenizer=str.split,
                                                       token_pattern=None, lowercase=False)
        try:
            distribution, _ = self.model_.approximate_distribution(pretokenized, window=4, stride=1,
                                                                   min_similarity=0.1, use_embedding_model=False)
        finally:
            self.model_.vectorizer_model = fitted
        distribution = np.asarray(distribution, dtype=float)[:, :len(self.topic_ids_)]
        totals = distribution.sum(axis=1)
        usable = (totals > 0) & (topics != -1)
        out = one_hot.copy()
        out[usable] = 0.0
        out[usable, :len(self.topic_ids_)] = distribution[usable] / totals[usable, None]
        self.one_hot_fallback_share_ = float(np.mean(~usable & (topics != -1)))
        return out

    @staticmethod
    def _embed(stage: Any, texts: list[str]) -> np.ndarray:
        # Embed once here so the embeddings can be reused by outlier reduction.
        if hasattr(stage, "fit_transform") and not hasattr(stage, "encode"):
            return np.asarray(stage.fit_transform(texts))
        return np.asarray(stage.encode(texts, show_progress_bar=False))

    def _one_hot(self, topics: np.ndarray) -> np.ndarray:
        ids = list(self.topic_ids_)
        has_outliers = bool((topics == -1).any())
        columns = ids + ([-1] if has_outliers else [])
        index = {t: j for j, t in enumerate(columns)}
        out = np.zeros((len(topics), len(columns)))
        out[np.arange(len(topics)), [index[t] for t in topics]] = 1.0
        return out

    def _topic_words(self) -> pd.DataFrame:
        rows = []
        for t in self.topic_ids_:
            words = [(w, s) for w, s in (self.model_.get_topic(t) or []) if w]
            rows.extend({"topic": t, "rank": r, "word": w, "weight": float(s)} for r, (w, s) in enumerate(words))
        return pd.DataFrame(rows, columns=["topic", "rank", "word", "weight"])

    def topics(self, top_n_words: int | None = None) -> list[list[str]]:
        """Each topic's top words (topics in :attr:`topic_ids_` order)."""
        check_is_fitted(self, "model_")
        n = top_n_words or self.top_n_words
        words = self.topic_words_
        return [words.loc[words["topic"] == t, "word"].tolist()[:n] for t in self.topic_ids_]
