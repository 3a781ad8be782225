"""Generic MLflow calls: runs that record their provenance, metrics, tables, figures, artifacts.

Training, evaluation, topic-model and experiment entry points open a run with
:func:`start_run`, which records the config, git commit, data hash and package
versions, then log metrics, tables, figures and artifacts through the helpers
below. Only generic calls live here; the classifier's MLflow model flavour is
:mod:`nlp.classifier.mlflow_model`. The predict path never imports MLflow.

The default store is local: ``sqlite:///<project>/mlflow.db`` with artifacts in
``<project>/mlartifacts`` (both git-ignored). ``MLFLOW_TRACKING_URI`` or the
config's ``tracking.uri`` points it elsewhere, for example a server.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import re
import subprocess
import tempfile
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Iterator, Mapping

from .config import flatten
from .paths import project_root

__all__ = [
    "TrackingError",
    "default_tracking_uri",
    "resolve_tracking_uri",
    "check_tracking_server",
    "git_commit",
    "package_versions",
    "start_run",
    "log_metrics",
    "metric_name",
    "log_table",
    "log_figure",
    "log_artifact",
    "log_artifacts",
    "set_run_name",
    "set_tags",
    "active_run_id",
]

logger = logging.getLogger(__name__)

_PACKAGES = ("nlp-fazhi", "scikit-learn", "numpy", "pandas", "scipy", "jieba", "gensim", "bertopic", "mlflow", "torch")


class TrackingError(RuntimeError):
    """The tracking store cannot be used (for example an unreachable server)."""


def default_tracking_uri() -> str:
    return f"sqlite:///{project_root() / 'mlflow.db'}"


def resolve_tracking_uri(configured: str | None = None) -> str:
    """The config's (or caller's) URI first, then ``MLFLOW_TRACKING_URI``, then the local default.

    An explicit value must win over the environment: :func:`mlflow.set_tracking_uri`
    also sets ``MLFLOW_TRACKING_URI``, so an earlier run in the same process
    would otherwise decide where a later one goes.
    """
    return configured or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri()


def check_tracking_server(uri: str, timeout: float = 5.0) -> None:
    """Fail fast, before a run is created, when an HTTP tracking server is unreachable."""
    if not uri.startswith(("http://", "https://")):
        return
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout) as response:
            if response.status != 200:
                raise TrackingError(f"MLflow tracking server at {uri} answered /health with HTTP {response.status}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TrackingError(
            f"MLflow tracking server at {uri} is unreachable ({exc}); start it, or unset "
            "MLFLOW_TRACKING_URI to use the local store"
        ) from exc


def git_commit() -> str:
    """The project's current commit, with ``-dirty`` when the tree has changes."""
    root = project_root()
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return versions


def _tracking_failure(uri: str, exc: BaseException) -> str:
    """One line for an error of the tracking store (sqlalchemy's messages run to pages)."""
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return f"MLflow tracking store {uri} cannot be used ({type(exc).__name__}: {first}); check the store or set --no-mlflow"


@contextlib.contextmanager
def _store_lock(uri: str) -> Iterator[None]:
    """An exclusive lock beside a local sqlite store (``mlflow.db.lock``) while it is created or opened."""
    if not uri.startswith("sqlite:///"):
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, as before
        yield
        return
    database = Path(uri[len("sqlite:///"):])
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".lock"), "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _ensure_experiment(mlflow, name: str, uri: str) -> str:
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    artifact_location = None
    if uri.startswith("sqlite:///") or uri.startswith("file:") or "://" not in uri:
        # Keep local artifacts beside the local store, not in the working directory.
        store_dir = Path(uri.replace("sqlite:///", "")).parent if uri.startswith("sqlite:///") else project_root()
        artifact_location = (store_dir / "mlartifacts").resolve().as_uri()
    return mlflow.create_experiment(name, artifact_location=artifact_location)


