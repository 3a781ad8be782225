"""The main job: the whole study on the seeds, from raw reports to a report page.

Steps (each one a library call with its own config):

1. corpus summary (district, year, paragraphs, section-role shares);
2. classifier: held-out evaluation of baselines and models, then the final
   model trained on all seeds and saved to ``models/`` (``configs/classifier.yaml``);
3. topic models: LDA with its K sweep and BERTopic, each with the district
   and section-role comparisons (``configs/topics_lda.yaml``, ``configs/topics_bertopic.yaml``);
4. a report page (``experiments/results/report.md``) gathering the tables and plots.

Every step logs its own MLflow run; the job ends by saying where everything is.
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
from .paths import project_root

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
    },
}


@dataclass
class MainOutcome:
    """Where the main job put things."""

    report: Path
    corpus_summary: pd.DataFrame
    classifier_table: pd.DataFrame | None = None
    model_dir: Path | None = None
    topic_outputs: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _rel(path: Path, start: Path) -> str:
    return os.path.relpath(path, start).replace(os.sep, "/")


def run_main(config_path: str | os.PathLike = "configs/main.yaml", overrides: Iterable[str] = (),
             tracking: bool = True, progress: bool = True) -> MainOutcome:
    """Run every step of the study and write the report page."""
    from .corpus import load_corpus

    config = load_config(config_path, MAIN_SCHEMA, overrides)
    tracking = tracking and config["tracking"]["enabled"]
    root = project_root()
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    corpus = load_corpus(config["corpus"])
    summary = corpus.summary()
    seconds["corpus"] = time.perf_counter() - start
    logger.info("corpus: %d reports, %d paragraphs", len(corpus.reports), len(corpus.paragraphs))

    classifier_table = model_dir = None
    classifier_results = None
    if config["classifier"]["enabled"]:
        from .classifier.run import run_evaluate, run_train

        start = time.perf_counter()
        classifier_config = config["classifier"]["config"]
        evaluated = None
        if config["classifier"]["compare_candidates"]:
            evaluated = run_evaluate(classifier_config, tracking=tracking, progress=progress)
        trained = run_train(classifier_config, tracking=tracking, progress=progress)
        model_dir = trained.model_dir
        classifier_table = (evaluated or trained).table
        classifier_results = (evaluated or trained).results_dir
        seconds["classifier"] = time.perf_counter() - start

    topic_outputs: dict[str, Path] = {}
    topic_runs = {}
    if config["topics"]["enabled"]:
        from .topics.run import run_from_config

        for topics_config in config["topics"]["configs"]:
            start = time.perf_counter()
            outcome = run_from_config(topics_config, track=tracking, corpus=corpus, progress=progress)
            topic_outputs[outcome.result.method] = outcome.output_dir
            topic_runs[outcome.result.method] = outcome
            seconds[f"topics_{outcome.result.method}"] = time.perf_counter() - start

    report = root / config["report"]["path"]
    extra: list[str] = []
    if config["indicators"]["enabled"]:
        from .indicators.run import report_section, run_indicators

        start = time.perf_counter()
        indicator_run = run_indicators(corpus, report.parent / "indicators", tracking=tracking,
                                       district_labels=config["indicators"]["district_labels"])
        extra = report_section(indicator_run, report.parent)
        seconds["indicators"] = time.perf_counter() - start
    write_report(report, summary, classifier_table, classifier_results, model_dir, topic_runs, seconds, extra)
    return MainOutcome(report, summary, classifier_table, model_dir, topic_outputs, seconds)


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
                 seconds: dict[str, float], extra_sections: list[str] | None = None) -> Path:
    """The report page: Markdown with the tables inline and the PNG plots linked."""
    from .classifier.outputs import comparison_markdown

    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Rule-of-law government reports: the seed study", "",
             "Generated by `make all` (`nlp run --config configs/main.yaml`). Every number below is recomputed from "
             "the raw seed reports, the annotations and the configs.", "",
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
