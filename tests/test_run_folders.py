"""Runs with other settings or another corpus write folders of their own, never the tracked results.

Jobs run in a temporary copy of the project (``NLP_PROJECT_ROOT``): configs, seeds and package data,
outside git, so its ``configs/`` count as the project's and nothing is written into the repository.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import nlp

from nlp.paths import project_root

FAST_CLASSIFIER = ["evaluation.bootstrap=20", "model.thresholds=fixed", "data.corpus=null", "candidates=[]"]
FAST_TOPICS = ["lda.k_values=[3]", "lda.n_restarts=1", "lda.passes=3", "lda.iterations=20", "compare.n_boot=100",
               "compare.n_perm=20", "compare.by=[district]", "plots.dpi=50", "labels.enabled=false"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project (configs, seeds, package data) as the project root."""
    root = tmp_path / "project"
    source = project_root()
    shutil.copytree(source / "configs", root / "configs")
    shutil.copytree(source / "seeds", root / "seeds")
    shutil.copytree(source / "nlp" / "data", root / "nlp" / "data")
    monkeypatch.setenv("NLP_PROJECT_ROOT", str(root))
    monkeypatch.setenv("NLP_SHARED_DIR", str(tmp_path / "no-shared"))  # no dev set: fast, and never read here
    monkeypatch.chdir(tmp_path)
    return root


# --- the rule -------------------------------------------------------------------------------------

def test_fingerprint_depends_on_settings_and_data_not_on_where_results_go():
    from nlp.run_folders import fingerprint

    config = {"model": {"C": 10.0}, "output": {"dir": "a"}, "tracking": {"experiment": "x"}}
    assert fingerprint(config, "d1") == fingerprint({**config, "output": {"dir": "b"}, "tracking": {}}, "d1")
    assert fingerprint(config, "d1") != fingerprint({**config, "model": {"C": 3.0}}, "d1")
    assert fingerprint(config, "d1") != fingerprint(config, "d2")
    assert len(fingerprint(config)) == 8


def test_tracked_locations_are_results_and_models_but_not_their_runs_folders(project):
    from nlp.run_folders import is_tracked_location

    assert is_tracked_location(project / "experiments" / "results" / "classifier")
    assert is_tracked_location(project / "models" / "policy_classifier")
    assert not is_tracked_location(project / "experiments" / "results" / "runs" / "train-1234abcd")
    assert not is_tracked_location(project / "models" / "runs" / "x")
    assert not is_tracked_location(project.parent / "elsewhere")


def test_only_the_project_config_without_result_changing_overrides_is_unchanged(project):
    from nlp.classifier.schema import load_classifier_config
    from nlp.run_folders import config_unchanged

    path = "configs/classifier.yaml"

    def unchanged(overrides, config_path=path):
        return config_unchanged(config_path, load_classifier_config(config_path, overrides), load_classifier_config)

    assert unchanged([])
    assert unchanged(["tracking.experiment=other", "output.results_dir=/tmp/x"])  # where it logs or writes only
    assert not unchanged(["model.C=3"])
    assert not unchanged(["data.corpus=null"])
    own = project.parent / "my_classifier.yaml"
    shutil.copy(project / path, own)
    assert not unchanged([], str(own))  # a config of one's own is never the tracked one


def test_the_repository_config_is_unchanged_only_while_committed_unchanged():
    from nlp.run_folders import is_project_config

    assert is_project_config("configs/classifier.yaml")  # committed, clean in this checkout
    assert not is_project_config("README.md")  # not a config of configs/


def test_choose_folder(project):
    from nlp.run_folders import choose_folder

    tracked = project / "experiments" / "results" / "classifier"
    runs = project / "experiments" / "results" / "runs" / "evaluate-1234abcd"
    assert choose_folder(tracked, tracked, unchanged=True, run_dir=runs) == tracked
    assert choose_folder(tracked, tracked, unchanged=False, run_dir=runs) == runs
    assert choose_folder(tracked, None, unchanged=False, run_dir=runs) == runs  # one's own config, tracked place
    elsewhere = project.parent / "mine"
    assert choose_folder(elsewhere, tracked, unchanged=False, run_dir=runs) == elsewhere  # asked for
    assert choose_folder(elsewhere, None, unchanged=False, run_dir=runs) == elsewhere


