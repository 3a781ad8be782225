"""Per-label decision thresholds chosen on out-of-fold probabilities.

>>> proba = np.array([[0.9, 0.2], [0.3, 0.7], [0.2, 0.4]])
>>> truth = np.array([[1, 0], [1, 1], [0, 1]])
>>> choose_thresholds(proba, truth).tolist()
[0.3, 0.4]
"""
from __future__ import annotations

import numpy as np

from .metrics import f1_scores

__all__ = ["THRESHOLD_GRID_STEP", "choose_thresholds"]

THRESHOLD_GRID_STEP = 0.05


def choose_thresholds(proba: np.ndarray, y_true: np.ndarray, step: float = THRESHOLD_GRID_STEP,
                      default: float = 0.5) -> np.ndarray:
    """Per label, the threshold on a grid that maximises F1; ties go to the one nearest ``default``.

    A label with no positive example keeps ``default``.

    Parameters
    ----------
    proba : ndarray, shape (n, n_labels)
        Out-of-fold probabilities.
    y_true : ndarray, shape (n, n_labels)
        Gold 0/1 matrix.
    step : float
        Grid spacing; thresholds are ``step, 2*step, ..., < 1``.
    default : float
        Fallback and tie-break centre.
    """
    proba = np.asarray(proba, dtype=float)
    y_true = np.asarray(y_true, dtype=int)
    if proba.shape != y_true.shape:
        raise ValueError(f"proba and y_true: expected the same shape, received {proba.shape} and {y_true.shape}")
    grid = np.round(np.arange(step, 1.0, step), 6)
    f1 = np.array([f1_scores(y_true, (proba >= t).astype(int))[2] for t in grid])  # (grid, labels)
    thresholds = np.full(y_true.shape[1], float(default))
    for j in np.flatnonzero(y_true.any(axis=0)):
        best = np.flatnonzero(np.isclose(f1[:, j], f1[:, j].max(), rtol=0, atol=1e-12))
        thresholds[j] = float(grid[best[np.argmin(np.abs(grid[best] - default))]])
    return thresholds
