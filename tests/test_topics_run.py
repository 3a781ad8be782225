"""Running topic models: configs, plots, output files, the CLI (``nlp topics``) and MLflow logging."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from nlp.config import ConfigError
from nlp.paths import project_root
from nlp.topics.schema import load_topics_config

from conftest import DISTRICTS, FAST_COMPARE


def test_configs_load_and_validate(tmp_path):
    lda = load_topics_config("configs/topics_lda.yaml")
    bert = load_topics_config("configs/topics_bertopic.yaml", overrides=["bertopic.n_topics=5"])
    assert lda["method"] == "lda" and lda["lda"]["n_topics"] is None and lda["lda"]["k_rule"] == "one_sd"
    assert lda["lda"]["random_state"] == 0 and lda["lda"]["n_restarts"] == 5
    assert bert["method"] == "bertopic" and bert["bertopic"]["n_topics"] == 5
    source = (project_root() / "configs" / "topics_lda.yaml").read_text(encoding="utf-8")
    cases = {
        "unknown.yaml": (source.replace("  passes: 30", "  passes: 30\n  pases: 3"), "lda.pases"),
        "type.yaml": (source.replace("  passes: 30", "  passes: many"), "lda.passes"),
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


def test_a_failed_write_keeps_the_previous_results_whole(tmp_path, lda_result, monkeypatch):
    """Results folders are replaced whole: a write that fails part-way leaves the last results untouched."""
    from nlp.topics import outputs

    comparisons = {"district": lda_result.compare_districts(**FAST_COMPARE)}
    target = tmp_path / "lda"
    target.mkdir()
    (target / "notes.txt").write_text("kept", encoding="utf-8")  # not ours: survives every write
    files = outputs.write_outputs(lda_result, comparisons, target, html=False, dpi=40)
    assert all(path.parent == target and path.exists() for path in files.values())
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(outputs, "_png", disk_full)  # after the first CSVs are written, before the figures
    other = {"district": lda_result.compare_districts(**{**FAST_COMPARE, "n_boot": 100})}  # other intervals
    with pytest.raises(OSError, match="No space"):
        outputs.write_outputs(lda_result, other, target, html=False, dpi=40)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["lda"]  # no temporary folder left behind
