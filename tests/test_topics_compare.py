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


# --- group-size-aware intervals, minimum group size, multiplicity, the permutation unit ----------

def test_pooled_interval_width_shrinks_with_group_size():
    rng = np.random.default_rng(0)
    widths = []
    for n in (1, 3, 10, 30, 100):
        theta = np.eye(4)[rng.integers(0, 4, size=300 + n)]
        table = cmp.pooled_prevalence(theta, ["rest"] * 300 + ["g"] * n).query("group == 'g'")
        widths.append(float((table["ci_high"] - table["ci_low"]).mean()))
    assert all(a > b for a, b in zip(widths, widths[1:])), widths
    assert widths[0] > 0.5  # one paragraph says little


def test_a_one_paragraph_group_is_not_certain():
    theta = np.vstack([np.random.default_rng(0).dirichlet([1.0, 1.0], size=40), [[0.998, 0.002]]])
    table = cmp.pooled_prevalence(theta, ["a"] * 40 + ["b"]).set_index(["group", "topic"])
    low, high = table.loc[("b", "T0"), ["ci_low", "ci_high"]]
    assert high - low > 0.3 and table.loc[("b", "T0"), "prevalence"] == pytest.approx(0.998)
    # the bootstrap cannot see it: a single paragraph resamples to itself
    boot = cmp.bootstrap_prevalence(theta, ["a"] * 40 + ["b"], n_boot=200).set_index(["group", "topic"])
    assert boot.loc[("b", "T0"), "ci_high"] - boot.loc[("b", "T0"), "ci_low"] == pytest.approx(0)


def test_paragraphs_of_one_report_count_less_than_independent_ones():
    rng = np.random.default_rng(1)
    # reports differ strongly in their mix; paragraphs of a report are alike
    mixes = rng.dirichlet([0.3] * 3, size=40)
    theta = np.repeat(mixes, 5, axis=0)
    theta = theta + rng.normal(0, 0.01, theta.shape).clip(-0.005, 0.005)
    theta = theta.clip(0, None) / theta.clip(0, None).sum(axis=1, keepdims=True)
    groups = np.repeat(["a", "b"], 100)
    reports = np.repeat([f"r{i}" for i in range(40)], 5)
    independent = cmp.pooled_prevalence(theta, groups)
    clustered = cmp.pooled_prevalence(theta, groups, clusters=reports)
    width = lambda t: float((t["ci_high"] - t["ci_low"]).mean())  # noqa: E731
    assert width(clustered) > 1.5 * width(independent)
    assert clustered["n_reports"].tolist()[0] == 20


def test_small_groups_are_reported_but_not_tested(caplog):
    theta, groups = _toy()
    theta = np.vstack([theta, [[1.0, 0.0]]])
    groups = [*groups, "tiny"]
    with caplog.at_level("WARNING", logger="nlp.topics.compare"):
        comparison = cmp.compare_groups(theta, groups, by="district", n_boot=200, n_perm=200, min_group_size=3)
    assert comparison.small_groups == ["tiny"]
    assert "tiny" in set(comparison.prevalence["group"])
    assert comparison.prevalence.set_index("group")["small"].loc["tiny"].all()
    assert "tiny" not in set(comparison.contrasts["group"])
    assert "tiny" not in set(comparison.divergence_tests[["group_a", "group_b"]].to_numpy().ravel())
    assert any("tiny" in r.getMessage() for r in caplog.records)


def test_js_pairs_are_corrected_for_multiplicity():
    rng = np.random.default_rng(3)
    theta = rng.dirichlet([0.5] * 4, size=400)  # no group differs: every null is true
    groups = [f"g{i:02d}" for i in rng.integers(0, 20, size=400)]
    tests = cmp.js_permutation_tests(theta, groups, n_perm=300, random_state=0)
    assert len(tests) == 190
    np.testing.assert_allclose(tests["q_value"], cmp.benjamini_hochberg(tests["p_value"]))
    assert (tests["q_value"] >= tests["p_value"] - 1e-12).all()
    assert (tests["p_value"] < 0.05).sum() > 0  # uncorrected, chance alone "finds" differences
    assert not tests["significant"].any()


def test_a_district_that_is_one_specialised_report_is_not_flagged():
    # 20 districts of one report (5 paragraphs) each; district d00's report is all about T0
    rng = np.random.default_rng(4)
    theta = rng.dirichlet([1.0] * 4, size=100)
    theta[:5] = [0.97, 0.01, 0.01, 0.01]
    groups = np.repeat([f"d{i:02d}" for i in range(20)], 5)
    by_paragraph = cmp.contrasts(theta, groups, n_boot=200, n_perm=2000).set_index(["group", "topic"])
    by_report = cmp.contrasts(theta, groups, n_boot=200, n_perm=2000, clusters=groups).set_index(["group", "topic"])
    assert by_paragraph.loc[("d00", "T0"), "over"]  # shuffled paragraphs make one report look like a district effect
    assert not by_report.loc[("d00", "T0"), "over"]  # one report of 20: p >= 1/20
    assert by_report.loc[("d00", "T0"), "p_value"] > 0.03  # about 1/20
    assert cmp.permutation_unit(groups, groups) == "report"
    assert cmp.permutation_unit(np.tile(["a", "b"], 50), groups) == "within_report"
    assert cmp.permutation_unit(groups, None) == "paragraph"


def test_vectorised_pair_tests_match_a_direct_loop():
    rng = np.random.default_rng(5)
    theta = rng.dirichlet([1.0] * 3, size=30)
    groups = ["a"] * 12 + ["b"] * 18
    fast = cmp.js_permutation_tests(theta, groups, n_perm=4000, random_state=0).iloc[0]
    ia, ib = np.arange(12), np.arange(12, 30)
    observed = cmp.js_divergence(theta[ia].mean(axis=0), theta[ib].mean(axis=0))
    null = []
    for _ in range(4000):
        perm = rng.permutation(30)
        null.append(cmp.js_divergence(theta[perm[:12]].mean(axis=0), theta[perm[12:]].mean(axis=0)))
    assert fast["js"] == pytest.approx(observed)
    assert fast["p_value"] == pytest.approx(np.mean(np.array(null) >= observed), abs=0.03)
    assert fast["js_null_mean"] == pytest.approx(np.mean(null), rel=0.1)
