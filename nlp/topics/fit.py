"""``fit_topics``: one entry point for both topic-model methods."""
from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd

from .documents import (META_COLUMNS, aggregate_to_paragraphs, make_tokenizer, paragraph_table, place_names,
                        resolve_stopwords_path, unit_table)
from .metrics import COHERENCE_MEASURES, topic_coherence, topic_diversity
from .result import OUTLIER_COLUMN, TopicResult
from .schema import validate_fit_options

__all__ = ["fit_topics"]

logger = logging.getLogger(__name__)


def _places(corpus, paragraphs: pd.DataFrame) -> list[str]:
    names = paragraphs["district"].dropna().unique().tolist()
    for meta in getattr(corpus, "reports", []) or []:
        names.extend([getattr(meta, "district", None), getattr(meta, "city", None)])
    return place_names(names)


def _fit_lda(tokens: list[list[str]], opts: dict[str, Any], progress: bool):
    from .selection import choose_k, k_sweep

    k_values = [opts["n_topics"]] if opts["n_topics"] is not None else list(opts["k_values"])
    # Restarts use consecutive seeds from random_state; the first fits the reported model.
    seeds = [opts["random_state"] + i for i in range(opts["n_restarts"])]
    if not k_values:
        raise ValueError("LDA needs at least one value in k_values")
    params = {k: opts[k] for k in ("passes", "iterations", "alpha", "eta", "no_below", "no_above", "keep_n",
                                   "min_word_length", "top_n_words")}
    sweep = k_sweep(tokens, k_values, seeds, params, top_n_words=opts["top_n_words"], progress=progress)
    k, summary = choose_k(sweep.scores, opts["k_rule"], opts["k_metric"])
    if opts["n_topics"] is None:
        logger.info("LDA: K=%d chosen by rule %s on %s over K=%s", k, opts["k_rule"], opts["k_metric"], k_values)
    model = sweep.models[(k, seeds[0])]
    ids = list(range(k))
    extra: dict[str, float] = {"lda_k_chosen": k}
    if len(seeds) > 1:  # how much the dominant-topic partition at K depends on the seed
        from .compare import seed_stability

        stability = seed_stability([sweep.models[(k, s)].doc_topics_.argmax(axis=1) for s in seeds])
        extra.update({"seed_stability_ari": stability["adjusted_rand"], "seed_stability_nmi": stability["nmi"]})
    return model, model.doc_topics_, model.topic_words_, ids, sweep.scores, summary, extra


def _fit_bertopic(texts: list[str], tokenizer, opts: dict[str, Any]):
    from .bertopic_model import BertopicTopicModel

    keys = ("n_topics", "embedding", "embedding_dim", "embedding_min_df", "embedding_model_path", "reduction",
            "reduction_dim", "clustering", "min_cluster_size", "outlier_strategy", "reduce_frequent_words",
            "top_n_words", "topic_shares", "random_state")
    model = BertopicTopicModel(tokenizer=tokenizer, **{k: opts[k] for k in keys}).fit(texts)
    extra = {"outlier_share": model.outlier_share_, "outlier_share_before_reduction": model.initial_outlier_share_,
             "one_hot_fallback_share": model.one_hot_fallback_share_}
    return model, model.doc_topics_, model.topic_words_, list(model.topic_ids_), None, None, extra


