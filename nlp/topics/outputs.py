"""Writing topic results to a folder (CSV, PNG, HTML, JSON) and logging them to MLflow.

Every file is written under one output folder; :func:`log_outputs` then sends
the metrics and the whole folder to the active MLflow run through
:mod:`nlp.tracking` (the only module that talks to MLflow).

Files (``<by>`` is each comparison grouping, e.g. ``district``, ``section_role``):

============================== ==================================================
``topic_words.csv``            topic, label, rank, word, weight
``topics.csv``                 per topic: size, mean weight, coherence, top words
``doc_topics.csv``             per paragraph: metadata, dominant topic, weights
``unit_topics.csv``            per sentence (sentence units only)
``prevalence_<by>.csv``        prevalence with bootstrap intervals
``contrasts_<by>.csv``         each group vs the rest: lift (+ interval), log-odds z
``top_topics_<by>.csv``        most over- / under-represented topics per group
``js_divergence_<by>.csv``     group x group Jensen-Shannon divergence
``js_tests_<by>.csv``          pairwise permutation tests of the divergence
``heatmap_<by>.png``           group x topic prevalence heatmap
``prevalence_intervals_<by>.png`` prevalence with intervals, one panel per topic
``js_divergence_<by>.png``     divergence heatmap
``label_topics.csv/.png``      policy labels x topics: shares and lift
``effects.csv``, ``effects.png`` covariate effects (fractional logit, report-clustered)
``k_sweep.csv``, ``k_summary.csv``, ``k_curve.png``  LDA's K sweep and rule
``bertopic_barchart.html``     BERTopic's interactive top-word chart
``bertopic_topics_per_district.html`` BERTopic's topics per district chart
``plot_labels.csv``            what the plots' axis labels stand for
``metrics.json``               coherence, diversity, outlier share, runtime
``config.yaml``                the validated config of the run
============================== ==================================================
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .compare import Comparison
from .result import TopicResult
from .selection import DEFAULT_K_RULE

__all__ = ["write_outputs", "write_k_sweep", "write_bertopic_html", "log_outputs"]

logger = logging.getLogger(__name__)

_FLOAT = "%.6g"


def _csv(frame: pd.DataFrame, path: Path, written: dict[str, Path]) -> None:
    frame.to_csv(path, index=False, float_format=_FLOAT, encoding="utf-8")
    written[path.name] = path


def _png(fig, path: Path, written: dict[str, Path], dpi: int) -> None:
    fig.savefig(path, dpi=dpi)
    written[path.name] = path


def _top_words(result: TopicResult, n: int = 3) -> dict[str, list[str]]:
    table = result.top_words(n, sep="\t")
    return {row.label: row.words.split("\t") for row in table.itertuples()}


def write_k_sweep(result: TopicResult, out_dir: str | os.PathLike, dpi: int = 150,
                  written: dict[str, Path] | None = None) -> dict[str, Path]:
    """``k_sweep.csv``, ``k_summary.csv`` and ``k_curve.png`` of an LDA result."""
    from .plots import k_curve

    written = {} if written is None else written
    if result.sweep is None or result.k_summary is None:
        return written
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _csv(result.sweep, out / "k_sweep.csv", written)
    _csv(result.k_summary, out / "k_summary.csv", written)
    rule, metric = result.params.get("k_rule", DEFAULT_K_RULE), result.params.get("k_metric", "c_v")
    _png(k_curve(result.k_summary, metric=metric, rule=rule), out / "k_curve.png", written, dpi)
    return written


def write_bertopic_html(result: TopicResult, out_dir: str | os.PathLike, plotlyjs: str = "cdn",
                        written: dict[str, Path] | None = None) -> dict[str, Path]:
    """BERTopic's interactive charts: top words per topic, topics per district."""
    written = {} if written is None else written
    model = getattr(result.model, "model_", None)
    if result.method != "bertopic" or model is None:
        return written
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    include = True if plotlyjs == "inline" else "cdn"
    try:
        n = len(result.model.topic_ids_)
        fig = model.visualize_barchart(top_n_topics=n, n_words=8, title="BERTopic: top words per topic (c-TF-IDF)")
        fig.write_html(out / "bertopic_barchart.html", include_plotlyjs=include)
        written["bertopic_barchart.html"] = out / "bertopic_barchart.html"
        if result.unit == "paragraph":
            docs = result.paragraphs["text"].astype(str).tolist()
            per_class = model.topics_per_class(docs, classes=result.doc_topics["district"].astype(str).tolist())
            fig = model.visualize_topics_per_class(per_class, top_n_topics=n, title="BERTopic: topics per district")
            fig.write_html(out / "bertopic_topics_per_district.html", include_plotlyjs=include)
            written["bertopic_topics_per_district.html"] = out / "bertopic_topics_per_district.html"
    except Exception as exc:  # an optional chart must not lose the run's tables
        logger.warning("BERTopic HTML charts skipped (%s: %s)", type(exc).__name__, exc)
    return written


