"""Comparing topic prevalence between groups: districts and section roles on fitted models, and the
statistics (JS divergence, prevalence, bootstrap intervals, contrasts, permutation tests,
Benjamini-Hochberg, partition agreement) on hand-written data; the topic modules' doctests.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nlp.topics import compare as cmp

from conftest import DISTRICTS, FAST_COMPARE


def test_every_district_appears(any_result):
    comparison = any_result.compare_districts(**FAST_COMPARE)
    assert set(comparison.prevalence["group"]) == DISTRICTS
    assert set(comparison.contrasts["group"]) == DISTRICTS
    assert set(comparison.divergence.index) == DISTRICTS
    assert set(comparison.top["group"]) == DISTRICTS
    assert len(comparison.divergence_tests) == 10  # 5 choose 2
    matrix = comparison.divergence.to_numpy()
    np.testing.assert_allclose(matrix, matrix.T)
    assert np.all(np.diag(matrix) == 0) and np.all((matrix >= 0) & (matrix <= 1))


def test_compare_by_section_role(lda_result):
    comparison = lda_result.compare("section_role", **FAST_COMPARE)
    assert {"achievements", "problems", "plans"} <= set(comparison.prevalence["group"])
    sums = comparison.prevalence_matrix().sum(axis=1)
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-9)


# --- comparison statistics on hand-written data ------------------------------

def test_js_divergence_bounds():
    assert cmp.js_divergence([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == pytest.approx(0.0, abs=1e-12)
    assert cmp.js_divergence([1, 0], [0, 1]) == pytest.approx(1.0)
    a, b = [0.7, 0.2, 0.1], [0.1, 0.3, 0.6]
    assert cmp.js_divergence(a, b) == pytest.approx(cmp.js_divergence(b, a))
    assert 0 < cmp.js_divergence(a, b) < 1


def _toy():
    theta = np.array([[0.9, 0.1], [0.8, 0.2], [1.0, 0.0], [0.7, 0.3],
                      [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.0, 1.0],
                      [0.5, 0.5], [0.6, 0.4], [0.4, 0.6], [0.5, 0.5]])
    groups = ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    return np.vstack([theta] * 3), groups * 3


def test_prevalence_rows_sum_to_one_and_weights():
    theta, groups = _toy()
    table = cmp.prevalence(theta, groups)
    np.testing.assert_allclose(table.sum(axis=1).to_numpy(), 1.0)
    assert table.loc["a", "T0"] == pytest.approx(0.85)
    assert list(table.index) == ["a", "b", "c"]
    weighted = cmp.prevalence([[1, 0], [0, 1]], ["g", "g"], weights=[3, 1])
    assert weighted.loc["g", "T0"] == pytest.approx(0.75)


def test_bootstrap_interval_contains_point_estimate():
    theta, groups = _toy()
    table = cmp.bootstrap_prevalence(theta, groups, n_boot=500, random_state=1)
    assert ((table["ci_low"] <= table["prevalence"]) & (table["prevalence"] <= table["ci_high"])).all()
    assert (table["ci_high"] - table["ci_low"] > 0).all()
    again = cmp.bootstrap_prevalence(theta, groups, n_boot=500, random_state=1)
    pd.testing.assert_frame_equal(table, again)


def test_contrasts_find_the_over_represented_topic():
    theta, groups = _toy()
    table = cmp.contrasts(theta, groups, n_boot=500, n_perm=500)
    a_t0 = table[(table["group"] == "a") & (table["topic"] == "T0")].iloc[0]
    assert a_t0["lift"] > 1 and a_t0["log_odds_z"] > 0 and a_t0["over"] and a_t0["lift_low"] > 1
    b_t0 = table[(table["group"] == "b") & (table["topic"] == "T0")].iloc[0]
    assert b_t0["lift"] < 1 and b_t0["under"] and b_t0["q_value"] < 0.05
    c_t0 = table[(table["group"] == "c") & (table["topic"] == "T0")].iloc[0]
    assert not c_t0["over"] and not c_t0["under"] and c_t0["p_value"] > 0.05
    top = cmp.top_contrasts(table, n=1)
    assert top[(top["group"] == "a") & (top["direction"] == "over")]["topic"].tolist() == ["T0"]
    assert (top.loc[top["direction"] == "over", "log_odds_z"] > 0).all()
    assert (top.loc[top["direction"] == "under", "log_odds_z"] < 0).all()


def test_js_matrix_and_permutation_tests():
    theta, groups = _toy()
    matrix = cmp.js_divergence_matrix(cmp.prevalence(theta, groups))
    assert matrix.loc["a", "a"] == 0 and matrix.loc["a", "b"] == matrix.loc["b", "a"] > matrix.loc["a", "c"]
    tests = cmp.js_permutation_tests(theta, groups, n_perm=200).set_index(["group_a", "group_b"])
    assert tests.loc[("a", "b"), "p_value"] < 0.05
    same = cmp.js_permutation_tests(np.tile([[0.5, 0.5]], (6, 1)), ["x"] * 3 + ["y"] * 3, n_perm=50)
    assert same["js"].iloc[0] == pytest.approx(0) and same["p_value"].iloc[0] == 1.0


def test_zero_count_cell_is_not_called_significant_from_a_degenerate_interval():
    # group "z" (3 paragraphs) never shows T1, which has 18% overall: 0/3 is well within chance
    theta = np.eye(2)[[0] * 3 + [0] * 24 + [1] * 6]
    groups = ["z"] * 3 + ["r"] * 30
    boot = cmp.contrasts(theta, groups, n_boot=300, n_perm=500, interval="bootstrap")
    row = boot.set_index(["group", "topic"]).loc[("z", "T1")]
    assert row["prevalence"] == 0 and row["lift_high"] < 1  # the bootstrap interval alone would say "under"
    assert row["p_value"] > 0.05 and not row["under"]
    # the pooled interval of a 3-paragraph group is wide enough to include "no difference"
    pooled = cmp.contrasts(theta, groups, n_boot=300, n_perm=500).set_index(["group", "topic"]).loc[("z", "T1")]
    assert pooled["lift_low"] < 1 < pooled["lift_high"] and not pooled["under"]


def test_benjamini_hochberg():
    q = cmp.benjamini_hochberg([0.01, 0.04, 0.03, 0.5, float("nan")])
    np.testing.assert_allclose(q[:4], [0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert np.isnan(q[4])


def test_partition_agreement():
    assert cmp.partition_agreement([0, 0, 1, 1], [1, 1, 0, 0]) == {"adjusted_rand": 1.0, "nmi": 1.0}
    assert cmp.seed_stability([[0, 0, 1, 1], [1, 1, 0, 0]])["adjusted_rand"] == 1.0
    assert np.isnan(cmp.seed_stability([[0, 1]])["adjusted_rand"])


def test_module_doctests():
    import doctest

    from nlp.topics import compare, documents, label_relation, metrics

    for module in (compare, documents, label_relation, metrics):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