@contextlib.contextmanager
def start_run(
    experiment: str,
    run_name: str | None = None,
    config: Mapping[str, Any] | None = None,
    config_path: str | os.PathLike | None = None,
    data_hash: str | None = None,
    tracking_uri: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[Any]:
    """Open an MLflow run that records provenance, and close it on exit.

    The run gets the config (as parameters and as ``config.yaml``), the git
    commit, the data hash and package versions as tags. An exception inside
    the block marks the run ``FAILED`` and is re-raised.

    Inside another run (a step of ``nlp run``) the run is nested: it goes to
    the parent's store and experiment, so the MLflow UI shows the steps under
    their parent, and ``experiment`` is kept as the tag ``step_experiment``.

    Raises
    ------
    TrackingError
        If the tracking server is unreachable; no run is created then.
    """
    import mlflow

    uri = resolve_tracking_uri(tracking_uri)
    check_tracking_server(uri)
    versions = package_versions()
    run_tags = {
        "git_commit": git_commit(),
        "data_hash": data_hash or "",
        "package_version": versions.get("nlp-fazhi", "unknown"),
        **{f"version.{k}": v for k, v in versions.items()},
        **(tags or {}),
    }
    parent = mlflow.active_run()
    if parent is not None:
        run_tags["step_experiment"] = experiment
        try:
            active = mlflow.start_run(experiment_id=parent.info.experiment_id, run_name=run_name, tags=run_tags,
                                      nested=True)
        except Exception as exc:
            raise TrackingError(_tracking_failure(mlflow.get_tracking_uri(), exc)) from exc
        with active as run:
            yield from _inside_run(mlflow, run, config, config_path)
        return
    try:
        with _store_lock(uri):
            # Creating a new sqlite store runs its schema migrations; two jobs
            # doing it at once break each other (and can leave the database
            # half-migrated), so store and experiment are created under a lock.
            mlflow.set_tracking_uri(uri)
            experiment_id = _ensure_experiment(mlflow, experiment, uri)
            active = mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=run_tags)
    except TrackingError:
        raise
    except Exception as exc:
        raise TrackingError(_tracking_failure(uri, exc)) from exc
    with active as run:
        yield from _inside_run(mlflow, run, config, config_path)


def _inside_run(mlflow, run, config, config_path) -> Iterator[Any]:
    try:
        if config is not None:
            params = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in flatten(config).items()}
            mlflow.log_params({k: (str(v)[:500]) for k, v in params.items()})
            mlflow.log_dict(dict(config), "config.yaml")
        if config_path is not None and Path(config_path).exists():
            mlflow.log_artifact(str(config_path), artifact_path="config")
        yield run
    except BaseException:
        mlflow.set_tag("failure", "exception inside the run")
        mlflow.end_run(status="FAILED")
        raise


def active_run_id() -> str | None:
    """The id of the active run, or None (MLflow is imported only if a run may be active)."""
    import sys

    if "mlflow" not in sys.modules:
        return None
    import mlflow

    run = mlflow.active_run()
    return run.info.run_id if run is not None else None


def set_run_name(name: str) -> None:
    """Rename the active run (a name that says what ran, known only after the fit: ``topics lda K=5``)."""
    import mlflow

    mlflow.set_tag("mlflow.runName", name)


def set_tags(tags: Mapping[str, Any]) -> None:
    import mlflow

    mlflow.set_tags({k: str(v) for k, v in tags.items()})


_METRIC_NAME = re.compile(r"[^A-Za-z0-9_\-. :/]")


def metric_name(name: str) -> str:
    """A metric name MLflow accepts: other characters (``+``, Chinese) become ``_``."""
    return _METRIC_NAME.sub("_", name)


def log_metrics(metrics: Mapping[str, float], step: int | None = None) -> None:
    import mlflow

    clean = {metric_name(k): float(v) for k, v in metrics.items() if v is not None}
    mlflow.log_metrics(clean, step=step)


def log_table(frame, artifact_file: str) -> None:
    """Log a DataFrame as CSV (by extension) or JSON table."""
    import mlflow

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(artifact_file).name
        if artifact_file.endswith(".csv"):
            frame.to_csv(path, index=False)
        else:
            frame.to_json(path, orient="records", force_ascii=False, indent=2)
        parent = str(Path(artifact_file).parent)
        mlflow.log_artifact(str(path), artifact_path=None if parent == "." else parent)


def log_figure(figure, artifact_file: str) -> None:
    import mlflow

    mlflow.log_figure(figure, artifact_file)


def log_artifact(path: str | os.PathLike, artifact_path: str | None = None) -> None:
    import mlflow

    mlflow.log_artifact(str(path), artifact_path=artifact_path)


def log_artifacts(directory: str | os.PathLike, artifact_path: str | None = None) -> None:
    import mlflow

    mlflow.log_artifacts(str(directory), artifact_path=artifact_path)
