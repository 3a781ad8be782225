"""Research tools for Chinese district rule-of-law government reports (法治政府建设年度报告).

The top-level names are loaded lazily so that ``import nlp`` stays cheap: the
predict path never imports MLflow, gensim, BERTopic or torch.

>>> import nlp
>>> corpus = nlp.load_corpus("seeds")            # doctest: +SKIP
>>> report = nlp.read_report("path/to/report.txt")  # doctest: +SKIP
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .version import __version__

# ``tokenize`` is not re-exported: ``nlp.tokenize`` is the submodule (importing it
# rebinds the name), so use ``from nlp.tokenize import tokenize``.
_EXPORTS = {
    "load_corpus": "nlp.corpus",
    "read_report": "nlp.corpus",
    "Corpus": "nlp.corpus",
    "Report": "nlp.corpus",
    "ReportMetadata": "nlp.metadata",
    "ReportInputError": "nlp.reader",
    "split_sentences": "nlp.segment",
    "Tokenizer": "nlp.tokenize",
    "PolicyClassifier": "nlp.classifier",
    "KeywordLabeler": "nlp.classifier",
    "ModelLoadError": "nlp.classifier",
    "fit_topics": "nlp.topics",
    "TopicResult": "nlp.topics",
    "extract_indicators": "nlp.indicators",
    "compare_indicators": "nlp.indicators",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
