"""Comparing districts on their figures, and the figure per area."""
from __future__ import annotations

import pytest

import nlp
from nlp.indicators import compare_indicators, extract_indicators
from nlp.indicators.plots import plot_labels


@pytest.fixture(scope="module")
def seed_table():
    return extract_indicators(nlp.load_corpus("seeds"))


def test_wide_table_of_the_seeds(seed_table):
    comparison = nlp.compare_indicators(seed_table, by="district")
    wide = comparison.wide
    assert wide.index.names == ["district", "period"]
    assert wide.loc[("西湖区", "2024"), "review.applications"] == 845.0
    assert wide.loc[("余杭区", "2023"), "litigation.head_appearance_rate"] == 100.0
    # 件 and 起 count the same thing: one column for mediation.cases
    assert wide.loc[("钱塘区", "2024"), "mediation.cases"] == 6602.0
    assert comparison.conflicts.empty


def test_conflicts_are_listed_not_resolved():
    text = "一、主要举措和成效\n全年调解矛盾纠纷1,200件。\n全年调解矛盾纠纷1,250件。"
    table = extract_indicators(nlp.read_report(text, metadata={"district": "甲区", "year": 2024}))
    comparison = compare_indicators(table)
    assert comparison.conflicts["values"].tolist() == [[1200.0, 1250.0]]
    assert comparison.wide.loc[("甲区", "2024"), "mediation.cases"] == 1200.0


def test_one_figure_per_area(seed_table):
    comparison = compare_indicators(seed_table)
    figures = comparison.figures({"西湖区": "Xihu"})
    assert set(figures) == {"administrative_review", "enforcement_supervision", "mediation", "legal_outreach"}
    labels = plot_labels(comparison, {"西湖区": "Xihu"})
    assert {"district", "indicator"} <= set(labels["kind"])


def test_empty_table_and_bad_arguments():
    empty = extract_indicators("一、主要举措和成效\n深入学习。")
    comparison = compare_indicators(empty)
    assert comparison.wide.empty and comparison.figures() == {}
    with pytest.raises(ValueError, match="by: expected one of"):
        compare_indicators(empty, by="province")
    with pytest.raises(TypeError):
        compare_indicators([1, 2])
