"""Covariate effects on topic prevalence: a fractional-logit regression per topic, report-clustered.

What R's ``stm`` offers as ``estimateEffect`` and BERTopic does not: how
district, year and section role shift a paragraph's share of each topic, with
the other covariates held fixed. For each topic k the paragraph's weight
``theta[:, k]`` (a share in [0, 1]) is regressed on the covariates with a
binomial GLM and logit link (Papke & Wooldridge's fractional logit; the
quasi-likelihood needs no distributional assumption beyond the mean), and the
standard errors are cluster-robust by report (``doc_id``): paragraphs of one
report are not independent.

- A categorical covariate (district, section role) gets treatment contrasts
  against its most frequent level (the ``reference`` column); a numeric one
  (year by default) gets one slope per year, centred on its median.
- ``estimate`` is on the log-odds scale; ``effect_on_share`` is the average
  change in the predicted share when every paragraph is moved from the
  reference level to this level (or one year later), easier to read.
- A coefficient collinear with the others (a year that only one district
  has) is left out of the fit (no estimate, ``identified`` False, a warning).
- A level whose paragraphs (or its reference's) all give a topic a share
  near 0 or near 1 is *separated*: the log-odds estimate runs off towards the
  clipping bound, so it gets no interval either.
- With fewer than 20 reports cluster-robust errors are unreliable; a warning
  says so.
- A level found in fewer than ``min_reports`` reports cannot be told apart from
  its report: with report-clustered errors its standard error is not
  identified, so it gets an estimate but no interval or p-value
  (``identified`` is False) and a warning.
- ``q_value``: Benjamini-Hochberg over every identified row of the table.

>>> table = topic_effects(theta, frame, ["section_role", "year"], clusters=frame["doc_id"])  # doctest: +SKIP
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd

from .compare import benjamini_hochberg

__all__ = ["EFFECT_COLUMNS", "design_matrix", "topic_effects"]

logger = logging.getLogger(__name__)

EFFECT_COLUMNS = ["topic", "term", "level", "reference", "estimate", "std_error", "z", "p_value", "ci_low",
                  "ci_high", "q_value", "effect_on_share", "n_paragraphs", "n_reports", "identified"]
_NUMERIC = ("year",)
_CLIP = 1e-6
_SEPARATION = 1e-3  # a level whose shares all lie below this (or above 1 - this) is separated
_FEW_CLUSTERS = 20


def design_matrix(frame: pd.DataFrame, terms: Sequence[str], numeric: Sequence[str] = _NUMERIC):
    """The regression design: intercept, treatment dummies and centred numeric terms.

    Returns
    -------
    X : pandas.DataFrame
        Columns ``const`` then ``<term>[<level>]`` per non-reference level and
        ``<term>`` per numeric term.
    info : list of dict
        Per column except ``const``: ``term, level, reference`` and the
        column name.
    """
    columns = {"const": np.ones(len(frame))}
    info = []
    for term in terms:
        values = frame[term]
        if term in numeric:
            x = pd.to_numeric(values, errors="raise").astype(float)
            centre = float(np.median(x))
            name = term
            columns[name] = (x - centre).to_numpy()
            info.append({"column": name, "term": term, "level": "+1", "reference": f"{centre:g}"})
            continue
        values = values.astype(str)
        counts = values.value_counts()
        reference = sorted(counts.index[counts == counts.max()])[0]  # most frequent, ties by name
        for level in sorted(counts.index):
            if level == reference:
                continue
            name = f"{term}[{level}]"
            columns[name] = (values == level).to_numpy(dtype=float)
            info.append({"column": name, "term": term, "level": level, "reference": reference})
    return pd.DataFrame(columns, index=frame.index), info


def _separated_columns(y: np.ndarray, X: pd.DataFrame, info: list[dict], numeric: Sequence[str]) -> set[str]:
    """Level columns whose paragraphs, or whose reference's, all have a share near 0 (or near 1).

    The fractional logit's estimate then runs off towards the clipping bound
    (complete separation) and its standard error means nothing.
    """
    def extreme(mask: np.ndarray) -> bool:
        values = y[mask]
        return bool(len(values)) and (values.max() < _SEPARATION or values.min() > 1 - _SEPARATION)

    out = set()
    for term in {i["term"] for i in info if i["term"] not in numeric}:
        columns = [i["column"] for i in info if i["term"] == term]
        at_reference = (X[columns].to_numpy() == 0).all(axis=1)
        reference_extreme = extreme(at_reference)
        for column in columns:
            if reference_extreme or extreme(X[column].to_numpy() != 0):
                out.add(column)
    return out


def _collinear_columns(X: pd.DataFrame) -> list[str]:
    """Columns that add nothing to the rank of the columns before them (left out of the fit)."""
    kept: list[int] = []
    dropped = []
    values = X.to_numpy(dtype=float)
    for j, name in enumerate(X.columns):
        candidate = kept + [j]
        if np.linalg.matrix_rank(values[:, candidate]) == len(candidate):
            kept = candidate
        else:
            dropped.append(name)
    return dropped


def topic_effects(theta, frame: pd.DataFrame, terms: Sequence[str], clusters=None,
                  topics: Sequence[str] | None = None, numeric: Sequence[str] = _NUMERIC, ci: float = 0.95,
                  min_reports: int = 2) -> pd.DataFrame:
    """Fractional-logit effects of covariates on every topic's share (see the module docstring).

    Parameters
    ----------
    theta : array, shape (n_paragraphs, n_topics)
        Topic weights, rows summing to 1.
    frame : pandas.DataFrame
        One row per paragraph with the ``terms`` columns.
    terms : sequence of str
        Covariates, e.g. ``["district", "year", "section_role"]``.
    clusters : sequence, optional
        Report id per paragraph for cluster-robust errors (default: each
        paragraph its own cluster, i.e. heteroskedasticity-robust).
    topics : sequence of str, optional
        Topic names (default ``T0, T1, ...``).
    numeric : sequence of str
        Terms modelled as a linear slope (default ``("year",)``).
    ci : float
        Level of the Wald intervals.
    min_reports : int
        Levels seen in fewer reports get no standard error.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`, one row per topic and coefficient.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"role": np.tile(["a", "b"], 100), "doc_id": np.repeat(np.arange(20), 10)})
    >>> share = np.where(frame["role"] == "b", 0.6, 0.3) + rng.normal(0, 0.05, 200)
    >>> theta = np.c_[share, 1 - share]
    >>> table = topic_effects(theta, frame, ["role"], clusters=frame["doc_id"])
    >>> row = table[(table["topic"] == "T0") & (table["level"] == "b")].iloc[0]
    >>> round(float(row["effect_on_share"]), 1), bool(row["p_value"] < 0.001)
    (0.3, True)
    """
    import statsmodels.api as sm
    from scipy.stats import norm

    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or len(theta) != len(frame):
        raise ValueError(f"theta must be (n_paragraphs, n_topics) with {len(frame)} rows, received {theta.shape}")
    terms = list(terms)
    if not terms:
        raise ValueError("effects need at least one covariate in terms, e.g. ['section_role']")
    missing = [t for t in terms if t not in frame.columns]
    if missing:
        raise ValueError(f"unknown covariates {missing}; the table has {list(frame.columns)}")
    names = [f"T{k}" for k in range(theta.shape[1])] if topics is None else [str(t) for t in topics]
    clusters = pd.Series(np.arange(len(frame)) if clusters is None else np.asarray(clusters), index=frame.index)
    keep = frame[terms].notna().all(axis=1).to_numpy()
    if not keep.all():
        logger.warning("%d paragraphs lack one of %s and are left out of the regression", int((~keep).sum()), terms)
    frame, theta, clusters = frame.loc[keep], theta[keep], clusters[keep]
    X, info = design_matrix(frame, terms, numeric)
    codes = pd.factorize(clusters)[0]
    collinear = _collinear_columns(X)
    if collinear:
        logger.warning("%d coefficients are collinear with other covariates (e.g. a year that only one district "
                       "has) and are left out: %s", len(collinear), ", ".join(collinear[:8]))
    fitted_columns = [c for c in X.columns if c not in collinear]

    # How many paragraphs and reports stand behind each coefficient
    support = {}
    for item in info:
        column = X[item["column"]].to_numpy()
        members = column != 0
        support[item["column"]] = (int(members.sum()), int(pd.Series(codes[members]).nunique()))
    unidentified = [c for c, (_, reports) in support.items()
                    if not c.startswith(tuple(numeric)) and reports < min_reports]
    if unidentified:
        logger.warning("%d covariate levels lie in fewer than %d reports; their effects cannot be separated from "
                       "the report and get no interval: %s", len(unidentified), min_reports,
                       ", ".join(unidentified[:8]) + (" ..." if len(unidentified) > 8 else ""))

    if codes.max() + 1 < _FEW_CLUSTERS:
        logger.warning("only %d reports: report-clustered standard errors are unreliable with fewer than %d; "
                       "read the effects as descriptive", codes.max() + 1, _FEW_CLUSTERS)
    z_crit = norm.ppf(0.5 + ci / 2)
    rows = []
    separated_any: list[str] = []
    for k, topic in enumerate(names):
        raw = theta[:, k]
        separated = _separated_columns(raw, X, info, numeric)
        separated_any.extend(f"{topic}:{c}" for c in separated)
        y = raw.clip(_CLIP, 1 - _CLIP)
        design = X[fitted_columns]
        model = sm.GLM(y, design, family=sm.families.Binomial())
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": codes})
        params, se = fit.params, fit.bse
        base = design.to_numpy()
        for item in info:
            column = item["column"]
            n_par, n_rep = support[column]
            if column in collinear:
                rows.append({"topic": topic, "term": item["term"], "level": item["level"],
                             "reference": item["reference"], "n_paragraphs": n_par, "n_reports": n_rep,
                             "identified": False})
                continue
            identified = (column not in unidentified and column not in separated and np.isfinite(se[column])
                          and se[column] > 0)
            estimate = float(params[column])
            moved, origin = base.copy(), base.copy()
            j = design.columns.get_loc(column)
            if item["term"] in numeric:
                moved[:, j] += 1.0
            else:
                # every paragraph at this level vs at the reference (other levels of the term set to 0)
                same_term = [design.columns.get_loc(i["column"]) for i in info
                             if i["term"] == item["term"] and i["column"] in fitted_columns]
                moved[:, same_term], origin[:, same_term] = 0.0, 0.0
                moved[:, j] = 1.0
            effect = float(np.mean(fit.predict(moved) - fit.predict(origin)))
            row = {"topic": topic, "term": item["term"], "level": item["level"], "reference": item["reference"],
                   "estimate": estimate, "effect_on_share": effect, "n_paragraphs": n_par, "n_reports": n_rep,
                   "identified": bool(identified)}
            if identified:
                s = float(se[column])
                row.update({"std_error": s, "z": estimate / s, "p_value": float(fit.pvalues[column]),
                            "ci_low": estimate - z_crit * s, "ci_high": estimate + z_crit * s})
            else:
                row.update({k_: float("nan") for k_ in ("std_error", "z", "p_value", "ci_low", "ci_high")})
            rows.append(row)
    if separated_any:
        logger.warning("%d topic x level cells have (almost) no weight, or all of it, in every paragraph of the level "
                       "or of its reference; their log-odds are unbounded and get no interval: %s",
                       len(separated_any), ", ".join(separated_any[:8]) + (" ..." if len(separated_any) > 8 else ""))
    table = pd.DataFrame(rows)
    table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy()) if len(table) else []
    return table.reindex(columns=EFFECT_COLUMNS)
