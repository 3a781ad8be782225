"""Where things live: every default path in the package comes from here.

The project root is found from the installed package (an editable install keeps
``nlp/`` inside the repository), and can be overridden with ``NLP_PROJECT_ROOT``
so that a non-editable install can still point at a checkout.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "PACKAGE_DATA_DIR",
    "project_root",
    "seeds_dir",
    "models_dir",
    "configs_dir",
    "results_dir",
    "shared_dir",
    "dev_set_path",
    "default_model_dir",
    "resolve_project_path",
]

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE_DATA_DIR = PACKAGE_DIR / "data"


def project_root() -> Path:
    """The repository root (parent of ``nlp/``), or ``$NLP_PROJECT_ROOT``."""
    env = os.environ.get("NLP_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent


def seeds_dir() -> Path:
    return project_root() / "seeds"


def models_dir() -> Path:
    return project_root() / "models"


def default_model_dir() -> Path:
    return models_dir() / "policy_classifier"


def configs_dir() -> Path:
    return project_root() / "configs"


def results_dir() -> Path:
    return project_root() / "experiments" / "results"


def shared_dir() -> Path:
    """The read-only ``shared/`` folder that sits beside the repository."""
    env = os.environ.get("NLP_SHARED_DIR")
    if env:
        return Path(env).resolve()
    return project_root().parent / "shared"


def dev_set_path() -> Path:
    """The development set (never trained on, never copied into the repo)."""
    return shared_dir() / "dev" / "heldout_dev.jsonl"


def resolve_project_path(path: str | os.PathLike) -> Path:
    """A path as a user wrote it in a config or on the command line.

    Absolute paths and paths that exist from the working directory are kept;
    any other relative path is taken from the project root, so that configs
    work whatever directory a command runs in.

    >>> resolve_project_path("configs/labels.yaml") == project_root() / "configs/labels.yaml"  # doctest: +SKIP
    True
    """
    p = Path(path)
    return p if p.is_absolute() or p.exists() else project_root() / p
