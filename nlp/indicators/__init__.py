"""Indicators: the figures of each policy area read out of reports into a tidy table.

``nlp.extract_indicators(report_or_corpus)`` gives one row per indicator mention
(收案845件, 纠错率12.3%, 调解成功率98.9% ...) by the indicator guide
(``../shared/indicator-guide.md``); ``nlp.compare_indicators(table)`` turns it
into a district x indicator table with a figure per area.

Modules: :mod:`~nlp.indicators.numbers` (numbers as reports write them),
:mod:`~nlp.indicators.spec` (the data file ``configs/indicators.yaml``),
:mod:`~nlp.indicators.engine` (the matching engine), :mod:`~nlp.indicators.table`
(the table), :mod:`~nlp.indicators.compare` and :mod:`~nlp.indicators.plots`
(comparison), :mod:`~nlp.indicators.evaluation` (scores against gold),
:mod:`~nlp.indicators.run` (the main job's step) and
:mod:`~nlp.indicators.commands` (``nlp indicators``, ``nlp evaluate-indicators``).
"""
from __future__ import annotations

from .compare import IndicatorComparison, compare_indicators
from .engine import Mention, find_mentions
from .numbers import scan_figures
from .spec import IndicatorSpec, default_spec, load_spec
from .table import INDICATOR_COLUMNS, extract_indicators

__all__ = ["extract_indicators", "compare_indicators", "IndicatorComparison", "INDICATOR_COLUMNS", "IndicatorSpec",
           "load_spec", "default_spec", "find_mentions", "Mention", "scan_figures"]