# --- the jobs ----------------------------------------------------------------------------------------

def test_train_with_other_settings_writes_its_own_folders_and_says_where(project, capsys):
    from nlp.cli import main

    tracked_model = project / "models" / "policy_classifier"
    overrides = [arg for o in FAST_CLASSIFIER + ["model.C=3"] for arg in ("--set", o)]
    assert main(["train", *overrides, "--no-mlflow", "--quiet"]) == 0
    out = capsys.readouterr().out
    models = list((project / "models" / "runs").glob("train-*"))
    results = list((project / "experiments" / "results" / "runs").glob("train-*"))
    assert len(models) == 1 and (models[0] / "MODEL_CARD.md").exists()
    assert len(results) == 1 and (results[0] / "comparison.md").exists()
    assert models[0].name == results[0].name  # one hash for the run
    assert not tracked_model.exists() and not (project / "experiments" / "results" / "classifier").exists()
    assert f"model written to {models[0]}" in out and f"results written to {results[0]}" in out
    # the same run again lands in the same folder; other settings in another
    assert main(["train", *overrides, "--no-mlflow", "--quiet"]) == 0
    assert main(["train", *overrides, "--set", "model.C=4", "--no-mlflow", "--quiet"]) == 0
    assert len(list((project / "models" / "runs").glob("train-*"))) == 2


def test_train_with_explicit_folders_writes_there(project, tmp_path):
    from nlp.classifier.run import run_train

    outcome = run_train("configs/classifier.yaml", FAST_CLASSIFIER, tracking=False, progress=False,
                        model_dir=tmp_path / "m", results_dir=tmp_path / "r")
    assert outcome.model_dir == tmp_path / "m" and (tmp_path / "m" / "MODEL_CARD.md").exists()
    assert outcome.results_dir == tmp_path / "r" and (tmp_path / "r" / "comparison.csv").exists()
    assert not (project / "models" / "runs").exists()


def test_the_unchanged_project_config_targets_the_tracked_folders(project):
    from nlp.classifier.run import job_folders, load_job_data
    from nlp.classifier.schema import load_classifier_config

    config = load_classifier_config("configs/classifier.yaml", ["tracking.enabled=false"])
    folders, unchanged = job_folders(config, "configs/classifier.yaml", load_job_data(config), "train")
    assert unchanged
    assert folders == {"results_dir": project / "experiments" / "results" / "classifier",
                       "model_dir": project / "models" / "policy_classifier"}


def test_evaluate_with_other_settings_writes_a_run_folder(project):
    from nlp.classifier.run import run_evaluate

    outcome = run_evaluate("configs/classifier.yaml", FAST_CLASSIFIER + ["evaluation.baselines=false"],
                           tracking=False, progress=False)
    assert outcome.results_dir.parent == project / "experiments" / "results" / "runs"
    assert outcome.results_dir.name.startswith("evaluate-") and (outcome.results_dir / "comparison.md").exists()


def test_topics_with_other_settings_or_another_corpus_never_write_the_tracked_folder(project):
    from nlp.topics.run import _output_dir, run_from_config
    from nlp.topics.schema import load_topics_config

    tracked = project / "experiments" / "results" / "topics" / "lda"
    outcome = run_from_config("configs/topics_lda.yaml", FAST_TOPICS, track=False, progress=False)
    assert outcome.output_dir.parent == project / "experiments" / "results" / "runs"
    assert outcome.output_dir.name.startswith("topics-lda-") and (outcome.output_dir / "topic_words.csv").exists()
    assert not tracked.exists()
    config = load_topics_config("configs/topics_lda.yaml")
    seeds = nlp.load_corpus(project / "seeds")
    assert _output_dir(config, "configs/topics_lda.yaml", seeds) == tracked  # unchanged: the tracked folder
    other = shutil.copytree(project / "seeds", project.parent / "other_reports",
                            ignore=shutil.ignore_patterns("001_*", "corpus"))
    other_corpus = nlp.load_corpus(other)
    folder = _output_dir(config, "configs/topics_lda.yaml", other_corpus)
    assert folder != tracked and folder.parent.name == "runs"  # another corpus: a folder of its own


