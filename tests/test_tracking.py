"""MLflow logging of a training run into a temporary local store, read back."""
from __future__ import annotations

import mlflow
import pandas as pd
import pytest

from nlp.classifier.run import run_train
from nlp.tracking import TrackingError, check_tracking_server, start_run


@pytest.fixture(scope="module")
def trained(tracking_uri, tmp_path_factory):
    import os

    old = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = tracking_uri
    try:
        out = tmp_path_factory.mktemp("model")
        outcome = run_train(
            "configs/classifier.yaml",
            ["model.thresholds=fixed", "evaluation.bootstrap=20", "tracking.experiment=test-classifier",
             "tracking.registered_model=test-policy-classifier", f"output.results_dir={out / 'results'}"],
            progress=False, model_dir=out / "model",
        )
    finally:
        if old is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = old
    return outcome.model_dir, outcome.table


def test_training_run_is_logged_and_registered(trained, tracking_uri):
    target, table = trained
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    version = client.get_model_version_by_alias("test-policy-classifier", "champion")
    run = client.get_run(version.run_id)
    metrics = run.data.metrics
    assert 0 < metrics["model.lodo_macro_f1"] <= 1
    assert metrics["empty.lodo_macro_f1"] == 0
    assert "model.dev_macro_f1" in metrics
    assert len(run.data.tags["data_hash"]) == 64
    assert run.data.tags["git_commit"]
    assert run.data.params["model.unit"] == "clause"
    assert run.info.run_name == "train char C=10 clause"
    for name in ("lodo_macro_f1", "corpus_macro_f1", "dev_macro_f1"):  # headline metrics under plain names
        assert metrics[name] == metrics[f"model.{name}"]
        assert version.tags[name] == f"{metrics[name]:.4f}"  # the version carries its held-out scores
    assert version.tags["data_hash"] == run.data.tags["data_hash"] and len(version.tags["dev_data_hash"]) == 64
    assert "train char C=10 clause" in version.description and "\n" not in version.description
    assert "dev macro-F1" in version.description
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "plots", "results", "model_card"} <= artifacts
    plots = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert "plots/per_label_f1.png" in plots


def test_logged_model_loads_as_pyfunc_and_matches_the_saved_model(trained, tracking_uri):
    from nlp.classifier import PolicyClassifier

    target, _ = trained
    mlflow.set_tracking_uri(tracking_uri)
    model = mlflow.pyfunc.load_model("models:/test-policy-classifier@champion")
    texts = ["全区行政复议收案845件。", "开展宪法宣传周活动。", "召开局党组会议。"]
    out = model.predict(pd.DataFrame({"text": texts}))
    expected = PolicyClassifier.load(target).predict(texts)
    assert out["labels"].tolist() == [";".join(l) for l in expected]


def test_unreachable_server_fails_fast_without_a_run():
    with pytest.raises(TrackingError, match="unreachable"):
        check_tracking_server("http://127.0.0.1:9", timeout=2)
    with pytest.raises(TrackingError):
        with start_run("never", tracking_uri="http://127.0.0.1:9"):
            pass  # pragma: no cover


# --- concurrent jobs and termination -------------------------------------------------------------

def _env():
    import os
    from pathlib import Path

    project = Path(__file__).resolve().parents[1]
    return {**os.environ, "PYTHONPATH": str(project) + os.pathsep + os.environ.get("PYTHONPATH", "")}


_JOB = """
import sys
from nlp.tracking import log_metrics, start_run
with start_run("concurrent", run_name=sys.argv[2], tracking_uri=sys.argv[1]):
    log_metrics({"x": 1.0})
"""


def test_jobs_creating_a_new_store_at_once_all_succeed(tmp_path):
    import subprocess
    import sys

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    jobs = [subprocess.Popen([sys.executable, "-c", _JOB, uri, f"job{i}"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=_env()) for i in range(3)]
    outcomes = [(job.wait(timeout=300), job.stderr.read()) for job in jobs]
    assert [code for code, _ in outcomes] == [0, 0, 0], [err[-2000:] for _, err in outcomes]
    runs = mlflow.MlflowClient(uri).search_runs([mlflow.MlflowClient(uri).get_experiment_by_name("concurrent").experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["job0", "job1", "job2"]
    assert {r.info.status for r in runs} == {"FINISHED"}


def test_an_unusable_store_is_one_tracking_error(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a sqlite database" * 100)
    with pytest.raises(TrackingError, match="cannot be used") as info:
        with start_run("x", tracking_uri=f"sqlite:///{broken}"):
            pass
    assert "\n" not in str(info.value)


def test_sigterm_marks_the_run_failed_and_exits(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    env = {**_env(), "MLFLOW_TRACKING_URI": uri}
    job = subprocess.Popen([sys.executable, "-m", "nlp.cli", "evaluate", "--quiet", "--set", "tracking.experiment=term",
                            "--set", f"output.results_dir={tmp_path / 'results'}"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    client = mlflow.MlflowClient(uri)
    runs = []
    deadline = time.monotonic() + 240
    while not runs and time.monotonic() < deadline and job.poll() is None:
        time.sleep(1.0)
        try:
            experiment = client.get_experiment_by_name("term")
            runs = client.search_runs([experiment.experiment_id]) if experiment else []
        except Exception:  # noqa: BLE001 - the store is still being created by the job
            runs = []
    assert runs and job.poll() is None, job.stderr.read() if job.poll() is not None else "no run started"
    job.send_signal(signal.SIGTERM)
    _, err = job.communicate(timeout=120)
    assert job.returncode == 143, err[-2000:]
    assert "Traceback" not in err and "terminated" in err
    assert client.get_run(runs[0].info.run_id).info.status == "FAILED"
