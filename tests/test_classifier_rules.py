"""The keyword baseline (KeywordLabeler) and its clause rules."""
from __future__ import annotations

from nlp.classifier.rules import KeywordLabeler


def test_keyword_labeler_follows_hard_cases():
    labeler = KeywordLabeler().fit([])
    pred = labeler.predict(["将涉企案件调解贯穿行政复议全过程。", "组织律师进社区开展普法宣讲。"])
    assert pred[0] == ["administrative_review"]  # 复议调解 is review, not mediation
    assert pred[1] == ["legal_outreach"]  # 律师进社区 is outreach, not lawyers
