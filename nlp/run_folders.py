"""Where a job writes: the tracked results, an explicit folder, or a folder of its own.

The results under ``experiments/results/`` and ``models/`` are tracked in git:
they are what the project's configs produce. A job writes there only when it
runs with a project config (``configs/*.yaml``, unchanged in git) and no
setting that changes the results; an explicit ``--output`` (or a
``--set output...=`` override) is honoured as asked. Any other run (another
corpus, ``--set model.C=3``, a config file of one's own) writes to
``experiments/results/runs/<job>-<hash>/`` (and ``models/runs/<job>-<hash>/``),
both git-ignored, where ``<hash>`` is a short hash of the config and the data:
the same run lands in the same folder, two different runs never share one.

>>> fingerprint({"model": {"C": 3.0}}, data_hash="ab12")   # doctest: +SKIP
'5c0e9a1f'
>>> choose_folder(results_dir() / "classifier", results_dir() / "classifier", unchanged=False,
...               run_dir=results_dir() / "runs" / "evaluate-5c0e9a1f")                       # doctest: +SKIP
PosixPath('.../experiments/results/runs/evaluate-5c0e9a1f')
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .paths import configs_dir, models_dir, project_root, resolve_project_path, results_dir

__all__ = [
    "RUNS",
    "NEUTRAL_SECTIONS",
    "fingerprint",
    "is_project_config",
    "config_unchanged",
    "is_tracked_location",
    "run_dir",
    "model_run_dir",
    "choose_folder",
]

RUNS = "runs"
# Config sections that never change a job's results: where it logs, where it writes, how figures look.
NEUTRAL_SECTIONS = ("tracking", "output", "report")


def _results_part(config: Mapping[str, Any], neutral: Iterable[str] = NEUTRAL_SECTIONS) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in set(neutral)}


def fingerprint(config: Mapping[str, Any], data_hash: str | None = None, length: int = 8) -> str:
    """A short hash of the settings that change the results (the neutral sections left out) and the data."""
    text = json.dumps([_results_part(config), data_hash or ""], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def is_project_config(path: str | os.PathLike | None) -> bool:
    """A config file of the project (under ``configs/``), committed and without uncommitted changes.

    Outside a git checkout (an installed package) the files cannot be checked
    and a file under ``configs/`` counts as the project's.
    """
    if path is None:
        return False
    file = resolve_project_path(path)
    if not file.is_file() or not _inside(file, configs_dir()):
        return False
    try:
        status = subprocess.run(["git", "status", "--porcelain", "--", str(file.resolve())], cwd=project_root(),
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return True
    if status.returncode != 0:  # not a git checkout
        return True
    return status.stdout.strip() == ""


def config_unchanged(config_path: str | os.PathLike | None, config: Mapping[str, Any],
                     load: Callable[[str | os.PathLike], Mapping[str, Any]]) -> bool:
    """True when ``config`` is the project config at ``config_path`` with no result-changing override.

    ``load`` reads and validates the file without overrides (the job's own
    loader); the neutral sections (tracking, output, report) may differ.
    """
    if not is_project_config(config_path):
        return False
    return _results_part(load(config_path)) == _results_part(config)


def is_tracked_location(path: str | os.PathLike) -> bool:
    """Inside ``experiments/results/`` or ``models/`` but not in their git-ignored ``runs/`` folders."""
    target = resolve_project_path(path)
    for folder in (results_dir(), models_dir()):
        if _inside(target, folder):
            return not _inside(target, folder / RUNS)
    return False


def run_dir(job: str, config: Mapping[str, Any], data_hash: str | None = None) -> Path:
    """``experiments/results/runs/<job>-<hash>/``."""
    return results_dir() / RUNS / f"{job}-{fingerprint(config, data_hash)}"


def model_run_dir(job: str, config: Mapping[str, Any], data_hash: str | None = None) -> Path:
    """``models/runs/<job>-<hash>/``."""
    return models_dir() / RUNS / f"{job}-{fingerprint(config, data_hash)}"


def choose_folder(configured: str | os.PathLike, tracked: str | os.PathLike | None, unchanged: bool,
                  run_dir: Path) -> Path:
    """The folder a job writes to.

    Parameters
    ----------
    configured
        The folder the config (with its overrides) names.
    tracked
        The folder the project config names (None for a config file of one's own).
    unchanged
        :func:`config_unchanged`: the run reproduces the tracked results.
    run_dir
        The run's own folder, used otherwise.

    Returns the configured folder when the run is unchanged, when the folder
    was asked for (it differs from the project config's), or when it lies
    outside the tracked results; otherwise ``run_dir``.
    """
    target = resolve_project_path(configured).resolve()
    if unchanged:
        return target
    if tracked is not None and target.resolve() != resolve_project_path(tracked).resolve():
        return target
    if not is_tracked_location(target):
        return target
    return run_dir
