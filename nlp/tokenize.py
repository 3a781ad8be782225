"""Word tokenization for these reports: jieba plus a domain dictionary and stop words.

The jieba engine is built once per process, lazily, under a lock, so importing
``nlp`` costs nothing and threads can tokenize at once. :func:`tokenize` is a
plain module-level function, so scikit-learn pipelines that use it as
``tokenizer=`` pickle by reference.

Text is NFKC-normalised before cutting, so full-width letters, digits and
punctuation (ＡＢＣ１２３，) tokenize like their half-width forms.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Callable, Iterable

from .checks import check_choice
from .paths import PACKAGE_DATA_DIR

__all__ = [
    "BACKENDS",
    "USER_DICT_PATH",
    "STOPWORDS_PATH",
    "stopwords",
    "user_words",
    "get_engine",
    "normalize",
    "cut",
    "tokenize",
    "Tokenizer",
]

logger = logging.getLogger(__name__)

USER_DICT_PATH = PACKAGE_DATA_DIR / "userdict.txt"
STOPWORDS_PATH = PACKAGE_DATA_DIR / "stopwords.txt"
BACKENDS = ("jieba",)

_lock = threading.Lock()
_engines: dict[str, Callable[[str], list[str]]] = {}
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_DIGITS_ONLY = re.compile(r"^[\d.%％]+$")


def _read_list(path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The package's Chinese stop-word list."""
    return frozenset(_read_list(STOPWORDS_PATH))


@lru_cache(maxsize=1)
def user_words() -> tuple[str, ...]:
    """Domain terms from the user dictionary (first field of each line)."""
    return tuple(line.split()[0] for line in _read_list(USER_DICT_PATH))


def _build_jieba() -> Callable[[str], list[str]]:
    import jieba

    # jieba logs its start-up ("Building prefix dict ...") at DEBUG through a stderr handler it installs
    # itself, so it prints in every process (CLI runs, n_jobs workers) whatever the application configured.
    # Keep it quiet unless the application asked for debug output.
    jieba_logger = logging.getLogger("jieba")
    previous = jieba_logger.level
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        jieba_logger.setLevel(max(previous, logging.INFO))
    try:
        engine = jieba.Tokenizer()
        engine.initialize()
        engine.load_userdict(str(USER_DICT_PATH))
    finally:
        jieba_logger.setLevel(previous)
    return engine.lcut


_BUILDERS = {"jieba": _build_jieba}


def get_engine(backend: str = "jieba") -> Callable[[str], list[str]]:
    """The cutting function of a backend, built on first use (thread-safe)."""
    if backend not in _BUILDERS:
        check_choice("backend", backend, BACKENDS)
    engine = _engines.get(backend)
    if engine is None:
        with _lock:
            engine = _engines.get(backend)
            if engine is None:
                logger.debug("building tokenizer backend %s", backend)
                engine = _BUILDERS[backend]()
                _engines[backend] = engine
    return engine


def normalize(text: str) -> str:
    """NFKC normalisation: full-width ASCII becomes half-width, nothing else changes meaning."""
    return unicodedata.normalize("NFKC", text)


def cut(text: str, backend: str = "jieba") -> list[str]:
    """Raw tokens, punctuation and stop words included (the tokenizer's ceiling)."""
    return get_engine(backend)(normalize(text))


def _keep(token: str, stop: frozenset[str]) -> bool:
    return bool(_KEEP.search(token)) and token not in stop and not _DIGITS_ONLY.match(token)


def tokenize(text: str) -> list[str]:
    """Content tokens of ``text``: jieba words without punctuation, numbers or stop words.

    Module-level and picklable: use it as ``TfidfVectorizer(tokenizer=tokenize)``.

    >>> tokenize("全区行政复议收案845件。")
    ['全区', '行政复议', '收案']
    """
    stop = stopwords()
    return [t for t in get_engine("jieba")(normalize(text)) if _keep(t, stop)]


class Tokenizer:
    """A configurable, picklable tokenizer callable.

    Parameters
    ----------
    backend : {"jieba"}
        The word segmenter (one table of backends, :data:`BACKENDS`, so another
        can be added without changing callers).
    remove_stopwords : bool
        Drop the package's stop words.
    extra_stopwords : iterable of str
        More words to drop (for example report boilerplate for topic models).
    min_length : int
        Drop tokens shorter than this many characters.

    Examples
    --------
    >>> Tokenizer(extra_stopwords=["全区"])("全区行政复议收案845件。")
    ['行政复议', '收案']
    """

    def __init__(self, backend: str = "jieba", remove_stopwords: bool = True,
                 extra_stopwords: Iterable[str] = (), min_length: int = 1) -> None:
        self.backend = backend
        self.remove_stopwords = remove_stopwords
        self.extra_stopwords = tuple(extra_stopwords)
        self.min_length = min_length

    def _stop(self) -> frozenset[str]:
        # Built on first call and cached; the cache is not part of the pickled state.
        cached = self.__dict__.get("_stop_cache")
        if cached is None:
            base = stopwords() if self.remove_stopwords else frozenset()
            cached = base | frozenset(self.extra_stopwords)
            self.__dict__["_stop_cache"] = cached
        return cached

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_stop_cache"}

    def __call__(self, text: str) -> list[str]:
        stop = self._stop()
        return [t for t in cut(text, self.backend) if _keep(t, stop) and len(t) >= self.min_length]

    def __repr__(self) -> str:
        return (f"Tokenizer(backend={self.backend!r}, remove_stopwords={self.remove_stopwords}, "
                f"extra_stopwords=<{len(self.extra_stopwords)} words>, min_length={self.min_length})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokenizer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.backend, self.remove_stopwords, self.extra_stopwords, self.min_length))
