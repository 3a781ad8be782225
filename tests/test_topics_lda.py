"""LDA topic models and the choice of K: the sweep over K and seeds, the K rules, determinism."""
from __future__ import annotations

import pandas as pd
import pytest

import nlp
from nlp.topics.selection import choose_k

from conftest import FAST_LDA


def test_lda_sweep_and_k_rule(lda_result):
    sweep = lda_result.sweep
    assert sorted(map(tuple, sweep[["k", "seed"]].to_numpy().tolist())) == [(3, 0), (3, 1), (4, 0), (4, 1)]
    assert sweep[["c_v", "c_npmi", "u_mass", "diversity"]].notna().all().all()
    summary = lda_result.k_summary
    assert summary["chosen"].sum() == 1
    chosen = int(summary.loc[summary["chosen"], "k"].iloc[0])
    assert chosen == lda_result.n_topics == lda_result.metrics["lda_k_chosen"]


def test_lda_same_seed_gives_identical_results(corpus, lda_result):
    options = dict(FAST_LDA, k_values=[3, 4], n_restarts=2)
    again = nlp.fit_topics(corpus, "lda", progress=False, **options)
    pd.testing.assert_frame_equal(again.doc_topics, lda_result.doc_topics)
    pd.testing.assert_frame_equal(again.topic_words, lda_result.topic_words)
    pd.testing.assert_frame_equal(again.sweep.drop(columns="fit_seconds"), lda_result.sweep.drop(columns="fit_seconds"))


def test_k_rules():
    scores = pd.DataFrame({"k": [3, 3, 4, 4, 5, 5], "seed": [0, 1] * 3,
                           "c_v": [0.40, 0.44, 0.45, 0.47, 0.50, 0.40]})
    k, summary = choose_k(scores, "max_mean")
    assert k == 4 and summary["chosen"].sum() == 1  # means 0.42, 0.46, 0.45
    k, _ = choose_k(scores, "one_se")  # best 0.46, se 0.01 -> threshold 0.45 -> K=4 (3 is below)
    assert k == 4
    noisy = scores.assign(c_v=[0.40, 0.50, 0.45, 0.47, 0.30, 0.60])  # means 0.45, 0.46, 0.45; se(4)=0.01
    assert choose_k(noisy, "one_se")[0] == 3
    tie = pd.DataFrame({"k": [3, 4], "seed": [0, 0], "c_v": [0.5, 0.5]})
    assert choose_k(tie, "max_mean")[0] == 3
    with pytest.raises(ValueError, match="expected one of"):
        choose_k(scores, "elbow")


def test_one_se_pooled_uses_the_median_standard_error():
    # the best K (4) happens to have a tiny SE across seeds; the other Ks show the real noise (SE 0.017)
    rows = [(3, s, v) for s, v in enumerate([0.49, 0.55, 0.52])]
    rows += [(4, s, v) for s, v in enumerate([0.529, 0.530, 0.531])]
    rows += [(5, s, v) for s, v in enumerate([0.47, 0.53, 0.50])]
    scores = pd.DataFrame(rows, columns=["k", "seed", "c_v"])
    assert choose_k(scores, "one_se")[0] == 4  # threshold 0.530 - 0.0006
    k, summary = choose_k(scores, "one_se_pooled")
    assert summary["threshold"].iloc[0] == pytest.approx(0.530 - 0.03 / 3 ** 0.5)
    assert k == 3  # 0.52 is within the pooled noise of the best


def test_one_sd_asks_for_more_than_one_fit_of_seed_noise():
    rows = [(3, s, v) for s, v in enumerate([0.49, 0.55, 0.52])]       # sd 0.03
    rows += [(4, s, v) for s, v in enumerate([0.52, 0.58, 0.55])]      # best mean 0.55, sd 0.03
    rows += [(5, s, v) for s, v in enumerate([0.50, 0.56, 0.53])]
    scores = pd.DataFrame(rows, columns=["k", "seed", "c_v"])
    assert choose_k(scores, "one_se")[0] == 4       # 0.52 < 0.55 - 0.017
    k, summary = choose_k(scores, "one_sd")
    assert summary["threshold"].iloc[0] == pytest.approx(0.55 - 0.03)
    assert k == 3


def _plateau_sweep(peak: int, k_values=range(3, 11), sd: float = 0.03) -> pd.DataFrame:
    """c_v rising by 0.05 per K up to ``peak``, flat after it; every K has the same restart spread ``sd``."""
    offsets = [-sd, 0.0, sd]  # three restarts: mean = level, sd across restarts = sd
    rows = [(k, seed, 0.40 + 0.05 * (min(k, peak) - 3) + off)
            for k in k_values for seed, off in enumerate(offsets)]
    return pd.DataFrame(rows, columns=["k", "seed", "c_v"])


@pytest.mark.parametrize("peak", [3, 5, 8])
def test_one_sd_follows_where_the_curve_stops_rising(peak):
    # not degenerate: the rule is not "the smallest K of the grid"; it moves with the corpus's structure
    k, summary = choose_k(_plateau_sweep(peak), "one_sd")
    assert k == peak
    assert summary["threshold"].iloc[0] == pytest.approx(0.40 + 0.05 * (peak - 3) - 0.03)


def test_one_sd_finds_the_known_number_of_areas_on_the_measured_sweeps():
    # Stored sweeps of experiments/topics_multidistrict.py --part k_evidence (K x 12 seeds, 250 paragraphs
    # that each belong to exactly one of 3 or 5 gold areas). one_se would choose 4 on the 3-area sample.
    from nlp.paths import results_dir

    folder = results_dir() / "topics_multidistrict" / "k_evidence"
    chosen = {}
    for name in ("areas3", "areas5"):
        scores = pd.read_csv(folder / f"{name}.csv", usecols=["k", "seed", "c_v"])
        chosen[name] = choose_k(scores[scores["k"] >= 3], "one_sd")[0]
    assert chosen == {"areas3": 3, "areas5": 5}
