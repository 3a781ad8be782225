"""The main job: the whole study on the seeds, from raw reports to a report page.

Steps (each one a library call with its own config):

1. corpus summary (district, year, paragraphs, section-role shares);
2. classifier: held-out evaluation of baselines and models, then the final
   model trained on all seeds and saved to ``models/`` (``configs/classifier.yaml``);
3. topic models: LDA with its K sweep and BERTopic, each with the district
   and section-role comparisons (``configs/topics_lda.yaml``, ``configs/topics_bertopic.yaml``);
4. a report page (``experiments/results/report.md``) gathering the tables and plots.

With tracking, one parent MLflow run holds every step as a nested run; the job
ends by saying where everything is. Run with other settings or another corpus,
it writes a folder of its own (:mod:`nlp.run_folders`), never the tracked results.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from .config import Field, load_config
from .paths import project_root, resolve_project_path

__all__ = ["MAIN_SCHEMA", "MainOutcome", "run_main"]

logger = logging.getLogger(__name__)

MAIN_SCHEMA = {
    "corpus": Field(str, "seeds", path=True),
    "classifier": {
        "enabled": Field(bool, True),
        "config": Field(str, "configs/classifier.yaml", path=True),
        "compare_candidates": Field(bool, True, help="also score the config's candidate models"),
    },
    "topics": {
        "enabled": Field(bool, True),
        "configs": Field(list, ["configs/topics_lda.yaml", "configs/topics_bertopic.yaml"], item_type=str),
    },
    "indicators": {
        "enabled": Field(bool, True),
        "district_labels": Field(dict, {}, help="Latin axis labels, used only without a CJK font"),
    },
    "report": {
        "path": Field(str, "experiments/results/report.md"),
    },
    "tracking": {
        "enabled": Field(bool, True),
        "uri": Field(str, None, nullable=True, help="null: MLFLOW_TRACKING_URI, else sqlite:///<project>/mlflow.db"),
        "experiment": Field(str, "main", help="the parent run and its nested step runs go here"),
    },
}


@dataclass
class MainOutcome:
    """Where the main job put things.

    ``tracked`` says whether the job wrote the tracked results (the project
    config unchanged) or a folder of its own; ``run_id`` is the parent
    MLflow run (its steps are nested runs under it).
    """

    report: Path
    corpus_summary: pd.DataFrame
    classifier_table: pd.DataFrame | None = None
    model_dir: Path | None = None
    topic_outputs: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    classifier_results: Path | None = None
    indicator_output: Path | None = None
    tracked: bool = False
    run_id: str | None = None
    promotion: str | None = None


def _rel(path: Path, start: Path) -> str:
    return os.path.relpath(path, start).replace(os.sep, "/")


def _load_main(path) -> dict[str, Any]:
    return load_config(path, MAIN_SCHEMA)


def _output_base(config: dict[str, Any], config_path, data_hash: str, output_dir) -> tuple[Path | None, Path]:
    """``(base folder of every step or None, report path)``.

    None: the project config runs unchanged and every step writes its tracked
    folder. Otherwise all steps write under one folder: ``output_dir``, the
    folder of an explicitly set ``report.path``, or ``experiments/results/runs/run-<hash>/``.
    """
    from .run_folders import choose_folder, config_unchanged, is_project_config, run_dir

    root = project_root()
    configured = Path(config["report"]["path"])
    configured = configured if configured.is_absolute() else root / configured
    if output_dir is not None:
        return Path(output_dir), Path(output_dir) / configured.name
    if config_unchanged(config_path, config, _load_main):
        return None, configured
    tracked = root / _load_main(config_path)["report"]["path"] if is_project_config(config_path) else None
    folder = choose_folder(configured.parent, None if tracked is None else tracked.parent, False,
                           run_dir("run", config, data_hash))
    return folder, folder / configured.name


def _corpus_step(config: dict[str, Any], tracking: bool):
    """Load the corpus and summarise it, in an MLflow run of its own (``corpus seeds``)."""
    import contextlib

    from .corpus import load_corpus

    with contextlib.ExitStack() as stack:
        if tracking:
            from . import tracking as tracking_module

            stack.enter_context(tracking_module.start_run(
                config["tracking"]["experiment"], run_name=f"corpus {Path(config['corpus']).name}",
                config={"corpus": config["corpus"]}, tags={"step": "corpus"}))
        corpus = load_corpus(config["corpus"])
        summary = corpus.summary()
        if tracking:
            tracking_module.set_tags({"data_hash": corpus.data_hash()})
            tracking_module.log_metrics({"n_reports": len(corpus.reports), "n_paragraphs": len(corpus.paragraphs),
                                         "n_skipped": len(corpus.skipped)})
            tracking_module.log_table(summary, "corpus_summary.csv")
    return corpus, summary


def run_main(config_path: str | os.PathLike = "configs/main.yaml", overrides: Iterable[str] = (),
             tracking: bool = True, progress: bool = True, output_dir: str | os.PathLike | None = None,
             promote: bool = False) -> MainOutcome:
    """Run every step of the study and write the report page.

    With the project's ``configs/main.yaml`` unchanged, every step writes its
    tracked folder (``experiments/results/...``, ``models/policy_classifier``).
    With other settings (``--set``, another corpus, a config of one's own)
    everything goes under ``experiments/results/runs/run-<hash>/`` (or
    ``output_dir``): ``report.md``, ``classifier/``, ``policy_classifier/``,
    ``topics/<method>/``, ``indicators/``. With tracking, one parent MLflow
    run holds every step as a nested run. ``promote`` moves the registry's
    champion alias to the new model whatever its scores.

    >>> outcome = run_main("configs/main.yaml", ["topics.enabled=false"], tracking=False)  # doctest: +SKIP
    >>> outcome.report                                   # doctest: +SKIP
    PosixPath('.../experiments/results/runs/run-1a2b3c4d/report.md')
    """
    import contextlib

    config = load_config(config_path, MAIN_SCHEMA, overrides)
    tracking = tracking and config["tracking"]["enabled"]
    seconds: dict[str, float] = {}
    headline: dict[str, float] = {}
    outcome: MainOutcome
    with contextlib.ExitStack() as stack:
        parent_id = None
        if tracking:
            from . import tracking as tracking_module

            parent = stack.enter_context(tracking_module.start_run(
                config["tracking"]["experiment"], run_name=f"run {Path(config_path).stem}", config=config,
                config_path=resolve_project_path(config_path), tracking_uri=config["tracking"]["uri"],
                tags={"step": "main"}))
            parent_id = parent.info.run_id

        start = time.perf_counter()
        corpus, summary = _corpus_step(config, tracking)
        seconds["corpus"] = time.perf_counter() - start
        logger.info("corpus: %d reports, %d paragraphs", len(corpus.reports), len(corpus.paragraphs))
        base, report = _output_base(config, config_path, corpus.data_hash(), output_dir)
        if tracking:
            tracking_module.set_tags({"data_hash": corpus.data_hash(), "output": str(report.parent),
                                      "tracked_results": str(base is None)})

        classifier_table = model_dir = classifier_results = promotion = None
        if config["classifier"]["enabled"]:
            from .classifier.run import run_evaluate, run_train

            start = time.perf_counter()
            classifier_config = config["classifier"]["config"]
            evaluated = None
            if config["classifier"]["compare_candidates"]:
                evaluated = run_evaluate(classifier_config, tracking=tracking, progress=progress,
                                         output_dir=None if base is None else base / "classifier")
            trained = run_train(classifier_config, tracking=tracking, progress=progress, promote=promote,
                                model_dir=None if base is None else base / "policy_classifier",
                                results_dir=None if base is None else base / "classifier" / "train")
            model_dir = trained.model_dir
            classifier_table = (evaluated or trained).table
            classifier_results = (evaluated or trained).results_dir
            promotion = trained.promotion
            headline.update({k: v for k, v in trained.metrics.items() if k.endswith("macro_f1")})
            seconds["classifier"] = time.perf_counter() - start

        topic_outputs: dict[str, Path] = {}
        topic_runs = {}
        if config["topics"]["enabled"]:
            from .topics.run import run_topics
            from .topics.schema import load_topics_config

            for topics_config in config["topics"]["configs"]:
                start = time.perf_counter()
                topic_settings = load_topics_config(topics_config)
                same_corpus = (resolve_project_path(topic_settings["corpus"]["path"]).resolve()
                               == resolve_project_path(config["corpus"]).resolve())
                if not same_corpus:  # the main job's corpus, said in the step's config too
                    topic_settings = load_topics_config(topics_config, [f"corpus.path={config['corpus']}"])
                method = topic_settings["method"]
                result = run_topics(topic_settings, config_path=topics_config, corpus=corpus, progress=progress,
                                    track=tracking and topic_settings["tracking"]["enabled"],
                                    output_dir=None if base is None else base / "topics" / method)
                topic_outputs[method] = result.output_dir
                topic_runs[method] = result
                headline[f"{method}_c_v"] = result.result.metrics.get("coherence_c_v", float("nan"))
                seconds[f"topics_{method}"] = time.perf_counter() - start

        extra: list[str] = []
        indicator_output = None
        if config["indicators"]["enabled"]:
            from .indicators.run import report_section, run_indicators

            start = time.perf_counter()
            indicator_run = run_indicators(corpus, report.parent / "indicators", tracking=tracking,
                                           district_labels=config["indicators"]["district_labels"])
            indicator_output = indicator_run.output_dir
            extra = report_section(indicator_run, report.parent)
            seconds["indicators"] = time.perf_counter() - start
        provenance = _provenance(config, config_path, overrides, corpus, base is None, parent_id)
        write_report(report, summary, classifier_table, classifier_results, model_dir, topic_runs, seconds, extra,
                     provenance=provenance)
        if tracking:
            tracking_module.log_metrics({**headline, **{f"seconds_{k}": v for k, v in seconds.items()}})
            tracking_module.log_artifact(report, "report")
        outcome = MainOutcome(report, summary, classifier_table, model_dir, topic_outputs, seconds,
                              classifier_results, indicator_output, base is None, parent_id, promotion)
    logger.info("report written to %s", report)
    return outcome


def _provenance(config: dict[str, Any], config_path, overrides: Iterable[str], corpus, tracked: bool,
                run_id: str | None) -> list[str]:
    """Lines for the report page: which corpus and which config produced it, and where it went."""
    from .run_folders import fingerprint
    from .tracking import git_commit

    overrides = list(overrides)
    command = f"nlp run --config {config_path}" + "".join(f" --set {o}" for o in overrides)
    corpus_path = Path(corpus.path) if getattr(corpus, "path", None) else Path(config["corpus"])
    lines = [f"- **Corpus**: `{_display(corpus_path)}`, {len(corpus.reports)} reports, {len(corpus.paragraphs)} "
             f"paragraphs (data hash `{corpus.data_hash()[:12]}`).",
             f"- **Config**: `{_display(resolve_project_path(config_path))}`"
             + (f" with `{'`, `'.join(overrides)}`" if overrides else " as committed")
             + f" (settings hash `{fingerprint(config, corpus.data_hash())}`); command `{command}`.",
             f"- **Code**: git commit `{git_commit()}`."]
    lines.append("- **Results**: the tracked results of the project (the committed config, unchanged)." if tracked else
                 "- **Results**: a run of its own (other settings or another corpus): the tracked results under "
                 "`experiments/results/` and `models/` were not touched.")
    if run_id:
        lines.append(f"- **MLflow**: parent run `{run_id}` (each step a nested run).")
    return lines


def _display(path: Path) -> str:
    try:
        return _rel(path.resolve(), project_root().resolve()) if path.resolve().is_relative_to(project_root().resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)


def _table(frame: pd.DataFrame, floatfmt: int = 3) -> str:
    """A DataFrame as a Markdown table (no extra dependency)."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: "" if pd.isna(v) else f"{v:.{floatfmt}f}")
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def write_report(path: Path, summary: pd.DataFrame, classifier_table: pd.DataFrame | None,
                 classifier_results: Path | None, model_dir: Path | None, topic_runs: dict[str, Any],
                 seconds: dict[str, float], extra_sections: list[str] | None = None,
                 provenance: list[str] | None = None) -> Path:
    """The report page: Markdown with the tables inline and the PNG plots linked; ``provenance`` lines
    (corpus, config, commit) open it."""
    from .classifier.outputs import comparison_markdown

    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Rule-of-law government reports: the seed study", "",
             "Generated by `nlp run` (`make all` runs it with `configs/main.yaml`). Every number below is recomputed "
             "from the raw reports, the annotations and the configs named under \"Produced by\".", "",
             *(["## Produced by", "", *provenance, ""] if provenance else []),
             "## Corpus", "", _table(summary.drop(columns=["doc_id"])), ""]
    if classifier_table is not None:
        lines += ["## Policy-area classifier", "",
                  "Leave-one-district-out (LODO) on the five seeds (train on four districts, test on the fifth; "
                  "thresholds tuned inside the four) and the development set of paragraphs from other provinces "
                  "(never trained on). Macro-F1 with 95% bootstrap intervals over paragraphs.", "",
                  comparison_markdown(classifier_table), ""]
        if classifier_results is not None:
            for name in ("per_label_f1.png", "confusion_lodo.png", "confusion_corpus.png", "confusion_dev.png"):
                if (classifier_results / name).exists():
                    lines += [f"![{name}]({_rel(classifier_results / name, folder)})", ""]
        if model_dir is not None and (model_dir / "MODEL_CARD.md").exists():
            lines += [f"The shipped model and its card: [{_rel(model_dir / 'MODEL_CARD.md', folder)}]"
                      f"({_rel(model_dir / 'MODEL_CARD.md', folder)}).", ""]
    for method, outcome in topic_runs.items():
        result = outcome.result
        metrics = result.metrics
        lines += [f"## Topics: {method}", "",
                  f"{result.n_topics} topics over {int(metrics.get('n_units', 0))} {result.unit}s; "
                  f"coherence c_v {metrics.get('coherence_c_v', float('nan')):.3f}, "
                  f"c_npmi {metrics.get('coherence_c_npmi', float('nan')):.3f}, "
                  f"u_mass {metrics.get('coherence_u_mass', float('nan')):.3f}; "
                  f"diversity {metrics.get('diversity', float('nan')):.2f}; "
                  f"outliers {metrics.get('outlier_share', float('nan')):.1%}.", "",
                  _table(result.top_words(8)), ""]
        for name in sorted(outcome.files):
            file = Path(outcome.files[name])
            if file.suffix == ".png":
                lines += [f"![{method} {file.stem}]({_rel(file, folder)})", ""]
        tables = ", ".join(f"[{Path(p).name}]({_rel(Path(p), folder)})" for n, p in sorted(outcome.files.items())
                           if Path(p).suffix in (".csv", ".html"))
        lines += [f"Tables: {tables}", ""]
    lines += list(extra_sections or [])
    lines += ["## Timing", "", _table(pd.DataFrame([{"step": k, "seconds": round(v, 1)} for k, v in seconds.items()])), "",
              "Browse every run with `.venv/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db` from the project root.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
