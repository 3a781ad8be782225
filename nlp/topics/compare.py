"""Comparing groups (districts, years, section roles) by their topic mix, with honest uncertainty.

Everything starts from a paragraph x topic weight matrix ``theta`` (rows sum
to 1: LDA's topic proportions, or BERTopic's soft topic shares), a group per
paragraph and, optionally, the report (``doc_id``) of each paragraph.
Paragraphs of one report are not independent, and a district is often one
report; the statistics below account for both.

- **Prevalence** of topic k in group g: the mean of ``theta[:, k]`` over the
  group's paragraphs (optionally weighted). Each group's prevalences sum to 1.
- **Intervals that reflect group size** (``interval="pooled"``, default):
  partial pooling. Each group's share gets a Beta posterior whose prior is
  the corpus-wide share with ``prior`` pseudo-paragraphs, and whose data are
  the group's paragraphs counted as an *effective* number: divided by the
  design effect of paragraphs clustered in reports (1 + (m - 1) x ICC, with
  the intra-report correlation of the topic's weights) and scaled by how
  much information a soft weight carries compared with a 0/1 one. A group of
  one paragraph gets a wide interval around a value pulled towards the
  corpus mean, never [0.998, 0.998]; widths shrink roughly as 1/sqrt(n).
  ``interval="bootstrap"`` resamples whole reports within each group
  (paragraphs when no reports are given); a group of one report then has no
  resampling variation at all, which is why it is not the default.
- **Minimum group size**: groups with fewer than ``min_group_size``
  paragraphs are reported (``small`` column) but excluded, with a warning,
  from every test.
- **Over/under-representation** of topic k in group g against the other
  groups pooled: the smoothed *lift* with an interval from the same
  posterior (or bootstrap), and the weighted log-odds z-score of Monroe,
  Colaresi & Quinn (2008) to rank topics. A difference is judged by a
  permutation test: when each report belongs to one group (districts, years)
  whole *reports* are shuffled between groups, so a district that is one
  specialised report is compared with other single reports, not with
  shuffled paragraphs; when groups vary within reports (section roles) the
  labels are shuffled *within* each report. Benjamini-Hochberg q-values over
  the whole group x topic table.
- **Jensen-Shannon divergence** (base 2, 0..1) between groups' prevalence
  vectors, with a permutation test per pair (same shuffling unit) and
  Benjamini-Hochberg q-values over all pairs; ``js_null_mean`` is the
  divergence that sampling noise alone produces with these group sizes.

Permutations are drawn in batches and summed with ``numpy.bincount``, so 52
districts (1,326 pairs) x 1,000 permutations take seconds, not minutes.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "INTERVALS",
    "Comparison",
    "prevalence",
    "pooled_prevalence",
    "bootstrap_prevalence",
    "prevalence_intervals",
    "contrasts",
    "top_contrasts",
    "benjamini_hochberg",
    "js_divergence",
    "js_divergence_matrix",
    "js_permutation_tests",
    "permutation_unit",
    "compare_groups",
    "partition_agreement",
    "seed_stability",
]

logger = logging.getLogger(__name__)

#: How prevalence intervals are computed (see the module docstring).
INTERVALS = ("pooled", "bootstrap")
_MAX_INFO = 10.0
_BATCH_CELLS = 2_000_000  # permutation batch size: rows x permutations held in memory at once


def _as_inputs(theta, groups, weights=None, clusters=None):
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2:
        raise ValueError(f"theta must be a 2-D paragraph x topic matrix, received shape {theta.shape}")
    groups = np.asarray(pd.Series(groups).astype(str).to_numpy())
    if len(groups) != len(theta):
        raise ValueError(f"{len(groups)} group labels for {len(theta)} rows of theta")
    if weights is None:
        w = np.ones(len(theta))
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(theta),) or np.any(w < 0) or not np.isfinite(w).all():
            raise ValueError("weights must be one non-negative finite number per row of theta")
    if clusters is not None:
        clusters = np.asarray(pd.Series(clusters).astype(str).to_numpy())
        if len(clusters) != len(theta):
            raise ValueError(f"{len(clusters)} report ids (clusters) for {len(theta)} rows of theta")
    return theta, groups, w, clusters


def _topic_names(theta: np.ndarray, topics: Sequence[str] | None) -> list[str]:
    if topics is None:
        return [f"T{k}" for k in range(theta.shape[1])]
    topics = [str(t) for t in topics]
    if len(topics) != theta.shape[1]:
        raise ValueError(f"{len(topics)} topic names for {theta.shape[1]} columns of theta")
    return topics


def _check_interval(interval: str) -> None:
    from ..checks import check_choice

    check_choice("interval", interval, INTERVALS)


def prevalence(theta, groups, topics: Sequence[str] | None = None, weights=None) -> pd.DataFrame:
    """Group x topic prevalence (each row sums to 1).

    >>> prevalence([[1, 0], [0, 1], [1, 0]], ["a", "a", "b"]).values.tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    theta, groups, w, _ = _as_inputs(theta, groups, weights)
    names = _topic_names(theta, topics)
    labels = sorted(set(groups.tolist()))
    codes = np.searchsorted(labels, groups)
    sums, totals = _group_sums(w[:, None] * theta, w, codes, len(labels))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = sums / totals[:, None]
    out = pd.DataFrame(values, index=pd.Index(labels, name="group"), columns=names)
    out.columns.name = "topic"
    return out


