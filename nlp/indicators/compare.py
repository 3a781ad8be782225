"""Compare districts (or years, or reports) on the figures their reports give.

>>> import pandas as pd
>>> table = pd.DataFrame({"doc_id": ["a", "b"], "district": ["甲区", "乙区"], "year": [2024, 2024],
...                       "indicator": ["mediation.success_rate"] * 2, "area": ["mediation"] * 2,
...                       "value": [98.9, 99.7], "unit": ["%", "%"], "period": [None, None], "conflict": [False, False]})
>>> compare_indicators(table).wide
indicator      mediation.success_rate
district period
乙区       2024                    99.7
甲区       2024                    98.9
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..checks import check_choice
from .spec import IndicatorSpec, default_spec
from .table import period_key

__all__ = ["COMPARE_BY", "IndicatorComparison", "compare_indicators"]

#: What a comparison can be grouped by.
COMPARE_BY = ("district", "year", "doc_id")
_REQUIRED = ["indicator", "area", "value", "unit", "period"]


@dataclass
class IndicatorComparison:
    """A district (or year, report) x indicator comparison.

    Attributes
    ----------
    by : str
        The grouping column.
    summary : DataFrame
        One row per group, period and indicator: area, value (the first figure
        in text order), unit (comparable units merged: 起 -> 件), values (every distinct figure), n_mentions, conflict.
    wide : DataFrame
        Index (group, period), one column per indicator (in the spec's order), the value.
    conflicts : DataFrame
        The rows of ``summary`` where figures disagree: both are kept, none chosen.
    mentions : DataFrame
        The mentions compared (for plots: every figure, including both sides of a conflict).
    """

    by: str
    summary: pd.DataFrame
    wide: pd.DataFrame
    conflicts: pd.DataFrame
    mentions: pd.DataFrame
    spec: IndicatorSpec = field(repr=False, default=None)

    def figures(self, labels: dict[str, str] | None = None) -> dict:
        """One dot-plot figure per area (see :func:`nlp.indicators.plots.area_dot_plot`)."""
        from .plots import area_dot_plots

        return area_dot_plots(self, labels=labels)


def compare_indicators(table: pd.DataFrame, by: str = "district", spec: IndicatorSpec | None = None) -> IndicatorComparison:
    """Turn the mention table into a wide group x indicator table.

    Parameters
    ----------
    table : DataFrame
        From :func:`nlp.extract_indicators`.
    by : {"district", "year", "doc_id"}
        What the rows compare.
    spec : IndicatorSpec, optional
        Orders the columns (default ``configs/indicators.yaml``).

    Returns
    -------
    IndicatorComparison
        ``.wide`` (group x indicator, with the period in the index),
        ``.summary``, ``.conflicts`` and ``.figures()`` (a dot plot per area).

    Examples
    --------
    >>> import nlp
    >>> comparison = nlp.compare_indicators(nlp.extract_indicators(nlp.load_corpus("seeds")))  # doctest: +SKIP
    >>> comparison.wide  # doctest: +SKIP
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected the DataFrame from nlp.extract_indicators, received {type(table).__name__}")
    check_choice("by", by, COMPARE_BY)
    missing = [c for c in [by, *_REQUIRED] if c not in table.columns]
    if missing:
        raise ValueError(f"expected the columns of nlp.extract_indicators; missing {missing}")
    spec = spec or default_spec()
    mentions = table.copy()
    mentions["period"] = period_key(mentions) if "year" in mentions else mentions["period"]
    mentions["period"] = mentions["period"].fillna("")
    mentions[by] = mentions[by].astype("object").where(mentions[by].notna(), "(unknown)")
    if by == "year":
        mentions[by] = mentions[by].astype(str)
    rows = []
    mentions["unit"] = mentions["unit"].map(spec.canonical_unit)
    for (group, period, indicator, unit), part in mentions.groupby([by, "period", "indicator", "unit"], sort=False):
        values = list(dict.fromkeys(part["value"].tolist()))
        rows.append({by: group, "period": period, "indicator": indicator, "area": part["area"].iloc[0],
                     "value": part["value"].iloc[0], "unit": unit, "values": values, "n_mentions": len(part),
                     "conflict": bool(part["conflict"].any()) if "conflict" in part else len(values) > 1})
    summary = pd.DataFrame(rows, columns=[by, "period", "indicator", "area", "value", "unit", "values", "n_mentions",
                                          "conflict"])
    order = [i for i in spec.ids if i in set(summary["indicator"])] + sorted(set(summary["indicator"]) - set(spec.ids))
    if summary.empty:
        wide = pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=[by, "period"]))
    else:
        # One cell per (group, period, indicator): the first figure; a second unit of the same
        # indicator (review.mediated in 件 and %) gets its own column "<id> (<unit>)".
        keyed = summary.assign(column=summary["indicator"])
        multi_unit = keyed.groupby("indicator")["unit"].nunique()
        for indicator in multi_unit[multi_unit > 1].index:
            mask = keyed["indicator"] == indicator
            keyed.loc[mask, "column"] = keyed.loc[mask, "indicator"] + " (" + keyed.loc[mask, "unit"] + ")"
        columns = [c for i in order for c in dict.fromkeys(keyed.loc[keyed["indicator"] == i, "column"])]
        wide = keyed.pivot_table(index=[by, "period"], columns="column", values="value", aggfunc="first")
        wide = wide.reindex(columns=columns)
        wide.columns.name = "indicator"
    conflicts = summary[summary["conflict"]].reset_index(drop=True)
    return IndicatorComparison(by, summary, wide, conflicts, mentions, spec)
