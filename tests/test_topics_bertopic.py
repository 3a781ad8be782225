"""BERTopic: determinism, outliers (k-means, HDBSCAN, reduced or kept), and each stage alone
(offline TF-IDF+SVD embedding, a local sentence-transformers folder, reduction, clustering, vectorizer).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nlp
from nlp.topics.documents import make_tokenizer


def test_bertopic_same_seed_gives_identical_results(corpus, bertopic_result):
    again = nlp.fit_topics(corpus, "bertopic", progress=False, n_topics=6)
    pd.testing.assert_frame_equal(again.doc_topics, bertopic_result.doc_topics)
    pd.testing.assert_frame_equal(again.topic_words, bertopic_result.topic_words)


def test_bertopic_kmeans_has_no_outliers(bertopic_result):
    assert bertopic_result.metrics["outlier_share"] == 0.0
    assert bertopic_result.n_topics == 6
    assert "outlier" not in bertopic_result.topic_columns


def test_bertopic_hdbscan_leaves_under_a_third_outliers(corpus):
    # HDBSCAN alone leaves about half of the seed paragraphs as outliers; reduce_outliers re-assigns them
    result = nlp.fit_topics(corpus, "bertopic", progress=False, clustering="hdbscan", min_cluster_size=5)
    assert result.metrics["outlier_share_before_reduction"] > 1 / 3
    assert result.metrics["outlier_share"] < 1 / 3
    np.testing.assert_allclose(result.theta().sum(axis=1), 1.0)
    assert result.by_district(n_boot=100).groupby("district")["prevalence"].sum().round(9).eq(1).all()


def test_bertopic_outliers_kept_as_their_own_column(corpus):
    result = nlp.fit_topics(corpus, "bertopic", progress=False, clustering="hdbscan", min_cluster_size=5,
                            outlier_strategy="none")
    assert result.topic_columns[-1] == "outlier" and result.metrics["outlier_share"] > 0
    assert (result.doc_topics.loc[result.doc_topics["outlier"] == 1, "topic"] == -1).all()
    np.testing.assert_allclose(result.theta().sum(axis=1), 1.0)
    sums = result.by_district(n_boot=100).groupby("district")["prevalence"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


# --- BERTopic stages, each alone ---------------------------------------------

def test_embedding_stage_is_offline_tfidf_svd(corpus):
    from nlp.topics.bertopic_model import make_embedding

    pipe = make_embedding(n_components=5, tokenizer=make_tokenizer())
    vectors = pipe.fit_transform(corpus.paragraphs["text"].tolist())
    assert vectors.shape == (len(corpus.paragraphs), 5)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_sentence_transformers_needs_a_local_folder(tmp_path):
    from nlp.topics.bertopic_model import make_embedding

    with pytest.raises(ValueError, match="embedding_model_path"):
        make_embedding("sentence_transformers")
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        make_embedding("sentence_transformers", model_path="paraphrase-multilingual-MiniLM-L12-v2")
    with pytest.raises(FileNotFoundError):
        make_embedding("sentence_transformers", model_path=str(tmp_path / "missing"))


def test_local_sentence_transformers_folder(tmp_path, corpus):
    """A tiny character-embedding model, built and saved here, loads from its folder offline."""
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers

    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # older sentence-transformers
        from sentence_transformers.models import StaticEmbedding

    chars = sorted({ch for text in corpus.paragraphs["text"] for ch in text})
    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, **{ch: i + 1 for i, ch in enumerate(chars)}}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    weights = np.random.default_rng(0).normal(size=(len(chars) + 1, 16)).astype("float32")
    SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)], device="cpu").save(str(tmp_path))
    options = dict(embedding="sentence_transformers", embedding_model_path=str(tmp_path), n_topics=5)
    first = nlp.fit_topics(corpus, "bertopic", progress=False, **options)
    second = nlp.fit_topics(corpus, "bertopic", progress=False, **options)
    assert first.model.embeddings_.shape == (len(corpus.paragraphs), 16)
    assert first.n_topics == 5 and first.metrics["outlier_share"] == 0
    pd.testing.assert_frame_equal(first.doc_topics, second.doc_topics)


def test_reduction_clustering_vectorizer_stages():
    from nlp.topics.bertopic_model import make_clustering, make_reduction, make_vectorizer

    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.1, (10, 6)), rng.normal(3, 0.1, (10, 6))])
    assert make_reduction("pca", 2).fit_transform(x).shape == (20, 2)
    assert make_reduction("none").fit(x).transform(x).shape == (20, 6)
    labels = make_clustering("kmeans", n_clusters=2).fit(x).labels_
    assert len(set(labels)) == 2 and (labels[:10] == labels[0]).all()
    assert len(set(make_clustering("hdbscan", min_cluster_size=3).fit(x).labels_) - {-1}) == 2
    vec = make_vectorizer(make_tokenizer())
    vec.fit(["全区行政复议收案845件。", "推进普法宣传。"])
    assert {"行政复议", "普法"} <= set(vec.get_feature_names_out()) and "推进" not in vec.vocabulary_
    with pytest.raises(ValueError, match="expected one of"):
        make_clustering("dbscan")


def test_bertopic_topic_shares_are_soft(bertopic_result):
    theta = bertopic_result.theta()
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    soft = (theta > 0).sum(axis=1) > 1
    assert soft.mean() > 0.5  # most paragraphs speak to more than one topic
    model = bertopic_result.model
    assert model.one_hot_fallback_share_ < 0.2
    # the dominant share mostly agrees with the cluster BERTopic assigned
    assert np.mean(theta.argmax(axis=1) == np.searchsorted(model.topic_ids_, model.topics_)) > 0.6
    # a district's prevalence is then a share of what it says, not a count of winners
    table = bertopic_result.by_district(n_boot=100)
    assert (table["ci_high"] - table["ci_low"] > 0).all()


def test_bertopic_one_hot_shares_on_request(corpus):
    result = nlp.fit_topics(corpus, "bertopic", progress=False, n_topics=6, topic_shares="one_hot")
    theta = result.theta()
    assert set(np.unique(theta)) == {0.0, 1.0}
    with pytest.raises(nlp.config.ConfigError, match="topic_shares"):
        nlp.fit_topics(corpus, "bertopic", progress=False, topic_shares="soft")
