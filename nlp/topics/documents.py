"""What a topic model reads: the units (paragraphs or sentences) and their tokens.

Topic models in this package fit on *units* — paragraphs, or sentences as an
option — but every result is reported per paragraph, so that the district
comparison always resamples the same rows (:func:`aggregate_to_paragraphs`).
Tokens come from :class:`nlp.tokenize.Tokenizer` with the package stop words,
the report-boilerplate list ``nlp/data/topic_stopwords.txt`` and, by default,
the corpus's own district and city names (a topic that is just "滨江" says
nothing a district column does not already say).
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np
import pandas as pd

from ..checks import check_choice
from ..paths import PACKAGE_DATA_DIR
from ..tokenize import Tokenizer

__all__ = [
    "TOPIC_STOPWORDS_PATH",
    "UNITS",
    "META_COLUMNS",
    "read_word_list",
    "topic_stopwords",
    "place_names",
    "make_tokenizer",
    "paragraph_table",
    "unit_table",
    "aggregate_to_paragraphs",
    "resolve_stopwords_path",
]

logger = logging.getLogger(__name__)

TOPIC_STOPWORDS_PATH = PACKAGE_DATA_DIR / "topic_stopwords.txt"
UNITS = ("paragraph", "sentence")
#: Paragraph columns carried into every topic table.
META_COLUMNS = ["doc_id", "district", "year", "para_id", "section_role"]
_ADMIN_SUFFIX = re.compile(r"(新区|区|县|市|省)$")


def read_word_list(path: Union[str, os.PathLike]) -> list[str]:
    """Words of a one-per-line list; blank lines and ``#`` comments are skipped."""
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]


def topic_stopwords(path: Union[str, os.PathLike, None] = None) -> list[str]:
    """The report-boilerplate stop words (default ``nlp/data/topic_stopwords.txt``)."""
    return read_word_list(TOPIC_STOPWORDS_PATH if path is None else path)


def place_names(names: Iterable[str | None]) -> list[str]:
    """District / city names and their stems: ``滨江区`` -> ``滨江区``, ``滨江``.

    >>> place_names(["滨江区", "杭州市", None])
    ['杭州', '杭州市', '滨江', '滨江区']
    """
    out: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        name = name.strip()
        out.add(name)
        stem = _ADMIN_SUFFIX.sub("", name)
        if len(stem) >= 2:
            out.add(stem)
    return sorted(out)


def make_tokenizer(
    stopwords_path: Union[str, os.PathLike, None] = None,
    extra_stopwords: Iterable[str] = (),
    places: Iterable[str] = (),
    min_length: int = 1,
) -> Tokenizer:
    """The topic-model tokenizer: package stop words + boilerplate + places + extras.

    Returns a picklable :class:`nlp.tokenize.Tokenizer`, usable as
    ``CountVectorizer(tokenizer=...)``.
    """
    words = [*topic_stopwords(stopwords_path), *extra_stopwords, *places]
    return Tokenizer(extra_stopwords=sorted(set(words)), min_length=min_length)


def paragraph_table(corpus) -> pd.DataFrame:
    """``corpus.paragraphs`` from a :class:`nlp.Corpus` or the DataFrame itself."""
    frame = corpus if isinstance(corpus, pd.DataFrame) else getattr(corpus, "paragraphs", None)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected an nlp.Corpus or a paragraphs DataFrame, received {type(corpus).__name__}")
    missing = [c for c in [*META_COLUMNS, "text"] if c not in frame.columns]
    if missing:
        raise ValueError(f"the paragraphs table lacks the columns {missing}; use nlp.load_corpus(...)")
    if frame.empty:
        raise ValueError("the corpus has no paragraphs; a topic model needs text")
    return frame


def unit_table(paragraphs: pd.DataFrame, unit: str = "paragraph") -> pd.DataFrame:
    """The rows a model fits on, with ``row`` = the position of their paragraph.

    Parameters
    ----------
    paragraphs
        A paragraphs table (see :func:`paragraph_table`).
    unit
        ``"paragraph"`` or ``"sentence"`` (sentences split as in
        :meth:`nlp.Corpus.sentences`).
    """
    check_choice("unit", unit, UNITS)
    base = paragraphs[[*META_COLUMNS, "text"]].reset_index(drop=True).assign(row=lambda f: np.arange(len(f)))
    if unit == "paragraph":
        return base
    from ..segment import split_sentences

    rows = []
    for record in base.to_dict("records"):
        for sent_id, sentence in enumerate(split_sentences(record["text"]) or [record["text"]]):
            rows.append({**record, "sent_id": sent_id, "text": sentence})
    return pd.DataFrame(rows)


def aggregate_to_paragraphs(unit_weights: np.ndarray, rows: Sequence[int], n_paragraphs: int,
                            token_counts: Sequence[int] | None = None) -> np.ndarray:
    """Average unit topic weights into paragraph weights (rows sum to 1).

    Sentences are weighted by their token counts (plus one, so a sentence
    whose words were all stop words still counts a little).

    >>> aggregate_to_paragraphs(np.array([[1., 0.], [0., 1.], [1., 0.]]), [0, 0, 1], 2).tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    unit_weights = np.asarray(unit_weights, dtype=float)
    rows = np.asarray(rows, dtype=int)
    w = np.ones(len(rows)) if token_counts is None else np.asarray(token_counts, dtype=float) + 1.0
    out = np.zeros((n_paragraphs, unit_weights.shape[1]))
    np.add.at(out, rows, unit_weights * w[:, None])
    totals = out.sum(axis=1, keepdims=True)
    if np.any(totals == 0):
        raise ValueError("some paragraphs have no units; the unit table does not cover the corpus")
    return out / totals


def resolve_stopwords_path(path: Union[str, os.PathLike, None]) -> Path | None:
    """A stop-word path from a config: absolute, or relative to the project root."""
    if path is None:
        return None
    from ..paths import project_root

    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return project_root() / candidate
