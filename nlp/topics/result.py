"""The result of a topic-model fit, and the comparisons read from it."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..checks import choice_error
from .compare import Comparison, compare_groups, prevalence_intervals
from .label_relation import label_topic_table, resolve_labels

__all__ = ["TopicResult", "OUTLIER_COLUMN"]

logger = logging.getLogger(__name__)

# How paragraphs count in prevalence: one each, or by their number of tokens.
WEIGHTS = ("paragraph", "tokens")

#: Column of ``doc_topics`` for BERTopic outliers (topic -1), present only when some remain.
OUTLIER_COLUMN = "outlier"


@dataclass
class TopicResult:
    """A fitted topic model over a corpus, with per-paragraph topics.

    Attributes
    ----------
    method : str
        ``"lda"`` or ``"bertopic"``.
    unit : str
        What the model was fitted on: ``"paragraph"`` or ``"sentence"``.
    topic_words : pandas.DataFrame
        ``topic`` (int), ``label`` (``"T0"``...), ``rank``, ``word``,
        ``weight`` (LDA: p(word | topic); BERTopic: c-TF-IDF score).
    doc_topics : pandas.DataFrame
        Aligned with ``corpus.paragraphs`` (same index and order): ``doc_id,
        district, year, para_id, section_role, topic`` (dominant topic, -1 =
        outlier), ``topic_weight``, ``n_tokens`` and one weight column per
        topic (:attr:`topic_columns`, rows sum to 1). LDA weights are topic
        proportions; BERTopic weights are soft topic shares (its approximate
        distribution; ``topic_shares="one_hot"`` for the assigned topic only).
    unit_topics : pandas.DataFrame
        The same per fitted unit (equal to ``doc_topics`` for paragraphs).
    topic_columns : list of str
        ``["T0", "T1", ...]`` plus ``"outlier"`` when BERTopic left outliers.
    metrics : dict
        ``coherence_c_v``, ``coherence_c_npmi``, ``coherence_u_mass``,
        ``diversity``, ``n_topics``, ``outlier_share``, ``fit_seconds``, ...
    topic_quality : pandas.DataFrame
        Per topic: size, coherence per measure, top words.
    params : dict
        The validated options of the fit.
    model : object
        The fitted estimator (:class:`~nlp.topics.lda.LdaTopicModel` or
        :class:`~nlp.topics.bertopic_model.BertopicTopicModel`).
    sweep, k_summary : pandas.DataFrame or None
        LDA only: scores per (K, seed) and per K with the rule's choice.

    Examples
    --------
    >>> result = nlp.fit_topics(corpus, method="lda", k_values=[3, 4])  # doctest: +SKIP
    >>> result.by_district().head()                                    # doctest: +SKIP
    >>> result.compare_districts().top                                 # doctest: +SKIP
    """

    method: str
    unit: str
    topic_words: pd.DataFrame
    doc_topics: pd.DataFrame
    unit_topics: pd.DataFrame
    topic_columns: list[str]
    metrics: dict[str, float]
    topic_quality: pd.DataFrame
    params: dict[str, Any]
    model: Any = field(repr=False, default=None)
    paragraphs: pd.DataFrame = field(repr=False, default=None)
    sweep: pd.DataFrame | None = field(repr=False, default=None)
    k_summary: pd.DataFrame | None = field(repr=False, default=None)

    @property
    def n_topics(self) -> int:
        return len([c for c in self.topic_columns if c != OUTLIER_COLUMN])

    def theta(self) -> np.ndarray:
        """Paragraph x topic weights (the :attr:`topic_columns` of ``doc_topics``)."""
        return self.doc_topics[self.topic_columns].to_numpy(dtype=float)

    def top_words(self, n: int = 10, sep: str = " ") -> pd.DataFrame:
        """One row per topic: ``topic, label, words`` (the top ``n`` joined by ``sep``)."""
        words = self.topic_words[self.topic_words["rank"] < n]
        out = words.groupby(["topic", "label"], sort=True)["word"].agg(sep.join).reset_index()
        return out.rename(columns={"word": "words"})

    def _weights(self, weights: str | None) -> np.ndarray | None:
        if weights in (None, "paragraph"):
            return None
        if weights == "tokens":
            return self.doc_topics["n_tokens"].to_numpy(dtype=float) + 1.0
        raise choice_error("weights", weights, WEIGHTS)

    def _groups(self, by: str) -> pd.Series:
        if by not in self.doc_topics.columns:
            raise ValueError(f"cannot group by {by!r}; doc_topics has {list(self.doc_topics.columns[:6])}")
        groups = self.doc_topics[by]
        if groups.isna().any():
            logger.warning("%d paragraphs have no %s; they form the group 'unknown'", int(groups.isna().sum()), by)
            groups = groups.astype(object).where(groups.notna(), "unknown")
        return groups.astype(str)

    def _clusters(self) -> pd.Series | None:
        return self.doc_topics["doc_id"] if "doc_id" in self.doc_topics.columns else None

    def by_group(self, by: str, n_boot: int = 2000, ci: float = 0.95, weights: str | None = None,
                 random_state: int = 0, interval: str = "pooled", prior: float = 1.0) -> pd.DataFrame:
        """Topic prevalence per group with intervals that reflect group size.

        Columns ``<by>, topic, n_paragraphs, n_reports, prevalence`` (rows of
        a group sum to 1), ``prevalence_pooled`` (``interval="pooled"``),
        ``ci_low, ci_high, se``. ``interval="pooled"`` (default) uses partial
        pooling with paragraphs clustered in reports; ``"bootstrap"``
        resamples reports. See :mod:`nlp.topics.compare`.
        """
        table = prevalence_intervals(self.theta(), self._groups(by), self.topic_columns, self._weights(weights),
                                     self._clusters(), interval, n_boot, ci, prior, random_state)
        return table.rename(columns={"group": by})

    def by_district(self, n_boot: int = 2000, ci: float = 0.95, weights: str | None = None,
                    random_state: int = 0, interval: str = "pooled", prior: float = 1.0) -> pd.DataFrame:
        """Topic prevalence per district with intervals (see :meth:`by_group`)."""
        return self.by_group("district", n_boot, ci, weights, random_state, interval, prior)

    def compare(self, by: str = "district", n_boot: int = 2000, ci: float = 0.95, n_perm: int = 1000,
                prior: float = 1.0, top_n: int = 3, weights: str | None = None, random_state: int = 0,
                interval: str = "pooled", min_group_size: int = 3) -> Comparison:
        """Prevalence, over/under-representation and JS divergence between groups.

        Paragraphs are clustered in their reports (``doc_id``): intervals use
        partial pooling with a design effect (``interval="pooled"``) or
        resample reports (``"bootstrap"``); permutation tests shuffle whole
        reports when each report lies in one group, else shuffle within
        reports. Groups with fewer than ``min_group_size`` paragraphs are
        reported and left out of the tests (with a warning); every family of
        tests (contrasts, JS pairs) is corrected with Benjamini-Hochberg.
        """
        return compare_groups(self.theta(), self._groups(by), by=by, topics=self.topic_columns,
                              weights=self._weights(weights), n_boot=n_boot, ci=ci, n_perm=n_perm, prior=prior,
                              top_n=top_n, random_state=random_state, clusters=self._clusters(), interval=interval,
                              min_group_size=min_group_size)

    def compare_districts(self, **options: Any) -> Comparison:
        """:meth:`compare` by district."""
        return self.compare("district", **options)

    def effects(self, terms=("district", "year", "section_role"), numeric=("year",), ci: float = 0.95,
                min_reports: int = 2) -> pd.DataFrame:
        """Covariate effects on each topic's share: fractional logit with report-clustered errors.

        Parameters
        ----------
        terms
            Columns of :attr:`doc_topics` (``district``, ``year``,
            ``section_role``, ...); categorical ones are compared with their
            most frequent level, ``numeric`` ones get a slope.
        min_reports
            Levels seen in fewer reports get an estimate but no interval.

        Returns
        -------
        pandas.DataFrame
            :data:`nlp.topics.effects.EFFECT_COLUMNS`; see
            :mod:`nlp.topics.effects`. Plot with
            :func:`nlp.topics.plots.coefficient_plot`.

        Examples
        --------
        >>> table = result.effects(["district", "year", "section_role"])  # doctest: +SKIP
        >>> table[table["q_value"] < 0.05]                                # doctest: +SKIP
        """
        from .effects import topic_effects

        if isinstance(terms, str):
            terms = [terms]
        topics = [c for c in self.topic_columns if c != OUTLIER_COLUMN]
        theta = self.doc_topics[topics].to_numpy(dtype=float)
        totals = theta.sum(axis=1, keepdims=True)
        theta = np.divide(theta, totals, out=np.full_like(theta, 1.0 / theta.shape[1]), where=totals > 0)
        return topic_effects(theta, self.doc_topics, list(terms), clusters=self._clusters(), topics=topics,
                             numeric=numeric, ci=ci, min_reports=min_reports)

    def label_topics(self, use_classifier: bool = True, model_dir=None) -> pd.DataFrame:
        """Topic x policy-label table (gold labels, else predicted; see :mod:`nlp.topics.label_relation`)."""
        if self.paragraphs is None:
            raise ValueError("this result has no paragraphs table to read labels from")
        labels, source = resolve_labels(self.paragraphs, use_classifier=use_classifier, model_dir=model_dir)
        return label_topic_table(self.theta(), labels, self.topic_columns, source)

    def summary(self) -> dict[str, Any]:
        """Method, unit, topics and the headline metrics."""
        return {"method": self.method, "unit": self.unit, "n_topics": self.n_topics,
                "n_paragraphs": len(self.doc_topics), **self.metrics}

    def __repr__(self) -> str:
        m = self.metrics
        return (f"TopicResult(method={self.method!r}, unit={self.unit!r}, n_topics={self.n_topics}, "
                f"paragraphs={len(self.doc_topics)}, c_v={m.get('coherence_c_v', float('nan')):.3f}, "
                f"outlier_share={m.get('outlier_share', 0.0):.3f})")
