"""Topic models across districts: gensim LDA and BERTopic, district comparison, plots.

>>> import nlp
>>> corpus = nlp.load_corpus("seeds")                      # doctest: +SKIP
>>> result = nlp.fit_topics(corpus, method="lda")          # doctest: +SKIP
>>> result.topic_words.head()                              # doctest: +SKIP
>>> result.by_district()                                   # prevalence with 95% intervals  # doctest: +SKIP
>>> result.compare_districts().top                         # over/under-represented topics  # doctest: +SKIP

Modules: :mod:`~nlp.topics.documents` (units and tokens),
:mod:`~nlp.topics.lda`, :mod:`~nlp.topics.selection` (K sweep and rule),
:mod:`~nlp.topics.bertopic_model`, :mod:`~nlp.topics.metrics` (coherence,
diversity), :mod:`~nlp.topics.compare` (prevalence, bootstrap, lift, JS),
:mod:`~nlp.topics.label_relation`, :mod:`~nlp.topics.plots`,
:mod:`~nlp.topics.outputs` (files and MLflow), :mod:`~nlp.topics.schema`
(configs) and :mod:`~nlp.topics.run` (config -> outputs, used by ``nlp topics``).

Importing this package does not import gensim, BERTopic, torch or MLflow; the
functions that need them import them when called.
"""
from __future__ import annotations

from .fit import fit_topics
from .result import TopicResult

__all__ = ["fit_topics", "TopicResult"]