def _group_sums(wtheta: np.ndarray, w: np.ndarray, codes: np.ndarray, n_groups: int):
    sums = np.zeros((n_groups, wtheta.shape[1]))
    np.add.at(sums, codes, wtheta)
    return sums, np.bincount(codes, weights=w, minlength=n_groups)


def _intra_report_correlation(theta: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """Per topic: the one-way ANOVA intra-class correlation of paragraph weights within reports (0..1)."""
    k = theta.shape[1]
    if clusters is None:
        return np.zeros(k)
    _, codes = np.unique(clusters, return_inverse=True)
    n_reports, n = codes.max() + 1, len(codes)
    if n_reports < 2 or n_reports == n:
        return np.zeros(k)
    sizes = np.bincount(codes, minlength=n_reports).astype(float)
    means = np.zeros((n_reports, k))
    np.add.at(means, codes, theta)
    means /= sizes[:, None]
    grand = theta.mean(axis=0)
    between = (sizes[:, None] * (means - grand) ** 2).sum(axis=0) / (n_reports - 1)
    within = ((theta - means[codes]) ** 2).sum(axis=0) / (n - n_reports)
    m0 = (n - (sizes ** 2).sum() / n) / (n_reports - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        icc = (between - within) / (between + (m0 - 1) * within)
    return np.clip(np.nan_to_num(icc, nan=0.0), 0.0, 1.0)


def _posterior(theta, groups, w, clusters, labels, prior: float):
    """Beta posterior parameters (G x K) of each group's share, and the pieces they are built from.

    The data of group g count as ``n_eff = n_g / deff_g x info_k`` Bernoulli
    trials with ``prevalence x n_eff`` successes, where ``deff_g`` is the
    design effect of the group's paragraphs clustered in reports and
    ``info_k = mu_k (1 - mu_k) / var_k`` the information of a soft weight
    relative to a 0/1 one; the prior is ``prior x info_k`` trials at the
    corpus-wide share ``mu_k``.
    """
    k = theta.shape[1]
    wn = w / w.mean() if w.sum() > 0 else w
    mu = (wn[:, None] * theta).sum(axis=0) / wn.sum()
    var = (wn[:, None] * (theta - mu) ** 2).sum(axis=0) / wn.sum()
    bernoulli = mu * (1 - mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        info = np.where(var > 1e-12, bernoulli / var, 1.0)
    # A soft weight is worth at most a few 0/1 observations, however alike the corpus's weights are.
    info = np.clip(info, 1.0, _MAX_INFO)
    icc = _intra_report_correlation(theta, clusters)
    codes = np.searchsorted(labels, groups)
    sums, totals = _group_sums(wn[:, None] * theta, wn, codes, len(labels))
    n_par = np.bincount(codes, minlength=len(labels)).astype(float)
    if clusters is None:
        per_report = np.ones(len(labels))
    else:
        n_rep = np.array([len(np.unique(clusters[codes == j])) for j in range(len(labels))], dtype=float)
        per_report = n_par / np.maximum(n_rep, 1.0)
    deff = 1.0 + (per_report[:, None] - 1.0) * icc[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals[:, None] > 0, sums / totals[:, None], mu)
    n_eff = totals[:, None] / deff * info[None, :]
    mu_c = np.clip(mu, 1e-9, 1 - 1e-9)
    a = prior * info * mu_c + share * n_eff
    b = prior * info * (1 - mu_c) + (1 - share) * n_eff
    return np.maximum(a, 1e-9), np.maximum(b, 1e-9)


def pooled_prevalence(theta, groups, topics: Sequence[str] | None = None, weights=None, clusters=None,
                      ci: float = 0.95, prior: float = 1.0) -> pd.DataFrame:
    """Prevalence with partial-pooling intervals whose width reflects group size (see the module docstring).

    Parameters
    ----------
    clusters
        The report (``doc_id``) of each paragraph: paragraphs of one report
        count less than independent ones (design effect).
    prior
        Pseudo-paragraphs at the corpus-wide share; a one-paragraph group is
        pulled half-way towards it.

    Returns
    -------
    pandas.DataFrame
        ``group, topic, n_paragraphs, n_reports, prevalence`` (raw, rows sum
        to 1), ``prevalence_pooled`` (posterior mean), ``ci_low, ci_high``
        (posterior quantiles) and ``se`` (posterior sd).

    Examples
    --------
    >>> t = pooled_prevalence([[1, 0]] * 20 + [[0, 1]] * 20 + [[1, 0]], ["a"] * 40 + ["b"])
    >>> t.set_index(["group", "topic"]).loc[("b", "T0"), ["ci_low", "ci_high"]].round(2).tolist()
    [0.15, 1.0]
    """
    from scipy.stats import beta

    if prior <= 0:
        raise ValueError(f"prior: expected a positive number of pseudo-paragraphs, received {prior!r}")
    theta, groups, w, clusters = _as_inputs(theta, groups, weights, clusters)
    names = _topic_names(theta, topics)
    labels = sorted(set(groups.tolist()))
    point = prevalence(theta, groups, names, w).to_numpy()
    a, b = _posterior(theta, groups, w, clusters, labels, prior)
    alpha = (1 - ci) / 2
    low, high = beta.ppf(alpha, a, b), beta.ppf(1 - alpha, a, b)
    mean, sd = a / (a + b), np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    return _tidy(labels, names, groups, clusters, point, low, high, sd, mean)


def _tidy(labels, names, groups, clusters, point, low, high, sd, pooled=None) -> pd.DataFrame:
    counts = pd.Series(groups).value_counts()
    reports = (pd.Series(clusters).groupby(groups).nunique() if clusters is not None else counts)
    rows = []
    for j, g in enumerate(labels):
        for k, name in enumerate(names):
            row = {"group": g, "topic": name, "n_paragraphs": int(counts[g]), "n_reports": int(reports[g]),
                   "prevalence": float(point[j, k])}
            if pooled is not None:
                row["prevalence_pooled"] = float(pooled[j, k])
            row.update({"ci_low": float(low[j, k]), "ci_high": float(high[j, k]), "se": float(sd[j, k])})
            rows.append(row)
    return pd.DataFrame(rows)


def _bootstrap_sums(theta, groups, w, labels, n_boot, rng, clusters=None):
    """Resampled weighted topic sums S[b, g, k] and weight totals W[b, g] (reports resampled when given)."""
    n_groups, k = len(labels), theta.shape[1]
    sums = np.empty((n_boot, n_groups, k))
    totals = np.empty((n_boot, n_groups))
    wtheta = w[:, None] * theta
    units = np.arange(len(theta)) if clusters is None else np.unique(clusters, return_inverse=True)[1]
    unit_sums = np.zeros((units.max() + 1, k))
    np.add.at(unit_sums, units, wtheta)
    unit_w = np.bincount(units, weights=w)
    for j, g in enumerate(labels):
        members = np.unique(units[groups == g])
        idx = members[rng.integers(0, len(members), size=(n_boot, len(members)))]
        sums[:, j, :] = unit_sums[idx].sum(axis=1)
        totals[:, j] = unit_w[idx].sum(axis=1)
    return sums, totals


def bootstrap_prevalence(theta, groups, topics: Sequence[str] | None = None, weights=None, n_boot: int = 2000,
                         ci: float = 0.95, random_state: int = 0, clusters=None) -> pd.DataFrame:
    """Tidy prevalence with percentile bootstrap intervals.

    With ``clusters`` (the report of each paragraph) whole reports are
    resampled within each group; a group of one report then has a zero-width
    interval (see :func:`pooled_prevalence` for intervals that do not).

    Returns
    -------
    pandas.DataFrame
        ``group, topic, n_paragraphs, n_reports, prevalence, ci_low,
        ci_high, se`` (``se`` = bootstrap standard deviation).
    """
    theta, groups, w, clusters = _as_inputs(theta, groups, weights, clusters)
    names = _topic_names(theta, topics)
    point = prevalence(theta, groups, names, w)
    labels = list(point.index)
    rng = np.random.default_rng(random_state)
    sums, totals = _bootstrap_sums(theta, groups, w, labels, n_boot, rng, clusters)
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = sums / totals[:, :, None]
    alpha = (1 - ci) / 2
    low, high = np.nanquantile(reps, [alpha, 1 - alpha], axis=0)
    sd = np.nanstd(reps, axis=0, ddof=1)
    return _tidy(labels, names, groups, clusters, point.to_numpy(), low, high, sd)


def prevalence_intervals(theta, groups, topics: Sequence[str] | None = None, weights=None, clusters=None,
                         interval: str = "pooled", n_boot: int = 2000, ci: float = 0.95, prior: float = 1.0,
                         random_state: int = 0) -> pd.DataFrame:
    """:func:`pooled_prevalence` or :func:`bootstrap_prevalence`, by ``interval``."""
    _check_interval(interval)
    if interval == "pooled":
        return pooled_prevalence(theta, groups, topics, weights, clusters, ci, prior)
    return bootstrap_prevalence(theta, groups, topics, weights, n_boot, ci, random_state, clusters)


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values (false discovery rate) of a set of p-values; NaN stays NaN.

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if not len(ok):
        return q
    order = ok[np.argsort(p[ok])]
    ranked = p[order] * len(ok) / np.arange(1, len(ok) + 1)
    q[order] = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    return q


# --- permutations ------------------------------------------------------------------------------

def permutation_unit(groups, clusters) -> str:
    """``"report"`` when every report lies in one group, ``"within_report"`` when groups vary inside
    reports, ``"paragraph"`` without report ids."""
    if clusters is None:
        return "paragraph"
    frame = pd.DataFrame({"g": np.asarray(groups), "c": np.asarray(clusters)})
    return "report" if (frame.groupby("c")["g"].nunique() <= 1).all() else "within_report"


class _Permuter:
    """Group sums of ``w x theta`` under random relabelling, in batches.

    ``unit="report"`` shuffles report labels (group sizes in reports kept),
    ``"within_report"`` shuffles paragraph labels inside each report,
    ``"paragraph"`` shuffles paragraph labels over the whole table.
    """

    def __init__(self, wtheta, w, codes, n_groups, clusters, unit):
        self.n_groups, self.unit = n_groups, unit
        if unit == "report":
            _, rep = np.unique(clusters, return_inverse=True)
            n_rep = rep.max() + 1
            self.x = np.zeros((n_rep, wtheta.shape[1]))
            np.add.at(self.x, rep, wtheta)
            self.w = np.bincount(rep, weights=w, minlength=n_rep)
            self.codes = np.zeros(n_rep, dtype=int)
            self.codes[rep] = codes
        else:
            order = np.argsort(clusters, kind="stable") if unit == "within_report" else np.arange(len(codes))
            self.x, self.w, self.codes = wtheta[order], w[order], codes[order]
            if unit == "within_report":
                self.blocks = np.unique(clusters[order], return_inverse=True)[1].astype(float)

    def batches(self, n_perm, rng):
        n = len(self.codes)
        size = max(1, min(n_perm, _BATCH_CELLS // max(n, 1)))
        done = 0
        while done < n_perm:
            b = min(size, n_perm - done)
            if self.unit == "within_report":
                order = np.argsort(self.blocks[None, :] + rng.random((b, n)), axis=1)
                labels = self.codes[order]
            else:
                labels = rng.permuted(np.broadcast_to(self.codes, (b, n)), axis=1)
            flat = (labels + self.n_groups * np.arange(b)[:, None]).ravel()
            size_out = b * self.n_groups
            sums = np.stack([np.bincount(flat, weights=np.broadcast_to(self.x[:, k], (b, n)).ravel(),
                                         minlength=size_out) for k in range(self.x.shape[1])], axis=-1)
            totals = np.bincount(flat, weights=np.broadcast_to(self.w, (b, n)).ravel(), minlength=size_out)
            yield sums.reshape(b, self.n_groups, -1), totals.reshape(b, self.n_groups)
            done += b


def _split_small(groups, min_group_size: int, by: str = "group") -> tuple[np.ndarray, list[str]]:
    counts = pd.Series(groups).value_counts()
    small = sorted(counts.index[counts < min_group_size].tolist())
    if small:
        logger.warning("%d %s group(s) have fewer than %d paragraphs and are left out of the tests: %s",
                       len(small), by, min_group_size, ", ".join(small[:10]) + (" ..." if len(small) > 10 else ""))
    return ~np.isin(groups, small), small


def contrasts(theta, groups, topics: Sequence[str] | None = None, weights=None, n_boot: int = 2000,
              ci: float = 0.95, prior: float = 1.0, n_perm: int = 1000, random_state: int = 0, clusters=None,
              interval: str = "pooled", min_group_size: int = 1) -> pd.DataFrame:
    """Each group against all other groups pooled, for every topic.

    Parameters
    ----------
    prior
        Pseudo-paragraphs of the prior at the corpus-wide shares; smooths the
        lift and the log-odds, and is the prior of the pooled intervals.
    n_perm
        Permutations for the p-values (0: none); the unit is chosen by
        :func:`permutation_unit` from ``clusters``.
    clusters
        The report (``doc_id``) of each paragraph.
    interval
        How the lift interval is drawn: ``"pooled"`` (posterior draws) or
        ``"bootstrap"`` (reports resampled).
    min_group_size
        Groups with fewer paragraphs are left out (with a warning) and do not
        count in the "rest" either.

    Returns
    -------
    pandas.DataFrame
        ``group, topic, prevalence, prevalence_rest, lift, lift_low,
        lift_high, log_odds_z, p_value, q_value, over, under``: ``q_value``
        is the Benjamini-Hochberg adjustment over the whole table; ``over`` /
        ``under`` flag ``q_value < 1 - ci`` with lift above / below 1.

    Notes
    -----
    A group with no weight on a topic has a degenerate bootstrap interval
    (resampling cannot produce what the group never shows), so the flags
    rest on the permutation test, which asks how often a group of that size
    drawn at random would differ as much.
    """
    _check_interval(interval)
    theta, groups, w, clusters = _as_inputs(theta, groups, weights, clusters)
    names = _topic_names(theta, topics)
    keep, _ = _split_small(groups, min_group_size)
    theta, groups, w = theta[keep], groups[keep], w[keep]
    clusters = clusters[keep] if clusters is not None else None
    labels = sorted(set(groups.tolist()))
    if len(labels) < 2:
        raise ValueError(f"contrasts need at least two groups with >= {min_group_size} paragraphs; found {labels}")
    overall = (w[:, None] * theta).sum(axis=0) / w.sum()
    a = prior * overall  # informative Dirichlet prior, in paragraph units
    a0 = a.sum()

    def log_lift(s_g, w_g, s_r, w_r):
        return np.log((s_g + a) / (w_g + a0)) - np.log((s_r + a) / (w_r + a0))

    wtheta = w[:, None] * theta
    codes = np.searchsorted(labels, groups)
    s_all, w_all = wtheta.sum(axis=0), w.sum()
    sums_g, totals_g = _group_sums(wtheta, w, codes, len(labels))
    observed = log_lift(sums_g, totals_g[:, None], s_all - sums_g, (w_all - totals_g)[:, None])

    exceed = np.zeros_like(observed)
    if n_perm:
        permuter = _Permuter(wtheta, w, codes, len(labels), clusters, permutation_unit(groups, clusters))
        for ps, pt in permuter.batches(n_perm, np.random.default_rng(random_state + 1)):
            null = log_lift(ps, pt[:, :, None], s_all - ps, (w_all - pt)[:, :, None])
            exceed += (np.abs(null) >= np.abs(observed) - 1e-12).sum(axis=0)
    p_values = (1 + exceed) / (1 + n_perm) if n_perm else np.full(observed.shape, np.nan)
    q_values = benjamini_hochberg(p_values.ravel()).reshape(p_values.shape)

    rng = np.random.default_rng(random_state)
    if interval == "bootstrap":
        sums, totals = _bootstrap_sums(theta, groups, w, labels, n_boot, rng, clusters)
        s_tot, w_tot = sums.sum(axis=1, keepdims=True), totals.sum(axis=1, keepdims=True)
        draws = np.exp(log_lift(sums, totals[:, :, None], s_tot - sums, (w_tot - totals)[:, :, None]))
    else:
        # posterior draws of each group's share and of the rest's share
        a_g, b_g = _posterior(theta, groups, w, clusters, labels, prior)
        rest_a, rest_b = np.empty_like(a_g), np.empty_like(b_g)
        for j, g in enumerate(labels):
            rest = np.where(groups == g, "_group", "_rest")
            pa, pb = _posterior(theta, rest, w, clusters, ["_group", "_rest"], prior)
            rest_a[j], rest_b[j] = pa[1], pb[1]
        draws = rng.beta(a_g, b_g, size=(n_boot, *a_g.shape)) / rng.beta(rest_a, rest_b, size=(n_boot, *a_g.shape))
    tail = (1 - ci) / 2
    low, high = np.quantile(draws, [tail, 1 - tail], axis=0)

    level = 1 - ci
    rows = []
    for j, g in enumerate(labels):
        s_g, w_g = sums_g[j], totals_g[j]
        s_r, w_r = s_all - s_g, w_all - w_g
        lift = np.exp(observed[j])
        # Monroe, Colaresi & Quinn (2008), eq. 16 and 18, with paragraph-unit counts.
        delta = (np.log((s_g + a) / (w_g + a0 - s_g - a)) - np.log((s_r + a) / (w_r + a0 - s_r - a)))
        with np.errstate(divide="ignore"):
            z = delta / np.sqrt(1.0 / (s_g + a) + 1.0 / (s_r + a))
        for k, name in enumerate(names):
            significant = bool(q_values[j, k] < level)
            rows.append({
                "group": g, "topic": name,
                "prevalence": float(s_g[k] / w_g) if w_g else float("nan"),
                "prevalence_rest": float(s_r[k] / w_r) if w_r else float("nan"),
                "lift": float(lift[k]), "lift_low": float(low[j, k]), "lift_high": float(high[j, k]),
                "log_odds_z": float(z[k]), "p_value": float(p_values[j, k]), "q_value": float(q_values[j, k]),
                "over": significant and lift[k] > 1, "under": significant and lift[k] < 1,
            })
    return pd.DataFrame(rows)


def top_contrasts(table: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` most over- and ``n`` most under-represented topics of each group.

    Over: positive ``log_odds_z``, largest first; under: negative, smallest
    first (a group may have fewer than ``n`` of either). ``significant``
    repeats the :func:`contrasts` flag (permutation test, FDR-adjusted) for
    that direction.
    """
    columns = ["group", "direction", "rank", "topic", "prevalence", "prevalence_rest", "lift", "lift_low",
               "lift_high", "log_odds_z", "p_value", "q_value", "significant"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    over = table[table["log_odds_z"] > 0].sort_values(["group", "log_odds_z", "topic"], ascending=[True, False, True])
    under = table[table["log_odds_z"] < 0].sort_values(["group", "log_odds_z", "topic"], ascending=[True, True, True])
    parts = []
    for direction, part in (("over", over), ("under", under)):
        part = part.groupby("group", sort=False).head(n).copy()
        part["direction"] = direction
        part["rank"] = part.groupby("group", sort=False).cumcount() + 1
        part["significant"] = part[direction]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["_order"] = out["direction"].map({"over": 0, "under": 1})
    out = out.sort_values(["group", "_order", "rank"], kind="stable").reset_index(drop=True)
    return out[columns]


def js_divergence(p, q) -> float:
    """Jensen-Shannon divergence in bits (0 = identical, 1 = disjoint).

    >>> js_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> js_divergence([1, 0], [0, 1])
    1.0
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2

    def kl(x, y):
        mask = x > 0
        return float(np.sum(x[mask] * np.log2(x[mask] / y[mask])))

    return max(0.0, 0.5 * kl(p, m) + 0.5 * kl(q, m))


def js_divergence_matrix(prevalence_table: pd.DataFrame) -> pd.DataFrame:
    """Group x group JS divergence of the rows of a prevalence table (symmetric, 0 diagonal)."""
    labels = list(prevalence_table.index)
    values = prevalence_table.to_numpy(dtype=float)
    out = np.zeros((len(labels), len(labels)))
    for i, j in combinations(range(len(labels)), 2):
        out[i, j] = out[j, i] = js_divergence(values[i], values[j])
    return pd.DataFrame(out, index=pd.Index(labels, name="group"), columns=labels)


def _js_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise JS divergence (bits) of two stacks of distributions, shape (..., K) -> (...).

    Computed as H(m) - (H(p) + H(q)) / 2 with m = (p + q) / 2, which needs
    three logarithms instead of two divisions and two logarithms.
    """
    def neg_entropy(x):
        return (x * np.log(np.maximum(x, 1e-300))).sum(axis=-1)

    p = p / p.sum(axis=-1, keepdims=True)
    q = q / q.sum(axis=-1, keepdims=True)
    js = 0.5 * (neg_entropy(p) + neg_entropy(q)) - neg_entropy((p + q) / 2)
    return np.maximum(0.0, js / np.log(2))


def _split_masks(n_a: int, n_b: int, n_perm: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """0/1 masks of the units that go to the first group: every split when there are at most
    ``n_perm`` of them (an exact test), else ``n_perm`` random ones."""
    from itertools import combinations as choose
    from math import comb

    m = n_a + n_b
    if comb(m, n_a) <= n_perm:
        masks = np.zeros((comb(m, n_a), m))
        for row, chosen in enumerate(choose(range(m), n_a)):
            masks[row, list(chosen)] = 1.0
        return masks, True
    first = np.r_[np.ones(n_a), np.zeros(n_b)]
    return rng.permuted(np.broadcast_to(first, (n_perm, m)), axis=1), False


def _pair_nulls(x: np.ndarray, w: np.ndarray, members: dict, pairs: list, n_perm: int,
                rng: np.random.Generator) -> dict:
    """Null JS divergences of each pair of groups under re-splits of their pooled units.

    Returns ``{pair: (null divergences, exact)}``. Pairs whose groups have
    the same numbers of units share one set of splits and are computed in
    one array operation; when a pair has at most ``n_perm`` possible splits
    all of them are used (exact test).
    """
    from collections import defaultdict

    shapes: dict = defaultdict(list)
    for pair in pairs:
        shapes[(len(members[pair[0]]), len(members[pair[1]]))].append(pair)
    out = {}
    for (n_a, n_b), same in shapes.items():
        masks, exact = _split_masks(n_a, n_b, n_perm, rng)
        chunk = max(1, _BATCH_CELLS // (len(masks) * max(x.shape[1], 1)))
        for start in range(0, len(same), chunk):
            block = same[start:start + chunk]
            idx = np.array([np.r_[members[a], members[b]] for a, b in block])
            xs, ws = x[idx], w[idx]
            s_a = masks[None, :, :] @ xs  # (pairs, splits, K)
            w_a = (masks @ ws.T).T  # (pairs, splits)
            s_t, w_t = xs.sum(axis=1)[:, None, :], ws.sum(axis=1)[:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                null = _js_rows(s_a / w_a[:, :, None], (s_t - s_a) / (w_t - w_a)[:, :, None])
            out.update((pair, (values, exact)) for pair, values in zip(block, null))
    return out


def js_permutation_tests(theta, groups, weights=None, n_perm: int = 1000, random_state: int = 0, clusters=None,
                         min_group_size: int = 1, ci: float = 0.95) -> pd.DataFrame:
    """JS divergence of every pair of groups with a permutation null and FDR-corrected q-values.

    The two groups' paragraphs are pooled and re-split at random, by whole
    reports when each report lies in one group, else within reports
    (:func:`permutation_unit`). Groups with fewer than ``min_group_size``
    paragraphs are left out with a warning.

    Returns
    -------
    pandas.DataFrame
        ``group_a, group_b, n_a, n_b, js, js_null_mean, js_excess, p_value,
        q_value, significant`` (``js_excess = js - js_null_mean``; the
        p-value is exact when the pair has at most ``n_perm`` possible splits,
        else from ``n_perm`` random ones with the +1 correction; ``q_value``:
        Benjamini-Hochberg over all pairs; ``significant``: ``q_value < 1 - ci``).
        Two groups of one report each have a single distinct split: their
        p-value is 1, because one report per district cannot separate the
        district from the report.
    """
    theta, groups, w, clusters = _as_inputs(theta, groups, weights, clusters)
    keep, _ = _split_small(groups, min_group_size)
    theta, groups, w = theta[keep], groups[keep], w[keep]
    clusters = clusters[keep] if clusters is not None else None
    labels = sorted(set(groups.tolist()))
    unit = permutation_unit(groups, clusters)
    rng = np.random.default_rng(random_state)
    wtheta = w[:, None] * theta
    members = {g: np.flatnonzero(groups == g) for g in labels}
    if unit == "report":  # whole reports are what gets re-split
        report_ids, report_of = np.unique(clusters, return_inverse=True)
        unit_x = np.zeros((len(report_ids), theta.shape[1]))
        np.add.at(unit_x, report_of, wtheta)
        unit_w = np.bincount(report_of, weights=w)
        unit_members = {g: np.unique(report_of[idx]) for g, idx in members.items()}
    else:
        unit_x, unit_w, unit_members = wtheta, w, members
    pairs = list(combinations(labels, 2))
    nulls: dict = {}
    if n_perm and unit != "within_report":
        nulls = _pair_nulls(unit_x, unit_w, unit_members, pairs, n_perm, rng)
    rows = []
    codes = np.searchsorted(labels, groups)
    sums, totals = _group_sums(wtheta, w, codes, len(labels))
    shares = sums / totals[:, None]
    if pairs:
        first, second = (np.array(side) for side in zip(*[(labels.index(a), labels.index(b)) for a, b in pairs]))
        observed_all = _js_rows(shares[first], shares[second])
    for (a, b), observed in zip(pairs, observed_all if pairs else []):
        ia, ib = members[a], members[b]
        observed = float(observed)
        null_mean, p_value = float("nan"), float("nan")
        if n_perm:
            if unit == "within_report":
                pooled = np.concatenate([ia, ib])
                codes = np.r_[np.zeros(len(ia), dtype=int), np.ones(len(ib), dtype=int)]
                permuter = _Permuter(wtheta[pooled], w[pooled], codes, 2, clusters[pooled], unit)
                parts = []
                for ps, pt in permuter.batches(n_perm, rng):
                    with np.errstate(invalid="ignore", divide="ignore"):
                        parts.append(_js_rows(ps[:, 0] / pt[:, 0, None], ps[:, 1] / pt[:, 1, None]))
                null = np.concatenate(parts)
                exact = False
            else:
                null, exact = nulls[(a, b)]
            null = np.nan_to_num(null, nan=0.0)
            null_mean = float(null.mean())
            hits = np.sum(null >= observed - 1e-12)
            # exact: the observed split is one of the enumerated ones; sampled: the +1 correction
            p_value = float(hits / len(null)) if exact else float((1 + hits) / (1 + len(null)))
        rows.append({"group_a": a, "group_b": b, "n_a": len(ia), "n_b": len(ib), "js": observed,
                     "js_null_mean": null_mean, "js_excess": observed - null_mean, "p_value": p_value})
    columns = ["group_a", "group_b", "n_a", "n_b", "js", "js_null_mean", "js_excess", "p_value", "q_value",
               "significant"]
    table = pd.DataFrame(rows, columns=columns[:-2])
    table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy()) if len(table) else []
    table["significant"] = table["q_value"] < 1 - ci
    return table[columns]


@dataclass
class Comparison:
    """Groups compared by topic mix (see :func:`compare_groups`).

    Attributes
    ----------
    by : str
        The grouping column (``"district"``, ``"section_role"``, ...).
    prevalence : pandas.DataFrame
        Tidy prevalence with intervals (:func:`prevalence_intervals`) and a
        ``small`` column for groups left out of the tests.
    contrasts : pandas.DataFrame
        Each group against the rest (:func:`contrasts`).
    top : pandas.DataFrame
        Most over- and under-represented topics per group (:func:`top_contrasts`).
    divergence : pandas.DataFrame
        Group x group JS divergence (:func:`js_divergence_matrix`).
    divergence_tests : pandas.DataFrame
        Pairwise permutation tests with q-values (:func:`js_permutation_tests`).
    small_groups : list of str
        Groups below ``min_group_size``: in the prevalence table, not in any test.

    Examples
    --------
    >>> comp = compare_groups([[1, 0], [0, 1], [1, 0], [1, 0]], ["a", "a", "b", "b"], by="district", n_perm=10,
    ...                      min_group_size=2)
    >>> float(comp.prevalence_matrix().loc["b", "T0"])
    1.0
    """

    by: str
    prevalence: pd.DataFrame
    contrasts: pd.DataFrame
    top: pd.DataFrame
    divergence: pd.DataFrame
    divergence_tests: pd.DataFrame
    settings: dict = field(default_factory=dict)
    small_groups: list = field(default_factory=list)

    def prevalence_matrix(self) -> pd.DataFrame:
        """Group x topic point prevalence (rows sum to 1)."""
        table = self.prevalence.pivot(index="group", columns="topic", values="prevalence")
        order = list(dict.fromkeys(self.prevalence["topic"]))
        return table[order]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tidy tables, for writing to files."""
        tests = self.divergence_tests
        return {
            "prevalence": self.prevalence.rename(columns={"group": self.by}),
            "contrasts": self.contrasts.rename(columns={"group": self.by}),
            "top_topics": self.top.rename(columns={"group": self.by}),
            "js_divergence": self.divergence.rename_axis(self.by).reset_index(),
            "js_tests": tests.rename(columns={"group_a": f"{self.by}_a", "group_b": f"{self.by}_b"}),
        }


def compare_groups(theta, groups, by: str = "group", topics: Sequence[str] | None = None, weights=None,
                   n_boot: int = 2000, ci: float = 0.95, n_perm: int = 1000, prior: float = 1.0,
                   top_n: int = 3, random_state: int = 0, clusters=None, interval: str = "pooled",
                   min_group_size: int = 3) -> Comparison:
    """All comparisons of one grouping, with shared settings (see the module docstring).

    Parameters
    ----------
    clusters
        The report (``doc_id``) of each paragraph: sets the design effect of
        the pooled intervals, the bootstrap unit and the permutation unit.
    interval : {"pooled", "bootstrap"}
    min_group_size
        Groups with fewer paragraphs are reported but left out of the tests.
    """
    _check_interval(interval)
    theta, groups_arr, w, clusters = _as_inputs(theta, groups, weights, clusters)
    names = _topic_names(theta, topics)
    prev = prevalence_intervals(theta, groups_arr, names, w, clusters, interval, n_boot, ci, prior, random_state)
    keep, small = _split_small(groups_arr, min_group_size, by)
    prev["small"] = prev["group"].isin(small)
    eligible = dict(theta=theta[keep], groups=groups_arr[keep], weights=w[keep],
                    clusters=clusters[keep] if clusters is not None else None)
    n_eligible = len(set(eligible["groups"].tolist()))
    if n_eligible >= 2:
        con = contrasts(**eligible, topics=names, n_boot=n_boot, ci=ci, prior=prior, n_perm=n_perm,
                        random_state=random_state, interval=interval)
        tests = js_permutation_tests(**eligible, n_perm=n_perm, random_state=random_state, ci=ci)
    else:
        logger.warning("fewer than two %s groups have >= %d paragraphs; no tests", by, min_group_size)
        con = pd.DataFrame(columns=["group", "topic", "prevalence", "prevalence_rest", "lift", "lift_low", "lift_high",
                                    "log_odds_z", "p_value", "q_value", "over", "under"])
        tests = js_permutation_tests(theta[:0], groups_arr[:0], n_perm=0)
    matrix = prevalence(theta, groups_arr, names, w)
    return Comparison(
        by=by, prevalence=prev, contrasts=con, top=top_contrasts(con, top_n),
        divergence=js_divergence_matrix(matrix), divergence_tests=tests,
        settings={"n_boot": n_boot, "ci": ci, "n_perm": n_perm, "prior": prior, "top_n": top_n,
                  "random_state": random_state, "weighted": weights is not None, "interval": interval,
                  "min_group_size": min_group_size,
                  "permutation_unit": permutation_unit(eligible["groups"], eligible["clusters"])},
        small_groups=small,
    )


def partition_agreement(a: Sequence, b: Sequence) -> dict[str, float]:
    """Agreement of two hard topic assignments: adjusted Rand index and NMI.

    >>> partition_agreement([0, 0, 1, 1], [1, 1, 0, 0])
    {'adjusted_rand': 1.0, 'nmi': 1.0}
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {"adjusted_rand": float(adjusted_rand_score(a, b)), "nmi": float(normalized_mutual_info_score(a, b))}


def seed_stability(assignments: Sequence[Sequence]) -> dict[str, float]:
    """Mean pairwise agreement of hard topic assignments from runs with different seeds.

    1.0 means every seed puts the paragraphs into the same topics (up to topic
    numbering); values near 0 mean the partition is mostly seed noise.

    >>> seed_stability([[0, 0, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1]])
    {'adjusted_rand': 1.0, 'nmi': 1.0, 'n_runs': 3.0}
    """
    runs = [list(a) for a in assignments]
    if len(runs) < 2:
        return {"adjusted_rand": float("nan"), "nmi": float("nan"), "n_runs": float(len(runs))}
    pairs = [partition_agreement(a, b) for a, b in combinations(runs, 2)]
    return {"adjusted_rand": float(np.mean([p["adjusted_rand"] for p in pairs])),
            "nmi": float(np.mean([p["nmi"] for p in pairs])), "n_runs": float(len(runs))}