def fit_topics(corpus, method: str = "lda", *, progress: bool = True, **options: Any) -> TopicResult:
    """Fit a topic model on a corpus and attach district, year and section role.

    Parameters
    ----------
    corpus : nlp.Corpus or pandas.DataFrame
        From :func:`nlp.load_corpus` (or its ``paragraphs`` table).
    method : {"lda", "bertopic"}
        gensim LDA with a K sweep, or BERTopic (offline TF-IDF/SVD embeddings,
        k-means by default).
    progress : bool
        tqdm progress bars.
    **options
        ``unit`` ("paragraph" or "sentence"), the ``tokens`` keys
        (``topic_stopwords``, ``extra_stopwords``, ``district_stopwords``,
        ``min_length``) and the method's keys, as in ``configs/topics_lda.yaml``
        / ``configs/topics_bertopic.yaml`` (see :mod:`nlp.topics.schema`).
        LDA: with ``n_topics=None`` K is chosen from ``k_values`` by
        ``k_rule`` over ``n_restarts`` fits per K (seeds ``random_state``,
        ``random_state + 1``, ...); the reported model is the one fitted with
        ``random_state``. ``num_topics``/``nr_topics`` are refused with a
        message naming ``n_topics``.

    Returns
    -------
    TopicResult

    Raises
    ------
    nlp.config.ConfigError
        For an unknown option or an invalid value.

    Examples
    --------
    >>> result = fit_topics(nlp.load_corpus("seeds"), "bertopic", n_topics=6)  # doctest: +SKIP
    >>> result.by_district()                                                   # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    opts = validate_fit_options(method, options)
    paragraphs = paragraph_table(corpus)
    places = _places(corpus, paragraphs) if opts["district_stopwords"] else []
    tokenizer = make_tokenizer(resolve_stopwords_path(opts["topic_stopwords"]), opts["extra_stopwords"], places,
                               opts["min_length"])
    units = unit_table(paragraphs, opts["unit"])
    texts = units["text"].astype(str).tolist()
    tokens = [tokenizer(t) for t in tqdm(texts, desc="tokenizing", disable=not progress, leave=False)]
    start = time.perf_counter()
    if method == "lda":
        model, unit_theta, words, ids, sweep, k_summary, extra = _fit_lda(tokens, opts, progress)
    else:
        model, unit_theta, words, ids, sweep, k_summary, extra = _fit_bertopic(texts, tokenizer, opts)
    fit_seconds = time.perf_counter() - start

    columns = [f"T{t}" for t in ids] + ([OUTLIER_COLUMN] if unit_theta.shape[1] > len(ids) else [])
    top_n_words = opts["top_n_words"]
    words = words.assign(label=words["topic"].map(lambda t: f"T{t}"))[["topic", "label", "rank", "word", "weight"]]
    top = [words.loc[words["topic"] == t].sort_values("rank")["word"].tolist() for t in ids]
    quality = topic_coherence(top, tokens, COHERENCE_MEASURES, top_n_words=top_n_words)
    n_tokens = np.array([len(t) for t in tokens])

    unit_frame = units.drop(columns=["text"]).copy()
    unit_frame["n_tokens"] = n_tokens
    unit_frame = pd.concat([unit_frame, pd.DataFrame(unit_theta, columns=columns, index=unit_frame.index)], axis=1)
    if opts["unit"] == "paragraph":
        theta = unit_theta
        para_tokens = n_tokens
    else:
        theta = aggregate_to_paragraphs(unit_theta, units["row"], len(paragraphs), n_tokens)
        para_tokens = np.bincount(units["row"], weights=n_tokens, minlength=len(paragraphs)).astype(int)
    doc = paragraphs[META_COLUMNS].copy()
    dominant = theta.argmax(axis=1)
    topic_ids = [*ids, -1] if OUTLIER_COLUMN in columns else list(ids)
    doc["topic"] = [topic_ids[j] for j in dominant]
    doc["topic_weight"] = theta.max(axis=1)
    doc["n_tokens"] = para_tokens
    doc = pd.concat([doc, pd.DataFrame(theta, columns=columns, index=doc.index)], axis=1)
    unit_dominant = unit_theta.argmax(axis=1)
    unit_frame.insert(unit_frame.columns.get_loc("n_tokens"), "topic", [topic_ids[j] for j in unit_dominant])

    sizes = pd.Series([topic_ids[j] for j in unit_dominant]).value_counts()
    quality.insert(0, "topic", ids)
    quality.insert(1, "label", [f"T{t}" for t in ids])
    quality.insert(2, "n_units", [int(sizes.get(t, 0)) for t in ids])
    quality.insert(3, "mean_weight", unit_theta[:, :len(ids)].mean(axis=0))
    quality["top_words"] = [" ".join(w[:top_n_words]) for w in top]

    metrics: dict[str, float] = {
        **{f"coherence_{m}": float(quality[m].mean()) for m in COHERENCE_MEASURES},
        "diversity": topic_diversity(top, top_n_words),
        "n_topics": float(len(ids)),
        "n_units": float(len(units)),
        "n_paragraphs": float(len(paragraphs)),
        "outlier_share": 0.0,
        "fit_seconds": round(fit_seconds, 3),
        **{k: float(v) for k, v in extra.items()},
    }
    params = {"method": method, **{k: v for k, v in opts.items()}}
    logger.info("%s: %d topics, c_v=%.3f, diversity=%.2f, %.1fs", method, len(ids), metrics["coherence_c_v"],
                metrics["diversity"], fit_seconds)
    return TopicResult(method=method, unit=opts["unit"], topic_words=words.reset_index(drop=True), doc_topics=doc,
                       unit_topics=unit_frame, topic_columns=columns, metrics=metrics, topic_quality=quality,
                       params=params, model=model, paragraphs=paragraphs, sweep=sweep, k_summary=k_summary)
