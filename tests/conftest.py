"""Shared fixtures: the real seeds, read once per session."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import nlp
from nlp.paths import seeds_dir

SEED_IDS = {
    "binjiang": "000_631c43eba3159a46",
    "xihu": "001_e81d252c6a7ddc67",
    "ouhai": "002_8b4bfc1f67bb86b5",
    "yuhang": "003_a3f4c3cd9186b897",
    "qiantang": "004_ecc42fa0d9da8aca",
}


@pytest.fixture(autouse=True)
def _fixed_seeds():
    random.seed(0)
    np.random.seed(0)


@pytest.fixture(scope="session")
def seeds_path() -> Path:
    return seeds_dir()


@pytest.fixture(scope="session")
def corpus(seeds_path):
    return nlp.load_corpus(seeds_path)


@pytest.fixture(scope="session")
def seed_file(seeds_path):
    def _path(name: str) -> Path:
        return seeds_path / f"{SEED_IDS[name]}.txt"

    return _path


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory) -> str:
    """One local MLflow store for the session (creating the sqlite schema takes a while)."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow')}/mlflow.db"