def write_outputs(result: TopicResult, comparisons: Mapping[str, Comparison], out_dir: str | os.PathLike,
                  *args: Any, **kwargs: Any) -> dict[str, Path]:
    """Write tables, figures and (BERTopic) HTML for a result; returns ``{file name: path}``.

    The parameters are those of :func:`_write_outputs_into`. The folder is
    replaced whole (:func:`nlp.atomic.atomic_folder`): a run killed part-way
    leaves the previous results intact, never a mix; files it does not write
    are kept.
    """
    from ..atomic import atomic_folder

    final = Path(out_dir)
    with atomic_folder(final, keep_other_files=True) as staging:
        written = _write_outputs_into(result, comparisons, staging, *args, **kwargs)
    return {name: final / Path(path).relative_to(staging) for name, path in written.items()}


def _write_outputs_into(
    result: TopicResult,
    comparisons: Mapping[str, Comparison],
    out_dir: str | os.PathLike,
    label_table: pd.DataFrame | None = None,
    config: Mapping[str, Any] | None = None,
    district_labels: Mapping[str, str] | None = None,
    html: bool = True,
    html_plotlyjs: str = "cdn",
    dpi: int = 150,
    effects: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write tables, figures and (BERTopic) HTML for a result; returns ``{file name: path}``.

    Parameters
    ----------
    result
        From :func:`nlp.fit_topics`.
    comparisons
        ``{by: Comparison}``, e.g. from ``result.compare("district")``.
    out_dir
        Created if missing; existing files of the same names are replaced.
    label_table
        From :meth:`TopicResult.label_topics` (skipped when None or empty).
    config
        Written as ``config.yaml``.
    district_labels
        Latin axis labels for districts when no CJK font is installed.
    html, html_plotlyjs
        BERTopic's interactive charts; ``"cdn"`` keeps them small, ``"inline"``
        makes them self-contained (several MB).
    dpi
        PNG resolution.
    effects
        From :meth:`TopicResult.effects`: written as ``effects.csv`` and
        plotted in ``effects.png``.
    """
    import yaml

    from .plots import axis_labels, divergence_heatmap, label_topic_heatmap, prevalence_heatmap, prevalence_intervals

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    words = _top_words(result)

    _csv(result.topic_words, out / "topic_words.csv", written)
    _csv(result.topic_quality, out / "topics.csv", written)
    doc = result.doc_topics.copy()
    if result.paragraphs is not None:
        doc["text"] = result.paragraphs["text"].to_numpy()
    _csv(doc, out / "doc_topics.csv", written)
    if result.unit != "paragraph":
        _csv(result.unit_topics, out / "unit_topics.csv", written)

    label_rows = []
    for by, comparison in comparisons.items():
        for name, table in comparison.tables().items():
            _csv(table, out / f"{name}_{by}.csv", written)
        labels = district_labels if by == "district" else None
        groups = list(comparison.divergence.index)
        label_rows.extend({"axis": by, "name": g, "label": lab} for g, lab in zip(groups, axis_labels(groups, labels)))
        _png(prevalence_heatmap(comparison.prevalence_matrix(), by, labels, words, result.method),
             out / f"heatmap_{by}.png", written, dpi)
        _png(prevalence_intervals(comparison.prevalence.rename(columns={"group": by}), by, labels,
                                  comparison.settings.get("ci", 0.95)), out / f"prevalence_intervals_{by}.png", written, dpi)
        _png(divergence_heatmap(comparison.divergence, by, labels), out / f"js_divergence_{by}.png", written, dpi)
    label_rows.extend({"axis": "topic", "name": t, "label": t} for t in result.topic_columns)
    top = result.top_words(10)
    label_frame = pd.DataFrame(label_rows, columns=["axis", "name", "label"])
    label_frame["top_words"] = label_frame["name"].map(dict(zip(top["label"], top["words"]))).fillna("")
    _csv(label_frame, out / "plot_labels.csv", written)

    if label_table is not None and not label_table.empty:
        _csv(label_table, out / "label_topics.csv", written)
        _png(label_topic_heatmap(label_table, words), out / "label_topics.png", written, dpi)
    if effects is not None:
        from .plots import coefficient_plot

        _csv(effects, out / "effects.csv", written)
        _png(coefficient_plot(effects, district_labels), out / "effects.png", written, dpi)
    write_k_sweep(result, out, dpi, written)
    if html:
        write_bertopic_html(result, out, html_plotlyjs, written)

    metrics_path = out / "metrics.json"
    metrics_path.write_text(json.dumps({"method": result.method, "unit": result.unit, **result.metrics}, indent=2,
                                       ensure_ascii=False), encoding="utf-8")
    written[metrics_path.name] = metrics_path
    if config is not None:
        config_path = out / "config.yaml"
        config_path.write_text(yaml.safe_dump(dict(config), allow_unicode=True, sort_keys=False), encoding="utf-8")
        written[config_path.name] = config_path
    logger.info("wrote %d files to %s", len(written), out)
    return written


# Headline metrics under the plain names the README and the MLflow UI use.
PLAIN_METRICS = {"coherence_c_v": "c_v", "coherence_c_npmi": "c_npmi", "coherence_u_mass": "u_mass"}


def write_model_files(result: TopicResult, folder: str | os.PathLike) -> dict[str, Path]:
    """The fitted model in a small, safe form: topic words and document-topic tables (CSV), and for LDA
    gensim's own files (``lda.gensim*``) with the dictionary as text (``dictionary.txt``).

    ``doc_topics.csv`` here holds the metadata and topic weights, not the paragraph text.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    _csv(result.topic_words, out / "topic_words.csv", written)
    _csv(result.doc_topics, out / "doc_topics.csv", written)
    if result.method == "lda" and getattr(result.model, "model_", None) is not None:
        result.model.model_.save(str(out / "lda.gensim"))
        result.model.dictionary_.save_as_text(str(out / "dictionary.txt"))
        written.update({p.name: p for p in out.iterdir() if p.name.startswith("lda.gensim")})
        written["dictionary.txt"] = out / "dictionary.txt"
    return written


def log_outputs(out_dir: str | os.PathLike, metrics: Mapping[str, float],
                k_summary: pd.DataFrame | None = None, artifact_path: str | None = None,
                result: TopicResult | None = None) -> None:
    """Log metrics, the K curve (one step per K) and the output folder to the active MLflow run.

    Coherence is also logged under plain names (``c_v``, ``c_npmi``,
    ``u_mass``); with ``result`` the model itself goes to the ``model/``
    artifact folder (:func:`write_model_files`).
    """
    import tempfile

    from .. import tracking

    numbers = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
    numbers.update({plain: numbers[name] for name, plain in PLAIN_METRICS.items() if name in numbers})
    tracking.log_metrics(numbers)
    if result is not None:
        with tempfile.TemporaryDirectory() as tmp:
            write_model_files(result, tmp)
            tracking.log_artifacts(tmp, artifact_path="model")
    if k_summary is not None:
        for row in k_summary.to_dict("records"):
            values = {f"k_sweep_{k}": v for k, v in row.items() if k.endswith(("_mean", "_se")) and pd.notna(v)}
            tracking.log_metrics(values, step=int(row["k"]))
    tracking.log_artifacts(out_dir, artifact_path=artifact_path)
