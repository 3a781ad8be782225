"""Topic quality: coherence (gensim's CoherenceModel) and topic diversity.

Both methods (LDA and BERTopic) are scored the same way: their top words are
checked against the same tokenised units, with a dictionary built from those
tokens, so the numbers are comparable across methods.

- ``c_v`` (Röder et al. 2015): sliding window (110 tokens), NPMI, cosine of
  context vectors; roughly 0..1, higher is better.
- ``c_npmi``: sliding window (10 tokens), mean NPMI of word pairs; -1..1.
- ``u_mass``: document co-occurrence, log conditional probability; <= 0,
  closer to 0 is better.
- topic diversity (Dieng et al. 2020): unique words among all topics' top-n
  divided by n x topics; 1 means no topic repeats another's words.

On a corpus of a few hundred short units these numbers are noisy: compare
them across K and seeds of the same run, not with published values.
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd

from ..checks import check_choice

__all__ = ["COHERENCE_MEASURES", "topic_coherence", "coherence", "topic_diversity"]

logger = logging.getLogger(__name__)

COHERENCE_MEASURES = ("c_v", "c_npmi", "u_mass")


def topic_coherence(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    measures: Sequence[str] = COHERENCE_MEASURES,
    dictionary=None,
    top_n_words: int = 10,
) -> pd.DataFrame:
    """Coherence of each topic, one column per measure.

    Parameters
    ----------
    topics
        Each topic's words, best first (only the first ``top_n_words`` are used).
    texts
        The tokenised units the model was fitted on.
    measures
        Any of :data:`COHERENCE_MEASURES`.
    dictionary
        A :class:`gensim.corpora.Dictionary`; built from ``texts`` when omitted.
        Words missing from it are dropped from the topic before scoring.
    top_n_words
        Top words per topic to score.

    Returns
    -------
    pandas.DataFrame
        Index ``topic`` (0..n-1), one float column per measure; NaN for a
        topic with fewer than two scorable words.
    """
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    for measure in measures:
        check_choice("measure", measure, COHERENCE_MEASURES)
    texts = [list(t) for t in texts]
    if dictionary is None:
        dictionary = Dictionary(texts)
    clean = [[w for w in list(words)[:top_n_words] if w in dictionary.token2id] for words in topics]
    scorable = [i for i, words in enumerate(clean) if len(words) >= 2]
    out = pd.DataFrame(np.nan, index=pd.RangeIndex(len(clean), name="topic"), columns=list(measures))
    if len(scorable) < len(clean):
        logger.warning("%d topic(s) have fewer than two known words; their coherence is NaN", len(clean) - len(scorable))
    if not scorable:
        return out
    bow = [dictionary.doc2bow(t) for t in texts]
    for measure in measures:
        model = CoherenceModel(
            topics=[clean[i] for i in scorable],
            texts=texts if measure != "u_mass" else None,
            corpus=bow if measure == "u_mass" else None,
            dictionary=dictionary,
            coherence=measure,
            topn=top_n_words,
            processes=1,  # deterministic and no worker start-up on small corpora
        )
        out.loc[scorable, measure] = model.get_coherence_per_topic()
    return out


def coherence(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    measures: Sequence[str] = COHERENCE_MEASURES,
    dictionary=None,
    top_n_words: int = 10,
) -> dict[str, float]:
    """Mean coherence over topics for each measure (see :func:`topic_coherence`).

    >>> texts = [["复议", "应诉"], ["复议", "应诉"], ["普法", "宣传"], ["普法", "宣传"]]
    >>> round(coherence([["复议", "应诉"], ["普法", "宣传"]], texts, measures=["u_mass"])["u_mass"], 3)
    0.0
    """
    table = topic_coherence(topics, texts, measures, dictionary, top_n_words)
    return {m: float(table[m].mean()) for m in table.columns}


def topic_diversity(topics: Sequence[Sequence[str]], top_n_words: int = 10) -> float:
    """Share of unique words among all topics' top ``top_n_words`` words (1 = no overlap).

    >>> topic_diversity([["a", "b"], ["b", "c"]], top_n_words=2)
    0.75
    """
    tops = [list(words)[:top_n_words] for words in topics]
    total = sum(len(t) for t in tops)
    if total == 0:
        return float("nan")
    return len({w for t in tops for w in t}) / total
