"""Integration with a real MLflow tracking server over HTTP (issue 7).

The fixture starts ``mlflow server`` on 127.0.0.1 (a free port) with a sqlite
store and an artifact folder in a temporary directory, waits for ``/health``
(at most 120 s), and stops the server's process group when the module is
done. ``nlp train`` runs in a subprocess with ``MLFLOW_TRACKING_URI`` pointing
at it; the run, its metrics, artifacts and the registered model are read back
through the server. No traffic leaves 127.0.0.1.

The tests skip, saying why, when the ``mlflow`` command is not installed. They
take about a minute (server start ~15 s, training ~40 s). The unreachable-
server test needs no server and always runs.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
CHEAP = ["--quiet", "--set", "model.thresholds=fixed", "--set", "evaluation.bootstrap=20"]
START_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mlflow_command() -> str | None:
    beside = Path(sys.executable).with_name("mlflow")
    return str(beside) if beside.exists() else shutil.which("mlflow")


def _nlp_train(tracking_uri: str, out: Path, *extra: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri}
    command = [sys.executable, "-m", "nlp.cli", "train", *CHEAP,
               "--set", f"output.results_dir={out / 'results'}", "--output", str(out / "model"), *extra]
    return subprocess.run(command, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=timeout)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("nlp train: error:")]


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (the server and its uvicorn worker), SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    try:  # workers the server left behind in its group
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory):
    command = _mlflow_command()
    if command is None:
        pytest.skip("the `mlflow` command is not installed (pip install mlflow); the real-server test needs it")
    root = tmp_path_factory.mktemp("mlflow_server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"  # no background job runner: faster start and stop
    log_path = root / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [command, "server", "--host", "127.0.0.1", "--port", str(port),
             "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
             "--artifacts-destination", str(root / "artifacts"), "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT, cwd=root, env=env, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"mlflow server exited with {process.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server not healthy after {START_TIMEOUT:.0f} s:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield {"url": url, "root": root, "log": log_path}
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def trained(mlflow_server, tmp_path_factory):
    out = tmp_path_factory.mktemp("served_train")
    start = time.perf_counter()
    result = _nlp_train(mlflow_server["url"], out, "--set", "tracking.experiment=server-test",
                        "--set", "tracking.registered_model=server-test-classifier")
    assert result.returncode == 0, result.stderr[-3000:]
    return {"out": out, "stdout": result.stdout, "seconds": time.perf_counter() - start}


@pytest.mark.slow
def test_nlp_train_logs_run_metrics_artifacts_and_model_to_a_real_server(mlflow_server, trained):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=mlflow_server["url"])
    version = client.get_model_version_by_alias("server-test-classifier", "champion")
    assert version.status == "READY"
    run = client.get_run(version.run_id)
    experiment = client.get_experiment_by_name("server-test")
    assert run.info.experiment_id == experiment.experiment_id
    assert run.info.status == "FINISHED"
    metrics = run.data.metrics
    assert 0 < metrics["model.lodo_macro_f1"] <= 1
    assert metrics["empty.lodo_macro_f1"] == 0
    assert metrics["n_train_units"] > 100
    assert run.data.params["model.thresholds"] == "fixed"
    assert len(run.data.tags["data_hash"]) == 64 and run.data.tags["git_commit"]
    # artifacts went through the server (mlflow-artifacts:/) into its artifact folder
    assert run.info.artifact_uri.startswith("mlflow-artifacts:")
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "plots", "results", "model_card"} <= artifacts
    stored = {p.name for p in (mlflow_server["root"] / "artifacts").rglob("*") if p.is_file()}
    assert {"config.yaml", "comparison.csv", "MODEL_CARD.md", "per_label_f1.png"} <= stored
    # the model folder written locally matches what the run recorded
    info = json.loads((trained["out"] / "model" / "model.json").read_text(encoding="utf-8"))
    assert info["data_hash"] == run.data.tags["data_hash"]


_PYFUNC_SCRIPT = r"""
import json, sys
import mlflow
import pandas as pd

texts = json.loads(sys.argv[2])
model = mlflow.pyfunc.load_model(f"models:/{sys.argv[1]}@champion")  # MLFLOW_TRACKING_URI: the server
print(json.dumps(model.predict(pd.DataFrame({"text": texts}))["labels"].tolist(), ensure_ascii=False))
"""


@pytest.mark.slow
def test_registered_model_downloads_from_the_server_and_predicts_like_the_saved_one(mlflow_server, trained):
    from nlp.classifier import PolicyClassifier

    # In a subprocess: mlflow.set_tracking_uri() would also set MLFLOW_TRACKING_URI for the
    # rest of this test session, and nlp.tracking gives that variable precedence.
    texts = ["全区行政复议收案845件。", "开展宪法宣传周活动。", "召开局党组会议。"]
    env = {**os.environ, "MLFLOW_TRACKING_URI": mlflow_server["url"]}
    result = subprocess.run([sys.executable, "-c", _PYFUNC_SCRIPT, "server-test-classifier", json.dumps(texts)],
                            env=env, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    labels = json.loads(result.stdout.strip().splitlines()[-1])
    expected = PolicyClassifier.load(trained["out"] / "model").predict(texts)
    assert labels == [";".join(labels) for labels in expected]


def _run_count(client) -> int:
    experiments = client.search_experiments()
    return len(client.search_runs([e.experiment_id for e in experiments], max_results=1000))


@pytest.mark.slow
def test_a_tracking_uri_whose_health_check_fails_leaves_no_run_on_the_server(mlflow_server, trained, tmp_path):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=mlflow_server["url"])
    before = _run_count(client)
    result = _nlp_train(mlflow_server["url"] + "/no-such-prefix", tmp_path, "--set", "tracking.experiment=never-created",
                        timeout=120)
    assert result.returncode == 1
    errors = _error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert "no-such-prefix" in errors[0] and "404" in errors[0], errors[0]
    assert "Traceback" not in result.stderr
    assert _run_count(client) == before
    assert client.get_experiment_by_name("never-created") is None
    assert not (tmp_path / "model").exists() and not (tmp_path / "results").exists()


def test_unreachable_server_fails_fast_with_one_line_and_writes_nothing(tmp_path):
    port = _free_port()  # nothing listens there
    start = time.perf_counter()
    result = _nlp_train(f"http://127.0.0.1:{port}", tmp_path, timeout=120)
    seconds = time.perf_counter() - start
    assert result.returncode == 1
    errors = _error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert "unreachable" in errors[0] and f"127.0.0.1:{port}" in errors[0]
    assert "Traceback" not in result.stderr
    # before any training: the time is interpreter start and imports (about 6 s on 2 cores)
    assert seconds < 30, seconds
    assert not (tmp_path / "model").exists() and not (tmp_path / "results").exists()
