"""Comparing groups (districts, section roles) by their topic mix, with uncertainty.

Everything starts from a paragraph x topic weight matrix ``theta`` (rows sum
to 1: LDA's topic proportions, or BERTopic's one-hot membership) and a group
per paragraph.

- **Prevalence** of topic k in group g: the mean of ``theta[:, k]`` over the
  group's paragraphs (optionally weighted, e.g. by token count). Each group's
  prevalences sum to 1.
- **Bootstrap intervals**: paragraphs are resampled with replacement *within*
  each group (group sizes fixed), ``n_boot`` times; percentile intervals.
  Paragraphs of one report are not independent, so read the intervals as a
  lower bound on the real uncertainty.
- **Over/under-representation** of topic k in group g against all other groups
  pooled: the *lift* (smoothed prevalence in g / in the rest) with a bootstrap
  interval from the same resamples, and the weighted log-odds z-score of
  Monroe, Colaresi & Quinn (2008) with an informative Dirichlet prior
  (``prior`` pseudo-paragraphs spread by the overall topic shares), used to
  rank topics. Whether a difference is more than noise is judged by a
  permutation test (group labels shuffled over all paragraphs, group sizes
  kept) with Benjamini-Hochberg false-discovery-rate q-values over all
  group x topic cells. A group with *no* paragraph in a topic has the
  bootstrap interval [0, 0] — resampling cannot show what the group never
  shows — which is why the flags use the permutation test, not the interval.
- **Jensen-Shannon divergence** (base 2, 0..1) between groups' prevalence
  vectors, with a permutation test per pair: the two groups' paragraphs are
  pooled and re-split at random; ``js_null_mean`` is the divergence that
  sampling noise alone produces with these group sizes, and ``p_value`` the
  share of permutations at least as divergent as observed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "Comparison",
    "prevalence",
    "bootstrap_prevalence",
    "contrasts",
    "top_contrasts",
    "benjamini_hochberg",
    "js_divergence",
    "js_divergence_matrix",
    "js_permutation_tests",
    "compare_groups",
    "partition_agreement",
    "seed_stability",
]

logger = logging.getLogger(__name__)


def _as_inputs(theta, groups, weights=None):
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
    return theta, groups, w


def _topic_names(theta: np.ndarray, topics: Sequence[str] | None) -> list[str]:
    if topics is None:
        return [f"T{k}" for k in range(theta.shape[1])]
    topics = [str(t) for t in topics]
    if len(topics) != theta.shape[1]:
        raise ValueError(f"{len(topics)} topic names for {theta.shape[1]} columns of theta")
    return topics


def prevalence(theta, groups, topics: Sequence[str] | None = None, weights=None) -> pd.DataFrame:
    """Group x topic prevalence (each row sums to 1).

    >>> prevalence([[1, 0], [0, 1], [1, 0]], ["a", "a", "b"]).values.tolist()
    [[0.5, 0.5], [1.0, 0.0]]
    """
    theta, groups, w = _as_inputs(theta, groups, weights)
    names = _topic_names(theta, topics)
    labels = sorted(set(groups.tolist()))
    rows = []
    for g in labels:
        mask = groups == g
        total = w[mask].sum()
        rows.append((w[mask, None] * theta[mask]).sum(axis=0) / total if total > 0 else np.full(theta.shape[1], np.nan))
    out = pd.DataFrame(rows, index=pd.Index(labels, name="group"), columns=names)
    out.columns.name = "topic"
    return out


def _bootstrap_sums(theta, groups, w, labels, n_boot, rng):
    """Resampled weighted topic sums S[b, g, k] and weight totals W[b, g]."""
    n_groups, k = len(labels), theta.shape[1]
    sums = np.empty((n_boot, n_groups, k))
    totals = np.empty((n_boot, n_groups))
    wtheta = w[:, None] * theta
    for j, g in enumerate(labels):
        members = np.flatnonzero(groups == g)
        idx = members[rng.integers(0, len(members), size=(n_boot, len(members)))]
        sums[:, j, :] = wtheta[idx].sum(axis=1)
        totals[:, j] = w[idx].sum(axis=1)
    return sums, totals


def bootstrap_prevalence(theta, groups, topics: Sequence[str] | None = None, weights=None, n_boot: int = 2000,
                         ci: float = 0.95, random_state: int = 0) -> pd.DataFrame:
    """Tidy prevalence with percentile bootstrap intervals.

    Returns
    -------
    pandas.DataFrame
        ``group, topic, n_paragraphs, prevalence, ci_low, ci_high, se``
        (``se`` = bootstrap standard deviation).
    """
    theta, groups, w = _as_inputs(theta, groups, weights)
    names = _topic_names(theta, topics)
    point = prevalence(theta, groups, names, w)
    labels = list(point.index)
    rng = np.random.default_rng(random_state)
    sums, totals = _bootstrap_sums(theta, groups, w, labels, n_boot, rng)
    with np.errstate(invalid="ignore", divide="ignore"):
        reps = sums / totals[:, :, None]
    alpha = (1 - ci) / 2
    low, high = np.nanquantile(reps, [alpha, 1 - alpha], axis=0)
    sd = np.nanstd(reps, axis=0, ddof=1)
    counts = pd.Series(groups).value_counts()
    rows = []
    for j, g in enumerate(labels):
        for k, name in enumerate(names):
            rows.append({"group": g, "topic": name, "n_paragraphs": int(counts[g]), "prevalence": float(point.iat[j, k]),
                         "ci_low": float(low[j, k]), "ci_high": float(high[j, k]), "se": float(sd[j, k])})
    return pd.DataFrame(rows)


def _group_sums(wtheta: np.ndarray, w: np.ndarray, codes: np.ndarray, n_groups: int):
    sums = np.zeros((n_groups, wtheta.shape[1]))
    np.add.at(sums, codes, wtheta)
    return sums, np.bincount(codes, weights=w, minlength=n_groups)


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


def contrasts(theta, groups, topics: Sequence[str] | None = None, weights=None, n_boot: int = 2000,
              ci: float = 0.95, prior: float = 1.0, n_perm: int = 1000, random_state: int = 0) -> pd.DataFrame:
    """Each group against all other groups pooled, for every topic.

    Parameters
    ----------
    prior
        Total pseudo-paragraphs of the Dirichlet prior, spread over topics by
        their overall share; smooths the lift and the log-odds.
    n_perm
        Permutations of the group labels for the p-values (0: none).

    Returns
    -------
    pandas.DataFrame
        ``group, topic, prevalence, prevalence_rest, lift, lift_low,
        lift_high, log_odds_z, p_value, q_value, over, under``: ``lift`` is
        the smoothed ratio of prevalences and ``lift_low/high`` its bootstrap
        interval; ``log_odds_z`` is Monroe et al.'s z-score; ``p_value`` is a
        two-sided permutation p-value of the log lift (group labels shuffled
        over all paragraphs, sizes kept) and ``q_value`` its
        Benjamini-Hochberg adjustment over the whole table; ``over`` /
        ``under`` flag ``q_value < 1 - ci`` with lift above / below 1.

    Notes
    -----
    A group with no weight on a topic has a degenerate bootstrap interval
    (resampling cannot produce what the group never shows), so the flags
    rest on the permutation test, which asks how often a group of that size
    drawn at random would differ as much.
    """
    theta, groups, w = _as_inputs(theta, groups, weights)
    names = _topic_names(theta, topics)
    labels = sorted(set(groups.tolist()))
    if len(labels) < 2:
        raise ValueError("contrasts need at least two groups")
    overall = (w[:, None] * theta).sum(axis=0) / w.sum()
    a = prior * overall  # informative Dirichlet prior, in paragraph units
    a0 = a.sum()

    def lift_of(s_g, w_g, s_r, w_r):
        return ((s_g + a) / (w_g + a0)) / ((s_r + a) / (w_r + a0))

    wtheta = w[:, None] * theta
    codes = np.searchsorted(labels, groups)
    s_all, w_all = wtheta.sum(axis=0), w.sum()
    sums_g, totals_g = _group_sums(wtheta, w, codes, len(labels))
    observed = np.log(lift_of(sums_g, totals_g[:, None], s_all - sums_g, (w_all - totals_g)[:, None]))
    rng = np.random.default_rng(random_state)
    sums, totals = _bootstrap_sums(theta, groups, w, labels, n_boot, rng)
    sums_all, totals_all = sums.sum(axis=1), totals.sum(axis=1)
    exceed = np.zeros_like(observed)
    perm_rng = np.random.default_rng(random_state + 1)
    for _ in range(n_perm):
        ps, pt = _group_sums(wtheta, w, perm_rng.permutation(codes), len(labels))
        null = np.log(lift_of(ps, pt[:, None], s_all - ps, (w_all - pt)[:, None]))
        exceed += np.abs(null) >= np.abs(observed) - 1e-12
    p_values = (1 + exceed) / (1 + n_perm) if n_perm else np.full(observed.shape, np.nan)
    q_values = benjamini_hochberg(p_values.ravel()).reshape(p_values.shape)
    level = 1 - ci
    tail = level / 2
    rows = []
    for j, g in enumerate(labels):
        s_g, w_g = sums_g[j], totals_g[j]
        s_r, w_r = s_all - s_g, w_all - w_g
        lift = np.exp(observed[j])
        reps = lift_of(sums[:, j], totals[:, j, None], sums_all - sums[:, j], (totals_all - totals[:, j])[:, None])
        low, high = np.quantile(reps, [tail, 1 - tail], axis=0)
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
                "lift": float(lift[k]), "lift_low": float(low[k]), "lift_high": float(high[k]),
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
    parts = []
    for group, rows in table.groupby("group", sort=True):
        over = rows[rows["log_odds_z"] > 0].sort_values(["log_odds_z", "topic"], ascending=[False, True])
        under = rows[rows["log_odds_z"] < 0].sort_values(["log_odds_z", "topic"], ascending=[True, True])
        over, under = over.head(n).assign(direction="over"), under.head(n).assign(direction="under")
        for part in (over, under):
            part = part.assign(rank=np.arange(1, len(part) + 1))
            part["significant"] = np.where(part["direction"] == "over", part["over"], part["under"])
            parts.append(part)
    columns = ["group", "direction", "rank", "topic", "prevalence", "prevalence_rest", "lift", "lift_low",
               "lift_high", "log_odds_z", "p_value", "q_value", "significant"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


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


def js_permutation_tests(theta, groups, weights=None, n_perm: int = 1000, random_state: int = 0) -> pd.DataFrame:
    """JS divergence of every pair of groups with a permutation null.

    Returns
    -------
    pandas.DataFrame
        ``group_a, group_b, n_a, n_b, js, js_null_mean, js_excess, p_value``
        (``js_excess = js - js_null_mean``; p-value with the +1 correction;
        NaN null values when ``n_perm`` is 0).
    """
    theta, groups, w = _as_inputs(theta, groups, weights)
    labels = sorted(set(groups.tolist()))
    rng = np.random.default_rng(random_state)
    wtheta = w[:, None] * theta
    rows = []
    for a, b in combinations(labels, 2):
        ia, ib = np.flatnonzero(groups == a), np.flatnonzero(groups == b)
        pooled = np.concatenate([ia, ib])

        def js_of(first, second):
            return js_divergence(wtheta[first].sum(axis=0) / w[first].sum(), wtheta[second].sum(axis=0) / w[second].sum())

        observed = js_of(ia, ib)
        null = np.array([js_of(perm[:len(ia)], perm[len(ia):])
                         for perm in (rng.permutation(pooled) for _ in range(n_perm))])
        null_mean = float(null.mean()) if n_perm else float("nan")
        p_value = float((1 + np.sum(null >= observed - 1e-12)) / (1 + n_perm)) if n_perm else float("nan")
        rows.append({"group_a": a, "group_b": b, "n_a": len(ia), "n_b": len(ib), "js": observed,
                     "js_null_mean": null_mean, "js_excess": observed - null_mean, "p_value": p_value})
    return pd.DataFrame(rows, columns=["group_a", "group_b", "n_a", "n_b", "js", "js_null_mean", "js_excess", "p_value"])


@dataclass
class Comparison:
    """Groups compared by topic mix (see :func:`compare_groups`).

    Attributes
    ----------
    by : str
        The grouping column (``"district"``, ``"section_role"``, ...).
    prevalence : pandas.DataFrame
        Tidy prevalence with bootstrap intervals (:func:`bootstrap_prevalence`).
    contrasts : pandas.DataFrame
        Each group against the rest (:func:`contrasts`).
    top : pandas.DataFrame
        Most over- and under-represented topics per group (:func:`top_contrasts`).
    divergence : pandas.DataFrame
        Group x group JS divergence (:func:`js_divergence_matrix`).
    divergence_tests : pandas.DataFrame
        Pairwise permutation tests (:func:`js_permutation_tests`).

    Examples
    --------
    >>> comp = compare_groups([[1, 0], [0, 1], [1, 0], [1, 0]], ["a", "a", "b", "b"], by="district", n_perm=10)
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
                   top_n: int = 3, random_state: int = 0) -> Comparison:
    """All comparisons of one grouping, with shared settings (see the module docstring)."""
    theta, groups_arr, w = _as_inputs(theta, groups, weights)
    names = _topic_names(theta, topics)
    prev = bootstrap_prevalence(theta, groups_arr, names, w, n_boot, ci, random_state)
    con = contrasts(theta, groups_arr, names, w, n_boot, ci, prior, n_perm, random_state)
    matrix = prevalence(theta, groups_arr, names, w)
    return Comparison(
        by=by, prevalence=prev, contrasts=con, top=top_contrasts(con, top_n),
        divergence=js_divergence_matrix(matrix),
        divergence_tests=js_permutation_tests(theta, groups_arr, w, n_perm, random_state),
        settings={"n_boot": n_boot, "ci": ci, "n_perm": n_perm, "prior": prior, "top_n": top_n,
                  "random_state": random_state, "weighted": weights is not None},
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
