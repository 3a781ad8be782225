"""Held-out evaluation protocols: leave one district out, grouped folds over the writers, subsampling."""
from __future__ import annotations

import numpy as np
import pytest

from nlp.classifier import to_indicator
from nlp.classifier.metrics import f1_scores

from conftest import LABELS


def test_learned_model_beats_empty_baseline_on_held_out_district(held_out_fit):
    clf, test = held_out_fit
    gold = to_indicator(test["labels"].tolist(), LABELS)
    pred = clf.predict_indicator(test["text"].tolist())
    _, macro, _ = f1_scores(gold, pred)
    _, empty_macro, _ = f1_scores(gold, np.zeros_like(gold))
    assert empty_macro == 0.0
    assert macro > 0.5


# --- grouped protocols over the written corpus -------------------------------------------------

@pytest.fixture(scope="module")
def corpus_data():
    from nlp.classifier.data import load_training_data

    return load_training_data("seeds", "configs/labels.yaml", guide_examples=False, corpus="seeds/corpus/corpus.jsonl")


def test_batch_folds_hold_out_whole_writers():
    from nlp.classifier.evaluation import batch_folds

    folds = batch_folds(["w1", "w2", "w3", "w4", "w5", "w6", "w1"], 4)
    assert sorted(b for fold in folds for b in fold) == ["w1", "w2", "w3", "w4", "w5", "w6"]
    assert len(folds) == 4 and all(fold for fold in folds)


def test_corpus_folds_never_train_on_the_held_out_writer(corpus_data):
    from nlp.classifier.evaluation import corpus_fold_predictions

    seen = []

    def fit_predict(data, districts, batches):
        seen.append(set(batches))
        return lambda texts: np.zeros((len(texts), 5), dtype=int)

    y_true, y_pred = corpus_fold_predictions(fit_predict, corpus_data, n_folds=3, progress=False)
    assert len(y_true) == len(corpus_data.corpus) and y_pred.sum() == 0
    assert len(seen) == 3
    for trained in seen:  # each fold trains on the other writers only
        assert trained and trained < set(corpus_data.batches)


def test_units_group_by_district_writer_or_none(corpus_data):
    texts, labels, groups = corpus_data.units("paragraph", with_guide=False)
    assert len(texts) == len(corpus_data.paragraphs) + len(corpus_data.corpus)
    assert set(groups) == set(corpus_data.districts) | set(corpus_data.batches)
    texts, _, groups = corpus_data.units("clause", districts=["西湖区"], batches=["w1"], with_guide=False)
    assert set(groups) == {"西湖区", "w1"}


def test_subsample_corpus_draws_within_each_writer(corpus_data):
    from nlp.classifier.evaluation import subsample_corpus

    half = subsample_corpus(corpus_data, 0.5, random_state=0)
    sizes = half.corpus.groupby("batch").size()
    full = corpus_data.corpus.groupby("batch").size()
    assert ((sizes - full / 2).abs() <= 1).all()
    assert subsample_corpus(corpus_data, 1.0) is corpus_data
    with pytest.raises(ValueError, match="fraction"):
        subsample_corpus(corpus_data, 0.0)


# --- held-out reports: one fit on all the training data scores the report set and dev ---------

def test_reports_column_comes_from_one_fit_on_everything(corpus_data, tmp_path, monkeypatch):
    import json

    from nlp.classifier import evaluation
    from nlp.classifier.schema import load_classifier_config

    report_file = tmp_path / "reports.jsonl"
    rows = [{"doc_id": "r-01", "para_id": 0, "text": "全年新收行政复议申请120件。", "labels": ["administrative_review"]},
            {"doc_id": "r-01", "para_id": 1, "text": "召开党组会议研究部署工作。", "labels": []}]
    report_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    fits = []

    def fit_predict(data, districts, batches):
        fits.append((districts, batches))
        return lambda texts: np.array([[1, 0, 0, 0, 0] if "复议" in t else [0] * 5 for t in texts])

    monkeypatch.setattr(evaluation, "candidate_runs", lambda config: [("model", fit_predict)])
    config = load_classifier_config("configs/classifier.yaml")
    config["data"] = {**config["data"], "report_set": str(report_file)}
    results = evaluation.evaluate_candidates(config, corpus_data, progress=False, evaluations=("reports",))
    assert [(r.model, r.evaluation) for r in results] == [("model", "reports")]
    assert results[0].macro_f1 == pytest.approx(0.2)  # one of five labels present and right
    assert fits == [(None, None)]  # trained on every district and writer, once
    config["data"]["report_set"] = None
    assert evaluation.evaluate_candidates(config, corpus_data, progress=False, evaluations=("reports",)) == []
