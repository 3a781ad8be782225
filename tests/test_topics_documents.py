"""Topic-model documents: place names, sentence units, aggregation to paragraphs, the tokenizer."""
from __future__ import annotations

import numpy as np

from nlp.topics.documents import aggregate_to_paragraphs, make_tokenizer, place_names, unit_table


def test_documents_helpers(corpus):
    assert place_names(["滨江区", "杭州市", None]) == ["杭州", "杭州市", "滨江", "滨江区"]
    sentences = unit_table(corpus.paragraphs, "sentence")
    assert sentences["row"].nunique() == len(corpus.paragraphs)
    weights = aggregate_to_paragraphs(np.eye(2)[[0, 1, 1]], [0, 0, 1], 2, token_counts=[3, 1, 5])
    np.testing.assert_allclose(weights, [[4 / 6, 2 / 6], [0, 1]])
    tokens = make_tokenizer(places=["滨江区", "滨江"])("滨江区推进行政复议工作")
    assert tokens == ["行政复议"]
