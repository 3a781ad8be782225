"""Fitting topic models with ``fit_topics``: the TopicResult tables (doc_topics aligned with the
paragraphs, topic words, prevalence per district, coherence), sentence units, option checks,
and the relation of topics to the gold or predicted labels. The package stays light: importing
it loads no topic-model library.

Offline and deterministic, on the real seeds; the fitted models are shared session fixtures
(``lda_result``, ``bertopic_result``, ``any_result`` in ``conftest.py``).
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import nlp
from nlp.config import ConfigError


def test_import_nlp_does_not_import_heavy_libraries():
    code = ("import sys, nlp, nlp.topics, nlp.topics.run, nlp.topics.outputs; nlp.fit_topics; "
            "print([m for m in ('gensim', 'bertopic', 'torch', 'mlflow', 'umap') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_exports():
    assert nlp.fit_topics is nlp.topics.fit_topics
    assert nlp.TopicResult is nlp.topics.TopicResult


# --- fitting -----------------------------------------------------------------

def test_doc_topics_aligned_with_paragraphs(any_result, corpus):
    doc = any_result.doc_topics
    paras = corpus.paragraphs
    assert doc.index.equals(paras.index)
    assert doc["doc_id"].tolist() == paras["doc_id"].tolist()
    assert doc["para_id"].tolist() == paras["para_id"].tolist()
    assert set(["district", "year", "section_role", "topic"]) <= set(doc.columns)
    np.testing.assert_allclose(any_result.theta().sum(axis=1), 1.0, atol=1e-9)


def test_topic_words(any_result):
    words = any_result.topic_words
    assert list(words.columns) == ["topic", "label", "rank", "word", "weight"]
    assert words.groupby("topic").size().min() >= 5
    assert set(any_result.top_words()["label"]) == {c for c in any_result.topic_columns if c != "outlier"}
    # boilerplate and place names are not topic words
    assert not set(words["word"]) & {"推进", "加强", "开展", "工作", "滨江", "滨江区", "西湖"}


def test_prevalence_per_district_sums_to_one(any_result):
    table = any_result.by_district(n_boot=300)
    sums = table.groupby("district")["prevalence"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-9)
    assert (table["ci_low"] <= table["prevalence"] + 1e-12).all()
    assert (table["prevalence"] <= table["ci_high"] + 1e-12).all()


def test_coherence_is_computed(any_result):
    for key in ("coherence_c_v", "coherence_c_npmi", "coherence_u_mass", "diversity"):
        assert np.isfinite(any_result.metrics[key]), key
    assert 0 < any_result.metrics["diversity"] <= 1
    assert {"c_v", "c_npmi", "u_mass"} <= set(any_result.topic_quality.columns)


def test_sentence_units_report_per_paragraph(corpus):
    result = nlp.fit_topics(corpus, "lda", progress=False, unit="sentence", n_topics=3, n_restarts=1, passes=3,
                            iterations=30)
    assert len(result.doc_topics) == len(corpus.paragraphs)
    assert len(result.unit_topics) > len(corpus.paragraphs)
    assert "sent_id" in result.unit_topics.columns
    np.testing.assert_allclose(result.theta().sum(axis=1), 1.0, atol=1e-9)


def test_fit_options_are_validated(corpus):
    with pytest.raises(ConfigError, match="n_topic"):
        nlp.fit_topics(corpus, "bertopic", n_topic=5)
    with pytest.raises(ConfigError, match="passes"):
        nlp.fit_topics(corpus, "lda", passes=0)
    with pytest.raises(ValueError, match="method"):
        nlp.fit_topics(corpus, "nmf")


# --- topics and labels -------------------------------------------------------

def test_label_topic_table_uses_gold_labels(lda_result):
    table = lda_result.label_topics()
    assert set(table["label"]) == {"administrative_review", "enforcement_supervision", "legal_outreach",
                                   "mediation", "lawyers"}
    assert (table["n_gold"] == 71).all() and (table["n_predicted"] == 0).all()
    np.testing.assert_allclose(table.groupby("label")["share_of_label"].sum().to_numpy(), 1.0)
    assert set(table["topic"]) == set(lda_result.topic_columns)


def test_labels_fall_back_to_predictions_then_skip(monkeypatch, lda_result, corpus):
    from nlp.topics import label_relation

    unlabelled = corpus.paragraphs.drop(columns=["labels"])
    labels, source = label_relation.resolve_labels(unlabelled, use_classifier=False)
    assert labels == [None] * len(unlabelled) and set(source) == {None}
    assert label_relation.label_topic_table(lda_result.theta(), labels).empty
    monkeypatch.setattr(label_relation, "_predict", lambda texts, model_dir=None: [["mediation"]] * len(texts))
    labels, source = label_relation.resolve_labels(unlabelled)
    assert set(source) == {"predicted"}
    table = label_relation.label_topic_table(lda_result.theta(), labels, source=source)
    assert (table["n_predicted"] == len(unlabelled)).all() and set(table["label"]) == {"mediation"}
    monkeypatch.setattr(label_relation, "_predict", lambda texts, model_dir=None: None)  # no classifier or model
    labels, source = label_relation.resolve_labels(unlabelled)
    assert labels == [None] * len(unlabelled)
