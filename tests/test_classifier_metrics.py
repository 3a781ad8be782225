"""Scores: the package's one F1 computation agrees with scikit-learn and with shared/tools/score_dev.py."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from nlp.classifier.metrics import bootstrap_intervals, evaluate, f1_scores, score_table

LABELS = ["administrative_review", "enforcement_supervision", "mediation", "legal_outreach", "lawyers"]


@pytest.fixture
def predictions():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, (60, 5))
    noisy = np.where(rng.random((60, 5)) < 0.2, 1 - truth, truth)
    return truth, noisy


def test_f1_scores_match_scikit_learn(predictions):
    truth, pred = predictions
    micro, macro, per_label = f1_scores(truth, pred)
    assert micro == pytest.approx(f1_score(truth, pred, average="micro"))
    assert macro == pytest.approx(f1_score(truth, pred, average="macro", zero_division=0))
    np.testing.assert_allclose(per_label, f1_score(truth, pred, average=None, zero_division=0))


def test_a_label_nobody_predicts_or_has_scores_zero_as_score_dev_does():
    truth = np.array([[1, 0], [0, 0]])
    micro, macro, per_label = f1_scores(truth, truth)
    assert per_label.tolist() == [1.0, 0.0] and macro == 0.5 and micro == 1.0


def test_score_table_rows_and_shape_check(predictions):
    truth, pred = predictions
    table = score_table(truth, pred, LABELS)
    assert table["label"].tolist() == [*LABELS, "micro", "macro"]
    assert table.set_index("label").loc["macro", "f1"] == pytest.approx(f1_scores(truth, pred)[1])
    with pytest.raises(ValueError, match="same shape"):
        score_table(truth, pred[:, :4], LABELS)


def test_bootstrap_intervals_contain_the_estimate_and_are_reproducible(predictions):
    truth, pred = predictions
    first = bootstrap_intervals(truth, pred, n_boot=200, seed=1)
    assert first == bootstrap_intervals(truth, pred, n_boot=200, seed=1)
    low, high = first["macro_f1"]
    assert low <= f1_scores(truth, pred)[1] <= high and high - low < 0.3
    result = evaluate("m", "dev", truth, pred, LABELS, n_boot=50)
    assert result.metrics()["dev_macro_f1"] == pytest.approx(result.macro_f1)
