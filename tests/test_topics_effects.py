"""Covariate effects: the fractional-logit regression recovers an effect planted in a synthetic corpus."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.topics.effects import EFFECT_COLUMNS, design_matrix, topic_effects


def _synthetic(effect: float = 1.0, seed: int = 0):
    """60 reports x 6 paragraphs; plans paragraphs carry more of T0 (log-odds + effect), years none."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(60):
        district = f"d{r % 10:02d}"
        report_shift = rng.normal(0, 0.5)  # reports differ: paragraphs of a report are correlated
        for p in range(6):
            role = ["achievements", "achievements", "achievements", "problems", "plans", "plans"][p]
            logit = -0.5 + report_shift + (effect if role == "plans" else 0.0) + rng.normal(0, 0.3)
            rows.append({"doc_id": f"r{r}", "district": district, "year": 2021 + r % 3, "section_role": role,
                         "share": 1 / (1 + np.exp(-logit))})
    frame = pd.DataFrame(rows)
    rest = 1 - frame["share"].to_numpy()
    theta = np.c_[frame["share"], rest * 0.5, rest * 0.5]
    return frame, theta


def test_the_planted_effect_is_recovered():
    frame, theta = _synthetic(effect=1.0)
    table = topic_effects(theta, frame, ["district", "year", "section_role"], clusters=frame["doc_id"])
    assert list(table.columns) == EFFECT_COLUMNS
    plans = table[(table["topic"] == "T0") & (table["level"] == "plans")].iloc[0]
    assert plans["reference"] == "achievements"
    assert plans["ci_low"] < 1.0 < plans["ci_high"] and plans["estimate"] == pytest.approx(1.0, abs=0.25)
    assert plans["q_value"] < 0.01 and plans["effect_on_share"] > 0.15
    # no effect planted for problems or years; districts differ only through their reports' random shifts
    null_rows = table[(table["topic"] == "T0") & (table["level"] != "plans")]
    assert (null_rows.loc[null_rows["term"] != "district", "q_value"] > 0.05).all()
    assert (null_rows.loc[null_rows["term"] == "district", "q_value"] < 0.05).sum() <= 1


def test_no_effect_planted_none_found():
    frame, theta = _synthetic(effect=0.0, seed=1)
    table = topic_effects(theta, frame, ["section_role", "year"], clusters=frame["doc_id"])
    assert (table["q_value"] > 0.05).all()


def test_clustered_errors_are_wider_than_naive_ones():
    frame, theta = _synthetic(effect=1.0)
    clustered = topic_effects(theta, frame, ["year"], clusters=frame["doc_id"])
    naive = topic_effects(theta, frame, ["year"])
    assert clustered["std_error"].iloc[0] > 1.3 * naive["std_error"].iloc[0]


def test_a_level_of_one_report_gets_no_interval(caplog):
    frame, theta = _synthetic()
    frame.loc[frame["doc_id"] == "r0", "district"] = "lonely"
    with caplog.at_level("WARNING", logger="nlp.topics.effects"):
        table = topic_effects(theta, frame, ["district"], clusters=frame["doc_id"])
    lonely = table[table["level"] == "lonely"]
    assert not lonely["identified"].any() and lonely["std_error"].isna().all()
    assert np.isfinite(lonely["estimate"]).all()
    assert any("lonely" in r.getMessage() for r in caplog.records)


def test_design_and_input_errors():
    frame = pd.DataFrame({"role": ["a", "b", "b"], "year": [2020, 2021, 2022]})
    X, info = design_matrix(frame, ["role", "year"])
    assert list(X.columns) == ["const", "role[a]", "year"] and X["year"].tolist() == [-1.0, 0.0, 1.0]
    assert info[0]["reference"] == "b"
    with pytest.raises(ValueError, match="unknown covariates"):
        topic_effects(np.full((3, 2), 0.5), frame, ["district"])
    with pytest.raises(ValueError, match="at least one covariate"):
        topic_effects(np.full((3, 2), 0.5), frame, [])


def test_result_effects_and_plot(lda_result):
    from nlp.topics.plots import coefficient_plot

    table = lda_result.effects(["section_role", "year"])
    assert set(table["topic"]) == set(lda_result.topic_columns)
    assert set(table["term"]) <= {"section_role", "year"}
    fig = coefficient_plot(table)
    assert fig.axes


def test_collinear_covariates_are_left_out_not_an_error(caplog):
    frame, theta = _synthetic()
    frame["year"] = np.where(frame["district"] == "d00", 2019, 2024)  # only one district has 2019
    with caplog.at_level("WARNING", logger="nlp.topics.effects"):
        table = topic_effects(theta, frame, ["district", "year", "section_role"], clusters=frame["doc_id"])
    year = table[table["term"] == "year"]
    assert not year["identified"].any() and year["estimate"].isna().all()
    assert table.loc[table["level"] == "plans", "identified"].all()
    assert any("collinear" in r.getMessage() for r in caplog.records)


def test_a_separated_level_gets_no_interval():
    frame, theta = _synthetic()
    preamble = (frame["doc_id"].str[1:].astype(int) < 60) & (frame.index % 6 == 3)
    frame.loc[preamble, "section_role"] = "preamble"
    theta = theta.copy()
    theta[preamble.to_numpy(), 0] = 0.0  # no preamble paragraph says anything of T0
    theta[preamble.to_numpy(), 1:] = 0.5
    table = topic_effects(theta, frame, ["section_role"], clusters=frame["doc_id"])
    row = table[(table["topic"] == "T0") & (table["level"] == "preamble")].iloc[0]
    assert not row["identified"] and np.isnan(row["std_error"])
    assert table[(table["topic"] == "T0") & (table["level"] == "plans")]["identified"].all()
