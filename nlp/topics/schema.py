"""The topics config: schema of ``configs/topics_*.yaml`` and of :func:`nlp.fit_topics` options.

One schema serves both the YAML files (validated with :func:`nlp.config.load_config`)
and the keyword options of :func:`nlp.fit_topics` (the ``corpus.unit``, ``tokens``
and method sections, flattened), so a key means the same in both places. The
method sections take their defaults and choice lists from the estimators
(:class:`~nlp.topics.lda.LdaTopicModel`, :class:`~nlp.topics.bertopic_model.BertopicTopicModel`).

>>> cfg = load_topics_config("configs/topics_lda.yaml", overrides=["lda.k_values=[3, 4]"])  # doctest: +SKIP
>>> cfg["method"], cfg["lda"]["k_values"]                                                   # doctest: +SKIP
('lda', [3, 4])
"""
from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from ..checks import check_choice
from ..config import Field, load_config, validate
from .bertopic_model import CLUSTERINGS, EMBEDDINGS, OUTLIER_STRATEGIES, REDUCTIONS, TOPIC_SHARES, BertopicTopicModel
from .lda import ALPHA_CHOICES, ETA_CHOICES, LdaTopicModel
from .compare import INTERVALS
from .result import WEIGHTS
from .selection import DEFAULT_K_RULE, K_RULES, SWEEP_METRICS

__all__ = [
    "METHODS",
    "TOKENS_SCHEMA",
    "LDA_SCHEMA",
    "BERTOPIC_SCHEMA",
    "TOPICS_SCHEMA",
    "fit_schema",
    "validate_fit_options",
    "fit_options_from_config",
    "load_topics_config",
]

METHODS = ("lda", "bertopic")

TOKENS_SCHEMA = {
    "topic_stopwords": Field(str, "nlp/data/topic_stopwords.txt", path=True, nullable=True,
                             help="report-boilerplate stop words, one per line (null: none)"),
    "extra_stopwords": Field(list, [], item_type=str, help="more words to drop"),
    "district_stopwords": Field(bool, True, help="drop the corpus's district and city names"),
    "min_length": Field(int, 1, min=1, max=10, help="drop shorter tokens (characters)"),
}

_LDA = LdaTopicModel().get_params(deep=False)
_BERTOPIC = BertopicTopicModel().get_params(deep=False)

LDA_SCHEMA = {
    "n_topics": Field(int, None, nullable=True, min=2, max=50, help="fixed K; null: choose K from k_values by k_rule"),
    "k_values": Field(list, [3, 4, 5, 6, 7, 8, 9, 10], item_type=int, min=2, max=50),
    "random_state": Field(int, _LDA["random_state"], min=0, help="seed of the reported fit; restarts use the next seeds"),
    "n_restarts": Field(int, 5, min=1, max=100, help="fits per K (seeds random_state, random_state+1, ...): the rule's noise floor"),
    "k_rule": Field(str, DEFAULT_K_RULE, choices=K_RULES,
                    help="one_sd: finds the known number of areas on single-area sub-samples (experiments/topics_multidistrict.py --part k_stability)"),
    "k_metric": Field(str, "c_v", choices=SWEEP_METRICS),
    "passes": Field(int, _LDA["passes"], min=1, max=200),
    "iterations": Field(int, _LDA["iterations"], min=10, max=5000),
    "alpha": Field(str, _LDA["alpha"], choices=ALPHA_CHOICES),
    "eta": Field(str, _LDA["eta"], choices=ETA_CHOICES),
    "no_below": Field(int, _LDA["no_below"], min=1),
    "no_above": Field(float, _LDA["no_above"], min=0.01, max=1.0),
    "keep_n": Field(int, _LDA["keep_n"], min=10),
    "min_word_length": Field(int, _LDA["min_word_length"], min=1, max=10,
                             help="vocabulary: words of at least this many characters"),
    "top_n_words": Field(int, _LDA["top_n_words"], min=3, max=50),
}

BERTOPIC_SCHEMA = {
    "n_topics": Field(int, _BERTOPIC["n_topics"], min=2, max=50, help="k-means clusters"),
    "embedding": Field(str, _BERTOPIC["embedding"], choices=EMBEDDINGS),
    "embedding_dim": Field(int, _BERTOPIC["embedding_dim"], min=2, max=1000),
    "embedding_min_df": Field(int, _BERTOPIC["embedding_min_df"], min=1),
    "embedding_model_path": Field(str, None, nullable=True, path=True, help="local sentence-transformers folder"),
    "reduction": Field(str, _BERTOPIC["reduction"], choices=REDUCTIONS),
    "reduction_dim": Field(int, _BERTOPIC["reduction_dim"], min=2, max=200),
    "clustering": Field(str, _BERTOPIC["clustering"], choices=CLUSTERINGS),
    "min_cluster_size": Field(int, _BERTOPIC["min_cluster_size"], min=2),
    "outlier_strategy": Field(str, _BERTOPIC["outlier_strategy"], choices=OUTLIER_STRATEGIES),
    "reduce_frequent_words": Field(bool, _BERTOPIC["reduce_frequent_words"]),
    "top_n_words": Field(int, _BERTOPIC["top_n_words"], min=3, max=50),
    "topic_shares": Field(str, _BERTOPIC["topic_shares"], choices=TOPIC_SHARES,
                          help="approximate: soft shares (approximate_distribution); one_hot: the assigned topic"),
    "random_state": Field(int, _BERTOPIC["random_state"], min=0),
}

