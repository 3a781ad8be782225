"""A whole topic run from a config: fit, compare, write, track (``nlp topics``).

>>> outcome = run_topics(load_topics_config("configs/topics_lda.yaml"), track=False)  # doctest: +SKIP
>>> outcome.output_dir, outcome.result.metrics["coherence_c_v"]                       # doctest: +SKIP
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from ..paths import results_dir
from .compare import Comparison
from .result import TopicResult
from .schema import fit_options_from_config, load_topics_config

__all__ = ["RunOutcome", "default_output_dir", "run_topics", "run_from_config"]

logger = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    """What :func:`run_topics` produced.

    Attributes
    ----------
    result : TopicResult
    comparisons : dict
        ``{by: Comparison}`` for each grouping in ``compare.by``.
    label_table : pandas.DataFrame or None
    effects : pandas.DataFrame or None
        Covariate effects (:meth:`TopicResult.effects`) when ``effects.enabled``.
    output_dir : pathlib.Path
    files : dict
        ``{file name: path}`` of everything written.
    run_id : str or None
        The MLflow run, when tracking was on.

    Examples
    --------
    >>> outcome = run_from_config("configs/topics_bertopic.yaml", track=False)  # doctest: +SKIP
    >>> outcome.comparisons["district"].top                                    # doctest: +SKIP
    """

    result: TopicResult
    comparisons: dict[str, Comparison]
    label_table: pd.DataFrame | None
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    run_id: str | None = None
    effects: pd.DataFrame | None = None


def default_output_dir(method: str) -> Path:
    """``experiments/results/topics/<method>/``."""
    return results_dir() / "topics" / method


def _headline(comparisons: Mapping[str, Comparison]) -> dict[str, float]:
    out: dict[str, float] = {}
    for by, comparison in comparisons.items():
        tests = comparison.divergence_tests
        if len(tests):
            out[f"js_{by}_mean"] = float(tests["js"].mean())
            out[f"js_{by}_null_mean"] = float(tests["js_null_mean"].mean())
            out[f"js_{by}_pairs_p_lt_0.05"] = float((tests["p_value"] < 0.05).sum())
    return out


def run_topics(config: Mapping[str, Any], config_path: str | os.PathLike | None = None,
               output_dir: str | os.PathLike | None = None, track: bool | None = None,
               corpus=None, experiment: str | None = None, progress: bool = True) -> RunOutcome:
    """Fit the configured topic model, compare groups, write files, log to MLflow.

    Parameters
    ----------
    config
        A validated topics config (:func:`~nlp.topics.schema.load_topics_config`).
    config_path
        The YAML file, logged as an artifact.
    output_dir
        Overrides ``output.dir`` (default ``experiments/results/topics/<method>/``).
    track
        Overrides ``tracking.enabled``.
    corpus
        An already loaded :class:`nlp.Corpus` (default: load ``corpus.path``).
    experiment
        Overrides ``tracking.experiment``.
    progress
        tqdm progress bars.
    """
    from ..corpus import load_corpus
    from .fit import fit_topics
    from .outputs import log_outputs, write_outputs

    method = config["method"]
    track = config["tracking"]["enabled"] if track is None else track
    out_dir = Path(output_dir or config["output"]["dir"] or default_output_dir(method))
    if not out_dir.is_absolute() and output_dir is None and config["output"]["dir"]:
        from ..paths import project_root

        out_dir = project_root() / out_dir
    if track:
        from ..tracking import check_tracking_server, resolve_tracking_uri

        check_tracking_server(resolve_tracking_uri(config["tracking"]["uri"]))  # fail before the work, not after
    corpus = corpus if corpus is not None else load_corpus(config["corpus"]["path"])
    result = fit_topics(corpus, method, progress=progress, **fit_options_from_config(config))
    settings = {k: v for k, v in config["compare"].items() if k != "by"}
    comparisons = {by: result.compare(by, **settings) for by in config["compare"]["by"]}
    effects = None
    if config["effects"]["enabled"]:
        effects = result.effects(config["effects"]["terms"], min_reports=config["effects"]["min_reports"])
    label_table = None
    if config["labels"]["enabled"]:
        label_table = result.label_topics(config["labels"]["use_classifier"], config["labels"]["model_dir"])
    files = write_outputs(result, comparisons, out_dir, label_table, config, config["plots"]["district_labels"],
                          html=config["output"]["html"], html_plotlyjs=config["output"]["html_plotlyjs"],
                          dpi=config["plots"]["dpi"], effects=effects)
    metrics = {**result.metrics, **_headline(comparisons)}
    run_id = None
    if track:
        from ..tracking import start_run

        with start_run(experiment or config["tracking"]["experiment"], run_name=f"topics-{method}-{result.unit}",
                       config=config, config_path=config_path, data_hash=corpus.data_hash() if hasattr(corpus, "data_hash") else None,
                       tracking_uri=config["tracking"]["uri"], tags={"method": method, "unit": result.unit}) as run:
            log_outputs(out_dir, metrics, result.k_summary)
            run_id = run.info.run_id
        logger.info("logged to MLflow run %s", run_id)
    return RunOutcome(result, comparisons, label_table, out_dir, files, run_id, effects)


def run_from_config(path: str | os.PathLike, overrides: Iterable[str] = (), output_dir: str | os.PathLike | None = None,
                    track: bool | None = None, **kwargs: Any) -> RunOutcome:
    """:func:`run_topics` on a YAML config file with ``key=value`` overrides."""
    config = load_topics_config(path, overrides)
    return run_topics(config, config_path=path, output_dir=output_dir, track=track, **kwargs)
