"""The indicator table: extract_indicators, Report/Corpus methods, bad input, conflicts."""
from __future__ import annotations

import logging

import pandas as pd
import pytest

import nlp
from nlp.indicators import INDICATOR_COLUMNS, extract_indicators


def test_report_method_and_columns():
    report = nlp.read_report("一、主要举措和成效\n全年调解矛盾纠纷1.2万件，调解成功率98.9%。", metadata={"district": "甲区", "year": 2024})
    table = report.indicators()
    assert list(table.columns) == INDICATOR_COLUMNS
    assert table[["indicator", "value", "unit", "district"]].values.tolist() == [
        ["mediation.cases", 12000.0, "件", "甲区"], ["mediation.success_rate", 98.9, "%", "甲区"]]
    assert table["period"].tolist() == ["2024", "2024"]
    for row in table.itertuples():
        assert row.evidence in report.paragraphs.set_index("para_id").loc[row.para_id, "text"]


def test_seed_corpus_method_equals_function():
    corpus = nlp.load_corpus("seeds")
    table = corpus.indicators()
    pd.testing.assert_frame_equal(table, nlp.extract_indicators(corpus))
    assert set(table["district"]) == {"西湖区", "瓯海区", "余杭区", "钱塘区"}
    assert not table["conflict"].any()


def test_a_report_without_figures_gives_an_empty_table_with_the_columns():
    table = extract_indicators(nlp.read_report("一、主要举措和成效\n深入学习贯彻习近平法治思想。"))
    assert table.empty and list(table.columns) == INDICATOR_COLUMNS
    assert str(table["value"].dtype) == "float64"


def test_malformed_numbers_warn_and_never_crash(caplog):
    with caplog.at_level(logging.WARNING):
        table = extract_indicators("一、主要举措和成效\n受理行政复议申请1..2件，纠错率12,34,5%，审结复议案件30件。")
    assert table["indicator"].tolist() == ["review.closed"]
    assert len(table.attrs["warnings"]) == 2 and "malformed" in caplog.text


def test_disagreeing_figures_are_both_kept_and_flagged():
    text = "一、主要举措和成效\n全年调解矛盾纠纷1,200件。\n全年共调解矛盾纠纷1,250起，调解成功率99%。"
    table = extract_indicators(nlp.read_report(text, metadata={"district": "甲区", "year": 2024}))
    cases = table[table["indicator"] == "mediation.cases"]
    assert cases["value"].tolist() == [1200.0, 1250.0] and cases["conflict"].all()
    assert not table.loc[table["indicator"] == "mediation.success_rate", "conflict"].any()


def test_equal_figures_within_tolerance_are_no_conflict():
    text = "一、主要举措和成效\n调解矛盾纠纷1.2万件。\n全年调解矛盾纠纷12,000件。"
    assert not extract_indicators(text)["conflict"].any()


def test_rejects_other_inputs():
    with pytest.raises(TypeError, match="expected a Report"):
        extract_indicators(42)
    with pytest.raises(ValueError, match="'text' column"):
        extract_indicators(pd.DataFrame({"x": [1]}))
