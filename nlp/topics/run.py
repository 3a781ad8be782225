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

__all__ = ["RunOutcome", "default_output_dir", "run_name", "run_topics", "run_from_config"]

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


def _output_dir(config: Mapping[str, Any], config_path, corpus) -> Path:
    """The tracked folder when the project config runs unchanged on its own corpus, the folder the config's
    ``output.dir`` asks for, otherwise ``experiments/results/runs/topics-<method>-<hash>/``."""
    from ..paths import project_root, resolve_project_path
    from ..run_folders import choose_folder, config_unchanged, is_project_config, run_dir

    method = config["method"]
    configured = config["output"]["dir"] or default_output_dir(method)
    same_corpus = getattr(corpus, "path", None) is None or (
        Path(corpus.path).resolve() == resolve_project_path(config["corpus"]["path"]).resolve())
    unchanged = same_corpus and config_unchanged(config_path, config, load_topics_config)
    tracked = None
    if is_project_config(config_path):
        tracked = load_topics_config(config_path)["output"]["dir"] or default_output_dir(method)
    data_hash = corpus.data_hash() if hasattr(corpus, "data_hash") else None
    folder = choose_folder(configured if Path(configured).is_absolute() else project_root() / configured,
                           tracked if tracked is None or Path(tracked).is_absolute() else project_root() / tracked,
                           unchanged, run_dir(f"topics-{method}", config, data_hash))
    return folder


def run_name(result: TopicResult) -> str:
    """What ran: ``topics bertopic K=8`` (``... sentence`` for sentence units)."""
    name = f"topics {result.method} K={result.n_topics}"
    return name if result.unit == "paragraph" else f"{name} {result.unit}"


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
        Overrides ``output.dir``. By default the tracked
        ``experiments/results/topics/<method>/`` when the project config runs
        unchanged on its own corpus, else ``experiments/results/runs/topics-<method>-<hash>/``
        (:mod:`nlp.run_folders`).
    track
        Overrides ``tracking.enabled``.
    corpus
        An already loaded :class:`nlp.Corpus` (default: load ``corpus.path``).
    experiment
        Overrides ``tracking.experiment``.
    progress
        tqdm progress bars.

    The MLflow run (named like ``topics lda K=5``) covers the fit, and holds
    the metrics (coherence also as ``c_v``, ``c_npmi``, ``u_mass``), the output
    folder and the model (``model/``: topic words, document-topic table, and
    gensim's files for LDA).
    """
    import contextlib

    from ..corpus import load_corpus
    from .fit import fit_topics
    from .outputs import log_outputs, write_outputs

    method = config["method"]
    track = config["tracking"]["enabled"] if track is None else track
    if track:
        from ..tracking import check_tracking_server, resolve_tracking_uri

        check_tracking_server(resolve_tracking_uri(config["tracking"]["uri"]))  # fail before the work, not after
    corpus = corpus if corpus is not None else load_corpus(config["corpus"]["path"])
    out_dir = Path(output_dir) if output_dir is not None else _output_dir(config, config_path, corpus)
    run_id = None
    with contextlib.ExitStack() as stack:
        if track:
            from ..tracking import set_run_name, start_run

            run = stack.enter_context(start_run(
                experiment or config["tracking"]["experiment"], run_name=f"topics {method}", config=config,
                config_path=config_path, data_hash=corpus.data_hash() if hasattr(corpus, "data_hash") else None,
                tracking_uri=config["tracking"]["uri"], tags={"method": method, "unit": config["corpus"]["unit"]}))
            run_id = run.info.run_id
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
        if track:
            set_run_name(run_name(result))
            log_outputs(out_dir, metrics, result.k_summary, result=result)
    if run_id:
        logger.info("logged to MLflow run %s", run_id)
    logger.info("topic results written to %s", out_dir)
    return RunOutcome(result, comparisons, label_table, out_dir, files, run_id, effects)


def run_from_config(path: str | os.PathLike, overrides: Iterable[str] = (), output_dir: str | os.PathLike | None = None,
                    track: bool | None = None, **kwargs: Any) -> RunOutcome:
    """:func:`run_topics` on a YAML config file with ``key=value`` overrides."""
    config = load_topics_config(path, overrides)
    return run_topics(config, config_path=path, output_dir=output_dir, track=track, **kwargs)
