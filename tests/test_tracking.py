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
