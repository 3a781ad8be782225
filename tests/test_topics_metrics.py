"""Topic quality metrics: diversity and coherence (c_v, c_npmi, u_mass) on hand-written texts."""
from __future__ import annotations

import numpy as np

from nlp.topics.metrics import coherence, topic_diversity


def test_topic_diversity_and_coherence():
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    texts = [["复议", "应诉", "案件"], ["复议", "应诉"], ["普法", "宣传"], ["普法", "宣传", "活动"]] * 3
    scores = coherence([["复议", "应诉"], ["普法", "宣传"]], texts)
    assert set(scores) == {"c_v", "c_npmi", "u_mass"} and all(np.isfinite(v) for v in scores.values())
    assert np.isnan(coherence([["不存在", "没有"]], texts, measures=["u_mass"])["u_mass"])
