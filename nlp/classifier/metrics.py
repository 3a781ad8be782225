"""Scores of multi-label predictions: per-label P/R/F1, micro/macro-F1, bootstrap intervals.

Every model and baseline goes through the same functions: a gold and a
predicted 0/1 matrix in, scored per label (precision, recall, F1, support) and
overall (micro- and macro-F1, as ``shared/tools/score_dev.py`` computes them),
with 95% intervals from resampling paragraphs. :func:`f1_scores` is the one F1
computation of the package.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "score_table",
    "f1_scores",
    "bootstrap_intervals",
    "EvaluationResult",
    "evaluate",
]

logger = logging.getLogger(__name__)


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _counts(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = y_true.astype(bool)
    p = y_pred.astype(bool)
    return (t & p).sum(0), (~t & p).sum(0), (t & ~p).sum(0)


def f1_scores(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(micro-F1, macro-F1, per-label F1), scored as ``shared/tools/score_dev.py`` does.

    A label with no gold and no predicted positive scores 0, as in that script.

    >>> micro, macro, per_label = f1_scores(np.array([[1, 0], [1, 1]]), np.array([[1, 0], [0, 1]]))
    >>> round(micro, 3), per_label.tolist()
    (0.8, [0.6666666666666666, 1.0])
    """
    tp, fp, fn = _counts(y_true, y_pred)
    per_label = np.array([_prf(*c)[2] for c in zip(tp, fp, fn)])
    total = 2 * tp.sum() + fp.sum() + fn.sum()
    micro = 2 * tp.sum() / total if tp.sum() else 0.0
    return float(micro), float(per_label.mean()), per_label


def score_table(y_true: np.ndarray, y_pred: np.ndarray, label_ids: Sequence[str]) -> pd.DataFrame:
    """Per-label precision, recall, F1 and support, then micro and macro rows."""
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred: expected the same shape, received {y_true.shape} and {y_pred.shape}")
    tp, fp, fn = _counts(y_true, y_pred)
    rows = []
    for j, label in enumerate(label_ids):
        p, r, f = _prf(tp[j], fp[j], fn[j])
        rows.append({"label": label, "precision": p, "recall": r, "f1": f, "support": int(tp[j] + fn[j])})
    p, r, f = _prf(tp.sum(), fp.sum(), fn.sum())
    rows.append({"label": "micro", "precision": p, "recall": r, "f1": f, "support": int((tp + fn).sum())})
    macro = pd.DataFrame(rows[:-1])[["precision", "recall", "f1"]].mean()
    rows.append({"label": "macro", "precision": macro["precision"], "recall": macro["recall"], "f1": macro["f1"],
                 "support": int((tp + fn).sum())})
    return pd.DataFrame(rows)


def bootstrap_intervals(y_true: np.ndarray, y_pred: np.ndarray, n_boot: int = 1000, seed: int = 0,
                        alpha: float = 0.05) -> dict[str, tuple[float, float]]:
    """Percentile intervals for micro-F1, macro-F1 and each label's F1, resampling paragraphs."""
    rng = np.random.default_rng(seed)
    n = len(y_true)
    if n == 0 or n_boot <= 0:
        return {}
    micro, macro, per = [], [], []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        mi, ma, pl = f1_scores(y_true[idx], y_pred[idx])
        micro.append(mi)
        macro.append(ma)
        per.append(pl)
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    out = {"micro_f1": tuple(np.percentile(micro, q)), "macro_f1": tuple(np.percentile(macro, q))}
    per_arr = np.array(per)
    for j in range(per_arr.shape[1]):
        out[f"f1_{j}"] = tuple(np.percentile(per_arr[:, j], q))
    return out


@dataclass
class EvaluationResult:
    """Scores of one model on one evaluation set."""

    model: str
    evaluation: str  # "lodo" or "dev"
    table: pd.DataFrame
    intervals: dict[str, tuple[float, float]]
    y_true: np.ndarray
    y_pred: np.ndarray
    label_ids: list[str]

    @property
    def micro_f1(self) -> float:
        return float(self.table.set_index("label").loc["micro", "f1"])

    @property
    def macro_f1(self) -> float:
        return float(self.table.set_index("label").loc["macro", "f1"])

    def summary_row(self) -> dict:
        row = {"model": self.model, "evaluation": self.evaluation, "n": len(self.y_true),
               "micro_f1": self.micro_f1, "macro_f1": self.macro_f1}
        for key in ("micro_f1", "macro_f1"):
            if key in self.intervals:
                row[f"{key}_low"], row[f"{key}_high"] = self.intervals[key]
        per = self.table.set_index("label")
        for j, label in enumerate(self.label_ids):
            row[f"f1_{label}"] = float(per.loc[label, "f1"])
            if f"f1_{j}" in self.intervals:
                row[f"f1_{label}_low"], row[f"f1_{label}_high"] = self.intervals[f"f1_{j}"]
        return row

    def metrics(self) -> dict[str, float]:
        """Flat metric names for MLflow, prefixed by the evaluation."""
        out = {f"{self.evaluation}_micro_f1": self.micro_f1, f"{self.evaluation}_macro_f1": self.macro_f1}
        for key in ("micro_f1", "macro_f1"):
            if key in self.intervals:
                out[f"{self.evaluation}_{key}_low"], out[f"{self.evaluation}_{key}_high"] = self.intervals[key]
        for row in self.table.itertuples():
            if row.label in self.label_ids:
                out[f"{self.evaluation}_{row.label}_precision"] = row.precision
                out[f"{self.evaluation}_{row.label}_recall"] = row.recall
                out[f"{self.evaluation}_{row.label}_f1"] = row.f1
        return out


def evaluate(model: str, evaluation: str, y_true: np.ndarray, y_pred: np.ndarray, label_ids: Sequence[str],
             n_boot: int = 1000, seed: int = 0) -> EvaluationResult:
    """Score predictions and attach bootstrap intervals."""
    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    return EvaluationResult(model, evaluation, score_table(y_true, y_pred, label_ids),
                            bootstrap_intervals(y_true, y_pred, n_boot, seed), y_true, y_pred, list(label_ids))