COMPARE_SCHEMA = {
    "by": Field(list, ["district", "section_role"], item_type=str, choices=("district", "section_role", "doc_id", "year")),
    "weights": Field(str, "paragraph", choices=WEIGHTS),
    "n_boot": Field(int, 2000, min=100, max=100000),
    "ci": Field(float, 0.95, min=0.5, max=0.999),
    "n_perm": Field(int, 1000, min=0, max=100000),
    "prior": Field(float, 1.0, min=0.01, help="pseudo-paragraphs at the corpus-wide shares (smoothing, pooling)"),
    "top_n": Field(int, 3, min=1, max=20),
    "interval": Field(str, "pooled", choices=INTERVALS, help="pooled: partial pooling; bootstrap: resample reports"),
    "min_group_size": Field(int, 3, min=1, help="groups with fewer paragraphs are reported but not tested"),
    "random_state": Field(int, 0, min=0),
}

TOPICS_SCHEMA = {
    "method": Field(str, choices=METHODS),
    "corpus": {
        "path": Field(str, "seeds"),
        "unit": Field(str, "paragraph", choices=("paragraph", "sentence")),
    },
    "tokens": TOKENS_SCHEMA,
    "lda": LDA_SCHEMA,
    "bertopic": BERTOPIC_SCHEMA,
    "compare": COMPARE_SCHEMA,
    "effects": {
        "enabled": Field(bool, True, help="fractional-logit covariate effects with report-clustered errors"),
        "terms": Field(list, ["district", "year", "section_role"], item_type=str,
                       choices=("district", "section_role", "year")),
        "min_reports": Field(int, 2, min=1, help="levels in fewer reports get no interval"),
    },
    "labels": {
        "enabled": Field(bool, True),
        "use_classifier": Field(bool, True, help="predict labels for paragraphs without gold labels"),
        "model_dir": Field(str, None, nullable=True),
    },
    "output": {
        "dir": Field(str, None, nullable=True, help="default experiments/results/topics/<method>/"),
        "html": Field(bool, True, help="BERTopic's interactive HTML charts"),
        "html_plotlyjs": Field(str, "cdn", choices=("cdn", "inline"),
                               help="inline: self-contained HTML (~4 MB each); cdn: small, needs a network to view"),
    },
    "plots": {
        "district_labels": Field(dict, {}, help="Latin names for plot axes when no CJK font is installed"),
        "dpi": Field(int, 150, min=50, max=600),
    },
    "tracking": {
        "enabled": Field(bool, True),
        "experiment": Field(str, "topics"),
        "uri": Field(str, None, nullable=True),
    },
}


def fit_schema(method: str) -> dict[str, Field]:
    """The flat option schema of :func:`nlp.fit_topics` for ``method``."""
    check_choice("method", method, METHODS)
    return {"unit": TOPICS_SCHEMA["corpus"]["unit"], **TOKENS_SCHEMA,
            **(LDA_SCHEMA if method == "lda" else BERTOPIC_SCHEMA)}


def validate_fit_options(method: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Check :func:`nlp.fit_topics` keyword options; unknown or invalid ones raise ConfigError."""
    return validate(dict(options), fit_schema(method), source=f"fit_topics(method={method!r})")


def fit_options_from_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The :func:`nlp.fit_topics` options of a validated topics config."""
    method = config["method"]
    return {"unit": config["corpus"]["unit"], **config["tokens"], **config[method]}


def load_topics_config(path: str | os.PathLike, overrides: Iterable[str] = ()) -> dict[str, Any]:
    """Read and validate a topics config (``configs/topics_lda.yaml``, ...).

    Raises
    ------
    nlp.config.ConfigError
        For an unknown key, a wrong type or an out-of-range value, naming the
        key and the file.
    """
    config = load_config(path, TOPICS_SCHEMA, overrides)
    labels = config["plots"]["district_labels"]
    bad = [k for k, v in labels.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad:
        from ..config import ConfigError

        raise ConfigError(f"{path}: key 'plots.district_labels': expected a mapping of names to strings, received {bad[0]!r}")
    return config