def test_main_job_with_other_settings_writes_one_run_folder_and_says_what_produced_it(project, capsys):
    from nlp.cli import main

    code = main(["run", "--set", "classifier.enabled=false", "--set", "topics.enabled=false", "--no-mlflow", "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    runs = list((project / "experiments" / "results" / "runs").glob("run-*"))
    assert len(runs) == 1
    report = runs[0] / "report.md"
    assert (runs[0] / "indicators" / "mentions.csv").exists()
    assert not (project / "experiments" / "results" / "report.md").exists()
    assert not (project / "experiments" / "results" / "indicators").exists()
    assert str(report) in out and "a run of its own" in out
    text = report.read_text(encoding="utf-8")
    assert "## Produced by" in text
    assert "`seeds`, 5 reports, 71 paragraphs" in text
    assert "`configs/main.yaml` with `classifier.enabled=false`, `topics.enabled=false`" in text
    assert "were not touched" in text


def test_main_job_output_folder_holds_everything(project, tmp_path):
    from nlp.pipeline import run_main

    outcome = run_main("configs/main.yaml", ["classifier.enabled=false", "topics.enabled=false"], tracking=False,
                       progress=False, output_dir=tmp_path / "mine")
    assert outcome.report == tmp_path / "mine" / "report.md" and outcome.report.exists()
    assert outcome.indicator_output == tmp_path / "mine" / "indicators"
    assert not (project / "experiments").exists()


def test_experiment_script_with_set_writes_a_run_folder(project, capsys):
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "experiments" / "topics_lda_k_sweep.py"
    spec = importlib.util.spec_from_file_location("k_sweep_script", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    settings = [arg for o in ["lda.k_values=[3]", "lda.n_restarts=1", "lda.passes=3", "lda.iterations=20"]
                for arg in ("--set", o)]
    assert module.main(["--units", "paragraph", *settings, "--no-mlflow"]) == 0
    runs = list((project / "experiments" / "results" / "runs").glob("topics_lda_k_sweep-*"))
    assert len(runs) == 1 and (runs[0] / "k_rules.csv").exists() and (runs[0] / "paragraph" / "k_sweep.csv").exists()
    assert not (project / "experiments" / "results" / "topics_lda_k_sweep").exists()
    assert f"written to {runs[0]}" in capsys.readouterr().out


def test_cli_passes_output_and_promote_to_the_jobs(tmp_path, monkeypatch, capsys):
    import pandas as pd

    import nlp.pipeline
    from nlp.cli import main

    seen = {}

    def fake_run_main(config, overrides, tracking, progress, output_dir, promote):
        seen.update(output_dir=output_dir, promote=promote)
        return nlp.pipeline.MainOutcome(Path(output_dir) / "report.md", pd.DataFrame(), tracked=False,
                                        promotion="version 2 is the new champion: promoted by request (--promote)")

    monkeypatch.setattr(nlp.pipeline, "run_main", fake_run_main)
    assert main(["run", "--output", str(tmp_path / "mine"), "--promote", "--no-mlflow"]) == 0
    assert seen == {"output_dir": str(tmp_path / "mine"), "promote": True}
    out = capsys.readouterr().out
    assert "a run of its own" in out and "registry         version 2 is the new champion" in out
    assert main(["run", "--output", str(tmp_path / "mine2"), "--no-mlflow"]) == 0
    assert seen["promote"] is False
