"""The label taxonomy: the guide's five areas, label lists <-> indicator matrices, validation."""
from __future__ import annotations

import numpy as np
import pytest

from nlp.classifier.taxonomy import Taxonomy, default_taxonomy, is_indicator, labels_from_indicator, to_indicator
from nlp.config import ConfigError

LABELS = ["administrative_review", "enforcement_supervision", "mediation", "legal_outreach", "lawyers"]


def test_default_taxonomy_is_the_guide_in_its_order():
    taxonomy = default_taxonomy()
    assert list(taxonomy.ids) == LABELS
    assert taxonomy["mediation"].name == "人民调解与矛盾纠纷化解"
    assert "5 labels" in repr(taxonomy)
    with pytest.raises(KeyError, match="valid labels"):
        taxonomy["mediaton"]


def test_order_puts_labels_in_guide_order_and_refuses_unknown_ones():
    taxonomy = default_taxonomy()
    assert taxonomy.order(["lawyers", "administrative_review"]) == ["administrative_review", "lawyers"]
    with pytest.raises(ValueError, match="unknown labels"):
        taxonomy.order(["lawyer"])


def test_label_lists_and_indicator_matrices_round_trip():
    lists = [["mediation"], [], ["administrative_review", "lawyers"]]
    matrix = to_indicator(lists, LABELS)
    assert matrix.tolist() == [[0, 0, 1, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1]]
    assert labels_from_indicator(matrix, LABELS) == lists
    assert to_indicator(matrix, LABELS) is not None and is_indicator(matrix) and not is_indicator(lists)


def test_bad_targets_are_refused_with_what_was_expected():
    with pytest.raises(TypeError, match="a list of label ids per example"):
        to_indicator(["mediation"], LABELS)
    with pytest.raises(ValueError, match="unknown label 'mediaton'"):
        to_indicator([["mediaton"]], LABELS)
    with pytest.raises(ValueError, match="5 columns"):
        to_indicator(np.zeros((2, 4)), LABELS)
    with pytest.raises(ValueError, match="0/1 values"):
        to_indicator(np.full((2, 5), 2), LABELS)


def test_a_taxonomy_from_data_is_validated():
    data = default_taxonomy().to_dict()
    assert Taxonomy.from_dict(data).ids == default_taxonomy().ids
    data["labels"][1]["id"] = data["labels"][0]["id"]
    with pytest.raises(ConfigError, match="duplicate label ids"):
        Taxonomy.from_dict(data)
    with pytest.raises(ConfigError, match="lower-case identifier"):
        Taxonomy.from_dict({"labels": [{"id": "Bad Id", "name": "x", "description": "y"}]})


def _one_label(cues: list[str]) -> dict:
    return {"labels": [{"id": "review", "name": "复议", "description": "d", "cues": cues}]}


@pytest.mark.parametrize("pattern", [r"re:(\S*)*@", r"re:\S*@", "re:(复议)+", "re:(a|ab){0,5}c", r"re:(复议)\1",
                                     "re:" + ".{0,20}" * 3, "re:(", "re:" + "a" * 201])
def test_cue_patterns_that_could_backtrack_without_bound_or_do_not_compile_are_refused(pattern):
    with pytest.raises(ConfigError, match=r"labels\[0\]\.cues.*cue pattern"):
        Taxonomy.from_dict(_one_label(["复议", pattern]))


def test_bounded_cue_patterns_are_accepted_and_fire():
    from nlp.classifier.rules import KeywordLabeler

    taxonomy = Taxonomy.from_dict(_one_label([r"re:复议.{0,6}案件", r"re:(?:行政|司法)诉讼", r"re:^\d{1,4}件"]))
    labeler = KeywordLabeler(taxonomy).fit([])
    assert labeler.predict(["受理复议申请案件12件。", "行政诉讼案件下降。", "召开会议。"]) == [["review"], ["review"], []]
