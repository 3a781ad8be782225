"""Per-label thresholds: chosen on out-of-fold scores of whole groups, and actually used to decide."""
from __future__ import annotations

import numpy as np
import pytest

from nlp.classifier import PolicyClassifier
from nlp.classifier.data import load_training_data
from nlp.classifier.thresholds import choose_thresholds


@pytest.fixture(scope="module")
def cv_fit():
    data = load_training_data("seeds", "configs/labels.yaml", guide_examples=False)
    texts, labels, groups = data.units("clause")
    clf = PolicyClassifier(thresholds="cv").fit(texts, labels, groups=groups)
    return clf, data


def test_choose_thresholds_maximises_f1_and_prefers_the_default_on_ties():
    proba = np.array([[0.9, 0.2], [0.3, 0.7], [0.2, 0.4]])
    truth = np.array([[1, 0], [1, 1], [0, 1]])
    assert choose_thresholds(proba, truth).tolist() == [0.3, 0.4]
    tied = choose_thresholds(np.array([[0.9], [0.8], [0.1], [0.2]]), np.array([[1], [1], [0], [0]]))
    assert tied[0] == 0.5
    assert choose_thresholds(np.array([[0.9]]), np.array([[0]]))[0] == 0.5  # no positive: the default


def test_cv_thresholds_are_learned_from_groups(cv_fit):
    clf, _ = cv_fit
    assert clf.thresholds_.shape == (5,)
    assert not np.allclose(clf.thresholds_, clf.threshold), "cv thresholds should move away from 0.5 on the seeds"


def test_predictions_use_the_learned_thresholds(cv_fit):
    clf, _ = cv_fit
    # Text the model was not trained on (the seeds' own paragraphs score near 0 or 1).
    texts = load_training_data("seeds", "configs/labels.yaml", guide_examples=True).guide_examples["text"].tolist()
    proba = clf.predict_proba(texts).to_numpy()
    decided = clf.predict_indicator(texts)
    np.testing.assert_array_equal(decided, (proba >= clf.thresholds_).astype(int))
    assert (decided != (proba >= 0.5)).any(), "no paragraph sits between a learned threshold and 0.5"


def test_without_groups_cv_falls_back_to_the_fixed_threshold(caplog):
    data = load_training_data("seeds", "configs/labels.yaml", guide_examples=False)
    texts, labels, _ = data.units("clause")
    clf = PolicyClassifier(thresholds="cv", threshold=0.4).fit(texts, labels)
    assert np.allclose(clf.thresholds_, 0.4)
    assert "needs at least two groups" in caplog.text
