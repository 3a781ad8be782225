"""Topic models (issue 4): fitting, district comparison, outputs, config, CLI, MLflow.

Offline and deterministic, on the real seeds. Fitted models are shared through
module-scoped fixtures so the file stays well under a minute on 2 cores.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nlp
from nlp.config import ConfigError
from nlp.paths import project_root
from nlp.topics import compare as cmp
from nlp.topics.documents import aggregate_to_paragraphs, make_tokenizer, place_names, unit_table
from nlp.topics.metrics import coherence, topic_diversity
from nlp.topics.schema import load_topics_config
from nlp.topics.selection import choose_k

DISTRICTS = {"滨江区", "西湖区", "瓯海区", "余杭区", "钱塘区"}
FAST_LDA = {"k_values": [3, 4], "n_restarts": 2, "passes": 5, "iterations": 50}
FAST_COMPARE = {"n_boot": 300, "n_perm": 100}


@pytest.fixture(scope="module")
def lda_result(corpus):
    return nlp.fit_topics(corpus, "lda", progress=False, **FAST_LDA)


@pytest.fixture(scope="module")
def bertopic_result(corpus):
    return nlp.fit_topics(corpus, "bertopic", progress=False, n_topics=6)


@pytest.fixture(params=["lda", "bertopic"])
def any_result(request):
    return request.getfixturevalue(f"{request.param}_result")


# --- the package stays light -------------------------------------------------

def test_import_nlp_does_not_import_heavy_libraries():
    code = ("import sys, nlp, nlp.topics, nlp.topics.run, nlp.topics.outputs; nlp.fit_topics; "
            "print([m for m in ('gensim', 'bertopic', 'torch', 'mlflow', 'umap') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_exports():
    assert nlp.fit_topics is nlp.topics.fit_topics
    assert nlp.TopicResult is nlp.topics.TopicResult


# --- fitting -----------------------------------------------------------------

def test_doc_topics_aligned_with_paragraphs(any_result, corpus):
    doc = any_result.doc_topics
    paras = corpus.paragraphs
    assert doc.index.equals(paras.index)
    assert doc["doc_id"].tolist() == paras["doc_id"].tolist()
    assert doc["para_id"].tolist() == paras["para_id"].tolist()
    assert set(["district", "year", "section_role", "topic"]) <= set(doc.columns)
    np.testing.assert_allclose(any_result.theta().sum(axis=1), 1.0, atol=1e-9)


def test_topic_words(any_result):
    words = any_result.topic_words
    assert list(words.columns) == ["topic", "label", "rank", "word", "weight"]
    assert words.groupby("topic").size().min() >= 5
    assert set(any_result.top_words()["label"]) == {c for c in any_result.topic_columns if c != "outlier"}
    # boilerplate and place names are not topic words
    assert not set(words["word"]) & {"推进", "加强", "开展", "工作", "滨江", "滨江区", "西湖"}


def test_prevalence_per_district_sums_to_one(any_result):
    table = any_result.by_district(n_boot=300)
    sums = table.groupby("district")["prevalence"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-9)
    assert (table["ci_low"] <= table["prevalence"] + 1e-12).all()
    assert (table["prevalence"] <= table["ci_high"] + 1e-12).all()


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


def test_coherence_is_computed(any_result):
    for key in ("coherence_c_v", "coherence_c_npmi", "coherence_u_mass", "diversity"):
        assert np.isfinite(any_result.metrics[key]), key
    assert 0 < any_result.metrics["diversity"] <= 1
    assert {"c_v", "c_npmi", "u_mass"} <= set(any_result.topic_quality.columns)


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


def test_bertopic_same_seed_gives_identical_results(corpus, bertopic_result):
    again = nlp.fit_topics(corpus, "bertopic", progress=False, n_topics=6)
    pd.testing.assert_frame_equal(again.doc_topics, bertopic_result.doc_topics)
    pd.testing.assert_frame_equal(again.topic_words, bertopic_result.topic_words)


def test_bertopic_kmeans_has_no_outliers(bertopic_result):
    assert bertopic_result.metrics["outlier_share"] == 0.0
    assert bertopic_result.n_topics == 6
    assert "outlier" not in bertopic_result.topic_columns


def test_bertopic_hdbscan_leaves_under_a_third_outliers(corpus):
    # HDBSCAN alone leaves about half of the seed paragraphs as outliers; reduce_outliers re-assigns them
    result = nlp.fit_topics(corpus, "bertopic", progress=False, clustering="hdbscan", min_cluster_size=5)
    assert result.metrics["outlier_share_before_reduction"] > 1 / 3
    assert result.metrics["outlier_share"] < 1 / 3
    np.testing.assert_allclose(result.theta().sum(axis=1), 1.0)
    assert result.by_district(n_boot=100).groupby("district")["prevalence"].sum().round(9).eq(1).all()


def test_bertopic_outliers_kept_as_their_own_column(corpus):
    result = nlp.fit_topics(corpus, "bertopic", progress=False, clustering="hdbscan", min_cluster_size=5,
                            outlier_strategy="none")
    assert result.topic_columns[-1] == "outlier" and result.metrics["outlier_share"] > 0
    assert (result.doc_topics.loc[result.doc_topics["outlier"] == 1, "topic"] == -1).all()
    np.testing.assert_allclose(result.theta().sum(axis=1), 1.0)
    sums = result.by_district(n_boot=100).groupby("district")["prevalence"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


def test_sentence_units_report_per_paragraph(corpus):
    result = nlp.fit_topics(corpus, "lda", progress=False, unit="sentence", n_topics=3, n_restarts=1, passes=3,
                            iterations=30)
    assert len(result.doc_topics) == len(corpus.paragraphs)
    assert len(result.unit_topics) > len(corpus.paragraphs)
    assert "sent_id" in result.unit_topics.columns
    np.testing.assert_allclose(result.theta().sum(axis=1), 1.0, atol=1e-9)


def test_label_topic_table_uses_gold_labels(lda_result):
    table = lda_result.label_topics()
    assert set(table["label"]) == {"administrative_review", "enforcement_supervision", "legal_outreach",
                                   "mediation", "lawyers"}
    assert (table["n_gold"] == 71).all() and (table["n_predicted"] == 0).all()
    np.testing.assert_allclose(table.groupby("label")["share_of_label"].sum().to_numpy(), 1.0)
    assert set(table["topic"]) == set(lda_result.topic_columns)


def test_fit_options_are_validated(corpus):
    with pytest.raises(ConfigError, match="n_topic"):
        nlp.fit_topics(corpus, "bertopic", n_topic=5)
    with pytest.raises(ConfigError, match="passes"):
        nlp.fit_topics(corpus, "lda", passes=0)
    with pytest.raises(ValueError, match="method"):
        nlp.fit_topics(corpus, "nmf")


# --- BERTopic stages, each alone ---------------------------------------------

def test_embedding_stage_is_offline_tfidf_svd(corpus):
    from nlp.topics.bertopic_model import make_embedding

    pipe = make_embedding(n_components=5, tokenizer=make_tokenizer())
    vectors = pipe.fit_transform(corpus.paragraphs["text"].tolist())
    assert vectors.shape == (len(corpus.paragraphs), 5)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_sentence_transformers_needs_a_local_folder(tmp_path):
    from nlp.topics.bertopic_model import make_embedding

    with pytest.raises(ValueError, match="embedding_model_path"):
        make_embedding("sentence_transformers")
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        make_embedding("sentence_transformers", model_path="paraphrase-multilingual-MiniLM-L12-v2")
    with pytest.raises(FileNotFoundError):
        make_embedding("sentence_transformers", model_path=str(tmp_path / "missing"))


def test_local_sentence_transformers_folder(tmp_path, corpus):
    """A tiny character-embedding model, built and saved here, loads from its folder offline."""
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers

    try:
        from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    except ImportError:  # older sentence-transformers
        from sentence_transformers.models import StaticEmbedding

    chars = sorted({ch for text in corpus.paragraphs["text"] for ch in text})
    tokenizer = Tokenizer(models.WordLevel({"[UNK]": 0, **{ch: i + 1 for i, ch in enumerate(chars)}}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    weights = np.random.default_rng(0).normal(size=(len(chars) + 1, 16)).astype("float32")
    SentenceTransformer(modules=[StaticEmbedding(tokenizer, embedding_weights=weights)], device="cpu").save(str(tmp_path))
    options = dict(embedding="sentence_transformers", embedding_model_path=str(tmp_path), n_topics=5)
    first = nlp.fit_topics(corpus, "bertopic", progress=False, **options)
    second = nlp.fit_topics(corpus, "bertopic", progress=False, **options)
    assert first.model.embeddings_.shape == (len(corpus.paragraphs), 16)
    assert first.n_topics == 5 and first.metrics["outlier_share"] == 0
    pd.testing.assert_frame_equal(first.doc_topics, second.doc_topics)


def test_reduction_clustering_vectorizer_stages():
    from nlp.topics.bertopic_model import make_clustering, make_reduction, make_vectorizer

    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.1, (10, 6)), rng.normal(3, 0.1, (10, 6))])
    assert make_reduction("pca", 2).fit_transform(x).shape == (20, 2)
    assert make_reduction("none").fit(x).transform(x).shape == (20, 6)
    labels = make_clustering("kmeans", n_clusters=2).fit(x).labels_
    assert len(set(labels)) == 2 and (labels[:10] == labels[0]).all()
    assert len(set(make_clustering("hdbscan", min_cluster_size=3).fit(x).labels_) - {-1}) == 2
    vec = make_vectorizer(make_tokenizer())
    vec.fit(["全区行政复议收案845件。", "推进普法宣传。"])
    assert {"行政复议", "普法"} <= set(vec.get_feature_names_out()) and "推进" not in vec.vocabulary_
    with pytest.raises(ValueError, match="expected one of"):
        make_clustering("dbscan")


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
    row = cmp.contrasts(theta, groups, n_boot=300, n_perm=500).set_index(["group", "topic"]).loc[("z", "T1")]
    assert row["prevalence"] == 0 and row["lift_high"] < 1  # the bootstrap interval alone would say "under"
    assert row["p_value"] > 0.05 and not row["under"]


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


# --- metrics, K rule, documents -----------------------------------------------

def test_topic_diversity_and_coherence():
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    texts = [["复议", "应诉", "案件"], ["复议", "应诉"], ["普法", "宣传"], ["普法", "宣传", "活动"]] * 3
    scores = coherence([["复议", "应诉"], ["普法", "宣传"]], texts)
    assert set(scores) == {"c_v", "c_npmi", "u_mass"} and all(np.isfinite(v) for v in scores.values())
    assert np.isnan(coherence([["不存在", "没有"]], texts, measures=["u_mass"])["u_mass"])


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


def test_documents_helpers(corpus):
    assert place_names(["滨江区", "杭州市", None]) == ["杭州", "杭州市", "滨江", "滨江区"]
    sentences = unit_table(corpus.paragraphs, "sentence")
    assert sentences["row"].nunique() == len(corpus.paragraphs)
    weights = aggregate_to_paragraphs(np.eye(2)[[0, 1, 1]], [0, 0, 1], 2, token_counts=[3, 1, 5])
    np.testing.assert_allclose(weights, [[4 / 6, 2 / 6], [0, 1]])
    tokens = make_tokenizer(places=["滨江区", "滨江"])("滨江区推进行政复议工作")
    assert tokens == ["行政复议"]


# --- configs, plots, outputs, CLI, MLflow ---------------------------------------

def test_configs_load_and_validate(tmp_path):
    lda = load_topics_config("configs/topics_lda.yaml")
    bert = load_topics_config("configs/topics_bertopic.yaml", overrides=["bertopic.n_topics=5"])
    assert lda["method"] == "lda" and lda["lda"]["n_topics"] is None and lda["lda"]["k_rule"] == "one_se"
    assert lda["lda"]["random_state"] == 0 and lda["lda"]["n_restarts"] == 5
    assert bert["method"] == "bertopic" and bert["bertopic"]["n_topics"] == 5
    source = (project_root() / "configs" / "topics_lda.yaml").read_text(encoding="utf-8")
    cases = {
        "unknown.yaml": (source.replace("  passes: 10", "  passes: 10\n  pases: 3"), "lda.pases"),
        "type.yaml": (source.replace("  passes: 10", "  passes: many"), "lda.passes"),
        "range.yaml": (source.replace("  no_above: 0.5", "  no_above: 1.5"), "lda.no_above"),
        "choice.yaml": (source.replace("method: lda", "method: nmf"), "method"),
    }
    for name, (text, key) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as info:
            load_topics_config(path)
        assert key in str(info.value) and name in str(info.value)


def test_plots_fall_back_to_latin_labels(monkeypatch, lda_result):
    from nlp.topics import plots

    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    assert plots.axis_labels(["滨江区", "西湖区", "plans"], {"滨江区": "Binjiang"}) == ["Binjiang", "G2", "plans"]
    fig = plots.prevalence_heatmap(lda_result.compare_districts(**FAST_COMPARE).prevalence_matrix())
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == lda_result.topic_columns
    monkeypatch.setattr(plots, "cjk_font", lambda: "DejaVu Sans")
    assert plots.axis_labels(["滨江区"]) == ["滨江区"]
    assert plots._topic_labels(["T0"], {"T0": ["普法", "调解"]}) == ["T0 普法/调解"]


def test_bertopic_outputs_include_html(tmp_path, bertopic_result):
    from nlp.topics.outputs import write_outputs

    comparisons = {"district": bertopic_result.compare_districts(**FAST_COMPARE)}
    files = write_outputs(bertopic_result, comparisons, tmp_path, bertopic_result.label_topics(), dpi=60)
    for name in ("topic_words.csv", "doc_topics.csv", "prevalence_district.csv", "heatmap_district.png",
                 "js_divergence_district.csv", "label_topics.csv", "metrics.json", "bertopic_barchart.html",
                 "bertopic_topics_per_district.html", "plot_labels.csv"):
        assert (tmp_path / name).exists(), name
    assert (tmp_path / "bertopic_barchart.html").stat().st_size < 1_000_000
    assert "k_curve.png" not in files
    prevalence = pd.read_csv(tmp_path / "prevalence_district.csv")
    assert set(prevalence["district"]) == DISTRICTS


def test_cli_topics_writes_outputs(tmp_path, capsys):
    from nlp.cli import main

    code = main(["topics", "--config", "configs/topics_lda.yaml", "--set", "lda.k_values=[3]", "--set", "lda.n_restarts=1",
                 "--set", "lda.passes=3", "--set", "compare.n_boot=200", "--set", "compare.n_perm=50",
                 "--set", "compare.by=[district]", "--set", "plots.dpi=50", "--output", str(tmp_path), "--no-mlflow"])
    assert code == 0
    out = capsys.readouterr().out
    assert "lda: 3 topics over 71 paragraphs" in out and "MLflow" not in out
    for name in ("k_curve.png", "k_sweep.csv", "heatmap_district.png", "prevalence_intervals_district.png",
                 "top_topics_district.csv", "js_tests_district.csv", "label_topics.png", "config.yaml"):
        assert (tmp_path / name).exists(), name
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["method"] == "lda" and metrics["n_topics"] == 3


def test_cli_topics_bad_override_is_one_line_error(capsys):
    from nlp.cli import main

    assert main(["topics", "--config", "configs/topics_lda.yaml", "--set", "lda.k_rule=elbow", "--no-mlflow"]) == 1
    err = capsys.readouterr().err
    assert "lda.k_rule" in err and "topics_lda.yaml" in err and "Traceback" not in err


def test_run_logs_metrics_and_artifacts_to_mlflow(tmp_path, monkeypatch, corpus, tracking_uri):
    from nlp.topics.run import run_topics

    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    config = load_topics_config("configs/topics_lda.yaml", overrides=[
        "lda.k_values=[3, 4]", "lda.n_restarts=1", "lda.passes=3", "lda.iterations=20", "compare.n_boot=200",
        "compare.n_perm=50",
        "compare.by=[district]", "plots.dpi=50"])
    outcome = run_topics(config, config_path="configs/topics_lda.yaml", output_dir=tmp_path / "out",
                         track=True, corpus=corpus, experiment="topics-test", progress=False)
    assert outcome.run_id

    import mlflow

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    run = client.get_run(outcome.run_id)
    assert run.info.status == "FINISHED"
    for key in ("coherence_c_v", "coherence_c_npmi", "coherence_u_mass", "diversity", "lda_k_chosen"):
        assert key in run.data.metrics, key
    assert run.data.params["method"] == "lda"
    assert [m.step for m in client.get_metric_history(outcome.run_id, "k_sweep_c_v_mean")] == [3, 4]
    artifacts = {a.path for a in client.list_artifacts(outcome.run_id)}
    assert {"heatmap_district.png", "k_curve.png", "topic_words.csv", "prevalence_district.csv",
            "config.yaml"} <= artifacts


def test_labels_fall_back_to_predictions_then_skip(monkeypatch, lda_result, corpus):
    from nlp.topics import label_relation

    unlabelled = corpus.paragraphs.drop(columns=["labels"])
    labels, source = label_relation.resolve_labels(unlabelled, use_classifier=False)
    assert labels == [None] * len(unlabelled) and set(source) == {None}
    assert label_relation.label_topic_table(lda_result.theta(), labels).empty
    monkeypatch.setattr(label_relation, "_predict", lambda texts, model_dir=None: [["mediation"]] * len(texts))
    labels, source = label_relation.resolve_labels(unlabelled)
    assert set(source) == {"predicted"}
    table = label_relation.label_topic_table(lda_result.theta(), labels, source=source)
    assert (table["n_predicted"] == len(unlabelled)).all() and set(table["label"]) == {"mediation"}
    monkeypatch.setattr(label_relation, "_predict", lambda texts, model_dir=None: None)  # no classifier or model
    labels, source = label_relation.resolve_labels(unlabelled)
    assert labels == [None] * len(unlabelled)
