"""The shipped model gives the stored predictions on the seeds (a refactoring must not change them).

Regenerate the stored copy only when the model is retrained on purpose:
``.venv/bin/python experiments/shipped_model_snapshot.py``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nlp

SNAPSHOT = Path(__file__).parent / "data" / "shipped_model_predictions.json"


@pytest.fixture(scope="module")
def snapshot():
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_snapshot_belongs_to_the_shipped_model(snapshot):
    assert snapshot["model_data_hash"] == nlp.PolicyClassifier.load().info_.get("data_hash"), (
        "models/policy_classifier was retrained: rerun experiments/shipped_model_snapshot.py and review the diff")


def test_shipped_model_gives_the_stored_predictions_on_the_seeds(snapshot, corpus):
    classifier = nlp.PolicyClassifier.load()
    paragraphs = corpus.paragraphs
    stored = {(r["doc_id"], r["para_id"]): r for r in snapshot["rows"]}
    assert len(stored) == len(paragraphs)
    proba = classifier.predict_proba(paragraphs["text"].tolist()).to_numpy()
    labels = classifier.predict_labels(paragraphs["text"].tolist())
    for i, (doc_id, para_id) in enumerate(zip(paragraphs["doc_id"], paragraphs["para_id"])):
        row = stored[(doc_id, int(para_id))]
        assert labels[i] == row["labels"], (doc_id, para_id)
        np.testing.assert_allclose(proba[i], row["proba"], atol=2e-6)
