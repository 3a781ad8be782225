"""Scores against gold, and the quality of the gold files."""
from __future__ import annotations

import pandas as pd
import pytest

import nlp
from nlp.indicators.evaluation import (SEED_GOLD_FILE, WRITTEN_GOLD_FILE, evaluate_indicators, load_gold,
                                       score_mentions)
from nlp.indicators.spec import default_spec
from nlp.paths import seeds_dir


def _frame(rows):
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "indicator", "value"])


def test_matching_needs_paragraph_indicator_and_value_within_half_a_percent():
    gold = _frame([("d", 0, "mediation.cases", 1000.0), ("d", 1, "mediation.cases", 50.0)])
    pred = _frame([("d", 0, "mediation.cases", 1004.0), ("d", 1, "mediation.cases", 51.0),
                   ("d", 1, "mediation.mediators", 50.0)])
    scores = score_mentions(pred, gold)
    assert (scores.overall["tp"], scores.overall["fp"], scores.overall["fn"]) == (1, 2, 1)


def test_a_gold_mention_is_matched_once():
    gold = _frame([("d", 0, "mediation.cases", 10.0)])
    pred = _frame([("d", 0, "mediation.cases", 10.0), ("d", 0, "mediation.cases", 10.0)])
    assert score_mentions(pred, gold).overall["fp"] == 1


def test_gold_files_follow_the_guide():
    ids = set(default_spec().ids)
    corpus = nlp.load_corpus("seeds", annotations=False)
    texts = corpus.paragraphs.set_index(["doc_id", "para_id"])["text"]
    paragraphs, seed_gold = load_gold(seeds_dir() / SEED_GOLD_FILE)
    assert len(paragraphs) == len(corpus.paragraphs)  # every paragraph, figures or not
    for row in seed_gold.itertuples():
        assert row.indicator in ids and row.evidence in texts[(row.doc_id, row.para_id)]
    written, written_gold = load_gold(seeds_dir() / WRITTEN_GOLD_FILE)
    assert set(written["split"]) == {"tune", "holdout"}
    text_of = written.set_index(["doc_id", "para_id"])["text"]
    for row in written_gold.itertuples():
        assert row.indicator in ids and row.evidence in text_of[(row.doc_id, row.para_id)]
    # every indicator has written gold in both splits
    for split in ("tune", "holdout"):
        _, gold = load_gold(seeds_dir() / WRITTEN_GOLD_FILE, split=split)
        assert set(gold["indicator"]) == ids


def test_scores_on_seeds_and_written_paragraphs():
    results = evaluate_indicators(sets=("seeds", "tune", "holdout"))
    for name in ("seeds", "tune", "holdout"):
        assert results[name].overall["f1"] >= 0.9, (name, results[name].overall)


def test_unknown_set_is_refused():
    with pytest.raises(ValueError, match="sets: expected one of"):
        evaluate_indicators(sets=("other",))
