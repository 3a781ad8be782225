"""The indicator table: one row per indicator mention of a report or a corpus.

>>> import nlp
>>> report = nlp.read_report("一、主要举措和成效\\n全年调解矛盾纠纷1.2万件，调解成功率98.9%。")
>>> extract_indicators(report)[["indicator", "value", "unit", "evidence"]].values.tolist()
[['mediation.cases', 12000.0, '件', '调解矛盾纠纷1.2万件'], ['mediation.success_rate', 98.9, '%', '调解成功率98.9%']]
"""
from __future__ import annotations

import logging
import os
from typing import Union

import pandas as pd

from .engine import find_mentions
from .spec import IndicatorSpec, default_spec, resolve_spec

__all__ = ["INDICATOR_COLUMNS", "extract_indicators", "flag_conflicts", "period_key", "VALUE_TOLERANCE"]

logger = logging.getLogger(__name__)

#: The columns of :func:`extract_indicators`, in order (an empty table has them too).
INDICATOR_COLUMNS = ["doc_id", "district", "year", "para_id", "section_role", "indicator", "area", "value", "unit",
                     "approx", "period", "evidence", "value_max", "conflict"]
#: Two values agree when they differ by at most this share of the larger (the issue's 0.5 %).
VALUE_TOLERANCE = 0.005

_DTYPES = {"doc_id": "object", "district": "object", "year": "Int64", "para_id": "int64", "section_role": "object",
           "indicator": "object", "area": "object", "value": "float64", "unit": "object", "approx": "bool",
           "period": "object", "evidence": "object", "value_max": "float64", "conflict": "bool"}

Source = Union["Report", "Corpus", pd.DataFrame, str, os.PathLike]  # noqa: F821


def _paragraphs_of(source) -> pd.DataFrame:
    from ..corpus import Corpus, Report, read_report

    if isinstance(source, (Report, Corpus)):
        return source.paragraphs
    if isinstance(source, pd.DataFrame):
        missing = [c for c in ("text",) if c not in source.columns]
        if missing:
            raise ValueError(f"expected a paragraph table with a 'text' column, received columns {list(source.columns)}")
        return source
    if isinstance(source, (str, os.PathLike, bytes)):
        return read_report(source).paragraphs
    raise TypeError(f"expected a Report, a Corpus, a paragraph DataFrame, a path or a text, "
                    f"received {type(source).__name__}")


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_DTYPES[c]) for c in INDICATOR_COLUMNS})


def period_key(table: pd.DataFrame) -> pd.Series:
    """The period a mention is about: its stated period, else its report's year."""
    year = table["year"].astype("object").where(table["year"].notna(), None).map(lambda y: None if y is None else str(y))
    return table["period"].where(table["period"].notna(), year)


def _values_disagree(values: pd.Series) -> bool:
    values = values.dropna().to_numpy(dtype=float)
    if len(values) < 2:
        return False
    low, high = values.min(), values.max()
    return (high - low) > VALUE_TOLERANCE * max(abs(high), abs(low))


def flag_conflicts(table: pd.DataFrame, spec: IndicatorSpec | None = None) -> pd.Series:
    """True where the same district (or report), indicator, unit and period has disagreeing values.

    Units that count the same thing (件 and 起, see ``comparable_units`` in the spec) are one unit here.

    Both figures are kept: a report may repeat a number differently, and the
    researcher decides which one holds.
    """
    if table.empty:
        return pd.Series(dtype=bool, index=table.index)
    spec = spec or default_spec()
    place = table["district"].where(table["district"].notna(), table["doc_id"])
    keys = pd.DataFrame({"place": place, "indicator": table["indicator"], "unit": table["unit"].map(spec.canonical_unit),
                         "period": period_key(table).fillna("")})
    disagree = table["value"].groupby([keys[c] for c in keys.columns]).transform(_values_disagree)
    return disagree.astype(bool)


def extract_indicators(source: Source, spec: IndicatorSpec | str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per indicator mention: the figures the reports give, ready to compare.

    Parameters
    ----------
    source : Report, Corpus, DataFrame, path or str
        A report or corpus from :func:`nlp.read_report` / :func:`nlp.load_corpus`,
        a paragraph table with at least a ``text`` column (others of
        :data:`nlp.corpus.PARAGRAPH_COLUMNS` are carried over), or a path /
        text read with :func:`nlp.read_report`.
    spec : IndicatorSpec or path, optional
        The indicators and patterns; default ``configs/indicators.yaml``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INDICATOR_COLUMNS`: doc_id, district, year, para_id,
        section_role, indicator, area, value (normalised: 1.2万件 -> 12000),
        unit, approx, period (as the text gives it, else None), evidence (an
        exact substring of the paragraph), value_max (upper end of a range),
        conflict (another figure disagrees for the same district, indicator and
        period). A report with no figures gives an empty table with these columns.
        Malformed numbers are skipped with a logged warning; the warnings are
        also in ``table.attrs["warnings"]``.

    Examples
    --------
    >>> import nlp
    >>> table = nlp.extract_indicators(nlp.load_corpus("seeds"))  # doctest: +SKIP
    >>> table.groupby("area").size()  # doctest: +SKIP
    """
    spec = resolve_spec(spec)
    paragraphs = _paragraphs_of(source)
    rows, warnings = [], []
    columns = set(paragraphs.columns)
    for record in paragraphs.to_dict("records"):
        year = record.get("year") if "year" in columns else None
        year = None if year is None or pd.isna(year) else int(year)
        district = record.get("district") if "district" in columns else None
        district = None if district is None or (isinstance(district, float) and pd.isna(district)) else district
        mentions, found = find_mentions(record["text"], spec, section_role=record.get("section_role"),
                                        report_year=year, jurisdiction=district)
        warnings.extend(f"{record.get('doc_id')} paragraph {record.get('para_id')}: {w}" for w in found)
        for m in mentions:
            rows.append({"doc_id": record.get("doc_id"), "district": district, "year": year,
                         "para_id": record.get("para_id", -1), "section_role": record.get("section_role"),
                         "indicator": m.indicator, "area": m.area, "value": m.value, "unit": m.unit,
                         "approx": m.approx, "period": m.period, "evidence": m.evidence,
                         "value_max": m.value_max, "conflict": False})
    table = pd.DataFrame(rows, columns=INDICATOR_COLUMNS) if rows else _empty()
    table = table.astype(_DTYPES)
    table["conflict"] = flag_conflicts(table, spec)
    n_conflicts = int(table["conflict"].sum())
    if n_conflicts:
        logger.info("%d indicator mentions disagree with another for the same district, indicator and period",
                    n_conflicts)
    table.attrs["warnings"] = warnings
    return table
