"""The main job's wiring (the heavy steps have their own tests)."""
from __future__ import annotations

from nlp.pipeline import run_main


def test_main_job_writes_a_report_page(tmp_path):
    report = tmp_path / "report.md"
    outcome = run_main("configs/main.yaml", ["classifier.enabled=false", "topics.enabled=false",
                                             f"report.path={report}"], tracking=False, progress=False)
    assert outcome.report == report
    text = report.read_text(encoding="utf-8")
    assert "## Corpus" in text
    for district in ("滨江区", "西湖区", "瓯海区", "余杭区", "钱塘区"):
        assert district in text
    assert "mlflow ui" in text
    assert "## Indicators" in text and (tmp_path / "indicators" / "comparison_wide.csv").exists()


def _fast_configs(folder):
    """The project's classifier and topic configs, made small: the main job's wiring in seconds."""
    import yaml

    from nlp.paths import project_root

    def write(name, changes):
        data = yaml.safe_load((project_root() / "configs" / name).read_text(encoding="utf-8"))
        for dotted, value in changes.items():
            *path, key = dotted.split(".")
            target = data
            for part in path:
                target = target.setdefault(part, {})
            target[key] = value
        out = folder / name
        out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return str(out)

    compare = {"compare.n_boot": 100, "compare.n_perm": 20, "compare.by": ["district"], "plots.dpi": 50,
               "labels.enabled": False}
    classifier = write("classifier.yaml", {"evaluation.bootstrap": 20, "model.thresholds": "fixed", "data.corpus": None,
                                           "candidates": [], "tracking.registered_model": "test-main-classifier"})
    lda = write("topics_lda.yaml", {**compare, "lda.k_values": [3], "lda.n_restarts": 1, "lda.passes": 3,
                                    "lda.iterations": 20})
    bertopic = write("topics_bertopic.yaml", {**compare, "bertopic.n_topics": 4, "output.html": False})
    return classifier, lda, bertopic


def test_main_job_logs_one_parent_run_with_the_steps_nested(tmp_path, tracking_uri, monkeypatch):
    import time

    import mlflow

    from nlp.topics import fit

    fits = {}  # when each topic fit began and ended (the runs must span them)
    original = fit.fit_topics

    def timed_fit(corpus, method, **kwargs):
        start = time.time()
        result = original(corpus, method, **kwargs)
        fits[method] = (start, time.time())
        return result

    monkeypatch.setattr(fit, "fit_topics", timed_fit)
    classifier, lda, bertopic = _fast_configs(tmp_path)
    outcome = run_main("configs/main.yaml", [f"classifier.config={classifier}", "classifier.compare_candidates=false",
                                             f"topics.configs=[{lda}, {bertopic}]", f"tracking.uri={tracking_uri}",
                                             "tracking.experiment=test-main"],
                       progress=False, output_dir=tmp_path / "out")
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    parent = client.get_run(outcome.run_id)
    assert parent.info.run_name == "run main" and parent.info.status == "FINISHED"
    children = {run.info.run_name: run for run in client.search_runs(
        [parent.info.experiment_id], f"tags.mlflow.parentRunId = '{outcome.run_id}'")}
    assert set(children) == {"corpus seeds", "train char C=10 clause", "topics lda K=3", "topics bertopic K=4",
                             "indicators seeds"}
    # headline metrics under plain names, on the steps and on the parent
    for name in ("dev_macro_f1", "lodo_macro_f1"):
        assert 0 < children["train char C=10 clause"].data.metrics[name] <= 1
        assert parent.data.metrics[name] == children["train char C=10 clause"].data.metrics[name]
    lda_run = children["topics lda K=3"]
    assert lda_run.data.metrics["c_v"] == lda_run.data.metrics["coherence_c_v"] == parent.data.metrics["lda_c_v"]
    assert "c_v" in children["topics bertopic K=4"].data.metrics
    corpus_run = children["corpus seeds"]
    assert corpus_run.data.metrics["n_reports"] == 5 and corpus_run.data.metrics["n_paragraphs"] == 71
    assert len(corpus_run.data.tags["data_hash"]) == 64
    assert "corpus_summary.csv" in {a.path for a in client.list_artifacts(corpus_run.info.run_id)}
    # the topic models as artifacts: tables, and gensim's files for LDA
    lda_model = {a.path for a in client.list_artifacts(lda_run.info.run_id, "model")}
    assert {"model/topic_words.csv", "model/doc_topics.csv", "model/lda.gensim", "model/dictionary.txt"} <= lda_model
    bertopic_model = {a.path for a in client.list_artifacts(children["topics bertopic K=4"].info.run_id, "model")}
    assert bertopic_model == {"model/topic_words.csv", "model/doc_topics.csv"}
    # the runs cover the work: each topic run starts before its fit and ends after it
    for method, name in (("lda", "topics lda K=3"), ("bertopic", "topics bertopic K=4")):
        begun, ended = fits[method]
        assert children[name].info.start_time / 1000 <= begun and children[name].info.end_time / 1000 >= ended
    # every step wrote under the chosen folder; the report says what produced it
    assert outcome.report == tmp_path / "out" / "report.md"
    assert outcome.model_dir == tmp_path / "out" / "policy_classifier"
    assert outcome.topic_outputs == {"lda": tmp_path / "out" / "topics" / "lda",
                                     "bertopic": tmp_path / "out" / "topics" / "bertopic"}
    text = outcome.report.read_text(encoding="utf-8")
    assert f"parent run `{outcome.run_id}`" in text and "## Produced by" in text
    assert outcome.promotion == "version 1 is the new champion: no champion yet"
